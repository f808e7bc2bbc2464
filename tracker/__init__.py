"""Acupuncture session tracker: the application factory."""

from pathlib import Path

from flask import Flask

from tracker.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config=None) -> Flask:
    """Build the app; ``test_config`` overrides every other configuration layer."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    load_config(app, test_config)
    register_proxies(app)
    Path(app.instance_path).mkdir(exist_ok=True)
    register_extensions(app)
    register_url_converters(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_shellcontext(app)
    register_request_hooks(app)
    return app


def register_proxies(app: Flask) -> None:
    """Read the client's address through the configured number of trusted proxies."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_extensions(app: Flask) -> None:
    from tracker import (
        i18n,
        models,  # noqa: F401  (every model must be mapped before first use)
        widgets,
    )
    from tracker.auth.login_sessions import configure_login
    from tracker.database import configure_engine
    from tracker.extensions import csrf, db, login_manager, migrate
    from tracker.sessions import guards  # noqa: F401  (signed notes refuse to change)

    widgets.install()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    configure_login(login_manager)
    with app.app_context():
        # The primary, and the read replica when one is configured (tracker.replica).
        for engine in db.engines.values():
            configure_engine(engine, busy_timeout=app.config["SQLITE_BUSY_TIMEOUT_SECONDS"],
                             cache_mib=app.config["SQLITE_CACHE_MIB"])


def register_url_converters(app: Flask) -> None:
    from tracker import converters

    converters.register(app)


def register_blueprints(app: Flask) -> None:
    from tracker.audit.views import bp as audit_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.chart.views import bp as chart_bp
    from tracker.clinics.views import bp as clinics_bp
    from tracker.exports.views import bp as exports_bp
    from tracker.intake.views import bp as intake_bp
    from tracker.main.views import bp as main_bp
    from tracker.outcomes.views import bp as outcomes_bp
    from tracker.patients.views import bp as patients_bp
    from tracker.points.views import bp as points_bp
    from tracker.protocols.views import bp as protocols_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.safety.views import bp as safety_bp
    from tracker.scores.views import bp as scores_bp
    from tracker.sessions.views import bp as sessions_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(patients_bp, url_prefix="/patients")
    app.register_blueprint(chart_bp, url_prefix="/patients")
    app.register_blueprint(intake_bp, url_prefix="/patients/<int:patient_id>/episodes")
    app.register_blueprint(sessions_bp, url_prefix="/patients/<int:patient_id>/sessions")
    app.register_blueprint(points_bp, url_prefix="/points")
    app.register_blueprint(protocols_bp, url_prefix="/protocols")
    app.register_blueprint(safety_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(outcomes_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(scores_bp, url_prefix="/patients/<int:patient_id>/scores")
    app.register_blueprint(clinics_bp, url_prefix="/clinic")
    app.register_blueprint(audit_bp, url_prefix="/audit")


def register_errorhandlers(app: Flask) -> None:
    from tracker.errors import register_error_pages

    register_error_pages(app)


def register_commands(app: Flask) -> None:
    from tracker.cli import COMMANDS

    for command in COMMANDS:
        app.cli.add_command(command)


def register_shellcontext(app: Flask) -> None:
    from tracker import models
    from tracker.extensions import db

    app.shell_context_processor(
        lambda: {"db": db, **{n: getattr(models, n) for n in models.__all__}}
    )


def register_request_hooks(app: Flask) -> None:
    from tracker import filters
    from tracker.audit.services import audit_patient_page_view
    from tracker.request_guards import refuse_unstorable_input
    from tracker.security import apply_security_headers
    from tracker.transactions import commit_request

    app.before_request(refuse_unstorable_input)

    # after_request hooks run last-registered first: the commit goes first so it runs last,
    # after the audit hook has added its row.
    app.after_request(commit_request)
    app.after_request(audit_patient_page_view)
    app.after_request(apply_security_headers)
    filters.register(app)
