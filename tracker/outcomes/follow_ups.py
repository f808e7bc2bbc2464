"""The follow-up list (DOMAIN.md section 6): patients with an open episode who have had no
visit for N days, or whose next-visit date has passed, most overdue first.

Definitions:

- a **visit** is any session of the episode, draft or signed; the **last visit** is the
  latest by start time, and its date is the clinic's date (``dates.clinic_date``). An episode
  with no session yet counts from its intake date (``Episode.opened_on``);
- the **next-visit date** is the last visit's ``next_visit_on`` as it reads now: a signed
  note's amendments applied in order, as ``sessions.services.effective_values`` does;
- an episode is **due** when the days since the last visit are at least N, or when the
  next-visit date is before the clinic's today (a visit due today is not missed yet);
- **overdue days** = the larger of (days since the last visit - N) and (days past the
  next-visit date): the list is sorted by it, most overdue first;
- closed episodes and archived patients are never listed.

Two queries whatever the clinic's size: the episodes that may be due (SQL narrows them with
UTC bounds computed from clinic dates, so it needs no time-zone arithmetic of its own), with
their last visit; then the amendments of those last visits that were amended. Python applies
the amendments and the exact rule. The pain outcome (``cohort.episode_outcomes``) is a third
query, for the rows shown only (``with_outcomes``).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from operator import itemgetter
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, Integer, and_, bindparam, exists, or_, select
from sqlalchemy.orm import aliased

from tracker.dates import clinic_date, clinic_day_start
from tracker.db_types import UTCDateTime
from tracker.extensions import db
from tracker.i18n import _, ngettext
from tracker.intake.models import Episode
from tracker.outcomes.cohort import episode_outcomes
from tracker.patients.models import Patient
from tracker.sessions.models import Amendment, TreatmentSession

DEFAULT_DAYS = 14
MIN_DAYS, MAX_DAYS = 1, 365
MINUS = "\u2212"  # a minus sign no spreadsheet reads as the start of a formula


@dataclass(frozen=True)
class FollowUp:
    """One episode due a follow-up, with what the list shows of it."""

    episode_id: int
    patient_id: int
    chart_number: str
    patient_name: str
    chief_complaint: str
    opened_on: date
    last_visit_on: date | None  # None: no session yet, counted from the intake
    days_since: int
    next_visit_on: date | None
    days_past_next_visit: int | None  # None without a next-visit date; 0 when it is today
    days: int  # the N the list was asked for
    overdue_days: int
    baseline: Decimal | None
    latest: Decimal | None

    @property
    def no_visit_for_days(self) -> bool:
        return self.days_since >= self.days

    @property
    def missed_next_visit(self) -> bool:
        return self.days_past_next_visit is not None and self.days_past_next_visit > 0

    @property
    def change(self) -> Decimal | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline

    @property
    def reasons(self) -> list[str]:
        """Why the episode is due, in words: the missed date first, then the gap."""
        found = []
        if self.missed_next_visit:
            # A date is written yyyy-MM-dd in every locale (filters.day): isoformat is that,
            # without Babel's pattern machinery for each of the page's 50 rows.
            found.append(_("next visit was due on %(date)s",
                           date=self.next_visit_on.isoformat()))
        if self.no_visit_for_days:
            found.append(ngettext("no visit for %(num)d day", "no visit for %(num)d days",
                                  self.days_since))
        return found

    @property
    def trend(self) -> str:
        """Latest pain against the baseline, as the eye reads it: "7 → 4 (−3)"."""
        if self.change is None:
            return _("no score since intake")
        return f"{score_text(self.baseline)} → {score_text(self.latest)} ({signed(self.change)})"

    @property
    def trend_words(self) -> str:
        """The same for a screen reader, which reads "→" and "−" badly or not at all."""
        if self.change is None:
            return _("no score since intake")
        values = {"baseline": score_text(self.baseline), "latest": score_text(self.latest),
                  "points": score_text(abs(self.change))}
        if self.change < 0:
            return _("pain from %(baseline)s to %(latest)s, down %(points)s", **values)
        if self.change > 0:
            return _("pain from %(baseline)s to %(latest)s, up %(points)s", **values)
        return _("pain from %(baseline)s to %(latest)s, unchanged", **values)


def score_text(value: Decimal | None) -> str:
    """A score without trailing zeros (NRS scores are stored as 7.0): "7", "10", "6.5"."""
    return "" if value is None else format(Decimal(value).normalize(), "f")


def signed(value: Decimal) -> str:
    """A change with its sign: "−3" (Unicode minus), "+2", "0"."""
    if value < 0:
        return MINUS + score_text(-value)
    return ("+" if value > 0 else "") + score_text(value)


def due_follow_ups(clinic_id: int, *, days: int, today: date, zone: ZoneInfo | str,
                   connection: Connection | None = None) -> "DueFollowUps":
    """The clinic's episodes due a follow-up on ``today`` (the clinic's date) after ``days``
    without a visit, most overdue first, without their pain outcome (``with_outcomes`` adds
    it to the rows shown). Two queries, run on ``connection`` (the list's pages pass
    ``replica.report_reads()``'s) or else the session's (the dashboard's count)."""
    reader = connection if connection is not None else db.session.connection()
    zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    gap_start = today - timedelta(days=days)  # a visit on this clinic day or before is N days ago
    candidates = reader.execute(_candidates_statement(), {
        "clinic_id": clinic_id, "gap_start": gap_start, "today": today,
        "gap_end": clinic_day_start(gap_start + timedelta(days=1), zone),
    }).all()
    amended_ids = [row.session_id for row in candidates if row.amended]
    next_visits = amended_next_visits(amended_ids, connection=reader)
    due = []
    for row in candidates:
        last_on = clinic_date(row.started_at, zone) if row.session_id else None
        days_since = (today - (last_on or row.opened_on)).days
        next_on = next_visits.get(row.session_id, row.next_visit_on)
        past_next = (today - next_on).days if next_on else None
        if days_since < days and (past_next is None or past_next <= 0):
            continue
        overdue = max(days_since - days, past_next if past_next is not None else -1)
        due.append((-overdue, -days_since, row.chart_number, row.id,
                    row, last_on, days_since, next_on, past_next, overdue))
    due.sort(key=_MOST_OVERDUE_FIRST)
    return DueFollowUps(due, days)


# Most overdue first, then the longest without a visit, then by chart and episode: the
# first four values of each entry.
_MOST_OVERDUE_FIRST = itemgetter(0, 1, 2, 3)


class DueFollowUps(Sequence):
    """The episodes due, most overdue first: worked out and sorted as plain values, each made
    a ``FollowUp`` only when read. A page shows 50 of hundreds, the dashboard 5 (at full
    scale building all 395 was a third of the dashboard's follow-up count)."""

    def __init__(self, due: list[tuple], days: int):
        self._due, self._days = due, days

    def __len__(self) -> int:
        return len(self._due)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._follow_up(entry) for entry in self._due[index]]
        return self._follow_up(self._due[index])

    def _follow_up(self, entry: tuple) -> FollowUp:
        row, last_on, days_since, next_on, past_next, overdue = entry[4:]
        return FollowUp(
            episode_id=row.id, patient_id=row.patient_id, chart_number=row.chart_number,
            patient_name=" ".join(p for p in (row.family_name, row.given_name) if p),
            chief_complaint=row.chief_complaint, opened_on=row.opened_on,
            last_visit_on=last_on, days_since=days_since, next_visit_on=next_on,
            days_past_next_visit=past_next, days=self._days, overdue_days=overdue,
            baseline=None, latest=None,
        )


@cache
def _candidates_statement():
    """The open episodes that may be due, with their last visit: built once per process
    (SQLAlchemy took longer to build it than the database to run it), run with the clinic,
    ``gap_start`` (the clinic date N days ago), ``gap_end`` (the UTC start of the day after
    it) and ``today``."""
    # Each open episode's last visit, found through the sessions' episode index: a few rows
    # read per episode, where numbering every session of every open episode read them all.
    last_id = (
        select(TreatmentSession.id)
        .where(TreatmentSession.episode_id == Episode.id)
        .order_by(TreatmentSession.started_at.desc(), TreatmentSession.id.desc())
        .limit(1).correlate(Episode).scalar_subquery()
    )
    last = aliased(TreatmentSession, name="last_visit")
    amended = exists().where(Amendment.session_id == last.id)
    return (
        select(Episode.id, Episode.patient_id, Episode.opened_on, Episode.chief_complaint,
               Patient.chart_number, Patient.family_name, Patient.given_name,
               last.id.label("session_id"), last.started_at, last.next_visit_on,
               amended.label("amended"))
        .join(Patient, Patient.id == Episode.patient_id)
        .outerjoin(last, last.id == last_id)
        .where(
            Episode.clinic_id == bindparam("clinic_id"), Episode.status == "open",
            Patient.archived_at.is_(None),
            or_(
                and_(last.id.is_(None), Episode.opened_on <= bindparam("gap_start", type_=Date)),
                last.started_at < bindparam("gap_end", type_=UTCDateTime),
                last.next_visit_on < bindparam("today", type_=Date),
                amended,  # an amendment may have moved the next-visit date: decided below
            ),
        )
    )


@cache
def _outcomes_statement():
    """``cohort.episode_outcomes`` of some open episodes of a clinic, built once per process,
    run with ``clinic_id`` and ``episode_ids``."""
    return episode_outcomes(bindparam("clinic_id", type_=Integer), status="open",
                            episode_ids=bindparam("episode_ids", expanding=True))


def with_outcomes(rows: list[FollowUp], clinic_id: int, *,
                  connection: Connection | None = None) -> list[FollowUp]:
    """``rows`` with each episode's baseline and latest pain (``cohort.episode_outcomes``),
    worked out for these episodes only: the 50 of a page, not every open episode of the
    clinic. Always one query."""
    reader = connection if connection is not None else db.session.connection()
    rows = list(rows)  # each read of a ``DueFollowUps`` builds its rows anew
    outcomes = {row.episode_id: row for row in reader.execute(_outcomes_statement(), {
        "clinic_id": clinic_id, "episode_ids": [row.episode_id for row in rows]})}
    return [
        replace(row, baseline=_decimal(outcome.baseline), latest=_decimal(outcome.latest))
        if (outcome := outcomes.get(row.episode_id)) is not None else row
        for row in rows
    ]


def amended_next_visits(session_ids: list[int], *, connection: Connection | None = None
                        ) -> dict[int, date | None]:
    """The next-visit date as amended, for each of these sessions whose amendments changed
    it (the last amendment's "new" wins, as in ``effective_values``). Always one query."""
    found: dict[int, date | None] = {}
    reader = connection if connection is not None else db.session.connection()
    changes = reader.execute(
        select(Amendment.session_id, Amendment.changes)
        .where(Amendment.session_id.in_(session_ids))
        .order_by(Amendment.session_id, Amendment.id)
    )
    for session_id, amendment in changes:
        for change in amendment or []:
            if change.get("field") == "next_visit_on":
                found[session_id] = date.fromisoformat(change["new"]) if change["new"] else None
    return found


@dataclass(frozen=True)
class FollowUpCount:
    """What the dashboard shows: how many are due, and the most overdue few."""

    total: int
    first: list[FollowUp]


def count_follow_ups(clinic_id: int, *, days: int, today: date, zone: ZoneInfo | str,
                     first: int = 5) -> FollowUpCount:
    """How many episodes are due a follow-up, with the ``first`` most overdue (the same two
    queries as the list: the rule is partly applied in Python, so counting is listing)."""
    due = due_follow_ups(clinic_id, days=days, today=today, zone=zone)
    return FollowUpCount(len(due), due[:first])


def csv_header() -> list[str]:
    """The export's columns: the list's, with the trend's numbers apart for a spreadsheet."""
    return [_("Chart"), _("Patient"), _("Chief complaint"), _("Intake"), _("Last visit"),
            _("Days since last visit"), _("Next visit"), _("Days overdue"), _("Why due"),
            _("Baseline NRS"), _("Latest NRS"), _("NRS change"), _("Trend")]


def csv_row(row: FollowUp) -> list[str]:
    """One episode as the export writes it. A fall in pain is written "−3" with the Unicode
    minus: readable, and no spreadsheet takes it for a formula."""
    return [
        row.chart_number, row.patient_name, row.chief_complaint, row.opened_on.isoformat(),
        row.last_visit_on.isoformat() if row.last_visit_on else _("intake only"),
        str(row.days_since), row.next_visit_on.isoformat() if row.next_visit_on else "",
        str(row.overdue_days), "; ".join(row.reasons), score_text(row.baseline),
        score_text(row.latest), signed(row.change).lstrip("+") if row.change is not None else "",
        row.trend,
    ]


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))
