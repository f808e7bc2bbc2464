"""Reading sessions: one session for a request, a patient's timeline, the last session (for
"copy last session")."""

from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from threading import Lock
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import String, and_, bindparam, case, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.auth.models import User
from tracker.extensions import db
from tracker.i18n import _
from tracker.loaders import one_or_404
from tracker.paging import counted_page
from tracker.patients.queries import load_patient
from tracker.safety.models import SessionCaution
from tracker.sessions.models import Adjunct, Amendment, PointApplication, TreatmentSession
from tracker.sessions.point_lists import gathered_labels, label_list, point_name
from tracker.sessions.services import apply_amendments, stored_rows


def load_session(patient_id: int, session_id: int, *, for_update: bool = False
                 ) -> TreatmentSession:
    """The session if it belongs to this patient of the user's clinic (with everything its
    page shows), else 404."""
    patient = load_patient(patient_id)
    stmt = (
        select(TreatmentSession)
        .where(TreatmentSession.id == session_id, TreatmentSession.patient_id == patient.id)
        .options(
            joinedload(TreatmentSession.practitioner),
            joinedload(TreatmentSession.signed_by),
            joinedload(TreatmentSession.episode),
            selectinload(TreatmentSession.points),
            selectinload(TreatmentSession.adjuncts),
            selectinload(TreatmentSession.amendments).joinedload(Amendment.author),
            selectinload(TreatmentSession.cautions).joinedload(SessionCaution.decided_by),
        )
    )
    if for_update:
        stmt = stmt.with_for_update(of=TreatmentSession, key_share=True)
    visit = one_or_404(stmt)
    # The weak identity map would otherwise fetch a bare copy of the patient again.
    set_committed_value(visit, "patient", patient)
    return visit


# Sessions on one page of a patient's timeline: the page costs the same with 3 sessions or
# 300 (older ones are a page away), and the newest, the ones a practitioner reads, come first.
TIMELINE_PER_PAGE = 20


@dataclass
class TimelineVisit:
    """A session as a line of the patient's timeline shows it."""

    id: int
    started_at: datetime
    status: str
    retention_minutes: int | None
    protocol_name: str
    practitioner_name: str
    amended: bool

    @property
    def is_signed(self) -> bool:
        return self.status == "signed"


@cache
def _timeline_statement():
    """A patient's sessions, newest first, as the timeline's plain rows (built once per
    process; ORM objects with their practitioner and amendments were a third of the page)."""
    return (
        select(TreatmentSession.id, TreatmentSession.started_at, TreatmentSession.status,
               TreatmentSession.retention_minutes, TreatmentSession.protocol_name,
               TreatmentSession.pain_before, TreatmentSession.pain_after, User.name)
        .join(User, User.id == TreatmentSession.practitioner_id)
        .where(TreatmentSession.patient_id == bindparam("patient_id"))
        .order_by(TreatmentSession.started_at.desc(), TreatmentSession.id.desc())
    )


@cache
def _amendments_statement():
    return (select(Amendment.session_id, Amendment.changes)
            .where(Amendment.session_id.in_(bindparam("ids", expanding=True)))
            .order_by(Amendment.id))


@dataclass
class SessionChildren:
    """A set of sessions' point rows (each as "BL23 (B)", "GV6", "Ashi (L)") and
    techniques (as ``adjuncts.describe`` reads them), each list in the session's order, by
    session id."""

    points: dict[int, list[str]]
    adjuncts: dict[int, list]


def session_children(by: str, selector, ashi: str) -> SessionChildren:
    """The point rows and techniques of the sessions of an episode (``by="episode"``, the
    episode's id), of a patient (``by="patient"``), of the drafts of either
    (``"episode_drafts"``, ``"patient_drafts"``) or of a list of ids (``by="ids"``), in two
    plain selects: a session's point rows come as one text on its row, labelled by the
    database (``point_lists``: a long course's 1,500 point rows were 1,500 result rows, each
    labelled in Python), its techniques as tuples. ``ashi`` names a custom point row."""
    children = SessionChildren(defaultdict(list), defaultdict(list))
    points, adjuncts = _children_statements(by, db.session.get_bind().dialect.name)
    # Core rows from the session's connection, not ORM rows, all fetched at once (iterating
    # a result fetches one row a call).
    connection = db.session.connection()
    for session_id, gathered in connection.execute(
            points, {"selector": selector, "ashi": ashi}).all():
        if gathered:
            children.points[session_id] = label_list(gathered)
    for session_id, kind, minutes, sites, params in connection.execute(
            adjuncts, {"selector": selector}).all():
        children.adjuncts[session_id].append(SimpleNamespace(
            kind=kind, minutes=minutes, sites=sites, params=params))
    return children


@cache
def _children_statements(by: str, dialect: str):
    """``session_children``'s two statements for one way of choosing the sessions, built
    once per process and database (building them took as long as running them for a page
    of 20)."""
    drafts = TreatmentSession.status == "draft"
    condition = {
        "episode": TreatmentSession.episode_id == bindparam("selector"),
        "patient": TreatmentSession.patient_id == bindparam("selector"),
        "episode_drafts": and_(TreatmentSession.episode_id == bindparam("selector"), drafts),
        "patient_drafts": and_(TreatmentSession.patient_id == bindparam("selector"), drafts),
        "ids": TreatmentSession.id.in_(bindparam("selector", expanding=True)),
    }[by]
    # "BL23 (B)", "GV6", "Ashi (L)": as ``sided_codes`` writes them.
    side = case({laterality: f" ({letter})" for laterality, letter
                 in SIDE_ABBREVIATIONS.items() if letter},
                value=PointApplication.laterality, else_="")
    label = point_name(bindparam("ashi", type_=String)).concat(side)
    points = select(TreatmentSession.id, gathered_labels(label, dialect)).where(condition)
    adjuncts = (select(Adjunct.session_id, Adjunct.kind, Adjunct.minutes, Adjunct.sites,
                       Adjunct.params)
                .join(TreatmentSession, TreatmentSession.id == Adjunct.session_id)
                .where(condition).order_by(Adjunct.position, Adjunct.id))
    return points, adjuncts


# --- signed sessions' point rows and techniques, kept by each server process ---------------
# A signed note's point rows and techniques never change: an amendment changes its scores and
# text only (``services.AMENDABLE_FIELDS``), a session is never deleted and a point's code never
# renamed. A long course's progress page read its 300 sessions' 3,600 point rows on every view
# (a quarter of the page's time on SQLite); with them kept, a view reads only its drafts'
# rows, which change until signed. Kept on the app (``app.extensions``), so each app, each
# test's included, starts empty. Read them in a transaction that signs nothing (a page's or
# an export's): a note signed in a transaction that then rolls back would be kept as signed.

# About 1.5 KB a session (twelve labels, a technique or two): some 30 MB a process at most,
# the courses of several hundred patients.
MAX_SESSIONS = 20_000
_KEY = "tracker.signed_session_rows"
_lock = Lock()  # a threaded server's requests share the app


def children_of(sessions: list[tuple[int, bool]], ashi: str, *, by: str = "ids",
                selector=None) -> SessionChildren:
    """The point rows and techniques of these sessions, given as ``(id, is_signed)``: the
    signed ones' from this process's copies where it has them, the rest in
    ``session_children``'s two selects (none when every session is kept). When the
    sessions are all those of an episode or a patient (``by`` and ``selector`` as
    ``session_children`` takes them), they are read that way, through the sessions' index,
    not as a list of ids: all of them when a signed one is unread, else its drafts alone (a
    list of 88 ids cost PostgreSQL's page more than it saved). ``ashi`` names a custom
    point row, so the copies are kept by it too (one set per language). The lists are
    shared with later readers: read them, never change them."""
    store: OrderedDict = current_app.extensions.setdefault(_KEY, OrderedDict())
    children = SessionChildren(defaultdict(list), defaultdict(list))
    unread: list[tuple[int, bool]] = []
    with _lock:
        for session_id, signed in sessions:
            kept = store.get((session_id, ashi)) if signed else None
            if kept is None:
                unread.append((session_id, signed))
                continue
            store.move_to_end((session_id, ashi))
            _add(children, session_id, *kept)
    if not unread:
        return children
    if by == "ids":
        read = session_children("ids", [session_id for session_id, signed in unread], ashi)
    elif any(signed for session_id, signed in unread):
        read = session_children(by, selector, ashi)  # not read before: read them all
    else:
        read = session_children(f"{by}_drafts", selector, ashi)
    with _lock:
        for session_id, signed in unread:
            points, adjuncts = read.points.get(session_id, []), read.adjuncts.get(session_id, [])
            _add(children, session_id, points, adjuncts)
            if signed:
                store[(session_id, ashi)] = (points, adjuncts)
        while len(store) > MAX_SESSIONS:
            store.popitem(last=False)  # the least recently shown
    return children


def forget_signed_rows() -> None:
    """Drop this process's copies (the database was restored, or a test wants the reads)."""
    current_app.extensions.pop(_KEY, None)


def _add(children: SessionChildren, session_id: int, points: list, adjuncts: list) -> None:
    # Only sessions with rows are in the maps, as ``session_children`` gives them.
    if points:
        children.points[session_id] = points
    if adjuncts:
        children.adjuncts[session_id] = adjuncts


SIDE_ABBREVIATIONS = {"left": "L", "right": "R", "bilateral": "B", "midline": ""}


@dataclass
class TimelineEntry:
    """One line of a patient's timeline, ready to show."""

    visit: TimelineVisit
    points: list[str]
    adjuncts: list[str]
    pain_before: int | None
    pain_after: int | None


def sided_codes(point_rows) -> list[str]:
    """Point rows (each with ``.code`` and ``.laterality``) as "BL23 (B)", "GV6", "Ashi (L)",
    as ``session_children`` writes them."""
    return [
        f"{row.code} ({SIDE_ABBREVIATIONS[row.laterality]})"
        if SIDE_ABBREVIATIONS.get(row.laterality) else row.code
        for row in point_rows
    ]


@dataclass
class TimelinePage:
    """A page of a patient's timeline and where it stands (``pagination.page``, ``pages``,
    ``total``: what the page's navigation needs)."""

    entries: list[TimelineEntry]
    pagination: object


def timeline_page(patient_id: int, page: int = 1, per_page: int = TIMELINE_PER_PAGE
                  ) -> TimelinePage:
    """A page of the patient's timeline, newest first, pain scores as amended, and the page's
    place in it, from a few plain selects (the page with its total, its amendments, and the
    point rows and techniques of its drafts and of signed sessions this process has not read
    before: ``children_of``), however long the record."""
    from tracker.sessions.adjuncts import describe

    pagination = counted_page(
        _timeline_statement().params(patient_id=patient_id), page, per_page,
        item=lambda row: row)
    ids = [row.id for row in pagination.items]
    changes = defaultdict(list)
    if ids:
        for session_id, amendment in db.session.execute(_amendments_statement(), {"ids": ids}):
            changes[session_id].append(amendment)
    children = children_of([(row.id, row.status == "signed") for row in pagination.items],
                           _("Ashi"))
    entries = []
    for row in pagination.items:
        pain = apply_amendments({"pain_before": row.pain_before, "pain_after": row.pain_after},
                                changes.get(row.id, ()))
        entries.append(TimelineEntry(
            visit=TimelineVisit(row.id, row.started_at, row.status, row.retention_minutes,
                                row.protocol_name, row.name, row.id in changes),
            points=children.points.get(row.id, []),
            adjuncts=[describe(a) for a in children.adjuncts.get(row.id, ())],
            pain_before=pain["pain_before"], pain_after=pain["pain_after"]))
    pagination.items = entries
    return TimelinePage(entries, pagination)


def session_of_patient(session_id: int, patient_id: int) -> bool:
    """Whether ``session_id`` is one of the patient's sessions."""
    return db.session.scalar(select(TreatmentSession.id).where(
        TreatmentSession.id == session_id, TreatmentSession.patient_id == patient_id)) is not None


def last_session(patient_id: int, *, with_rows: bool = True) -> TreatmentSession | None:
    """The patient's most recent session, for "copy last session" (with its points and
    adjuncts) or, without ``with_rows``, for the needles used last time."""
    stmt = (
        select(TreatmentSession)
        .where(TreatmentSession.patient_id == patient_id)
        .order_by(TreatmentSession.started_at.desc(), TreatmentSession.id.desc())
        .limit(1)
    )
    if with_rows:
        stmt = stmt.options(selectinload(TreatmentSession.points),
                            selectinload(TreatmentSession.adjuncts))
    return db.session.scalar(stmt)


def latest_session(episode_id: int) -> TreatmentSession | None:
    """The episode's latest signed session, else its latest draft (what the home-care sheet
    is written from), with its practitioner and amendments: one row, however long the
    course."""
    return db.session.scalar(
        select(TreatmentSession).where(TreatmentSession.episode_id == episode_id)
        .options(joinedload(TreatmentSession.practitioner),
                 selectinload(TreatmentSession.amendments))
        .order_by(case((TreatmentSession.status == "signed", 0), else_=1),
                  TreatmentSession.started_at.desc(), TreatmentSession.id.desc())
        .limit(1))


def has_sessions(patient_id: int) -> bool:
    """Whether the patient has any session (one indexed lookup)."""
    return db.session.scalar(select(TreatmentSession.id)
                             .where(TreatmentSession.patient_id == patient_id).limit(1)) is not None


def rows_of(visit: TreatmentSession) -> tuple[list[dict], list[dict]]:
    """A session's point rows and adjuncts as plain dicts, ready to pre-fill a new session."""
    return stored_rows(visit)
