"""The application factory: configuration layers, /healthz and the security headers."""

import os
import re

import pytest
from flask import Flask

from tests.conftest import BASE_CONFIG
from tracker import create_app
from tracker.config import Config, load_config
from tracker.extensions import db

UNREACHABLE_POSTGRES = "postgresql://nobody@127.0.0.1:1/none"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No configuration leaks in from the shell that runs the tests."""
    for name in list(os.environ):
        if name.startswith("TRACKER_") or name in ("DATABASE_URL", "SECRET_KEY", "FLASK_DEBUG"):
            monkeypatch.delenv(name)


@pytest.fixture
def instance(tmp_path):
    """An empty instance folder; ``instance.write(...)`` puts a config.py in it."""

    class Instance:
        path = tmp_path

        def write(self, source: str) -> None:
            (tmp_path / "config.py").write_text(source, encoding="utf-8")

        def load(self, test_config=None) -> Flask:
            app = Flask(__name__, instance_path=str(tmp_path), instance_relative_config=True)
            load_config(app, test_config)
            return app

    return Instance()


def test_defaults_apply_without_instance_file_or_environment(instance, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "only-the-secret")
    config = instance.load().config
    assert config["ENV"] == "production"
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///tracker.sqlite"
    assert config["IDLE_TIMEOUT_MINUTES"] == Config.IDLE_TIMEOUT_MINUTES
    assert config["PASSWORD_MIN_LENGTH"] >= 12
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    # SQLite waits for a busy writer instead of failing at once.
    timeout = Config.SQLITE_BUSY_TIMEOUT_SECONDS
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"connect_args": {"timeout": timeout}}


def test_instance_config_overrides_defaults(instance):
    instance.write(
        "SECRET_KEY = 'from-instance'\n"
        "IDLE_TIMEOUT_MINUTES = 30\n"
        "SQLITE_BUSY_TIMEOUT_SECONDS = 3\n"
        "SQLITE_CACHE_MIB = 8\n"
        "SESSION_COOKIE_SECURE = False\n"
    )
    config = instance.load().config
    assert config["SECRET_KEY"] == "from-instance"
    assert config["IDLE_TIMEOUT_MINUTES"] == 30
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["timeout"] == 3
    assert config["SQLITE_CACHE_MIB"] == 8


def test_environment_overrides_instance_config(instance, monkeypatch):
    instance.write(
        "SECRET_KEY = 'from-instance'\n"
        "SQLALCHEMY_DATABASE_URI = 'sqlite:///instance.sqlite'\n"
        "IDLE_TIMEOUT_MINUTES = 30\n"
    )
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "sqlite:////srv/tracker/env.sqlite")
    monkeypatch.setenv("TRACKER_IDLE_TIMEOUT_MINUTES", "5")
    monkeypatch.setenv("TRACKER_SESSION_COOKIE_SECURE", "false")
    config = instance.load().config
    assert config["SECRET_KEY"] == "from-env"
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////srv/tracker/env.sqlite"
    # TRACKER_* values are parsed as JSON: numbers and booleans keep their type.
    assert config["IDLE_TIMEOUT_MINUTES"] == 5
    assert config["SESSION_COOKIE_SECURE"] is False


def test_empty_environment_variables_are_ignored(instance, monkeypatch):
    instance.write("SECRET_KEY = 'from-instance'\n")
    monkeypatch.setenv("SECRET_KEY", "")
    monkeypatch.setenv("DATABASE_URL", "")
    config = instance.load().config
    assert config["SECRET_KEY"] == "from-instance"
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///tracker.sqlite"


def test_test_config_wins_over_every_other_layer(instance, monkeypatch):
    instance.write("SECRET_KEY = 'from-instance'\nIDLE_TIMEOUT_MINUTES = 30\n")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql://env@db.example/env")
    monkeypatch.setenv("TRACKER_IDLE_TIMEOUT_MINUTES", "5")
    config = instance.load(
        {
            "SECRET_KEY": "from-test",
            "SQLALCHEMY_DATABASE_URI": "sqlite:///from-test.sqlite",
            "IDLE_TIMEOUT_MINUTES": 1,
        }
    ).config
    assert config["SECRET_KEY"] == "from-test"
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///from-test.sqlite"
    assert config["IDLE_TIMEOUT_MINUTES"] == 1


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgresql://root@127.0.0.1:5432/tracker",
            "postgresql+psycopg://root@127.0.0.1:5432/tracker",
        ),
        (
            "postgres://clinic:s3cret@db.internal/tracker",
            "postgresql+psycopg://clinic:s3cret@db.internal/tracker",
        ),
        (
            "postgresql+psycopg://root@localhost/tracker",
            "postgresql+psycopg://root@localhost/tracker",
        ),
        ("sqlite:///tracker.sqlite", "sqlite:///tracker.sqlite"),
        ("sqlite:////var/lib/tracker/data.sqlite", "sqlite:////var/lib/tracker/data.sqlite"),
    ],
)
def test_database_url_forms_are_normalised(instance, monkeypatch, given, expected):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("DATABASE_URL", given)
    config = instance.load().config
    assert config["SQLALCHEMY_DATABASE_URI"] == expected
    if expected.startswith("postgresql"):
        # A dropped PostgreSQL connection is replaced, not handed to a request; the app's
        # short statements are never JIT-compiled (0.5 s a compile on the bench machine),
        # each is planned for its own values, and an index read out of order is priced as
        # on an SSD.
        assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {
            "pool_pre_ping": True,
            "connect_args": {"options": "-c jit=off -c plan_cache_mode=force_custom_plan"
                                        " -c random_page_cost=1.1"}}


def test_the_apps_connections_are_set_up_for_the_database_in_use(app):
    """On PostgreSQL: no JIT, and a statement run again and again (psycopg prepares it on
    its fifth run) still planned for its values, never one generic plan. On SQLite: foreign
    keys enforced and the write-ahead log on."""
    from sqlalchemy import text

    from tracker.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            for _ in range(12):  # past psycopg's prepare threshold and PostgreSQL's five
                mode = db.session.scalar(text("SELECT current_setting(:name)"),
                                         {"name": "plan_cache_mode"})
            assert mode == "force_custom_plan"
            assert db.session.scalar(text("SHOW jit")) == "off"
            assert db.session.scalar(text("SHOW random_page_cost")) == "1.1"
        else:
            assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
            assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"


def test_missing_secret_key_stops_production_start_up(instance):
    with pytest.raises(RuntimeError, match="SECRET_KEY") as error:
        instance.load()
    assert "instance/config.py" in str(error.value)


def test_blank_secret_key_in_instance_config_also_stops_start_up(instance):
    instance.write("SECRET_KEY = ''\n")
    with pytest.raises(RuntimeError, match="instance/config.py"):
        instance.load()


@pytest.mark.parametrize("value", ['"32"', "0", "-8", "1.5", "100000", "true"])
def test_a_sqlite_cache_size_that_is_not_whole_mib_stops_start_up(instance, monkeypatch, value):
    """Set through the environment (parsed as JSON) or instance/config.py, a page cache
    size is refused when the app starts, not at its first connection."""
    monkeypatch.setenv("SECRET_KEY", "only-the-secret")
    monkeypatch.setenv("TRACKER_SQLITE_CACHE_MIB", value)
    with pytest.raises(RuntimeError, match="SQLITE_CACHE_MIB must be a whole number"):
        instance.load()
    monkeypatch.setenv("TRACKER_SQLITE_CACHE_MIB", "64")
    assert instance.load().config["SQLITE_CACHE_MIB"] == 64


@pytest.mark.parametrize("how", ["FLASK_DEBUG", "TESTING"])
def test_missing_secret_key_is_tolerated_in_development_and_tests(instance, monkeypatch, how):
    test_config = None
    if how == "FLASK_DEBUG":
        monkeypatch.setenv("FLASK_DEBUG", "1")  # what `flask --debug run` sets
        expected_env = "development"
    else:
        test_config = {"TESTING": True}
        expected_env = "testing"
    config = instance.load(test_config).config
    assert config["ENV"] == expected_env
    assert config["SECRET_KEY"]  # sessions still get signed


def test_healthz_reports_a_reachable_database(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    body = response.get_json()
    assert body["database"] == "reachable"
    with app.app_context():
        assert body["backend"] == db.engine.dialect.name


def test_healthz_reports_an_unreachable_database_with_503():
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": UNREACHABLE_POSTGRES})
    try:
        response = app.test_client().get("/healthz")
    finally:
        with app.app_context():
            db.engine.dispose()
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    assert response.get_json()["backend"] == "postgresql"


def test_pages_carry_strict_security_headers(client):
    response = client.get("/login")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers["Cache-Control"]
    # The strict CSP would block inline script and style: the page must not rely on either.
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html


def test_json_and_error_responses_are_not_cached(client):
    assert "no-store" in client.get("/healthz").headers["Cache-Control"]
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "no-store" in missing.headers["Cache-Control"]
    assert missing.headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
