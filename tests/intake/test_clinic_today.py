"""Intake dates are checked against the clinic's today, not the server's.

Nothing is frozen: two clinics 25 hours apart (Kiritimati UTC+14, Pago Pago UTC-11) never
share a calendar date, so at any moment at least one of them has a today that is not the
server's, and the server's date would refuse its today or accept its tomorrow.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import PASSWORD
from tests.intake.helpers import answered, base, episodes_of
from tests.pages import field_error, input_value

ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")


def zone_today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def test_the_two_clinics_always_disagree_with_the_server_somewhere():
    """Guards the test below: at least one zone's today is not the server's."""
    assert any(zone_today(zone) != date.today() for zone in ZONES)


@pytest.fixture
def far_clinic(app, factory):
    def build(zone: str):
        clinic = factory.clinic(f"Clinic in {zone}", timezone=zone, chart_prefix="Z")
        practitioner = factory.user(clinic, "practitioner")
        patient = factory.patient(clinic, practitioner)
        client = app.test_client()
        client.post("/login", data={"email": practitioner.email, "password": PASSWORD})
        return client, patient

    return build


@pytest.mark.parametrize("zone", ZONES)
def test_a_clinic_records_an_intake_dated_its_own_today_and_not_its_tomorrow(
    app, far_clinic, zone
):
    client, patient = far_clinic(zone)
    today, tomorrow = zone_today(zone), zone_today(zone) + timedelta(days=1)
    url = f"{base(patient)}/new"
    assert input_value(client.get(url).get_data(as_text=True), "opened_on") == today.isoformat()

    refused = client.post(url, data=answered(opened_on=tomorrow.isoformat(), onset_date=None))
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "opened_on") == "This date is in the future."

    saved = client.post(url, data=answered(opened_on=today.isoformat(),
                                           onset_date=today.isoformat()))
    assert saved.status_code == 302
    episode = episodes_of(app, patient)[-1]
    assert (episode.opened_on, episode.onset_date) == (today, today)

    close_url = f"{base(patient)}/{episode.id}/close"
    close_page = client.get(close_url).get_data(as_text=True)
    assert input_value(close_page, "closed_on") == today.isoformat()
    closed = client.post(close_url, data={"closed_on": today.isoformat(),
                                          "close_reason": "resolved"})
    assert closed.status_code == 302
    assert episodes_of(app, patient)[-1].closed_on == today

    consent_page = client.get(f"/patients/{patient.id}/consent").get_data(as_text=True)
    assert input_value(consent_page, "consent_date") == today.isoformat()
