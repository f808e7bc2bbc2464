"""Flask-Login wiring: the cookie carries a random token naming a server-side LoginSession.

Each request looks the token up, ends the login session when it has been idle too long or has
reached its absolute limit, and otherwise refreshes ``last_seen_at`` (at most once a minute,
so a page view is not a write each time). Both are committed with the request's own work
(``tracker.transactions``).
"""

from datetime import timedelta

from flask import current_app, flash, g, redirect, request, url_for

from tracker.auth.services import end_login_session, find_login_session
from tracker.db_types import utcnow
from tracker.i18n import _, ngettext
from tracker.transactions import defer_write

LAST_SEEN_GRANULARITY = timedelta(seconds=60)


def configure_login(login_manager) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.localize_callback = _  # the message is marked in _unauthorized
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user_from_token)
    login_manager.unauthorized_handler(_unauthorized)


def load_user_from_token(token: str):
    login_session = find_login_session(token)
    if login_session is None or login_session.revoked_at is not None:
        return None
    user = login_session.user
    now = utcnow()
    config = current_app.config
    expired = None
    if now - login_session.last_seen_at > timedelta(minutes=config["IDLE_TIMEOUT_MINUTES"]):
        expired = "idle_timeout"
    elif now - login_session.created_at > timedelta(hours=config["ABSOLUTE_SESSION_HOURS"]):
        expired = "expired"
    elif not user.active:
        expired = "deactivated"
    if expired:
        defer_write(lambda: end_login_session(login_session, reason=expired))
        g.session_end_reason = expired
        return None
    if now - login_session.last_seen_at > LAST_SEEN_GRANULARITY:
        defer_write(lambda: setattr(login_session, "last_seen_at", now))
    user.signed_in_with(token, login_session)
    return user


def _unauthorized():
    reason = g.get("session_end_reason")
    if reason == "idle_timeout":
        minutes = current_app.config["IDLE_TIMEOUT_MINUTES"]
        flash(
            ngettext(
                "You were logged out after %(num)d minute without activity.",
                "You were logged out after %(num)d minutes without activity.",
                minutes,
            ),
            "info",
        )
    elif reason:
        flash(_("Your session has ended. Please log in again."), "info")
    else:
        flash(_("Please log in to continue."), "info")
    if request.method == "GET":
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("auth.login"))
