"""The benchmark generator (bench/generate.py) at its tiny scale, into an empty database of the
backend under test, then read and written through the app: the generated accounts log in,
the pages the benchmark drives answer, a new session saves, and the rows are what the app's
own services would have written (scores mirrored, cautions as the engine shows them, search
text as the patient service folds it, timestamps comparable, signed notes still protected).

The module generates once; the tests only read, but for the last, which saves a session."""

import sys
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import selectinload

from tests.conftest import TEST_DATABASE_URL, app_for, postgres_database
from tests.sessions.helpers import session_form
from tracker.config import normalise_database_url
from tracker.dates import clinic_date
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.patients.models import Patient
from tracker.patients.search import build_search_text
from tracker.safety.models import SessionCaution
from tracker.safety.services import cautions_for_rows
from tracker.scores.models import Assessment
from tracker.sessions.models import PointApplication, TreatmentSession
from tracker.sessions.services import effective_values, session_date, stored_rows

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from generate import BUSIEST, SCALES, generate  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """One generation for the module (a few seconds): the tests read it, and the last one
    adds a session to it."""
    with empty_database(tmp_path_factory) as url:
        summary = generate(url, "tiny", progress=lambda _text: None)
        app = app_for(url)
        yield app, summary
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@contextmanager
def empty_database(tmp_path_factory):
    """An empty database on the backend under test: an SQLite file, or a new PostgreSQL
    database beside TEST_DATABASE_URL (dropped afterwards), as ``throwaway_postgres``."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.sqlite'}"
        return
    with postgres_database("tracker_bench") as url:
        yield url


def test_the_summary_matches_the_database(generated):
    app, summary = generated
    shape = SCALES["tiny"]
    assert summary["scale"] == "tiny" and summary["password"] == "bench-password"
    assert summary["data"] == {"patients": shape.patients, "sessions": shape.sessions,
                               "point_applications": summary["data"]["point_applications"]}
    with app.app_context():
        assert db.session.scalar(select(func.count(Patient.id))) == shape.patients
        assert db.session.scalar(select(func.count(TreatmentSession.id))) == shape.sessions
        assert db.session.scalar(select(func.count(PointApplication.id))) == (
            summary["data"]["point_applications"])
        per_patient = dict(db.session.execute(
            select(TreatmentSession.patient_id, func.count()).group_by(
                TreatmentSession.patient_id)).all())
        assert len(per_patient) == shape.patients  # every patient has sessions
        assert min(per_patient.values()) >= 1 and max(per_patient.values()) == BUSIEST
        assert per_patient[summary["busiest_patient_id"]] == BUSIEST
        per_session = db.session.execute(
            select(func.count()).select_from(PointApplication).group_by(
                PointApplication.session_id)).scalars().all()
        assert len(per_session) == shape.sessions
        assert min(per_session) >= 8 and max(per_session) <= 16
        episode = db.session.get(Episode, summary["busiest_episode_id"])
        assert episode.patient_id == summary["busiest_patient_id"] and episode.is_open


def test_rows_are_what_the_services_would_write(generated):
    app, summary = generated
    with app.app_context():
        visits = db.session.scalars(
            select(TreatmentSession).where(
                TreatmentSession.patient_id == summary["busiest_patient_id"])
            .options(selectinload(TreatmentSession.points), selectinload(
                TreatmentSession.adjuncts), selectinload(TreatmentSession.amendments),
                selectinload(TreatmentSession.cautions), selectinload(
                    TreatmentSession.episode))).all()
        mirrors = {(row.session_id, row.context): row.score for row in db.session.scalars(
            select(Assessment).where(Assessment.session_id.in_([v.id for v in visits])))}
        for visit in visits:
            # Pain before and after mirrored into the outcome table, amendments applied.
            current = effective_values(visit)
            assert mirrors[visit.id, "before_session"] == current["pain_before"]
            assert mirrors[visit.id, "after_session"] == current["pain_after"]
            assert visit.needles_inserted == visit.needles_removed == sum(
                2 if row.laterality == "bilateral" else 1 for row in visit.points)
            assert (visit.signed_at is not None) == visit.is_signed == (
                visit.signed_by_id is not None)
            # The cautions stored are those the engine shows, none left to decide.
            shown = cautions_for_rows(visit.episode, session_date(visit), *stored_rows(visit))
            assert {c.key for c in shown} == {row.key for row in visit.cautions}
            assert not any(row.needs_decision for row in visit.cautions)
        # Stored timestamps compare equal to the values read back (text on SQLite).
        latest = max(visits, key=lambda v: v.started_at)
        assert db.session.scalar(select(TreatmentSession.id).where(
            TreatmentSession.started_at == latest.started_at)) == latest.id
        assert clinic_date(latest.started_at, "Asia/Tokyo") >= date.today() - timedelta(days=10)
        for patient in db.session.scalars(select(Patient).limit(15)):
            assert patient.search_text == build_search_text(
                family_name=patient.family_name, given_name=patient.given_name,
                family_name_kana=patient.family_name_kana,
                given_name_kana=patient.given_name_kana, chart_number=patient.chart_number,
                phone=patient.phone, email=patient.email)
        assert db.session.scalar(select(func.count(SessionCaution.id))) > 0


def test_signed_notes_stay_protected_in_the_database(generated):
    app, _summary = generated
    engine = create_engine(normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"]))
    try:
        with engine.connect() as connection:
            signed = connection.scalar(text(
                "SELECT id FROM treatment_sessions WHERE status = 'signed' LIMIT 1"))
            with pytest.raises(DBAPIError, match="signed note"):
                connection.execute(text(
                    "UPDATE point_applications SET depth = 1 WHERE session_id = :id"),
                    {"id": signed})
            connection.rollback()
    finally:
        engine.dispose()


def test_the_saves_leave_the_measured_patient_alone(generated):
    # The benchmark saves sessions for open cases; the busiest patient's pages are measured,
    # so its course must not grow a draft with every run.
    from scale_data import open_cases

    app, summary = generated
    url, busiest = app.config["SQLALCHEMY_DATABASE_URI"], summary["busiest_patient_id"]
    every = open_cases(url, summary["clinic_id"])
    assert busiest in {patient for patient, _ in every}
    assert open_cases(url, summary["clinic_id"], leaving_out=busiest) == [
        case for case in every if case[0] != busiest]


def test_every_account_logs_in(generated):
    app, summary = generated
    logins = summary["logins"]
    for email in (*logins["practitioners"], logins["admin"], logins["reception"]):
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": summary["password"]})
        assert response.status_code == 302, email
        assert urlsplit(response.headers["Location"]).path != "/login"
        assert client.get("/patients/").status_code == 200


def test_the_benchmarked_pages_answer_and_a_session_saves(generated):
    app, summary = generated
    client = app.test_client()
    client.post("/login", data={"email": summary["logins"]["practitioners"][0],
                                "password": summary["password"]})
    patient = summary["busiest_patient_id"]
    with app.app_context():
        record = db.session.get(Patient, patient)
        family, chart = record.family_name, record.chart_number
        before = db.session.scalar(select(func.count(TreatmentSession.id)))
    for url in (f"/patients/{patient}", f"/patients/{patient}/progress",
                f"/patients/{patient}/sessions/new", f"/patients/?q={quote(family)}",
                "/outcomes/review", "/outcomes/follow-ups", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert chart in client.get(f"/patients/?q={quote(chart)}").get_data(as_text=True)
    saved = client.post(f"/patients/{patient}/sessions/new", data=session_form(
        episode_id=str(summary["busiest_episode_id"]),
        session_date=(date.today() - timedelta(days=1)).isoformat()))
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    assert client.get(saved.headers["Location"]).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(TreatmentSession.id))) == before + 1
