from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from tracker.audit.services import record_event
from tracker.dates import clinic_today, clinic_zone
from tracker.extensions import db
from tracker.fields import page_number
from tracker.main.dashboard import build_dashboard, due_follow_ups_count, quarter_responder_rate
from tracker.outcomes.review_cache import cached_review

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """The dashboard for clinical staff; reception lands on the patient list (it reads no
    clinical data); anybody else is asked to log in."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    if not current_user.can_read_clinical:
        return redirect(url_for("patients.index"))
    clinic_id, today = current_user.clinic_id, clinic_today()
    # Kept for a minute, as the outcome review's figures are (and dropped as soon as a score,
    # session or episode changes here): it ranks every episode scored this quarter, on the
    # most visited page.
    rate, _computed_at = cached_review(
        ("dashboard_quarter", clinic_id, today),
        lambda: quarter_responder_rate(clinic_id, today=today))
    # The follow-ups due too: working out which of a clinic group's hundreds of open episodes
    # are due was half the page (full scale); the list itself is always worked out afresh.
    zone = clinic_zone()
    follow_ups, _computed_at = cached_review(
        ("dashboard_follow_ups", clinic_id, today),
        lambda: due_follow_ups_count(clinic_id, today=today, zone=zone))
    board = build_dashboard(clinic_id, today=today, zone=zone, responder_rate=rate,
                            follow_ups=follow_ups,
                            sessions_page=page_number(request.args.get("page")))
    record_event("dashboard.view", actor=current_user, details=board.counts())
    return render_template("main/dashboard.html", board=board)


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
