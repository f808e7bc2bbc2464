"""Every page that shows a patient is in the audit log, whichever view drew it."""

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.extensions import db


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize(
    ("path", "endpoint"),
    [
        ("/patients/{p}/edit", "patients.edit"),
        ("/patients/{p}/consent", "patients.consent"),
        ("/patients/{p}/episodes/new", "intake.create"),
        ("/patients/{p}/sessions/new", "sessions.create"),
        ("/patients/{p}/adverse-events/new", "safety.record_between_visits"),
    ],
)
def test_pages_showing_a_patient_are_audited(app, client, as_role, path, endpoint):
    world = as_role("practitioner")
    patient = world["a"]["patient"]
    response = client.get(path.format(p=patient.id))
    assert response.status_code == 200
    (event,) = events(app, "page.view")
    assert event.patient_id == patient.id
    assert event.details == {"endpoint": endpoint}
    assert event.user_id == world["a"]["practitioner"].id


def test_a_detail_page_records_its_own_event_only(app, client, as_role):
    patient = as_role("practitioner")["a"]["patient"]
    client.get(f"/patients/{patient.id}")
    assert [e.patient_id for e in events(app, "patient.view")] == [patient.id]
    assert events(app, "page.view") == []


def test_a_refused_page_is_not_recorded_as_seen(app, client, as_role):
    patient = as_role("reception")["a"]["patient"]
    assert client.get(f"/patients/{patient.id}/episodes/new").status_code == 403
    assert events(app, "page.view") == []


def test_the_patient_list_is_audited_without_the_search_text(app, client, as_role):
    as_role("reception")
    client.get("/patients/?q=PatientA")
    (event,) = events(app, "patient.list")
    assert event.details == {"results": 1, "page": 1, "searched": True, "archived": False}
    assert "PatientA" not in str(event.details)
