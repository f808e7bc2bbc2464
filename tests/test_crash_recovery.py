"""A power cut in the middle of a busy morning: gunicorn with 4 workers, several users saving
sessions and registering patients while others read, then ``kill -9`` of the whole server
mid-write and a restart. Every write a user saw acknowledged is there, whole; nothing is
half-written; the database and the audit chain check clean; nobody met "database is locked"
and nothing answered 500. On the backend under test (SQLite, or TEST_DATABASE_URL)."""

import http.client
import re
import threading
import time

import pytest
from sqlalchemy import func, select, text

from tests.conftest import PASSWORD, app_for
from tests.live_server import LiveServer
from tests.sessions.helpers import point_row, session_form
from tracker.audit.models import AuditEvent
from tracker.audit.services import verify_audit_log
from tracker.extensions import db
from tracker.patients.models import Patient
from tracker.sessions.models import TreatmentSession

SECRET = "test-secret"  # the tests' key: the audit chain's sealed head is signed with it
WRITING_SECONDS = 4
ROWS = [point_row("ST36", "left"), point_row("SP6", "right"), point_row("LI11", "left"),
        point_row("GB34", "right")]


class Morning:
    """Users at work on the live server; what each was told."""

    def __init__(self, server: LiveServer, world: dict):
        self.server, self.world = server, world
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.sessions: set[int] = set()  # acknowledged: the user saw the saved note
        self.patients: set[int] = set()
        self.statuses: list[int] = []

    def _note(self, status: int, bucket: set | None = None, location: str = "",
              pattern: str = "") -> None:
        with self.lock:
            self.statuses.append(status)
            if bucket is not None and status == 302 and (found := re.search(pattern, location)):
                bucket.add(int(found.group(1)))

    def record_sessions(self) -> None:
        side = self.world["a"]
        browser = self.server.client().login(side["practitioner"].email, PASSWORD)
        new = f"/patients/{side['patient'].id}/sessions/new"
        form = session_form(points=ROWS, episode_id=str(side["episode"].id),
                            needles_inserted="4", needles_removed="4")
        self._until_stopped(browser, lambda: (browser.get(new), browser.post(new, form))[1],
                            self.sessions, r"/sessions/(\d+)$")

    def register_patients(self) -> None:
        browser = self.server.client().login(self.world["a"]["reception"].email, PASSWORD)
        count = iter(range(10**6))

        def register():
            browser.get("/patients/new")
            return browser.post("/patients/new", {
                "family_name": f"Crash{next(count)}", "given_name": "Test", "sex": "female",
                "date_of_birth": "1980-04-02", "preferred_language": "ja"})

        self._until_stopped(browser, register, self.patients, r"/patients/(\d+)$")

    def read_pages(self) -> None:
        side = self.world["a"]
        browser = self.server.client().login(side["admin"].email, PASSWORD)
        pages = iter(["/patients/", f"/patients/{side['patient'].id}"] * 10**6)
        self._until_stopped(browser, lambda: browser.get(next(pages)))

    def _until_stopped(self, browser, act, bucket=None, pattern="") -> None:
        while not self.stop.is_set():
            try:
                response = act()
            except (OSError, http.client.HTTPException):
                return  # the server was killed under this request (even mid-answer): unacknowledged
            self._note(response.status, bucket, response.location, pattern)


def start_morning(server: LiveServer, world: dict) -> tuple[Morning, list[threading.Thread]]:
    morning = Morning(server, world)
    users = [morning.record_sessions] * 3 + [morning.register_patients] + [morning.read_pages] * 2
    threads = [threading.Thread(target=user, daemon=True) for user in users]
    for thread in threads:
        thread.start()
    return morning, threads


@pytest.fixture
def server(database_url, clinic_world, app, tmp_path):
    with app.app_context():
        db.engine.dispose()  # the test's own connections are not the server's business
    live = LiveServer(database_url, workers=4, secret_key=SECRET, log=tmp_path / "gunicorn.log")
    yield live
    live.stop()


def test_kill_minus_nine_mid_write_loses_no_acknowledged_write(database_url, clinic_world,
                                                                server):
    server.start()
    morning, threads = start_morning(server, clinic_world)
    time.sleep(WRITING_SECONDS)
    # A loaded machine boots the workers slowly: write on until enough is saved to judge.
    deadline = time.monotonic() + 90
    while len(morning.sessions) < 8 and time.monotonic() < deadline:
        time.sleep(0.2)
    server.kill()  # mid-write: three users are saving at any moment
    morning.stop.set()
    for thread in threads:
        thread.join(timeout=30)

    server.start()  # the restart: it must come up on what the crash left
    after, threads = start_morning(server, clinic_world)
    # Until the restarted server has saved a session (seconds on a loaded machine), at most 60 s.
    deadline = time.monotonic() + 60
    while not after.sessions and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    after.stop.set()
    for thread in threads:
        thread.join(timeout=30)
    server.stop()

    statuses = morning.statuses + after.statuses
    assert len(morning.sessions) >= 5 and after.sessions, "too little was written to judge"
    assert set(statuses) <= {200, 302}, sorted(set(statuses))
    assert "database is locked" not in server.log()
    assert "Traceback" not in server.log()

    checker = app_for(database_url)
    with checker.app_context():
        stored = dict(db.session.execute(
            select(TreatmentSession.id, func.count())
            .join(TreatmentSession.points).group_by(TreatmentSession.id)).all())
        every_session = set(db.session.scalars(select(TreatmentSession.id)))
        patients = set(db.session.scalars(select(Patient.id)))
        audited = set(db.session.scalars(
            select(AuditEvent.entity_id).where(AuditEvent.action == "session.create")))
        # Every acknowledged write is there.
        assert morning.sessions | after.sessions <= every_session
        assert morning.patients | after.patients <= patients
        # Nothing half-written: each session has all its rows and its audit event.
        assert every_session == set(stored) and set(stored.values()) == {len(ROWS)}
        assert every_session <= audited
        assert verify_audit_log() is None
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        db.session.remove()
        db.engine.dispose()
