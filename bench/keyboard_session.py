"""Time a practitioner logging a complete session with the keyboard alone, in Chromium.

Starts the app on a throw-away SQLite database with the demo data, logs in, opens the new
session form for DEMO-0001 and fills it using only key presses (no clicks): quick entry,
retention times, needle counts, pain scores, a note. Then signs it. Prints the seconds from
opening the form to the signed note.

Needs Debian's chromium (`apt-get install -y chromium`) and the `playwright` package.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SHORTHAND = "BL18 BL20 BL23 bilat, GV6, GV9, LI4 L, SP6 b/l, Ashi: left T7 paraspinal"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    folder = tempfile.mkdtemp()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite",
           "SECRET_KEY": "bench", "TRACKER_SESSION_COOKIE_SECURE": "false"}
    flask = [sys.executable, "-m", "flask", "--app", "tracker"]
    for command in (["db", "upgrade"], ["points", "load"], ["seed-demo"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
                               "wsgi:app"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server, f"http://127.0.0.1:{port}"


class CountingKeyboard:
    """The page's keyboard, counting every key a practitioner would press."""

    def __init__(self, keyboard):
        self.keyboard, self.keys = keyboard, 0

    def type(self, text: str) -> None:
        self.keys += len(text)
        self.keyboard.type(text)

    def press(self, key: str) -> None:
        self.keys += 1
        self.keyboard.press(key)


def press_tab_until(page, keys: CountingKeyboard, selector: str, limit: int = 200) -> None:
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
        keys.press("Tab")
    raise RuntimeError(f"never reached {selector} with Tab")


def main() -> None:
    server, base = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1024, "height": 768})
            page.goto(f"{base}/login")
            page.keyboard.type("practitioner@demo.test")
            page.keyboard.press("Tab")
            page.keyboard.type("demo-password")
            page.keyboard.press("Enter")
            page.wait_for_url("**/patients/")

            keys = CountingKeyboard(page.keyboard)
            started = time.perf_counter()
            page.goto(f"{base}/patients/1/sessions/new")
            keys.type(SHORTHAND)  # the quick-entry box has the focus
            keys.press("Enter")  # "Add to list"
            page.wait_for_selector("#points-7-laterality")
            press_tab_until(page, keys, "a[href='#retention']")  # the skip link
            keys.press("Enter")
            press_tab_until(page, keys, "#inserted_time")
            # Chromium's en-US time field has an AM/PM part: "1005A" is 10:05 AM.
            keys.type("1005A")
            press_tab_until(page, keys, "#removed_time")
            keys.type("1030A")
            press_tab_until(page, keys, "#needles_removed")
            keys.type("12")
            press_tab_until(page, keys, "#pain_before-0")  # a radio group: arrows pick the score
            for _ in range(7):
                keys.press("ArrowRight")
            press_tab_until(page, keys, "#pain_after-0")
            for _ in range(3):
                keys.press("ArrowRight")
            # The start time defaults to now; the needles cannot have gone in before it.
            press_tab_until(page, keys, "#start_time")
            keys.type("1000A")
            press_tab_until(page, keys, "#subjective")
            keys.type("Mid-back ache 7/10 after a long week at the desk.")
            press_tab_until(page, keys, "button[value=save]")
            keys.press("Enter")
            try:
                page.wait_for_url(re.compile(r"/sessions/\d+(#.*)?$"), timeout=10_000)
            except TimeoutError:
                page.screenshot(path="/tmp/keyboard_failed.png", full_page=True)
                raise RuntimeError("not saved: see /tmp/keyboard_failed.png") from None
            press_tab_until(page, keys, "form[action$='/sign'] button")
            keys.press("Enter")
            try:
                page.wait_for_selector("text=Note signed", timeout=10_000)
            except TimeoutError:
                page.screenshot(path="/tmp/keyboard_failed.png", full_page=True)
                raise RuntimeError("not signed: see /tmp/keyboard_failed.png") from None
            elapsed = time.perf_counter() - started
            page.screenshot(path=str(Path(tempfile.gettempdir()) / "keyboard_session.png"),
                            full_page=True)
            browser.close()
        print(f"Session logged and signed with the keyboard alone: {keys.keys} key presses, "
              f"{elapsed:.1f} s of machine time. At 5 keys a second (a moderate typist) that "
              f"is {keys.keys / 5:.0f} s at the table.")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
