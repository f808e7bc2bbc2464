"""The needle timer's service, without HTTP: needles in and out on a draft, the retention and
count they fill, what they refuse, and the timer as pages show it."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.factories import fresh, point_dicts, record
from tracker.audit.models import AuditEvent
from tracker.conflicts import EditConflict
from tracker.extensions import db
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import SessionError, update_draft
from tracker.sessions.timer import (
    DEFAULT_RETENTION_MINUTES,
    NeedleTimer,
    TimerRefused,
    keep_timer_seconds,
    needle_timer,
    needles_in,
    needles_out,
    planned_minutes,
    retention_between,
    running_timer,
)

IN_AT = datetime(2026, 11, 20, 1, 5, 12, tzinfo=UTC)  # 10:05:12 in Tokyo
ROWS = [("BL23", "bilateral"), ("LI4", "left"), ("SP6", "right")]  # 4 needles, no caution


@pytest.fixture
def side(app_ctx, clinic_world):
    return clinic_world["a"]


def draft(side, **values) -> TreatmentSession:
    """A draft with nothing timed or counted yet, loaded as the timer's views load it."""
    visit = record(side, point_dicts(ROWS), **{"retention_minutes": None,
                                               "needles_inserted": None,
                                               "needles_removed": None, **values})
    return load(visit.id)


def load(visit_id: int) -> TreatmentSession:
    db.session.expire_all()
    return db.session.scalar(select(TreatmentSession).where(TreatmentSession.id == visit_id)
                             .options(selectinload(TreatmentSession.points)))


def timer_events(visit_id: int) -> list[dict]:
    return [event.details for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "session.update",
                                 AuditEvent.entity_id == visit_id).order_by(AuditEvent.id))]


def test_needles_in_starts_the_timer_and_counts_the_needles(side):
    visit = draft(side)
    needles_in(visit, at=IN_AT, actor=fresh(side, "practitioner"), version=1)
    db.session.commit()
    visit = load(visit.id)
    assert visit.inserted_at == IN_AT and visit.removed_at is None
    assert visit.needles_inserted == 4  # bilateral BL23 is two
    assert visit.retention_minutes is None  # nothing planned: the default counts
    assert visit.version == 2
    assert timer_events(visit.id) == [{"fields": ["inserted_at", "needles_inserted"],
                                       "version": 2, "timer": "needles_in"}]


def test_a_retention_typed_on_the_page_is_the_plan(side):
    visit = draft(side, retention_minutes=25)
    needles_in(visit, at=IN_AT, actor=fresh(side, "practitioner"), version=1,
               retention_minutes=30)
    assert visit.retention_minutes == 30
    other = draft(side, retention_minutes=25)
    needles_in(other, at=IN_AT, actor=fresh(side, "practitioner"), version=1,
               retention_minutes=999)  # not a retention: the stored plan stands
    assert other.retention_minutes == 25


def test_needles_out_fills_retention_and_the_removed_count(side):
    visit = draft(side, retention_minutes=20, needles_inserted=5)
    actor = fresh(side, "practitioner")
    needles_in(visit, at=IN_AT, actor=actor, version=1)
    assert needles_out(visit, at=IN_AT + timedelta(minutes=22, seconds=40), actor=actor,
                       version=2) is True
    db.session.commit()
    visit = load(visit.id)
    assert visit.removed_at == IN_AT + timedelta(minutes=22, seconds=40)
    assert visit.retention_minutes == 23  # to the nearest minute: the measured one
    assert (visit.needles_inserted, visit.needles_removed) == (5, 5)
    assert timer_events(visit.id)[-1] == {
        "fields": ["removed_at", "retention_minutes", "needles_removed"], "version": 3,
        "timer": "needles_out"}


def test_a_removed_count_already_recorded_is_kept(side):
    visit = draft(side, needles_inserted=5, needles_removed=4)
    actor = fresh(side, "practitioner")
    needles_in(visit, at=IN_AT, actor=actor, version=1)
    needles_out(visit, at=IN_AT + timedelta(minutes=20), actor=actor, version=2)
    assert (visit.needles_inserted, visit.needles_removed) == (5, 4)


def test_hours_in_keep_the_times_but_leave_the_retention_to_the_practitioner(side):
    visit = draft(side)
    actor = fresh(side, "practitioner")
    needles_in(visit, at=IN_AT, actor=actor, version=1)
    assert needles_out(visit, at=IN_AT + timedelta(hours=5), actor=actor, version=2) is False
    db.session.commit()  # the column's 0-240 CHECK is never offered 300
    visit = load(visit.id)
    assert visit.removed_at == IN_AT + timedelta(hours=5) and visit.retention_minutes is None


def test_refusals_change_nothing(side):
    visit = draft(side)
    actor = fresh(side, "practitioner")
    with pytest.raises(TimerRefused, match="not in yet"):
        needles_out(visit, at=IN_AT, actor=actor, version=1)
    needles_in(visit, at=IN_AT, actor=actor, version=1)
    with pytest.raises(TimerRefused, match="already in"):
        needles_in(visit, at=IN_AT + timedelta(minutes=1), actor=actor, version=2)
    with pytest.raises(TimerRefused, match="later than now"):
        needles_out(visit, at=IN_AT - timedelta(minutes=1), actor=actor, version=2)
    needles_out(visit, at=IN_AT + timedelta(minutes=20), actor=actor, version=2)
    with pytest.raises(TimerRefused, match="already out"):
        needles_out(visit, at=IN_AT + timedelta(minutes=21), actor=actor, version=3)
    db.session.commit()
    visit = load(visit.id)
    assert (visit.inserted_at, visit.removed_at, visit.version) == (
        IN_AT, IN_AT + timedelta(minutes=20), 3)
    assert len(timer_events(visit.id)) == 2


def test_a_signed_note_is_refused(side):
    visit = record(side, point_dicts(ROWS), needles_inserted=4, needles_removed=4, sign=True)
    signed = load(visit.id)
    with pytest.raises(SessionError, match="signed"):
        needles_in(signed, at=IN_AT, actor=fresh(side, "practitioner"), version=signed.version)
    assert signed.inserted_at is None


def test_a_stale_version_is_a_conflict_naming_who_took_the_step(side, factory):
    colleague = factory.user(side["clinic"], email="sato@a.test", name="Sato Mei")
    visit = draft(side)
    needles_in(visit, at=IN_AT, actor=db.session.merge(colleague), version=1)
    db.session.commit()
    # The other device still shows version 1: its "needles in" is not taken twice.
    with pytest.raises(EditConflict) as conflict:
        needles_in(load(visit.id), at=IN_AT + timedelta(minutes=2),
                   actor=fresh(side, "practitioner"), version=1)
    assert conflict.value.current_version == 2
    assert [(c.user_name, c.fields) for c in conflict.value.changes] == [
        ("Sato Mei", ["inserted_at", "needles_inserted"])]
    db.session.rollback()
    assert load(visit.id).inserted_at == IN_AT


def test_a_draft_edit_after_the_timer_needs_the_new_version(side):
    visit = draft(side)
    actor = fresh(side, "practitioner")
    needles_in(visit, at=IN_AT, actor=actor, version=1)
    db.session.commit()
    with pytest.raises(EditConflict):
        update_draft(load(visit.id), values={"subjective": "typed before"},
                     points=point_dicts(ROWS), adjuncts=[], expected_version=1, actor=actor)


def test_saving_the_form_keeps_the_seconds_the_timer_recorded(side):
    visit = draft(side)
    actor = fresh(side, "practitioner")
    needles_in(visit, at=IN_AT, actor=actor, version=1)
    needles_out(visit, at=IN_AT + timedelta(minutes=19, seconds=40), actor=actor, version=2)
    minute = {"inserted_at": IN_AT.replace(second=0),
              "removed_at": (IN_AT + timedelta(minutes=19, seconds=40)).replace(second=0),
              "retention_minutes": 20}  # what the form makes of 10:05 and 10:24
    kept = keep_timer_seconds(visit, minute)
    assert kept == {"inserted_at": visit.inserted_at, "removed_at": visit.removed_at,
                    "retention_minutes": 20}  # 19:40 measured, to the nearest minute
    moved = keep_timer_seconds(visit, {**minute, "inserted_at": IN_AT.replace(minute=0, second=0)})
    assert moved["inserted_at"] == IN_AT.replace(minute=0, second=0)  # a typed change wins
    assert moved["removed_at"] == visit.removed_at and moved["retention_minutes"] == 20


# --- the timer as pages show it ---------------------------------------------------------------

def test_the_planned_retention():
    assert planned_minutes(None) == DEFAULT_RETENTION_MINUTES == 20
    assert planned_minutes(30) == 30
    assert planned_minutes(0) == planned_minutes(241) == 20
    assert retention_between(IN_AT, IN_AT + timedelta(minutes=14, seconds=29)) == 14
    assert retention_between(IN_AT, IN_AT + timedelta(minutes=14, seconds=30)) == 15


@pytest.mark.parametrize(("after", "state", "clock", "left", "over"), [
    (timedelta(0), "running", "20:00", 20, 0),
    (timedelta(minutes=7, seconds=30), "running", "12:30", 13, 0),
    (timedelta(minutes=19, seconds=59, microseconds=500), "running", "00:01", 1, 0),
    (timedelta(minutes=20), "due", "00:00", 0, 0),
    (timedelta(minutes=23, seconds=5), "due", "+03:05", 0, 3),
    (timedelta(hours=5), "forgotten", "+280:00", 0, 280),
])
def test_the_countdown(after, state, clock, left, over):
    timer = running_timer(IN_AT, None, now=IN_AT + after)
    assert (timer.state, timer.clock, timer.minutes_left, timer.minutes_over) == (
        state, clock, left, over)
    assert timer.planned_end == IN_AT + timedelta(minutes=20)


def test_ready_and_out(side):
    ready = needle_timer(None, typed=25)
    assert (ready.state, ready.planned_minutes, ready.planned_end) == ("ready", 25, None)
    out = NeedleTimer(IN_AT, IN_AT + timedelta(minutes=21), 20, IN_AT + timedelta(hours=1),
                      retention_minutes=21)
    assert out.state == "out"
    visit = draft(side, retention_minutes=15)
    assert needle_timer(visit).planned_minutes == 15
    assert needle_timer(visit, typed=None).state == "ready"
    assert needle_timer(visit, typed=30).planned_minutes == 30  # the form as posted
