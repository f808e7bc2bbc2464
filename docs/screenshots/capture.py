"""Screenshots of the key pages at the three tablet and phone sizes, and the sideways-scroll check.

Run against a development server with the demo data (README.md in this folder says how):

    .venv/bin/python docs/screenshots/capture.py [http://127.0.0.1:5097]

Writes ``<page>-<width>x<height>.png`` (the viewport only) next to this file and prints, for
every page and size, ``document.documentElement.scrollWidth`` against ``window.innerWidth``;
exits 1 if any page scrolls sideways or logs a console error. Uses Debian's Chromium, never a
downloaded browser.
"""

import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5097"
HERE = Path(__file__).parent
SIZES = ((768, 1024), (1024, 768), (390, 844))
EMAIL, PASSWORD = "practitioner@demo.test", "demo-password"
# Demo data (flask seed-demo): DEMO-0001 has signed sessions; DEMO-0004 is 16 weeks pregnant.
PATIENT, PREGNANT, SIGNED = 1, 4, 1


def log_in(page):
    page.goto(f"{BASE}/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def pick(page, typed, option=0):
    """Type into quick entry and add a suggestion with the keyboard (the point picker)."""
    box = page.locator("input[name=quick_entry]")
    box.click()
    box.type(typed, delay=30)
    page.wait_for_selector("#point-suggestions [role=option]")
    for _ in range(option + 1):
        box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_timeout(400)


def session_form(page):
    page.goto(f"{BASE}/patients/{PREGNANT}/sessions/new")
    pick(page, "hegu")
    pick(page, "GV2", option=1)
    pick(page, "Jianjing")
    page.locator("input[name=quick_entry]").type("SP6 b/l", delay=30)
    page.wait_for_timeout(900)  # the caution preview of the typed text
    page.evaluate("window.scrollTo(0, document.getElementById('cautions').offsetTop - 8)")


def scroll_to(selector):
    def go(page):
        page.evaluate(f"(document.querySelector({selector!r}) || document.body)"
                      ".scrollIntoView({block: 'start'})")
    return go


PAGES = (
    ("login", "/login", None),
    ("dashboard", "/", None),
    ("patients", "/patients/", None),
    ("patient", f"/patients/{PATIENT}", None),
    ("session-form", None, session_form),
    ("session-note", f"/patients/{PATIENT}/sessions/{SIGNED}", None),
    ("progress", f"/patients/{PATIENT}/progress", None),
)


def shrink(path: Path) -> None:
    """256 colours, no dithering: the text stays sharp and the file about a third the size."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(256, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def main() -> int:
    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for width, height in SIZES:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            errors = []
            page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            for name, path, action in PAGES:
                if name == "dashboard":
                    log_in(page)
                if path:
                    page.goto(BASE + path)
                if action:
                    action(page)
                page.wait_for_load_state("networkidle")  # the Japanese font comes late
                page.evaluate("document.fonts.ready.then(() => true)")
                # Headless Chromium does not always redraw text laid out before the font's
                # piece for it arrived (boxes instead of kanji): a resize lays it out again.
                page.set_viewport_size({"width": width + 1, "height": height})
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(300)
                scroll, inner = page.evaluate(
                    "[document.documentElement.scrollWidth, window.innerWidth]")
                shot = HERE / f"{name}-{width}x{height}.png"
                page.screenshot(path=shot)
                shrink(shot)
                fits = scroll <= inner
                console = f"; console: {'; '.join(errors)}" if errors else ""
                print(f"{name:13} {width}x{height}: scrollWidth {scroll} <= innerWidth {inner}: "
                      f"{'yes' if fits else 'NO'}{console}")
                if not fits or errors:
                    problems.append(name)
                errors.clear()
            context.close()
        browser.close()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
