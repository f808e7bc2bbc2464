"""Cross-site request forgery and the session cookie, with the protections on as in
production (the other tests switch CSRF off to post forms directly)."""

import json
import re
import zlib

import pytest
from itsdangerous import base64_decode
from sqlalchemy import func, select

from tests.conftest import PASSWORD, app_for
from tests.test_access import ROUTES, build_url, records  # noqa: F401 (a fixture)
from tracker.extensions import db

POST_ROUTES = [route for route in ROUTES if route[3] == "POST"]
EXPIRED = "The form expired or was sent from another page."
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def guarded(database_url):
    app = app_for(database_url, WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=True)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def rows_everywhere(app) -> int:
    """Every row of every table: a refused request must leave the count as it was."""
    with app.app_context():
        return sum(db.session.scalar(select(func.count()).select_from(table))
                   for table in db.metadata.sorted_tables)


def logged_in(app, email):
    client = app.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client


def test_login_without_its_token_is_refused(guarded, clinic_world):
    client = guarded.test_client()
    response = client.post("/login", data={"email": clinic_world["a"]["admin"].email,
                                           "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/patients/").status_code == 302  # not logged in


@pytest.mark.parametrize("route", POST_ROUTES, ids=lambda route: route[1])
def test_every_post_without_a_token_is_refused_and_writes_nothing(guarded, clinic_world,
                                                                  records, route):  # noqa: F811
    # The admin may use every route: a 400 can only come from the CSRF check.
    client = logged_in(guarded, clinic_world["a"]["admin"].email)
    before = rows_everywhere(guarded)
    url = build_url(guarded, route[0], records["a"])
    response = client.post(url, data={"reason": "forged", "given": "yes"})
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)
    assert rows_everywhere(guarded) == before


def test_a_token_from_another_login_is_refused(guarded, clinic_world):
    side = clinic_world["a"]
    attacker = logged_in(guarded, side["reception"].email)
    stolen = TOKEN.search(attacker.get("/patients/new").get_data(as_text=True)).group(1)
    victim = logged_in(guarded, side["admin"].email)
    before = rows_everywhere(guarded)
    response = victim.post("/patients/new", data={"family_name": "Forged", "given_name": "X",
                                                  "csrf_token": stolen})
    assert response.status_code == 400 and EXPIRED in response.get_data(as_text=True)
    assert rows_everywhere(guarded) == before


def test_the_session_cookie_is_secure_httponly_and_same_site(guarded, clinic_world):
    client = guarded.test_client()
    token = TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": clinic_world["a"]["admin"].email,
                                           "password": PASSWORD, "csrf_token": token})
    cookie = next(value for value in response.headers.getlist("Set-Cookie")
                  if value.startswith(guarded.config["SESSION_COOKIE_NAME"] + "="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly"} <= flags
    assert re.search(r"SameSite=Lax", cookie)


def test_the_cookie_holds_no_patient_data(guarded, clinic_world):
    # Flask's cookie is signed, not encrypted: it must carry only ids and the CSRF secret.
    client = logged_in(guarded, clinic_world["a"]["admin"].email)
    patient = clinic_world["a"]["patient"]
    client.get(f"/patients/{patient.id}")
    cookie = client.get_cookie(guarded.config["SESSION_COOKIE_NAME"]).value
    payload = base64_decode(cookie.lstrip(".").split(".")[0])
    decoded = zlib.decompress(payload) if cookie.startswith(".") else payload  # compressed
    assert set(json.loads(decoded)) <= {"_user_id", "_fresh", "_id", "csrf_token",
                                        "login_session", "_flashes"}
    assert patient.family_name.encode() not in decoded
