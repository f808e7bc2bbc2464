"""Configuration, layered the flaskr way.

Order (later wins): ``Config`` defaults, ``instance/config.py``, environment variables
(``DATABASE_URL``, ``SECRET_KEY`` and any ``TRACKER_<KEY>``), then the ``test_config`` mapping
that tests pass to ``create_app``.
"""

import os
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url


class Config:
    # "production" unless told otherwise: the safe default refuses to start without a secret.
    ENV = "production"
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = "sqlite:///tracker.sqlite"  # relative: lives in instance/
    SQLALCHEMY_RECORD_QUERIES = False
    # A read replica of the PostgreSQL primary (docs/deploy.md): the clinic-wide reports (the
    # outcome review, the follow-up list, the clinic's CSV export) read it when set; every
    # write, their audit rows included, and every other page go to the primary. Env:
    # TRACKER_REPLICA_DATABASE_URL. None: everything reads the primary.
    REPLICA_DATABASE_URL = None

    # Sessions: idle and absolute limits are enforced server-side (auth.models.LoginSession).
    IDLE_TIMEOUT_MINUTES = 15
    ABSOLUTE_SESSION_HOURS = 12
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "tracker_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    WTF_CSRF_TIME_LIMIT = 4 * 3600

    # Argon2id parameters (OWASP minimum is m=19 MiB, t=2, p=1); tests lower them for speed.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_KIB = 47104
    ARGON2_PARALLELISM = 1
    PASSWORD_MIN_LENGTH = 12

    # Login throttling: per account and per remote address, counted in the database.
    LOGIN_MAX_FAILURES = 10
    LOGIN_FAILURE_WINDOW_MINUTES = 15

    # Reverse proxies in front of the app that set X-Forwarded-For (docs/operations.md). With
    # 0, the header is ignored (anyone could forge it); with 1, the address the nearest proxy
    # saw is the client's, so per-address login throttling counts real clients.
    TRUSTED_PROXIES = 0

    PATIENTS_PER_PAGE = 25
    DEFAULT_TIMEZONE = "Asia/Tokyo"

    # Translations (tracker.i18n): English is the source language; other catalogs live in
    # tracker/translations. FORCE_LOCALE fixes the locale instead of the browser's choice.
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).resolve().parent / "translations")
    FORCE_LOCALE = None
    SQLITE_BUSY_TIMEOUT_SECONDS = 10
    # Each SQLite connection's page cache, MiB (SQLite's own default is 2). A worker keeps
    # what its pages read most (the open episodes, their last visits) instead of asking the
    # operating system for them again: the follow-up list 11.4-11.7 -> 9.6-10.1 ms of CPU at
    # full scale (docs/performance.md). At most this much more memory per worker.
    SQLITE_CACHE_MIB = 32
    POSTGRESQL_JIT = False  # config.engine_options says why
    # The planner's cost of reading a page out of order, against 1.0 in order (PostgreSQL's
    # default, 4.0, is for spinning disks). config.engine_options says why; None keeps the
    # server's own setting.
    POSTGRESQL_RANDOM_PAGE_COST = 1.1
    # How long a server process shows the outcome review's figures before computing them
    # again (tracker.outcomes.review_cache; a change committed in the process drops them).
    REVIEW_CACHE_SECONDS = 60


def load_config(app, test_config=None):
    """Apply the configuration layers to ``app`` and check the result."""
    app.config.from_object(Config)
    app.config.from_pyfile("config.py", silent=True)
    for name in ("DATABASE_URL", "SECRET_KEY"):
        if os.environ.get(name):
            key = "SQLALCHEMY_DATABASE_URI" if name == "DATABASE_URL" else name
            app.config[key] = os.environ[name]
    app.config.from_prefixed_env("TRACKER")
    if app.debug:
        app.config["ENV"] = "development"
    if test_config:
        app.config.update(test_config)
    if app.config.get("TESTING"):
        app.config["ENV"] = "testing"

    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    if app.config.get("REPLICA_DATABASE_URL"):
        replica = normalise_database_url(app.config["REPLICA_DATABASE_URL"])
        app.config["REPLICA_DATABASE_URL"] = replica
        # A Flask-SQLAlchemy bind no model uses: tracker.replica reads through its engine;
        # migrations and `db check` see only the primary (migrations/env.py).
        app.config["SQLALCHEMY_BINDS"] = {
            **(app.config.get("SQLALCHEMY_BINDS") or {}),
            "replica": {"url": replica, **engine_options(
                {**app.config, "SQLALCHEMY_DATABASE_URI": replica})},
        }
    cache_mib = app.config["SQLITE_CACHE_MIB"]
    if type(cache_mib) is not int or not 1 <= cache_mib <= 4096:
        # Refused at start, not at the first connection of the first request.
        raise RuntimeError(f"SQLITE_CACHE_MIB must be a whole number of MiB from 1 to 4096, "
                           f"not {cache_mib!r}.")
    if not app.config.get("SECRET_KEY"):
        if app.config["ENV"] in ("development", "testing"):
            # Development and tests only: production refuses to start without a real key.
            app.config["SECRET_KEY"] = "dev-only-not-secret"  # nosec B105
        else:
            raise RuntimeError(
                "SECRET_KEY is not set. Put SECRET_KEY = '<random string>' in instance/config.py "
                "or set the SECRET_KEY environment variable (`make run` writes one for you)."
            )


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgresql://`` and ``postgres://`` forms; use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def engine_options(config) -> dict:
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        # The module-level sqlite3 timeout is the busy timeout; BEGIN IMMEDIATE is set up in
        # tracker.database so that write transactions never fail half-way with "database is locked".
        return {"connect_args": {"timeout": config["SQLITE_BUSY_TIMEOUT_SECONDS"]}}
    # No JIT compilation for the app's statements: a page's statements are short, and
    # compiling one the planner guessed costly took 0.5 s on the benchmark machine (the
    # outcome review's session numbers: 0.7 s with JIT, 0.1 s without; docs/performance.md).
    # POSTGRESQL_JIT = True gives PostgreSQL's own choice back.
    jit = "on" if config.get("POSTGRESQL_JIT") else "off"
    # Every statement planned for its own values. psycopg prepares a statement on its fifth
    # run, and after five more PostgreSQL may switch to one generic plan for all values: the
    # outcome review went from 50 ms to 300-500 ms on its eleventh request and stayed there
    # (a plan for "any date range" of a cohort that is in fact narrow). Planning a page's
    # statements afresh costs a fraction of a millisecond; views whose statements all pick
    # rows by id are marked ``transactions.plans_reused`` and keep PostgreSQL's own choice.
    # Reading an index's rows out of order priced as on an SSD, or on a database that lives in
    # memory (a clinic group's fits in a few GB): at PostgreSQL's default, priced as on a
    # spinning disk, the follow-up list read every patient of the clinic (a hash join, 20,000
    # rows at full scale) to join its few dozen open episodes to their patients, and every
    # amendment to tell which last visits were amended (quick scale: 2.3 -> 1.3 ms of SQL).
    options = f"-c jit={jit} -c plan_cache_mode=force_custom_plan"
    if config.get("POSTGRESQL_RANDOM_PAGE_COST") is not None:
        options += f" -c random_page_cost={float(config['POSTGRESQL_RANDOM_PAGE_COST'])}"
    return {"pool_pre_ping": True, "connect_args": {"options": options}}
