"""Intake pages through the test client: recording, validation, red flags, closing, conflicts."""

import re
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from tests.factories import intake_form_data
from tests.intake.helpers import (
    RED_FLAG_BANNER,
    answered,
    base,
    count_episodes,
    episodes_of,
    error_fields,
)
from tests.pages import field_error, input_value, textarea_value


@pytest.fixture
def patient(as_role):
    return as_role("practitioner")["a"]["patient"]


def test_intake_with_not_recorded_selects_is_accepted(client, app, patient):
    response = client.post(f"{base(patient)}/new", data=intake_form_data())
    assert error_fields(response.get_data(as_text=True)) == set()
    assert response.status_code == 302
    assert episodes_of(app, patient)[-1].tongue_colour is None


def test_complete_intake_is_stored_with_every_value(client, app, patient):
    data = answered(
        side="left", onset_type="sudden", causes=["poor_posture", "other_cause"],
        causes_other="New standing desk", symptoms=["sharp_pain", "morning_stiffness"],
        symptoms_other="Cold hands", pregnant="y", pregnancy_weeks="14", pacemaker="y",
        skin_lesions="y", skin_lesions_site="Left scapula", medical_history="Asthma",
        medications="Loxonin", co_interventions=["yoga_stretching"], sitting_hours="9.5",
        break_habit="rarely", exercise="weekly", exercise_notes="Swimming", lifting_at_work="y",
        stress_level="8", sleep_quality="3", mattress="Futon", sleep_position="side",
        weight_trend="gaining", tongue_colour="pale", tongue_coating="thick_white",
        tongue_shape=["swollen", "tooth_marked"], tongue_moisture="wet", pulse_rate="72",
        pulse_qualities=["wiry", "thready"], pulse_left_guan="wiry", pulse_right_chi="weak",
        patterns=["qi_blood_stagnation", "kidney_deficiency"], pattern_notes="Stagnation at T6",
        rationale="Local and distal points", planned_sessions="6", planned_interval_days="7",
        goals="A full working day without pain", baseline_nrs="6",
    )
    response = client.post(f"{base(patient)}/new", data=data)
    assert response.status_code == 302
    episode = episodes_of(app, patient)[-1]
    assert response.headers["Location"].endswith(f"{base(patient)}/{episode.id}")
    expected = {
        "chief_complaint": "Middle back pain", "side": "left", "onset_type": "sudden",
        "duration": "chronic", "causes": ["poor_posture", "other_cause"],
        "causes_other": "New standing desk", "symptoms": ["sharp_pain", "morning_stiffness"],
        "symptoms_other": "Cold hands", "red_flags": [], "pregnant": True,
        "pregnancy_weeks": 14, "pacemaker": True, "anticoagulants": False, "skin_lesions": True,
        "skin_lesions_site": "Left scapula", "medical_history": "Asthma",
        "medications": "Loxonin", "co_interventions": ["yoga_stretching"],
        "sitting_hours": Decimal("9.5"), "break_habit": "rarely", "exercise": "weekly",
        "exercise_notes": "Swimming", "lifting_at_work": True, "stress_level": 8,
        "sleep_quality": 3, "mattress": "Futon", "sleep_position": "side",
        "weight_trend": "gaining", "tongue_colour": "pale", "tongue_coating": "thick_white",
        "tongue_shape": ["swollen", "tooth_marked"], "tongue_moisture": "wet",
        "pulse_rate": 72, "pulse_qualities": ["wiry", "thready"],
        "pulse_positions": {"left_guan": "wiry", "right_chi": "weak"},
        "patterns": ["qi_blood_stagnation", "kidney_deficiency"],
        "pattern_notes": "Stagnation at T6", "rationale": "Local and distal points",
        "planned_sessions": 6, "planned_interval_days": 7,
        "goals": "A full working day without pain", "baseline_nrs": 6,
    }
    assert {name: getattr(episode, name) for name in expected} == expected
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for shown in ("Left guan: wiry; Right chi: weak", "Pregnant (14 weeks at intake)",
                  "9.5 hours", "6 sessions, every 7 days"):
        assert shown in page


RANGE = "Choose a whole number from 0 to 10."


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"baseline_nrs": None}, "baseline_nrs", "Record the baseline pain score."),
        ({"baseline_nrs": "11"}, "baseline_nrs", RANGE),
        ({"baseline_nrs": "-1"}, "baseline_nrs", RANGE),
        ({"baseline_nrs": "abc"}, "baseline_nrs", RANGE),
        ({"baseline_nrs": "7.5"}, "baseline_nrs", RANGE),
        ({"stress_level": "12"}, "stress_level", RANGE),
        ({"pregnant": "y"}, "pregnancy_weeks",
         "Give the weeks of pregnancy (an estimate is fine), or tick “Weeks not known”."),
        ({"pregnancy_weeks": "20"}, "pregnancy_weeks", "Weeks given, but Pregnant is not ticked."),
        ({"pregnant": "y", "pregnancy_weeks": "20", "pregnancy_weeks_unknown": "y"},
         "pregnancy_weeks_unknown", "Weeks given and “Weeks not known” ticked: keep only one."),
        ({"pregnancy_weeks_unknown": "y"}, "pregnancy_weeks_unknown",
         "“Weeks not known” is ticked, but Pregnant is not."),
        ({"pregnant": "y", "pregnancy_weeks": "50"}, "pregnancy_weeks",
         "Number must be between 0 and 42."),
        ({"onset_date": "2026-11-10"}, "onset_date", "Onset cannot be after the intake date."),
        ({"opened_on": "2099-01-01"}, "opened_on", "This date is in the future."),
        ({"causes": ["other_cause"]}, "causes_other", "Describe the other cause."),
        ({"skin_lesions": "y"}, "skin_lesions_site", "Say where the skin lesions are."),
        ({"pulse_rate": "500"}, "pulse_rate", "Number must be between 30 and 200."),
        ({"causes": ["alien"]}, "causes", "Choose only from the listed options."),
        ({"chief_complaint": ""}, "chief_complaint", "This field is required."),
    ],
)
def test_bad_intake_is_refused_next_to_the_field(client, app, patient, overrides, field, message):
    before = count_episodes(app)
    data = answered(medications="Loxonin 60 mg", exercise_notes="Swimming", **overrides)
    response = client.post(f"{base(patient)}/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_fields(page) == {field}
    assert field_error(page, field) == message
    assert textarea_value(page, "medications") == "Loxonin 60 mg"
    assert input_value(page, "exercise_notes") == "Swimming"
    if field != "chief_complaint":
        assert input_value(page, "chief_complaint") == "Middle back pain"
    for name in ("pregnancy_weeks", "pulse_rate", "onset_date", "opened_on"):
        if name in overrides:
            assert input_value(page, name) == overrides[name]
    assert count_episodes(app) == before


def test_red_flags_banner_until_acknowledged_with_a_note(client, app, patient):
    response = client.post(f"{base(patient)}/new",
                           data=answered(red_flags=["fever", "night_pain"]))
    intake_url = response.headers["Location"]
    patient_page = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    intake_page = client.get(intake_url).get_data(as_text=True)
    for page in (patient_page, intake_page):
        assert RED_FLAG_BANNER in page
        assert "Fever" in page and "Night pain not eased by rest" in page

    refused = client.post(f"{intake_url}/acknowledge", data={"note": "  "})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "note").startswith("Write what you decided")
    assert episodes_of(app, patient)[-1].red_flags_acknowledged_at is None

    done = client.post(f"{intake_url}/acknowledge", data={"note": "Referred to GP on 2 Nov"})
    assert done.status_code == 302
    assert RED_FLAG_BANNER not in client.get(f"/patients/{patient.id}").get_data(as_text=True)
    intake_page = client.get(intake_url).get_data(as_text=True)
    assert RED_FLAG_BANNER not in intake_page
    assert re.search(r"Acknowledged by Practitioner at [^<]*: Referred to GP on 2 Nov", intake_page)


def test_close_needs_a_reason_then_locks_editing_until_reopened(client, app, as_role):
    world = as_role("practitioner")
    patient, episode = world["a"]["patient"], world["a"]["episode"]
    url = f"{base(patient)}/{episode.id}"
    assert client.get(f"{url}/close").status_code == 200
    refused = client.post(f"{url}/close", data={"closed_on": "2026-11-20", "close_reason": ""})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "close_reason") == "Choose a reason."
    assert episodes_of(app, patient)[0].is_open

    closed = client.post(f"{url}/close", data={"closed_on": "2026-11-20",
                                               "close_reason": "resolved", "close_note": ""})
    assert closed.status_code == 302
    assert closed.headers["Location"].endswith(f"/patients/{patient.id}")
    assert ">Closed</span>" in client.get(url).get_data(as_text=True)
    editing = client.get(f"{url}/edit", follow_redirects=True)
    assert editing.request.path == url
    assert "This episode is closed; reopen it to change the intake." in editing.get_data(
        as_text=True)

    assert client.post(f"{url}/reopen").status_code == 302
    assert ">Open</span>" in client.get(url).get_data(as_text=True)
    assert client.get(f"{url}/edit").status_code == 200
    assert episodes_of(app, patient)[0].close_reason is None


def conflicting_edit(client, app, world):
    """The admin and the practitioner open the same intake; the practitioner saves first."""
    patient, episode = world["a"]["patient"], world["a"]["episode"]
    url = f"{base(patient)}/{episode.id}/edit"
    first = app.test_client()
    first.post("/login", data={"email": "practitioner@a.test", "password": PASSWORD})
    for c in (client, first):
        assert input_value(c.get(url).get_data(as_text=True), "version") == "1"
    saved = first.post(url, data=answered(chief_complaint="Upper back pain", version="1"))
    assert saved.status_code == 302
    response = client.post(url, data=answered(medications="Ibuprofen 200 mg", baseline_nrs="5",
                                              version="1"))
    return url, response


def test_intake_edit_conflict_keeps_what_was_typed(client, app, as_role):
    world = as_role("admin")
    url, response = conflicting_edit(client, app, world)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert re.search(r"<li>Practitioner at [^<]* changed: [^<]*chief_complaint", page)
    assert re.search(r'id="chief_complaint-conflict">[^<]*<strong>Upper back pain</strong>', page)
    assert textarea_value(page, "medications") == "Ibuprofen 200 mg"
    assert re.search(r'<input checked[^>]*name="baseline_nrs"[^>]*value="5"', page)
    assert input_value(page, "version") == "2"
    assert episodes_of(app, world["a"]["patient"])[0].medications == ""

    again = client.post(url, data=answered(medications="Ibuprofen 200 mg", version="2"))
    assert again.status_code == 302
    stored = episodes_of(app, world["a"]["patient"])[0]
    assert (stored.medications, stored.chief_complaint) == ("Ibuprofen 200 mg", "Middle back pain")


@pytest.mark.parametrize(
    "method, path",
    [("get", "/new"), ("post", "/new"), ("get", "/{e}"), ("get", "/{e}/edit"),
     ("post", "/{e}/edit"), ("get", "/{e}/close"), ("post", "/{e}/close"),
     ("post", "/{e}/acknowledge"), ("post", "/{e}/reopen")],
)
def test_reception_gets_403_on_intake_pages(client, app, as_role, method, path):
    world = as_role("reception")
    patient, episode = world["a"]["patient"], world["a"]["episode"]
    url = base(patient) + path.format(e=episode.id)
    data = answered(note="Seen", close_reason="other") if method == "post" else None
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 403
    assert "Middle back pain" not in response.get_data(as_text=True)
    assert count_episodes(app) == 2 and episodes_of(app, patient)[0].is_open
