"""Shared fixtures.

The schema is built once per test run by the real Alembic migrations (so the audit-log
triggers exist, and migrations are exercised on every run), then each test gets a clean copy:

- SQLite (default): the migrated file is copied for every test;
- PostgreSQL (``TEST_DATABASE_URL=postgresql://...``): the database is migrated once and every
  table but the point catalog is truncated before each test.

Either way the point catalog is loaded once, as ``make run`` loads it.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from tests.factories import Factory
from tracker import create_app
from tracker.config import normalise_database_url
from tracker.extensions import db
from tracker.points.services import load_catalog
from tracker.sessions.queries import forget_signed_rows

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# The browser journeys need Chromium and a live server: `make test-e2e` runs them on their
# own (TRACKER_E2E=1, tests/e2e/conftest.py); `make test` leaves them out.
collect_ignore = [] if os.environ.get("TRACKER_E2E") else ["e2e"]
PASSWORD = "correct horse battery staple"

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "SQLALCHEMY_RECORD_QUERIES": True,
    # Argon2id stays the algorithm; only its cost drops so hundreds of logins stay fast.
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_KIB": 1024,
    "SESSION_COOKIE_SECURE": False,
}


def app_for(database_url: str, **overrides):
    return create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **overrides})


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """The URL of a freshly migrated template database."""
    if TEST_DATABASE_URL:
        reset_postgres_schema(TEST_DATABASE_URL)
        url = TEST_DATABASE_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'template.sqlite'}"
    app = app_for(url)
    with app.app_context():
        upgrade()
        load_catalog()  # reference data, as `make run` loads it; kept between tests
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return url


def reset_postgres_schema(url: str) -> None:
    engine = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def truncate_all(url: str) -> None:
    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        tables = (
            connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('alembic_version', 'points', 'point_aliases')"
                )
            )
            .scalars()
            .all()
        )
        # TRUNCATE does not fire the row-level append-only trigger on audit_events.
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A brand-new, empty PostgreSQL database next to TEST_DATABASE_URL (its URL), dropped
    afterwards: for tests that need a database of their own."""
    admin_url = normalise_database_url(TEST_DATABASE_URL)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def throwaway_postgres():
    """A brand-new, empty PostgreSQL database next to TEST_DATABASE_URL, dropped afterwards."""
    with postgres_database("tracker_migrations") as url:
        yield url


@pytest.fixture
def empty_database_url(tmp_path, request):
    """An empty database on the backend under test (SQLite file, or a throw-away PG one)."""
    if TEST_DATABASE_URL:
        return request.getfixturevalue("throwaway_postgres")
    return f"sqlite:///{tmp_path / 'empty.sqlite'}"


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if TEST_DATABASE_URL:
        truncate_all(migrated_database)
        return migrated_database
    target = tmp_path / "test.sqlite"
    shutil.copyfile(migrated_database.removeprefix("sqlite:///"), target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(database_url):
    app = app_for(database_url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    """An application context for service tests (no HTTP)."""
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app):
    """Builds clinics, users, patients and intakes, committed, in their own app context."""
    return Factory(app)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email, password=PASSWORD):
        return self.client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def clinic_world(factory):
    """Two clinics, each with an admin, a practitioner and a receptionist, and a patient."""
    return factory.world()


@pytest.fixture
def as_role(client, auth, clinic_world):
    """Log the test client in as a role of the first clinic: ``as_role("reception")``."""

    def login(role: str, clinic: str = "a"):
        auth.login(clinic_world[clinic][role].email)
        return clinic_world

    return login


# Transaction control, not a page's reads or writes: left out of every statement count.
UNCOUNTED = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")


@contextmanager
def count_queries(app):
    """Count SQL statements run inside the block (``len(counter)`` afterwards). The signed
    sessions' rows the process keeps are dropped first: a count is of every read a page may
    make, whatever an earlier request left kept."""
    statements = []
    with app.app_context():
        engine = db.engine
        forget_signed_rows()

    def record(conn, cursor, statement, params, context, executemany):
        if not statement.startswith(UNCOUNTED):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def pytest_sessionfinish(session, exitstatus):
    """In CI (``TRACKER_TEST_FAIL_ON_SKIP=1``) a skipped test fails the run: a suite that
    skipped for lack of a service has not passed."""
    if not os.environ.get("TRACKER_TEST_FAIL_ON_SKIP"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"{skipped} test(s) skipped: failing the run (CI allows no skips).")
        session.exitstatus = 1
