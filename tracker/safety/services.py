"""Adverse events; asking the caution engine about a session's point rows and techniques,
and storing the cautions shown for a session and the decisions on them.

Below the sessions package: it reads a session only through what it is given."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.audit.services import record_event
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.i18n import _
from tracker.safety.cautions import (
    CONTRAINDICATED,
    Caution,
    PlannedAdjunct,
    PlannedPoint,
    SafetyFacts,
    cautions_for,
)
from tracker.safety.models import AdverseEvent, SessionCaution
from tracker.safety.vocab import AE_CATEGORY_OF

CUN_MM = 20  # an adult cun is about 20 mm: enough to compare with a depth hint


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
        raise SafetyError(_("Unknown adverse event type."))
    if visit is not None and visit.patient_id != patient.id:
        raise SafetyError(_("That session belongs to another patient."))
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
    record_event("adverse_event.create", actor=actor, entity=event, patient_id=patient.id,
                 details={"code": code, "severity": severity, "session": event.session_id})
    return event


def plan_of(points: list[dict], adjuncts: list[dict]) -> tuple[list, list]:
    """Point rows and adjuncts (as the session service takes them) in the engine's terms.

    Every row is a needle the engine checks: a custom row (no catalog point) by its region
    and level.
    """
    planned_points = [planned_point(row) for row in points]
    planned_adjuncts = [PlannedAdjunct(a["kind"], a.get("params") or {}) for a in adjuncts]
    return planned_points, planned_adjuncts


def planned_point(row: dict) -> PlannedPoint:
    """One point row (a catalog ``point`` or a custom one) as the engine sees it."""
    depth = row.get("depth")
    details = {
        "level": row.get("level") or "",
        "depth_mm": None if depth is None
        else float(depth) * (CUN_MM if row.get("depth_unit") == "cun" else 1),
        "angle": row.get("angle"),
        "electrical": row.get("stimulation") == "electrical",
    }
    point = row.get("point")
    if point is None:
        return PlannedPoint.custom_point(row.get("custom_label") or "", row.get("region") or "",
                                         **details)
    return PlannedPoint.of(point, **details)


def cautions_for_rows(
    episode, day: date, points: list[dict], adjuncts: list[dict]
) -> list[Caution]:
    """The engine's answer for a planned or recorded session of ``episode`` on ``day``, the
    session's clinic-local date (``tracker.dates.clinic_date``)."""
    return cautions_for(SafetyFacts.of_episode(episode, day), *plan_of(points, adjuncts))


def sync_session_cautions(visit, cautions: list[Caution], *, overrides: dict[str, str],
                          actor) -> None:
    """Store what was shown: new cautions are added, those that no longer apply stay but are
    marked inactive, and contraindications come with their override reason.

    Needs ``visit.cautions`` loaded (or the session new).
    """
    existing = {row.key: row for row in visit.cautions}
    current = {caution.key for caution in cautions}
    for caution in cautions:
        row = existing.get(caution.key)
        if row is None:
            row = SessionCaution(key=caution.key, rule=caution.rule, target=caution.target)
            visit.cautions.append(row)
        row.severity, row.message = caution.severity, caution.message
        row.reason, row.source, row.active = caution.reason, caution.source, True
        reason = overrides.get(caution.key, "").strip()
        if caution.severity == CONTRAINDICATED and reason:
            _decide(row, "overridden", reason, actor)
    for key, row in existing.items():
        if key not in current:
            row.active = False


def decide_cautions(visit, decisions: dict[int, tuple[str, str]], *, actor) -> None:
    """Record acknowledgements and overrides: ``{caution id: (decision, reason)}``.

    :raises SafetyError: an override without a reason, or a contraindication acknowledged
        without one. Then nothing is recorded.
    """
    chosen = []
    for row in visit.cautions:
        if row.id not in decisions or not row.needs_decision:
            continue
        decision, reason = decisions[row.id]
        reason = (reason or "").strip()
        if decision == "overridden" and not reason:
            raise SafetyError(_("Give the reason for overriding: %(caution)s",
                                caution=row.message))
        if row.severity == CONTRAINDICATED and not reason:
            raise SafetyError(_("A contraindication needs an override reason: %(caution)s",
                                caution=row.message))
        chosen.append((row, "overridden" if row.severity == CONTRAINDICATED else decision, reason))
    # Checked first, recorded after: a refusal leaves every row as it was.
    for row, decision, reason in chosen:
        _decide(row, decision, reason, actor)


def pending_cautions(visit) -> list[SessionCaution]:
    """Cautions still waiting for a decision (they stop the note being signed)."""
    return [row for row in visit.cautions if row.needs_decision]


def _decide(row: SessionCaution, decision: str, reason: str, actor) -> None:
    row.decision, row.decision_reason = decision, reason
    # The relationship too, so a page rendered in the same request names who decided.
    row.decided_by, row.decided_at = actor, utcnow()


def patient_adverse_events(patient_id: int) -> list[AdverseEvent]:
    """All of a patient's adverse events, newest first, with who recorded them."""
    return list(db.session.scalars(
        select(AdverseEvent).where(AdverseEvent.patient_id == patient_id)
        .options(joinedload(AdverseEvent.recorded_by))
        .order_by(AdverseEvent.onset_at.desc(), AdverseEvent.id.desc())))


def session_adverse_events(session_id: int) -> list[AdverseEvent]:
    """A session's adverse events, in the order recorded, with who recorded them."""
    return list(db.session.scalars(
        select(AdverseEvent).where(AdverseEvent.session_id == session_id)
        .options(joinedload(AdverseEvent.recorded_by)).order_by(AdverseEvent.id)))
