"""The treatment-table screen of issue 12, as the issue describes it: the needle timer, the
point picker, the body chart, and the tablet layout. Written against the description, with
selectors by role and accessible name, so they hold whatever markup each part ends up with."""

import re
import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.conftest import new_context, watched_page
from tests.e2e.helpers import (
    SESSION_URL,
    fill_for_signing,
    new_session,
    open_patient,
    point_rows,
    save_draft,
    sign,
)

MINUTES_LEFT = re.compile(r"\d+ min(utes?)? left", re.I)
NEEDLES_IN = re.compile(r"needles in", re.I)
NEEDLES_OUT = re.compile(r"needles out", re.I)


# --- needle timer ---------------------------------------------------------------------------

def start_timer(page: Page, chart_number: str, shorthand: str) -> None:
    new_session(page, chart_number)
    page.get_by_label("Quick entry").fill(shorthand)
    page.get_by_role("button", name="Add to list").click()
    page.get_by_role("button", name=NEEDLES_IN).click()
    # The server records the insertion time: the draft is saved and the countdown runs.
    expect(page.get_by_text(MINUTES_LEFT).first).to_be_visible()
    expect(page.get_by_role("button", name=NEEDLES_OUT)).to_be_visible()


def test_needle_timer_start_and_stop(page: Page, browser, live_server, practitioner_state):
    start_timer(page, "DEMO-0026", "ST36 bilat, LI4 L")  # three needles
    session = page.url

    # The times live on the server: a reload, or a second device, shows the same countdown.
    page.reload()
    expect(page.get_by_text(MINUTES_LEFT).first).to_be_visible()
    other = watched_page(new_context(browser, live_server, practitioner_state))
    other.goto(session)
    expect(other.get_by_text(MINUTES_LEFT).first).to_be_visible()

    # Several patients' timers at once, on the dashboard.
    start_timer(other, "DEMO-0027", "GB34 bilat")
    other.goto("/")
    timers = other.get_by_role("region", name="Needles in now")
    expect(timers).to_contain_text("DEMO-0026")
    expect(timers).to_contain_text("DEMO-0027")
    expect(timers.get_by_text(MINUTES_LEFT)).to_have_count(2)

    # "Needles out" records the removal and fills retention and the removal count.
    page.get_by_role("button", name=NEEDLES_OUT).click()
    expect(page.get_by_role("button", name=NEEDLES_OUT)).to_have_count(0)
    expect(page.get_by_label("Retention (minutes)")).to_have_value(re.compile(r"^\d+$"))
    expect(page.get_by_label("Needles removed")).to_have_value("3")
    other.goto("/")
    expect(other.get_by_role("region", name="Needles in now")).not_to_contain_text("DEMO-0026")
    other.context.close()
    other.watch.check()


# --- point picker ---------------------------------------------------------------------------

def expect_rows(page: Page, expected: list[list[str]], timeout: float = 10) -> None:
    """Wait until the session form's coded rows are ``expected`` (a picked point may reload
    the page, or be added in place)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            rows = point_rows(page)
        except PlaywrightError:  # between two pages
            rows = None
        if rows == expected or time.monotonic() > deadline:
            assert rows == expected
            return
        page.wait_for_timeout(200)


def point_picker(page: Page):
    return page.get_by_role("combobox", name=re.compile(r"quick entry|point", re.I)).first


def test_point_picker_by_typing(page: Page):
    new_session(page, "DEMO-0029")
    picker = point_picker(page)
    picker.click()
    page.keyboard.type("hegu")
    option = page.get_by_role("option", name=re.compile(r"\bLI4\b"))
    expect(option).to_be_visible()
    # Code, pinyin, hanzi and English in the suggestion.
    for text in ("LI4", "Hégǔ", "合谷", "Union Valley"):
        expect(option).to_contain_text(text)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect_rows(page, [["LI4", "bilateral"]])
    # GV and CV default to midline.
    point_picker(page).click()
    page.keyboard.type("mingmen")
    expect(page.get_by_role("option", name=re.compile(r"\bGV4\b"))).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect_rows(page, [["LI4", "bilateral"], ["GV4", "midline"]])


def test_point_picker_shows_caution_badge(page: Page):
    new_session(page, "DEMO-0029")
    point_picker(page).click()
    page.keyboard.type("SP6")
    option = page.get_by_role("option", name=re.compile(r"\bSP6\b"))
    expect(option).to_be_visible()
    expect(option).to_contain_text(re.compile(r"pregnan|caution", re.I))


def test_point_picker_with_a_finger(browser, live_server, practitioner_state):
    context = browser.new_context(base_url=live_server.base_url, storage_state=practitioner_state,
                                  viewport={"width": 768, "height": 1024}, has_touch=True,
                                  is_mobile=True, locale="en-US")
    page = watched_page(context)
    new_session(page, "DEMO-0029")
    point_picker(page).tap()
    page.keyboard.type("zusanli")
    page.get_by_role("option", name=re.compile(r"\bST36\b")).tap()
    expect_rows(page, [["ST36", "bilateral"]])
    context.close()
    page.watch.check()


def test_quick_entry_without_script(browser, live_server, practitioner_state):
    context = browser.new_context(base_url=live_server.base_url, storage_state=practitioner_state,
                                  java_script_enabled=False, locale="en-US")
    page = context.new_page()
    new_session(page, "DEMO-0029")
    page.get_by_label("Quick entry").fill("LI4 L, GV4")
    page.get_by_role("button", name="Add to list").click()
    assert point_rows(page) == [["LI4", "left"], ["GV4", "midline"]]
    context.close()


# --- body chart -----------------------------------------------------------------------------

def body_chart(page: Page):
    return page.get_by_role("group", name=re.compile(r"body chart", re.I))


def settled_box(page: Page, locator) -> dict:
    """The element's box once the page has stopped moving (web fonts load late and shift
    everything below them)."""
    page.evaluate("() => document.fonts.ready.then(() => true)")
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    for _ in range(20):
        page.wait_for_timeout(100)
        again = locator.bounding_box()
        if again == box:
            return box
        box = again
    return box


def tap_chart_at(page: Page, fraction: tuple[float, float]) -> None:
    box = settled_box(page, body_chart(page))
    page.mouse.click(box["x"] + box["width"] * fraction[0],
                     box["y"] + box["height"] * fraction[1])


def where_on_chart(page: Page, code: str) -> tuple[float, float]:
    """Where the chart draws ``code``'s marker, as fractions of the chart's width and height."""
    chart = body_chart(page)
    marker = chart.get_by_role("link", name=re.compile(rf"\b{code}\b")).first
    box, spot = settled_box(page, chart), marker.bounding_box()
    return ((spot["x"] + spot["width"] / 2 - box["x"]) / box["width"],
            (spot["y"] + spot["height"] / 2 - box["y"]) / box["height"])


def test_body_chart_tap_adds_a_point(page: Page):
    # Where LI4 sits on the chart: typed once, to see where its marker is drawn.
    new_session(page, "DEMO-0036")
    page.get_by_label("Quick entry").fill("LI4 L")
    page.get_by_role("button", name="Add to list").click()
    spot = where_on_chart(page, "LI4")

    new_session(page, "DEMO-0036")
    tap_chart_at(page, spot)
    page.get_by_role("button", name=re.compile(r"LI4.*both", re.I)).click()
    expect_rows(page, [["LI4", "bilateral"]])
    expect(body_chart(page).get_by_role("link", name=re.compile(r"\bLI4\b"))).to_be_visible()

    # The same chart, read-only, on the signed note.
    fill_for_signing(page, removed=2, before=4, after=2)
    save_draft(page)
    sign(page)
    chart = page.get_by_role("img", name=re.compile(r"body chart", re.I))
    expect(chart).to_be_visible()
    expect(chart).to_have_accessible_name(re.compile(r"\bLI4\b"))


def test_body_chart_tap_places_an_ashi_point(page: Page):
    new_session(page, "DEMO-0036")
    tap_chart_at(page, (0.8, 0.33))  # the back view, beside the spine at mid-back height
    page.get_by_role("button", name=re.compile(r"^Ashi point here", re.I)).click()
    expect(page.locator("#points-0-custom_label")).to_have_value(re.compile(r"\S"))
    assert point_rows(page) == []  # an Ashi point has no catalog code


# --- tablet layout and keyboard niceties ----------------------------------------------------

def test_caution_shows_as_quick_entry_is_typed(page: Page):
    new_session(page, "DEMO-0010")  # pregnant: the demo's second-trimester patient
    page.get_by_label("Quick entry").fill("SP6 b/l")  # typed, not yet added
    expect(page.get_by_role("region", name="Cautions for this patient")).to_contain_text(
        "SP6 is cautioned in pregnancy")


def test_quick_entry_typed_before_the_script_ran_is_still_checked(page: Page):
    # A slow network: the form's script arrives after the practitioner has typed.
    held = []
    page.route("**/js/session-form.js*", lambda route: held.append(route))
    open_patient(page, "DEMO-0010")
    page.get_by_role("link", name="New session", exact=True).click()
    page.get_by_label("Quick entry").fill("SP6 b/l")
    while not held:  # the browser asks for the script once it reaches the page's end
        page.wait_for_timeout(50)
    held[0].continue_()
    expect(page.get_by_role("region", name="Cautions for this patient")).to_contain_text(
        "SP6 is cautioned in pregnancy")


def test_typed_digit_picks_the_pain_score(page: Page):
    new_session(page, "DEMO-0010")
    group = page.get_by_role("radiogroup", name="Pain before (0-10)")
    group.get_by_role("radio").first.focus()
    page.keyboard.press("7")
    expect(group.get_by_role("radio", name="7")).to_be_checked()


def test_typed_digits_pick_a_score_recorded_on_its_own_too(page: Page):
    patient = open_patient(page, "DEMO-0010")
    page.goto(f"{patient}/scores/new?instrument=nrs")
    group = page.get_by_role("radiogroup").first
    group.get_by_role("radio").first.focus()
    page.keyboard.press("1")
    page.keyboard.press("0")  # within a second: ten
    expect(group.get_by_role("radio", name="10")).to_be_checked()


def test_session_form_fits_a_phone(page: Page):
    page.set_viewport_size({"width": 390, "height": 844})
    new_session(page, "DEMO-0010")
    page.get_by_label("Quick entry").fill("BL23 bilat, LI4 L, GV4")
    page.get_by_role("button", name="Add to list").click()
    expect(page.locator("#points-2-code")).to_have_value("GV4")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width} px wide at 390 px"


def test_sign_after_the_cautions_in_tab_order(page: Page):
    new_session(page, "DEMO-0010")
    page.get_by_label("Quick entry").fill("SP6 b/l")
    page.get_by_role("button", name="Add to list").click()
    fill_for_signing(page, removed=2, before=3, after=1)
    save_draft(page)
    expect(page).to_have_url(SESSION_URL)
    order = page.evaluate(
        """() => {
             const sign = [...document.querySelectorAll("button")]
               .find(b => b.textContent.trim() === "Sign note");
             const tick = document.querySelector("input[type=checkbox][name^=ack-]");
             return tick && sign ? !!(tick.compareDocumentPosition(sign)
                                      & Node.DOCUMENT_POSITION_FOLLOWING) : null;
           }"""
    )
    assert order is True, "the caution ticks must come before “Sign note”"


def test_progress_chart_markers_are_44_px_targets_on_a_phone(page: Page):
    page.set_viewport_size({"width": 390, "height": 844})
    patient = open_patient(page, "DEMO-0001")
    page.goto(f"{patient}/progress")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll(".visit-marker circle[fill-opacity='0']")]
                 .map(c => c.getBoundingClientRect().width)""")
    assert sizes and min(sizes) >= 43.5, sizes
