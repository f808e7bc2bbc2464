"""The follow-up list: the rule on hand-made episodes around every boundary (no HTTP), the
page and its CSV through the test client, and a fixed number of queries however long the
list."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from tests.conftest import count_queries
from tests.factories import fresh, intake_values, point_dicts
from tests.pages import field_error, plain
from tracker.audit.models import AuditEvent
from tracker.csv_files import csv_text, safe_cell
from tracker.dates import today_in
from tracker.extensions import db
from tracker.intake.services import close_episode, open_episode
from tracker.outcomes.follow_ups import count_follow_ups, due_follow_ups, with_outcomes
from tracker.patients.services import archive_patient, create_patient
from tracker.sessions.services import amend_session, record_session, sign_session

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = date(2026, 11, 25)
ROWS = [("LI4", "left"), ("SP6", "right")]  # no caution to decide
DAYS_MESSAGE = "Enter a whole number of days from 1 to 365."
_names = itertools.count(1)


# --- builders (used by tests/main/test_dashboard.py too) -------------------------------------

def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """``hour:minute`` on ``day`` in Tokyo, as the UTC time the database stores."""
    return datetime.combine(day, time(hour, minute), TOKYO).astimezone(UTC)


def new_episode(side: dict, opened_on: date, *, family_name: str | None = None,
                given_name: str = "Test", **intake):
    """A new patient of ``side``'s clinic with an open episode from ``opened_on``."""
    patient = create_patient(fresh(side, "clinic"), actor=fresh(side, "reception"),
                             family_name=family_name or f"Due{next(_names)}",
                             given_name=given_name)
    return open_episode(patient, practitioner=fresh(side, "practitioner"),
                        values=intake_values(opened_on=opened_on, **intake))


def visit(side: dict, episode, started_at: datetime, *, next_visit_on: date | None = None,
          pain_before: int = 6, sign: bool = False):
    """A session of ``episode`` (a draft unless ``sign``), with one amendment list loaded."""
    user = fresh(side, "practitioner")
    treatment = record_session(
        episode.patient, episode, practitioner=user, points=point_dicts(ROWS), adjuncts=[],
        values={"started_at": started_at, "retention_minutes": 20, "needles_inserted": 2,
                "needles_removed": 2, "pain_before": pain_before,
                "pain_after": max(0, pain_before - 2), "next_visit_on": next_visit_on})
    if sign:
        sign_session(treatment, actor=user)
    return treatment


def listed(side: dict, days: int = 14, today: date = TODAY) -> dict[int, object]:
    db.session.flush()
    rows = with_outcomes(due_follow_ups(side["clinic"].id, days=days, today=today, zone=TOKYO),
                         side["clinic"].id)
    return {row.episode_id: row for row in rows}


@pytest.fixture
def side(app_ctx, clinic_world):
    """Clinic "a", its world episode closed so that only each test's episodes are open."""
    side = clinic_world["a"]
    close_episode(fresh(side, "episode"), closed_on=date(2026, 11, 2), reason="resolved",
                  note="", actor=fresh(side, "practitioner"))
    db.session.commit()
    return side


# --- the rule ---------------------------------------------------------------------------------

def test_exactly_n_days_without_a_visit_is_due_and_one_day_less_is_not(side):
    due = new_episode(side, date(2026, 10, 1))
    visit(side, due, at(TODAY - timedelta(days=14)))
    not_yet = new_episode(side, date(2026, 10, 1))
    visit(side, not_yet, at(TODAY - timedelta(days=13)))
    rows = listed(side)
    assert list(rows) == [due.id]
    row = rows[due.id]
    assert (row.last_visit_on, row.days_since, row.overdue_days) == (
        TODAY - timedelta(days=14), 14, 0)
    assert row.reasons == ["no visit for 14 days"]


def test_days_are_the_clinics_days(side):
    # 08:00 in Tokyo on the 11th is 23:00 UTC on the 10th: 14 days before the 25th, not 15.
    early = new_episode(side, date(2026, 10, 1))
    visit(side, early, at(TODAY - timedelta(days=14), hour=8))
    # 23:30 in Tokyo on the 12th is still the 12th there: 13 days, not due.
    late = new_episode(side, date(2026, 10, 1))
    visit(side, late, at(TODAY - timedelta(days=13), hour=23, minute=30))
    rows = listed(side)
    assert list(rows) == [early.id]
    assert rows[early.id].days_since == 14


def test_an_episode_without_a_session_counts_from_its_intake(side):
    due = new_episode(side, TODAY - timedelta(days=14))
    new_episode(side, TODAY - timedelta(days=13))
    rows = listed(side)
    assert list(rows) == [due.id]
    assert (rows[due.id].last_visit_on, rows[due.id].days_since) == (None, 14)


def test_a_next_visit_date_yesterday_is_due_and_today_is_not(side):
    missed = new_episode(side, date(2026, 11, 1))
    visit(side, missed, at(TODAY - timedelta(days=3)), next_visit_on=TODAY - timedelta(days=1))
    due_today = new_episode(side, date(2026, 11, 1))
    visit(side, due_today, at(TODAY - timedelta(days=3)), next_visit_on=TODAY)
    rows = listed(side)
    assert list(rows) == [missed.id]
    row = rows[missed.id]
    assert (row.days_since, row.overdue_days) == (3, 1)
    assert row.reasons == ["next visit was due on 2026-11-24"]


def test_only_the_last_visits_next_date_counts(side):
    episode = new_episode(side, date(2026, 11, 1))
    visit(side, episode, at(TODAY - timedelta(days=10)), next_visit_on=TODAY - timedelta(days=5))
    visit(side, episode, at(TODAY - timedelta(days=4)), next_visit_on=TODAY + timedelta(days=3))
    assert listed(side) == {}


def test_closed_episodes_archived_patients_and_other_clinics_are_never_listed(side,
                                                                                clinic_world):
    closed = new_episode(side, date(2026, 9, 1))
    visit(side, closed, at(date(2026, 9, 2)), next_visit_on=date(2026, 9, 9))
    close_episode(closed, closed_on=date(2026, 10, 1), reason="improved", note="",
                  actor=fresh(side, "practitioner"))
    archived = new_episode(side, date(2026, 9, 1))
    archive_patient(archived.patient, reason="Moved away", actor=fresh(side, "reception"))
    elsewhere = new_episode(clinic_world["b"], date(2026, 9, 1))
    assert listed(side) == {}
    assert set(listed(clinic_world["b"])) == {clinic_world["b"]["episode"].id, elsewhere.id}


def test_an_amended_next_visit_date_is_the_one_used(side):
    user = fresh(side, "practitioner")
    moved_earlier = new_episode(side, date(2026, 11, 1))
    note = visit(side, moved_earlier, at(TODAY - timedelta(days=3)),
                 next_visit_on=TODAY + timedelta(days=7), sign=True)
    amend_session(note, reason="Wrong week", values={"next_visit_on": TODAY + timedelta(days=1)},
                  actor=user)
    amend_session(note, reason="Rang to move it", values={"next_visit_on": TODAY - timedelta(
        days=2)}, actor=user)  # the last amendment wins
    moved_later = new_episode(side, date(2026, 11, 1))
    note = visit(side, moved_later, at(TODAY - timedelta(days=3)),
                 next_visit_on=TODAY - timedelta(days=1), sign=True)
    amend_session(note, reason="Rebooked", values={"next_visit_on": TODAY + timedelta(days=3)},
                  actor=user)
    cleared = new_episode(side, date(2026, 11, 1))
    note = visit(side, cleared, at(TODAY - timedelta(days=3)),
                 next_visit_on=TODAY - timedelta(days=1), sign=True)
    amend_session(note, reason="No next visit booked", values={"next_visit_on": None},
                  actor=user)
    rows = listed(side)
    assert list(rows) == [moved_earlier.id]
    assert rows[moved_earlier.id].next_visit_on == TODAY - timedelta(days=2)
    assert rows[moved_earlier.id].overdue_days == 2


def test_most_overdue_first(side):
    # days=14: overdue = the larger of (days since - 14) and (days past the next visit).
    intake_only = new_episode(side, TODAY - timedelta(days=20), family_name="IntakeOnly")  # 6
    gap = new_episode(side, date(2026, 10, 1), family_name="Gap")
    visit(side, gap, at(TODAY - timedelta(days=30)))  # 16
    missed = new_episode(side, date(2026, 11, 1), family_name="Missed")
    visit(side, missed, at(TODAY - timedelta(days=12)), next_visit_on=TODAY - timedelta(days=9))
    both = new_episode(side, date(2026, 10, 1), family_name="Both")  # 20 since: 6; 8 past next
    visit(side, both, at(TODAY - timedelta(days=20)), next_visit_on=TODAY - timedelta(days=8))
    rows = due_follow_ups(side["clinic"].id, days=14, today=TODAY, zone=TOKYO)
    assert [(row.episode_id, row.overdue_days) for row in rows] == [
        (gap.id, 16), (missed.id, 9), (both.id, 8), (intake_only.id, 6)]
    assert rows[2].reasons == ["next visit was due on 2026-11-17", "no visit for 20 days"]
    assert rows[3].patient_name == "IntakeOnly Test"
    counted = count_follow_ups(side["clinic"].id, days=14, today=TODAY, zone=TOKYO, first=2)
    assert (counted.total, [row.episode_id for row in counted.first]) == (4, [gap.id, missed.id])
    # Rows are made as they are read: a page of them, one, or all, always the same rows.
    every = list(rows)
    assert rows[1:3] == every[1:3] and rows[-1] == every[-1] and len(rows) == len(every) == 4


def test_latest_pain_and_trend_come_from_the_cohort(side):
    better = new_episode(side, date(2026, 10, 1), baseline_nrs=7)
    visit(side, better, at(date(2026, 10, 5)), pain_before=6, sign=True)
    visit(side, better, at(date(2026, 10, 12)), pain_before=4, sign=True)
    worse = new_episode(side, date(2026, 10, 1), baseline_nrs=3)
    visit(side, worse, at(date(2026, 10, 5)), pain_before=5, sign=True)
    drafts_only = new_episode(side, date(2026, 10, 1), baseline_nrs=5)
    visit(side, drafts_only, at(date(2026, 10, 5)), pain_before=2)  # drafts do not count
    rows = listed(side)
    assert (rows[better.id].baseline, rows[better.id].latest) == (7, 4)
    assert rows[better.id].trend == "7 → 4 (\u22123)"
    assert rows[better.id].trend_words == "pain from 7 to 4, down 3"
    assert rows[worse.id].trend == "3 → 5 (+2)"
    assert rows[worse.id].trend_words == "pain from 3 to 5, up 2"
    assert rows[drafts_only.id].change is None
    assert rows[drafts_only.id].trend == "no score since intake"


def test_the_list_takes_three_queries_whatever_its_length(app, side):
    def build(count: int) -> None:
        for n in range(count):
            episode = new_episode(side, date(2026, 10, 1))
            note = visit(side, episode, at(date(2026, 10, 2)), next_visit_on=date(2026, 10, 9),
                         sign=True)
            amend_session(note, reason="Moved", values={"next_visit_on": date(2026, 10, 10 + n)},
                          actor=fresh(side, "practitioner"))
        db.session.commit()

    counts = []
    for count in (1, 10):
        build(count)
        with count_queries(app) as statements:
            rows = with_outcomes(due_follow_ups(side["clinic"].id, days=14, today=TODAY,
                                                zone=TOKYO), side["clinic"].id)
        counts.append((len(rows), len(statements)))
    assert counts == [(1, 3), (11, 3)]


def test_each_last_visit_is_the_first_entry_of_the_episode_index(app, side):
    """The list looks up the last visit (latest start, then highest id) of every open
    episode: read backwards from the episode index, never by sorting the episode's sessions
    (PostgreSQL sorted each episode's sessions by id while the index ended at the start:
    the candidates' statement 8.1 -> 5.3 ms at full scale). Its own statement, explained."""
    for _episode in range(3):
        episode = new_episode(side, date(2026, 10, 1))
        for day in range(1, 4):  # two sessions at the same start: the id decides
            visit(side, episode, at(date(2026, 10, day)))
            visit(side, episode, at(date(2026, 10, day)))
    db.session.commit()
    engine = db.engine
    ran = []

    def keep(conn, cursor, statement, params, context, executemany):
        if "last_visit" in statement:
            ran.append((statement, params))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        due_follow_ups(side["clinic"].id, days=14, today=TODAY, zone=TOKYO)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    (statement, params), = ran
    connection = db.session.connection()
    if engine.dialect.name == "postgresql":
        # A handful of rows: make reading a whole table the dearest plan, as at scale.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        explain = "EXPLAIN "
    else:
        explain = "EXPLAIN QUERY PLAN "
    plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(explain + statement,
                                                                         params))
    db.session.rollback()
    assert "ix_treatment_sessions_episode_started" in plan, plan
    # (The planner may still sort the few episodes to join their patients.)
    assert "Sort Key: treatment_sessions" not in plan and "TEMP B-TREE" not in plan, plan


def test_the_outcome_is_worked_out_for_the_rows_shown_only(app, side):
    """The list's page shows 50 rows: their baseline and latest pain, not every open
    episode's, are worked out, in one query."""
    episodes = [new_episode(side, date(2026, 10, 1), baseline_nrs=6) for _ in range(3)]
    for episode in episodes:
        visit(side, episode, at(date(2026, 10, 5)), pain_before=4, sign=True)
    db.session.commit()
    rows = due_follow_ups(side["clinic"].id, days=14, today=TODAY, zone=TOKYO)
    assert {row.episode_id for row in rows} == {e.id for e in episodes}
    assert all(row.baseline is None for row in rows)  # not worked out yet
    with count_queries(app) as statements:
        shown = with_outcomes(rows[:1], side["clinic"].id)
    assert (shown[0].baseline, shown[0].latest) == (6, 4)
    assert len(statements) == 1
    assert with_outcomes([], side["clinic"].id) == []


# --- the CSV writer ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=1+1", "+81 90 1234 5678", "-3", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Yamada", "7 → 4 (\u22123)", "\u22123", "", None, 12, " =x"])
def test_other_cells_are_left_alone(value):
    assert safe_cell(value) == ("" if value is None else str(value))


def test_csv_quotes_as_rfc_4180_says():
    text = csv_text(["a", "b"], [['Neck, "stiff"', "line\nbreak"], ["x", ""]])
    assert text == 'a,b\r\n"Neck, ""stiff""","line\nbreak"\r\nx,\r\n'
    assert csv_text(["a"], [], bom=True) == "\ufeffa\r\n"


# --- the page and the CSV through HTTP --------------------------------------------------------

def clinic_today() -> date:
    return today_in(TOKYO)  # the factory's clinics are in Tokyo


@pytest.fixture
def practitioner(app, as_role):
    world = as_role("practitioner")
    with app.app_context():
        close_episode(fresh(world["a"], "episode"), closed_on=date(2026, 11, 2),
                      reason="resolved", note="", actor=fresh(world["a"], "practitioner"))
        db.session.commit()
    return world["a"]


def build_due(app, side: dict, count: int, *, next_visit: bool = True, **names) -> list[int]:
    """``count`` episodes with no visit for 20 days and a next-visit date 13 days ago (or
    none); the first patient with these names. Their patients' ids."""
    ids = []
    with app.app_context():
        for n in range(count):
            episode = new_episode(side, clinic_today() - timedelta(days=40),
                                  **(names if n == 0 else {}))
            visit(side, episode, at(clinic_today() - timedelta(days=20)),
                  next_visit_on=clinic_today() - timedelta(days=13) if next_visit else None)
            ids.append(episode.patient_id)
        db.session.commit()
    return ids


def audit_rows(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_page_lists_the_due_patients_and_is_audited(app, client, practitioner):
    [patient_id] = build_due(app, practitioner, 1, family_name="Sato", given_name="Hanako")
    response = client.get("/outcomes/follow-ups")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/patients/{patient_id}">Sato Hanako</a>' in page
    text = plain(page)
    assert "1 episode due on" in text
    assert "next visit was due on" in text and "no visit for 20 days" in text
    assert "no score since intake" in text
    assert '<th scope="col">' in page and "<caption>" in page
    assert [row.details for row in audit_rows(app, "follow_ups.view")] == [
        {"rows": 1, "days": 14, "page": 1}]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_longer_gap_lists_fewer(app, client, practitioner):
    build_due(app, practitioner, 1, next_visit=False)  # 20 days without a visit
    assert "1 episode due on" in plain(client.get("/outcomes/follow-ups?days=20").get_data(
        as_text=True))
    page = client.get("/outcomes/follow-ups?days=21").get_data(as_text=True)
    assert "No open episode is due" in plain(page)
    assert [row.details for row in audit_rows(app, "follow_ups.view")] == [
        {"rows": 1, "days": 20, "page": 1}, {"rows": 0, "days": 21, "page": 1}]


@pytest.mark.parametrize("value", ["abc", "0", "366", "99999999999999999999", "٣", "-1", "1e3",
                                   "+3", "", "1.5"])
def test_bad_days_are_refused_next_to_the_field(app, client, practitioner, value):
    response = client.get("/outcomes/follow-ups", query_string={"days": value})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "days") == DAYS_MESSAGE
    export = client.get("/outcomes/follow-ups.csv", query_string={"days": value})
    assert export.status_code == 400 and export.mimetype == "text/plain"
    assert DAYS_MESSAGE in export.get_data(as_text=True)
    assert audit_rows(app, "follow_ups.view") == audit_rows(app, "follow_ups.export") == []


def test_a_nul_is_refused(client, practitioner):
    assert client.get("/outcomes/follow-ups?days=1%00").status_code == 400
    assert client.get("/outcomes/follow-ups.csv?days=%00").status_code == 400


@pytest.mark.parametrize("value", ["2", "yes", "", "٣"])
def test_excel_takes_only_1_or_0(client, practitioner, value):
    response = client.get("/outcomes/follow-ups.csv", query_string={"excel": value})
    assert response.status_code == 400
    assert "For Excel: Choose 1 (for Excel) or 0." in response.get_data(as_text=True)


def test_the_csv(app, client, practitioner):
    build_due(app, practitioner, 1, family_name='=HYPERLINK("http://evil.test")',
              given_name="Taro", chief_complaint='+81 90 1234 5678, "neck"')
    response = client.get("/outcomes/follow-ups.csv?days=14")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=follow-ups-{clinic_today().isoformat()}.csv")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    assert not body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8").split("\r\n")
    assert lines[0] == ("Chart,Patient,Chief complaint,Intake,Last visit,Days since last visit,"
                        "Next visit,Days overdue,Why due,Baseline NRS,Latest NRS,NRS change,Trend")
    last_visit = clinic_today() - timedelta(days=20)
    assert lines[1].split(",")[0].startswith("A-")
    assert lines[1].endswith(
        f'"\'=HYPERLINK(""http://evil.test"") Taro","\'+81 90 1234 5678, ""neck""",'
        f"{(clinic_today() - timedelta(days=40)).isoformat()},{last_visit.isoformat()},20,"
        f"{(clinic_today() - timedelta(days=13)).isoformat()},13,"
        f"next visit was due on {(clinic_today() - timedelta(days=13)).isoformat()}; "
        f"no visit for 20 days,7,,,no score since intake")
    assert lines[2:] == [""]
    assert [row.details for row in audit_rows(app, "follow_ups.export")] == [
        {"rows": 1, "days": 14}]

    excel = client.get("/outcomes/follow-ups.csv?excel=1").get_data()
    assert excel.startswith(b"\xef\xbb\xbf") and excel[3:] == body
    assert not client.get("/outcomes/follow-ups.csv?excel=0").get_data().startswith(b"\xef")


def test_the_csv_writes_a_fall_in_pain_with_a_unicode_minus(app, client, practitioner):
    with app.app_context():
        episode = new_episode(practitioner, clinic_today() - timedelta(days=60), baseline_nrs=7)
        visit(practitioner, episode, at(clinic_today() - timedelta(days=30)), pain_before=4,
              sign=True)
        db.session.commit()
    line = client.get("/outcomes/follow-ups.csv").get_data(as_text=True).split("\r\n")[1]
    assert line.endswith(",7,4,\u22123,7 → 4 (\u22123)")


def test_reception_may_not_see_the_list(client, as_role):
    as_role("reception")
    assert client.get("/outcomes/follow-ups").status_code == 403
    assert client.get("/outcomes/follow-ups.csv").status_code == 403


@pytest.mark.parametrize("url", ["/outcomes/follow-ups", "/outcomes/follow-ups.csv"])
def test_the_page_and_the_csv_take_the_same_queries_for_1_or_30_rows(app, client, practitioner,
                                                                     url):
    counts = []
    for count in (1, 29):
        build_due(app, practitioner, count)
        client.get(url)  # the login session's once-a-minute refresh is not what we count
        with count_queries(app) as statements:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_a_long_list_comes_in_pages_and_the_csv_has_every_row(app, client, practitioner,
                                                              monkeypatch):
    from tracker.outcomes import follow_up_views
    monkeypatch.setattr(follow_up_views, "FOLLOW_UPS_PER_PAGE", 2)
    ids = build_due(app, practitioner, 5)
    pages = [client.get(f"/outcomes/follow-ups?page={n}").get_data(as_text=True)
             for n in (1, 2, 3)]
    shown = [[pid for pid in ids if f'href="/patients/{pid}"' in page] for page in pages]
    assert [len(on_page) for on_page in shown] == [2, 2, 1]
    assert sorted(sum(shown, [])) == sorted(ids)  # each once, none left out
    assert "5 episodes due on" in plain(pages[0]) and "Showing 1–2." in plain(pages[0])
    assert 'href="/outcomes/follow-ups?page=2&amp;days=14"' in pages[0] or \
        'href="/outcomes/follow-ups?days=14&amp;page=2"' in pages[0]
    beyond = client.get("/outcomes/follow-ups?page=9")
    assert beyond.status_code == 200 and "No episodes on this page." in plain(
        beyond.get_data(as_text=True))
    csv_body = client.get("/outcomes/follow-ups.csv").get_data(as_text=True)
    assert len(csv_body.strip().splitlines()) == 1 + 5
