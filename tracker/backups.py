"""Backups that restore: a consistent copy of the whole database, taken while the app runs,
and its restoration into an empty database, checked before it is trusted.

SQLite uses its online backup API (pages copied under a read transaction: writers go on);
PostgreSQL uses ``pg_dump`` in its custom format and ``pg_restore``. docs/operations.md says
how often to run it and how to check a backup.
"""

import shutil
import sqlite3

# Runs pg_dump and pg_restore with fixed arguments and no shell (bandit B404, B603).
import subprocess  # nosec B404
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData, Table, func, inspect, select, text
from sqlalchemy.engine import Engine

from tracker.extensions import db

# A database holds someone's records once it has a clinic: restoring over it needs --force.
RECORD_TABLE = "clinics"


class BackupError(RuntimeError):
    """A backup or restore that could not be done, with what to do about it."""


@dataclass
class RestoreReport:
    tables: dict[str, int]
    integrity: str  # "ok", or what the database's own check found


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        _sqlite_backup(engine.url.database, str(target))
    elif engine.dialect.name == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(engine)])
    else:  # pragma: no cover - the tracker runs on these two
        raise BackupError(f"No backup method for {engine.dialect.name}.")


def restore(engine: Engine, source: Path, *, force: bool = False) -> RestoreReport:
    """Replace the database's contents with the backup ``source``.

    :raises BackupError: the file is missing, or the database holds records and ``force`` is
        not given.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup at {source}.")
    if holds_records(engine) and not force:
        raise BackupError("This database already holds records: restoring would replace them. "
                          "Restore into an empty database, or add --force.")
    db.session.remove()
    engine.dispose()
    if engine.dialect.name == "sqlite":
        _sqlite_backup(str(source), engine.url.database)
    else:
        with engine.connect() as connection:  # an empty schema, then the dump into it
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
            connection.commit()
        engine.dispose()
        _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(engine)}",
              str(source)])
    return check(engine)


def check(engine: Engine) -> RestoreReport:
    """Row counts of every table and the database's own integrity check."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        counts = {name: connection.scalar(select(func.count()).select_from(table))
                  for name, table in sorted(meta.tables.items())}
        if engine.dialect.name == "sqlite":
            integrity = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
        else:
            # Every table readable to its end and every index usable: amcheck is not
            # installed everywhere, so ask for a full scan of each table.
            for table in meta.tables.values():
                connection.execute(select(func.count()).select_from(table))
            integrity = "ok"
    return RestoreReport(tables=counts, integrity=integrity)


def holds_records(engine: Engine) -> bool:
    if RECORD_TABLE not in inspect(engine).get_table_names():
        return False
    with engine.connect() as connection:
        table = Table(RECORD_TABLE, MetaData(), autoload_with=connection)
        return bool(connection.scalar(select(func.count()).select_from(table)))


def _sqlite_backup(source_path: str, target_path: str) -> None:
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()


def _libpq(engine: Engine) -> str:
    """The engine's URL as pg_dump reads it (no SQLAlchemy driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client "
                          "(Debian: apt-get install postgresql-client).")
    # A fixed program and argument list, no shell: nothing a user typed reaches the command.
    finished = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip()[:500]}")
