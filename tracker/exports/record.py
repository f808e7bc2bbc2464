"""A patient's whole clinical record, loaded for an export in a fixed number of queries however
many sessions, scores and adverse events there are: every export format reads this one loader
(the JSON record, the FHIR bundle)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.models import User
from tracker.extensions import db
from tracker.safety.models import AdverseEvent
from tracker.scores.models import Assessment
from tracker.sessions.models import PointApplication, TreatmentSession


@dataclass(frozen=True)
class PatientRecord:
    """What a patient's export reads beside the patient, its consents and episodes."""

    sessions: list[TreatmentSession]  # oldest first, with points, adjuncts, amendments, cautions
    assessments: list[Assessment]  # every score, voided ones too, oldest first
    adverse_events: list[AdverseEvent]  # oldest first
    # The episodes' practitioners. Kept here so they stay in the session's (weak) identity
    # map while the export runs: each episode then finds its own without a query.
    practitioners: list[User]


def load_record(patient) -> PatientRecord:
    """The sessions, scores and adverse events of ``patient`` (loaded with its episodes)."""
    sessions = list(db.session.scalars(
        select(TreatmentSession).where(TreatmentSession.patient_id == patient.id)
        .options(joinedload(TreatmentSession.practitioner), joinedload(TreatmentSession.signed_by),
                 selectinload(TreatmentSession.points).selectinload(PointApplication.point),
                 selectinload(TreatmentSession.adjuncts),
                 selectinload(TreatmentSession.amendments),
                 selectinload(TreatmentSession.cautions))
        .order_by(TreatmentSession.started_at, TreatmentSession.id)))
    assessments = list(db.session.scalars(
        select(Assessment).where(Assessment.patient_id == patient.id)
        .options(selectinload(Assessment.recorded_by), selectinload(Assessment.voided_by))
        .order_by(Assessment.taken_at, Assessment.id)))
    return PatientRecord(sessions, assessments, adverse_events_of(patient.id),
                         episode_practitioners(patient.episodes))


def adverse_events_of(patient_id: int) -> list[AdverseEvent]:
    """The patient's adverse events, oldest first, with who recorded each."""
    return list(db.session.scalars(
        select(AdverseEvent).where(AdverseEvent.patient_id == patient_id)
        .options(joinedload(AdverseEvent.recorded_by))
        .order_by(AdverseEvent.onset_at, AdverseEvent.id)))


def episode_practitioners(episodes) -> list[User]:
    """The practitioners of ``episodes``, in one query. Keep the list while the episodes are
    read: in the session's (weak) identity map, each episode then finds its own without a
    query."""
    return list(db.session.scalars(
        select(User).where(User.id.in_({e.practitioner_id for e in episodes}))))
