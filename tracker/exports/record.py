"""A patient's whole clinical record, loaded for an export in a fixed number of queries however
many sessions, scores and adverse events there are: every export format reads this one loader
(the JSON record, the FHIR bundle)."""

from dataclasses import dataclass

from sqlalchemy import select, true
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


def load_record(patient, episode_id: int | None = None) -> PatientRecord:
    """The sessions, scores and adverse events of ``patient`` (loaded with its episodes), or
    with ``episode_id`` the sessions and scores of that one episode (a letter's)."""
    episodes = [e for e in patient.episodes if episode_id in (None, e.id)]
    practitioners = list(db.session.scalars(
        select(User).where(User.id.in_({e.practitioner_id for e in episodes}))))
    of_episode = (TreatmentSession.episode_id == episode_id if episode_id is not None
                  else true())
    sessions = list(db.session.scalars(
        select(TreatmentSession).where(TreatmentSession.patient_id == patient.id, of_episode)
        .options(joinedload(TreatmentSession.practitioner), joinedload(TreatmentSession.signed_by),
                 selectinload(TreatmentSession.points).selectinload(PointApplication.point),
                 selectinload(TreatmentSession.adjuncts),
                 selectinload(TreatmentSession.amendments),
                 selectinload(TreatmentSession.cautions))
        .order_by(TreatmentSession.started_at, TreatmentSession.id)))
    assessments = list(db.session.scalars(
        select(Assessment).where(Assessment.patient_id == patient.id,
                                 Assessment.episode_id == episode_id if episode_id is not None
                                 else true())
        .options(selectinload(Assessment.recorded_by), selectinload(Assessment.voided_by))
        .order_by(Assessment.taken_at, Assessment.id)))
    events = list(db.session.scalars(
        select(AdverseEvent).where(AdverseEvent.patient_id == patient.id)
        .options(joinedload(AdverseEvent.recorded_by))
        .order_by(AdverseEvent.onset_at, AdverseEvent.id)))
    return PatientRecord(sessions, assessments, events, practitioners)
