"""Past one machine (docs/deploy.md): two app servers, separate gunicorn processes with one
worker each and the same ``SECRET_KEY``, against ONE database (the backend under test: a
SQLite file, or a PostgreSQL database of its own next to ``TEST_DATABASE_URL``). What one
server knows, the other knows, because it is in the database or in the signed cookie:

- a login made through A is a login on B; a logout on B ends it on A;
- failed logins spread across A and B add up to one lockout, refused on both;
- an edit form opened on A, the record saved meanwhile through B: A's stale save is a 409
  naming the change, and nothing is overwritten.
"""

from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, TEST_DATABASE_URL, app_for
from tests.deploy.conftest import scratch_database
from tests.deploy.servers import AppServer, start_together
from tests.factories import Factory
from tracker.auth.models import LoginAttempt, LoginSession, User
from tracker.extensions import db
from tracker.patients.models import Patient

THROTTLED = "Too many failed attempts. Wait a few minutes before trying again."


class Deployment:
    def __init__(self, a: AppServer, b: AppServer, app, world: dict):
        self.a, self.b, self.app, self.world = a, b, app, world

    def read(self, query):
        """Read the shared database directly, as a third party."""
        with self.app.app_context():
            try:
                return query()
            finally:
                db.session.remove()


@pytest.fixture(scope="module")
def deployment(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("two_servers")
    template = None if TEST_DATABASE_URL else request.getfixturevalue("migrated_database")
    with scratch_database("two_servers", folder, template) as url:
        app = app_for(url)
        world = Factory(app).world()
        with app.app_context():
            db.engine.dispose()  # the servers' database, not this process's
        a, b = AppServer("A", url, folder), AppServer("B", url, folder)
        start_together(a, b)
        try:
            yield Deployment(a, b, app, world)
        finally:
            a.stop()
            b.stop()
            with app.app_context():
                db.engine.dispose()  # before the throw-away PostgreSQL database is dropped


@pytest.fixture(autouse=True)
def server_logs(request):
    """What the servers logged during a test that failed is shown with its report."""
    if "deployment" not in request.fixturenames:
        yield
        return
    deployment = request.getfixturevalue("deployment")
    starts = {server: len(server.log()) for server in (deployment.a, deployment.b)}
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for server, start in starts.items():
            if logged := server.log()[start:].strip():
                report.sections.append((f"gunicorn {server.name} log", logged[-4000:]))


def test_a_login_on_one_server_is_a_login_on_the_other_and_so_is_the_logout(deployment):
    a = deployment.a.client().login("admin@a.test", PASSWORD)
    page = a.get("/patients/")
    assert page.status == 200
    token_from_a = csrf_token(page.text)  # the logout button's, on a page A served

    # The same browser, its next requests sent to B by the proxy: the same cookie.
    b = deployment.b.client()
    b.cookies = dict(a.cookies)
    assert b.get("/patients/").status == 200  # B found the login session in the database
    b.token = token_from_a  # a CSRF token of A's page is good on B: one shared secret key
    logout = b.post("/logout", {})
    assert (logout.status, logout.location) == (302, "/login")

    # The cookie as it was before the logout (a copy, a second tab) is dead on A too.
    after = a.get("/patients/")
    assert after.status == 302 and after.location.startswith("/login")
    sessions = deployment.read(lambda: db.session.execute(
        select(LoginSession.revoked_reason).join(User).where(User.email == "admin@a.test")
    ).scalars().all())
    assert sessions == ["logout"]  # one login session, made on A, ended on B


def test_failed_logins_on_both_servers_add_up_to_one_lockout(deployment):
    email = "practitioner@b.test"
    max_failures = 10  # LOGIN_MAX_FAILURES, the production default the servers run with
    for attempt in range(max_failures):  # A, B, A, B, ...: neither alone sees ten
        browser = (deployment.a if attempt % 2 == 0 else deployment.b).client()
        browser.get("/login")
        assert browser.post("/login", {"email": email, "password": "not the password"}
                            ).status == 401
    for server in (deployment.a, deployment.b):  # even the right password is refused on both
        browser = server.client()
        browser.get("/login")
        refused = browser.post("/login", {"email": email, "password": PASSWORD})
        assert refused.status == 429 and THROTTLED in refused.text
        assert browser.get("/patients/").status == 302  # not logged in
    attempts = deployment.read(lambda: db.session.execute(
        select(LoginAttempt.succeeded).where(LoginAttempt.email == email)).scalars().all())
    assert attempts == [False] * max_failures


def test_a_stale_edit_form_on_one_server_is_a_conflict_after_a_save_on_the_other(deployment):
    patient_id = deployment.world["a"]["patient"].id
    url = f"/patients/{patient_id}/edit"
    reception = deployment.a.client().login("reception@a.test", PASSWORD)
    practitioner = deployment.b.client().login("practitioner@a.test", PASSWORD)

    stale = edit_form(reception.get(url).text)  # opened on A at version 1
    fresh = edit_form(practitioner.get(url).text)
    assert stale["version"] == fresh["version"] == "1"
    saved = practitioner.post(url, {**fresh, "phone": "080-1111-2222"})  # saved through B
    assert saved.status == 302

    conflict = reception.post(url, {**stale, "occupation": "Night-shift nurse"})
    assert conflict.status == 409
    assert "changed: phone" in conflict.text  # names who changed what, read from the audit log
    assert "080-1111-2222" in conflict.text
    assert edit_form(conflict.text)["occupation"] == "Night-shift nurse"  # the typing is kept
    stored = deployment.read(lambda: db.session.get(Patient, patient_id))
    assert (stored.phone, stored.occupation, stored.version) == ("080-1111-2222", "", 2)


class _Forms(HTMLParser):
    """Every form of a page as {field name: value}, as a browser would submit it."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        name = attrs.get("name")
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        elif tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.forms[-1][name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.forms[-1].setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.forms[-1][self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.forms[-1][name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.forms[-1][self._textarea] += data.removeprefix("\n")


def csrf_token(page: str) -> str:
    parser = _Forms()
    parser.feed(page)
    [token] = {form["csrf_token"] for form in parser.forms if form.get("csrf_token")}
    return token


def edit_form(page: str) -> dict:
    """The fields of the page's edit form (the one carrying the record's version)."""
    parser = _Forms()
    parser.feed(page)
    [form] = [form for form in parser.forms if "version" in form]
    return {name: value for name, value in form.items() if name != "csrf_token"}


def test_the_edit_form_reader_reads_what_a_browser_would_send():
    page = ('<form method="post"><input type="hidden" name="csrf_token" value="t">'
            '<input name="version" type="hidden" value="3"><input name="a" value="x &amp; y">'
            '<select name="s"><option value="1">1</option><option selected value="2">2'
            '</option></select><textarea name="t">\nline</textarea>'
            '<input type="checkbox" name="c" value="y"><button type="submit">Save</button>'
            '</form><form action="/logout"><input name="csrf_token" value="t"></form>')
    assert edit_form(page) == {"version": "3", "a": "x & y", "s": "2", "t": "line"}
    assert csrf_token(page) == "t"
