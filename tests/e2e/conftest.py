"""Real-browser journeys: Playwright's sync API driving Debian's Chromium against the app
served by gunicorn on a free port (``make test-e2e``; ``make test`` leaves this folder out).

One server and one throw-away SQLite database for the whole run, built the way ``make run``
builds one: ``db upgrade``, ``points load``, ``seed-demo``. Every test gets a fresh browser
context (its own cookies) logged in as the demo practitioner, and a page that fails the test
on any console error, uncaught script error or dialog: a dialog is what an ``alert(1)``
smuggled into a page would open.

The browser is never downloaded: ``/usr/bin/chromium`` (``apt-get install -y chromium``) or
the run fails, saying so. A journey that cannot run has not passed.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.helpers import PRACTITIONER, log_in
from tests.live_server import ROOT, LiveServer

CHROMIUM = Path(os.environ.get("TRACKER_E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SECRET = "e2e-secret"  # the audit chain's head is sealed with it: server and CLI share it
VIEWPORT = {"width": 1280, "height": 900}

expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """gunicorn on a free port, on a database holding the point catalog and the demo data."""
    folder = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{folder / 'e2e.sqlite'}"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
           "TRACKER_ENV": "production"}
    flask = [sys.executable, "-m", "flask", "--app", "tracker"]
    for command in (["db", "upgrade"], ["points", "load"], ["seed-demo"]):
        done = subprocess.run(flask + command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            pytest.fail(f"flask {' '.join(command)} failed:\n{done.stdout}\n{done.stderr[-3000:]}",
                        pytrace=False)
    server = LiveServer(database_url, workers=2, secret_key=SECRET, log=folder / "gunicorn.log")
    server.start()
    server.base_url = f"http://127.0.0.1:{server.port}"
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def server_log(live_server, request):
    """What the server logged during a test that failed is shown with its report."""
    start = live_server.log_path.stat().st_size
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        with open(live_server.log_path, "rb") as log:
            log.seek(start)
            logged = log.read().decode(errors="replace").strip()
        if logged:
            report.sections.append(("gunicorn log", logged[-6000:]))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.report_call = report
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
                    "(`apt-get install -y chromium`); they never download a browser.",
                    pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageWatch:
    """What a page said that a user must never meet: console errors, uncaught script errors,
    dialogs (dismissed at once)."""

    def __init__(self, page: Page):
        self.problems: list[str] = []
        self.allowed: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("dialog", self._dialog)

    def _console(self, message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            self.problems.append(f"console error: {message.text} ({where})")

    def _dialog(self, dialog) -> None:
        self.problems.append(f"a {dialog.type} dialog opened: {dialog.message!r}")
        dialog.dismiss()

    def allow(self, text: str) -> None:
        """Expect console errors containing ``text`` (a refused form's 422, say)."""
        self.allowed.append(text)

    def check(self) -> None:
        problems = [p for p in self.problems if not any(a in p for a in self.allowed)]
        if problems:
            pytest.fail("The page reported:\n  " + "\n  ".join(problems), pytrace=False)


def new_context(browser, live_server, state=None):
    """A fresh browser profile (cookies from ``state``), English, desktop-sized."""
    context = browser.new_context(base_url=live_server.base_url, viewport=VIEWPORT,
                                  storage_state=state, accept_downloads=True, locale="en-US")
    context.set_default_timeout(10_000)
    return context


def watched_page(context) -> Page:
    page = context.new_page()
    page.watch = PageWatch(page)  # a test may call page.watch.allow(...)
    return page


@pytest.fixture(scope="session")
def practitioner_state(browser, live_server):
    """The cookies of one login as the demo practitioner, shared by every test's context."""
    context = new_context(browser, live_server)
    page = context.new_page()
    log_in(page, PRACTITIONER)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def page(browser, live_server, practitioner_state):
    """A page logged in as the demo practitioner; any console error or dialog fails the test."""
    context = new_context(browser, live_server, practitioner_state)
    watched = watched_page(context)
    yield watched
    context.close()
    watched.watch.check()


@pytest.fixture
def anonymous_page(browser, live_server):
    """A page in a fresh browser, not logged in; watched like ``page``."""
    context = new_context(browser, live_server)
    watched = watched_page(context)
    yield watched
    context.close()
    watched.watch.check()
