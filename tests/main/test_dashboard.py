"""The dashboard: its figures on hand-made data for a fixed day (no HTTP), then the page per
role, its audit row, and a fixed number of queries however busy the day."""

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import count_queries
from tests.factories import fresh
from tests.outcomes.test_follow_ups import TOKYO, at, new_episode, visit
from tests.pages import plain
from tracker.audit.models import AuditEvent
from tracker.dates import today_in
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.intake.services import acknowledge_red_flags, close_episode
from tracker.main.dashboard import (
    RED_FLAGS_SHOWN,
    TODAY_PER_PAGE,
    build_dashboard,
    quarter_of,
)
from tracker.patients.models import Patient
from tracker.patients.services import archive_patient
from tracker.safety.services import record_adverse_event

TODAY = date(2026, 11, 25)


def adverse_event(side, episode, onset_at: datetime, *, code="bleeding", severity="minor",
                  on=None):
    return record_adverse_event(episode.patient, actor=fresh(side, "practitioner"), code=code,
                                severity=severity, onset_at=onset_at, action_taken="Pressed",
                                visit=on)


@pytest.fixture
def side(app_ctx, clinic_world):
    """Clinic "a" with its world episode closed: only each test's records count."""
    side = clinic_world["a"]
    close_episode(fresh(side, "episode"), closed_on=date(2026, 11, 2), reason="resolved",
                  note="", actor=fresh(side, "practitioner"))
    db.session.commit()
    return side


def board_of(side, today=TODAY):
    db.session.flush()
    return build_dashboard(side["clinic"].id, today=today, zone=TOKYO)


# --- the figures (no HTTP) ------------------------------------------------------------------

def test_todays_sessions_are_the_clinics_today(side, clinic_world):
    episode = new_episode(side, date(2026, 11, 1), family_name="Kato")
    first = visit(side, episode, at(TODAY, hour=0, minute=30))  # 15:30 UTC the day before
    second = visit(side, episode, at(TODAY, hour=18), sign=True)
    visit(side, episode, at(TODAY - timedelta(days=1), hour=23, minute=30))  # yesterday
    visit(side, episode, at(TODAY + timedelta(days=1), hour=0, minute=10))  # tomorrow
    visit(clinic_world["b"], fresh(clinic_world["b"], "episode"), at(TODAY))  # clinic B
    sessions = board_of(side).sessions
    assert [(s.id, s.is_signed, s.patient.name) for s in sessions] == [
        (first.id, False, "Kato Test"), (second.id, True, "Kato Test")]


def test_follow_ups_due_count_and_the_first_five(side):
    episodes = [new_episode(side, TODAY - timedelta(days=20 + n)) for n in range(7)]
    new_episode(side, TODAY - timedelta(days=13))  # not due yet
    board = board_of(side)
    assert board.follow_up_days == 14
    assert board.follow_ups.total == 7
    assert [row.episode_id for row in board.follow_ups.first] == [
        e.id for e in reversed(episodes)][:5]


def test_red_flags_awaiting_acknowledgement(side, clinic_world):
    waiting = new_episode(side, date(2026, 11, 1), red_flags=["fever", "night_pain"])
    new_episode(clinic_world["b"], date(2026, 11, 1), red_flags=["fever"])  # clinic B's
    seen = new_episode(side, date(2026, 11, 1), red_flags=["fever"])
    acknowledge_red_flags(seen, note="GP letter", actor=fresh(side, "practitioner"))
    closed = new_episode(side, date(2026, 11, 1), red_flags=["fever"])
    close_episode(closed, closed_on=TODAY, reason="referred", note="",
                  actor=fresh(side, "practitioner"))
    new_episode(side, date(2026, 11, 1))  # no red flags
    flags = board_of(side).red_flags
    assert [(item.episode_id, item.red_flags) for item in flags] == [
        (waiting.id, ["fever", "night_pain"])]


def test_the_oldest_red_flags_are_shown_with_how_many_wait(side):
    waiting = [new_episode(side, date(2026, 1, 1) + timedelta(days=n), red_flags=["fever"])
               for n in range(RED_FLAGS_SHOWN + 3)]
    board = board_of(side)
    assert [item.episode_id for item in board.red_flags] == [
        e.id for e in waiting[:RED_FLAGS_SHOWN]]
    assert board.red_flag_total == RED_FLAGS_SHOWN + 3
    acknowledge_red_flags(waiting[0], note="GP letter", actor=fresh(side, "practitioner"))
    board = board_of(side)
    assert board.red_flags[-1].episode_id == waiting[RED_FLAGS_SHOWN].id
    assert board.red_flag_total == RED_FLAGS_SHOWN + 2


def test_recent_adverse_events_are_the_last_30_clinic_days(side, clinic_world):
    adverse_event(clinic_world["b"], new_episode(clinic_world["b"], date(2026, 10, 1)),
                  at(TODAY))  # clinic B's
    episode = new_episode(side, date(2026, 10, 1))
    note = visit(side, episode, at(TODAY, hour=9), sign=True)
    today = adverse_event(side, episode, at(TODAY, hour=9, minute=30), on=note,
                          code="haematoma", severity="needed_treatment")
    oldest = adverse_event(side, episode, at(TODAY - timedelta(days=29), hour=0, minute=5))
    adverse_event(side, episode, at(TODAY - timedelta(days=30), hour=23, minute=55))  # day 31
    board = board_of(side)
    assert board.recent_event_since == TODAY - timedelta(days=29)
    assert [(e.id, e.code, e.severity, e.session_id) for e in board.recent_events] == [
        (today.id, "haematoma", "needed_treatment", note.id),
        (oldest.id, "bleeding", "minor", None)]
    assert board.recent_event_total == 2


def test_only_the_latest_ten_events_are_listed_with_the_total(side):
    episode = new_episode(side, date(2026, 10, 1))
    for n in range(12):
        adverse_event(side, episode, at(TODAY - timedelta(days=n)))
    board = board_of(side)
    assert (len(board.recent_events), board.recent_event_total) == (10, 12)


def test_the_quarters_responder_rate(side, clinic_world):
    assert quarter_of(TODAY) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter_of(date(2026, 1, 1)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert quarter_of(date(2026, 6, 30)) == (date(2026, 4, 1), date(2026, 6, 30))

    def course(baseline: int, before: int, day: date, *, closed=False):
        episode = new_episode(side, date(2026, 7, 1), baseline_nrs=baseline)
        visit(side, episode, at(day), pain_before=before, sign=True)
        if closed:
            close_episode(episode, closed_on=day, reason="improved", note="",
                          actor=fresh(side, "practitioner"))

    assert board_of(side).responder_rate.evaluable == 0
    course(7, 4, date(2026, 10, 1))  # responder: 3 points, 43%
    course(8, 3, date(2026, 11, 20), closed=True)  # responder, closed: still counted
    course(7, 6, date(2026, 11, 2))  # not a responder
    course(7, 2, date(2026, 9, 30))  # latest score last quarter: not counted
    elsewhere = new_episode(clinic_world["b"], date(2026, 7, 1), baseline_nrs=7)
    visit(clinic_world["b"], elsewhere, at(date(2026, 11, 2)), pain_before=1, sign=True)
    new_episode(side, date(2026, 11, 1))  # no score since intake: not evaluable
    rate = board_of(side).responder_rate
    assert (rate.responders, rate.evaluable, rate.percent) == (2, 3, 67)
    assert (rate.start, rate.end) == (date(2026, 10, 1), date(2026, 12, 31))


# --- the page ---------------------------------------------------------------------------------

def path_of(response) -> str:
    return urlsplit(response.headers["Location"]).path


def test_anonymous_is_sent_to_login(client):
    assert path_of(client.get("/")) == "/login"


def test_reception_lands_on_the_patient_list(client, as_role):
    as_role("reception")
    response = client.get("/")
    assert response.status_code == 302 and path_of(response) == "/patients/"


def clinic_today() -> date:
    return today_in(TOKYO)


def fill_today(app, side, sessions: int = 1) -> dict:
    """Records every section shows, around the real clinic today."""
    today = clinic_today()
    start = at(today, hour=0, minute=1)
    with app.app_context():
        busy = new_episode(side, today - timedelta(days=3), family_name="Busy")
        for n in range(sessions):
            visit(side, busy, start + timedelta(seconds=n), sign=n > 0)  # a draft first
        due = new_episode(side, today - timedelta(days=20), family_name="Due")
        flagged = new_episode(side, today - timedelta(days=2), family_name="Flagged",
                              red_flags=["fever"])
        adverse_event(side, busy, start, code="haematoma")
        scored = new_episode(side, today - timedelta(days=2), baseline_nrs=7, family_name="Scored")
        visit(side, scored, start, pain_before=3, sign=True)
        db.session.commit()
        return {"busy": busy.patient_id, "due": due.patient_id, "flagged": flagged.patient_id,
                "flagged_episode": flagged.id}


@pytest.fixture
def practitioner(app, as_role):
    world = as_role("practitioner")
    with app.app_context():
        close_episode(fresh(world["a"], "episode"), closed_on=date(2026, 11, 2),
                      reason="resolved", note="", actor=fresh(world["a"], "practitioner"))
        db.session.commit()
    return world["a"]


def test_the_practitioner_sees_every_section(app, client, practitioner):
    ids = fill_today(app, practitioner)
    response = client.get("/")
    page = response.get_data(as_text=True)
    text = plain(page)
    assert response.status_code == 200
    for heading in ("Today's sessions", "Follow-ups due", "Red flags awaiting acknowledgement",
                    "Recent adverse events", "Responder rate this quarter"):
        assert f">{heading}</h2>" in page.replace("&#39;", "'"), heading
    assert f'/patients/{ids["busy"]}/sessions/' in page and "Signed" in text and "Draft" in text
    assert f'href="/patients/{ids["due"]}">Due Test</a>' in page
    assert "1 episode has had no visit for 14 days" in text
    assert f'href="/patients/{ids["flagged"]}/episodes/{ids["flagged_episode"]}"' in page
    assert "Fever" in text
    assert "Haematoma" in text
    assert "100% (1 of 1 episode)" in text
    assert 'href="/outcomes/follow-ups"' in page and 'href="/outcomes/review"' in page
    assert 'href="/safety/report"' in page


def test_the_quarters_rate_is_kept_and_redone_once_a_visit_is_recorded(app, client,
                                                                        practitioner):
    fill_today(app, practitioner)
    assert "100% (1 of 1 episode)" in plain(client.get("/").get_data(as_text=True))
    with count_queries(app) as kept:
        client.get("/")
    with app.app_context():  # recorded and committed in this server process
        worse = new_episode(practitioner, clinic_today() - timedelta(days=2), baseline_nrs=7,
                            family_name="Worse")
        visit(practitioner, worse, at(clinic_today(), hour=0, minute=2), pain_before=7,
              sign=True)
        db.session.commit()
    with count_queries(app) as redone:
        text = plain(client.get("/").get_data(as_text=True))
    assert "50% (1 of 2 episodes)" in text
    # The rate's one statement and the follow-ups' two, only when something changed.
    assert len(redone) == len(kept) + 3


def test_the_follow_ups_due_are_kept_and_redone_once_the_patient_is_seen(app, client,
                                                                        practitioner):
    """The count of follow-ups due is kept for a minute like the quarter's rate, and dropped
    as soon as a visit, or a patient archived, commits in this server process."""
    ids = fill_today(app, practitioner)
    with app.app_context():
        extra = new_episode(practitioner, clinic_today() - timedelta(days=30), family_name="Later")
        db.session.commit()
        extra_patient = extra.patient_id
    def dashboard() -> str:
        return plain(client.get("/").get_data(as_text=True))

    assert "2 episodes have had no visit for 14 days" in dashboard()
    with count_queries(app) as kept:
        assert "2 episodes have had no visit" in dashboard()
    with app.app_context():
        due = db.session.scalars(select(Episode).where(Episode.patient_id == ids["due"])).one()
        visit(practitioner, due, at(clinic_today(), hour=0, minute=3))
        db.session.commit()
    with count_queries(app) as redone:
        text = dashboard()
    assert "1 episode has had no visit for 14 days" in text
    assert len(redone) == len(kept) + 3  # worked out again (with the rate): a visit changed
    with app.app_context():
        archive_patient(db.session.get(Patient, extra_patient), reason="Moved away",
                        actor=fresh(practitioner, "reception"))
        db.session.commit()
    assert "No follow-up is due" in dashboard()


def test_an_empty_clinic_shows_every_empty_state(client, practitioner):
    text = plain(client.get("/").get_data(as_text=True))
    assert "No sessions today yet." in text
    assert "No follow-up is due" in text
    assert "No red flag is waiting" in text
    assert "No adverse event in the last 30 days." in text
    assert "No episode scored this quarter yet." in text


def test_the_view_is_audited_with_figures_only(app, client, practitioner):
    fill_today(app, practitioner)
    client.get("/")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "dashboard.view")).one()
    assert event.patient_id is None and event.entity_id is None
    assert event.details == {"needles_in_now": 0, "sessions_today": 2, "follow_ups_due": 1,
                             "red_flags_pending": 1,
                             "adverse_events_30_days": 1, "responders": 1, "evaluable": 1}


def test_the_admin_sees_the_dashboard_too(client, as_role):
    as_role("admin")
    assert client.get("/").status_code == 200


def test_the_same_queries_for_1_or_30_sessions_today(app, client, practitioner, factory):
    counts = []
    for sessions in (1, 30):
        fill_today(app, practitioner, sessions)
        client.get("/")  # the login session's once-a-minute refresh is not what we count
        with count_queries(app) as statements:
            page = client.get("/").get_data(as_text=True)
        counts.append(len(statements))
        assert page.count("/sessions/") >= min(sessions, TODAY_PER_PAGE)
    assert counts[0] == counts[1]


def test_todays_sessions_come_a_page_at_a_time(side):
    episode = new_episode(side, date(2026, 11, 1), family_name="Busy")
    visits = [visit(side, episode, at(TODAY, hour=8) + timedelta(minutes=n))
              for n in range(TODAY_PER_PAGE + 5)]
    db.session.flush()
    pages = [build_dashboard(side["clinic"].id, today=TODAY, zone=TOKYO, sessions_page=n
                             ).sessions for n in (1, 2, 3)]
    assert [[s.id for s in page] for page in pages] == [
        [v.id for v in visits[:TODAY_PER_PAGE]], [v.id for v in visits[TODAY_PER_PAGE:]], []]
    assert [(page.total, page.pages, page.first, page.last) for page in pages] == [
        (30, 2, 1, 25), (30, 2, 26, 30), (30, 2, 0, 0)]


def test_the_dashboard_pages_through_a_busy_day(app, client, practitioner):
    fill_today(app, practitioner, TODAY_PER_PAGE + 3)  # and another patient's session

    def todays_rows(page: str) -> list[str]:
        section = page.split('id="today-heading"')[1].split("</section>")[0]
        return [plain(row) for row in section.split("<tbody>")[1].split("</tbody>")[0]
                .split("</tr>")[:-1]] if "<tbody>" in section else []

    first = client.get("/").get_data(as_text=True)
    assert "Earliest first: 1–25 of 29" in plain(first) and len(todays_rows(first)) == 25
    response = client.get("/?page=2")
    second = response.get_data(as_text=True)
    assert response.status_code == 200 and "Earliest first: 26–29 of 29" in plain(second)
    # Earliest first: the other patient's session began with the busy patient's first.
    assert [row.split()[1:3] for row in todays_rows(second)] == [["Busy", "Test"]] * 4
    for hostile in ("0", "-1", "x", "1e3", "٣"):
        assert "Earliest first: 1–25 of 29" in plain(
            client.get(f"/?page={hostile}").get_data(as_text=True))
    past_the_end = plain(client.get("/?page=9").get_data(as_text=True))
    assert "No sessions on this page." in past_the_end


def test_the_page_says_how_many_red_flags_wait_beyond_those_shown(app, client, practitioner):
    with app.app_context():
        for n in range(RED_FLAGS_SHOWN + 2):
            new_episode(practitioner, date(2026, 10, 1) + timedelta(days=n), red_flags=["fever"])
        db.session.commit()
    page = plain(client.get("/").get_data(as_text=True))
    assert "The oldest 10 of 12: each one acknowledged brings the next." in page
