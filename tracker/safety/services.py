"""Adverse events, and storing the cautions shown for a session and the decisions on them."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.audit.services import record_event
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.safety.cautions import (
    CONTRAINDICATED,
    Caution,
    PlannedAdjunct,
    PlannedPoint,
    SafetyFacts,
    cautions_for,
)
from tracker.safety.models import AdverseEvent, SessionCaution
from tracker.safety.vocab import AE_CATEGORY_OF, AE_CODES, AE_SEVERITIES
from tracker.sessions.models import TreatmentSession

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
            raise SafetyError(f"Give the reason for overriding: {row.message}")
        if row.severity == CONTRAINDICATED and not reason:
            raise SafetyError(f"A contraindication needs an override reason: {row.message}")
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


# Reference rates per 1,000 treatments (Bäumler et al., BMJ Open 2021: at least one AE in
# 7.57% of treatments; serious AEs 7.98 per million treatments).
REFERENCE_ANY_PER_1000 = 75.7
REFERENCE_SERIOUS_PER_1000 = 0.00798


@dataclass
class RateRow:
    label: str
    count: int
    per_1000: float | None
    reference_per_1000: float | None = None


@dataclass
class AdverseEventReport:
    start: date
    end: date
    sessions: int
    sessions_with_event: RateRow
    by_type: list[RateRow]
    by_severity: list[RateRow]
    between_visits: int


def adverse_event_report(clinic_id: int, start: date, end: date, zone) -> AdverseEventReport:
    """Adverse events of ``start``..``end`` (local dates, inclusive) per 1,000 signed sessions
    of the same days, by type and by severity, with reference rates. Counted in SQL."""
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    sessions = db.session.scalar(
        select(func.count(TreatmentSession.id)).where(
            TreatmentSession.clinic_id == clinic_id, TreatmentSession.status == "signed",
            TreatmentSession.started_at >= since, TreatmentSession.started_at < until))
    in_range = (AdverseEvent.clinic_id == clinic_id, AdverseEvent.onset_at >= since,
                AdverseEvent.onset_at < until)
    by_code = dict(db.session.execute(
        select(AdverseEvent.code, func.count(AdverseEvent.id)).where(*in_range)
        .group_by(AdverseEvent.code)).all())
    by_severity = dict(db.session.execute(
        select(AdverseEvent.severity, func.count(AdverseEvent.id)).where(*in_range)
        .group_by(AdverseEvent.severity)).all())
    with_event = db.session.scalar(
        select(func.count(func.distinct(AdverseEvent.session_id))).where(
            *in_range, AdverseEvent.session_id.is_not(None)))
    between = db.session.scalar(
        select(func.count(AdverseEvent.id)).where(*in_range, AdverseEvent.session_id.is_(None)))

    def rate(count: int) -> float | None:
        return round(count * 1000 / sessions, 2) if sessions else None

    return AdverseEventReport(
        start=start, end=end, sessions=sessions,
        sessions_with_event=RateRow("Sessions with at least one adverse event", with_event,
                                    rate(with_event), REFERENCE_ANY_PER_1000),
        by_type=[RateRow(label, by_code[code], rate(by_code[code]))
                 for code, label in AE_CODES if code in by_code],
        by_severity=[RateRow(label, by_severity.get(code, 0), rate(by_severity.get(code, 0)),
                             REFERENCE_SERIOUS_PER_1000 if code == "serious" else None)
                     for code, label in AE_SEVERITIES],
        between_visits=between,
    )


def patient_adverse_events(patient_id: int) -> list[AdverseEvent]:
    """All of a patient's adverse events, newest first, with who recorded them."""
    return list(db.session.scalars(
        select(AdverseEvent).where(AdverseEvent.patient_id == patient_id)
        .options(joinedload(AdverseEvent.recorded_by))
        .order_by(AdverseEvent.onset_at.desc(), AdverseEvent.id.desc())))
