from flask import Blueprint, jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracker.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("patients.index"))
    return redirect(url_for("auth.login"))


@bp.get("/healthz")
def healthz():
    """JSON for load balancers and monitoring: 200 when the database answers, 503 when not."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        reachable = True
    except SQLAlchemyError:
        db.session.rollback()
        reachable = False
    body = {
        "status": "ok" if reachable else "error",
        "database": "reachable" if reachable else "unreachable",
        "backend": db.engine.dialect.name,
    }
    return jsonify(body), 200 if reachable else 503
