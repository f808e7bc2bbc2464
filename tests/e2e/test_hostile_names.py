"""A patient whose every text field is markup, entered through the forms as a user would:
every page that shows them still works, shows the text as text, and runs none of it.

Three detectors: the page fixture fails on any dialog (what ``alert(1)`` would open) and on any
console error (an injected ``<img src=x>`` would fail to load, and the CSP would refuse its
handler, each with a console error); and no page may hold an element the text would create."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import new_context, watched_page
from tests.e2e.helpers import SESSION_URL, choose_pain, path_of

HOSTILE = "<img src=x onerror=alert(1)>"
INJECTED = "img[src='x'], img[onerror]"
# Fields a value like this cannot pass (their format is checked): tried once, refused, then
# left empty; the refusal page shows the value back, which is a page to check too.
FORMATTED = {"chart_number", "phone", "email"}


def fill_text_fields(form: Locator, value: str, skip=()) -> list[str]:
    """Put ``value`` in every visible, editable text field of ``form``; returns their names."""
    filled = []
    fields = "input[type=text], input[type=email], input[type=tel], input:not([type]), textarea"
    for field in form.locator(fields).all():
        name = field.get_attribute("name") or ""
        if name in skip or not field.is_visible() or not field.is_editable():
            continue
        field.fill(value)
        filled.append(name)
    return filled


def assert_inert(page: Page) -> None:
    expect(page.locator(INJECTED)).to_have_count(0)


@pytest.fixture(scope="module")
def hostile_patient(browser, live_server, practitioner_state):
    """Registered, consented, with an intake and a signed session, all through the forms;
    every free-text field holds HOSTILE. Returns the patient's path and the note's."""
    context = new_context(browser, live_server, practitioner_state)
    page = watched_page(context)
    page.watch.allow("status of 422")  # refused forms answer 422; the browser logs each
    try:
        paths = _register_everything(page)
    finally:
        context.close()
    page.watch.check()
    return paths


def _register_everything(page: Page) -> dict:
    page.goto("/patients/new")
    form = page.locator("form.patient-form")
    filled = fill_text_fields(form, HOSTILE)
    assert {"family_name", "given_name", "address", "admin_notes"} <= set(filled)
    page.get_by_role("button", name="Save patient").click()
    assert_inert(page)  # refused: chart number, phone and email are checked
    expect(page.get_by_text(re.compile(r"Not saved"))).to_be_visible()
    for name in FORMATTED:
        form.locator(f"[name={name}]").fill("")
    page.get_by_role("button", name="Save patient").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(HOSTILE)
    patient = path_of(page)
    assert_inert(page)

    page.get_by_role("link", name=re.compile(r"Record consent")).first.click()
    form = page.locator("main form")
    fill_text_fields(form, HOSTILE, skip={"form_version"})
    if not form.get_by_label("Consent form version").input_value():
        form.get_by_label("Consent form version").fill("2026-04")
    form.get_by_label("Given", exact=True).check()
    page.get_by_role("button", name="Save consent").click()
    expect(page).to_have_url(re.compile(re.escape(patient) + r"$"))

    page.get_by_role("link", name="New intake").click()
    form = page.locator("main form")
    fill_text_fields(form, HOSTILE)
    form.get_by_role("radiogroup", name=re.compile(r"^Baseline pain")).get_by_text(
        "5", exact=True).click()
    form.get_by_role("button", name=re.compile(r"^Save")).click()
    expect(page).to_have_url(re.compile(re.escape(patient) + r"(/episodes/\d+)?$"))
    assert_inert(page)

    page.goto(patient)
    page.get_by_role("link", name="New session", exact=True).click()
    quick = page.get_by_label("Quick entry")
    quick.press_sequentially(HOSTILE)  # key by key, as the suggestions listen
    page.wait_for_timeout(600)
    assert_inert(page)
    page.get_by_role("button", name="Add to list").click()  # not a point: refused, shown back
    assert_inert(page)
    # An Ashi point's "where" is free text too; the chart and the note show it.
    quick.fill(f"LI4 L, Ashi: {HOSTILE} left calf")
    page.get_by_role("button", name="Add to list").click()
    expect(page.locator("#points-1-custom_label")).to_have_value(f"{HOSTILE} left calf")
    form = page.locator("form.session-form")
    fill_text_fields(form, HOSTILE, skip={"quick_entry"} | {
        f"points-{row}-{name}" for row in (0, 1) for name in ("code", "custom_label")})
    page.get_by_label("Retention (minutes)").fill("20")
    page.get_by_label("Needles removed").fill("2")
    choose_pain(page, "before", 5)
    choose_pain(page, "after", 3)
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(SESSION_URL)
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_text("Note signed.")).to_be_visible()
    assert_inert(page)
    return {"patient": patient, "session": path_of(page)}


PAGES = [
    "/",
    "/patients/",
    "/patients/?q=%3Cimg",  # the search, by the markup itself
    "{patient}",
    "{patient}/edit",
    "{patient}/consent",
    "{patient}/sessions/new",
    "{session}",
    "{session}/amend",
    "{patient}/progress",
    "{patient}/summary",
    "{patient}/home-care",
    "{patient}/referral",
    "/outcomes/follow-ups",
    "/outcomes/review",
    "/exports/sessions",
]
# Where the name itself is on the page, it reads as typed.
SHOWS_NAME = {"/patients/?q=%3Cimg", "{patient}", "{session}", "{patient}/summary",
              "{patient}/progress"}


def test_every_page_shows_markup_as_text(page: Page, hostile_patient):
    for template in PAGES:
        path = template.format(**hostile_patient)
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        assert_inert(page)
        if template in SHOWS_NAME:
            expect(page.get_by_text(HOSTILE).first).to_be_visible()
