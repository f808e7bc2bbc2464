"""The whole record of one patient as JSON (schema in docs/export-formats.md), with each episode's
``outcomes`` computed by the same code as the progress page (``outcomes.measures``).

Each record carries its own table's columns (docs/architecture.md, "Data model") under their
column names, minus internal ones (search text, hashes, demo flags), plus what a reader needs
without the database: a point's code, a user's name, a signed note as it reads now
(amendments applied) next to the amendments themselves. Loaded in a fixed number of queries.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect

from tracker.db_types import utcnow
from tracker.exports.record import load_record
from tracker.outcomes.queries import progress_of
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import effective_values

SCHEMA = "https://acupuncture-tracker.example/schemas/patient-export/2"
# Columns that are the application's bookkeeping, not the patient's record.
INTERNAL = {"search_text", "is_demo", "version", "clinic_id", "row_hash", "prev_hash"}


def patient_record(patient) -> dict:
    """Everything recorded about ``patient`` (loaded with its consents and episodes)."""
    # Sessions, scores, adverse events and the episodes' practitioners, in a few queries.
    record = load_record(patient)
    sessions, assessments, events = record.sessions, record.assessments, record.adverse_events
    episodes = sorted(patient.episodes, key=lambda e: (e.opened_on, e.id))
    exported = [_episode(e, [s for s in sessions if s.episode_id == e.id],
                         [a for a in assessments if a.episode_id == e.id]) for e in episodes]
    events_of: dict[int | None, list] = {}
    for event in events:
        events_of.setdefault(event.session_id, []).append(
            {**_columns(event), "recorded_by": event.recorded_by.name})
    return {
        "schema": SCHEMA,
        "exported_at": _json(utcnow()),
        "clinic": {"name": patient.clinic.name, "timezone": patient.clinic.timezone},
        "patient": _columns(patient, skip={"archived_by_id", "created_by_id", "updated_by_id"}),
        "consents": [_columns(c) for c in sorted(patient.consents, key=lambda c: c.id)],
        "episodes": exported,
        # Every session of every episode (each names its episode_id), oldest first.
        "sessions": [_session(s, events_of.get(s.id, [])) for s in sessions],
        # Adverse events reported between visits; a session's own are in the session.
        "adverse_events": events_of.get(None, []),
        # The newest episode's outcome, where a reader looks first.
        "outcomes": exported[-1]["outcomes"] if exported else None,
    }


def _episode(episode, sessions, assessments) -> dict:
    summary = progress_of(sessions, assessments).summary
    return {
        **_columns(episode, skip={"updated_by_id", "red_flags_acknowledged_by_id"}),
        "practitioner": episode.practitioner.name,
        "scores": [{**_columns(a, skip={"recorded_by_id", "voided_by_id"}),
                    "recorded_by": a.recorded_by.name if a.recorded_by else None,
                    "voided_by": a.voided_by.name if a.voided_by else None}
                   for a in assessments],
        "outcomes": summary.as_json(),
    }


def _session(visit: TreatmentSession, adverse_events: list[dict]) -> dict:
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
        "adverse_events": adverse_events,
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
