"""One patient's course of treatment: the progress chart and its figures."""

from flask import abort, render_template, request
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.fields import page_number, parse_id
from tracker.i18n import _
from tracker.outcomes.kept_courses import course_of
from tracker.outcomes.queries import episode_score_records, episode_visit_records
from tracker.paging import ListPage
from tracker.patients.queries import load_patient
from tracker.patients.services import patient_banners
from tracker.scores.instruments import INSTRUMENTS

VISITS_PER_PAGE = 20


def progress(patient_id: int):
    patient = load_patient(patient_id)
    episode = _chosen_episode(patient)
    record_event("progress.view", actor=current_user, entity=patient, patient_id=patient.id,
                 details={"episode": episode.id if episode else None})
    course = course_of(episode.id, patient.id, patient.clinic.timezone,
                       episode_visit_records(episode.id, _("Ashi")),
                       episode_score_records(episode.id)) if episode else None
    # The chart draws the whole course; the table lists it newest first, a page at a time
    # (a course of 300 visits was a 300-row table on every view).
    table = ListPage(course.visits[::-1] if course else [], page_number(request.args.get("page")),
                     VISITS_PER_PAGE)
    return render_template(
        "outcomes/progress.html", patient=patient, episode=episode,
        progress=course.progress if course else None, visits=table,
        chart=course.chart if course else None,
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
