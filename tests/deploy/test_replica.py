"""The read replica (``REPLICA_DATABASE_URL``, docs/deploy.md): the clinic outcome review, the
follow-up list and the clinic-wide CSV export read it; their audit rows, the patient's own
pages and exports and the dashboard stay on the primary; without it everything reads the
primary.

The "replica" here is a second database of the backend under test (a second SQLite file, or a
second PostgreSQL database) holding *different* data from the primary: the same clinics and
staff (so the ids agree, as a real replica's would), then rows only it has. Whatever a page
shows of those rows was read from the replica; an audit row found in the primary and not in
the replica was written to the primary.
"""

import shutil
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import PASSWORD, TEST_DATABASE_URL, app_for, truncate_all
from tests.deploy.conftest import scratch_database
from tests.exports.test_csv_export import as_dicts
from tests.factories import Factory, fresh, record
from tests.outcomes.test_follow_ups import new_episode
from tests.outcomes.test_review import MBP, course
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.clinics.models import Clinic
from tracker.dates import today_in
from tracker.extensions import db
from tracker.outcomes.follow_ups import due_follow_ups
from tracker.outcomes.review import outcome_review
from tracker.replica import (
    BIND,
    replica_configured,
    report_reads,
    reporting_connection,
    reporting_engine,
)

NOVEMBER = "from=2026-11-01&to=2026-11-30"


@pytest.fixture(scope="module")
def replica_template(request, tmp_path_factory):
    template = None if TEST_DATABASE_URL else request.getfixturevalue("migrated_database")
    with scratch_database("replica", tmp_path_factory.mktemp("replica"), template) as url:
        yield url


@pytest.fixture
def replica_url(replica_template, tmp_path):
    """An empty (catalog only) replica database for this test."""
    if TEST_DATABASE_URL:
        truncate_all(replica_template)
        return replica_template
    target = tmp_path / "replica.sqlite"
    shutil.copyfile(replica_template.removeprefix("sqlite:///"), target)
    return f"sqlite:///{target}"


@pytest.fixture
def replica_app(replica_url):
    """An app on the replica database alone, to write the rows only the replica has."""
    app = app_for(replica_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def replica_world(replica_app, clinic_world):
    """The primary's clinics and staff, built again in the replica: the same ids."""
    world = Factory(replica_app).world()
    for key in ("a", "b"):
        for name in ("clinic", "admin", "practitioner", "reception", "patient", "episode"):
            assert world[key][name].id == clinic_world[key][name].id
    return world


@pytest.fixture
def reporting_app(database_url, replica_url, clinic_world):
    """The app as served: the primary, with the replica configured."""
    app = app_for(database_url, REPLICA_DATABASE_URL=replica_url)
    yield app
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


def logged_in(app: Flask, email: str):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def audit_rows(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def download(client, url: str):
    response = client.get(url)
    body = response.get_data(as_text=True)
    response.close()
    return response, body


def test_the_outcome_review_reads_the_replica_and_is_audited_on_the_primary(
        app, reporting_app, replica_app, replica_world):
    with replica_app.app_context():  # a course only the replica has: evaluable, a responder
        side = replica_world["a"]
        course(side, fresh(side, "practitioner"), baseline=8,
               sessions=[(MBP, 8, 6), (MBP, 6, 4), (MBP, 4, 3)])
        db.session.commit()
    clinic_id = replica_world["a"]["clinic"].id
    with app.app_context():  # the primary: the world's one episode, not evaluable
        primary = outcome_review(clinic_id, opened_from=date(2026, 11, 1),
                                 opened_to=date(2026, 11, 30)).overall
        assert (primary.episodes, primary.evaluable) == (1, 0)

    client = logged_in(reporting_app, "practitioner@a.test")
    response = client.get(f"/outcomes/review?{NOVEMBER}")
    assert response.status_code == 200
    assert "Middle back pain" in response.get_data(as_text=True)  # the replica's protocol

    [event] = audit_rows(app, "outcomes.review")  # written on the primary ...
    assert (event.details["episodes"], event.details["evaluable"],
            event.details["responders"]) == (2, 1, 1)  # ... with the replica's figures
    assert audit_rows(replica_app, "outcomes.review") == []


def test_the_clinic_csv_reads_the_replica_the_patients_own_export_the_primary(
        app, reporting_app, replica_app, clinic_world, replica_world):
    with app.app_context():
        record(clinic_world["a"], started_at=datetime(2026, 11, 28, 2, tzinfo=UTC))
    with replica_app.app_context():
        side = replica_world["a"]
        replicated = [record(side, sign=True).id,
                      record(side, started_at=datetime(2026, 11, 25, 2, tzinfo=UTC)).id]

    client = logged_in(reporting_app, "practitioner@a.test")
    response, body = download(client, f"/exports/sessions.csv?{NOVEMBER}")
    assert response.status_code == 200
    rows = as_dicts(body)
    assert ([int(row["Session"]) for row in rows], [row["Date"] for row in rows]) == (
        replicated, ["2026-11-20", "2026-11-25"])
    [event] = audit_rows(app, "sessions.export")
    assert event.details["rows"] == 2 and event.user_id == clinic_world["a"]["practitioner"].id
    assert audit_rows(replica_app, "sessions.export") == []

    # One patient's own export is a clinical record: always the primary, never behind.
    patient = clinic_world["a"]["patient"]
    response, body = download(client, f"/patients/{patient.id}/export.csv")
    assert response.status_code == 200
    assert [row["Date"] for row in as_dicts(body)] == ["2026-11-28"]
    assert len(audit_rows(app, "patient.export")) == 1
    assert audit_rows(replica_app, "patient.export") == []


def test_the_follow_up_list_reads_the_replica_the_dashboard_the_primary(
        app, reporting_app, replica_app, replica_world):
    long_ago = today_in("Asia/Tokyo") - timedelta(days=40)
    with replica_app.app_context():
        new_episode(replica_world["a"], long_ago, family_name="Onreplica")
        db.session.commit()

    client = logged_in(reporting_app, "practitioner@a.test")
    page = client.get("/outcomes/follow-ups?days=14")
    assert page.status_code == 200 and "Onreplica" in page.get_data(as_text=True)
    response, body = download(client, "/outcomes/follow-ups.csv?days=14")
    assert response.status_code == 200 and "Onreplica" in body
    with app.app_context():  # the primary has only the world's own episode due
        assert len(due_follow_ups(replica_world["a"]["clinic"].id, days=14,
                                  today=today_in("Asia/Tokyo"), zone="Asia/Tokyo")) == 1
    listed = [event.details["rows"] for event in audit_rows(app, "follow_ups.view")
              + audit_rows(app, "follow_ups.export")]
    assert listed == [2, 2]  # the replica's list (the world's episode and Onreplica)
    assert audit_rows(replica_app, "follow_ups.view") == []

    # The dashboard is where a clinician starts the day: it reads the primary.
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "Onreplica" not in dashboard.get_data(as_text=True)


def test_the_replica_url_comes_from_the_environment_normalised(database_url, monkeypatch):
    monkeypatch.setenv("TRACKER_REPLICA_DATABASE_URL", "postgres://reader@replica.invalid/tracker")
    app = app_for(database_url)
    assert app.config["REPLICA_DATABASE_URL"] == "postgresql+psycopg://reader@replica.invalid/tracker"
    with app.app_context():  # engines connect lazily: nothing is asked of the host yet
        assert replica_configured()
        assert reporting_engine() is db.engines[BIND] is not db.engine
        assert reporting_engine().url.drivername == "postgresql+psycopg"
    # A replica restarted (or promoted) is reconnected to, not answered with a dead connection.
    assert app.config["SQLALCHEMY_BINDS"][BIND]["pool_pre_ping"] is True


def test_without_a_replica_the_reports_read_the_primary_in_the_requests_transaction(app):
    with app.test_request_context("/outcomes/review"):
        assert not replica_configured() and BIND not in db.engines
        assert reporting_engine() is db.engine
        with report_reads() as connection:
            assert connection is db.session.connection()
        with reporting_connection() as connection:  # the export's own read, on the primary
            assert connection.engine is db.engine
            assert connection.scalar(select(func.count(Clinic.id))) == 0


def test_migrations_see_only_the_primary_with_a_replica_configured(database_url, replica_url):
    """The bind has no models: `flask db check` and `db upgrade` stay about the primary."""
    app = app_for(database_url, REPLICA_DATABASE_URL=replica_url)
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert not db.metadatas[BIND].tables  # no model is bound to it: nothing to migrate
        assert db.session.get_bind(mapper=User.__mapper__) is db.engine
        for engine in db.engines.values():
            engine.dispose()
