"""Clinical safety: the caution engine (``cautions.py``: pure, no database), the cautions
stored for a session and the practitioner's decisions on them, and adverse events (on a
session or between visits). The clinic's adverse-event report is in ``tracker.reports``."""
