from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db_types import UTCDateTime, batch_sentinel, utcnow
from tracker.extensions import db
from tracker.i18n import _


class TreatmentSession(db.Model):
    """One treatment (STRICTA items 2 and 4). Draft until signed; a signed session's rows never
    change again (``sessions.guards``): corrections are ``Amendment`` rows."""

    __tablename__ = "treatment_sessions"
    __table_args__ = (
        Index("ix_treatment_sessions_patient_started", "patient_id", "started_at"),
        Index("ix_treatment_sessions_clinic_started", "clinic_id", "started_at"),
        # An episode's sessions in order (the id breaks a tie), its last visit the first
        # entry read backwards (follow-ups, progress).
        Index("ix_treatment_sessions_episode_started", "episode_id", "started_at", "id"),
        # A clinic's drafts with needles in (the dashboard), without its signed years.
        Index("ix_treatment_sessions_clinic_status_inserted", "clinic_id", "status",
              "inserted_at"),
        CheckConstraint("status IN ('draft', 'signed')", name="status"),
        CheckConstraint("pain_before BETWEEN 0 AND 10", name="pain_before"),
        CheckConstraint("pain_after BETWEEN 0 AND 10", name="pain_after"),
        CheckConstraint("retention_minutes BETWEEN 0 AND 240", name="retention_minutes"),
        CheckConstraint("needles_inserted >= 0", name="needles_inserted"),
        CheckConstraint("needles_removed >= 0", name="needles_removed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    episode_id: Mapped[int] = mapped_column(ForeignKey("episodes.id"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # STRICTA item 5 as it stood when the note was signed: a later change to the
    # practitioner's record never changes a signed note.
    practitioner_background: Mapped[str] = mapped_column(Text, default="")

    # Needles for the session (STRICTA 2g); a point row may override gauge and length.
    needle_type: Mapped[str] = mapped_column(String(20), default="filiform")
    needle_gauge_mm: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    needle_length_mm: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    needle_brand: Mapped[str] = mapped_column(String(80), default="")
    needle_lot: Mapped[str] = mapped_column(String(60), default="")
    needle_material: Mapped[str] = mapped_column(String(20), default="stainless")

    # Retention (STRICTA 2f) and the needle count that must balance before signing.
    inserted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retention_minutes: Mapped[int | None] = mapped_column(Integer)
    needles_inserted: Mapped[int | None] = mapped_column(Integer)
    needles_removed: Mapped[int | None] = mapped_column(Integer)

    pain_before: Mapped[int | None] = mapped_column(Integer)
    pain_after: Mapped[int | None] = mapped_column(Integer)
    sensations: Mapped[list] = mapped_column(JSON, default=list)
    sensations_notes: Mapped[str] = mapped_column(String(500), default="")

    subjective: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    tongue: Mapped[str] = mapped_column(String(300), default="")
    pulse: Mapped[str] = mapped_column(String(300), default="")
    assessment: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[list] = mapped_column(JSON, default=list)
    advice_notes: Mapped[str] = mapped_column(Text, default="")
    next_visit_on: Mapped[date | None] = mapped_column(Date)

    protocol_id: Mapped[int | None] = mapped_column(ForeignKey("protocols.id"))
    protocol_name: Mapped[str] = mapped_column(String(120), default="")
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("treatment_sessions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    clinic: Mapped["Clinic"] = relationship()  # noqa: F821
    patient: Mapped["Patient"] = relationship()  # noqa: F821
    episode: Mapped["Episode"] = relationship()  # noqa: F821
    practitioner: Mapped["User"] = relationship(foreign_keys=[practitioner_id])  # noqa: F821
    signed_by: Mapped["User | None"] = relationship(foreign_keys=[signed_by_id])  # noqa: F821
    points: Mapped[list["PointApplication"]] = relationship(
        back_populates="treatment_session",
        order_by="PointApplication.position",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )
    adjuncts: Mapped[list["Adjunct"]] = relationship(
        back_populates="treatment_session",
        order_by="Adjunct.position",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )
    amendments: Mapped[list["Amendment"]] = relationship(
        back_populates="treatment_session", order_by="Amendment.id", lazy="raise_on_sql"
    )
    # Read one session at a time (its page, signing), never in lists: a plain lazy load is fine.
    cautions: Mapped[list["SessionCaution"]] = relationship(  # noqa: F821
        back_populates="treatment_session", order_by="SessionCaution.id",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<TreatmentSession {self.id} patient={self.patient_id}>"

    @property
    def is_signed(self) -> bool:
        return self.status == "signed"


class PointApplication(db.Model):
    """One point needled in a session (STRICTA 2b-2e), or a custom point such as an Ashi point."""

    __tablename__ = "point_applications"
    __table_args__ = (
        CheckConstraint(
            "laterality IN ('left', 'right', 'bilateral', 'midline')", name="laterality"
        ),
        CheckConstraint("point_id IS NOT NULL OR custom_label <> ''", name="point_or_custom"),
        CheckConstraint("depth > 0 AND depth <= 120", name="depth"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("points.id"), index=True)
    custom_label: Mapped[str] = mapped_column(String(200), default="")
    # Where a custom row is (a code of ``points.regions.REGIONS``); empty for a catalog point,
    # whose region is the catalog's.
    region: Mapped[str] = mapped_column(String(20), default="")
    # On the trunk: a vertebral level (EX-B2 T7, an Ashi point at T7) or an intercostal
    # space (ICS4).
    level: Mapped[str] = mapped_column(String(5), default="")
    laterality: Mapped[str] = mapped_column(String(10))
    depth: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    depth_unit: Mapped[str] = mapped_column(String(4), default="mm")
    angle: Mapped[str | None] = mapped_column(String(14))
    gauge_mm: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    length_mm: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    technique: Mapped[str | None] = mapped_column(String(10))
    deqi_sought: Mapped[bool] = mapped_column(Boolean, default=True)
    deqi_obtained: Mapped[bool | None] = mapped_column(Boolean)
    stimulation: Mapped[str] = mapped_column(String(10), default="manual")
    retention_minutes: Mapped[int | None] = mapped_column(Integer)
    batch_sentinel: Mapped[int | None] = batch_sentinel()

    treatment_session: Mapped[TreatmentSession] = relationship(back_populates="points")
    point: Mapped["Point | None"] = relationship(lazy="joined")  # noqa: F821

    def __repr__(self) -> str:
        return f"<PointApplication {self.id} session={self.session_id}>"

    @property
    def code(self) -> str:
        if self.point is None:
            return _("Ashi")
        return f"{self.point.code} {self.level}".strip()


class Adjunct(db.Model):
    """An adjunct technique in a session, with its kind-specific parameters (validated by
    ``sessions.adjuncts``) in ``params``."""

    __tablename__ = "adjuncts"
    __table_args__ = (CheckConstraint("minutes BETWEEN 0 AND 240", name="minutes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int | None] = mapped_column(Integer)
    sites: Mapped[str] = mapped_column(String(300), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(String(500), default="")
    batch_sentinel: Mapped[int | None] = batch_sentinel()

    treatment_session: Mapped[TreatmentSession] = relationship(back_populates="adjuncts")

    def __repr__(self) -> str:
        return f"<Adjunct {self.id} {self.kind}>"


class Amendment(db.Model):
    """A correction to a signed session: who, when, why and each field's old and new value."""

    __tablename__ = "amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("treatment_sessions.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    # [{"field": "subjective", "label": "Subjective", "old": "...", "new": "..."}, ...]
    changes: Mapped[list] = mapped_column(JSON, default=list)

    treatment_session: Mapped[TreatmentSession] = relationship(back_populates="amendments")
    author: Mapped["User"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Amendment {self.id} session={self.session_id}>"
