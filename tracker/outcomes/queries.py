"""Loading what the progress page shows: an episode's sessions with what was done at each, and
its scores, in a fixed number of queries however long the course."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.outcomes.measures import CourseSummary, Reading, course_summary
from tracker.scores.models import Assessment
from tracker.sessions.models import PointApplication, TreatmentSession


@dataclass
class Progress:
    """An episode's course: its sessions (oldest first), every score (voided ones too, for
    the list), and the summary computed from the scores that count."""

    sessions: list[TreatmentSession]
    assessments: list[Assessment]
    summary: CourseSummary


def episode_sessions(episode_id: int) -> list[TreatmentSession]:
    """The episode's sessions, oldest first, with points (and their catalog point), adjuncts
    and amendments loaded: 5 queries."""
    return list(db.session.scalars(
        select(TreatmentSession)
        .where(TreatmentSession.episode_id == episode_id)
        .options(
            selectinload(TreatmentSession.points).selectinload(PointApplication.point),
            selectinload(TreatmentSession.adjuncts),
            selectinload(TreatmentSession.amendments),
        )
        .order_by(TreatmentSession.started_at, TreatmentSession.id)
    ))


def episode_assessments(episode_id: int) -> list[Assessment]:
    """Every score of the episode, in the order taken (with who recorded and voided it)."""
    return list(db.session.scalars(
        select(Assessment)
        .where(Assessment.episode_id == episode_id)
        .options(selectinload(Assessment.recorded_by), selectinload(Assessment.voided_by))
        .order_by(Assessment.taken_at, Assessment.id)
    ))


def counted_readings(sessions: list[TreatmentSession],
                     assessments: list[Assessment]) -> list[Reading]:
    """The scores that count for outcomes (as ``cohort.counted_nrs``): not voided, and from
    a signed session when they come from one."""
    signed = {visit.id for visit in sessions if visit.is_signed}
    return [
        Reading(a.instrument, a.context, a.taken_at, a.score, a.session_id)
        for a in assessments
        if not a.is_voided and (a.session_id is None or a.session_id in signed)
    ]


def episode_progress(episode_id: int) -> Progress:
    return progress_of(episode_sessions(episode_id), episode_assessments(episode_id))


def progress_of(sessions: list[TreatmentSession], assessments: list[Assessment]) -> Progress:
    """One episode's course from its sessions and scores, already loaded (oldest first)."""
    summary = course_summary(counted_readings(sessions, assessments),
                             [visit.started_at for visit in sessions if visit.is_signed])
    return Progress(sessions, assessments, summary)
