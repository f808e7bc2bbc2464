"""The dashboard's "Needles in now" panel: this clinic's drafts with needles in and not out,
several patients at once, first to end first; on the page, counting down with the timer's
script; one query however many timers run."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import count_queries
from tests.factories import fresh, point_dicts
from tests.outcomes.test_follow_ups import new_episode
from tests.pages import plain
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.main.dashboard import running_timers
from tracker.sessions.services import record_session, sign_session

NOW = datetime(2026, 11, 25, 1, 30, tzinfo=UTC)  # 10:30 in Tokyo
ROWS = [("LI4", "left"), ("SP6", "right")]


def timed(side, family_name: str, inserted_at: datetime, *, retention=None, removed_at=None,
          sign=False):
    """A session of a new patient of ``side`` whose needles went in at ``inserted_at``."""
    episode = new_episode(side, inserted_at.date() - timedelta(days=7), family_name=family_name)
    user = fresh(side, "practitioner")
    visit = record_session(
        episode.patient, episode, practitioner=user, points=point_dicts(ROWS), adjuncts=[],
        values={"started_at": inserted_at - timedelta(minutes=5), "inserted_at": inserted_at,
                "removed_at": removed_at, "retention_minutes": retention,
                "needles_inserted": 2, "needles_removed": 2, "pain_before": 6, "pain_after": 3})
    if sign:
        sign_session(visit, actor=user)
    return visit


@pytest.fixture
def side(app_ctx, clinic_world):
    return clinic_world["a"]


def test_several_patients_timers_first_to_end_first(side, clinic_world):
    due = timed(side, "Abe", NOW - timedelta(minutes=25), retention=20)  # 5 minutes over
    long = timed(side, "Baba", NOW - timedelta(minutes=5), retention=30)  # 25 left
    default = timed(side, "Chiba", NOW - timedelta(minutes=10))  # 20 by default: 10 left
    timed(side, "Out", NOW - timedelta(minutes=40), retention=20, removed_at=NOW)
    timed(side, "Signed", NOW - timedelta(minutes=15), retention=20, sign=True)
    timed(clinic_world["b"], "Elsewhere", NOW - timedelta(minutes=3))
    db.session.commit()
    timers = running_timers(side["clinic"].id, now=NOW)
    assert [(t.session_id, t.patient.name, t.timer.state, t.timer.minutes_left,
             t.timer.minutes_over) for t in timers] == [
        (due.id, "Abe Test", "due", 0, 5),
        (default.id, "Chiba Test", "running", 10, 0),
        (long.id, "Baba Test", "running", 25, 0)]
    assert {t.practitioner for t in timers} == {"Practitioner"}


def test_a_needles_out_never_pressed_stays_on_the_panel(side):
    forgotten = timed(side, "Forgot", NOW - timedelta(days=2), retention=20)
    db.session.commit()
    [found] = running_timers(side["clinic"].id, now=NOW)
    assert (found.session_id, found.timer.state) == (forgotten.id, "forgotten")


# --- the page ---------------------------------------------------------------------------------

@pytest.fixture
def practitioner(as_role):
    return as_role("practitioner")["a"]


def start_timers(app, side, count: int, *, minutes_ago: int = 5) -> list[int]:
    now = datetime.now(UTC)
    with app.app_context():
        ids = [timed(side, f"Timer{n}", now - timedelta(minutes=minutes_ago + n), retention=20).id
               for n in range(count)]
        db.session.commit()
    return ids


def test_the_panel_counts_down_each_patient(app, client, practitioner, clinic_world):
    ids = start_timers(app, practitioner, 2)
    with app.app_context():
        over = timed(practitioner, "Late", datetime.now(UTC) - timedelta(minutes=23, seconds=5),
                     retention=20).id
        timed(clinic_world["b"], "Elsewhere", datetime.now(UTC))
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    text = plain(page)
    panel = text[text.index("Needles in now"):text.index("Today's sessions")]
    assert "Timer0 Test" in panel and "Timer1 Test" in panel and "Late Test" in panel
    assert "Elsewhere" not in panel
    assert "15 min left" in panel and "14 min left" in panel and "3 minutes over" in panel
    assert panel.index("Late Test") < panel.index("Timer1 Test") < panel.index("Timer0 Test")
    for visit_id in (*ids, over):
        assert f"/sessions/{visit_id}#needle-timer" in page
    assert page.count("data-planned-end=") == 3
    assert 'src="/static/js/needle-timer.js"' in page
    assert 'aria-live="polite"' in page[page.index('id="timers-heading"'):]


def test_no_timer_says_so(client, practitioner):
    assert "No needles in right now." in plain(client.get("/").get_data(as_text=True))


def test_the_audit_row_counts_the_timers(app, client, practitioner):
    start_timers(app, practitioner, 2)
    client.get("/")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "dashboard.view")).one()
    assert event.details["needles_in_now"] == 2


def test_the_same_queries_for_1_or_12_timers(app, client, practitioner):
    counts = []
    for count in (1, 11):
        start_timers(app, practitioner, count)
        client.get("/")  # the login session's once-a-minute refresh is not what we count
        with count_queries(app) as statements:
            page = client.get("/").get_data(as_text=True)
        counts.append(len(statements))
        assert page.count("data-planned-end=") == (1 if count == 1 else 12)
    assert counts[0] == counts[1]
