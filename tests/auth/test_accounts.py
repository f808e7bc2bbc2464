"""Changing one's password, admin staff management and clinic settings."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tracker.auth.models import User
from tracker.auth.services import AccountError, set_user_active
from tracker.clinics.models import Clinic
from tracker.extensions import db

NEW_PASSWORD = "a much longer pass phrase"


def field_error(html: str, field: str) -> str | None:
    match = re.search(rf'id="{field}-error">([^<]*)<', html)
    return match.group(1) if match else None


def login(app, email, password=PASSWORD):
    """A separate browser, logged in as ``email``."""
    other = app.test_client()
    response = other.post("/login", data={"email": email, "password": password})
    return other, response


def is_logged_in(client) -> bool:
    response = client.get("/patients/")
    if response.status_code == 302:
        assert urlsplit(response.headers["Location"]).path == "/login"
        return False
    assert response.status_code == 200
    return True


def stored(app, model, id_):
    with app.app_context():
        row = db.session.get(model, id_)
        db.session.expunge(row)
        return row


# --- own password -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "new", "confirm", "field", "message"),
    [
        (
            "wrong current password",
            NEW_PASSWORD,
            NEW_PASSWORD,
            "current_password",
            "The current password is not correct.",
        ),
        (PASSWORD, "short1234", "short1234", "new_password", "Use at least 12 characters."),
        (
            PASSWORD,
            NEW_PASSWORD,
            NEW_PASSWORD + "x",
            "confirm_password",
            "The two passwords differ.",
        ),
        (
            PASSWORD,
            PASSWORD,
            PASSWORD,
            "new_password",
            "Choose a password different from the current one.",
        ),
    ],
    ids=["wrong-current", "too-short", "mismatch", "unchanged"],
)
def test_change_password_refuses_bad_input(
    app, client, as_role, current, new, confirm, field, message
):
    world = as_role("practitioner")
    before = stored(app, User, world["a"]["practitioner"].id).password_hash
    response = client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm_password": confirm},
    )
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), field) == message
    assert stored(app, User, world["a"]["practitioner"].id).password_hash == before


def test_change_password_ends_other_sessions_and_keeps_this_one(app, client, auth, clinic_world):
    laptop, _ = login(app, "practitioner@a.test")
    auth.login("practitioner@a.test")
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Your password has been changed." in response.get_data(as_text=True)

    assert is_logged_in(client)
    assert not is_logged_in(laptop)
    assert login(app, "practitioner@a.test")[1].status_code == 401
    assert login(app, "practitioner@a.test", NEW_PASSWORD)[1].status_code == 302


# --- staff accounts -----------------------------------------------------------------------


def staff_form(**overrides):
    data = {
        "name": "Hanako Sato",
        "email": "hanako@example.com",
        "role": "practitioner",
        "password": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_admin_creates_a_user_who_can_log_in(app, client, as_role):
    world = as_role("admin")
    response = client.post("/clinic/staff/new", data=staff_form(email="Hanako@Example.com"))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/clinic/staff"
    assert "Hanako Sato" in client.get("/clinic/staff").get_data(as_text=True)

    _, login_response = login(app, "hanako@example.com", NEW_PASSWORD)
    assert login_response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "hanako@example.com"))
        assert (user.role, user.clinic_id) == ("practitioner", world["a"]["clinic"].id)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "Taken@Example.com"}, "email", "An account with this email already exists."),
        ({"role": "superuser"}, "role", "Not a valid choice."),
        ({"password": "too short"}, "password", "Use at least 12 characters."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ],
    ids=["duplicate-email", "invalid-role", "short-password", "bad-email"],
)
def test_create_user_refuses_bad_input(app, client, as_role, factory, overrides, field, message):
    world = as_role("admin")
    factory.user(world["b"]["clinic"], "reception", email="taken@example.com")  # any clinic
    before = count_users(app)
    response = client.post("/clinic/staff/new", data=staff_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, field) == message
    assert 'value="Hanako Sato"' in html
    assert count_users(app) == before


def test_deactivation_ends_the_session_and_blocks_login_until_reactivated(app, client, as_role):
    world = as_role("admin")
    target = world["a"]["practitioner"]
    their_browser, _ = login(app, target.email)
    assert is_logged_in(their_browser)

    response = client.post(f"/clinic/staff/{target.id}/active/off", follow_redirects=True)
    assert response.status_code == 200
    assert "is now deactivated" in response.get_data(as_text=True)
    assert not is_logged_in(their_browser)
    assert login(app, target.email)[1].status_code == 401

    client.post(f"/clinic/staff/{target.id}/active/on")
    assert stored(app, User, target.id).active
    assert login(app, target.email)[1].status_code == 302


def test_admin_cannot_deactivate_themselves(app, client, as_role):
    world = as_role("admin")
    admin = world["a"]["admin"]
    response = client.post(f"/clinic/staff/{admin.id}/active/off", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert stored(app, User, admin.id).active
    assert is_logged_in(client)


def test_an_admin_may_deactivate_another_admin_but_not_the_last(app, client, as_role, factory):
    world = as_role("admin")
    second = factory.user(world["a"]["clinic"], "admin", email="second-admin@a.test")
    client.post(f"/clinic/staff/{second.id}/active/off")
    assert not stored(app, User, second.id).active

    # Only one active admin is left: nobody (here a colleague, via the service) may remove it.
    with app.app_context():
        last = db.session.get(User, world["a"]["admin"].id)
        colleague = db.session.get(User, world["a"]["practitioner"].id)
        with pytest.raises(AccountError, match="at least one active admin"):
            set_user_active(last, False, actor=colleague)
        db.session.rollback()
    assert stored(app, User, world["a"]["admin"].id).active


def test_admin_gets_404_for_another_clinics_user(app, client, as_role):
    world = as_role("admin")
    other = world["b"]["practitioner"]
    assert client.post(f"/clinic/staff/{other.id}/active/off").status_code == 404
    assert stored(app, User, other.id).active


@pytest.mark.parametrize("role", ["practitioner", "reception"])
@pytest.mark.parametrize(
    "url", ["/clinic/staff", "/clinic/staff/new", "/clinic/settings", "/audit/"]
)
def test_non_admins_get_403_on_admin_pages(client, as_role, role, url):
    as_role(role)
    assert client.get(url).status_code == 403


def test_non_admin_cannot_create_staff_by_posting(app, client, as_role):
    as_role("practitioner")
    before = count_users(app)
    assert client.post("/clinic/staff/new", data=staff_form(role="admin")).status_code == 403
    assert count_users(app) == before


# --- clinic settings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"timezone": "Mars/Olympus_Mons"},
            "timezone",
            "Not a known time zone; try Asia/Tokyo or Europe/London.",
        ),
        (
            {"timezone": "tokyo"},
            "timezone",
            "Not a known time zone; try Asia/Tokyo or Europe/London.",
        ),
        ({"chart_prefix": "fw"}, "chart_prefix", "Use capital letters and digits only."),
        ({"chart_prefix": "FW-"}, "chart_prefix", "Use capital letters and digits only."),
        ({"email": "not an address"}, "email", "Enter a valid email address."),
    ],
)
def test_clinic_settings_refuse_bad_input(app, client, as_role, overrides, field, message):
    world = as_role("admin")
    data = {"name": "Clinic A", "timezone": "Europe/London", "chart_prefix": "FW2", **overrides}
    response = client.post("/clinic/settings", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(html, field) == message
    assert f'value="{overrides[field]}"' in html
    clinic = stored(app, Clinic, world["a"]["clinic"].id)
    assert (clinic.timezone, clinic.chart_prefix) == ("Asia/Tokyo", "A")


def test_clinic_settings_save(app, client, as_role):
    world = as_role("admin")
    response = client.post(
        "/clinic/settings",
        data={"name": "Clinic A", "timezone": "Europe/London", "chart_prefix": "FW2",
              "address": " 1-2-3 Kichijoji, Musashino ", "phone": "0422-00-0000",
              "email": "desk@clinic-a.example"},
        follow_redirects=True,
    )
    assert "Clinic settings saved." in response.get_data(as_text=True)
    clinic = stored(app, Clinic, world["a"]["clinic"].id)
    assert (clinic.timezone, clinic.chart_prefix) == ("Europe/London", "FW2")
    assert (clinic.address, clinic.phone, clinic.email) == (
        "1-2-3 Kichijoji, Musashino", "0422-00-0000", "desk@clinic-a.example")
