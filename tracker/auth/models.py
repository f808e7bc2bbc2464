from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db_types import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.i18n import _, ngettext
from tracker.permissions import CLINICAL_ROLES, Role


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'practitioner', 'reception')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # STRICTA item 5 (practitioner background), shown on the signed note and on exports. The
    # year practice began, not a count of years, so the note states the years at its date.
    qualification: Mapped[str] = mapped_column(String(200), default="")
    practising_since: Mapped[int | None] = mapped_column(Integer)
    training: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    clinic: Mapped["Clinic"] = relationship(back_populates="users")  # noqa: F821

    # For the current request only: the cookie's token and its login session (never stored).
    login_token = None
    login_session = None

    def __repr__(self) -> str:
        return f"<User {self.id}>"

    def signed_in_with(self, token: str, login_session: "LoginSession | None" = None) -> None:
        """Remember, for this request, which login session the user came in with."""
        self.login_token, self.login_session = token, login_session

    def get_id(self) -> str | None:
        # Flask-Login stores this in the cookie: the login-session token, never the user id,
        # so revoking the server-side row ends the session (see auth.sessions).
        return self.login_token

    # Flask-Login calls this "active"; a deactivated account cannot log in or keep a session.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def can_read_clinical(self) -> bool:
        return self.role_enum in CLINICAL_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role_enum is Role.ADMIN

    def years_in_practice_on(self, day: date) -> int | None:
        """Whole calendar years since practice began, as of ``day`` (never negative)."""
        if self.practising_since is None:
            return None
        return max(day.year - self.practising_since, 0)

    def background_on(self, day: date) -> str:
        """STRICTA item 5 as one plain line, e.g. "BSc Acupuncture, 12 years in practice;
        training: JSAM course 2019"; empty parts are left out, "" when nothing is recorded."""
        qualification = (self.qualification or "").strip()
        years = _years_phrase(self.years_in_practice_on(day))
        line = ", ".join(part for part in (qualification, years) if part)
        training = " ".join((self.training or "").split())  # one line, whatever was typed
        if training:
            line = (
                _("%(background)s; training: %(training)s", background=line, training=training)
                if line
                else _("Training: %(training)s", training=training)
            )
        return line


def _years_phrase(years: int | None) -> str:
    if years is None:
        return ""
    if years == 0:
        return _("less than 1 year in practice")
    return ngettext("%(num)d year in practice", "%(num)d years in practice", years)


class LoginSession(db.Model):
    """A server-side login session; the browser cookie holds only its random token.

    Keeping sessions on the server is what lets logout, idle expiry, password change and
    deactivation really end a session: a copied cookie is useless once its row is revoked.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    remote_addr: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} user={self.user_id}>"


class LoginAttempt(db.Model):
    """Failed and successful logins, counted per account and per address for throttling."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_addr_at", "remote_addr", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    remote_addr: Mapped[str] = mapped_column(String(45))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.id}>"
