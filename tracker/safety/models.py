from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db_types import UTCDateTime, utcnow
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
