"""Backups restore to an identical, verifiable database (SQLite online backup; pg_dump and
pg_restore on PostgreSQL), and a restore never replaces records by accident."""

from sqlalchemy import MetaData, func, select

from tests.conftest import app_for
from tests.factories import make_session
from tracker.backups import check
from tracker.extensions import db


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        meta = MetaData()
        meta.reflect(db.engine)
        return {name: db.session.scalar(select(func.count()).select_from(table))
                for name, table in meta.tables.items()}


def test_a_backup_restores_to_an_identical_verified_database(app, runner, clinic_world,
                                                             empty_database_url, tmp_path):
    make_session(app, clinic_world["a"], sign=True)
    make_session(app, clinic_world["b"])
    before = row_counts(app)
    assert before["treatment_sessions"] == 2 and before["audit_events"] > 10
    target = tmp_path / "tracker.backup"

    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    restored = app_for(empty_database_url)
    result = restored.test_cli_runner().invoke(args=["restore", str(target)])
    assert result.exit_code == 0, result.output
    assert "Restored: integrity ok, audit chain intact." in result.output
    assert row_counts(restored) == before
    with restored.app_context():
        assert check(db.engine).integrity == "ok"
        db.engine.dispose()


def test_restore_refuses_a_database_that_holds_records(app, runner, clinic_world, tmp_path):
    target = tmp_path / "tracker.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    make_session(app, clinic_world["a"])
    after = row_counts(app)

    result = runner.invoke(args=["restore", str(target)])
    assert result.exit_code != 0 and "already holds records" in result.output
    assert row_counts(app) == after  # nothing replaced

    result = runner.invoke(args=["restore", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert row_counts(app)["treatment_sessions"] == after["treatment_sessions"] - 1


def test_restore_of_a_missing_file_says_so(runner, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path / "nowhere.backup")])
    assert result.exit_code != 0 and "No backup at" in result.output
