"""The dashboard, the clinical staff's landing page: the needles in now, today's sessions,
follow-ups due, red flags awaiting acknowledgement, recent adverse events and this quarter's
responder rate.

Each section is one query (the follow-ups two), so the page runs the same number of
statements however busy the clinic is. Days are the clinic's: its today, and UTC bounds of
its days from ``dates.clinic_day_start``.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.dates import clinic_day_start
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.outcomes.cohort import episode_outcomes
from tracker.outcomes.follow_ups import DEFAULT_DAYS, FollowUpCount, count_follow_ups
from tracker.paging import ListPage, counted_page
from tracker.patients.models import Patient
from tracker.safety.models import AdverseEvent
from tracker.sessions.models import TreatmentSession
from tracker.sessions.timer import NeedleTimer, running_timer

RECENT_EVENT_DAYS = 30
RECENT_EVENTS_SHOWN = 10
FOLLOW_UPS_SHOWN = 5
# More needles in at once than any clinic has tables: a bound on the panel, not a real limit.
TIMERS_SHOWN = 50
# A clinic group's day holds hundreds of sessions: the dashboard shows them a page at a time.
TODAY_PER_PAGE = 25
# Red flags wait oldest first: acknowledging one brings the next onto the dashboard.
RED_FLAGS_SHOWN = 10


@dataclass(frozen=True)
class PatientRef:
    """Who a row is about, as the dashboard names them."""

    id: int
    chart_number: str
    name: str


@dataclass(frozen=True)
class TodaySession:
    id: int
    patient: PatientRef
    started_at: datetime
    is_signed: bool


@dataclass(frozen=True)
class RunningTimer:
    """A draft whose needles are in now: whose, who treats, and its timer."""

    session_id: int
    patient: PatientRef
    practitioner: str
    timer: NeedleTimer


@dataclass(frozen=True)
class PendingRedFlags:
    episode_id: int
    patient: PatientRef
    opened_on: date
    red_flags: list[str]  # codes of intake.vocab.RED_FLAGS


@dataclass(frozen=True)
class RecentEvent:
    id: int
    patient: PatientRef
    session_id: int | None
    onset_at: datetime
    code: str
    severity: str


@dataclass(frozen=True)
class ResponderRate:
    """Responders among the episodes whose latest pain score falls in the quarter."""

    start: date
    end: date
    responders: int
    evaluable: int

    @property
    def percent(self) -> int | None:
        if not self.evaluable:
            return None
        exact = Decimal(self.responders * 100) / Decimal(self.evaluable)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Dashboard:
    today: date
    timers: list[RunningTimer]
    sessions: ListPage  # of TodaySession
    follow_up_days: int
    follow_ups: FollowUpCount
    red_flags: list[PendingRedFlags]  # the oldest RED_FLAGS_SHOWN
    red_flag_total: int
    recent_events: list[RecentEvent]
    recent_event_total: int
    recent_event_since: date
    responder_rate: ResponderRate

    def counts(self) -> dict:
        """What the audit row records of the page: figures only, no patient."""
        return {"needles_in_now": len(self.timers),
                "sessions_today": self.sessions.total, "follow_ups_due": self.follow_ups.total,
                "red_flags_pending": self.red_flag_total,
                "adverse_events_30_days": self.recent_event_total,
                "responders": self.responder_rate.responders,
                "evaluable": self.responder_rate.evaluable}


def build_dashboard(clinic_id: int, *, today: date, zone: ZoneInfo | str,
                    now: datetime | None = None,
                    responder_rate: ResponderRate | None = None,
                    follow_ups: FollowUpCount | None = None,
                    sessions_page: int = 1) -> Dashboard:
    """Every section of the dashboard for ``today``, the clinic's date (timers counted at
    ``now``; page ``sessions_page`` of today's sessions). Seven queries; one fewer for
    ``responder_rate`` given, two fewer for ``follow_ups`` given (the page's kept copies)."""
    zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    since = today - timedelta(days=RECENT_EVENT_DAYS - 1)
    events, total = recent_adverse_events(clinic_id, since=since, today=today, zone=zone)
    red_flags, red_flag_total = pending_red_flags(clinic_id)
    return Dashboard(
        today=today,
        timers=running_timers(clinic_id, now=now),
        sessions=todays_sessions(clinic_id, today=today, zone=zone, page=sessions_page),
        follow_up_days=DEFAULT_DAYS,
        follow_ups=follow_ups if follow_ups is not None else due_follow_ups_count(
            clinic_id, today=today, zone=zone),
        red_flags=red_flags, red_flag_total=red_flag_total,
        recent_events=events, recent_event_total=total, recent_event_since=since,
        responder_rate=responder_rate or quarter_responder_rate(clinic_id, today=today),
    )


def due_follow_ups_count(clinic_id: int, *, today: date, zone: ZoneInfo | str
                         ) -> FollowUpCount:
    """The follow-ups section: how many episodes are due after ``DEFAULT_DAYS`` without a
    visit, and the most overdue ``FOLLOW_UPS_SHOWN``."""
    return count_follow_ups(clinic_id, days=DEFAULT_DAYS, today=today, zone=zone,
                            first=FOLLOW_UPS_SHOWN)


def _patient(row) -> PatientRef:
    return PatientRef(row.patient_id, row.chart_number,
                      " ".join(p for p in (row.family_name, row.given_name) if p))


_PATIENT_COLUMNS = (Patient.chart_number, Patient.family_name, Patient.given_name)


def running_timers(clinic_id: int, *, now: datetime | None = None) -> list[RunningTimer]:
    """The clinic's drafts with needles in and not yet out, the first to end first. A draft
    is never left off for being old: a "needles out" never pressed shows until it is."""
    rows = db.session.execute(
        select(TreatmentSession.id, TreatmentSession.patient_id, TreatmentSession.inserted_at,
               TreatmentSession.retention_minutes, User.name.label("practitioner"),
               *_PATIENT_COLUMNS)
        .join(Patient, Patient.id == TreatmentSession.patient_id)
        .join(User, User.id == TreatmentSession.practitioner_id)
        .where(TreatmentSession.clinic_id == clinic_id, TreatmentSession.status == "draft",
               TreatmentSession.inserted_at.is_not(None),
               TreatmentSession.removed_at.is_(None))
        .order_by(TreatmentSession.inserted_at, TreatmentSession.id)
        .limit(TIMERS_SHOWN)
    )
    now = now or utcnow()
    timers = [RunningTimer(row.id, _patient(row), row.practitioner,
                           running_timer(row.inserted_at, row.retention_minutes, now=now))
              for row in rows]
    return sorted(timers, key=lambda found: (found.timer.planned_end, found.session_id))


def todays_sessions(clinic_id: int, *, today: date, zone: ZoneInfo,
                    page: int = 1) -> ListPage:
    """A page of the sessions started on the clinic's ``today`` (drafts and signed), earliest
    first, with how many there are (one statement: ``paging.counted_page``)."""
    return counted_page(
        select(TreatmentSession.id, TreatmentSession.patient_id, TreatmentSession.started_at,
               TreatmentSession.status, *_PATIENT_COLUMNS)
        .join(Patient, Patient.id == TreatmentSession.patient_id)
        .where(TreatmentSession.clinic_id == clinic_id,
               TreatmentSession.started_at >= clinic_day_start(today, zone),
               TreatmentSession.started_at < clinic_day_start(today + timedelta(days=1), zone))
        .order_by(TreatmentSession.started_at, TreatmentSession.id),
        page, TODAY_PER_PAGE,
        item=lambda row: TodaySession(row.id, _patient(row), row.started_at,
                                      row.status == "signed"))


def pending_red_flags(clinic_id: int) -> tuple[list[PendingRedFlags], int]:
    """The oldest open episodes (at most ``RED_FLAGS_SHOWN``) whose red flags nobody has
    acknowledged yet, oldest intake first, and how many there are in all."""
    rows = db.session.execute(
        select(Episode.id, Episode.patient_id, Episode.opened_on, Episode.red_flags,
               *_PATIENT_COLUMNS, func.count().over().label("total"))
        .join(Patient, Patient.id == Episode.patient_id)
        .where(Episode.clinic_id == clinic_id, Episode.status == "open",
               Episode.red_flags_acknowledged_at.is_(None),
               # Only episodes with a flag: an empty JSON list is not portably comparable
               # with "=" (PostgreSQL's json has none), but both databases measure it. A
               # clinic group's hundreds of open episodes without one were read and decoded
               # on every view of the dashboard.
               func.json_array_length(Episode.red_flags) > 0)
        .order_by(Episode.opened_on, Episode.id)
        .limit(RED_FLAGS_SHOWN)
    ).all()
    return ([PendingRedFlags(row.id, _patient(row), row.opened_on, list(row.red_flags))
             for row in rows], rows[0].total if rows else 0)


def recent_adverse_events(clinic_id: int, *, since: date, today: date,
                          zone: ZoneInfo) -> tuple[list[RecentEvent], int]:
    """The latest adverse events with their onset on a clinic day from ``since`` to ``today``,
    newest first (at most ``RECENT_EVENTS_SHOWN``), and how many there are in all."""
    rows = db.session.execute(
        select(AdverseEvent.id, AdverseEvent.patient_id, AdverseEvent.session_id,
               AdverseEvent.onset_at, AdverseEvent.code, AdverseEvent.severity,
               *_PATIENT_COLUMNS, func.count().over().label("total"))
        .join(Patient, Patient.id == AdverseEvent.patient_id)
        .where(AdverseEvent.clinic_id == clinic_id,
               AdverseEvent.onset_at >= clinic_day_start(since, zone),
               AdverseEvent.onset_at < clinic_day_start(today + timedelta(days=1), zone))
        .order_by(AdverseEvent.onset_at.desc(), AdverseEvent.id.desc())
        .limit(RECENT_EVENTS_SHOWN)
    ).all()
    events = [RecentEvent(row.id, _patient(row), row.session_id, row.onset_at, row.code,
                          row.severity) for row in rows]
    return events, rows[0].total if rows else 0


def quarter_of(day: date) -> tuple[date, date]:
    """The first and last day of the calendar quarter holding ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    after = date(day.year + 1, 1, 1) if first_month == 10 else date(day.year, first_month + 3, 1)
    return start, after - timedelta(days=1)


def quarter_responder_rate(clinic_id: int, *, today: date) -> ResponderRate:
    """Responders / evaluable episodes among those whose latest score (``cohort``'s
    ``latest_on``, a clinic date) is in the quarter of ``today``; any status."""
    start, end = quarter_of(today)
    outcome = episode_outcomes(clinic_id, scored_since=start).subquery("outcome")
    evaluable, responders = db.session.execute(
        select(func.count(outcome.c.responder), func.coalesce(func.sum(outcome.c.responder), 0))
        .where(outcome.c.latest_on >= start, outcome.c.latest_on <= end)
    ).one()
    return ResponderRate(start, end, int(responders), int(evaluable))
