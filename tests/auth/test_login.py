"""Logging in and out: sessions, expiry, safe redirects, throttling, hashing and audit rows."""

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from tests.conftest import PASSWORD
from tracker.audit.models import AuditEvent
from tracker.auth.models import LoginSession, User
from tracker.db_types import utcnow
from tracker.extensions import db

WRONG_CREDENTIALS = "Email or password is not correct."


def path_of(response) -> str:
    return urlsplit(response.headers["Location"]).path


def field_error(html: str, field: str) -> str | None:
    """The error message rendered next to ``field`` (see _macros/forms.html), or None."""
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    return match.group(1) if match else None


def set_session_times(app, **values) -> None:
    """Move every open login session's timestamps (e.g. into the past)."""
    with app.app_context():
        db.session.execute(
            update(LoginSession).where(LoginSession.revoked_at.is_(None)).values(**values)
        )
        db.session.commit()


def audit_rows(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


@pytest.mark.parametrize(("role", "start_page"), [
    ("practitioner", "/"), ("admin", "/"), ("reception", "/patients/")])
def test_login_lands_on_the_roles_start_page(client, auth, clinic_world, role, start_page):
    # "/" is the landing page: the dashboard for clinical staff, the patient list for reception.
    response = auth.login(f"{role}@a.test")
    assert response.status_code == 302
    assert path_of(response) == "/"
    landing = client.get("/")
    if start_page == "/":
        assert landing.status_code == 200
    else:
        assert landing.status_code == 302 and path_of(landing) == start_page
    assert client.get(start_page).status_code == 200
    assert path_of(client.get("/login")) == "/"  # already logged in: back to the start


def test_email_is_case_insensitive(client, auth, clinic_world):
    response = auth.login("  Practitioner@A.Test ")
    assert response.status_code == 302
    assert client.get("/patients/").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("practitioner@a.test", "not the right password"), ("nobody@a.test", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_bad_credentials_give_one_message_and_keep_the_email(
    client, auth, clinic_world, email, password
):
    response = auth.login(email, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert field_error(html, "password") == WRONG_CREDENTIALS
    assert field_error(html, "email") is None
    assert f'value="{email}"' in html
    assert password not in html
    assert client.get("/patients/").status_code == 302


def test_deactivated_user_cannot_log_in(app, client, auth, clinic_world):
    with app.app_context():
        db.session.get(User, clinic_world["a"]["practitioner"].id).active = False
        db.session.commit()
    response = auth.login("practitioner@a.test")
    assert response.status_code == 401
    assert field_error(response.get_data(as_text=True), "password") == WRONG_CREDENTIALS
    assert path_of(client.get("/patients/")) == "/login"


def test_logout_is_post_only_and_ends_the_session(client, auth, clinic_world):
    auth.login("practitioner@a.test")
    assert client.get("/logout").status_code == 405
    assert client.get("/patients/").status_code == 200  # a GET did not log anybody out

    response = auth.logout()
    assert response.status_code == 302
    assert path_of(response) == "/login"
    after = client.get("/patients/")
    assert after.status_code == 302
    assert path_of(after) == "/login"


def test_cookie_copied_before_logout_is_useless_after_it(app, client, auth, clinic_world):
    auth.login("practitioner@a.test")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    thief = app.test_client()
    thief.set_cookie(cookie.key, cookie.value)
    assert thief.get("/patients/").status_code == 200  # the copy works while the session lives

    auth.logout()
    response = thief.get("/patients/")
    assert response.status_code == 302
    assert path_of(response) == "/login"


@pytest.mark.parametrize(("idle_minutes", "logged_in"), [(14, True), (16, False)])
def test_idle_timeout(app, client, auth, clinic_world, idle_minutes, logged_in):
    auth.login("practitioner@a.test")
    set_session_times(app, last_seen_at=utcnow() - timedelta(minutes=idle_minutes))

    response = client.get("/patients/")
    if logged_in:
        assert response.status_code == 200
        return
    assert response.status_code == 302
    assert path_of(response) == "/login"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were logged out after 15 minutes without activity." in page
    with app.app_context():
        assert db.session.scalar(select(LoginSession.revoked_reason)) == "idle_timeout"


@pytest.mark.parametrize(("extra_minutes", "logged_in"), [(-5, True), (5, False)])
def test_absolute_session_expiry(app, client, auth, clinic_world, extra_minutes, logged_in):
    auth.login("practitioner@a.test")
    age = timedelta(hours=app.config["ABSOLUTE_SESSION_HOURS"], minutes=extra_minutes)
    # Active all along (seen just now), only old: the absolute limit alone must end it.
    set_session_times(app, created_at=utcnow() - age, last_seen_at=utcnow())

    response = client.get("/patients/")
    if logged_in:
        assert response.status_code == 200
        return
    assert path_of(response) == "/login"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session has ended. Please log in again." in page


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/patients/new", "/patients/new"),
        ("//evil.example", "/"),  # refused: the default landing page
        ("https://evil.example", "/"),
        ("https://evil.example/patients/", "/"),
    ],
)
def test_next_is_followed_only_to_a_local_path(client, clinic_world, target, expected):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "practitioner@a.test", "password": PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert urlsplit(location).netloc in ("", "localhost")
    assert urlsplit(location).path == expected


def test_next_with_a_backslash_stays_on_this_site(client, clinic_world):
    # Browsers read "/\\host" as "//host"; the header must carry the backslash escaped.
    response = client.post(
        "/login",
        query_string={"next": "/\\evil.example"},
        data={"email": "practitioner@a.test", "password": PASSWORD},
    )
    location = response.headers["Location"]
    assert "\\" not in location
    assert urlsplit(location).netloc in ("", "localhost")


def test_throttle_after_max_failures_is_per_account(app, client, auth, clinic_world):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        assert auth.login("practitioner@a.test", "wrong password!").status_code == 401
    # One short of the limit the right password still works...
    assert auth.login("practitioner@a.test").status_code == 302
    auth.logout()
    assert auth.login("practitioner@a.test", "wrong password!").status_code == 401

    # ...once the limit is reached, even the right password is refused.
    response = auth.login("practitioner@a.test")
    assert response.status_code == 429
    assert field_error(response.get_data(as_text=True), "password") == (
        "Too many failed attempts. Wait a few minutes before trying again."
    )
    assert client.get("/patients/").status_code == 302

    other = app.test_client()
    assert (
        other.post("/login", data={"email": "admin@a.test", "password": PASSWORD}).status_code
        == 302
    )


def test_failures_outside_the_window_do_not_count(app, client, auth, clinic_world):
    from tracker.auth.models import LoginAttempt

    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login("practitioner@a.test", "wrong password!")
    window = timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"], seconds=1)
    with app.app_context():
        db.session.execute(update(LoginAttempt).values(attempted_at=utcnow() - window))
        db.session.commit()
    assert auth.login("practitioner@a.test").status_code == 302


def client_at(app, address: str):
    """A test client whose requests come from ``address`` (request.remote_addr)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_throttle_is_per_address_across_accounts(app, clinic_world):
    per_account = app.config["LOGIN_MAX_FAILURES"]
    per_address = per_account * 5  # attempt_login: an address may fail 5x an account's limit
    attacker = client_at(app, "203.0.113.7")

    def wrong(email):
        return attacker.post("/login", data={"email": email, "password": "wrong password!"})

    # Spray guesses over many accounts, each kept below its own limit, one short of the
    # address limit: no account and not the address is throttled yet.
    per_email = per_account - 1
    emails = [f"guess{i // per_email}@a.test" for i in range(per_address - 1)]
    assert max(emails.count(email) for email in emails) < per_account
    for email in emails:
        assert wrong(email).status_code == 401, email
    login = attacker.post("/login", data={"email": "admin@a.test", "password": PASSWORD})
    assert login.status_code == 302
    attacker.post("/logout")

    # The next failure reaches the address limit: from this address even an account with no
    # failure of its own is refused, with the right password.
    assert wrong("one-more@a.test").status_code == 401
    response = attacker.post("/login", data={"email": "practitioner@a.test", "password": PASSWORD})
    assert response.status_code == 429
    assert field_error(response.get_data(as_text=True), "password") == (
        "Too many failed attempts. Wait a few minutes before trying again."
    )
    assert attacker.get("/patients/").status_code == 302

    # Another address is not affected, for the same account.
    elsewhere = client_at(app, "198.51.100.20")
    response = elsewhere.post("/login", data={"email": "practitioner@a.test", "password": PASSWORD})
    assert response.status_code == 302
    assert elsewhere.get("/patients/").status_code == 200


def test_password_is_stored_as_argon2id(app, clinic_world):
    with app.app_context():
        stored = db.session.scalar(
            select(User.password_hash).where(User.email == "practitioner@a.test")
        )
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_login_failure_and_logout_are_audited(app, client, auth, clinic_world):
    user = clinic_world["a"]["practitioner"]
    auth.login("Practitioner@a.test", "wrong password!")
    auth.login("stranger@a.test", "wrong password!")
    auth.login("practitioner@a.test")
    auth.logout()

    failed = audit_rows(app, "login.failed")
    assert len(failed) == 2
    for row in failed:
        assert row.user_id is None
        text = json.dumps(row.details).lower()
        assert "practitioner@a.test" not in text and "stranger@a.test" not in text
    assert failed[0].clinic_id == user.clinic_id
    assert [row.user_id for row in audit_rows(app, "login")] == [user.id]
    assert [row.user_id for row in audit_rows(app, "login.logout")] == [user.id]
