"""Friendly error pages. A 500 never shows a traceback, only an id to quote to support."""

import uuid

from flask import render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.extensions import db
from tracker.i18n import _


def register_error_pages(app) -> None:
    @app.errorhandler(400)
    def bad_request(error):
        # Werkzeug's own description is English only: the template's sentence replaces it.
        message = getattr(error, "description", "")
        if isinstance(error, HTTPException) and message == type(error).description:
            message = ""
        return render_template("errors/400.html", message=message), 400

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        message = _(
            "The form expired or was sent from another page. Go back, reload and try again."
        )
        return render_template("errors/400.html", message=message), 400

    @app.errorhandler(503)
    def unavailable(error):
        # Only raised with a message of ours (a PDF without Pango): it says what to install.
        return render_template("errors/503.html", message=getattr(error, "description", "")), 503

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return render_template("errors/404.html"), 405

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/400.html", message=_("What was sent is too large.")), 413

    @app.errorhandler(500)
    def server_error(error):
        # Whatever failed, nothing of this request may be committed afterwards.
        db.session.rollback()
        incident = uuid.uuid4().hex[:10]
        app.logger.error("incident %s: %r", incident, getattr(error, "original_exception", error))
        return render_template("errors/500.html", incident=incident), 500
