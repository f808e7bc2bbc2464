"""What the journeys do on a page, named as a user would say it. Selectors go by role, label
and visible text wherever the page offers them (the form's own field names otherwise)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.live_server import ROOT

PASSWORD = "demo-password"
PRACTITIONER = "practitioner@demo.test"
SESSION_URL = re.compile(r"/patients/\d+/sessions/\d+(#[\w-]*)?$")
AXE = next(ROOT.glob("tracker/static/vendor/axe-core-*/axe.min.js"), None)


def path_of(page: Page) -> str:
    """The page's path (no origin, no query)."""
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_attached()


def open_patient(page: Page, chart_number: str) -> str:
    """Find a patient by chart number and open their page; returns its path."""
    page.goto(f"/patients/?q={chart_number}")
    page.get_by_role("link", name=chart_number, exact=True).click()
    expect(page.get_by_text(f"Chart {chart_number}")).to_be_visible()
    wait_for_scripts(page)
    return path_of(page)


def new_session(page: Page, chart_number: str) -> None:
    open_patient(page, chart_number)
    page.get_by_role("link", name="New session", exact=True).click()
    expect(page.get_by_role("heading", name="New treatment session")).to_be_visible()
    wait_for_scripts(page)


def wait_for_scripts(page: Page) -> None:
    """Wait for the page's scripts: its heading shows before the scripts at the end of the
    body have run, and a field typed into before then is typed with nobody listening (the
    live caution preview never asked, on a busy machine)."""
    page.wait_for_load_state("load")


def point_rows(page: Page) -> list[list[str]]:
    """[code, side] of every coded point row of the session form, as the form would post it."""
    return page.evaluate(
        """() => {
             const data = new FormData(document.querySelector("form.session-form"));
             const rows = [];
             for (let i = 0; data.has(`points-${i}-code`); i++) {
               rows.push([data.get(`points-${i}-code`), data.get(`points-${i}-laterality`)]);
             }
             return rows.filter(([code]) => code);
           }"""
    )


def choose_pain(page: Page, which: str, value: int) -> None:
    group = page.get_by_role("radiogroup", name=f"Pain {which} (0-10)")
    group.get_by_text(str(value), exact=True).click()


def fill_for_signing(page: Page, *, removed: int, before: int, after: int) -> None:
    """What signing needs beyond the points: retention, the needle count, pain. The start
    time is set too: it defaults to the time the form opened, and needles in must not be
    before it."""
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Needles in at").fill("10:05")
    page.get_by_label("Needles out at").fill("10:25")
    page.get_by_label("Needles removed").fill(str(removed))
    choose_pain(page, "before", before)
    choose_pain(page, "after", after)


def save_draft(page: Page) -> str:
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(SESSION_URL)
    expect(page.get_by_text("Session saved as a draft")).to_be_visible()
    return path_of(page)


def sign(page: Page) -> None:
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_text("Note signed.")).to_be_visible()


def accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands."""
    if AXE is None:
        pytest.fail("axe-core is not vendored: run `make vendor` (bin/vendor.sh).")
    # Served by the app itself, so the page's strict CSP lets it run.
    relative = AXE.relative_to(ROOT / "tracker" / "static").as_posix()
    page.add_script_tag(url=f"/static/{relative}")
    return page.evaluate(
        """async () => {
             const result = await axe.run(document, {resultTypes: ["violations"]});
             return result.violations
               .filter(v => v.impact === "serious" || v.impact === "critical")
               .map(v => `${v.impact} ${v.id} (${v.help}): ` +
                         v.nodes.map(n => n.target.join(" ")).join(", "));
           }"""
    )
