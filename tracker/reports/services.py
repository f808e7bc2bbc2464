"""Counting in SQL: adverse events per 1,000 signed sessions of a period of clinic days."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.dates import clinic_day_start
from tracker.extensions import db
from tracker.i18n import _
from tracker.safety.models import AdverseEvent
from tracker.safety.vocab import AE_CODES, AE_SEVERITIES
from tracker.sessions.models import TreatmentSession

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
    since = clinic_day_start(start, zone)
    until = clinic_day_start(end + timedelta(days=1), zone)
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
        sessions_with_event=RateRow(_("Sessions with at least one adverse event"), with_event,
                                    rate(with_event), REFERENCE_ANY_PER_1000),
        by_type=[RateRow(label, by_code[code], rate(by_code[code]))
                 for code, label in AE_CODES if code in by_code],
        by_severity=[RateRow(label, by_severity.get(code, 0), rate(by_severity.get(code, 0)),
                             REFERENCE_SERIOUS_PER_1000 if code == "serious" else None)
                     for code, label in AE_SEVERITIES],
        between_visits=between,
    )


