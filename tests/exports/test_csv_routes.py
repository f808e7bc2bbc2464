"""The CSV downloads and commands: who may export, the audit row (who, what, which patient or
range; nothing clinical), the headers, the clinic-wide page and its strict query string, and
``flask export patient --format csv`` and ``flask export sessions``."""

import codecs
import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.exports.test_csv_export import HOSTILE_FAMILY, as_dicts, parse
from tests.factories import record
from tests.test_hostile_input import HOSTILE, KILLERS
from tracker.audit.models import AuditEvent
from tracker.dates import today_in
from tracker.extensions import db

RANGE = "from=2026-11-01&to=2026-11-30"


def download(client, url: str, **query):
    """The response with its body read (a stream holds its read open until it ends)."""
    response = client.get(url, query_string=query or None)
    response.get_data()
    response.close()
    return response


def audit_rows(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id)).all()


@pytest.fixture
def sessions(app, clinic_world):
    """Two sessions in clinic A in November, one in clinic B."""
    with app.app_context():
        ids = [record(clinic_world["a"], sign=True).id,
               record(clinic_world["a"], started_at=datetime(2026, 11, 28, 2, tzinfo=UTC)).id]
        record(clinic_world["b"])
    return ids


def test_the_patient_csv_is_an_audited_attachment_never_cached(app, client, as_role,
                                                               sessions):
    world = as_role("practitioner")
    patient = world["a"]["patient"]
    response = download(client, f"/patients/{patient.id}/export.csv?points=1&excel=1")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    today = today_in("Asia/Tokyo").isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{patient.chart_number}-{today}.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(codecs.BOM_UTF8)
    assert len(parse(response.data.decode("utf-8-sig"))) == 1 + 2 * 4
    [event] = audit_rows(app, "patient.export")
    assert event.details == {"format": "csv", "points": True, "excel": True}
    assert (event.patient_id, event.user_id) == (patient.id, world["a"]["practitioner"].id)


def test_the_clinic_csv_is_an_audited_attachment_of_the_clinics_sessions(app, client, as_role,
                                                                         sessions):
    world = as_role("practitioner")
    response = download(client, f"/exports/sessions.csv?{RANGE}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="sessions-2026-11-01-to-2026-11-30.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert not response.data.startswith(codecs.BOM_UTF8)
    rows = as_dicts(response.data.decode("utf-8"))
    assert [int(r["Session"]) for r in rows] == sessions  # clinic B's is not there
    [event] = audit_rows(app, "sessions.export")
    assert event.details == {"format": "csv", "from": "2026-11-01", "to": "2026-11-30",
                             "points": False, "excel": False, "rows": 2}
    assert event.user_id == world["a"]["practitioner"].id and event.patient_id is None
    assert event.clinic_id == world["a"]["clinic"].id
    logged = json.dumps(event.details, ensure_ascii=False)
    assert "Patient" not in logged and "Middle back pain" not in logged


def test_the_clinic_csv_in_points_mode_for_excel(client, as_role, sessions):
    as_role("admin")
    response = download(client, f"/exports/sessions.csv?{RANGE}&points=1&excel=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="points-2026-11-01-to-2026-11-30.csv"')
    assert response.data.startswith(codecs.BOM_UTF8)
    assert len(parse(response.data.decode("utf-8-sig"))) == 1 + 2 * 4


def test_hostile_names_are_guarded_in_the_clinic_csv(app, client, factory, as_role):
    world = as_role("practitioner")
    side = world["a"]
    patient = factory.patient(side["clinic"], side["reception"], family_name=HOSTILE_FAMILY,
                              given_name="<script>")
    factory.consent(patient, side["reception"])
    episode = factory.episode(patient, side["practitioner"])
    with app.app_context():
        record({**side, "patient": patient, "episode": episode})
    [row] = as_dicts(download(client, f"/exports/sessions.csv?{RANGE}").data.decode("utf-8"))
    assert row["Patient"] == f"'{HOSTILE_FAMILY} <script>"


@pytest.mark.parametrize("url", [f"/exports/sessions.csv?{RANGE}", "/exports/sessions",
                                 "/patients/{patient}/export.csv"])
def test_reception_may_not_export(app, client, as_role, url):
    world = as_role("reception")
    response = client.get(url.format(patient=world["a"]["patient"].id))
    assert response.status_code == 403
    assert audit_rows(app, "sessions.export") == audit_rows(app, "patient.export") == []


@pytest.mark.parametrize("url", [f"/exports/sessions.csv?{RANGE}", "/exports/sessions"])
def test_anonymous_is_sent_to_login(app, client, clinic_world, url):
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert audit_rows(app, "sessions.export") == []


def test_another_clinics_patient_is_not_found(client, as_role):
    world = as_role("practitioner")
    assert client.get(f"/patients/{world['b']['patient'].id}/export.csv").status_code == 404


def test_the_page_asks_for_the_dates_and_is_linked_from_the_outcome_review(client, as_role):
    as_role("practitioner")
    page = client.get("/exports/sessions")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    today = today_in("Asia/Tokyo")
    assert 'action="/exports/sessions.csv"' in html and 'method="get"' in html
    assert f'value="{today.replace(day=1).isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html
    for name in ("from", "to"):
        assert f'<label class="form-label fw-semibold" for="{name}">' in html
    assert 'name="points"' in html and 'name="excel"' in html
    review = client.get("/outcomes/review").get_data(as_text=True)
    assert 'href="/exports/sessions"' in review


@pytest.mark.parametrize(("query", "field", "message", "kept"), [
    ("from=2026-13-01&to=2026-11-30", "from", "Not a valid date value.", "2026-13-01"),
    ("from=2026-11-30&to=2026-11-01", "to", "The end is before the start.", "2026-11-01"),
    ("from=2010-01-01&to=2026-11-30", "to", "Choose at most 10 years.", "2010-01-01"),
    ("from=0001-01-01&to=2026-11-30", "from", "Give a date from 1900-01-01", "0001-01-01"),
    ("from=2026-11-01&to=9999-12-31", "to", "Give a date from 1900-01-01", "9999-12-31"),
    ("from=&to=2026-11-30", "from", "This field is required.", "2026-11-30"),
    ("to=2026-11-30", "from", "This field is required.", "2026-11-30"),
    (f"{RANGE}&points=2", "points", "Not a valid choice.", "2026-11-01"),
    (f"{RANGE}&excel=yes", "excel", "Not a valid choice.", "2026-11-30"),
])
def test_a_query_that_cannot_be_read_is_a_400_with_the_message_by_its_field(
        app, client, as_role, query, field, message, kept):
    as_role("practitioner")
    response = client.get(f"/exports/sessions.csv?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert f'id="{field}-error">{message}' in html
    assert f'value="{kept}"' in html  # what was typed is still there
    assert audit_rows(app, "sessions.export") == []


@pytest.mark.parametrize("name", ["from", "to", "points", "excel"])
def test_no_hostile_value_answers_500(client, as_role, name):
    as_role("practitioner")
    values = {"from": "2026-11-01", "to": "2026-11-30", "points": "0", "excel": "0"}
    for value in dict.fromkeys(HOSTILE + KILLERS):
        response = download(client, "/exports/sessions.csv", **{**values, name: value})
        assert response.status_code in (200, 400), (name, value)


# --- the command line ----------------------------------------------------------------------

def test_export_patient_as_csv_from_the_command_line(app, runner, clinic_world, sessions,
                                                     tmp_path):
    out = tmp_path / "patient.csv"
    chart = clinic_world["a"]["patient"].chart_number
    result = runner.invoke(args=["export", "patient", chart, "--format", "csv", "--points",
                                 "--excel", "--out", str(out), "--clinic", "Clinic A"])
    assert result.exit_code == 0, result.output
    body = out.read_bytes()
    assert body.startswith(codecs.BOM_UTF8)
    assert len(parse(body.decode("utf-8-sig"))) == 1 + 2 * 4
    [event] = audit_rows(app, "patient.export")
    assert event.user_id is None and event.details["format"] == "csv"


def test_export_sessions_from_the_command_line(app, runner, clinic_world, sessions, tmp_path):
    out = tmp_path / "sessions.csv"
    result = runner.invoke(args=["export", "sessions", "--from", "2026-11-01", "--to",
                                 "2026-11-30", "--format", "csv", "--out", str(out),
                                 "--clinic", "Clinic A"])
    assert result.exit_code == 0, result.output
    assert "Exporting sessions" in result.output and "2 sessions" in result.output
    body = out.read_bytes()
    assert not body.startswith(codecs.BOM_UTF8) and b"\r\n" in body
    assert [int(r["Session"]) for r in as_dicts(body.decode("utf-8"))] == sessions
    [event] = audit_rows(app, "sessions.export")
    assert event.user_id is None and event.clinic_id == clinic_world["a"]["clinic"].id
    assert event.details == {"format": "csv", "from": "2026-11-01", "to": "2026-11-30",
                             "points": False, "excel": False, "rows": 2,
                             "via": "command line"}

    points = tmp_path / "points.csv"
    result = runner.invoke(args=["export", "sessions", "--from", "2026-11-20", "--to",
                                 "2026-11-20", "--format", "csv", "--out", str(points),
                                 "--clinic", "Clinic A", "--points", "--excel"])
    assert result.exit_code == 0, result.output
    rows = parse(points.read_bytes().decode("utf-8-sig"))
    assert len(rows) == 1 + 4 and points.read_bytes().startswith(codecs.BOM_UTF8)


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-11-30", "--to", "2026-11-01", "--clinic", "Clinic A"],
     "The end is before the start."),
    (["--from", "2000-01-01", "--to", "2026-11-01", "--clinic", "Clinic A"],
     "Choose at most 10 years."),
    (["--from", "2026-11-31", "--to", "2026-12-01", "--clinic", "Clinic A"], "2026-11-31"),
    (["--from", "2026-11-01", "--to", "2026-11-30"], "Say which clinic with --clinic"),
    (["--from", "2026-11-01", "--to", "2026-11-30", "--clinic", "Nowhere"],
     "No clinic named 'Nowhere'"),
])
def test_export_sessions_refuses_what_it_cannot_do(app, runner, clinic_world, tmp_path, args,
                                                   message):
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["export", "sessions", "--format", "csv", "--out", str(out),
                                 *args])
    assert result.exit_code != 0 and message in result.output
    assert not out.exists() and audit_rows(app, "sessions.export") == []


def test_the_stream_sees_the_clinic_day_of_a_session_at_its_edges(client, as_role, app):
    world = as_role("practitioner")
    with app.app_context():
        first = record(world["a"], started_at=datetime(2026, 11, 30, 14, 59, tzinfo=UTC)).id
        record(world["a"], started_at=datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # 1 Dec
    rows = as_dicts(download(client, "/exports/sessions.csv?from=2026-11-30&to=2026-11-30")
                    .data.decode("utf-8"))
    assert [(int(r["Session"]), r["Date"], r["Time"]) for r in rows] == [
        (first, "2026-11-30", "23:59")]
