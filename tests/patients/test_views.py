"""Patient pages through the test client: list, search, registration, editing, archive, consent."""

import html
import re
import warnings

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, count_queries
from tracker.extensions import db
from tracker.patients.models import Consent, Patient


def field_error(page: str, field_id: str) -> str | None:
    """The message shown next to a field (the element the field's aria-describedby names)."""
    match = re.search(rf'id="{field_id}-error">([^<]*)<', page)
    return html.unescape(match.group(1)) if match else None


def input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', page
    )
    return html.unescape(match.group(1)) if match else None


def patient_form(**overrides) -> dict:
    data = {
        "chart_number": "", "family_name": "Tanaka", "given_name": "Hanako",
        "family_name_kana": "タナカ", "given_name_kana": "ハナコ", "date_of_birth": "1980-04-02",
        "sex": "female", "phone": "03-1234-5678", "email": "hanako@example.jp",
        "postal_code": "150-0001", "address": "Shibuya 1-2-3", "occupation": "Tea ceremony teacher",
        "preferred_language": "ja", "emergency_contact": "", "referral_source": "",
        "admin_notes": "",
    }
    return {**data, **overrides}


def count_patients(app, **where) -> int:
    with app.app_context():
        stmt = select(func.count()).select_from(Patient).filter_by(**where)
        return db.session.scalar(stmt)


def login_other_client(app, email):
    other = app.test_client()
    other.post("/login", data={"email": email, "password": PASSWORD})
    return other


def test_forms_use_no_deprecated_choices(client, as_role):
    as_role("reception")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert client.get("/patients/new").status_code == 200


def test_list_paginates(client, app, factory, as_role):
    world = as_role("reception")
    for i in range(30):
        factory.patient(world["a"]["clinic"], world["a"]["reception"], family_name=f"Zz{i:02d}")
    per_page = app.config["PATIENTS_PER_PAGE"]
    first = client.get("/patients/").get_data(as_text=True)
    second = client.get("/patients/?page=2").get_data(as_text=True)
    assert first.count('class="patient-link"') == per_page
    assert second.count('class="patient-link"') == 31 - per_page
    assert "31 patients" in first and 'aria-label="Pages"' in first
    assert "31 patients" in second  # the total rides on the page's own rows
    # Past the end: no row carries the total, so it is counted on its own; the list says so
    # and still offers its pages.
    past = client.get("/patients/?page=5").get_data(as_text=True)
    assert 'class="patient-link"' not in past and "No patients on this page." in past
    assert 'aria-label="Pages"' in past and "page=2" in past


def test_search_box_filters_the_list(client, factory, as_role):
    world = as_role("reception")
    factory.patient(world["a"]["clinic"], world["a"]["reception"], family_name="山田",
                    given_name="太郎", family_name_kana="ヤマダ", given_name_kana="タロウ")
    page = client.get("/patients/", query_string={"q": "yamada"}).get_data(as_text=True)
    assert "山田 太郎" in page and "PatientA" not in page
    assert "1 patient matching" in page


def test_list_query_count_does_not_grow_with_patients(client, app, factory, as_role):
    world = as_role("practitioner")
    clinic, reception = world["a"]["clinic"], world["a"]["reception"]

    def add(n):
        for i in range(n):
            patient = factory.patient(clinic, reception)
            if i % 2:
                factory.consent(patient, reception)
                factory.episode(patient, world["a"]["practitioner"], red_flags=["fever"])

    def measure():
        client.get("/patients/")
        with count_queries(app) as statements:
            assert client.get("/patients/").status_code == 200
        return len(statements)

    add(2)
    with_three = measure()
    add(27)
    assert measure() == with_three


def test_create_stores_patient_and_redirects(client, app, as_role):
    as_role("reception")
    response = client.post("/patients/new", data=patient_form())
    assert response.status_code == 302
    with app.app_context():
        patient = db.session.scalar(select(Patient).filter_by(family_name="Tanaka"))
        assert response.headers["Location"].endswith(f"/patients/{patient.id}")
        assert patient.chart_number == "A-0002"
        assert (patient.email, patient.occupation) == ("hanako@example.jp", "Tea ceremony teacher")
        assert str(patient.date_of_birth) == "1980-04-02"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("family_name", "", "This field is required."),
        ("date_of_birth", "2099-01-01", "This date is in the future."),
        ("date_of_birth", "1850-06-01", "Check the year: it is before 1900."),
        ("email", "not-an-email", "Enter a valid email address."),
        ("phone", "090-CALL-ME", "Digits, spaces, + - ( ) only."),
        ("chart_number", "A-0001", "This chart number is already used."),
    ],
)
def test_create_with_bad_input_keeps_typing_and_saves_nothing(
    client, app, as_role, field, value, message
):
    as_role("reception")
    before = count_patients(app)
    response = client.post("/patients/new", data=patient_form(**{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, field) == message
    assert input_value(page, "occupation") == "Tea ceremony teacher"
    assert input_value(page, "given_name") == "Hanako"
    if value:
        assert input_value(page, field) == value
    assert count_patients(app) == before


def test_edit_conflict_shows_changes_and_keeps_typing(client, app, as_role):
    world = as_role("reception")
    patient = world["a"]["patient"]
    url = f"/patients/{patient.id}/edit"
    first = login_other_client(app, "practitioner@a.test")
    for c in (client, first):
        assert input_value(c.get(url).get_data(as_text=True), "version") == "1"
    stored = {name: "" for name in patient_form()}
    base = {**stored, "chart_number": "A-0001", "family_name": "PatientA", "given_name": "Test",
            "sex": "unknown", "preferred_language": "ja", "version": "1"}
    assert first.post(url, data={**base, "phone": "080-1111-2222"}).status_code == 302

    response = client.post(url, data={**base, "occupation": "Night-shift nurse"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert re.search(r"<li>Practitioner at [^<]* changed: phone</li>", page)
    assert re.search(r'id="phone-conflict">[^<]*<strong>080-1111-2222</strong>', page)
    assert 'id="family_name-conflict"' not in page  # unchanged fields are not flagged
    assert input_value(page, "occupation") == "Night-shift nurse"
    version = input_value(page, "version")
    assert version == "2"
    with app.app_context():
        assert db.session.get(Patient, patient.id).occupation == ""

    again = client.post(url, data={**base, "occupation": "Night-shift nurse", "version": version})
    assert again.status_code == 302
    with app.app_context():
        saved = db.session.get(Patient, patient.id)
        assert (saved.occupation, saved.phone, saved.version) == ("Night-shift nurse", "", 3)


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"confirm": "y"}, "reason", "This field is required."),
        ({"reason": "Moved away"}, "confirm", "Tick to confirm."),
    ],
)
def test_archive_needs_reason_and_confirmation(client, app, as_role, data, field, message):
    world = as_role("reception")
    patient = world["a"]["patient"]
    response = client.post(f"/patients/{patient.id}/archive", data=data)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field) == message
    assert count_patients(app, archived_at=None) == 2


def test_archive_hides_patient_and_restore_brings_it_back(client, as_role):
    world = as_role("reception")
    patient = world["a"]["patient"]
    response = client.post(
        f"/patients/{patient.id}/archive", data={"reason": "Moved to Osaka", "confirm": "y"}
    )
    assert response.status_code == 302
    assert "PatientA" not in client.get("/patients/").get_data(as_text=True)
    archived = client.get("/patients/?archived=y").get_data(as_text=True)
    assert "PatientA" in archived
    detail = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "Moved to Osaka" in detail and "Restore to the patient list" in detail
    assert client.post(f"/patients/{patient.id}/restore").status_code == 302
    assert "PatientA" in client.get("/patients/").get_data(as_text=True)
    assert "PatientA" not in client.get("/patients/?archived=y").get_data(as_text=True)


@pytest.mark.parametrize(
    "missing, message",
    [("given", "Choose whether consent was given."), ("form_version", "This field is required.")],
)
def test_consent_form_requires_choice_and_version(client, app, factory, as_role, missing, message):
    world = as_role("reception")
    patient = factory.patient(world["a"]["clinic"], world["a"]["reception"])
    data = {"given": "yes", "consent_date": "2026-11-02", "form_version": "2026-04",
            "witnessed_by": "Rin", "notes": ""}
    del data[missing]
    response = client.post(f"/patients/{patient.id}/consent", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, missing) == message
    assert input_value(page, "witnessed_by") == "Rin"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consent).filter_by(
            patient_id=patient.id)) == 0


def test_recording_consent_removes_the_banner(client, factory, as_role):
    world = as_role("reception")
    patient = factory.patient(world["a"]["clinic"], world["a"]["reception"])
    assert "Consent missing" in client.get(f"/patients/{patient.id}").get_data(as_text=True)
    response = client.post(
        f"/patients/{patient.id}/consent",
        data={"given": "yes", "consent_date": "2026-11-02", "form_version": "2026-04",
              "witnessed_by": "", "notes": ""},
    )
    assert response.status_code == 302
    page = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "Consent missing" not in page and "form 2026-04" in page


def test_consent_without_optional_fields_is_recorded(client, factory, as_role):
    world = as_role("reception")
    patient = factory.patient(world["a"]["clinic"], world["a"]["reception"])
    response = client.post(
        f"/patients/{patient.id}/consent",
        data={"given": "yes", "consent_date": "2026-11-02", "form_version": "2026-04"},
    )
    assert response.status_code == 302


def test_patient_page_shows_demographics(client, factory, as_role):
    world = as_role("reception")
    patient = factory.patient(
        world["a"]["clinic"], world["a"]["reception"], family_name="鈴木", given_name="一郎",
        family_name_kana="スズキ", phone="03-9876-5432", email="ichiro@example.test",
        occupation="Taxi driver", address="Shinjuku 4-5-6",
    )
    page = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    for shown in ("鈴木 一郎", "スズキ", patient.chart_number, "03-9876-5432",
                  "ichiro@example.test", "Taxi driver", "Shinjuku 4-5-6"):
        assert shown in page


@pytest.mark.parametrize("which", ["unknown", "other clinic"])
def test_unknown_patient_gets_a_friendly_404(client, as_role, which):
    world = as_role("reception")
    patient_id = 999999 if which == "unknown" else world["b"]["patient"].id
    response = client.get(f"/patients/{patient_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in page and "PatientB" not in page
    assert re.search(r'<a [^>]*href="/"[^>]*>Back to the start page</a>', page)
