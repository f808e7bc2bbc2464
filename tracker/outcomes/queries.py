"""Loading what the progress page shows: an episode's sessions with what was done at each, and
its scores, in a fixed number of queries however long the course."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from types import SimpleNamespace

from sqlalchemy import JSON, bindparam, case, null, select, type_coerce
from sqlalchemy.orm import aliased, selectinload

from tracker.auth.models import User
from tracker.extensions import db
from tracker.outcomes.measures import CourseSummary, Reading, course_summary
from tracker.scores.models import Assessment
from tracker.scores.services import SESSION_CONTEXTS
from tracker.sessions.models import PointApplication, TreatmentSession
from tracker.sessions.queries import children_of


@dataclass
class Progress:
    """An episode's course: its sessions (oldest first), every score (voided ones too, for
    the list), and the summary computed from the scores that count."""

    sessions: list[TreatmentSession]
    assessments: list[Assessment]
    summary: CourseSummary

    def listed_scores(self) -> list[Assessment]:
        """The scores the page lists, newest first: those taken at intake and at follow-up
        contacts (a session's own are in its row of the visit table)."""
        return [a for a in reversed(self.assessments) if a.context not in SESSION_CONTEXTS]


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


@dataclass
class VisitRecord:
    """What the progress page reads of a session, as plain values: ``progress_of`` and
    ``progress.visits_of`` take it where they take a ``TreatmentSession``."""

    id: int
    started_at: datetime
    status: str
    retention_minutes: int | None
    points: list = field(default_factory=list)  # each with .code and .laterality
    adjuncts: list = field(default_factory=list)  # each as adjuncts.describe reads it

    @property
    def is_signed(self) -> bool:
        return self.status == "signed"


@cache
def _sessions_statement(by: str):
    """The sessions of an episode (``by="episode"``) or of a patient (``by="patient"``),
    oldest first, each with its episode's id last: built once per process."""
    column = {"episode": TreatmentSession.episode_id, "patient": TreatmentSession.patient_id}[by]
    return (
        select(TreatmentSession.id, TreatmentSession.started_at, TreatmentSession.status,
               TreatmentSession.retention_minutes, TreatmentSession.episode_id)
        .where(column == bindparam("selector"))
        .order_by(TreatmentSession.started_at, TreatmentSession.id)
    )


def episode_visit_records(episode_id: int, ashi: str) -> list[VisitRecord]:
    """The episode's sessions, oldest first, with their point rows and techniques, in three
    plain selects (one when every session is signed and this process has read it before:
    ``sessions.queries.children_of``): a long course (300 sessions, 3,600 point rows) costs tuples,
    not ORM objects. ``ashi`` names a custom point row."""
    return _visit_records("episode", episode_id, ashi).get(episode_id, [])


def patient_visit_records(patient_id: int, ashi: str) -> dict[int, list[VisitRecord]]:
    """Every session of the patient as ``episode_visit_records`` gives an episode's, by
    episode id: the same three selects, whatever the number of episodes."""
    return _visit_records("patient", patient_id, ashi)


def _visit_records(by: str, selector: int, ashi: str) -> dict[int, list[VisitRecord]]:
    rows = db.session.connection().execute(_sessions_statement(by), {"selector": selector}).all()
    visits = [(VisitRecord(*values), episode_id) for *values, episode_id in rows]
    # A signed session's rows from this process's copy: only the drafts' are read.
    children = children_of([(visit.id, visit.is_signed) for visit, _ in visits], ashi,
                           by=by, selector=selector)
    by_episode: dict[int, list[VisitRecord]] = {}
    for visit, episode_id in visits:
        visit.points = children.points.get(visit.id, [])
        visit.adjuncts = children.adjuncts.get(visit.id, [])
        by_episode.setdefault(episode_id, []).append(visit)
    return by_episode


@dataclass(slots=True)
class ScoreRecord:
    """What the progress page reads of a score, as plain values (``progress_of``,
    ``progress.chart_of`` and the page's list take it where they take an ``Assessment``)."""

    id: int
    session_id: int | None
    instrument: str
    context: str
    taken_at: datetime
    taken_on: date
    score: Decimal
    answers: dict | None  # None for a session's score (not read)
    voided_at: datetime | None
    void_reason: str
    recorded_by: SimpleNamespace | None  # .name, as the list shows it

    is_voided = Assessment.is_voided
    entered_on_its_own = Assessment.entered_on_its_own


# The page lists the answers of the scores taken on their own (a PSFS's activities); the
# 600 pain scores of a long course's sessions have none worth decoding.
_ANSWERS_OFF_SESSIONS = type_coerce(
    case((Assessment.session_id.is_(None), Assessment.answers), else_=null()), JSON)


_RECORDER = aliased(User)


@cache
def _scores_statement(by: str):
    """Every score of an episode (``by="episode"``) or of a patient (``by="patient"``), in
    the order taken, each with its episode's id last. Built once per process: a long course's
    page spent a millisecond building this statement afresh."""
    column = {"episode": Assessment.episode_id, "patient": Assessment.patient_id}[by]
    return (
        select(Assessment.id, Assessment.session_id, Assessment.instrument, Assessment.context,
               Assessment.taken_at, Assessment.taken_on, Assessment.score,
               _ANSWERS_OFF_SESSIONS.label("answers"), Assessment.voided_at,
               Assessment.void_reason, _RECORDER.name.label("recorder"),
               Assessment.episode_id)
        .outerjoin(_RECORDER, _RECORDER.id == Assessment.recorded_by_id)
        .where(column == bindparam("selector"))
        .order_by(Assessment.taken_at, Assessment.id)
    )


def episode_score_records(episode_id: int) -> list[ScoreRecord]:
    """Every score of the episode (voided ones too), in the order taken, in one plain select
    (Core rows, not ORM rows): a course of 300 visits has 600 session scores besides the
    intake's and follow-ups'. A session's score comes without its answers (None)."""
    return _score_records("episode", episode_id).get(episode_id, [])


def patient_score_records(patient_id: int) -> dict[int | None, list[ScoreRecord]]:
    """Every score of the patient as ``episode_score_records`` gives an episode's, by episode
    id, in one select."""
    return _score_records("patient", patient_id)


def _score_records(by: str, selector: int) -> dict[int | None, list[ScoreRecord]]:
    by_episode: dict[int | None, list[ScoreRecord]] = {}
    recorders = {None: None}  # a course's 600 scores have a few recorders: one each
    for row in db.session.connection().execute(_scores_statement(by),
                                               {"selector": selector}).all():
        name = row[10]
        if name not in recorders:
            recorders[name] = SimpleNamespace(name=name)
        by_episode.setdefault(row[11], []).append(ScoreRecord(*row[:10], recorders[name]))
    return by_episode


def progress_of(sessions: list[TreatmentSession], assessments: list[Assessment]) -> Progress:
    """One episode's course from its sessions and scores, already loaded (oldest first)."""
    summary = course_summary(counted_readings(sessions, assessments),
                             [visit.started_at for visit in sessions if visit.is_signed])
    return Progress(sessions, assessments, summary)
