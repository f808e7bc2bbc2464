"""Red flags on the intake pages: the full list and its sources, the banner, and "new onset
under 20 or over 50" proposed from the birth date on a new intake."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.intake.helpers import RED_FLAG_BANNER, answered, base, episodes_of, error_fields
from tests.pages import ticked
from tracker.intake.vocab import RED_FLAG_SOURCES, RED_FLAGS

SOURCES = (
    "Sources: AHCPR Clinical Practice Guideline 14, Acute low back problems in adults (Bigos "
    "et al., 1994); thoracic and non-mechanical pain: UK Clinical Standards Advisory Group "
    "(1994) and RCGP low back pain guidelines (1999)."
)
ADDED = {
    "saddle_anaesthesia": "Saddle anaesthesia (cauda equina)",
    "onset_age": "New onset under 20 or over 50",
    "steroids_immunosuppression": "Long-term steroids or immunosuppression",
    "iv_drug_use": "Intravenous drug use",
    "non_mechanical_pain": "Non-mechanical thoracic or chest pain",
    "osteoporosis_minor_trauma": "Osteoporosis with minor trauma",
}
# Codes stored before this list grew: never renamed.
EARLIER = ("difficulty_breathing", "weight_loss", "digestive_issues", "fever",
           "significant_trauma", "cancer_history", "night_pain", "neuro_deficit",
           "bladder_bowel")
PROPOSED_NOTE = re.compile(r"Proposed from the birth date \(age (\d+)\)")


def tokyo_today() -> date:
    """The test clinics' today (they are in Asia/Tokyo, the default)."""
    return datetime.now(ZoneInfo("Asia/Tokyo")).date()


def born(years_before: date, years: int) -> date:
    """The birth date of someone who turns ``years`` on ``years_before``."""
    try:
        return years_before.replace(year=years_before.year - years)
    except ValueError:  # 29 February: a non-leap year's birthday falls on the 28th
        return date(years_before.year - years, 2, 28)


def test_the_form_offers_every_red_flag_with_its_published_sources(client, as_role):
    patient = as_role("practitioner")["a"]["patient"]
    page = client.get(f"{base(patient)}/new").get_data(as_text=True)
    for code, label in RED_FLAGS:
        assert ticked(page, "red_flags", code) is False, code
        shown = re.escape(str(label))
        assert re.search(rf'value="{code}"> <label[^>]*>{shown}</label>', page), code
    assert set(EARLIER) | set(ADDED) == {code for code, _ in RED_FLAGS}
    assert dict(RED_FLAGS)["bladder_bowel"] == "Bladder or bowel dysfunction (cauda equina)"
    assert {code: dict(RED_FLAGS)[code] for code in ADDED} == ADDED
    assert RED_FLAG_SOURCES == SOURCES
    assert f'<div class="form-text" id="red_flags-help">{SOURCES}</div>' in page
    assert re.search(r'<fieldset[^>]*aria-describedby="red_flags-help"', page)
    assert PROPOSED_NOTE.search(page) is None  # the factory's patient has no birth date


def test_new_red_flags_are_stored_and_bring_the_banner_back_when_ticked_later(
    client, app, as_role
):
    patient = as_role("practitioner")["a"]["patient"]
    created = client.post(f"{base(patient)}/new",
                          data=answered(red_flags=["bladder_bowel", "iv_drug_use"]))
    intake_url = created.headers["Location"]
    episode = episodes_of(app, patient)[-1]
    assert episode.red_flags == ["bladder_bowel", "iv_drug_use"]
    patient_page = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert RED_FLAG_BANNER in patient_page
    assert "Bladder or bowel dysfunction (cauda equina); Intravenous drug use." in patient_page

    client.post(f"{intake_url}/acknowledge", data={"note": "Referred to A&E the same day"})
    assert RED_FLAG_BANNER not in client.get(f"/patients/{patient.id}").get_data(as_text=True)

    saved = client.post(f"{intake_url}/edit", data=answered(
        red_flags=["bladder_bowel", "iv_drug_use", "saddle_anaesthesia"],
        version=str(episodes_of(app, patient)[-1].version)))
    assert saved.status_code == 302
    patient_page = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert RED_FLAG_BANNER in patient_page
    assert "Saddle anaesthesia (cauda equina)" in patient_page


@pytest.mark.parametrize(
    "years, day_later, age, proposed",
    [
        (20, 1, 19, True),  # turns 20 tomorrow
        (20, 0, 20, False),  # 20 today
        (51, 1, 50, False),  # turns 51 tomorrow
        (51, 0, 51, True),  # 51 today
        (62, 0, 62, True),
        (35, 0, 35, False),
    ],
)
def test_onset_age_is_proposed_from_the_birth_date_on_a_new_intake(
    client, factory, as_role, years, day_later, age, proposed
):
    world = as_role("practitioner")
    birth = born(tokyo_today(), years) + timedelta(days=day_later)
    patient = factory.patient(world["a"]["clinic"], world["a"]["reception"],
                              date_of_birth=birth)
    page = client.get(f"{base(patient)}/new").get_data(as_text=True)
    assert ticked(page, "red_flags", "onset_age") is proposed
    note = PROPOSED_NOTE.search(page)
    if proposed:
        assert note and int(note.group(1)) == age
        assert "untick “New onset under 20 or over 50” if the pain is not new." in page
        assert re.search(r'<fieldset id="red-flags"[^>]*aria-describedby="onset-age-proposed"',
                         page)
        assert 'id="onset-age-proposed"' in page
    else:
        assert note is None and 'aria-describedby="onset-age-proposed"' not in page


@pytest.fixture
def aged_62(factory, as_role):
    world = as_role("practitioner")
    return factory.patient(world["a"]["clinic"], world["a"]["reception"],
                           date_of_birth=born(tokyo_today(), 62))


def test_a_post_never_adds_the_proposed_flag(client, app, aged_62):
    response = client.post(f"{base(aged_62)}/new", data=answered(red_flags=["fever"]))
    assert response.status_code == 302
    assert episodes_of(app, aged_62)[-1].red_flags == ["fever"]


def test_an_unticked_proposal_stays_unticked_when_the_form_comes_back(client, app, aged_62):
    response = client.post(f"{base(aged_62)}/new", data=answered(chief_complaint=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and error_fields(page) == {"chief_complaint"}
    assert ticked(page, "red_flags", "onset_age") is False
    assert PROPOSED_NOTE.search(page) is None
    assert episodes_of(app, aged_62) == []


def test_a_kept_proposal_is_stored_and_explained_again_on_a_refused_post(client, app, aged_62):
    today = tokyo_today().isoformat()
    refused = client.post(f"{base(aged_62)}/new", data=answered(
        opened_on=today, chief_complaint="", red_flags=["onset_age"]))
    page = refused.get_data(as_text=True)
    assert ticked(page, "red_flags", "onset_age") is True
    assert PROPOSED_NOTE.search(page).group(1) == "62"
    saved = client.post(f"{base(aged_62)}/new", data=answered(red_flags=["onset_age"]))
    assert saved.status_code == 302
    assert episodes_of(app, aged_62)[-1].red_flags == ["onset_age"]
    assert "New onset under 20 or over 50" in client.get(
        f"/patients/{aged_62.id}").get_data(as_text=True)


def test_the_edit_form_proposes_nothing(client, app, factory, as_role, aged_62):
    world = as_role("practitioner")
    episode = factory.episode(aged_62, world["a"]["practitioner"], opened_on=tokyo_today())
    page = client.get(f"{base(aged_62)}/{episode.id}/edit").get_data(as_text=True)
    assert ticked(page, "red_flags", "onset_age") is False
    assert PROPOSED_NOTE.search(page) is None
