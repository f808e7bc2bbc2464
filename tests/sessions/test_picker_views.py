"""The point picker and the treatment-table layout, through the test client: the row template
the picker copies posts as a row the server validates, the side is a row of radio buttons,
the caution preview reads the quick-entry text as it is typed, and on the note the caution
decisions come before "Sign note". The picker itself runs in the browser tests."""

import re

import pytest

from tests.factories import make_session, patient_with
from tests.pages import checked_radio
from tests.safety.helpers import base, form
from tests.sessions.helpers import count_sessions, point_codes_on_form, point_row, session_form
from tests.sessions.test_quick_entry_views import browser_post


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


@pytest.fixture
def pregnant(factory, world):
    return patient_with(factory, world["a"], pregnant=True, pregnancy_weeks=10)


def new_url(side) -> str:
    return f"/patients/{side['patient'].id}/sessions/new"


def template_row(page: str) -> str:
    found = re.search(r'<template id="point-row-template"[^>]*>(.*?)</template>', page, re.S)
    assert found, "the session form carries the row template the picker copies"
    return found.group(1)


def picked_row(page: str, index: int, code: str, side: str) -> dict:
    """What the browser posts for a row the picker added from the template: every control of
    the template, named as row ``index``, with the point and its side set."""
    row = template_row(page).replace("__index__", str(index)).replace("__point__", code)
    data = browser_post(f'<form class="session-form">{row}</form>')
    data[f"points-{index}-laterality"] = [side]
    return data


def test_the_row_template_is_a_catalog_row_with_placeholders(client, world):
    page = client.get(new_url(world["a"])).get_data(as_text=True)
    row = template_row(page)
    names = set(re.findall(r'name="([^"]+)"', row))
    assert {"points-__index__-code", "points-__index__-laterality", "points-__index__-depth",
            "points-__index__-angle", "points-__index__-technique"} <= names
    assert 'value="__point__"' in row
    # A catalog row: no Ashi place in the main row, the side unset until the picker sets it.
    assert "ashi-region" not in row
    sides = re.search(r'<fieldset class="side-toggle".*?</fieldset>', row, re.S).group(0)
    assert 'data-row="__index__"' in row and "checked" not in sides
    # Never posted: the browser skips a template, and so does the test's browser.
    assert not [name for name in browser_post(page) if "__index__" in name]


def test_a_picked_row_is_saved_like_a_typed_one(app, client, world):
    side = world["a"]
    page = client.get(new_url(side)).get_data(as_text=True)
    data = browser_post(page, episode_id=str(side["episode"].id), session_date="2026-11-20",
                        start_time="10:00", action="save")
    data |= picked_row(page, 0, "LI4", "bilateral")
    data |= picked_row(page, 1, "GV20", "midline")
    response = client.post(new_url(side), data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count_sessions(app) == 1
    note = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "LI4" in note and "GV20" in note


def test_a_picked_row_is_checked_like_a_typed_one(client, world):
    side = world["a"]
    page = client.get(new_url(side)).get_data(as_text=True)
    data = browser_post(page, episode_id=str(side["episode"].id), session_date="2026-11-20",
                        start_time="10:00", action="save")
    data |= picked_row(page, 0, "GV20", "bilateral")
    shown = client.post(new_url(side), data=data)
    assert shown.status_code == 422
    assert "GV20 is on the midline: choose Midline." in shown.get_data(as_text=True)


def test_the_side_is_a_row_of_radio_buttons_without_script(client, world):
    side = world["a"]
    data = session_form(episode_id=str(side["episode"].id), action="parse",
                        quick_entry="LI4 L, GV6, SP6 b/l", points=[])
    page = client.post(new_url(side), data=data).get_data(as_text=True)
    assert point_codes_on_form(page) == [("LI4", "left"), ("GV6", "midline"),
                                         ("SP6", "bilateral")]
    for value in ("left", "right", "bilateral", "midline"):
        assert f'id="points-0-laterality-{value}"' in page
    assert checked_radio(page, "points-0-laterality") == "left"
    # Details of each point fold under it, open without script.
    rows = page.split('<template id="point-row-template"')[0]
    assert rows.count('<details class="point-details"') == 3


def test_a_row_without_a_side_says_so(client, world):
    side = world["a"]
    data = session_form(episode_id=str(side["episode"].id), points=[point_row("LI4", "")])
    page = client.post(new_url(side), data=data).get_data(as_text=True)
    assert 'id="points-0-laterality-error">Choose the side.<' in page
    assert checked_radio(page, "points-0-laterality") == ""


def test_preview_warns_about_quick_entry_as_it_is_typed(app, client, pregnant):
    data = form(pregnant, [point_row("ST36", "bilateral")], quick_entry="LI4 L, S")
    response = client.post(f"{base(pregnant)}/sessions/cautions", data=data)
    answer = response.get_json()
    assert [c["message"] for c in answer["quick"]] == [
        "LI4 is cautioned in pregnancy; the patient is 12 weeks pregnant."]
    assert "pregnancy:LI4" in [c["key"] for c in answer["cautions"]]
    assert answer["rows"] == {}  # ST36, the one row, has no caution
    assert count_sessions(app) == 0


def test_preview_of_unfinished_quick_entry_is_quiet(client, pregnant):
    data = form(pregnant, [], quick_entry="L")
    answer = client.post(f"{base(pregnant)}/sessions/cautions", data=data).get_json()
    assert answer["quick"] == [] and answer["cautions"] == []


def test_the_form_offers_the_picker_its_search(client, world):
    page = client.get(new_url(world["a"])).get_data(as_text=True)
    assert 'data-search-url="/points/search.json"' in page
    assert 'id="point-suggestions" role="listbox"' in page
    assert 'id="quick-cautions"' in page
    # Without script the box is the plain quick-entry field with its "Add to list".
    assert re.search(r'<input[^>]*name="quick_entry"', page)
    assert 'name="action" value="parse"' in page


def test_cautions_are_compact_with_the_source_on_demand(client, pregnant):
    data = form(pregnant, [], action="parse", quick_entry="LI4 L, SP6 b/l")
    page = client.post(new_url(pregnant), data=data).get_data(as_text=True)
    panel = page.split('id="cautions-live"')[1].split("</section>")[0]
    assert panel.count('<details class="caution-more">') == 2
    assert panel.count('class="small caution-source"') == 2


def test_sign_comes_after_the_caution_decisions(app, client, pregnant):
    visit = make_session(app, pregnant, rows=[("LI4", "left", "")])
    page = client.get(f"{base(pregnant)}/sessions/{visit}").get_data(as_text=True)
    decision = page.index('name="ack-')
    reason = page.index('name="reason-')
    sign = page.index(">Sign note</button>")
    assert decision < reason < sign
    # The decisions belong to the sign form, which now follows them.
    assert page.index('id="sign-form"') > reason
