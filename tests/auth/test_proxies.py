"""Behind a reverse proxy: the client's address is read through the configured number of
trusted proxies, so per-address login throttling counts clients, not the proxy."""

import pytest
from sqlalchemy import select

from tests.conftest import app_for
from tracker.auth.models import LoginAttempt
from tracker.extensions import db

PROXY = "10.0.0.2"


@pytest.fixture
def proxied_app(database_url):
    app = app_for(database_url, TRUSTED_PROXIES=1)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def failed_login_from(app, forwarded_for: str | None) -> str:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = PROXY
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    client.post("/login", data={"email": "nobody@a.test", "password": "wrong password!"},
                headers=headers)
    with app.app_context():
        return db.session.scalars(select(LoginAttempt.remote_addr)
                                  .order_by(LoginAttempt.id.desc())).first()


def test_with_one_trusted_proxy_the_client_address_counts(proxied_app, clinic_world):
    assert failed_login_from(proxied_app, "198.51.100.7") == "198.51.100.7"
    # A client cannot push a forged address past the proxy: only the last hop is trusted.
    assert failed_login_from(proxied_app, "1.2.3.4, 198.51.100.8") == "198.51.100.8"


def test_without_a_trusted_proxy_the_header_is_ignored(app, clinic_world):
    # Anyone could send X-Forwarded-For: unless a proxy is configured it changes nothing.
    assert failed_login_from(app, "198.51.100.7") == PROXY
