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
  longer and longer between tries (up to 100 ms), so a writer that commits and begins again
  at once can win the lock every time while another process's short write, a page's audit
  row, waits for seconds. Every write transaction therefore first takes its turn: an
  exclusive ``flock`` on a file next to the database (``<database>-writelock``), tried every
  few milliseconds by every waiter alike (the same interval for all is what makes it fair),
  given up after the busy timeout with the same "database is locked" error as
  SQLite's own. The turn ends when the transaction does (commit or rollback) and, should a
  connection go back to the pool or close without either, then. Without ``fcntl`` (Windows)
  the busy handler alone decides.
"""

import os
import sqlite3
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from tracker.transactions import is_reading, reuses_plans

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, the busy handler alone
    fcntl = None

_TURN = "write_turn_fd"  # the connection record's lock-file descriptor, while it holds the turn
# Every 3 ms: at 1 ms, seven writers waiting behind an eighth spent a tenth of the machine
# waking up to ask (8 writers: 46 saves a second, p50 146 ms; at 4 ms 65 a second, 104 ms).
_TURN_POLL_SECONDS = 0.003


def configure_engine(engine: Engine, *, busy_timeout: float = 10) -> None:
    """Attach the per-dialect connection behaviour to ``engine``."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        lock_path = (f"{database}-writelock"
                     if fcntl is not None and database and database != ":memory:" else None)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin",
                     lambda connection: _sqlite_begin(connection, lock_path, busy_timeout))
        for ending in ("commit", "rollback"):
            event.listen(engine, ending, lambda connection: _end_turn(connection.connection.info))
        event.listen(engine, "checkin", lambda _dbapi, record: _end_turn(record.info))
        event.listen(engine, "close", lambda _dbapi, record: _end_turn(record.info))
    elif engine.dialect.name == "postgresql":
        event.listen(engine, "begin", _postgresql_begin)


def _postgresql_begin(connection) -> None:
    # The transaction's first statement: for as long as it lasts (the whole request, on
    # PostgreSQL: transactions._end_read), statements picked by id may keep a generic plan.
    if reuses_plans():
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = auto")


def _sqlite_on_connect(dbapi_connection, _record):
    # Hand transaction control to SQLAlchemy's "begin" event (pysqlite's own implicit BEGIN
    # is deferred and would undo the point of the exercise).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _take_write_turn(connection, lock_path: str, timeout: float) -> None:
    """Wait for this connection's turn to write (before ``BEGIN IMMEDIATE``)."""
    info = connection.connection.info
    if _TURN in info:
        return
    descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError(
                        "database is locked")) from None
                time.sleep(_TURN_POLL_SECONDS)
    except BaseException:
        os.close(descriptor)
        raise
    info[_TURN] = descriptor


def _end_turn(info: dict) -> None:
    """The transaction ended (or its connection went back unfinished): next writer."""
    descriptor = info.pop(_TURN, None)
    if descriptor is not None:
        os.close(descriptor)  # closing the descriptor releases its flock


def _sqlite_begin(connection, lock_path: str | None, timeout: float) -> None:
    if is_reading():
        connection.exec_driver_sql("BEGIN")
        return
    if lock_path:
        _take_write_turn(connection, lock_path, timeout)
    connection.exec_driver_sql("BEGIN IMMEDIATE")
