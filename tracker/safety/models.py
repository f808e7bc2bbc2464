from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db_types import UTCDateTime, batch_sentinel, utcnow
from tracker.extensions import db


class AdverseEvent(db.Model):
    """An adverse event, on a session (also added after signing) or between visits."""

    __tablename__ = "adverse_events"
    __table_args__ = (
        Index("ix_adverse_events_clinic_onset", "clinic_id", "onset_at"),
        CheckConstraint("severity IN ('minor', 'needed_treatment', 'serious')", name="severity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(30))
    severity: Mapped[str] = mapped_column(String(20))
    onset_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text, default="")
    action_taken: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20), default="unknown")
    point_application_id: Mapped[int | None] = mapped_column(ForeignKey("point_applications.id"))
    technique: Mapped[str] = mapped_column(String(60), default="")
    after_signing: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped["User"] = relationship()  # noqa: F821
    point_application: Mapped["PointApplication | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<AdverseEvent {self.id} {self.code}>"


class SessionCaution(db.Model):
    """A caution the engine showed for a session, and what the practitioner decided.

    Rows are kept once shown: if the point or technique that raised one is removed, the row
    stays with ``active`` false, so the note records everything that was shown.
    """

    __tablename__ = "session_cautions"
    __table_args__ = (
        UniqueConstraint("session_id", "key", name="uq_session_cautions_session_key"),
        CheckConstraint("severity IN ('info', 'warning', 'contraindicated')", name="severity"),
        CheckConstraint("decision IN ('acknowledged', 'overridden')", name="decision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    key: Mapped[str] = mapped_column(String(160))
    rule: Mapped[str] = mapped_column(String(40))
    # A point code, a technique, or a custom point's place ("Ashi: left T7 paraspinal").
    target: Mapped[str] = mapped_column(String(120))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_shown_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    batch_sentinel: Mapped[int | None] = batch_sentinel()

    treatment_session: Mapped["TreatmentSession"] = relationship(back_populates="cautions")  # noqa: F821
    decided_by: Mapped["User | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<SessionCaution {self.id} {self.key}>"

    @property
    def needs_decision(self) -> bool:
        return self.active and self.severity != "info" and self.decision is None
