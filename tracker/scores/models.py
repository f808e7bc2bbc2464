from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db_types import UTCDateTime, utcnow
from tracker.extensions import db

INSTRUMENT_CODES = ("nrs", "psfs", "rmdq", "odi", "sleep", "stress", "mood")
# Where a score was taken. Those of the intake and of a session are kept in step with the
# intake form and the session note by their services; follow-up scores are entered as such.
CONTEXTS = ("intake", "before_session", "after_session", "follow_up")
# The intake form holds these; its service mirrors them (``services.sync_intake_scores``).
MIRRORED_AT_INTAKE = ("nrs", "stress", "sleep")


class Assessment(db.Model):
    """One score on one instrument: the raw answers and the score computed from them
    (``scores.instruments``). Every score of a patient is a row here, so progress, the clinic
    review and the follow-up list read one narrow table. Never deleted: a follow-up score
    entered in error is voided, with who, when and why."""

    __tablename__ = "outcome_assessments"
    __table_args__ = (
        Index("ix_outcome_assessments_episode", "episode_id", "instrument", "taken_at"),
        Index("ix_outcome_assessments_clinic", "clinic_id", "instrument", "taken_on"),
        Index("ix_outcome_assessments_session", "session_id"),
        CheckConstraint(
            "instrument IN (" + ", ".join(f"'{code}'" for code in INSTRUMENT_CODES) + ")",
            name="instrument"),
        CheckConstraint("context IN (" + ", ".join(f"'{c}'" for c in CONTEXTS) + ")",
                        name="context"),
        CheckConstraint("score >= 0 AND score <= 100", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_sessions.id"))
    instrument: Mapped[str] = mapped_column(String(10))
    context: Mapped[str] = mapped_column(String(16))
    # When it was taken, and that moment's date where the clinic is (computed once, when
    # stored: the review filters and groups by it in SQL).
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    taken_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict] = mapped_column(JSON)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(Text, default="")

    recorded_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[recorded_by_id], lazy="raise_on_sql")
    voided_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[voided_by_id], lazy="raise_on_sql")

    def __repr__(self) -> str:
        return f"<Assessment {self.id} {self.instrument} {self.score} episode={self.episode_id}>"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def entered_on_its_own(self) -> bool:
        """Entered as a score (and so voidable), not mirrored from an intake or a session."""
        return self.session_id is None and not (
            self.context == "intake" and self.instrument in MIRRORED_AT_INTAKE)
