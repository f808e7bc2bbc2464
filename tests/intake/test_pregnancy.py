"""Pregnant with the weeks not known: a valid answer, stored as NULL weeks, shown as such."""

import pytest
from werkzeug.datastructures import MultiDict

from tests.intake.helpers import answered, base, episodes_of, error_fields
from tests.pages import field_error, input_value, ticked
from tracker.intake.forms import IntakeForm

NOT_KNOWN = "Pregnant (weeks not known)"


@pytest.fixture
def patient(as_role):
    return as_role("practitioner")["a"]["patient"]


def test_pregnant_with_weeks_not_known_is_stored_as_null_and_shown(client, app, patient):
    response = client.post(f"{base(patient)}/new",
                           data=answered(pregnant="y", pregnancy_weeks_unknown="y"))
    assert response.status_code == 302
    episode = episodes_of(app, patient)[-1]
    assert (episode.pregnant, episode.pregnancy_weeks) == (True, None)
    intake_page = client.get(response.headers["Location"]).get_data(as_text=True)
    patient_page = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    for page in (intake_page, patient_page):
        assert NOT_KNOWN in page

    edit_url = f"{base(patient)}/{episode.id}/edit"
    edit_page = client.get(edit_url).get_data(as_text=True)
    assert ticked(edit_page, "pregnant") is True
    assert ticked(edit_page, "pregnancy_weeks_unknown") is True
    assert input_value(edit_page, "pregnancy_weeks") == ""

    saved = client.post(edit_url, data=answered(pregnant="y", pregnancy_weeks="12",
                                                version=str(episode.version)))
    assert saved.status_code == 302
    assert episodes_of(app, patient)[-1].pregnancy_weeks == 12
    edit_page = client.get(edit_url).get_data(as_text=True)
    assert ticked(edit_page, "pregnancy_weeks_unknown") is False
    assert NOT_KNOWN not in client.get(f"/patients/{patient.id}").get_data(as_text=True)


def test_edit_form_of_a_pregnancy_with_known_weeks_leaves_weeks_not_known_unticked(
    client, as_role
):
    world = as_role("practitioner")
    patient, episode = world["a"]["patient"], world["a"]["episode"]
    url = f"{base(patient)}/{episode.id}/edit"
    assert ticked(client.get(url).get_data(as_text=True), "pregnancy_weeks_unknown") is False
    client.post(url, data=answered(pregnant="y", pregnancy_weeks="30", version="1"))
    page = client.get(url).get_data(as_text=True)
    assert (ticked(page, "pregnancy_weeks_unknown"), input_value(page, "pregnancy_weeks")) == (
        False, "30")


def test_weeks_and_weeks_not_known_together_keep_both_answers_on_the_page(client, patient):
    response = client.post(f"{base(patient)}/new", data=answered(
        pregnant="y", pregnancy_weeks="20", pregnancy_weeks_unknown="y"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_fields(page) == {"pregnancy_weeks_unknown"}
    assert ticked(page, "pregnancy_weeks_unknown") is True
    assert input_value(page, "pregnancy_weeks") == "20"


def test_weeks_typed_but_not_a_number_are_not_called_missing(client, patient):
    response = client.post(f"{base(patient)}/new",
                           data=answered(pregnant="y", pregnancy_weeks="about ten"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_fields(page) == {"pregnancy_weeks"}
    assert field_error(page, "pregnancy_weeks") == "Not a valid integer value."
    assert "Give the weeks of pregnancy" not in page


def test_episode_values_leave_weeks_not_known_out(app):
    with app.test_request_context(method="POST"):
        form = IntakeForm(formdata=MultiDict(answered(pregnant="y", pregnancy_weeks_unknown="y")))
        assert form.validate(), form.errors
        values = form.episode_values()
    assert form.pregnancy_weeks_unknown.data is True
    assert "pregnancy_weeks_unknown" not in values
    assert (values["pregnant"], values["pregnancy_weeks"]) == (True, None)
