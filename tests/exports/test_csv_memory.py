"""The CSV exports read in a fixed number of statements, and the clinic-wide one streams with
flat memory: its peak does not grow with the rows (the full-size figures, 250,000 sessions,
are bench/export_memory.py's; this is the same generator on a few thousand)."""

import tracemalloc
from datetime import date, timedelta

import pytest

from bench.export_memory import FIRST, add_sessions
from tests.conftest import count_queries
from tests.exports.test_csv_routes import download
from tests.factories import record
from tracker.exports.csv_export import CsvStream, render
from tracker.exports.csv_queries import range_scope
from tracker.exports.formats import ExportOptions
from tracker.extensions import db
from tracker.patients.models import Patient

RANGE = {"from": "2016-01-01", "to": "2025-12-31"}
START, END = date(2016, 1, 1), date(2025, 12, 31)


def grow(app, side, count: int) -> None:
    """``count`` more sessions for ``side``'s patient (bulk inserted, as the bench does)."""
    with app.app_context():
        add_sessions(clinic_id=side["clinic"].id, practitioner_id=side["practitioner"].id,
                     cases=[(side["patient"].id, side["episode"].id)], count=count,
                     first=FIRST + timedelta(hours=count))


@pytest.mark.parametrize("points", ["0", "1"])
def test_the_clinic_export_reads_in_the_same_statements_however_many_rows(
        app, client, as_role, points):
    world = as_role("practitioner")
    grow(app, world["a"], 3)
    download(client, "/exports/sessions.csv", **RANGE, points=points)  # warm: the login etc.
    with count_queries(app) as few:
        small = download(client, "/exports/sessions.csv", **RANGE, points=points)
    grow(app, world["a"], 600)
    with count_queries(app) as many:
        large = download(client, "/exports/sessions.csv", **RANGE, points=points)
    assert len(large.data) > 50 * len(small.data)
    assert len(many) == len(few)
    # The rows, as statements: a COUNT, then one statement (in the sessions mode each
    # session's points, techniques, adverse events and amendments are gathered on its row).
    exports = [s for s in many if "treatment_sessions" in s and "audit" not in s]
    assert len(exports) == 1 + 1


@pytest.mark.parametrize("points", [False, True])
def test_the_patient_export_reads_in_the_same_statements_however_many_rows(
        app, clinic_world, points):
    side = clinic_world["a"]

    def export() -> list[str]:
        with app.app_context():
            patient = db.session.get(Patient, side["patient"].id)
            with count_queries(app) as statements:
                render(patient, ExportOptions(points=points))
        return statements

    with app.app_context():
        record(side, sign=True)
    few = export()
    grow(app, side, 300)
    assert len(export()) == len(few)


def _peak(app, clinic_id: int, points: bool) -> tuple[int, int]:
    """The rows and the tracemalloc peak of streaming the export to nowhere."""
    with app.app_context():
        tracemalloc.start()
        try:
            with app.test_request_context("/"):
                stream = CsvStream(range_scope(clinic_id, START, END, "Asia/Tokyo"),
                                   ExportOptions(points=points))
            with stream:
                for _text, _rows in stream:
                    pass
            return stream.rows, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


@pytest.mark.parametrize("points", [False, True])
def test_the_clinic_export_streams_with_flat_memory(app, clinic_world, points):
    side = clinic_world["a"]
    clinic = side["clinic"].id
    # More rows than PostgreSQL's read-ahead holds at once (exports.prefetch: three batches
    # of 250, a few hundred KB: how much of it is in use at the peak depends on the threads'
    # timing), so that both runs hold all they ever will.
    grow(app, side, 2000)
    _peak(app, clinic, points)  # warm: statements compiled and cached, words looked up
    small_rows, small = _peak(app, clinic, points)
    grow(app, side, 8000)
    large_rows, large = _peak(app, clinic, points)
    assert large_rows > 4 * small_rows
    # Holding the rows (or the text: about 100 bytes a row) would add megabytes.
    assert large < small + 512 * 1024, (small, large)

