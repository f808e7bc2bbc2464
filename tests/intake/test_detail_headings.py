"""The intake's page shows a heading only over something: a part left empty has none."""

import re

import pytest

from tests.intake.helpers import base


def headings(page: str) -> list[str]:
    return re.findall(r'<h3 class="h5"[^>]*>([^<]*)</h3>', page)


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def test_empty_parts_have_no_heading(client, factory, world):
    side = world["a"]
    patient = factory.patient(side["clinic"], side["reception"])
    factory.consent(patient, side["reception"])
    episode = factory.episode(patient, side["practitioner"])
    page = client.get(f"{base(patient)}/{episode.id}").get_data(as_text=True)
    # The complaint and the plan (baseline pain) are always recorded; the safety facts say
    # "None recorded." (that is news); history, lifestyle, tongue and pulse were left empty.
    assert headings(page) == ["Complaint", "Safety facts", "Plan"]
    for empty in ("History", "Lifestyle", "Tongue, pulse and pattern"):
        assert f">{empty}<" not in page


def test_filled_parts_keep_their_heading(client, factory, world):
    side = world["a"]
    patient = factory.patient(side["clinic"], side["reception"])
    factory.consent(patient, side["reception"])
    episode = factory.episode(patient, side["practitioner"], medications="Loxonin",
                              stress_level=6, pattern_notes="Qi stagnation", goals="Desk work")
    page = client.get(f"{base(patient)}/{episode.id}").get_data(as_text=True)
    assert headings(page) == ["Complaint", "Safety facts", "History", "Lifestyle",
                              "Tongue, pulse and pattern", "Plan"]
    assert "Loxonin" in page and "6/10" in page
