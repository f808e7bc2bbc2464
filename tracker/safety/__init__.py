"""Clinical safety: adverse events (and, in wave 3, the caution engine)."""
