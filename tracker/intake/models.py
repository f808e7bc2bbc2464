from datetime import date, datetime

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

from tracker.db_types import UTCDateTime, utcnow
from tracker.extensions import db
from tracker.i18n import _, ngettext
from tracker.intake.vocab import RED_FLAGS, label_of


class Episode(db.Model):
    """An episode of care and the intake that opened it (DOMAIN.md section 2).

    Safety facts live here, as recorded at intake: a session is checked against the facts of
    its own episode, and the patient's banners show those of every open episode.
    """

    __tablename__ = "episodes"
    __table_args__ = (
        Index("ix_episodes_patient_status", "patient_id", "status"),
        # The outcome review's cohort: a clinic's episodes opened in a range of dates.
        Index("ix_episodes_clinic_opened", "clinic_id", "opened_on"),
        # A clinic's open episodes (a few hundred among its years of closed ones), oldest
        # intake first: the follow-up list and the dashboard's red flags.
        Index("ix_episodes_clinic_status_opened", "clinic_id", "status", "opened_on"),
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("baseline_nrs BETWEEN 0 AND 10", name="baseline_nrs"),
        CheckConstraint("stress_level BETWEEN 0 AND 10", name="stress_level"),
        CheckConstraint("sleep_quality BETWEEN 0 AND 10", name="sleep_quality"),
        CheckConstraint("pregnancy_weeks BETWEEN 0 AND 42", name="pregnancy_weeks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    closed_on: Mapped[date | None] = mapped_column(Date)
    close_reason: Mapped[str | None] = mapped_column(String(30))
    close_note: Mapped[str] = mapped_column(Text, default="")

    # Complaint
    chief_complaint: Mapped[str] = mapped_column(String(300))
    body_region: Mapped[str] = mapped_column(String(20))
    side: Mapped[str] = mapped_column(String(12), default="central")
    onset_date: Mapped[date | None] = mapped_column(Date)
    onset_type: Mapped[str | None] = mapped_column(String(10))
    duration: Mapped[str | None] = mapped_column(String(10))
    causes: Mapped[list] = mapped_column(JSON, default=list)
    causes_other: Mapped[str] = mapped_column(String(300), default="")
    symptoms: Mapped[list] = mapped_column(JSON, default=list)
    symptoms_other: Mapped[str] = mapped_column(String(300), default="")

    # Red flags and their acknowledgement
    red_flags: Mapped[list] = mapped_column(JSON, default=list)
    red_flags_acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    red_flags_acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    red_flags_acknowledgement: Mapped[str] = mapped_column(Text, default="")

    # Safety facts (used by the caution engine)
    pregnant: Mapped[bool] = mapped_column(Boolean, default=False)
    pregnancy_weeks: Mapped[int | None] = mapped_column(Integer)
    pacemaker: Mapped[bool] = mapped_column(Boolean, default=False)
    anticoagulants: Mapped[bool] = mapped_column(Boolean, default=False)
    needle_fainting: Mapped[bool] = mapped_column(Boolean, default=False)
    metal_allergy: Mapped[bool] = mapped_column(Boolean, default=False)
    skin_lesions: Mapped[bool] = mapped_column(Boolean, default=False)
    skin_lesions_site: Mapped[str] = mapped_column(String(200), default="")
    diabetes: Mapped[bool] = mapped_column(Boolean, default=False)
    reduced_sensation: Mapped[bool] = mapped_column(Boolean, default=False)

    # History (STRICTA 4a: co-interventions)
    medical_history: Mapped[str] = mapped_column(Text, default="")
    medications: Mapped[str] = mapped_column(Text, default="")
    previous_treatments: Mapped[str] = mapped_column(Text, default="")
    co_interventions: Mapped[list] = mapped_column(JSON, default=list)

    # Lifestyle
    sitting_hours: Mapped[float | None] = mapped_column(Numeric(4, 1))
    break_habit: Mapped[str | None] = mapped_column(String(12))
    exercise: Mapped[str | None] = mapped_column(String(12))
    exercise_notes: Mapped[str] = mapped_column(String(300), default="")
    lifting_at_work: Mapped[bool] = mapped_column(Boolean, default=False)
    stress_level: Mapped[int | None] = mapped_column(Integer)
    sleep_quality: Mapped[int | None] = mapped_column(Integer)
    mattress: Mapped[str] = mapped_column(String(200), default="")
    sleep_position: Mapped[str | None] = mapped_column(String(10))
    weight_trend: Mapped[str | None] = mapped_column(String(10))

    # TCM assessment
    tongue_colour: Mapped[str | None] = mapped_column(String(16))
    tongue_coating: Mapped[str | None] = mapped_column(String(16))
    tongue_shape: Mapped[list] = mapped_column(JSON, default=list)
    tongue_moisture: Mapped[str | None] = mapped_column(String(10))
    pulse_rate: Mapped[int | None] = mapped_column(Integer)
    pulse_qualities: Mapped[list] = mapped_column(JSON, default=list)
    pulse_positions: Mapped[dict] = mapped_column(JSON, default=dict)
    patterns: Mapped[list] = mapped_column(JSON, default=list)
    pattern_notes: Mapped[str] = mapped_column(Text, default="")

    # Plan (STRICTA 1 and 3)
    acupuncture_style: Mapped[str] = mapped_column(String(20), default="tcm")
    rationale: Mapped[str] = mapped_column(Text, default="")
    planned_sessions: Mapped[int | None] = mapped_column(Integer)
    planned_interval_days: Mapped[int | None] = mapped_column(Integer)
    goals: Mapped[str] = mapped_column(Text, default="")
    baseline_nrs: Mapped[int] = mapped_column(Integer)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    patient: Mapped["Patient"] = relationship(back_populates="episodes")  # noqa: F821
    practitioner: Mapped["User"] = relationship(foreign_keys=[practitioner_id])  # noqa: F821
    updated_by: Mapped["User | None"] = relationship(foreign_keys=[updated_by_id])  # noqa: F821
    red_flags_acknowledged_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[red_flags_acknowledged_by_id]
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Episode {self.id} patient={self.patient_id}>"

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def red_flag_labels(self) -> list[str]:
        """The red flags ticked, as their labels."""
        return [label_of(RED_FLAGS, code) for code in self.red_flags]

    @property
    def red_flags_pending(self) -> bool:
        return bool(self.red_flags) and self.red_flags_acknowledged_at is None

    def pregnancy_weeks_on(self, day: date) -> int | None:
        """Gestational weeks on ``day``, counted on from the weeks recorded at intake.

        None when not pregnant, and when pregnant with the weeks not known (the caution
        engine then applies every trimester's rules)."""
        if not self.pregnant or self.pregnancy_weeks is None:
            return None
        return self.pregnancy_weeks + (day - self.opened_on).days // 7

    @property
    def safety_facts(self) -> list[str]:
        """Short labels of the safety facts recorded at intake."""
        return self.safety_facts_on(None)

    def course_plan(self) -> str:
        """"8 sessions, every 5 days", or as much of it as was planned."""
        parts = []
        if self.planned_sessions:
            parts.append(ngettext("%(num)d session", "%(num)d sessions", self.planned_sessions))
        if self.planned_interval_days:
            parts.append(ngettext("every %(num)d day", "every %(num)d days",
                                  self.planned_interval_days))
        return ", ".join(parts)

    def safety_facts_on(self, day: date | None) -> list[str]:
        """Short labels of the safety facts, with pregnancy weeks counted on to ``day``."""
        facts = []
        if self.pregnant:
            if self.pregnancy_weeks is None:
                facts.append(_("Pregnant (weeks not known)"))
            elif day is not None:
                facts.append(_("Pregnant (about %(now)d weeks now; %(weeks)d at intake)",
                               now=self.pregnancy_weeks_on(day), weeks=self.pregnancy_weeks))
            else:
                facts.append(_("Pregnant (%(weeks)d weeks at intake)",
                               weeks=self.pregnancy_weeks))
        # Translated only when ticked: a list page asks this of every patient's episodes.
        labels = (
            ("pacemaker", lambda: _("Pacemaker or implanted electrical device")),
            ("anticoagulants", lambda: _("Anticoagulants or bleeding disorder")),
            ("needle_fainting", lambda: _("History of fainting with needles")),
            ("metal_allergy", lambda: _("Metal allergy")),
            ("diabetes", lambda: _("Diabetes")),
            ("reduced_sensation", lambda: _("Reduced sensation")),
        )
        facts.extend(label() for attr, label in labels if getattr(self, attr))
        if self.skin_lesions:
            facts.append(_("Skin lesions: %(site)s", site=self.skin_lesions_site)
                         if self.skin_lesions_site else _("Skin lesions"))
        return facts
