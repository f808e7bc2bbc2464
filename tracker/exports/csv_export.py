"""Treatment sessions as CSV (docs/export-formats.md, "CSV"): one row a session, or with
``points`` one row a point application; for one patient (``render``, in the registry of
formats) or for a clinic's range of dates (``CsvStream``, sent as it is read).

Rows are read with Core selects of plain columns (``csv_queries``), never an ORM object
per row, and fetched ``BATCH`` at a time. In the sessions mode each session's point rows,
techniques, adverse events and amendments come gathered on its own row, aggregated by the
database in the same statement: one statement (and a count) however many sessions, the
database doing the joining it is fastest at, and memory that stays flat as the rows grow.
Every cell goes through ``tracker.csv_files`` (the formula guard, RFC 4180
quoting, the BOM for Excel).
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from tracker.csv_files import csv_lines
from tracker.dates import clinic_date
from tracker.exports import csv_queries as queries
from tracker.exports.prefetch import read_ahead
from tracker.extensions import db
from tracker.i18n import _
from tracker.replica import reporting_connection
from tracker.safety.vocab import AE_CODES, AE_SEVERITIES
from tracker.sessions import vocab
from tracker.sessions.adjuncts import describe
from tracker.sessions.point_lists import joined_labels
from tracker.sessions.services import apply_amendments

# Rows fetched from the database at a time, and CSV lines sent at a time: the export's
# memory is a few batches, whatever the number of sessions.
BATCH = 100
# The longest range a clinic-wide export covers.
MAX_YEARS = 10


def range_problem(start: date, end: date) -> str | None:
    """Why a clinic-wide export cannot cover ``start`` to ``end`` (None when it can): the
    end before the start, or more than ``MAX_YEARS`` years (a typing slip, 1925 for 2025,
    rather than a question anyone asks)."""
    if end < start:
        return _("The end is before the start.")
    if end >= _years_after(start, MAX_YEARS):
        return _("Choose at most %(years)d years.", years=MAX_YEARS)
    return None


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: that year has no such day
        return day.replace(year=day.year + years, day=28) + timedelta(days=1)


def render(patient, options) -> bytes:
    """The patient's sessions (or point applications) as one CSV file, read in the request's
    (or the command's) transaction."""
    pieces = csv_chunks(db.session.connection(), queries.patient_scope(patient), options)
    return "".join(text for text, _rows in pieces).encode("utf-8")


class CsvStream:
    """A clinic-wide export as CSV text in pieces, read in a connection and a read
    transaction of its own, begun (and its rows counted) when the stream is made.

    Made while a request is still reading (on SQLite a plain ``BEGIN``, which takes no write
    lock: ``database.py``), its rows are read as the pieces are taken: for a download after
    the request has committed its audit row. Iterating gives ``(text, rows in it)``;
    ``text()`` the text alone, for a response. Closing it (the response's end, a client
    gone) ends the read.
    """

    def __init__(self, scope: queries.Scope, options, *, batch: int = BATCH):
        self._pieces = self._read(scope, options, batch)
        self.rows: int = next(self._pieces)

    def _read(self, scope, options, batch):
        with read_connection() as connection:
            yield queries.count_rows(connection, scope, options)
            yield from csv_chunks(connection, scope, options, batch=batch)

    def __iter__(self):
        return self

    def __next__(self) -> tuple[str, int]:
        return next(self._pieces)

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()

    def text(self) -> Iterator[str]:
        try:
            for text, _rows in self._pieces:
                yield text
        finally:
            self.close()

    def close(self) -> None:
        self._pieces.close()


@contextmanager
def read_connection() -> Iterator[Connection]:
    """A connection of its own in one read transaction: every statement of an export sees
    the same snapshot (PostgreSQL: REPEATABLE READ, read only; SQLite: one transaction). On
    the read replica when one is configured (``tracker.replica``); the export's audit row is
    written by the request, on the primary."""
    with reporting_connection() as connection:
        yield connection


def csv_chunks(connection: Connection, scope: queries.Scope, options, *, batch: int = BATCH
               ) -> Iterator[tuple[str, int]]:
    """The CSV text in pieces of ``batch`` rows, each with its number of rows (the BOM and
    the header come first, as a piece of none)."""
    words = _Words()
    if options.points:
        header, rows = point_header(), _point_rows(connection, scope, words, batch)
    else:
        header, rows = session_header(), _session_rows(connection, scope, words, batch)
    lines = csv_lines(header, rows, bom=options.excel)
    try:
        yield "".join(islice(lines, 2 if options.excel else 1)), 0
        while piece := list(islice(lines, batch)):
            yield "".join(piece), len(piece)
    finally:
        rows.close()  # the open results too, when the reader stops early


def session_header() -> list[str]:
    return [_("Session"), _("Chart"), _("Patient"), _("Date"), _("Time"), _("Status"),
            _("Practitioner"), _("Chief complaint"), _("Points"), _("Needles"),
            _("Retention (min)"), _("Adjunct techniques"), _("Pain before"), _("Pain after"),
            _("Adverse events"), _("Signed at"), _("Signed by")]


def point_header() -> list[str]:
    return [_("Session"), _("Chart"), _("Patient"), _("Date"), _("Time"), _("Point"),
            _("Custom point: where"), _("Side"), _("Depth"), _("Angle"), _("Gauge (mm)"),
            _("Length (mm)"), _("Technique"), _("De qi sought"), _("De qi obtained"),
            _("Stimulation"), _("Retention (min)")]


class _Words:
    """The export's words in the reader's language, looked up once rather than per row."""

    def __init__(self):
        self.status = {"draft": _("Draft"), "signed": _("Signed")}
        self.events = {code: str(label) for code, label in AE_CODES}
        self.severities = {code: str(label) for code, label in AE_SEVERITIES}
        self.sides = {code: str(label) for code, label in vocab.LATERALITIES}
        self.angles = {code: str(label) for code, label in vocab.ANGLES}
        self.techniques = {code: str(label) for code, label in vocab.TECHNIQUES}
        self.stimulations = {code: str(label) for code, label in vocab.STIMULATIONS}
        self.yes_no = {True: _("Yes"), False: _("No"), None: ""}
        self.ashi = _("Ashi")

    def point_code(self, code: str | None, level: str) -> str:
        """As ``PointApplication.code`` reads: "BL23", "EX-B2 T7", "Ashi" (custom)."""
        return f"{code} {level}".strip() if code else self.ashi


# --- the sessions mode: one statement, the child rows gathered by the database ------------

def _session_rows(connection, scope, words, batch) -> Iterator[list]:
    stmt = queries.sessions(scope, connection.dialect.name, words.ashi)
    result = connection.execute(stmt.execution_options(yield_per=batch))
    techniques = _Techniques()
    try:
        for row in _rows_of(result, connection):
            yield _session_row(row, scope.zone, words, techniques)
    finally:
        result.close()


def _rows_of(result, connection) -> Iterator:
    """The result's rows: on PostgreSQL, another process, read ahead while these are written
    (``prefetch``); SQLite works in this process, so there is no wait to overlap."""
    if connection.dialect.name == "postgresql":
        return read_ahead(result)
    return iter(result)


class _Techniques(dict):
    """A session's techniques in words (``adjuncts.describe``), worked out once per distinct
    set in an export: a clinic repeats the same few ("Cupping, Dry (stationary), 4 cups,
    upper back, 10 min"), and each description looks up several words in the reader's
    language. Keyed by the aggregate as the database sent it, and each technique by its
    fields."""

    def __call__(self, aggregate) -> str:
        if aggregate is None or aggregate == "[]":
            return ""
        text = self.get(aggregate)
        if text is None:
            items = sorted(_json_list(aggregate), key=lambda item: item.pop("position"))
            text = self[aggregate] = "; ".join([self._one(item) for item in items])
        return text

    def _one(self, item: dict) -> str:
        key = ("item", json.dumps(item, sort_keys=True))
        text = self.get(key)
        if text is None:
            text = self[key] = describe(SimpleNamespace(**item))
        return text


def _json_list(value) -> list:
    """A JSON aggregate as the database sends it: text (``csv_queries._json_rows``), or NULL
    (PostgreSQL, no rows)."""
    if value is None or value == "[]":
        return []
    return json.loads(value)


def _session_row(row: tuple, zone, words, techniques) -> list:
    (session_id, started_at, status, needles, retention, pain_before, pain_after, signed_at,
     chart_number, family_name, given_name, complaint, practitioner, signer, points,
     adjuncts, events, amendments) = row
    # Most sessions have no adverse event and no amendment: "[]" (or NULL) costs nothing.
    events = _json_list(events)
    if len(events) > 1:
        events.sort(key=lambda item: (item["onset"], item["id"]))
    amendments = _json_list(amendments)
    if amendments:
        amendments.sort(key=lambda item: item["id"])
        # As the note reads now: the amendments applied in their order.
        pain = apply_amendments({"pain_before": pain_before, "pain_after": pain_after},
                                (item["changes"] for item in amendments))
        pain_before, pain_after = pain["pain_before"], pain["pain_after"]
    day, time = _date_and_time(started_at, zone)
    return [
        session_id, chart_number, _full_name(family_name, given_name), day, time,
        words.status.get(status, status), practitioner, complaint, joined_labels(points, " "),
        needles, retention, techniques(adjuncts), pain_before, pain_after,
        "; ".join([_event_text(SimpleNamespace(**e), words) for e in events]),
        _local(signed_at, zone), signer,
    ]


def _event_text(event, words) -> str:
    text = (f"{words.events.get(event.code, event.code)} "
            f"({words.severities.get(event.severity, event.severity)})")
    return f"{text}: {event.description}" if event.description else text


# --- the points mode: one stream ------------------------------------------------------------

def _point_rows(connection, scope, words, batch) -> Iterator[list]:
    stmt = queries.point_applications(scope).execution_options(yield_per=batch)
    result = connection.execute(stmt)
    try:
        for row in _rows_of(result, connection):
            yield [
                row.session_id, row.chart_number, _name(row),
                *_date_and_time(row.started_at, scope.zone),
                words.point_code(row.code, row.level), row.custom_label,
                words.sides.get(row.laterality, row.laterality),
                f"{_number(row.depth)} {row.depth_unit}" if row.depth is not None else "",
                words.angles.get(row.angle, row.angle), _number(row.gauge_mm),
                _number(row.length_mm), words.techniques.get(row.technique, row.technique),
                words.yes_no[row.deqi_sought], words.yes_no[row.deqi_obtained],
                words.stimulations.get(row.stimulation, row.stimulation),
                row.retention_minutes,
            ]
    finally:
        result.close()


# --- cells ------------------------------------------------------------------------------------

def _name(row) -> str:
    return _full_name(row.family_name, row.given_name)


def _full_name(family_name: str | None, given_name: str | None) -> str:
    if family_name and given_name:
        return f"{family_name} {given_name}"
    return family_name or given_name or ""


def _date_and_time(moment: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """The clinic's date (``dates.clinic_date``) and local time of a stored UTC time."""
    local = moment.astimezone(zone)
    return clinic_date(local, zone).isoformat(), f"{local.hour:02d}:{local.minute:02d}"


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(zone)
    return f"{local.date().isoformat()} {local.hour:02d}:{local.minute:02d}"


def _number(value: Decimal | None) -> str:
    """15.0 as "15", 0.25 as "0.25"."""
    return "" if value is None else f"{Decimal(value).normalize():f}"
