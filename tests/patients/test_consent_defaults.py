"""Consent at the front desk: the form version starts as the clinic's last one, and once
consent is given "Record consent" steps back on the patient's page."""

import re

from tests.pages import input_value
from tracker.patients.services import latest_consent_form_version


def consent_button(page: str) -> str:
    return re.search(r'<a class="([^"]*)" href="/patients/\d+/consent">Record consent</a>',
                     page).group(1)


def test_the_form_version_starts_as_the_clinics_latest(client, factory, as_role):
    world = as_role("reception")
    clinic, reception = world["a"]["clinic"], world["a"]["reception"]
    patient = factory.patient(clinic, reception)
    # The world's patients consented on form "v1"; the front desk then moved to "2026-04".
    assert client.post(f"/patients/{patient.id}/consent", data={
        "given": "yes", "consent_date": "2026-11-02", "form_version": "2026-04"},
    ).status_code == 302
    other = factory.patient(clinic, reception)
    page = client.get(f"/patients/{other.id}/consent").get_data(as_text=True)
    assert input_value(page, "form_version") == "2026-04"


def test_another_clinics_version_is_not_offered(client, auth, clinic_world):
    auth.login(clinic_world["b"]["reception"].email)
    b_patient = clinic_world["b"]["patient"].id
    assert client.post(f"/patients/{b_patient}/consent", data={
        "given": "yes", "consent_date": "2026-11-02", "form_version": "B-9"},
    ).status_code == 302
    auth.logout()
    auth.login(clinic_world["a"]["reception"].email)
    page = client.get(f"/patients/{clinic_world['a']['patient'].id}/consent")
    assert input_value(page.get_data(as_text=True), "form_version") == "v1"


def test_the_latest_version_of_each_clinic(app, clinic_world):
    with app.app_context():
        assert latest_consent_form_version(clinic_world["a"]["clinic"].id) == "v1"
        assert latest_consent_form_version(999999) == ""


def test_a_clinic_without_consents_starts_empty(client, factory, auth, clinic_world):
    clinic = factory.clinic("Clinic C", chart_prefix="C")
    reception = factory.user(clinic, "reception", email="reception@c.test")
    patient = factory.patient(clinic, reception)
    auth.login("reception@c.test")
    page = client.get(f"/patients/{patient.id}/consent").get_data(as_text=True)
    assert input_value(page, "form_version") == ""


def test_record_consent_is_secondary_once_given(client, factory, as_role):
    world = as_role("reception")
    with_consent = world["a"]["patient"]
    assert "btn-outline-secondary" in consent_button(
        client.get(f"/patients/{with_consent.id}").get_data(as_text=True))
    without = factory.patient(world["a"]["clinic"], world["a"]["reception"])
    assert "btn-outline-primary" in consent_button(
        client.get(f"/patients/{without.id}").get_data(as_text=True))
    refused = factory.patient(world["a"]["clinic"], world["a"]["reception"])
    factory.consent(refused, world["a"]["reception"], given=False)
    assert "btn-outline-primary" in consent_button(
        client.get(f"/patients/{refused.id}").get_data(as_text=True))
