"""Reading sessions: a patient's timeline and the last session (for "copy last session")."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import ADJUNCT_FIELDS, POINT_FIELDS, effective_values


def patient_timeline(patient_id: int) -> list[TreatmentSession]:
    """A patient's sessions, newest first, with everything the timeline shows (5 queries,
    however many sessions)."""
    stmt = (
        select(TreatmentSession)
        .where(TreatmentSession.patient_id == patient_id)
        .options(
            joinedload(TreatmentSession.practitioner),
            selectinload(TreatmentSession.points),
            selectinload(TreatmentSession.adjuncts),
            selectinload(TreatmentSession.amendments),
        )
        .order_by(TreatmentSession.started_at.desc(), TreatmentSession.id.desc())
    )
    return list(db.session.scalars(stmt))


SIDE_ABBREVIATIONS = {"left": "L", "right": "R", "bilateral": "B", "midline": ""}


@dataclass
class TimelineEntry:
    """One line of a patient's timeline, ready to show."""

    visit: TreatmentSession
    points: list[str]
    adjuncts: list[str]
    pain_before: int | None
    pain_after: int | None


def timeline_entries(patient_id: int) -> list[TimelineEntry]:
    """The patient's timeline, newest first, pain scores as amended (constant query count)."""
    from tracker.sessions.adjuncts import describe

    entries = []
    for visit in patient_timeline(patient_id):
        current = effective_values(visit)
        points = [
            f"{row.code} ({SIDE_ABBREVIATIONS[row.laterality]})"
            if SIDE_ABBREVIATIONS.get(row.laterality)
            else row.code
            for row in visit.points
        ]
        entries.append(
            TimelineEntry(
                visit=visit,
                points=points,
                adjuncts=[describe(a) for a in visit.adjuncts],
                pain_before=current["pain_before"],
                pain_after=current["pain_after"],
            )
        )
    return entries


def last_session(patient_id: int) -> TreatmentSession | None:
    """The patient's most recent session (with points and adjuncts), for "copy last session"."""
    stmt = (
        select(TreatmentSession)
        .where(TreatmentSession.patient_id == patient_id)
        .options(selectinload(TreatmentSession.points), selectinload(TreatmentSession.adjuncts))
        .order_by(TreatmentSession.started_at.desc(), TreatmentSession.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def rows_of(visit: TreatmentSession) -> tuple[list[dict], list[dict]]:
    """A session's point rows and adjuncts as plain dicts, ready to pre-fill a new session."""
    points = [{name: getattr(row, name) for name in POINT_FIELDS} for row in visit.points]
    adjuncts = [{name: getattr(row, name) for name in ADJUNCT_FIELDS} for row in visit.adjuncts]
    return points, adjuncts
