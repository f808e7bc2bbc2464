from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db_types import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.i18n import _l

SEXES = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "unknown": _l("Not recorded"),
}
LANGUAGES = (("ja", _l("Japanese")), ("en", _l("English")), ("other", _l("Other")))


class Patient(db.Model):
    __tablename__ = "patients"
    __table_args__ = (
        UniqueConstraint("clinic_id", "chart_number", name="uq_patients_clinic_chart"),
        Index("ix_patients_clinic_family", "clinic_id", "family_name"),
        # The patient list: a clinic's patients in name order (``search_patients``'s), and
        # their count, from the index alone. Partial: PostgreSQL orders by an index only
        # after equalities, and "archived_at IS NULL" is not one; archived_at is in it all
        # the same, for SQLite to count from the index without the table.
        Index("ix_patients_clinic_listing", "clinic_id", "family_name_kana", "family_name",
              "given_name", "id", "archived_at", sqlite_where=text("archived_at IS NULL"),
              postgresql_where=text("archived_at IS NULL")),
        CheckConstraint("sex IN ('female', 'male', 'other', 'unknown')", name="sex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    chart_number: Mapped[str] = mapped_column(String(32))
    # Names in whatever script the patient uses (kanji or Latin), plus an optional kana reading.
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100), default="")
    family_name_kana: Mapped[str] = mapped_column(String(100), default="")
    given_name_kana: Mapped[str] = mapped_column(String(100), default="")
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(10), default="unknown")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    postal_code: Mapped[str] = mapped_column(String(16), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    occupation: Mapped[str] = mapped_column(String(120), default="")
    preferred_language: Mapped[str] = mapped_column(String(8), default="ja")
    emergency_contact: Mapped[str] = mapped_column(String(200), default="")
    referral_source: Mapped[str] = mapped_column(String(120), default="")
    admin_notes: Mapped[str] = mapped_column(Text, default="")
    # Normalised names (kana folded to hiragana, romaji readings, accents stripped), chart
    # number and phone digits, so one indexed LIKE finds a patient typed in any script.
    search_text: Mapped[str] = mapped_column(Text, default="")

    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    archive_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Optimistic locking: the edit form carries the version it was loaded at.
    version: Mapped[int] = mapped_column(Integer, default=1)

    clinic: Mapped["Clinic"] = relationship()  # noqa: F821
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="patient", order_by="Consent.recorded_at", lazy="raise_on_sql"
    )
    episodes: Mapped[list["Episode"]] = relationship(  # noqa: F821
        back_populates="patient", order_by="Episode.opened_on.desc()", lazy="raise_on_sql"
    )
    updated_by: Mapped["User | None"] = relationship(foreign_keys=[updated_by_id])  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Patient {self.id}>"

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.family_name, self.given_name) if part)

    @property
    def kana_name(self) -> str:
        return " ".join(p for p in (self.family_name_kana, self.given_name_kana) if p)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def age_on(self, day: date) -> int | None:
        if self.date_of_birth is None:
            return None
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class Consent(db.Model):
    """One recording of informed consent (or its refusal). The latest row is the current state;
    earlier rows are kept as history."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    given: Mapped[bool] = mapped_column(Boolean)
    consent_date: Mapped[date] = mapped_column(Date)
    form_version: Mapped[str] = mapped_column(String(40), default="")
    witnessed_by: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    patient: Mapped[Patient] = relationship(back_populates="consents")
    recorded_by: Mapped["User | None"] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Consent {self.id} patient={self.patient_id}>"
