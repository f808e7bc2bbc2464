"""Engine set-up that differs between SQLite and PostgreSQL.

SQLite (the zero set-up default) needs four things per connection to behave like a real
clinical database (see docs/architecture.md, "Transactions"):

- ``PRAGMA foreign_keys=ON`` so rows cannot be orphaned;
- WAL so readers never block the writer;
- a busy timeout (the sqlite3 ``timeout`` argument, set in config.engine_options);
- ``BEGIN IMMEDIATE`` for every transaction that writes: a deferred transaction that reads
  and then writes fails at once with "database is locked" when another process wrote in
  between, and the busy timeout cannot help it. Taking the write lock at BEGIN makes every
  later statement safe. A request that only reads (a page) begins a plain transaction, which
  takes no lock at all in WAL mode, and writes its audit row afterwards in a short write
  transaction of its own (``tracker.transactions``).
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tracker.transactions import is_reading


def configure_engine(engine: Engine) -> None:
    """Attach the per-dialect connection behaviour to ``engine``."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)


def _sqlite_on_connect(dbapi_connection, _record):
    # Hand transaction control to SQLAlchemy's "begin" event (pysqlite's own implicit BEGIN
    # is deferred and would undo the point of the exercise).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection):
    connection.exec_driver_sql("BEGIN" if is_reading() else "BEGIN IMMEDIATE")
