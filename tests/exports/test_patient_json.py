"""The patient's JSON export: the whole record, the outcomes computed as on the progress page,
an audited attachment, a fixed number of queries."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import count_queries
from tests.factories import SESSION_AT, event, record
from tests.outcomes.test_progress_page import COURSE, build_course
from tracker.audit.models import AuditEvent
from tracker.extensions import db


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def export(client, world):
    return client.get(f"/patients/{world['a']['patient'].id}/export.json")


def test_the_export_carries_the_outcomes_the_progress_page_shows(app, client, world):
    episode_id = build_course(app, world["a"])
    response = export(client, world)
    assert response.status_code == 200
    record = json.loads(response.get_data(as_text=True))
    [course] = [e for e in record["episodes"] if e["id"] == episode_id]
    assert course["outcomes"] == {
        "baseline_nrs": 7, "latest_nrs": 3, "change": -4, "percent_change": -57.1,
        "responder": True, "substantial": True, "sessions": 8,
        "sessions_to_first_response": 5, "mean_immediate_effect": 1.8,
        "function": {"psfs": {"baseline": 3, "latest": None, "change": None,
                              "important_change": False}},
    }
    # The top-level outcomes are the newest episode's (the world's own, opened later).
    assert record["outcomes"] == record["episodes"][-1]["outcomes"]
    assert record["outcomes"]["baseline_nrs"] == 7 and record["outcomes"]["latest_nrs"] is None
    sessions = [s for s in record["sessions"] if s["episode_id"] == episode_id]
    assert [s["current"]["pain_before"] for s in sessions] == [b for b, _ in COURSE]
    assert [s["pain_after"] for s in sessions] == [a for _, a in COURSE]
    first_point = sessions[0]["points"][0]
    assert (first_point["code"], first_point["laterality"]) == ("LI4", "left")
    assert sessions[0]["adjuncts"][0]["kind"] == "cupping"
    assert sessions[0]["started_at"] == "2026-10-16T01:00:00+00:00"
    assert sessions[0]["retention_minutes"] == 21 and sessions[0]["adverse_events"] == []
    assert record["patient"]["chart_number"] == world["a"]["patient"].chart_number
    assert "search_text" not in record["patient"]


def test_the_export_is_an_audited_attachment_never_cached(app, client, world):
    response = export(client, world)
    assert response.headers["Content-Disposition"].startswith('attachment; filename="A-')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient.export"))
    assert event.details == {"format": "json", "points": False, "excel": False}
    assert event.patient_id == world["a"]["patient"].id


def test_query_count_does_not_grow_with_the_record(app, client, world):
    build_course(app, world["a"], course=COURSE[:1])
    export(client, world)
    with count_queries(app) as few:
        export(client, world)
    build_course(app, world["a"], course=COURSE * 2)
    with count_queries(app) as many:
        export(client, world)
    assert len(many) == len(few)


@pytest.mark.parametrize(("path", "status"), [("export.exe", 404), ("export.json?excel=2", 400),
                                              ("export.json?points=yes", 400)])
def test_an_unknown_format_or_option_is_refused(client, world, path, status):
    assert client.get(f"/patients/{world['a']['patient'].id}/{path}").status_code == status


def test_the_command_line_writes_the_same_record(app, runner, clinic_world, tmp_path):
    build_course(app, clinic_world["a"], course=COURSE[:2])
    out = tmp_path / "record.json"
    chart = clinic_world["a"]["patient"].chart_number
    result = runner.invoke(args=["export", "patient", chart, "--format", "json", "--out",
                                 str(out), "--clinic", clinic_world["a"]["clinic"].name])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["patient"]["chart_number"] == chart
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "patient.export"))
    assert event.user_id is None and event.details["via"] == "command line"


def test_the_command_line_asks_which_clinic_when_there_are_several(runner, clinic_world,
                                                                   tmp_path):
    result = runner.invoke(args=["export", "patient", "A-0001", "--format", "json",
                                 "--out", str(tmp_path / "x.json")])
    assert result.exit_code != 0 and "Say which clinic with --clinic" in result.output


def test_adverse_events_sit_with_their_session_and_between_visits_apart(app, client, world):
    with app.app_context():
        visit = record(world["a"], sign=True)
        event(world["a"], "bleeding", "minor", SESSION_AT, visit=visit)
        event(world["a"], "fatigue", "minor", SESSION_AT + timedelta(days=1))
        db.session.commit()
    record_json = json.loads(export(client, world).get_data(as_text=True))
    [session] = record_json["sessions"]
    assert [e["code"] for e in session["adverse_events"]] == ["bleeding"]
    assert [e["code"] for e in record_json["adverse_events"]] == ["fatigue"]
    assert {p["laterality"] for p in session["points"]} == {"bilateral", "midline", "left"}
    assert session["cautions"], "the example's Ashi point over the thorax is cautioned"
