"""Queries per page bounded (the performance issue): the SQL statements of each benchmarked
page do not grow with the data. Each test renders the page on a little data, counts its
statements, grows the data in every dimension the page reads (patients, sessions with point
rows and techniques, amendments, adverse events, scores, episodes, protocols, practitioners),
renders it again and asserts no more statements, a 200 and the grown data on the page (so an
empty page cannot pass). Every count follows an uncounted request (the login session's
once-a-minute refresh is not the page's) and covers every engine of the app, a read
replica's included when one is configured.

Where each page's test lives (statements on 2026-12-01, the same on SQLite and PostgreSQL
unless said; a patient's page loads the patient with its consents and episodes in one):

================  =========================================================================
page              tests
================  =========================================================================
healthz           here: ``test_healthz_reads_no_table`` (1: the ``SELECT 1`` probe, which
                  the 503 of an unreachable database needs; no table, no login session)
patient_search    here: ``test_patient_search`` (7; matching patients past a page, consents,
                  episodes, red flags, safety facts, sessions, practitioners); the list
                  without a search: tests/patients/test_views.py::
                  test_list_query_count_does_not_grow_with_patients
patient_detail    here: ``test_patient_page`` (11; the benchmark's 300 sessions and 36 rich
                  ones, four practitioners, amendments, adverse events, scores, episodes,
                  consents); the timeline's service alone: tests/sessions/test_services.py::
                  test_timeline_query_count_does_not_grow
progress page     tests/outcomes/test_progress_page.py::
                  test_query_count_does_not_grow_with_the_course (sessions of one episode);
                  here: ``test_progress_page`` (9; practitioners, amendments, adverse
                  events, follow-up scores, techniques, the patient's other episodes)
session_form      here: ``test_session_form`` (8 plain, 13 with ``?copy=last`` or a clinic
                  protocol; episodes, protocols, the last session's 30 rows and 5 techniques)
session_save      here: ``test_session_save`` (13, PostgreSQL 12; 2 point rows, a technique
                  and a caution against 30 rows, 5 techniques and 5 cautions: the same
                  statements; before ``db_types.batch_sentinel`` SQLite took 18 and 54, one
                  INSERT a row)
outcome_review    tests/outcomes/test_review.py::
                  test_page_query_count_does_not_grow_with_the_clinic (practitioners,
                  episodes, sessions, follow-up scores of one patient); here:
                  ``test_outcome_review`` (4; patients, amendments, drafts, 13+ sessions,
                  voided scores, adverse events)
followups         tests/outcomes/test_follow_ups.py::
                  test_the_page_and_the_csv_take_the_same_queries_for_1_or_30_rows (due
                  episodes, one session each); here: ``test_follow_ups`` (7, page and CSV;
                  sessions per episode, amendments, scores, practitioners, a second open
                  episode, closed episodes, archived patients)
sessions.csv      tests/exports/test_csv_memory.py::
                  test_the_clinic_export_reads_in_the_same_statements_however_many_rows (bulk
                  sessions of one patient); here: ``test_clinic_csv_export`` (6 a session
                  a row, 6 a point a row; patients, practitioners, episodes, amendments,
                  adverse events, techniques, drafts)
dashboard         tests/main/test_dashboard.py::
                  test_the_same_queries_for_1_or_30_sessions_today (the quarter's
                  responder rate kept for a minute: one statement fewer while kept)
================  =========================================================================
"""

import csv
import io
import re
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import selectinload

from bench.export_memory import add_sessions
from tests.conftest import UNCOUNTED, count_queries
from tests.factories import (
    fresh,
    grow_course,
    patient_with,
    point_dicts,
    record,
)
from tests.outcomes.test_progress_page import summary
from tests.outcomes.test_review import overall_cells
from tests.pages import plain
from tests.sessions.helpers import point_codes_on_form, point_row, session_form
from tracker.auth.models import User
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.intake.services import close_episode
from tracker.patients.services import archive_patient, record_consent
from tracker.protocols.models import Protocol
from tracker.protocols.services import save_protocol
from tracker.scores.models import Assessment
from tracker.scores.services import void_score
from tracker.sessions.models import TreatmentSession

# --- measuring ---------------------------------------------------------------------------------


@contextmanager
def counted(app):
    """The SQL statements run inside the block on any of the app's engines (the primary, and
    a read replica's when one is configured), as ``tests.conftest.count_queries`` counts them."""
    with app.app_context():
        engines = list({id(engine): engine for engine in [db.engine, *db.engines.values()]}
                       .values())
    with count_queries(app) as statements:
        others = [engine for engine in engines if engine is not engines[0]]

        def note(conn, cursor, statement, params, context, executemany):
            if not statement.startswith(UNCOUNTED):
                statements.append(statement)

        for engine in others:
            event.listen(engine, "before_cursor_execute", note)
        try:
            yield statements
        finally:
            for engine in others:
                event.remove(engine, "before_cursor_execute", note)


def request(app, client, url: str, method: str = "GET", data=None):
    """One request counted (its body read, a stream to its end): the response, its text and
    its statements. An uncounted GET of ``url`` goes first."""
    warm = client.get(url)
    warm.get_data()
    warm.close()
    with counted(app) as statements:
        response = client.open(url, method=method, data=data)
        text = response.get_data(as_text=True)
        response.close()
    return response, text, statements


def _shape(statement: str) -> str:
    """A statement without its parameters' names and numbers (an IN list of 3 or 300)."""
    statement = re.sub(r"\(\s*(?:%\([^)]*\)s|\?|__\[POSTCOMPILE_\w+\])"
                       r"(?:\s*,\s*(?:%\([^)]*\)s|\?))*\s*\)", "(…)", statement)
    statement = re.sub(r"%\(\w+\)s|\?", "?", statement)
    return " ".join(statement.split())[:160]


def growth(few: list[str], many: list[str]) -> str:
    """What the larger data set ran that the small one did not, for the failure message."""
    extra = Counter(map(_shape, many)) - Counter(map(_shape, few))
    lines = [f"{len(few)} statements on the small data, {len(many)} on the grown data; "
             "repeated or new:"]
    lines += [f"  {count} x {shape}" for shape, count in extra.most_common()]
    return "\n".join(lines)


def assert_bounded(few: list[str], many: list[str]) -> None:
    assert len(many) <= len(few), growth(few, many)


# --- building ----------------------------------------------------------------------------------


def staff(factory, side: dict, count: int) -> list[User]:
    """``count`` more practitioners of ``side``'s clinic."""
    return [factory.user(side["clinic"], "practitioner", name=f"Dr Grown {n}")
            for n in range(count)]


def course_of(app, side: dict, sessions: int, **kwargs) -> list[int]:
    """``grow_course`` from outside an application context."""
    with app.app_context():
        return grow_course(side, sessions, **kwargs)


def second_episode(factory, side: dict, *, closed: bool = False, **intake) -> dict:
    """Another episode of ``side``'s patient (closed 60 days after it opened, if
    asked)."""
    episode = factory.episode(side["patient"], side["practitioner"], **intake)
    if closed:
        with factory.app.app_context():
            opened = db.session.get(Episode, episode.id)
            close_episode(opened, closed_on=opened.opened_on + timedelta(days=60),
                          reason="resolved", note="", actor=fresh(side, "practitioner"))
            db.session.commit()
    return {**side, "episode": episode}


def more_consents(app, side: dict) -> None:
    """A refusal, then consent again: three consent rows for ``side``'s patient."""
    with app.app_context():
        for given in (False, True):
            record_consent(fresh(side, "patient"), given=given, consent_date=date(2026, 11, 2),
                           form_version="v2", witnessed_by="", notes="",
                           actor=fresh(side, "reception"))
        db.session.commit()


# --- healthz -----------------------------------------------------------------------------------


def test_healthz_reads_no_table(app, client, as_role, factory):
    """The health check asks the database only whether it answers (``SELECT 1``: it must say
    503 when it does not, tests/test_factory.py), and reads no table, not even the login
    session of a signed-in caller's cookie, however much data there is."""
    world = as_role("practitioner")
    response, text, few = request(app, client, "/healthz")
    assert response.status_code == 200 and '"reachable"' in text
    course_of(app, world["a"], 6, practitioners=staff(factory, world["a"], 2))
    response, text, many = request(app, client, "/healthz")
    assert response.status_code == 200 and '"reachable"' in text
    assert [s for s in many if s.strip().upper() != "SELECT 1"] == [], many
    assert len(many) <= 1, many
    assert_bounded(few, many)


# --- patient_search ----------------------------------------------------------------------------

SEARCH = "/patients/?q=yamada"


def searched_patient(app, factory, side: dict, number: int, others: list[User]) -> None:
    """A patient named Yamada with consent, two episodes (one closed) and two draft sessions;
    every second one with red flags, every third with consent refused and given again, every
    fourth on anticoagulants."""
    patient = factory.patient(side["clinic"], side["reception"], family_name="Yamada",
                              given_name=f"Taro{number:02d}")
    factory.consent(patient, side["reception"])
    mine = {**side, "patient": patient,
            "practitioner": others[number % len(others)] if others else side["practitioner"]}
    old = second_episode(factory, mine, closed=True, opened_on=date(2026, 1, 5))
    episode = factory.episode(patient, mine["practitioner"], opened_on=date(2026, 9, 1),
                              red_flags=["fever"] if number % 2 else [],
                              anticoagulants=number % 4 == 0)
    mine = {**mine, "episode": episode}
    if number % 3 == 0:
        more_consents(app, mine)
    with app.app_context():
        for day in (2, 9):
            record(mine, point_dicts([("LI4", "left"), ("ST36", "bilateral")]),
                   started_at=datetime(2026, 9, day, 1, 0, tzinfo=UTC))
        record(old, point_dicts([("LR3", "right")]),
               started_at=datetime(2026, 1, 6, 1, 0, tzinfo=UTC))


def test_patient_search(app, client, as_role, factory):
    world = as_role("practitioner")
    side = world["a"]
    searched_patient(app, factory, side, 0, [])
    response, page, few = request(app, client, SEARCH)
    assert response.status_code == 200
    assert "1 patient matching" in plain(page)

    others = staff(factory, side, 3)
    for number in range(1, 35):
        searched_patient(app, factory, side, number, others)
    for number in range(8):  # not found by the search
        factory.patient(side["clinic"], side["reception"], family_name=f"Suzuki{number}")
    response, page, many = request(app, client, SEARCH)
    assert response.status_code == 200
    assert "35 patients matching" in plain(page)
    assert page.count('class="patient-link"') == app.config["PATIENTS_PER_PAGE"]
    assert "Red flags" in page and "Safety" in page
    assert_bounded(few, many)


# --- patient_detail ----------------------------------------------------------------------------


def test_patient_page(app, client, as_role, factory):
    world = as_role("practitioner")
    side = patient_with(factory, world["a"], opened_on=date(2026, 1, 5))
    url = f"/patients/{side['patient'].id}"
    course_of(app, side, 2)
    response, page, few = request(app, client, url)
    assert response.status_code == 200
    assert page.count('class="timeline-entry') == 2

    others = staff(factory, side, 3)
    more_consents(app, side)
    rich = course_of(app, side, 24, practitioners=others,
                     start=datetime(2026, 1, 20, 1, 0, tzinfo=UTC))
    closed = second_episode(factory, side, closed=True, opened_on=date(2025, 3, 1),
                            chief_complaint="Neck pain", red_flags=["fever"])
    rich += course_of(app, closed, 12, practitioners=others[1:])
    with app.app_context():  # the benchmark's 300 sessions, bulk inserted
        add_sessions(clinic_id=side["clinic"].id, practitioner_id=others[0].id,
                     cases=[(side["patient"].id, side["episode"].id)], count=300)
    total = 2 + len(rich) + 300
    response, page, many = request(app, client, url)
    assert response.status_code == 200
    shown = page.count('class="timeline-entry')
    # Every session, or a page of the newest with the total named.
    assert shown == total or (10 <= shown < total and str(total) in plain(page)), shown
    assert ">Amended</span>" in page
    assert all(user.name in page for user in others)
    assert "Neck pain" in page and "Red flags" in page
    assert page.count(f'href="/patients/{side["patient"].id}/episodes/') >= 2
    events = page.split('id="ae-heading"', 1)[1].split("</section>", 1)[0]
    assert events.count('<li class="list-group-item">') >= 10
    assert_bounded(few, many)


# --- the progress page -------------------------------------------------------------------------


def test_progress_page(app, client, as_role, factory):
    world = as_role("practitioner")
    side = patient_with(factory, world["a"], opened_on=date(2026, 1, 5))
    url = f"/patients/{side['patient'].id}/progress?episode={side['episode'].id}"
    course_of(app, side, 2)
    response, page, few = request(app, client, url)
    assert response.status_code == 200
    assert page.count('class="visit-marker"') == 2

    others = staff(factory, side, 3)
    course_of(app, side, 30, practitioners=others, start=datetime(2026, 1, 20, 1, 0, tzinfo=UTC))
    for opened in (date(2025, 3, 1), date(2025, 9, 1)):
        course_of(app, second_episode(factory, side, closed=True, opened_on=opened), 6,
                  practitioners=others)
    response, page, many = request(app, client, url)
    assert response.status_code == 200
    assert page.count('class="visit-marker"') == 32
    assert summary(page)["Signed sessions"] == "32"
    assert_bounded(few, many)


# --- session_form ------------------------------------------------------------------------------

FORTY_CODES = [f"LU{n}" for n in range(5, 12)] + [f"LI{n}" for n in range(1, 12)] + [
    f"ST{n}" for n in range(36, 46)] + ["SP3", "SP4"]
THIRTY_ROWS = [(code, ("left", "right", "bilateral")[n % 3]) for n, code in
               enumerate(FORTY_CODES[:30])]


@pytest.mark.parametrize("query", ["", "?copy=last", "?protocol=clinic"])
def test_session_form(app, client, as_role, factory, query):
    world = as_role("practitioner")
    side = patient_with(factory, world["a"], opened_on=date(2026, 6, 1))
    with app.app_context():
        protocol = save_protocol(side["clinic"].id, name="Grown protocol 0", description="",
                                 rows=point_dicts(THIRTY_ROWS[:2]),
                                 actor=fresh(side, "practitioner")).id
        db.session.commit()
    url = f"/patients/{side['patient'].id}/sessions/new" + query.replace(
        "clinic", f"clinic:{protocol}")
    course_of(app, side, 2, rows=THIRTY_ROWS[:2])
    response, page, few = request(app, client, url)
    assert response.status_code == 200
    if query:
        assert len(point_codes_on_form(page)) == 2

    others = staff(factory, side, 3)
    more_consents(app, side)
    for number in range(3):  # three more open episodes, one closed
        second_episode(factory, side, opened_on=date(2026, 7, 1 + number),
                       chief_complaint=f"Grown complaint {number}")
    second_episode(factory, side, closed=True, opened_on=date(2026, 2, 1))
    course_of(app, side, 12, practitioners=others, rows=THIRTY_ROWS,
              start=datetime(2026, 6, 10, 1, 0, tzinfo=UTC))
    with app.app_context():
        for number in range(1, 8):
            save_protocol(side["clinic"].id, name=f"Grown protocol {number}", description="",
                          rows=point_dicts(THIRTY_ROWS[: 4 * number]),
                          actor=fresh(side, "practitioner"))
        # The protocol the form applies, grown to thirty rows.
        save_protocol(side["clinic"].id, name="Grown protocol 0", description="",
                      rows=point_dicts(THIRTY_ROWS), actor=fresh(side, "practitioner"),
                      protocol=db.session.scalars(select(Protocol).where(
                          Protocol.id == protocol).options(selectinload(Protocol.points))).one())
        record(side, point_dicts(THIRTY_ROWS), adjuncts=five_adjuncts(),
               started_at=datetime(2026, 11, 1, 1, 0, tzinfo=UTC), sign=True)  # the last
    response, page, many = request(app, client, url)
    assert response.status_code == 200
    text = plain(page)
    assert all(f"Grown complaint {number}" in text for number in range(3))
    assert all(f"Grown protocol {number}" in text for number in range(8))
    if query:
        assert len(point_codes_on_form(page)) == 30
    assert_bounded(few, many)


def five_adjuncts() -> list[dict]:
    """Five techniques (service rows) that raise no caution for the factory's intake."""
    return [
        {"kind": "cupping", "minutes": 10, "sites": "upper back", "notes": "",
         "params": {"cupping_method": "dry", "cups": 4}},
        {"kind": "moxibustion", "minutes": 15, "sites": "ST36", "notes": "",
         "params": {"moxa_method": "stick"}},
        {"kind": "tuina", "minutes": 10, "sites": "", "notes": "", "params": {}},
        {"kind": "heat_lamp", "minutes": 20, "sites": "lower back", "notes": "",
         "params": {"lamp_distance_cm": 40}},
        {"kind": "gua_sha", "minutes": None, "sites": "neck", "notes": "", "params": {}},
    ]


# --- session_save ------------------------------------------------------------------------------

FORM_ADJUNCTS = [
    {"kind": "cupping", "cupping_method": "dry", "cups": "4", "minutes": "10",
     "sites": "upper back"},
    {"kind": "moxibustion", "moxa_method": "stick", "minutes": "15", "sites": "ST36"},
    {"kind": "tuina", "minutes": "10"},
    {"kind": "heat_lamp", "lamp_distance_cm": "40", "minutes": "20"},
    {"kind": "gua_sha", "sites": "neck"},
]


# Rows whose cautions are warnings a save stores (CV8 and ST17 always warn; LU1 deeper than
# its depth hint): the small save stores one, the large one three more.
SMALL_SAVE = [("CV8", "midline"), ("LI4", "left")]
LARGE_SAVE = [*SMALL_SAVE, ("ST17", "left"), ("LU1", "left", {"depth": "30"}),
              ("LU2", "right", {"depth": "30"}), *THIRTY_ROWS[2:27]]


def posted(rows: list[tuple], adjuncts: list[dict], episode_id: int) -> dict:
    """The session form as posted with these rows ((code, side) or (code, side, fields))."""
    needles = sum(2 if row[1] == "bilateral" else 1 for row in rows)
    return session_form(points=[point_row(row[0], row[1], **(row[2] if len(row) > 2 else {}))
                                for row in rows],
                        adjuncts=adjuncts, episode_id=str(episode_id),
                        needles_inserted=str(needles), needles_removed=str(needles))


def two_saves(app, client, side: dict) -> tuple[list[str], list[str], int]:
    """The statements of saving a new session with 2 point rows, a technique and a caution,
    then of one with 30 point rows, 5 techniques and 4 cautions (each checked stored in
    full), and how many more rows the second stored."""
    url = f"/patients/{side['patient'].id}/sessions/new"
    client.post(url, data=posted(SMALL_SAVE, FORM_ADJUNCTS[:1], side["episode"].id))

    def save(rows, adjuncts):
        response, _, statements = request(app, client, url, "POST",
                                          posted(rows, adjuncts, side["episode"].id))
        assert response.status_code == 302, response.status_code
        with app.app_context():
            visit = db.session.scalars(select(TreatmentSession).options(
                selectinload(TreatmentSession.points), selectinload(TreatmentSession.adjuncts),
                selectinload(TreatmentSession.cautions),
            ).order_by(TreatmentSession.id.desc()).limit(1)).one()
            stored = len(visit.points), len(visit.adjuncts), len(visit.cautions)
        return statements, stored

    # A technique and a caution in the small save too: their tables are written either way.
    few, small = save(SMALL_SAVE, FORM_ADJUNCTS[:1])
    many, large = save(LARGE_SAVE, FORM_ADJUNCTS)
    assert small[:2] == (2, 1) and small[2] >= 1
    assert large[:2] == (30, 5) and large[2] >= small[2] + 3
    return few, many, sum(large) - sum(small)


def test_session_save(app, client, as_role):
    """30 point rows, 5 techniques and 5 cautions cost the statements of 2, 1 and 1: each
    table's rows are one multi-row INSERT, on SQLite too (``db_types.batch_sentinel``)."""
    world = as_role("practitioner")
    few, many, _ = two_saves(app, client, world["a"])
    assert_bounded(few, many)


# --- outcome_review ----------------------------------------------------------------------------

REVIEW = "/outcomes/review?from=2026-01-01&to=2026-11-30"


def test_outcome_review(app, client, as_role, factory):
    world = as_role("practitioner")
    side = patient_with(factory, world["a"], opened_on=date(2026, 3, 2))
    course_of(app, side, 2)
    response, page, few = request(app, client, REVIEW)
    assert response.status_code == 200
    assert overall_cells(page)[0] == "2"  # the world's episode, and this one

    others = staff(factory, side, 3)
    for number in range(8):
        patient = patient_with(factory, {**side, "practitioner": others[number % 3]},
                               opened_on=date(2026, 2 + number, 3),
                               body_region=("thoracic", "lumbar", "cervical")[number % 3])
        course_of(app, patient, 14 if number == 0 else 3, practitioners=others)
        with app.app_context():
            record(patient, point_dicts([("LI4", "left")]),  # a draft, never counted
                   started_at=datetime(2026, 10, 1, 1, 0, tzinfo=UTC))
            if number % 2:
                score = db.session.scalars(select(Assessment).where(
                    Assessment.episode_id == patient["episode"].id,
                    Assessment.context == "follow_up")).first()
                void_score(score, reason="Entered twice", actor=fresh(side, "practitioner"))
            db.session.commit()
    response, page, many = request(app, client, REVIEW)
    assert response.status_code == 200
    assert overall_cells(page)[0] == "10"
    assert "13+" in page
    assert_bounded(few, many)


# --- followups ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/outcomes/follow-ups", "/outcomes/follow-ups.csv"])
def test_follow_ups(app, client, as_role, factory, url):
    world = as_role("practitioner")
    with app.app_context():  # the world's own episode is not due: only the test's are listed
        close_episode(fresh(world["a"], "episode"), closed_on=date(2026, 11, 2),
                      reason="resolved", note="", actor=fresh(world["a"], "practitioner"))
        db.session.commit()
    side = patient_with(factory, world["a"], opened_on=date(2026, 9, 1))
    course_of(app, side, 2)
    response, page, few = request(app, client, url)
    assert response.status_code == 200
    once = page.count(side["patient"].chart_number)
    assert once >= 1

    others = staff(factory, side, 3)
    due = [side]
    for number in range(12):
        patient = patient_with(factory, {**side, "practitioner": others[number % 3]},
                               opened_on=date(2026, 8, 1 + number))
        course_of(app, patient, 4, practitioners=others)  # the last visit in August
        due.append(patient)
    course_of(app, second_episode(factory, side, opened_on=date(2026, 9, 2)), 3)
    hidden = []
    for closed_or_archived in range(2):
        patient = patient_with(factory, side, opened_on=date(2026, 8, 1))
        course_of(app, patient, 2)
        with app.app_context():
            if closed_or_archived:
                archive_patient(fresh(patient, "patient"), reason="Moved away",
                                actor=fresh(side, "reception"))
            else:
                close_episode(fresh(patient, "episode"), closed_on=date(2026, 9, 1),
                              reason="resolved", note="", actor=fresh(side, "practitioner"))
            db.session.commit()
        hidden.append(patient["patient"].chart_number)
    response, page, many = request(app, client, url)
    assert response.status_code == 200
    assert all(patient["patient"].chart_number in page for patient in due)
    assert not any(chart in page for chart in hidden)
    assert page.count(side["patient"].chart_number) == 2 * once  # both its open episodes
    assert_bounded(few, many)


# --- the clinic-wide CSV export ----------------------------------------------------------------


def csv_rows(text: str) -> list[list[str]]:
    """The CSV's rows after its header."""
    return list(csv.reader(io.StringIO(text)))[1:]


@pytest.mark.parametrize("points", ["0", "1"])
def test_clinic_csv_export(app, client, as_role, factory, points):
    world = as_role("practitioner")
    side = patient_with(factory, world["a"], opened_on=date(2026, 3, 2))
    url = f"/exports/sessions.csv?from=2026-01-01&to=2026-11-30&points={points}"
    course_of(app, side, 2)
    response, text, few = request(app, client, url)
    assert response.status_code == 200
    assert len(csv_rows(text)) == (2 * 6 if points == "1" else 2)  # six point rows a session

    others = staff(factory, side, 3)
    sessions = 2
    for number in range(6):
        patient = patient_with(factory, {**side, "practitioner": others[number % 3]},
                               opened_on=date(2026, 3 + number, 2))
        sessions += len(course_of(app, patient, 5, practitioners=others))
        later = second_episode(factory, patient, opened_on=date(2026, 10, 1))
        sessions += len(course_of(app, later, 2))
        with app.app_context():
            record(later, point_dicts(THIRTY_ROWS), adjuncts=five_adjuncts(),
                   started_at=datetime(2026, 11, 10, 1, 0, tzinfo=UTC))  # a draft
        sessions += 1
    response, text, many = request(app, client, url)
    assert response.status_code == 200
    rows = csv_rows(text)
    assert len(rows) == ((sessions - 6) * 6 + 6 * 30 if points == "1" else sessions)
    charts = {row[1] for row in rows} if points == "1" else set()
    assert all(user.name in text for user in others) if points == "0" else len(charts) >= 7
    assert_bounded(few, many)
