"""axe-core (vendored from npm: tracker/static/vendor/axe-core-*) on every key page, at the
three sizes the clinic uses (desktop, a tablet upright, a phone): no serious or critical
violation anywhere."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import new_context
from tests.e2e.helpers import accessibility_violations

SIZES = {"desktop": (1280, 900), "tablet": (768, 1024), "phone": (390, 844)}

# name -> path; {patient} and {session} are DEMO-0001's page and its latest signed note.
PAGES = {
    "dashboard": "/",
    "patient list": "/patients/",
    "patient search": "/patients/?q=sato",
    "register a patient": "/patients/new",
    "patient page": "{patient}",
    "new intake": "{patient}/episodes/new",
    "new session": "{patient}/sessions/new",
    "new session from a protocol": "{patient}/sessions/new?protocol=builtin:middle-back-pain",
    "note": "{session}",
    "amend": "{session}/amend",
    "progress": "{patient}/progress",
    "outcome review": "/outcomes/review",
    "follow-ups": "/outcomes/follow-ups",
    "summary print view": "{patient}/summary",
    "home-care sheet": "{patient}/home-care",
    "referral letter": "{patient}/referral",
    "exports": "/exports/sessions",
}


@pytest.fixture(scope="module")
def demo_paths(browser, live_server, practitioner_state):
    """DEMO-0001's page and latest note, found as a user finds them."""
    context = new_context(browser, live_server, practitioner_state)
    page = context.new_page()
    page.goto("/patients/?q=DEMO-0001")
    patient = page.get_by_role("link", name="DEMO-0001", exact=True).get_attribute("href")
    page.goto(patient)
    session = page.locator(f"a[href^='{patient}/sessions/']").filter(
        has_text=":").first.get_attribute("href")
    context.close()
    return {"patient": patient, "session": session}


def check_every_size(page: Page, path: str) -> None:
    found = []
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        found += [f"{size}: {violation}" for violation in accessibility_violations(page)]
    assert not found, f"axe on {path}:\n  " + "\n  ".join(found)


def test_login_page(anonymous_page: Page):
    check_every_size(anonymous_page, "/login")
    expect(anonymous_page.get_by_label("Email")).to_be_visible()


@pytest.mark.parametrize("name", PAGES)
def test_key_page(page: Page, demo_paths, name: str):
    check_every_size(page, PAGES[name].format(**demo_paths))
