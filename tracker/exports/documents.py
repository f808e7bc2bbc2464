"""The printable documents of a patient: the summary, the home-care sheet and the referral
letter. Each is one template that renders both as a print view in the browser and, through
WeasyPrint, as a PDF (one layout, two outputs): ``render_document(..., pdf=True)`` only changes
where the style sheets and fonts are read from and drops the links into the app.
"""

from dataclasses import dataclass, field
from datetime import datetime

from flask import render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.dates import today_in
from tracker.exports.record import adverse_events_of, episode_practitioners
from tracker.extensions import db
from tracker.i18n import _
from tracker.outcomes.chart import Chart
from tracker.outcomes.progress import Visit, chart_of, visits_of
from tracker.outcomes.queries import (
    Progress,
    VisitRecord,
    episode_score_records,
    episode_visit_records,
    patient_score_records,
    patient_visit_records,
    progress_of,
)
from tracker.points.body_chart import BodyChart, session_chart
from tracker.safety.models import AdverseEvent, SessionCaution
from tracker.scores.instruments import INSTRUMENTS
from tracker.sessions.models import PointApplication, TreatmentSession
from tracker.sessions.services import effective_values


@dataclass(frozen=True, slots=True)
class CautionLine:
    """A caution a session showed (not a note for information) and what was decided."""

    started_at: datetime
    message: str
    decision: str | None
    decision_reason: str


@dataclass
class EpisodeRecord:
    """One episode of care as the documents show it: its sessions as plain values (a course
    of 300 visits is 3,600 point rows), its latest session in full."""

    episode: object
    sessions: list[VisitRecord]  # oldest first
    visits: list[Visit]
    progress: Progress
    chart: Chart | None
    latest: TreatmentSession | None  # signed, else the latest draft; with points, amendments
    latest_notes: dict  # the latest session's values as amended
    cautions: list[CautionLine]  # the warnings and contraindications shown, oldest first
    events: dict[int | None, list[AdverseEvent]] = field(default_factory=dict)

    @property
    def body_chart(self) -> BodyChart | None:
        """The latest session's points on the body chart."""
        return session_chart(self.latest.points) if self.latest else None


def patient_records(patient, events: list[AdverseEvent], *, only=None) -> list[EpisodeRecord]:
    """Every episode of ``patient`` (loaded with its episodes), oldest first, or the episode
    ``only``, with its sessions, scores, chart and adverse events (``events``, the patient's):
    a fixed number of queries, and a long course's sessions, point rows and scores read as
    plain rows (the progress page's loaders), only the latest session of each as objects."""
    episodes = [only] if only else episodes_in_order(patient)
    practitioners = {user.id: user for user in episode_practitioners(episodes)}
    for episode in episodes:
        set_committed_value(episode, "practitioner", practitioners[episode.practitioner_id])
    if only:
        visits_by_episode = {only.id: episode_visit_records(only.id, _("Ashi"))}
        scores_by_episode = {only.id: episode_score_records(only.id)}
    else:
        visits_by_episode = patient_visit_records(patient.id, _("Ashi"))
        scores_by_episode = patient_score_records(patient.id)
    latest_of = {episode.id: _latest(visits_by_episode.get(episode.id, []))
                 for episode in episodes}
    latest_sessions = _full_sessions([visit.id for visit in latest_of.values() if visit])
    cautions = _caution_lines(patient.id)
    episode_records = []
    for episode in episodes:
        own = visits_by_episode.get(episode.id, [])
        progress = progress_of(own, scores_by_episode.get(episode.id, []))
        visits = visits_of(progress, patient.id, patient.clinic.timezone)
        ids = {visit.id for visit in own}
        by_session: dict[int | None, list[AdverseEvent]] = {}
        for event in events:
            if event.session_id in ids:
                by_session.setdefault(event.session_id, []).append(event)
        latest = latest_sessions.get(getattr(latest_of[episode.id], "id", None))
        episode_records.append(EpisodeRecord(
            episode=episode, sessions=own, visits=visits, progress=progress,
            chart=chart_of(progress, visits), latest=latest,
            latest_notes=effective_values(latest) if latest else {},
            cautions=[line for session_id, line in cautions if session_id in ids],
            events=by_session))
    return episode_records


def _latest(visits: list[VisitRecord]) -> VisitRecord | None:
    signed = [visit for visit in visits if visit.is_signed]
    return signed[-1] if signed else (visits[-1] if visits else None)


def _full_sessions(ids: list[int]) -> dict[int, TreatmentSession]:
    """The sessions ``ids`` with their point rows (and catalog points) and amendments."""
    if not ids:
        return {}
    return {visit.id: visit for visit in db.session.scalars(
        select(TreatmentSession).where(TreatmentSession.id.in_(ids))
        .options(selectinload(TreatmentSession.points).selectinload(PointApplication.point),
                 selectinload(TreatmentSession.amendments)))}


def _caution_lines(patient_id: int) -> list[tuple[int, CautionLine]]:
    """The cautions the patient's sessions showed and still hold (``active``) that asked for a
    decision, with their session's id, in the sessions' order."""
    rows = db.session.execute(
        select(SessionCaution.session_id, TreatmentSession.started_at, SessionCaution.message,
               SessionCaution.decision, SessionCaution.decision_reason)
        .join(TreatmentSession, TreatmentSession.id == SessionCaution.session_id)
        .where(TreatmentSession.patient_id == patient_id, SessionCaution.active.is_(True),
               SessionCaution.severity != "info")
        .order_by(TreatmentSession.started_at, TreatmentSession.id, SessionCaution.id)).all()
    return [(row[0], CautionLine(*row[1:])) for row in rows]


def episodes_in_order(patient) -> list:
    """The patient's episodes, oldest first (the last one is the newest)."""
    return sorted(patient.episodes, key=lambda e: (e.opened_on, e.id))


def between_visit_events(events: list[AdverseEvent]) -> list[AdverseEvent]:
    """Adverse events not linked to a session (reported between visits)."""
    return [event for event in events if event.session_id is None]


def render_document(template: str, *, pdf: bool, clinic, **context) -> str:
    """The document's HTML: for the browser (``pdf=False``) or for WeasyPrint, which reads
    the style sheets and fonts from the static folder by relative path. Dated the clinic's
    today (also from the command line, where nobody is logged in)."""
    def asset(path: str) -> str:
        return path if pdf else url_for("static", filename=path)

    return render_template(template, pdf=pdf, asset=asset, clinic=clinic,
                           printed_on=today_in(clinic.timezone), **context)


def summary_html(patient, *, pdf: bool, **links) -> str:
    """The treatment summary of ``patient`` (loaded with its episodes and consents)."""
    events = adverse_events_of(patient.id)
    return render_document("exports/summary.html", pdf=pdf, clinic=patient.clinic,
                           patient=patient, records=patient_records(patient, events),
                           between_visits=between_visit_events(events),
                           instruments=INSTRUMENTS, **links)
