"""Every feature's models, imported explicitly so Alembic and ``flask shell`` see them all.

Add a line here when a feature gains a model; there is no auto-discovery.
"""

from tracker.audit.models import AuditEvent
from tracker.auth.models import LoginAttempt, LoginSession, User
from tracker.clinics.models import Clinic
from tracker.intake.models import Episode
from tracker.patients.models import Consent, Patient

__all__ = [
    "AuditEvent",
    "Clinic",
    "Consent",
    "Episode",
    "LoginAttempt",
    "LoginSession",
    "Patient",
    "User",
]
