"""Bulk loading for the generator (bench/generate.py): rows in the column order of the real
tables, encoded as SQLAlchemy would encode them, written with ``executemany`` on SQLite and
``COPY`` on PostgreSQL, then the sequences, statistics and triggers put right.

The signed-note triggers (migration c3e8a5f1d2b4) refuse a point row for a session that is
already signed, which is every generated history row; a restore has the same problem and
solves it the same way. On PostgreSQL the load runs with ``session_replication_role =
replica`` (the way ``pg_restore --disable-triggers`` does it: no trigger fires, foreign-key
checks included, for this connection only). On SQLite the triggers are dropped for the load
and created again from their own stored SQL afterwards, also when the load fails; a load
killed outright leaves a database without them (it is a throw-away benchmark database
anyway: generate a new one).
"""

import json
from datetime import UTC, datetime

from sqlalchemy import JSON, Date, Numeric

from tracker.db_types import UTCDateTime


class Table:
    """One real table: its columns in order, the model's default for each column a row
    leaves out, and the encoders of the columns whose Python values the driver cannot take
    as they are."""

    def __init__(self, table, backend: str):
        self.name, self._table = table.name, table
        # An ORM insert sentinel (``db_types.batch_sentinel``) is only for the ORM's own
        # multi-row INSERTs: left NULL, as on every row not saved that way.
        columns = [column for column in table.columns if not _is_sentinel(column)]
        self.columns = tuple(column.name for column in columns)
        self._defaults = tuple((column.name, _default(column)) for column in columns)
        self._encoders = tuple((index, encoder) for index, column in enumerate(columns)
                               if (encoder := _encoder(column, backend)) is not None)

    def check_left_out(self, columns) -> None:
        """Refuse tuples that leave out a column needing a value (one added since)."""
        needed = [column.name for column in self._table.columns if column.name not in columns
                  and not _is_sentinel(column) and (not column.nullable
                                                     or column.default is not None
                                                     or column.server_default is not None)]
        if needed:
            raise RuntimeError(f"{self.name} rows leave out {needed}: add them")

    def encode(self, rows: list[dict]) -> list[list]:
        if rows and (unknown := rows[0].keys() - set(self.columns)):
            raise KeyError(f"{self.name} has no column {sorted(unknown)}")
        encoded = []
        for values in rows:
            row = [values.get(name, default) for name, default in self._defaults]
            for index, encoder in self._encoders:
                if row[index] is not None:
                    row[index] = encoder(row[index])
            encoded.append(row)
        return encoded


def _is_sentinel(column) -> bool:
    return column.default is not None and getattr(column.default, "is_sentinel", False)


def _default(column):
    """The model's Python-side default (scalars, and [] or {} for JSON lists and objects)."""
    default = column.default
    if default is None:
        return None
    return default.arg(None) if default.is_callable else default.arg


def _encoder(column, backend: str):
    if isinstance(column.type, JSON):
        return json.dumps  # as SQLAlchemy serialises JSON (text in COPY, too)
    if backend == "postgresql":
        return None  # psycopg takes aware datetimes, dates and Decimals as they are
    if isinstance(column.type, UTCDateTime):
        return sqlite_timestamp
    if isinstance(column.type, Date):
        return date_text
    if isinstance(column.type, Numeric):
        return float  # SQLAlchemy binds a Decimal as a float on SQLite
    return None


def encoders_for(backend: str) -> dict:
    """How rows built as tuples encode their values, as ``Table`` would."""
    if backend == "postgresql":
        return {"timestamp": _same, "date": _same, "json": json.dumps, "number": _same}
    return {"timestamp": sqlite_timestamp, "date": date_text, "json": json.dumps,
            "number": float}


def _same(value):
    return value


def sqlite_timestamp(moment: datetime) -> str:
    """What SQLAlchemy stores for a DateTime on SQLite: "2024-05-06 07:08:09.000010"."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def date_text(day) -> str:
    return day.isoformat()


def check_sqlite_encoding(dialect) -> None:
    """Refuse to load when SQLAlchemy's own encoding of a timestamp differs from ours (the
    app compares stored timestamps as text on SQLite)."""
    moment = datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=UTC)
    expected = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)(moment)
    if sqlite_timestamp(moment) != expected:
        raise RuntimeError(f"SQLite timestamps are stored as {expected!r}, not "
                           f"{sqlite_timestamp(moment)!r}: update sqlite_timestamp")


def loader_for(engine):
    if engine.dialect.name == "sqlite":
        check_sqlite_encoding(engine.dialect)
        return SQLiteLoader(engine)
    if engine.dialect.name == "postgresql":
        return PostgresLoader(engine)
    raise ValueError(f"cannot load into {engine.dialect.name}: SQLite or PostgreSQL")


class SQLiteLoader:
    """``executemany`` in one transaction per batch, with syncing off while loading."""

    def __init__(self, engine):
        engine.dispose()  # no other connection: the journal mode can change
        self._pooled = engine.raw_connection()
        # The app's connect hook left it in autocommit mode, foreign keys on, WAL: the
        # transactions below are ours. A rollback journal in memory and no syncing while
        # loading (WAL would write every page twice); WAL again at the end.
        self.raw = self._pooled.driver_connection
        self.raw.execute("PRAGMA journal_mode=MEMORY")
        self.raw.execute("PRAGMA synchronous=OFF")
        self.raw.execute("PRAGMA cache_size=-262144")  # 256 MiB for the index pages
        self._triggers = self.raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE '%protect_signed%'").fetchall()
        self.raw.execute("BEGIN")
        for name, _sql in self._triggers:
            self.raw.execute(f'DROP TRIGGER "{name}"')

    def insert(self, table: Table, rows: list[dict]) -> None:
        self.insert_tuples(table.name, table.columns, table.encode(rows))

    def insert_tuples(self, name: str, columns, rows) -> None:
        if rows:
            marks = ", ".join("?" * len(columns))
            self.raw.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})",
                                 rows)

    def commit(self) -> None:
        self.raw.execute("COMMIT")
        self.raw.execute("BEGIN")

    def finish(self, tables, *, failed: bool = False) -> None:
        raw = self.raw
        try:
            raw.execute("ROLLBACK" if failed else "COMMIT")
            raw.execute("BEGIN")
            present = {name for (name,) in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            for name, sql in self._triggers:
                if name not in present:  # a failure before the first commit kept them
                    raw.execute(sql)
            raw.execute("COMMIT")
            if not failed:
                raw.execute("PRAGMA analysis_limit=2000")  # sampled: seconds, not minutes
                raw.execute("ANALYZE")
            raw.execute("PRAGMA journal_mode=WAL")
            raw.execute("PRAGMA synchronous=NORMAL")
        finally:
            self._pooled.close()


class PostgresLoader:
    """``COPY ... FROM STDIN`` with triggers off for this connection, a commit per batch."""

    def __init__(self, engine):
        self._pooled = engine.raw_connection()
        self.raw = self._pooled.driver_connection
        self.raw.execute("SET session_replication_role = replica")

    def insert(self, table: Table, rows: list[dict]) -> None:
        self.insert_tuples(table.name, table.columns, table.encode(rows))

    def insert_tuples(self, name: str, columns, rows) -> None:
        if not rows:
            return
        with self.raw.cursor() as cursor, cursor.copy(
                f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def commit(self) -> None:
        self.raw.commit()

    def finish(self, tables, *, failed: bool = False) -> None:
        raw = self.raw
        try:
            if failed:
                raw.rollback()
            else:
                raw.commit()
            raw.execute("RESET session_replication_role")
            if not failed:
                # Ids were given, so each sequence must move past them.
                for name in tables:
                    raw.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                f"max(id)) FROM {name} HAVING max(id) IS NOT NULL")
            raw.commit()
            if not failed:
                # VACUUM as well as ANALYZE: tables just filled by COPY are otherwise what
                # autovacuum works through (hint bits, visibility map) while the benchmark
                # runs, on the same cores. A clinic's database is vacuumed as it grows.
                raw.autocommit = True
                raw.execute("VACUUM (ANALYZE)")
                raw.autocommit = False
        finally:
            self._pooled.close()
