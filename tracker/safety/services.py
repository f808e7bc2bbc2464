"""Recording adverse events."""

from datetime import datetime

from tracker.audit.services import record_event
from tracker.extensions import db
from tracker.safety.models import AdverseEvent
from tracker.safety.vocab import AE_CATEGORY_OF


class SafetyError(ValueError):
    """A user-facing reason a safety record was refused."""


def record_adverse_event(
    patient,
    *,
    actor,
    code: str,
    severity: str,
    onset_at: datetime,
    action_taken: str,
    description: str = "",
    outcome: str = "unknown",
    visit=None,
    point_application=None,
    technique: str = "",
) -> AdverseEvent:
    """Record an adverse event on a session (also after it was signed) or between visits."""
    if code not in AE_CATEGORY_OF:
        raise SafetyError("Unknown adverse event type.")
    if visit is not None and visit.patient_id != patient.id:
        raise SafetyError("That session belongs to another patient.")
    event = AdverseEvent(
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        session_id=visit.id if visit is not None else None,
        category=AE_CATEGORY_OF[code],
        code=code,
        severity=severity,
        onset_at=onset_at,
        description=description.strip(),
        action_taken=action_taken.strip(),
        outcome=outcome,
        point_application_id=point_application.id if point_application is not None else None,
        technique=technique,
        after_signing=bool(visit is not None and visit.is_signed),
        recorded_by_id=actor.id,
    )
    db.session.add(event)
    db.session.flush()
    record_event(
        "adverse_event.create",
        actor=actor,
        entity=event,
        patient_id=patient.id,
        details={"code": code, "severity": severity, "session": event.session_id},
    )
    return event
