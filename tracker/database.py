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
  exclusive ``flock`` on a file next to the database (``<database>-writelock``). A writer
  that finds it taken waits for it in the kernel, which wakes the waiters the moment it is
  free (polling it every few milliseconds instead left each turn idle for up to a poll, and
  eight writers' p95 half as long again as their p50); it gives up after the busy timeout
  with the same "database is locked" error as SQLite's own. The turn ends when the
  transaction does (commit or rollback) and, should a connection go back to the pool or
  close without either, then. Without ``fcntl`` (Windows) the busy handler alone decides.
"""

import os
import sqlite3
import threading

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from tracker.transactions import is_reading, reuses_plans

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, the busy handler alone
    fcntl = None

_TURN = "write_turn_fd"  # the connection record's lock-file descriptor, while it holds the turn


def configure_engine(engine: Engine, *, busy_timeout: float = 10, cache_mib: int = 2) -> None:
    """Attach the per-dialect connection behaviour to ``engine`` (``cache_mib``: each SQLite
    connection's page cache)."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        lock_path = (f"{database}-writelock"
                     if fcntl is not None and database and database != ":memory:" else None)
        event.listen(engine, "connect",
                     lambda dbapi_connection, _record: _sqlite_on_connect(dbapi_connection,
                                                                          cache_mib))
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


def _sqlite_on_connect(dbapi_connection, cache_mib: int) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event (pysqlite's own implicit BEGIN
    # is deferred and would undo the point of the exercise).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A negative size is in KiB. A cache is per connection and starts again whenever another
    # connection has written, so it pays where pages are read far more than written: a
    # clinic's. Memory-mapping the file instead (mmap_size) gave the same, but its pages
    # count in every worker's resident memory, which the export's budget measures.
    cursor.execute(f"PRAGMA cache_size=-{int(cache_mib) * 1024}")
    cursor.close()


def _take_write_turn(connection, lock_path: str, timeout: float) -> None:
    """Wait for this connection's turn to write (before ``BEGIN IMMEDIATE``)."""
    info = connection.connection.info
    if _TURN in info:
        return
    descriptor = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if not _wait_for_turn(descriptor, timeout):
            raise OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError(
                "database is locked")) from None
    except BaseException:
        os.close(descriptor)
        raise
    info[_TURN] = descriptor


def _wait_for_turn(descriptor: int, timeout: float) -> bool:
    """Block on the turn's lock until it is ours (True) or ``timeout`` seconds pass (False).

    ``flock`` itself cannot time out, so a helper thread blocks in it (releasing the GIL)
    while the request waits for that thread. A waiter that gives up leaves the descriptor to
    the thread, which closes it on getting the lock: the turn passes straight on.
    """
    got_it = threading.Event()
    guard = threading.Lock()
    gave_up = False

    def block() -> None:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:
            os.close(descriptor)
            return
        with guard:
            if gave_up:
                os.close(descriptor)
                return
            got_it.set()

    threading.Thread(target=block, name="sqlite-write-turn", daemon=True).start()
    try:
        got_it.wait(timeout)
    except BaseException:  # interrupted while waiting: the turn must not stay with nobody
        with guard:
            if got_it.is_set():
                os.close(descriptor)
            gave_up = True
        raise
    with guard:
        gave_up = not got_it.is_set()  # (or taken just as the wait ended: ours all the same)
    return not gave_up


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
