"""Home redirect and the health check."""
