"""Column types shared by every feature's models."""

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite has no timezone type and hands back naive datetimes; PostgreSQL's ``timestamptz``
    returns aware ones. This keeps both identical for the code above it, and refuses naive
    input so a local time can never be stored as if it were UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time in UTC, for column defaults (a callable, never evaluated at import)."""
    return datetime.now(UTC)


def batch_sentinel():
    """A nullable integer column the ORM fills with each row's place in a multi-row INSERT.

    Child rows saved together (a session's point rows, techniques and cautions) are then one
    ``INSERT ... VALUES (...), (...) RETURNING id`` on SQLite as on PostgreSQL: SQLite's
    RETURNING does not promise the rows' order, so without a value of their own to match the
    returned ids to, SQLAlchemy sends one INSERT per row. Nothing reads the column.
    """
    from sqlalchemy.orm import orm_insert_sentinel

    return orm_insert_sentinel("batch_sentinel")
