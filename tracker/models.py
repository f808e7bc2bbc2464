"""Every feature's models, imported explicitly so Alembic and ``flask shell`` see them all.

Add a line here when a feature gains a model; there is no auto-discovery.
"""

from tracker.audit.models import AuditChainHead, AuditEvent
from tracker.auth.models import LoginAttempt, LoginSession, User
from tracker.clinics.models import Clinic
from tracker.intake.models import Episode
from tracker.patients.models import Consent, Patient
from tracker.points.models import Point, PointAlias
from tracker.protocols.models import Protocol, ProtocolPoint
from tracker.safety.models import AdverseEvent, SessionCaution
from tracker.scores.models import Assessment
from tracker.sessions.models import Adjunct, Amendment, PointApplication, TreatmentSession

__all__ = [
    "Adjunct",
    "AdverseEvent",
    "Amendment",
    "Assessment",
    "AuditChainHead",
    "AuditEvent",
    "Clinic",
    "Consent",
    "Episode",
    "LoginAttempt",
    "LoginSession",
    "Patient",
    "Point",
    "PointAlias",
    "PointApplication",
    "Protocol",
    "ProtocolPoint",
    "SessionCaution",
    "TreatmentSession",
    "User",
]
