"""Recording and voiding follow-up scores through the test client."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.pages import field_error, input_value
from tracker.extensions import db
from tracker.scores.models import Assessment


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def base(world, side="a") -> str:
    return f"/patients/{world[side]['patient'].id}/scores"


def follow_ups(app, context="follow_up") -> list[Assessment]:
    with app.app_context():
        return db.session.scalars(select(Assessment).where(
            Assessment.context == context).order_by(Assessment.id)).all()


PSFS = {"taken_on": "2026-11-20", "activities-0-name": "Sitting at the desk",
        "activities-0-score": "4", "activities-1-name": "Lifting the child",
        "activities-1-score": "5"}


def test_a_psfs_is_recorded_and_its_activities_are_offered_next_time(app, client, world):
    response = client.post(f"{base(world)}/new?instrument=psfs", data=PSFS)
    assert response.status_code == 302
    assert "/progress?episode=" in response.headers["Location"]
    [psfs] = follow_ups(app)
    assert psfs.score == Decimal("4.5") and psfs.answers["activities"][1]["name"] == \
        "Lifting the child"
    page = client.get(f"{base(world)}/new?instrument=psfs").get_data(as_text=True)
    assert input_value(page, "activities-0-name") == "Sitting at the desk"
    assert input_value(page, "activities-1-name") == "Lifting the child"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({**PSFS, "activities-1-score": ""}, "activities-1-score", "Score this activity"),
    ({**PSFS, "activities-0-name": ""}, "activities-0-name", "Name the activity"),
    ({**PSFS, "taken_on": "2999-01-01"}, "taken_on", "This date is in the future."),
    ({**PSFS, "activities-0-score": "11"}, "activities-0-score", "Choose a whole number"),
])
def test_a_bad_psfs_is_refused_next_to_the_field_and_keeps_the_typing(app, client, world,
                                                                     data, field, message):
    response = client.post(f"{base(world)}/new?instrument=psfs", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in field_error(page, field)
    assert input_value(page, "activities-1-name") == "Lifting the child"
    assert follow_ups(app) == []


def test_odi_and_rmdq_are_scored_from_their_raw_answers(app, client, world):
    sections = {f"sections-{n}": str(v) for n, v in enumerate([2, 2, 1, 3, 2, 2, 1, 2, 1])}
    assert client.post(f"{base(world)}/new?instrument=odi",
                       data={"taken_on": "2026-11-20", **sections,
                             "sections-9": ""}).status_code == 302
    refused = client.post(f"{base(world)}/new?instrument=odi",
                          data={"taken_on": "2026-11-20", "sections-0": "1"})
    assert refused.status_code == 422
    assert "At most two sections may be left out." in refused.get_data(as_text=True)
    assert client.post(f"{base(world)}/new?instrument=rmdq",
                       data={"taken_on": "2026-11-20", "items": ["1", "5", "24"]}
                       ).status_code == 302
    odi, rmdq = follow_ups(app)
    assert odi.score == Decimal("35.6") and odi.answers["sections"][9] is None
    assert rmdq.score == 3 and rmdq.answers["items"][23] is True


@pytest.mark.parametrize("query", ["instrument=bogus", "instrument=nrs&episode=abc",
                                   "instrument=nrs&episode=99999999999999999999"])
def test_an_unknown_instrument_or_episode_is_not_found(client, world, query):
    assert client.get(f"{base(world)}/new?{query}").status_code == 404


def test_a_score_is_voided_with_a_reason_and_stays(app, client, world):
    client.post(f"{base(world)}/new?instrument=nrs", data={"taken_on": "2026-11-20",
                                                          "score": "4"})
    [score] = follow_ups(app)
    void_url = f"{base(world)}/{score.id}/void"
    refused = client.post(void_url, data={"reason": ""})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "reason") == "Say why the score is voided."
    assert client.post(void_url, data={"reason": "Another patient's call"}).status_code == 302
    [kept] = follow_ups(app)
    assert kept.is_voided and kept.void_reason == "Another patient's call"
    page = client.get(f"/patients/{world['a']['patient'].id}/progress").get_data(as_text=True)
    assert "<del>4</del>" in page and "Another patient&#39;s call" in page


def test_another_clinics_score_cannot_be_voided(app, client, world, as_role):
    client.post(f"{base(world)}/new?instrument=nrs", data={"taken_on": "2026-11-20",
                                                          "score": "4"})
    [score] = follow_ups(app)
    assert client.post(f"{base(world, 'b')}/{score.id}/void",
                       data={"reason": "x"}).status_code == 404


def test_a_function_score_at_the_intake_is_recorded_as_such(app, client, world):
    page = client.get(f"{base(world)}/new?instrument=rmdq").get_data(as_text=True)
    assert 'name="context"' in page
    response = client.post(f"{base(world)}/new?instrument=rmdq",
                           data={"taken_on": "2026-11-01", "context": "intake", "items": ["2"]})
    assert response.status_code == 302
    # Beside the intake form's own pain and stress and sleep, the RMDQ taken at the intake.
    assert [a.instrument for a in follow_ups(app, context="intake")
            if a.entered_on_its_own] == ["rmdq"]
    # Pain at the intake is on the intake form: the pain form offers no choice.
    assert 'name="context"' not in client.get(f"{base(world)}/new?instrument=nrs").get_data(
        as_text=True)
