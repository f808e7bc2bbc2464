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
- writers take turns fairly. SQLite's busy handler does not queue: a waiting writer sleeps
  and polls (up to 100 ms between tries), so a writer that commits and begins again at once
  can win the lock every time while another process's short write, a page's audit row,
  waits for seconds. Every write transaction therefore first takes an exclusive ``flock``
  on a file next to the database (``<database>-writelock``), which the kernel hands to a
  waiter the moment it is released, and holds it until its connection goes back to the pool
  (after the commit). Without ``fcntl`` (Windows) the busy handler alone decides.
"""

import os

from sqlalchemy import event
from sqlalchemy.engine import Engine

from tracker.transactions import is_reading

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, the busy handler alone
    fcntl = None

_TURN = "write_turn_fd"  # the connection record's lock-file descriptor, while it holds the turn


def configure_engine(engine: Engine) -> None:
    """Attach the per-dialect connection behaviour to ``engine``."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        lock_path = (f"{database}-writelock"
                     if fcntl is not None and database and database != ":memory:" else None)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", lambda connection: _sqlite_begin(connection, lock_path))
        event.listen(engine, "checkin", _end_write_turn)
        event.listen(engine, "close", _end_write_turn)


def _sqlite_on_connect(dbapi_connection, _record):
    # Hand transaction control to SQLAlchemy's "begin" event (pysqlite's own implicit BEGIN
    # is deferred and would undo the point of the exercise).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _take_write_turn(connection, lock_path: str) -> None:
    """Wait for this connection's turn to write (before ``BEGIN IMMEDIATE``)."""
    info = connection.connection.info
    if _TURN in info:  # a turn already held is kept until the connection goes back
        return
    descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    except BaseException:
        os.close(descriptor)
        raise
    info[_TURN] = descriptor


def _end_write_turn(_dbapi_connection, connection_record) -> None:
    """The connection is back in the pool (its transaction ended) or closed: next writer."""
    descriptor = connection_record.info.pop(_TURN, None)
    if descriptor is not None:
        os.close(descriptor)  # closing the descriptor releases its flock


def _sqlite_begin(connection, lock_path: str | None) -> None:
    if is_reading():
        connection.exec_driver_sql("BEGIN")
        return
    if lock_path:
        _take_write_turn(connection, lock_path)
    connection.exec_driver_sql("BEGIN IMMEDIATE")
