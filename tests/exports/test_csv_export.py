"""CSV of sessions and point applications (tracker/exports/csv_export.py), without HTTP: the
two modes, names in Japanese and hostile names, the formula guard, RFC 4180 quoting read back
with the csv module, the BOM only for Excel, a patient with many sessions, and clinic-wide
ranges whose ends are the clinic's days, not UTC's."""

import codecs
import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update

from tests.factories import (
    EXAMPLE_ROWS,
    SESSION_AT,
    adjunct,
    event,
    fresh,
    patient_with,
    point,
    point_dicts,
    record,
)
from tracker.csv_files import BOM, csv_text, safe_cell
from tracker.exports.csv_export import (
    CsvStream,
    point_header,
    range_problem,
    render,
    session_header,
)
from tracker.exports.csv_queries import range_scope
from tracker.exports.formats import ExportOptions
from tracker.extensions import db
from tracker.patients.models import Patient
from tracker.sessions.models import PointApplication
from tracker.sessions.services import amend_session

HOSTILE_FAMILY = "=cmd|' /C calc'!A0"
HOSTILE_GIVEN = "<script>alert(1)</script>"


def parse(text: str) -> list[list[str]]:
    """The rows of a CSV text, as a spreadsheet would read them (RFC 4180)."""
    return list(csv.reader(io.StringIO(text, newline="")))


def patient_csv(app, patient_id: int, **options) -> bytes:
    with app.app_context():
        return render(db.session.get(Patient, patient_id), ExportOptions(**options))


def as_dicts(text: str) -> list[dict]:
    header, *rows = parse(text)
    return [dict(zip(header, row, strict=True)) for row in rows]


def clinic_csv(app, clinic_id: int, start: date, end: date, zone="Asia/Tokyo",
               **options) -> str:
    with app.app_context():
        with app.test_request_context("/"):  # a reading request: the stream's read begins
            stream = CsvStream(range_scope(clinic_id, start, end, zone),
                               ExportOptions(**options))
        with stream:
            text = "".join(piece for piece, _rows in stream)
    assert len(parse(text)) - 1 == stream.rows
    return text


@pytest.fixture
def course(app, clinic_world):
    """Clinic A's patient: a signed session (the example rows, cupping, an adverse event,
    pain after amended 4 -> 2) and a later draft with the issue's BL18 and GV6."""
    side = clinic_world["a"]
    with app.app_context():
        signed = record(side, adjuncts=[adjunct("cupping", cupping_method="dry", cups=4)],
                        sign=True)
        amend_session(signed, reason="Typo", values={"pain_after": 2},
                      actor=fresh(side, "practitioner"))
        event(side, "bleeding", "minor", SESSION_AT, signed, action="Pressed")
        draft = record(side, [point("BL18", "bilateral"), point("GV6", "midline")],
                       started_at=SESSION_AT + timedelta(days=7))
        db.session.commit()
        return {"signed": signed.id, "draft": draft.id, "side": side}


def test_sessions_mode_has_one_row_a_session_with_its_points_joined(app, course):
    body = patient_csv(app, course["side"]["patient"].id)
    text = body.decode("utf-8")
    assert not text.startswith(BOM)
    assert parse(text)[0] == session_header()
    signed, draft = as_dicts(text)
    assert signed["Session"] == str(course["signed"])
    assert signed["Chart"] == course["side"]["patient"].chart_number
    assert (signed["Date"], signed["Time"]) == ("2026-11-20", "10:00")  # Tokyo, not UTC
    assert signed["Status"] == "Signed" and signed["Practitioner"] == "Practitioner"
    assert signed["Chief complaint"] == "Middle back pain"
    assert signed["Points"] == "BL23(B) GV6(M) LI4(L) Ashi(L)"
    assert (signed["Needles"], signed["Retention (min)"]) == ("5", "25")
    assert signed["Adjunct techniques"].startswith("Cupping, Dry")
    assert (signed["Pain before"], signed["Pain after"]) == ("7", "2")  # as amended
    assert signed["Adverse events"] == "Bleeding (Minor)"
    assert signed["Signed by"] == "Practitioner" and signed["Signed at"].startswith("2026-")
    assert draft["Points"] == "BL18(B) GV6(M)"
    assert (draft["Status"], draft["Signed at"], draft["Adverse events"]) == ("Draft", "", "")
    assert draft["Date"] == "2026-11-27"


def test_points_are_listed_in_their_positions_whatever_order_the_database_reads_them(
        app, clinic_world):
    """The rows' positions no longer follow the order they were written in (as rows moved by
    hand in the database would): both modes still list them by position."""
    side = clinic_world["a"]
    with app.app_context():
        visit = record(side, [point("BL18", "bilateral"), point("GV6", "midline"),
                              point("LI4", "left")])
        first, _, third = visit.points
        db.session.execute(update(PointApplication).where(PointApplication.id == first.id)
                           .values(position=3))
        db.session.execute(update(PointApplication).where(PointApplication.id == third.id)
                           .values(position=1))
        db.session.commit()
    patient_id = side["patient"].id
    assert as_dicts(patient_csv(app, patient_id).decode())[0]["Points"] == "LI4(L) GV6(M) BL18(B)"
    assert [row["Point"] for row in as_dicts(patient_csv(app, patient_id, points=True).decode())
            ] == ["LI4", "GV6", "BL18"]


def test_points_mode_has_one_row_a_point_application(app, course):
    text = patient_csv(app, course["side"]["patient"].id, points=True).decode("utf-8")
    assert parse(text)[0] == point_header()
    rows = as_dicts(text)
    assert [(r["Session"], r["Point"], r["Side"]) for r in rows] == [
        (str(course["signed"]), "BL23", "Both"), (str(course["signed"]), "GV6", "Midline"),
        (str(course["signed"]), "LI4", "Left"), (str(course["signed"]), "Ashi", "Left"),
        (str(course["draft"]), "BL18", "Both"), (str(course["draft"]), "GV6", "Midline"),
    ]
    assert rows[3]["Custom point: where"] == "left T7 paraspinal"
    assert {r["Retention (min)"] for r in rows} == {"25"}  # the session's, where the row has none
    assert rows[0]["Date"] == "2026-11-20" and rows[-1]["Date"] == "2026-11-27"


def test_japanese_and_hostile_names_come_out_whole_and_inert(app, factory, clinic_world):
    side = clinic_world["a"]
    japanese = factory.patient(side["clinic"], side["reception"], family_name="山田",
                               given_name="花子")
    hostile = factory.patient(side["clinic"], side["reception"], family_name=HOSTILE_FAMILY,
                              given_name=HOSTILE_GIVEN)
    for patient, complaint in ((japanese, "腰痛、肩こり"),
                               (hostile, '@SUM(1+1), "quoted"\r\nsecond line')):
        factory.consent(patient, side["reception"])
        episode = factory.episode(patient, side["practitioner"], chief_complaint=complaint)
        with app.app_context():
            record({**side, "patient": patient, "episode": episode},
                   [point("LI4", "left", custom_label="")])
    rows = as_dicts(patient_csv(app, japanese.id).decode("utf-8"))
    assert (rows[0]["Patient"], rows[0]["Chief complaint"]) == ("山田 花子", "腰痛、肩こり")

    raw = patient_csv(app, hostile.id).decode("utf-8")
    [row] = as_dicts(raw)
    # The formula guard: the cell is text to a spreadsheet; the rest is kept as it was.
    assert row["Patient"] == f"'{HOSTILE_FAMILY} {HOSTILE_GIVEN}"
    assert row["Chief complaint"] == """'@SUM(1+1), "quoted"\r\nsecond line"""
    # RFC 4180: quotes doubled inside a quoted cell, CRLF between records.
    assert '''"'@SUM(1+1), ""quoted""\r\nsecond line"''' in raw
    assert raw.endswith("\r\n") and raw.count("\r\n") == 3  # header, the row, the cell's own


def test_a_custom_point_that_reads_as_a_formula_is_guarded(app, clinic_world):
    side = clinic_world["a"]
    with app.app_context():
        record(side, point_dicts([(None, "left", "-2 cun lateral, +T7", "upper_back", "T7")]))
    [row] = as_dicts(patient_csv(app, side["patient"].id, points=True).decode("utf-8"))
    assert row["Custom point: where"] == "'-2 cun lateral, +T7"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_every_formula_start_gets_a_quote(text):
    assert safe_cell(text) == "'" + text
    assert parse(csv_text(["a"], [[text]]))[1] == ["'" + text]


@pytest.mark.parametrize("value", ["Yamada", "1+1", "a=b", "", None, 7, "'=already"])
def test_other_cells_are_left_alone(value):
    assert safe_cell(value) == ("" if value is None else str(value))


def test_the_bom_is_only_in_the_excel_variant(app, course):
    patient = course["side"]["patient"].id
    excel = patient_csv(app, patient, excel=True)
    plain = patient_csv(app, patient)
    assert excel.startswith(codecs.BOM_UTF8) and excel.count(codecs.BOM_UTF8) == 1
    assert not plain.startswith(codecs.BOM_UTF8)
    assert excel[len(codecs.BOM_UTF8):] == plain
    points = patient_csv(app, patient, points=True, excel=True)
    assert points.startswith(codecs.BOM_UTF8) and points.count(codecs.BOM_UTF8) == 1


def test_a_patient_with_many_sessions_has_every_one_in_order(app, clinic_world):
    side = clinic_world["a"]
    with app.app_context():
        ids = [record(side, point_dicts(EXAMPLE_ROWS[:2]),
                      started_at=SESSION_AT + timedelta(days=n)).id for n in range(60)]
    rows = as_dicts(patient_csv(app, side["patient"].id).decode("utf-8"))
    assert [int(r["Session"]) for r in rows] == ids
    assert rows[0]["Date"] == "2026-11-20" and rows[-1]["Date"] == "2027-01-18"
    assert {r["Points"] for r in rows} == {"BL23(B) GV6(M)"}
    points = as_dicts(patient_csv(app, side["patient"].id, points=True).decode("utf-8"))
    assert len(points) == 120


def test_another_patients_sessions_are_not_in_the_export(app, factory, clinic_world):
    side = clinic_world["a"]
    other = patient_with(factory, side)
    with app.app_context():
        record(side)
        record(other)
    rows = as_dicts(patient_csv(app, side["patient"].id).decode("utf-8"))
    assert {r["Chart"] for r in rows} == {side["patient"].chart_number}


def _at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_clinic_range_runs_from_the_first_to_the_last_clinic_day(app, factory,
                                                                   clinic_world):
    side = patient_with(factory, clinic_world["a"], opened_on=date(2026, 10, 1))
    times = {  # UTC, and what it is in Tokyo
        "out: 31 Oct 23:59": _at(2026, 10, 31, 14, 59), "in: 1 Nov 00:00": _at(2026, 10, 31, 15),
        "in: 30 Nov 23:59": _at(2026, 11, 30, 14, 59), "out: 1 Dec 00:00": _at(2026, 11, 30, 15),
    }
    with app.app_context():
        ids = {label: record(side, started_at=moment).id for label, moment in times.items()}
        record(clinic_world["b"], started_at=_at(2026, 11, 15, 1))  # another clinic's
    clinic = side["clinic"].id
    rows = as_dicts(clinic_csv(app, clinic, date(2026, 11, 1), date(2026, 11, 30)))
    assert [int(r["Session"]) for r in rows] == [ids["in: 1 Nov 00:00"], ids["in: 30 Nov 23:59"]]
    assert [(r["Date"], r["Time"]) for r in rows] == [("2026-11-01", "00:00"),
                                                      ("2026-11-30", "23:59")]
    [last_day] = as_dicts(clinic_csv(app, clinic, date(2026, 11, 30), date(2026, 11, 30)))
    assert last_day["Session"] == str(ids["in: 30 Nov 23:59"])
    # Read in London's days instead, the same times fall on other dates.
    london = as_dicts(clinic_csv(app, clinic, date(2026, 10, 31), date(2026, 10, 31),
                                 zone="Europe/London"))
    assert {r["Session"] for r in london} == {str(ids["out: 31 Oct 23:59"]),
                                              str(ids["in: 1 Nov 00:00"])}
    points = parse(clinic_csv(app, clinic, date(2026, 11, 1), date(2026, 11, 30), points=True,
                              excel=True))
    assert points[0][0] == BOM + "Session" and len(points) == 1 + 2 * len(EXAMPLE_ROWS)


def test_an_empty_range_is_the_header_alone(app, clinic_world):
    text = clinic_csv(app, clinic_world["a"]["clinic"].id, date(2020, 1, 1), date(2020, 1, 31))
    assert parse(text) == [session_header()]


@pytest.mark.parametrize(("start", "end", "problem"), [
    (date(2026, 11, 2), date(2026, 11, 1), "The end is before the start."),
    (date(2016, 11, 1), date(2026, 11, 1), "Choose at most 10 years."),
    (date(2016, 2, 29), date(2026, 3, 1), "Choose at most 10 years."),
    (date(2016, 11, 1), date(2026, 10, 31), None),
    (date(2016, 2, 29), date(2026, 2, 28), None),
    (date(2026, 11, 1), date(2026, 11, 1), None),
])
def test_a_range_is_refused_when_backwards_or_longer_than_ten_years(app_ctx, start, end,
                                                                    problem):
    assert range_problem(start, end) == problem
