"""Where the clinic-wide reports read: a read replica of the primary when one is configured
(``REPLICA_DATABASE_URL``, env ``TRACKER_REPLICA_DATABASE_URL``; docs/deploy.md), else the
primary exactly as before.

Only the reports that read a whole clinic and may be a few seconds behind read the replica:
the outcome review, the follow-up list and its CSV, the clinic-wide CSV export. Everything
else reads and writes the primary through ``db.session``, the audit rows of those reports
included: a replica refuses writes, and a patient's own pages or a clinical decision must
never read data that lags behind what was just saved.

- ``reporting_connection()``: a connection of its own in one read-only transaction (on
  PostgreSQL REPEATABLE READ, so every statement sees the same snapshot), on the replica when
  configured, else on the primary. For a read that outlives the request (the streamed CSV).
- ``report_reads()``: for a report computed inside a request. With a replica, the same as
  ``reporting_connection()``; without one, the request's own connection
  (``db.session.connection()``), so the report reads in the request's transaction as it
  always did. Either way the request's one commit point (``tracker.transactions``) is
  untouched: the replica's connection is never part of the request's transaction, and
  nothing is ever written through it.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import Connection, Engine

from tracker.extensions import db

BIND = "replica"  # the Flask-SQLAlchemy bind key (config.load_config sets SQLALCHEMY_BINDS)


def replica_configured() -> bool:
    return bool(current_app.config.get("REPLICA_DATABASE_URL"))


def reporting_engine() -> Engine:
    """The replica's engine when one is configured, else the primary's."""
    return db.engines[BIND] if replica_configured() else db.engine


@contextmanager
def reporting_connection() -> Iterator[Connection]:
    """A connection of its own in one read transaction on ``reporting_engine()``: every
    statement sees the same snapshot (PostgreSQL: REPEATABLE READ, read only; SQLite: one
    transaction, begun without a write lock while a request reads, ``database.py``)."""
    with reporting_engine().connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ",
                                         postgresql_readonly=True)
        with connection.begin():
            yield connection


@contextmanager
def report_reads() -> Iterator[Connection]:
    """What a report inside a request executes its statements on: the replica (a read of its
    own, ended when the block ends) when configured, else the request's own connection."""
    if not replica_configured():
        yield db.session.connection()
        return
    with reporting_connection() as connection:
        yield connection
