"""The printable documents of a patient: the summary, the home-care sheet and the referral
letter. Each is one template that renders both as a print view in the browser and, through
WeasyPrint, as a PDF (one layout, two outputs): ``render_document(..., pdf=True)`` only changes
where the style sheets and fonts are read from and drops the links into the app.
"""

from dataclasses import dataclass, field

from flask import render_template, url_for

from tracker.dates import today_in
from tracker.exports.record import PatientRecord, load_record
from tracker.outcomes.chart import Chart
from tracker.outcomes.progress import Visit, chart_of, visits_of
from tracker.outcomes.queries import Progress, progress_of
from tracker.points.body_chart import BodyChart, session_chart
from tracker.safety.models import AdverseEvent
from tracker.scores.instruments import INSTRUMENTS
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import effective_values


@dataclass
class EpisodeRecord:
    """One episode of care as the documents show it."""

    episode: object
    sessions: list[TreatmentSession]
    visits: list[Visit]
    progress: Progress
    chart: Chart | None
    notes: dict[int, dict] = field(default_factory=dict)  # session id -> values as amended
    events: dict[int | None, list[AdverseEvent]] = field(default_factory=dict)

    @property
    def latest(self) -> TreatmentSession | None:
        signed = [s for s in self.sessions if s.is_signed]
        return signed[-1] if signed else (self.sessions[-1] if self.sessions else None)

    @property
    def body_chart(self) -> BodyChart | None:
        """The latest session's points on the body chart."""
        return session_chart(self.latest.points) if self.latest else None


def patient_records(patient, record: PatientRecord | None = None, *,
                    only=None) -> list[EpisodeRecord]:
    """Every episode of ``patient`` (loaded with its episodes), oldest first, or the episode
    ``only``, with its sessions, scores, chart and adverse events: a fixed number of
    queries."""
    record = record or load_record(patient, only.id if only else None)
    sessions, scores, events = record.sessions, record.assessments, record.adverse_events
    episode_records = []
    for episode in [only] if only else episodes_in_order(patient):
        own = [s for s in sessions if s.episode_id == episode.id]
        own_scores = [a for a in scores if a.episode_id == episode.id]
        progress = progress_of(own, own_scores)
        visits = visits_of(progress, patient.id, patient.clinic.timezone)
        ids = {s.id for s in own}
        by_session: dict[int | None, list[AdverseEvent]] = {}
        for event in events:
            if event.session_id in ids:
                by_session.setdefault(event.session_id, []).append(event)
        episode_records.append(EpisodeRecord(
            episode=episode, sessions=own, visits=visits, progress=progress,
            chart=chart_of(progress, visits), notes={s.id: effective_values(s) for s in own},
            events=by_session))
    return episode_records


def episodes_in_order(patient) -> list:
    """The patient's episodes, oldest first (the last one is the newest)."""
    return sorted(patient.episodes, key=lambda e: (e.opened_on, e.id))


def between_visit_events(record: PatientRecord) -> list[AdverseEvent]:
    """Adverse events not linked to a session (reported between visits)."""
    return [event for event in record.adverse_events if event.session_id is None]


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
    record = load_record(patient)
    return render_document("exports/summary.html", pdf=pdf, clinic=patient.clinic,
                           patient=patient, records=patient_records(patient, record),
                           between_visits=between_visit_events(record),
                           instruments=INSTRUMENTS, **links)
