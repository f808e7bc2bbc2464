"""The schema comes from the migrations only, and the database enforces what it promises."""

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from tests.conftest import app_for
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.patients.models import Consent

APP_TABLES = {
    "audit_events",
    "clinics",
    "consents",
    "episodes",
    "login_attempts",
    "login_sessions",
    "patients",
    "users",
}


def schema_differences(app) -> list:
    """What autogenerate would write, with the options the app's Migrate uses."""
    with db.engine.connect() as connection:
        configure_args = app.extensions["migrate"].configure_args
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": configure_args["compare_type"],
                  "include_object": configure_args["include_object"]},
        )
        return compare_metadata(context, db.metadata)


def migrate_and_compare(url: str) -> tuple[set, list]:
    app = app_for(url)
    with app.app_context():
        upgrade()
        try:
            tables = set(inspect(db.engine).get_table_names())
            return tables, schema_differences(app)
        finally:
            db.engine.dispose()


@pytest.fixture
def sqlite_app(tmp_path):
    """A migrated SQLite database whatever the backend under test (pragmas are SQLite's)."""
    app = app_for(f"sqlite:///{tmp_path / 'fresh.sqlite'}", SQLITE_BUSY_TIMEOUT_SECONDS=0.2)
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_upgrade_builds_the_models_schema_on_an_empty_sqlite_file(tmp_path):
    target = tmp_path / "brand-new.sqlite"
    assert not target.exists()
    tables, differences = migrate_and_compare(f"sqlite:///{target}")
    assert tables >= APP_TABLES
    assert "alembic_version" in tables
    assert differences == []


def test_upgrade_builds_the_models_schema_on_an_empty_database_of_the_backend(
    empty_database_url,
):
    # On a PostgreSQL run (TEST_DATABASE_URL) this is a brand-new PostgreSQL database; on a
    # SQLite run it repeats the SQLite check, so nothing is ever skipped for lack of a server.
    tables, differences = migrate_and_compare(empty_database_url)
    assert tables >= APP_TABLES
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(empty_database_url):
    app = app_for(empty_database_url)
    with app.app_context():
        try:
            upgrade()
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            assert set(inspect(db.engine).get_table_names()) >= APP_TABLES
            assert schema_differences(app) == []
        finally:
            db.engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'tampered'",
        "DELETE FROM audit_events",
    ],
)
def test_audit_events_refuse_update_and_delete_in_the_database(factory, app, statement):
    factory.clinic("Append Only Clinic")
    with app.app_context():
        before = db.session.execute(select(AuditEvent.id, AuditEvent.action)).all()
        assert before, "creating a clinic writes an audit row"
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
            db.session.commit()
        db.session.rollback()
        after = db.session.execute(select(AuditEvent.id, AuditEvent.action)).all()
    assert after == before


def test_orphan_rows_are_refused(app_ctx):
    db.session.add(Consent(patient_id=987654, given=True, consent_date=date(2026, 11, 1)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(Consent.id)) is None


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(sqlite_app):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        # The configured page cache (negative: KiB), not SQLite's 2 MiB.
        cache_kib = -sqlite_app.config["SQLITE_CACHE_MIB"] * 1024
        assert cache_kib < -2048
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == cache_kib
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            connection.execute(
                text(
                    "INSERT INTO consents (patient_id, given, consent_date, form_version, "
                    "witnessed_by, notes, recorded_at) "
                    "VALUES (987654, 1, '2026-11-01', '', '', '', '2026-11-01 00:00:00')"
                )
            )


def test_sqlite_transactions_begin_immediate(sqlite_app):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.engine.begin() as connection:
            connection.execute(select(AuditEvent.id))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements[0] == "BEGIN IMMEDIATE"


def test_sqlite_second_writer_waits_then_fails_cleanly(sqlite_app):
    """The write lock is taken at BEGIN: a second transaction cannot start, rather than
    failing half-way after it has already read and decided what to write."""
    holder = db.engine.connect()
    try:
        holder.begin()
        holder.execute(select(AuditEvent.id)).all()  # a reader only, yet it holds the lock
        second = db.engine.connect()
        try:
            with pytest.raises(OperationalError, match="database is locked"):
                second.begin()
        finally:
            second.close()
        holder.rollback()
        # Once the first transaction ends, the next one starts normally.
        with db.engine.begin() as connection:
            assert connection.execute(select(AuditEvent.id)).all() == []
    finally:
        holder.close()


def _fill_row(table, **given) -> dict:
    """A row for ``table`` with every required column filled with a plain value."""
    import datetime as dt

    from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, Numeric

    row = dict(given)
    for column in table.columns:
        if column.name in row or column.primary_key or column.nullable:
            continue
        if column.server_default is not None:
            continue
        kind = column.type
        if isinstance(kind, Boolean):
            row[column.name] = False
        elif isinstance(kind, DateTime):
            row[column.name] = dt.datetime(2026, 11, 20, 1, 0)
        elif isinstance(kind, Date):
            row[column.name] = dt.date(2026, 11, 20)
        elif isinstance(kind, Integer | Numeric):
            row[column.name] = 1
        elif isinstance(kind, JSON):
            row[column.name] = []
        else:
            row[column.name] = "x"
    return row


def test_placing_needles_keeps_existing_rows_and_their_links(empty_database_url):
    # Before: a session with an EX-B2 row at T7 that an adverse event points at, and a
    # practitioner with "10 years in practice" entered in 2026. The migration renames the
    # level column, rebuilds the tables on SQLite and turns years into the year practice began.
    from sqlalchemy import MetaData

    app = app_for(empty_database_url)
    with app.app_context():
        upgrade(revision="ac5431508d66")
        engine = db.engine
        meta = MetaData()
        meta.reflect(engine)
        t = meta.tables
        with engine.begin() as connection:
            def add(table, **values):
                result = connection.execute(
                    t[table].insert().values(_fill_row(t[table], **values)))
                return result.inserted_primary_key[0]

            clinic = add("clinics", name="Migration Clinic", timezone="Asia/Tokyo")
            user = add("users", clinic_id=clinic, email="m@example.test", role="practitioner",
                       years_in_practice=10)
            patient = add("patients", clinic_id=clinic, chart_number="M-1", sex="unknown")
            episode = add("episodes", clinic_id=clinic, patient_id=patient,
                          practitioner_id=user, status="open", baseline_nrs=5)
            visit = add("treatment_sessions", clinic_id=clinic, patient_id=patient,
                        episode_id=episode, practitioner_id=user, status="draft",
                        retention_minutes=20, pain_before=5, pain_after=3)
            point = add("point_applications", session_id=visit, position=1, point_id=None,
                        custom_label="EX-B2 typed as custom", vertebral_level="T7",
                        laterality="left", depth=10)
            add("adverse_events", clinic_id=clinic, patient_id=patient, session_id=visit,
                point_application_id=point, severity="minor", recorded_by_id=user)
        upgrade()
        with engine.connect() as connection:
            assert connection.execute(text(
                "SELECT level, region FROM point_applications")).one() == ("T7", "")
            assert connection.execute(text(
                "SELECT point_application_id FROM adverse_events")).scalar() == point
            assert connection.execute(text(
                "SELECT practising_since FROM users")).scalar() == 2016
            if engine.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_patient_search_reads_an_index_of_its_own(app, clinic_world):
    """Among 20,000 patients, the search's "contains" match (LIKE '%term%' with its escape
    character) is answered on PostgreSQL from the pg_trgm index, on SQLite from an index of
    the search texts alone (no index can look such a match up: SQLite reads that index, not
    every patient's whole row). The page's own statement, explained on the backend."""
    from tracker.patients.services import search_patients

    clinic_id = clinic_world["a"]["clinic"].id
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
        own, other = (("ix_patients_search_trigram", "ix_patients_search_scan") if postgresql
                      else ("ix_patients_search_scan", "ix_patients_search_trigram"))
        indexes = {index["name"] for index in inspect(db.engine).get_indexes("patients")}
        assert own in indexes and other not in indexes, indexes
        columns = [c["name"] for c in inspect(db.engine).get_columns("patients")
                   if c["name"] not in ("id", "chart_number", "search_text")]
        listed = ", ".join(columns)
        numbers, text_of = (
            ("generate_series(1, 20000) n", "md5(n::text)") if postgresql else
            ("(WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k "
             "WHERE n < 20000) SELECT n FROM k) AS numbers", "hex(randomblob(16))"))
        db.session.execute(text(  # 20,000 other patients of the same clinic, 400 of them Tanaka
            f"INSERT INTO patients (chart_number, search_text, {listed}) "
            f"SELECT 'X' || n, 'other patient ' || {text_of} "
            f"|| CASE WHEN n % 50 = 0 THEN ' tanaka' ELSE '' END, {listed} "
            f"FROM patients, {numbers} "
            "WHERE patients.id = (SELECT min(id) FROM patients WHERE clinic_id = :clinic)"),
            {"clinic": clinic_id})
        if postgresql:
            # New rows wait in the index's pending list until a vacuum: move them in.
            db.session.execute(text("SELECT gin_clean_pending_list('ix_patients_search_trigram')"))
        db.session.commit()  # the statistics count committed rows
        db.session.execute(text("ANALYZE"))
        # The page's own statement: its 25 rows with the count of every match on each.
        compiled = (search_patients(clinic_id, "tanaka").add_columns(func.count().over())
                    .limit(25).offset(0).compile(db.engine))
        explain = "EXPLAIN " if postgresql else "EXPLAIN QUERY PLAN "
        params = (tuple(compiled.params[name] for name in compiled.positiontup)
                  if compiled.positional else compiled.params)  # SQLite's are positional
        plan = "\n".join(str(row[-1]) for row in db.session.connection().exec_driver_sql(
            explain + str(compiled), params))
        db.session.rollback()
        assert own in plan, plan
        # Not every patient read in name order, each tested (the list's index).
        assert "ix_patients_clinic_listing" not in plan, plan


def test_patient_list_reads_a_page_and_its_count_from_an_index(app, client, as_role):
    """Among 20,000 patients, the patient list's page comes in name order from
    ``ix_patients_clinic_listing`` (no sort of every patient) and, on SQLite, its count from
    that index alone: the statements the page itself runs, explained on the backend."""
    world = as_role("reception")
    clinic_id = world["a"]["clinic"].id
    with app.app_context():
        columns = [c["name"] for c in inspect(db.engine).get_columns("patients")
                   if c["name"] not in ("id", "chart_number")]
        listed = ", ".join(columns)
        numbers = ("generate_series(1, 20000) n" if db.engine.dialect.name == "postgresql" else
                   "(WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k "
                   "WHERE n < 20000) SELECT n FROM k) AS numbers")
        db.session.execute(text(  # 20,000 more patients of the same clinic
            f"INSERT INTO patients (chart_number, {listed}) SELECT 'X' || n, {listed} "
            f"FROM patients, {numbers} "
            "WHERE patients.id = (SELECT min(id) FROM patients WHERE clinic_id = :clinic)"),
            {"clinic": clinic_id})
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        engine = db.engine
        total = db.session.scalar(text(
            "SELECT count(*) FROM patients WHERE clinic_id = :clinic AND archived_at IS NULL"),
            {"clinic": clinic_id})
    client.get("/patients/")  # the login session's refresh is not the page's
    ran = []

    def keep(conn, cursor, statement, params, context, executemany):
        if "FROM patients" in statement and "patients.id IN" not in statement:
            ran.append((statement, params))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        page = client.get("/patients/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert total > 20000 and f"{total:,} patients." in page  # the list's total, counted
    plans = []
    with app.app_context():
        connection = db.session.connection()
        for statement, params in ran:
            explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
            rows = connection.exec_driver_sql(explain + statement, params).all()
            plans.append("\n".join(str(row[-1]) for row in rows))
        db.session.rollback()
    listing, count = (next(p for (s, _), p in zip(ran, plans, strict=True) if cond(s))
                      for cond in (lambda s: "ORDER BY" in s, lambda s: "count(" in s))
    assert "ix_patients_clinic_listing" in listing, listing
    assert "TEMP B-TREE" not in listing and "Sort" not in listing, listing
    if engine.dialect.name == "sqlite":
        # Counted from an index alone, never the table: the list's own, or the search's
        # (SQLite takes the one whose rows it expects to be shorter).
        assert "USING COVERING INDEX ix_patients_" in count, count
