"""Route sweeps: login required everywhere, clinic isolation, and each role's limits.

Every sweep derives its routes from ``app.url_map``, so a route added later is swept too
(``test_sweeps_cover_every_route`` fails if one could slip through).
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from tests.conftest import BASE_CONFIG, PASSWORD
from tests.factories import intake_form_data, record
from tracker import create_app
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.patients.models import Consent, Patient
from tracker.scores.services import record_score

# Open to anyone: static files, the health check and the login page.
EXEMPT_ENDPOINTS = {"static", "main.healthz", "auth.login"}
# URL arguments that name no clinic record: a sample value each.
OTHER_ARGUMENTS = {"state": "off", "code": "LI4", "fmt": "json"}
ADMIN_BLUEPRINTS = {"clinics", "audit"}
# Reception registers patients and keeps its own account; every other page is clinical or admin.
RECEPTION_BLUEPRINTS = {"patients", "chart", "auth", "main"}


def _session(side):
    return record(side, points=[]).id


def _protocol(side):
    from tracker.protocols.services import save_protocol

    return save_protocol(side["clinic"].id, name="Sweep protocol", description="",
                         rows=[{"custom_label": "Ashi point", "laterality": "bilateral"}],
                         actor=db.session.get(User, side["practitioner"].id)).id


def _score(side):
    return record_score(db.session.get(Patient, side["patient"].id),
                            db.session.get(Episode, side["episode"].id), instrument="nrs",
                            answers={"score": 4}, taken_at=datetime(2026, 11, 20, tzinfo=UTC),
                            zone="Asia/Tokyo",
                            actor=db.session.get(User, side["practitioner"].id)).id


# Records a URL can name, beyond those clinic_world holds: how to make one in a clinic.
RECORD_BUILDERS = {"session_id": _session, "protocol_id": _protocol, "assessment_id": _score}
ID_ARGUMENTS = {"patient_id", "episode_id", "user_id", *RECORD_BUILDERS}


@pytest.fixture
def records(app, clinic_world):
    """Per clinic ("a", "b"): a real id for every id argument of the URL map."""
    ids = {}
    for key, side in clinic_world.items():
        ids[key] = {"patient_id": side["patient"].id, "episode_id": side["episode"].id,
                    "user_id": side["practitioner"].id, **OTHER_ARGUMENTS}
        with app.app_context():
            ids[key].update({name: build(side) for name, build in RECORD_BUILDERS.items()})
            db.session.commit()
    return ids


def swept_routes(app) -> list[tuple[str, str, frozenset, str]]:
    """(endpoint, rule, arguments, method) for every non-exempt rule and each of its methods."""
    return [
        (rule.endpoint, rule.rule, frozenset(rule.arguments), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXEMPT_ENDPOINTS
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


# Collected once from a throwaway app (no database is touched); the fixture app is checked
# against the same list in test_sweeps_cover_every_route.
ROUTES = swept_routes(create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"}))


def route_id(route) -> str:
    return f"{route[3]} {route[1]}"


def build_url(app, endpoint: str, values: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    return app.url_map.bind("localhost").build(
        endpoint, {name: values[name] for name in rule.arguments}
    )


def call(client, method: str, url: str, data=None):
    return client.open(url, method=method, data=(data or {}) if method == "POST" else None)


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id)))


def test_sweeps_cover_every_route(app):
    non_exempt = {r.rule for r in app.url_map.iter_rules() if r.endpoint not in EXEMPT_ENDPOINTS}
    assert set(swept_routes(app)) == set(ROUTES)
    assert len({route[1] for route in ROUTES}) >= len(non_exempt)
    assert {r.endpoint for r in app.url_map.iter_rules()} >= EXEMPT_ENDPOINTS  # no stale names
    known = ID_ARGUMENTS | OTHER_ARGUMENTS.keys()
    unknown = {rule: arguments - known for _, rule, arguments, _ in ROUTES if arguments - known}
    assert not unknown, "routes take arguments the sweeps cannot fill: add a RECORD_BUILDER"


@pytest.mark.parametrize("route", ROUTES, ids=route_id)
def test_anonymous_is_sent_to_login(app, client, records, route):
    endpoint, _, _, method = route
    before = audit_count(app)
    response = call(client, method, build_url(app, endpoint, records["a"]))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert audit_count(app) == before


ROUTES_WITH_IDS = [route for route in ROUTES if route[2] & ID_ARGUMENTS]


@pytest.mark.parametrize("route", ROUTES_WITH_IDS, ids=route_id)
def test_another_clinics_ids_answer_404(app, client, records, as_role, route):
    # The admin may use every route, so a 404 here can only come from the clinic check.
    world = as_role("admin")
    endpoint, _, _, method = route
    before = audit_count(app)
    assert call(client, method, build_url(app, endpoint, records["b"])).status_code == 404
    assert audit_count(app) == before  # no view, no change recorded: nothing happened
    with app.app_context():
        assert db.session.get(User, world["b"]["practitioner"].id).active
        assert db.session.get(Patient, world["b"]["patient"].id).archived_at is None
        assert db.session.get(Episode, world["b"]["episode"].id).status == "open"


# A record reached through its patient: clinic A's patient with clinic B's record.
NESTED = [(route, arg) for route in ROUTES if "patient_id" in route[2]
          for arg in sorted(route[2] & ID_ARGUMENTS - {"patient_id"})]


@pytest.mark.parametrize(("route", "argument"), NESTED, ids=lambda v: v if isinstance(v, str)
                         else route_id(v))
def test_own_patient_with_another_clinics_record_answers_404(app, client, records, as_role,
                                                             route, argument):
    as_role("admin")
    endpoint, _, _, method = route
    values = {**records["a"], argument: records["b"][argument]}
    assert call(client, method, build_url(app, endpoint, values)).status_code == 404


RECEPTION_FORBIDDEN = [r for r in ROUTES if r[0].split(".")[0] not in RECEPTION_BLUEPRINTS]


@pytest.mark.parametrize("route", RECEPTION_FORBIDDEN, ids=route_id)
def test_reception_gets_403_outside_the_patient_register(app, client, records, as_role, route):
    as_role("reception")
    endpoint, _, _, method = route
    before = audit_count(app)
    data = intake_form_data(close_reason="resolved", note="Seen", closed_on="2026-11-20")
    assert call(client, method, build_url(app, endpoint, records["a"]), data).status_code == 403
    assert audit_count(app) == before


def test_reception_sweep_includes_every_intake_route():
    intake = {route for route in ROUTES if route[0].startswith("intake.")}
    assert intake and intake <= set(RECEPTION_FORBIDDEN)


ADMIN_ROUTES = [route for route in ROUTES if route[0].split(".")[0] in ADMIN_BLUEPRINTS]


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=route_id)
def test_practitioner_gets_403_on_admin_routes(app, client, records, as_role, route):
    world = as_role("practitioner")
    endpoint, _, _, method = route
    values = {**records["a"], "user_id": world["a"]["admin"].id}
    assert call(client, method, build_url(app, endpoint, values)).status_code == 403
    with app.app_context():
        assert db.session.get(User, world["a"]["admin"].id).active


def test_reception_sees_no_clinical_facts_on_the_patient(app, client, as_role, factory):
    world = as_role("reception")
    patient = world["a"]["patient"]
    factory.episode(patient, world["a"]["practitioner"], chief_complaint="Night-time ache",
                    red_flags=["fever"], pacemaker=True)
    clinical_markers = ("Red flags", "Safety", "Episodes of care", "Middle back pain",
                        "Night-time ache", f"/episodes/{world['a']['episode'].id}", "New intake")

    page = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    listing = client.get("/patients/").get_data(as_text=True)
    assert "PatientA" in page and "PatientA" in listing
    for marker in clinical_markers:
        assert marker not in page, marker
        assert marker not in listing, marker

    # The same page for a practitioner does show them (so the markers above are real).
    practitioner = app.test_client()
    practitioner.post("/login", data={"email": "practitioner@a.test", "password": PASSWORD})
    clinical_page = practitioner.get(f"/patients/{patient.id}").get_data(as_text=True)
    for marker in clinical_markers:
        assert marker in clinical_page, marker


def test_reception_can_register_edit_consent_and_archive(app, client, as_role):
    as_role("reception")
    assert client.get("/patients/").status_code == 200
    assert client.get("/patients/new").status_code == 200
    demographics = {"family_name": "Yamada", "given_name": "Taro", "sex": "male",
                    "preferred_language": "ja"}
    created = client.post("/patients/new", data=demographics)
    assert created.status_code == 302
    with app.app_context():
        patient = db.session.scalar(select(Patient).where(Patient.family_name == "Yamada"))
    base = f"/patients/{patient.id}"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/edit").status_code == 200
    edited = client.post(f"{base}/edit", data={
        **demographics, "given_name": "Jiro", "version": str(patient.version),
        "chart_number": patient.chart_number,
    })
    assert edited.status_code == 302
    assert client.get(f"{base}/consent").status_code == 200
    consent = client.post(f"{base}/consent", data={
        "given": "yes", "consent_date": "2026-11-01", "form_version": "v2", "witnessed_by": "",
        "notes": "",
    })
    assert consent.status_code == 302
    archived = client.post(f"{base}/archive", data={"reason": "Moved away", "confirm": "y"})
    assert archived.status_code == 302
    assert client.post(f"{base}/restore").status_code == 302

    with app.app_context():
        patient = db.session.get(Patient, patient.id)
        assert patient.given_name == "Jiro"
        assert patient.archived_at is None
        assert db.session.scalars(
            select(Consent.form_version).where(Consent.patient_id == patient.id)
        ).all() == ["v2"]


# --- posts a browser would not send (a field left out) must not crash the server -------------


def test_patient_edit_without_version_field_is_not_a_server_error(client, as_role):
    world = as_role("reception")
    data = {"family_name": "Renamed", "chart_number": "A-0001", "sex": "unknown",
            "preferred_language": "ja"}
    response = client.post(f"/patients/{world['a']['patient'].id}/edit", data=data)
    assert response.status_code in (302, 400, 422)


def test_consent_without_the_optional_fields_is_recorded(app, client, as_role):
    world = as_role("reception")
    patient_id = world["a"]["patient"].id
    data = {"given": "yes", "consent_date": "2026-11-01", "form_version": "v3"}
    response = client.post(f"/patients/{patient_id}/consent", data=data)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(
            select(Consent.witnessed_by).where(Consent.form_version == "v3")
        ).all() == [""]
