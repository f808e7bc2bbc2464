"""Accounts and logins: creating users, their background, deactivation, passwords, logins
with throttling, ending login sessions."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from tracker.audit.services import record_event
from tracker.auth.models import LoginAttempt, LoginSession, User
from tracker.auth.passwords import (
    burn_verification_time,
    hash_password,
    needs_rehash,
    verify_password,
)
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.i18n import _
from tracker.permissions import Role

EARLIEST_PRACTICE_YEAR = 1940
QUALIFICATION_MAX = 200  # users.qualification is String(200)


class AccountError(ValueError):
    """A user-facing reason why an account operation was refused, and the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class LoginResult:
    user: User | None
    token: str | None = None
    throttled: bool = False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    clinic,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    actor=None,
    qualification: str = "",
    practising_since: int | None = None,
    training: str = "",
) -> User:
    """Create a staff account in ``clinic``, optionally with its STRICTA 5 background.

    :raises AccountError: the email is taken, the role is unknown or the background is invalid.
    """
    email = normalise_email(email)
    if role not in {r.value for r in Role}:
        raise AccountError(
            _("Unknown role %(role)r; choose admin, practitioner or reception.", role=role)
        )
    if find_user_by_email(email) is not None:
        raise AccountError(_("An account with this email already exists."), field="email")
    background = _checked_background(qualification, practising_since, training)
    user = User(
        clinic=clinic,
        email=email,
        name=name.strip(),
        role=role,
        password_hash=hash_password(password),
        **background,
    )
    db.session.add(user)
    db.session.flush()
    details = {"role": role}
    if filled := [field for field, value in background.items() if value not in ("", None)]:
        details["fields"] = filled
    record_event("user.create", actor=actor, clinic_id=clinic.id, entity=user, details=details)
    return user


def practice_year_message(today: date | None = None) -> str:
    this_year = (today or date.today()).year
    return _(
        "Enter the year practice began, from %(earliest)d to %(latest)d.",
        earliest=EARLIEST_PRACTICE_YEAR,
        latest=this_year,
    )


def practice_year_problem(year: int | None, *, today: date | None = None) -> str | None:
    """Why ``year`` cannot be the year practice began, or None (no year at all is fine)."""
    today = today or date.today()
    if year is not None and not EARLIEST_PRACTICE_YEAR <= year <= today.year:
        return practice_year_message(today)
    return None


def update_background(
    user: User, *, qualification: str, practising_since: int | None, training: str, actor: User
) -> list[str]:
    """Set a user's STRICTA 5 background (their own, or a colleague's by an admin of the same
    clinic); audited with the changed field names only. Returns those names.

    :raises AccountError: the actor may not edit this user, or a value is invalid.
    """
    if actor.id != user.id and not (actor.is_admin and actor.clinic_id == user.clinic_id):
        raise AccountError(_("Only the person or a clinic admin may change this background."))
    background = _checked_background(qualification, practising_since, training)
    changed = [field for field, value in background.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, background[field])
    if changed:
        record_event("user.update", actor=actor, entity=user, details={"fields": changed})
    return changed


def _checked_background(qualification: str, practising_since: int | None, training: str) -> dict:
    qualification = " ".join((qualification or "").split())
    if len(qualification) > QUALIFICATION_MAX:
        raise AccountError(
            _("Keep the qualification to %(num)d characters.", num=QUALIFICATION_MAX),
            field="qualification",
        )
    if problem := practice_year_problem(practising_since):
        raise AccountError(problem, field="practising_since")
    return {
        "qualification": qualification,
        "practising_since": practising_since,
        "training": (training or "").strip(),
    }


def set_user_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivate (ending every session) or reactivate a staff account."""
    if user.id == actor.id and not active:
        raise AccountError(_("You cannot deactivate your own account."))
    if not active and user.is_admin and _active_admin_count(user.clinic_id) <= 1:
        raise AccountError(_("The clinic must keep at least one active admin."))
    user.active = active
    if not active:
        revoke_sessions(user, reason="deactivated")
    record_event("user.activate" if active else "user.deactivate", actor=actor, entity=user)


def change_password(
    user: User,
    *,
    current_password: str,
    new_password: str,
    keep_session: LoginSession | None = None,
) -> None:
    """Change the password after checking the current one; every other session ends.

    :raises AccountError: the current password is wrong or the new one is the same.
    """
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_("The current password is not correct."), field="current_password")
    if current_password == new_password:
        raise AccountError(
            _("Choose a password different from the current one."), field="new_password"
        )
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoke_sessions(user, reason="password_changed", keep=keep_session)
    record_event("user.password_change", actor=user, entity=user)


def attempt_login(
    email: str, password: str, *, remote_addr: str, max_failures: int, window: timedelta
) -> LoginResult:
    """Check a login and open a server-side session when it succeeds.

    Throttled per account and per address: more than ``max_failures`` failures within
    ``window`` refuses further attempts (with the same answer whether or not the account
    exists) until the window has passed.
    """
    email = normalise_email(email)
    since = utcnow() - window
    if (
        _recent_failures(LoginAttempt.email == email, since) >= max_failures
        or _recent_failures(LoginAttempt.remote_addr == remote_addr, since) >= max_failures * 5
    ):
        record_event("login.throttled", details={"email_hash": _digest(email)})
        return LoginResult(user=None, throttled=True)

    user = find_user_by_email(email)
    if user is None:
        burn_verification_time()
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.active
    db.session.add(LoginAttempt(email=email, remote_addr=remote_addr, succeeded=ok))
    if not ok:
        record_event(
            "login.failed",
            clinic_id=user.clinic_id if user else None,
            details={"email_hash": _digest(email), "known_account": user is not None},
        )
        return LoginResult(user=None)

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(token_hash=_digest(token), user=user, remote_addr=remote_addr))
    user.last_login_at = utcnow()
    record_event("login", actor=user, entity=user)
    return LoginResult(user=user, token=token)


def find_login_session(token: str) -> LoginSession | None:
    """The session for a cookie token, with its user and clinic (pages need both)."""
    return db.session.scalar(_login_session_statement(), {"token_hash": _digest(token)})


@cache
def _login_session_statement():
    """Built once per process: every request runs it, and SQLAlchemy took longer to build
    the statement and its cache key than to run it."""
    return (select(LoginSession)
            .options(joinedload(LoginSession.user).joinedload(User.clinic))
            .where(LoginSession.token_hash == bindparam("token_hash")))


def end_login_session(login_session: LoginSession, *, reason: str) -> None:
    """Revoke one session (logout, idle or absolute expiry)."""
    if login_session.revoked_at is None:
        login_session.revoked_at = utcnow()
        login_session.revoked_reason = reason
        record_event(f"login.{reason}", actor=login_session.user, entity=login_session.user)


def revoke_sessions(user: User, *, reason: str, keep: LoginSession | None = None) -> None:
    """Revoke every open session of ``user`` except ``keep``."""
    stmt = (
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep.id)
    db.session.execute(stmt)


def _recent_failures(condition, since) -> int:
    return db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            condition, LoginAttempt.succeeded.is_(False), LoginAttempt.attempted_at >= since
        )
    )


def _active_admin_count(clinic_id: int) -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(
            User.clinic_id == clinic_id, User.role == Role.ADMIN.value, User.active.is_(True)
        )
    )


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
