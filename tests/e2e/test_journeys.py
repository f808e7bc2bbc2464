"""A practitioner's journeys through the app, in real Chromium: log in, find a patient, log a
session (quick entry, a protocol, copy-last), see a pregnancy caution, sign with the keyboard
alone, amend, watch the progress chart move, download a PDF.

Each journey works on its own demo patient, so the journeys share one server and database
without meeting. Every page is watched: a console error, a script error or a dialog fails the
test (tests/e2e/conftest.py)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    PRACTITIONER,
    SESSION_URL,
    choose_pain,
    fill_for_signing,
    log_in,
    new_session,
    open_patient,
    point_rows,
    save_draft,
    sign,
)


def test_log_in(anonymous_page: Page):
    page = anonymous_page
    page.goto("/patients/")
    expect(page).to_have_url(re.compile(r"/login"))
    log_in(page, PRACTITIONER)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto("/patients/")
    expect(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()


def test_wrong_password_is_refused(anonymous_page: Page):
    page = anonymous_page
    page.watch.allow("status of 4")  # the refused login answers 4xx; the browser logs it
    page.goto("/login")
    page.get_by_label("Email").fill(PRACTITIONER)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


@pytest.mark.parametrize("query", ["佐藤", "さとう", "サトウ", "sato", "DEMO-0001", "0001"])
def test_find_a_patient(page: Page, query: str):
    page.goto("/patients/")
    page.get_by_role("searchbox").fill(query)
    page.get_by_role("button", name="Search").click()
    results = page.get_by_role("table", name="Patients, sorted by name")
    expect(results.get_by_role("link", name="DEMO-0001", exact=True)).to_be_visible()
    results.get_by_role("link", name="佐藤 健一").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("佐藤 健一")


def test_new_session_by_quick_entry(page: Page):
    new_session(page, "DEMO-0003")
    page.get_by_label("Quick entry").fill("BL23 bilat, LI4 L, GV4")
    page.get_by_role("button", name="Add to list").click()
    expect(page.locator("#points-2-code")).to_have_value("GV4")
    assert point_rows(page) == [["BL23", "bilateral"], ["LI4", "left"], ["GV4", "midline"]]
    fill_for_signing(page, removed=4, before=6, after=3)
    page.get_by_label("Subjective").fill("Ache after lifting boxes.")
    save_draft(page)
    points = page.get_by_role("region", name=re.compile(r"^Points \("))
    for code in ("BL23", "LI4", "GV4"):
        expect(points).to_contain_text(code)
    expect(page.get_by_text("Ache after lifting boxes.")).to_be_visible()
    sign(page)
    expect(page.get_by_role("link", name="Amend note")).to_be_visible()


def test_new_session_from_a_protocol(page: Page):
    new_session(page, "DEMO-0012")
    page.get_by_role("link", name=re.compile(r"^Protocol: Middle back pain")).click()
    expect(page.locator("#points-0-code")).to_have_value("BL18")
    codes = [code for code, _ in point_rows(page)]
    assert codes[:8] == ["BL18", "BL20", "BL23", "GV6", "GV9", "LI4", "GB21", "SP6"]
    assert dict(point_rows(page))["GV6"] == "midline"
    # The protocol's Ashi row needs a side once the practitioner has felt for the spot;
    # none was tender today.
    page.get_by_label("Remove", exact=True).last.check()
    save_draft(page)
    points = page.get_by_role("region", name=re.compile(r"^Points \("))
    for code in codes[:8]:
        expect(points).to_contain_text(code)


def test_new_session_copying_the_last_one(page: Page):
    open_patient(page, "DEMO-0013")
    # The patient's latest session: the first in their timeline.
    page.get_by_role("link", name=re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")).first.click()
    expect(page).to_have_url(SESSION_URL)
    points = page.get_by_role("region", name=re.compile(r"^Points \("))
    expected = [text.split()[0] for text in
                points.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert expected
    page.get_by_role("link", name="DEMO-0013").click()
    page.get_by_role("link", name="New session", exact=True).click()
    page.get_by_role("link", name="Copy last session").click()
    expect(page).to_have_url(re.compile(r"copy=last"))
    assert [code for code, _ in point_rows(page)] == expected
    save_draft(page)


def test_pregnancy_caution(page: Page):
    new_session(page, "DEMO-0004")  # pregnant: the demo's first-trimester patient
    cautions = page.get_by_role("region", name="Cautions for this patient")
    page.get_by_label("Quick entry").fill("SP6 b/l, BL23 bilat")
    page.get_by_role("button", name="Add to list").click()
    expect(cautions).to_contain_text("SP6 is cautioned in pregnancy")
    expect(cautions).to_contain_text(re.compile(r"BL23 is on the lumbosacral region.*pregnant"))
    # Each row says it too, beside its point.
    expect(page.locator(".row-caution", has_text="SP6 is cautioned in pregnancy").first
           ).to_be_visible()


FOCUS_STYLED = """() => {
  let element = document.activeElement;
  if (!element || element === document.body) return true;
  // A visually hidden radio or checkbox shows its focus on its label.
  if (element.matches(".btn-check")) element = element.nextElementSibling;
  const style = getComputedStyle(element);
  return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none";
}"""


def focus_visible(page: Page) -> bool:
    """The focused control shows it: an outline or a ring, or else it looks different from
    when it is not focused (an SVG marker that thickens its stroke, say)."""
    if page.evaluate(FOCUS_STYLED):
        return True
    focused = page.evaluate_handle("document.activeElement").as_element()
    looks_focused = focused.screenshot()
    page.keyboard.press("Shift+Tab")
    looks_unfocused = focused.screenshot()
    page.keyboard.press("Tab")
    return looks_focused != looks_unfocused


def press_tab_until(page: Page, target, limit: int = 250) -> None:
    """Tab (only) until ``target`` has the focus, checking on the way that every control
    reached shows that it has the focus."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
        assert focus_visible(page), "focus not visible on " + page.evaluate(
            "() => document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"never reached {target} with Tab")


def test_whole_session_with_the_keyboard_alone(page: Page):
    """Log a session and sign it without the mouse: Tab, typing, arrows, Enter."""
    open_patient(page, "DEMO-0017")
    press_tab_until(page, page.get_by_role("link", name="New session", exact=True))
    page.keyboard.press("Enter")
    quick = page.get_by_label("Quick entry")
    expect(quick).to_be_focused()  # the form opens on quick entry
    page.keyboard.type("ST36 bilat, LI11 L, GB34 R")
    page.keyboard.press("Escape")  # close any suggestions: the line is typed in full
    press_tab_until(page, page.get_by_role("button", name="Add to list"))
    page.keyboard.press("Enter")
    expect(page.locator("#points-2-code")).to_have_value("GB34")
    press_tab_until(page, page.get_by_label("Retention (minutes)"))
    page.keyboard.type("20")
    press_tab_until(page, page.get_by_label("Needles removed"))
    page.keyboard.type("4")
    press_tab_until(page, page.get_by_role("radiogroup", name="Pain before (0-10)")
                    .get_by_role("radio").first)
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    press_tab_until(page, page.get_by_role("radiogroup", name="Pain after (0-10)")
                    .get_by_role("radio").first)
    for _ in range(2):
        page.keyboard.press("ArrowRight")
    press_tab_until(page, page.get_by_label("Subjective"))
    page.keyboard.type("Knee stiff on stairs.")
    press_tab_until(page, page.get_by_role("button", name="Save draft"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(SESSION_URL)
    press_tab_until(page, page.get_by_role("button", name="Sign note"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Note signed.")).to_be_visible()
    note = page.locator("main")
    expect(note).to_contain_text(re.compile(r"Pain before\s*5"))
    expect(note).to_contain_text(re.compile(r"Pain after\s*2"))
    expect(note).to_contain_text("Knee stiff on stairs.")


def test_amend_a_signed_note(page: Page):
    open_patient(page, "DEMO-0019")
    page.get_by_role("link", name=re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")).first.click()
    page.get_by_role("link", name="Amend note").click()
    page.get_by_label("Why is the note amended?").fill("Pain after was misheard: it was 1.")
    choose_pain(page, "after", 1)
    page.get_by_label("Plan").fill("Review in a week.")
    page.get_by_role("button", name="Save amendment").click()
    expect(page).to_have_url(SESSION_URL)
    expect(page.get_by_role("heading", name="Amendments")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Pain after was misheard: it was 1.")
    expect(page.locator("main")).to_contain_text(re.compile(r"Pain after\s*1\s*amended"))
    expect(page.locator("main")).to_contain_text("Review in a week.")


def test_progress_chart_moves_with_a_new_session(page: Page):
    open_patient(page, "DEMO-0023")
    page.get_by_role("link", name="Progress", exact=True).click()
    progress = page.url
    markers = page.locator("svg.progress-chart-svg a.visit-marker")
    before = markers.count()
    line = page.locator("svg.progress-chart-svg polyline").first.get_attribute("points")
    page.get_by_role("link", name="DEMO-0023").first.click()
    page.get_by_role("link", name="New session", exact=True).click()
    page.get_by_label("Quick entry").fill("GB34 bilat")
    page.get_by_role("button", name="Add to list").click()
    fill_for_signing(page, removed=2, before=1, after=0)
    save_draft(page)
    sign(page)
    page.goto(progress)
    expect(markers).to_have_count(before + 1)
    expect(markers.last).to_have_attribute("aria-label", re.compile(r"pain 1 before, 0 after"))
    markers.last.focus()  # reached with the keyboard: what was done shows beside the chart
    expect(page.locator("#visit-details")).to_contain_text("pain 1 before, 0 after")
    assert page.locator("svg.progress-chart-svg polyline").first.get_attribute("points") != line
    visits = page.get_by_role("table", name=re.compile("Each session"))
    expect(visits.locator("tbody tr").first).to_contain_text("1 → 0")  # newest first


def test_export_the_summary_as_pdf(page: Page):
    open_patient(page, "DEMO-0001")
    page.get_by_role("link", name="Treatment summary", exact=True).click()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert re.fullmatch(r"DEMO-0001-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
