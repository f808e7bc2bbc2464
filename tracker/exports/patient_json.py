"""The whole record of one patient as JSON (schema in docs/export-formats.md), with each episode's
``outcomes`` computed by the same code as the progress page (``outcomes.measures``).

Each record carries its own table's columns (docs/architecture.md, "Data model") under their
column names, minus internal ones (search text, hashes, demo flags), plus what a reader needs
without the database: a point's code, a user's name, a signed note as it reads now
(amendments applied) next to the amendments themselves. Loaded in a fixed number of queries.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.auth.models import User
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.outcomes.measures import course_summary
from tracker.outcomes.queries import counted_readings
from tracker.safety.models import AdverseEvent
from tracker.scores.models import Assessment
from tracker.sessions.models import PointApplication, TreatmentSession
from tracker.sessions.services import effective_values

SCHEMA = "https://acupuncture-tracker.example/schemas/patient-export/1"
# Columns that are the application's bookkeeping, not the patient's record.
INTERNAL = {"search_text", "is_demo", "version", "clinic_id", "row_hash", "prev_hash"}


def patient_record(patient) -> dict:
    """Everything recorded about ``patient`` (loaded with its consents and episodes)."""
    # The episodes' practitioners, in one query: each episode then finds its own without one.
    db.session.scalars(select(User).where(User.id.in_({e.practitioner_id
                                                       for e in patient.episodes}))).all()
    sessions = _sessions(patient.id)
    assessments = list(db.session.scalars(
        select(Assessment).where(Assessment.patient_id == patient.id)
        .options(selectinload(Assessment.recorded_by), selectinload(Assessment.voided_by))
        .order_by(Assessment.taken_at, Assessment.id)))
    events = list(db.session.scalars(
        select(AdverseEvent).where(AdverseEvent.patient_id == patient.id)
        .options(joinedload(AdverseEvent.recorded_by))
        .order_by(AdverseEvent.onset_at, AdverseEvent.id)))
    episodes = sorted(patient.episodes, key=lambda e: (e.opened_on, e.id))
    exported = [_episode(e, [s for s in sessions if s.episode_id == e.id],
                         [a for a in assessments if a.episode_id == e.id]) for e in episodes]
    return {
        "schema": SCHEMA,
        "exported_at": _json(utcnow()),
        "clinic": {"name": patient.clinic.name, "timezone": patient.clinic.timezone},
        "patient": _columns(patient, skip={"archived_by_id", "created_by_id", "updated_by_id"}),
        "consents": [_columns(c) for c in sorted(patient.consents, key=lambda c: c.id)],
        "episodes": exported,
        "adverse_events": [{**_columns(e), "recorded_by": e.recorded_by.name} for e in events],
        # The newest episode's outcome, where a reader looks first.
        "outcomes": exported[-1]["outcomes"] if exported else None,
    }


def _sessions(patient_id: int) -> list[TreatmentSession]:
    return list(db.session.scalars(
        select(TreatmentSession).where(TreatmentSession.patient_id == patient_id)
        .options(joinedload(TreatmentSession.practitioner), joinedload(TreatmentSession.signed_by),
                 selectinload(TreatmentSession.points).selectinload(PointApplication.point),
                 selectinload(TreatmentSession.adjuncts),
                 selectinload(TreatmentSession.amendments),
                 selectinload(TreatmentSession.cautions))
        .order_by(TreatmentSession.started_at, TreatmentSession.id)))


def _episode(episode, sessions, assessments) -> dict:
    summary = course_summary(counted_readings(sessions, assessments),
                             [s.started_at for s in sessions if s.is_signed])
    return {
        **_columns(episode, skip={"updated_by_id", "red_flags_acknowledged_by_id"}),
        "practitioner": episode.practitioner.name,
        "sessions": [_session(s) for s in sessions],
        "scores": [{**_columns(a, skip={"recorded_by_id", "voided_by_id"}),
                    "recorded_by": a.recorded_by.name if a.recorded_by else None,
                    "voided_by": a.voided_by.name if a.voided_by else None}
                   for a in assessments],
        "outcomes": summary.as_json(),
    }


def _session(visit: TreatmentSession) -> dict:
    return {
        **_columns(visit, skip={"practitioner_id", "signed_by_id"}),
        "practitioner": visit.practitioner.name,
        "signed_by": visit.signed_by.name if visit.signed_by else None,
        # The note as it reads now; the signed values stay above, the changes below.
        "current": {name: _json(value) for name, value in effective_values(visit).items()},
        "points": [{**_columns(row, skip={"session_id", "point_id"}),
                    "code": row.code, "catalog_point": row.point is not None}
                   for row in visit.points],
        "adjuncts": [_columns(row, skip={"session_id"}) for row in visit.adjuncts],
        "cautions": [_columns(row, skip={"session_id", "decided_by_id"}) for row in visit.cautions],
        "amendments": [_columns(row, skip={"session_id"}) for row in visit.amendments],
    }


def _columns(record, skip=frozenset()) -> dict:
    """The record's column values as JSON values."""
    return {attr.key: _json(getattr(record, attr.key))
            for attr in inspect(record).mapper.column_attrs
            if attr.key not in INTERNAL and attr.key not in skip}


def _json(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
