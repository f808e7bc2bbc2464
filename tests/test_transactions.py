"""One commit point, short write transactions: a page reads without a write lock and writes
its audit row in a transaction of its own; a write is a write from its first statement; a
read that changes a model is refused; refused work is never written."""

import fcntl
import os
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from tests.conftest import PASSWORD, app_for
from tests.sessions.helpers import point_row, session_form
from tracker.audit.models import AuditEvent
from tracker.audit.services import record_event
from tracker.database import configure_engine
from tracker.extensions import db
from tracker.patients.models import Patient
from tracker.transactions import defer_write, plans_reused


@contextmanager
def statements(app):
    seen = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, params, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def table_of(statement: str) -> str:
    """The table an INSERT INTO, UPDATE or DELETE FROM statement writes."""
    words = statement.split()
    return words[1] if words[0] == "UPDATE" else words[2]


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


@pytest.fixture
def practitioner(client, as_role):
    return as_role("practitioner")


def sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


@contextmanager
def another_writer_holding_the_lock(app, seconds: float = 1.0):
    """Another user holds the write lock (SQLite's; on PostgreSQL the audit chain's head row,
    made by an earlier page's audit row) for ``seconds``, from a fifth of a second after the
    block starts. Yields the event set when the lock is given back; waits for it on exit."""
    with app.app_context():
        holder = db.engine.raw_connection()
    released = threading.Event()
    take = ("BEGIN IMMEDIATE" if sqlite(app)
            else "SELECT 1 FROM audit_chain_heads FOR NO KEY UPDATE")

    def hold():
        cursor = holder.cursor()
        if not sqlite(app):
            cursor.execute("BEGIN")
        cursor.execute(take)
        time.sleep(seconds)
        holder.commit()
        released.set()

    thread = threading.Thread(target=hold)
    thread.start()
    time.sleep(0.2)
    try:
        yield released
    finally:
        thread.join()
        holder.close()


def test_a_page_reads_without_a_write_lock_and_writes_its_audit_row_after(
        app, client, practitioner):
    patient = practitioner["a"]["patient"]
    client.get(f"/patients/{patient.id}")  # the login refresh of the first page is done
    with statements(app) as seen:
        assert client.get(f"/patients/{patient.id}").status_code == 200
    writes = [i for i, s in enumerate(seen) if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    # The page writes its audit row and moves the chain's head on: nothing else, and only
    # after every read of the page was done.
    assert {table_of(seen[i]) for i in writes} == {"audit_events", "audit_chain_heads"}
    page_reads = [i for i, s in enumerate(seen) if s.startswith("SELECT")
                  and "audit_" not in s and "pg_advisory" not in s]
    assert max(page_reads) < min(writes)
    if sqlite(app):
        begins = [i for i, s in enumerate(seen) if s.startswith("BEGIN")]
        assert seen[begins[0]] == "BEGIN"  # the page's reads: a plain transaction, no lock
        assert seen[begins[-1]] == "BEGIN IMMEDIATE"  # its audit row: a short write
        assert begins[-1] < min(writes) and begins[-1] > max(page_reads)


def test_a_write_is_a_write_from_its_first_statement(app, client, practitioner):
    patient = practitioner["a"]["patient"]
    with statements(app) as seen:
        response = client.post(f"/patients/{patient.id}/consent", data={
            "given": "yes", "consent_date": "2026-11-20", "form_version": "v2"})
    assert response.status_code == 302
    if sqlite(app):
        assert [s for s in seen if s.startswith("BEGIN")][0] == "BEGIN IMMEDIATE"
    # The audit chain is the last thing written, after the consent itself.
    tables = [table_of(s) for s in seen if s.startswith(("INSERT", "UPDATE"))]
    assert tables[0] == "consents" and tables[-2:] == ["audit_events", "audit_chain_heads"]


def test_a_page_is_served_while_another_user_holds_the_write_lock(app, client, practitioner):
    # Another writer holds the lock (SQLite's write lock; on PostgreSQL the audit chain's)
    # for a while: the page's reads go on; only its short audit write waits for the lock,
    # and it is written once the lock is free.
    patient = practitioner["a"]["patient"]
    client.get(f"/patients/{patient.id}")  # warm up: the login refresh is done
    before = audit_count(app)
    with another_writer_holding_the_lock(app) as released:
        response = client.get(f"/patients/{patient.id}")
    assert response.status_code == 200 and released.is_set()
    assert audit_count(app) == before + 1


def test_deferred_work_is_written_only_when_the_request_is(database_url, clinic_world):
    app = app_for(database_url)

    def _ok():
        defer_write(lambda: db.session.add(Patient(clinic_id=1, chart_number="D-1",
                                                   family_name="Deferred", given_name="Ok",
                                                   search_text="")))
        return "ok"

    def _refused():
        defer_write(lambda: db.session.add(Patient(clinic_id=1, chart_number="D-2",
                                                   family_name="Deferred", given_name="No",
                                                   search_text="")))
        return "no", 422

    app.add_url_rule("/_test/ok", "ok", _ok, methods=["POST"])
    app.add_url_rule("/_test/refused", "refused", _refused, methods=["POST"])
    client = app.test_client()
    assert client.post("/_test/ok").status_code == 200
    assert client.post("/_test/refused").status_code == 422
    with app.app_context():
        numbers = db.session.scalars(select(Patient.chart_number)
                                     .where(Patient.chart_number.like("D-%"))).all()
        assert numbers == ["D-1"]
        db.session.remove()
        db.engine.dispose()


def test_a_page_that_changes_a_model_is_refused_and_writes_nothing(database_url, clinic_world):
    app = app_for(database_url)

    def _changes_while_reading():
        patient = db.session.scalars(select(Patient)).first()
        patient.family_name = "Changed by a GET"
        db.session.flush()
        return "changed"

    app.add_url_rule("/_test/reading", "reading", _changes_while_reading)
    with pytest.raises(RuntimeError, match="A read changed"):
        app.test_client().get("/_test/reading")
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(
            Patient.family_name == "Changed by a GET")) == 0
        db.session.remove()
        db.engine.dispose()


def test_login_and_a_page_view_are_audited_once_each(app, client, clinic_world):
    before = audit_count(app)
    client.post("/login", data={"email": "practitioner@a.test", "password": PASSWORD})
    client.get(f"/patients/{clinic_world['a']['patient'].id}")
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.id > before)
                                     .order_by(AuditEvent.id)).all()
    assert actions == ["login", "patient.view"]
    with app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1


def test_the_caution_preview_is_posted_but_only_reads(app, client, practitioner):
    # The live preview is a POST only to carry the unsaved form: it must not queue behind a
    # writer, so it reads in a plain transaction and writes nothing but its audit trail.
    side = practitioner["a"]
    client.get(f"/patients/{side['patient'].id}")  # the login refresh of the first page is done
    data = session_form(episode_id=str(side["episode"].id),
                        points=[point_row("LI4", "left"), point_row("GB21", "right")])
    with statements(app) as seen:
        response = client.post(f"/patients/{side['patient'].id}/sessions/cautions", data=data)
    assert response.status_code == 200 and "cautions" in response.get_json()
    written = {table_of(s) for s in seen if s.startswith(("INSERT", "UPDATE", "DELETE"))}
    assert written <= {"audit_events", "audit_chain_heads"}
    if sqlite(app):
        assert [s for s in seen if s.startswith("BEGIN")][0] == "BEGIN"


def test_the_write_turn_is_handed_on_at_commit(app, clinic_world):
    # Writers queue fairly and the turn passes the moment a write commits. SQLite's busy
    # handler polls (a busy writer could starve a page's short audit write), so SQLite
    # writers take turns through a lock file; on PostgreSQL the turn that every write takes
    # is the audit chain's head row, and PostgreSQL queues its waiters itself.
    with app.app_context():  # the chain has a head from its first event on
        record_event("test.first", actor=None)
        db.session.commit()
    lock_path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + "-writelock"

    def turn_is_free() -> bool:
        if not sqlite(app):
            with app.app_context(), db.engine.connect() as other:
                other.execute(text("SET lock_timeout = '50ms'"))
                try:
                    other.execute(text("SELECT 1 FROM audit_chain_heads FOR NO KEY UPDATE"))
                    return True
                except OperationalError:
                    return False
        descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(descriptor)

    assert turn_is_free()
    with app.app_context():
        db.session.get(Patient, clinic_world["a"]["patient"].id).phone = "03-0000-0000"
        record_event("test.change", actor=None)  # outside a request: appended at once
        assert not turn_is_free()
        db.session.commit()
        assert turn_is_free()


def _sqlite_writer(path, busy_timeout: float):
    """An engine on the SQLite file ``path`` set up as the app's are (its write turns)."""
    engine = create_engine(f"sqlite:///{path}")
    configure_engine(engine, busy_timeout=busy_timeout)
    return engine


def _turn_helpers_left(within: float = 5) -> list[threading.Thread]:
    deadline = time.monotonic() + within
    while True:
        left = [t for t in threading.enumerate() if t.name == "sqlite-write-turn"]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.01)


def _write_in_thread(engine, value: int, order: list) -> threading.Thread:
    def write():
        with engine.begin() as connection:
            order.append(f"writer {value} has the turn")
            connection.execute(text("INSERT INTO turns VALUES (:n)"), {"n": value})

    thread = threading.Thread(target=write)
    thread.start()
    return thread


def test_a_waiting_sqlite_writer_gets_the_turn_when_the_holder_commits(tmp_path):
    # The write turn of every SQLite database (whatever the suite's own database is).
    path = tmp_path / "turns.sqlite"
    holder, waiter = _sqlite_writer(path, 10), _sqlite_writer(path, 10)
    with holder.begin() as connection:
        connection.execute(text("CREATE TABLE turns (n INTEGER)"))
    order = []
    with holder.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("INSERT INTO turns VALUES (1)"))
        thread = _write_in_thread(waiter, 2, order)
        thread.join(0.3)
        assert thread.is_alive(), "the second writer must wait while the first writes"
        order.append("writer 1 commits")
        transaction.commit()
    thread.join(10)
    assert not thread.is_alive()
    assert order == ["writer 1 commits", "writer 2 has the turn"]
    with holder.connect() as connection:
        assert connection.scalars(text("SELECT n FROM turns ORDER BY n")).all() == [1, 2]
    assert _turn_helpers_left() == []


def test_a_sqlite_writer_that_gives_up_waiting_leaves_the_turn_to_the_next(tmp_path):
    path = tmp_path / "turns.sqlite"
    holder, impatient, patient = (_sqlite_writer(path, 10), _sqlite_writer(path, 0.2),
                                  _sqlite_writer(path, 10))
    with holder.begin() as connection:
        connection.execute(text("CREATE TABLE turns (n INTEGER)"))
    with holder.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("INSERT INTO turns VALUES (1)"))
        with pytest.raises(OperationalError, match="database is locked"), impatient.begin() as late:
            late.execute(text("INSERT INTO turns VALUES (2)"))
        transaction.commit()
    # The impatient writer's wait gets the turn now that it is free, and hands it straight on.
    thread = _write_in_thread(patient, 3, [])
    thread.join(10)
    assert not thread.is_alive(), "an abandoned wait kept the write turn"
    with holder.connect() as connection:
        assert connection.scalars(text("SELECT n FROM turns ORDER BY n")).all() == [1, 3]
    assert _turn_helpers_left() == []


def test_a_new_session_is_checked_before_it_waits_for_the_write_lock(app, client, practitioner):
    # The session form is parsed, validated and checked for cautions while reading: a form
    # with a mistake is answered while another user holds the write lock, not after it.
    side = practitioner["a"]
    refused = session_form(episode_id=str(side["episode"].id), pain_before="11")
    # Once before: the login refresh, and the form's templates compiled (on a busy machine
    # compiling took longer than the lock below is held, and the answer came after it).
    client.post(f"/patients/{side['patient'].id}/sessions/new", data=refused)
    with another_writer_holding_the_lock(app, seconds=3.0) as released:
        response = client.post(f"/patients/{side['patient'].id}/sessions/new", data=refused)
        answered_while_held = not released.is_set()
    assert response.status_code == 422 and answered_while_held


def test_a_new_session_writes_in_one_transaction_after_its_checks(app, client, practitioner):
    side = practitioner["a"]
    client.get(f"/patients/{side['patient'].id}")
    with statements(app) as seen:
        response = client.post(f"/patients/{side['patient'].id}/sessions/new",
                               data=session_form(episode_id=str(side["episode"].id)))
    assert response.status_code == 302
    writes = [i for i, s in enumerate(seen) if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    tables = [table_of(seen[i]) for i in writes]
    assert tables[0] == "treatment_sessions" and "point_applications" in tables
    assert tables[-2:] == ["audit_events", "audit_chain_heads"]
    # The form's checks look its points up in the catalog before anything is written.
    catalog_reads = [i for i, s in enumerate(seen) if s.startswith("SELECT") and "FROM points" in s]
    assert catalog_reads and catalog_reads[0] < min(writes)
    if sqlite(app):
        begins = [(i, s) for i, s in enumerate(seen) if s.startswith("BEGIN")]
        assert begins[0][1] == "BEGIN"  # the checks: a plain transaction, no lock
        write_begins = [i for i, s in begins if s == "BEGIN IMMEDIATE"]
        # One write transaction, taken after the checks, holding every write.
        assert len(write_begins) == 1
        assert catalog_reads[0] < write_begins[0] < min(writes)


def test_a_page_and_its_audit_row_are_one_transaction_on_postgresql_two_on_sqlite(
        app, client, practitioner):
    # SQLite: the reads in a plain transaction, the audit row in a short write one (the
    # write lock). PostgreSQL: reading holds no lock a writer waits for, so the audit row
    # is written at the end of the same transaction (two round trips fewer a page).
    patient = practitioner["a"]["patient"]
    client.get(f"/patients/{patient.id}")  # the login refresh of the first page is done
    before = audit_count(app)
    with app.app_context():
        engine = db.engine
    commits = []

    def count(_connection):
        commits.append(1)

    event.listen(engine, "commit", count)
    try:
        assert client.get(f"/patients/{patient.id}").status_code == 200
    finally:
        event.remove(engine, "commit", count)
    assert len(commits) == (2 if sqlite(app) else 1)
    assert audit_count(app) == before + 1


def test_only_views_picking_rows_by_id_let_postgresql_keep_a_plan(database_url):
    """A view marked ``plans_reused`` runs with ``plan_cache_mode = auto`` for its
    transaction only: the next request on the same pooled connection, to a clinic-wide page,
    is planned afresh again (a generic plan over a date range once cost the outcome review
    ten times its time)."""
    app = app_for(database_url)

    def _plan_cache_mode():
        if db.engine.dialect.name != "postgresql":
            return "not PostgreSQL"
        return db.session.scalar(text("SELECT current_setting('plan_cache_mode')"))

    def _by_id():
        return _plan_cache_mode()

    app.add_url_rule("/_test/by-id", "by_id", plans_reused(_by_id))
    app.add_url_rule("/_test/clinic-wide", "clinic_wide", _plan_cache_mode)
    client = app.test_client()
    answers = [client.get(path).get_data(as_text=True)
               for path in ("/_test/by-id", "/_test/clinic-wide") * 3]
    if database_url.startswith("postgresql"):
        assert answers == ["auto", "force_custom_plan"] * 3
    else:
        assert answers == ["not PostgreSQL"] * 6
    marked = {name for name, view in app.view_functions.items()
              if getattr(view, "plans_reused", False)}
    assert {"chart.patient", "outcomes.progress", "sessions.create", "sessions.sign",
            "by_id"} <= marked
    assert not marked & {"outcomes.review", "outcomes.follow_ups", "main.home",
                         "patients.index", "clinic_wide"}
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
