"""The needle timer: "needles in" and "needles out" on a draft, and the countdown to the
planned retention as pages show it.

The times live on the server (``inserted_at``, ``removed_at``), so a reload or a second
device shows the same timer. The timer only records and reminds: nothing is ever removed,
signed or refused because the planned time has passed.

The planned retention is the session's own ``retention_minutes`` while the needles are in
(typed on the form, or pre-filled by "copy last session"), else ``DEFAULT_RETENTION_MINUTES``:
episodes and protocols carry no retention of their own. At "needles out" the field becomes
the retention measured between the two times.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker.audit.services import record_event
from tracker.conflicts import check_version
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.i18n import _
from tracker.points import row_schema
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import SessionError

# The article's retention is 15 to 30 minutes: 20 when nothing else is planned.
DEFAULT_RETENTION_MINUTES = 20
# The column's CHECK: a longer span is a forgotten "needles out", not a retention.
MAX_RETENTION_MINUTES = 240

READY, RUNNING, DUE, OUT = "ready", "running", "due", "out"
# Still marked in far longer than any retention: a "needles out" never pressed.
FORGOTTEN = "forgotten"


class TimerRefused(SessionError):
    """A timer step that does not fit the session's times (twice in, out before in)."""


def planned_minutes(typed: int | None) -> int:
    """The planned retention: ``typed`` when it is a retention the form accepts, else the
    default."""
    if isinstance(typed, int) and 1 <= typed <= MAX_RETENTION_MINUTES:
        return typed
    return DEFAULT_RETENTION_MINUTES


def retention_between(start: datetime, end: datetime) -> int:
    """Whole minutes from ``start`` to ``end``, to the nearest minute."""
    return int((end - start).total_seconds() + 30) // 60


def needles_in(visit: TreatmentSession, *, at: datetime, actor, version: int | None,
               retention_minutes: int | None = None) -> None:
    """Record the insertion time of a draft's needles: the timer starts.

    ``retention_minutes`` is the planned retention typed on the page, if any (a valid one
    replaces the stored plan, as saving the form would). The needle count is proposed from
    the point rows when none was recorded. Needs ``visit.points`` loaded.

    :raises SessionError: the note is signed.
    :raises EditConflict: the draft changed since ``version`` was read.
    :raises TimerRefused: the needles went in already.
    """
    _check_draft(visit, version)
    if visit.inserted_at is not None:
        raise TimerRefused(_("The needles are already in: the timer started earlier. "
                             "Correct the times on the form if they are wrong."))
    changed = ["inserted_at"]
    visit.inserted_at = at
    if (retention_minutes is not None and planned_minutes(retention_minutes) == retention_minutes
            and retention_minutes != visit.retention_minutes):
        visit.retention_minutes = retention_minutes
        changed.append("retention_minutes")
    if visit.needles_inserted is None and visit.points:
        visit.needles_inserted = row_schema.needle_count(visit.points)
        changed.append("needles_inserted")
    _audit(visit, changed, "needles_in", actor)


def needles_out(visit: TreatmentSession, *, at: datetime, actor,
                version: int | None) -> bool:
    """Record the removal time, the retention it makes, and (when not counted yet) as many
    needles removed as went in. Returns False when the span is longer than any retention
    (``MAX_RETENTION_MINUTES``): the times are kept and the retention is left to the
    practitioner.

    :raises SessionError: the note is signed.
    :raises EditConflict: the draft changed since ``version`` was read.
    :raises TimerRefused: the needles are not in, are out already, or ``at`` is before the
        insertion time.
    """
    _check_draft(visit, version)
    if visit.inserted_at is None:
        raise TimerRefused(_("The needles are not in yet: press “Needles in” first, or "
                             "type both times on the form."))
    if visit.removed_at is not None:
        raise TimerRefused(_("The needles are already out. Correct the times on the form "
                             "if they are wrong."))
    if at < visit.inserted_at:
        raise TimerRefused(_("The insertion time on the form is later than now: correct it "
                             "on the form."))
    minutes = retention_between(visit.inserted_at, at)
    measured = minutes <= MAX_RETENTION_MINUTES
    changed = ["removed_at", "retention_minutes"]
    visit.removed_at = at
    visit.retention_minutes = minutes if measured else None
    if visit.needles_removed is None and visit.needles_inserted is not None:
        visit.needles_removed = visit.needles_inserted
        changed.append("needles_removed")
    _audit(visit, changed, "needles_out", actor)
    return measured


def _check_draft(visit: TreatmentSession, version: int | None) -> None:
    if visit.is_signed:
        raise SessionError(_("This note is signed; correct it with an amendment."))
    check_version(visit, version, {})


def _audit(visit: TreatmentSession, changed: list[str], step: str, actor) -> None:
    """A timer step is a draft edit (``session.update``, as ``conflicts.record_edit`` writes
    it, so an edit conflict names it), with the step named."""
    db.session.flush()  # the edit takes its new version
    record_event("session.update", actor=actor, entity=visit, patient_id=visit.patient_id,
                 details={"fields": changed, "version": visit.version, "timer": step})


def keep_timer_seconds(visit: TreatmentSession, values: dict) -> dict:
    """The draft form's values with the timer's own times kept.

    The form shows times to the minute: a save that posts back the minute the timer
    recorded keeps the stored second (and the retention measured from it), so saving the
    draft neither moves a running countdown nor changes the measured retention.
    """
    kept = dict(values)
    for name in ("inserted_at", "removed_at"):
        stored = getattr(visit, name)
        if stored is not None and kept.get(name) == stored.replace(second=0, microsecond=0):
            kept[name] = stored
    start, end = kept.get("inserted_at"), kept.get("removed_at")
    if (start, end) == (visit.inserted_at, visit.removed_at) and start and end:
        minutes = retention_between(start, end)
        if minutes <= MAX_RETENTION_MINUTES:
            kept["retention_minutes"] = minutes
    return kept


@dataclass(frozen=True)
class NeedleTimer:
    """A timer as a page shows it at ``now``: every figure ready, none computed in Jinja."""

    inserted_at: datetime | None
    removed_at: datetime | None
    planned_minutes: int
    now: datetime
    retention_minutes: int | None = None

    @property
    def state(self) -> str:
        if self.inserted_at is None:
            return READY
        if self.removed_at is not None:
            return OUT
        if self.seconds_left > 0:
            return RUNNING
        return FORGOTTEN if self.minutes_over > MAX_RETENTION_MINUTES else DUE

    @property
    def planned_end(self) -> datetime | None:
        if self.inserted_at is None:
            return None
        return self.inserted_at + timedelta(minutes=self.planned_minutes)

    @property
    def seconds_left(self) -> int:
        """Seconds to the planned end (negative once past it); the planned span when the
        needles are not in."""
        if self.planned_end is None:
            return self.planned_minutes * 60
        return math.ceil((self.planned_end - self.now).total_seconds())

    @property
    def minutes_left(self) -> int:
        """Whole minutes still to go, counting a started minute (as a kitchen timer does)."""
        return max(0, math.ceil(self.seconds_left / 60))

    @property
    def minutes_over(self) -> int:
        return max(0, -self.seconds_left) // 60

    @property
    def clock(self) -> str:
        """The countdown as ``mm:ss``, ``+mm:ss`` past the planned end."""
        seconds = abs(self.seconds_left)
        sign = "+" if self.seconds_left < 0 else ""
        return f"{sign}{seconds // 60:02d}:{seconds % 60:02d}"


def needle_timer(visit: TreatmentSession | None, *, now: datetime | None = None,
                 typed: int | None = None) -> NeedleTimer:
    """The timer of ``visit`` (None: a session not saved yet). ``typed`` is the retention on
    the form as posted; the stored one counts when nothing valid was typed."""
    now = now or utcnow()
    if visit is None:
        return NeedleTimer(None, None, planned_minutes(typed), now)
    planned = planned_minutes(typed if typed is not None else visit.retention_minutes)
    return NeedleTimer(visit.inserted_at, visit.removed_at, planned, now,
                       retention_minutes=visit.retention_minutes)


def running_timer(inserted_at: datetime, retention_minutes: int | None, *,
                  now: datetime) -> NeedleTimer:
    """The timer of a draft whose needles are in, from its two columns (the dashboard reads
    no whole sessions)."""
    return NeedleTimer(inserted_at, None, planned_minutes(retention_minutes), now,
                       retention_minutes=retention_minutes)
