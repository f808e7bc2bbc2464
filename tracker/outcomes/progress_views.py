"""One patient's course of treatment: the progress chart and its figures."""

from flask import abort, render_template, request
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.fields import parse_id
from tracker.i18n import _
from tracker.outcomes.progress import chart_of, visits_of
from tracker.outcomes.queries import episode_score_records, episode_visit_records, progress_of
from tracker.patients.queries import load_patient
from tracker.patients.services import patient_banners
from tracker.scores.instruments import INSTRUMENTS


def progress(patient_id: int):
    patient = load_patient(patient_id)
    episode = _chosen_episode(patient)
    record_event("progress.view", actor=current_user, entity=patient, patient_id=patient.id,
                 details={"episode": episode.id if episode else None})
    data = progress_of(episode_visit_records(episode.id, _("Ashi")),
                       episode_score_records(episode.id)) if episode else None
    visits = visits_of(data, patient.id, patient.clinic.timezone) if data else []
    return render_template(
        "outcomes/progress.html", patient=patient, episode=episode, progress=data,
        visits=visits, chart=chart_of(data, visits) if data else None,
        banners=patient_banners(patient, clinical=True), instruments=INSTRUMENTS,
    )


def _chosen_episode(patient):
    """The episode asked for (``?episode=<id>``, one of the patient's: else 404), or the
    newest one."""
    asked = request.args.get("episode")
    if asked is None:
        return patient.episodes[0] if patient.episodes else None  # newest first
    episode_id = parse_id(asked)
    episode = next((e for e in patient.episodes if e.id == episode_id), None)
    if episode is None:
        abort(404)
    return episode
