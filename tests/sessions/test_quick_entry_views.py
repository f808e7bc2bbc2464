"""Quick entry through the session form, posted as a browser posts it: every field of the
rendered form present (empty ones as ""), the action button's value, and the shorthand."""

import html
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.pages import checked_radio, input_value, selected_option
from tests.sessions.helpers import count_sessions
from tracker.extensions import db
from tracker.sessions.models import TreatmentSession


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


class _FormFields(HTMLParser):
    """The (name, value) pairs a browser submits for the page's session form."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""
        self._templates = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "session-form" in (attrs.get("class") or ""):
            self._in_form = True
        if tag == "template":
            self._templates += 1  # a template's controls are never posted
        if not self._in_form or self._templates:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
            else:
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value") or "", "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "template":
            self._templates -= 1
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            chosen = [value for value, selected in self._options if selected]
            first = self._options[0][0] if self._options else ""
            self.fields.append((self._select, chosen[0] if chosen else first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def browser_post(page: str, **overrides) -> dict:
    """What the browser posts from ``page``'s session form, with ``overrides`` typed in."""
    parser = _FormFields()
    parser.feed(page)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    for name, value in overrides.items():
        data[name] = [value]
    return data


def new_url(world) -> str:
    return f"/patients/{world['a']['patient'].id}/sessions/new"


def stored(app) -> TreatmentSession:
    with app.app_context():
        return db.session.scalars(
            select(TreatmentSession).options(selectinload(TreatmentSession.points))
        ).one()


def test_the_browser_post_has_an_empty_needle_count(client, world):
    data = browser_post(client.get(new_url(world)).get_data(as_text=True))
    assert data["needles_inserted"] == [""] and data["quick_entry"] == [""]
    assert data["session_date"][0] and data["episode_id"][0]


def test_save_draft_with_shorthand_in_the_box_saves_at_once(app, client, world):
    page = client.get(new_url(world)).get_data(as_text=True)
    data = browser_post(page, action="save", quick_entry="BL23 bilat, GV4")
    response = client.post(new_url(world), data=data)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[:3000]
    visit = stored(app)
    assert response.headers["Location"].endswith(f"/sessions/{visit.id}")
    assert visit.needles_inserted == 3
    assert [(row.point.code, row.laterality) for row in visit.points] == [
        ("BL23", "bilateral"), ("GV4", "midline")]


def test_parse_shows_what_the_parser_did_under_the_box(app, client, world):
    page = client.get(new_url(world)).get_data(as_text=True)
    data = browser_post(page, action="parse", quick_entry="BL23 GV4 bilat")
    response = client.post(new_url(world), data=data)
    assert response.status_code == 200
    shown = html.unescape(response.get_data(as_text=True))
    box = re.search(r'<div[^>]*id="quick-notices"[^>]*>(.*?)</div>', shown, re.S)
    assert 'aria-live="polite"' in box.group(0) and "alert-info" in box.group(0)
    assert "GV4 is on the midline: kept as one needle (midline)." in box.group(1)
    assert input_value(shown, "needles_inserted") == "3"
    assert count_sessions(app) == 0


def test_a_save_flashes_the_notices_on_the_next_page(app, client, world):
    page = client.get(new_url(world)).get_data(as_text=True)
    data = browser_post(page, action="save", quick_entry="BL23 GV4 bilat")
    response = client.post(new_url(world), data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "GV4 is on the midline: kept as one needle (midline)." in html.unescape(
        response.get_data(as_text=True))
    assert count_sessions(app) == 1


def test_ashi_with_a_count_fills_rows_and_the_needle_count(app, client, world):
    page = client.get(new_url(world)).get_data(as_text=True)
    data = browser_post(page, action="parse", quick_entry="Ashi x3 L upper trap, LI4 L perp")
    shown = client.post(new_url(world), data=data).get_data(as_text=True)
    for index in range(3):
        assert input_value(shown, f"points-{index}-custom_label") == "L upper trap"
        assert checked_radio(shown, f"points-{index}-laterality") == "left"
    assert input_value(shown, "points-3-code") == "LI4"
    assert selected_option(shown, "points-3-angle") == "perpendicular"
    assert input_value(shown, "needles_inserted") == "4"


def test_ashi_rows_are_saved_with_their_place_and_angle(app, client, world):
    page = client.get(new_url(world)).get_data(as_text=True)
    data = browser_post(page, action="save", quick_entry="Ashi x3 L upper trap, LI4 L perp")
    response = client.post(new_url(world), data=data)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[:3000]
    visit = stored(app)
    assert [(r.custom_label, r.region, r.laterality, r.angle) for r in visit.points] == [
        *[("L upper trap", "trapezius", "left", None)] * 3, ("", "", "left", "perpendicular")]
    assert visit.needles_inserted == 4


def test_an_ashi_level_is_kept_on_the_row(app, client, world):
    page = client.get(new_url(world)).get_data(as_text=True)
    data = browser_post(page, action="save", quick_entry="Ashi: left 4th ICS, Hegu bilat")
    response = client.post(new_url(world), data=data)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[:3000]
    rows = stored(app).points
    assert [(r.point.code if r.point else None, r.region, r.level, r.laterality) for r in rows] \
        == [(None, "chest", "ICS4", "left"), ("LI4", "", "", "bilateral")]


def test_an_ear_point_is_refused_with_the_way_to_record_it(app, client, world):
    page = client.get(new_url(world)).get_data(as_text=True)
    data = browser_post(page, action="save", quick_entry="Shenmen (ear)")
    response = client.post(new_url(world), data=data)
    assert response.status_code == 422
    assert "press “Add auricular” below and list Shenmen there" in html.unescape(
        response.get_data(as_text=True))
    assert count_sessions(app) == 0
