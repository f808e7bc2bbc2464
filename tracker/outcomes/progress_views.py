"""One patient's course of treatment: the progress chart and its figures."""

from flask import render_template
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.outcomes.queries import episode_progress
from tracker.patients.queries import load_patient
from tracker.patients.services import patient_banners


def progress(patient_id: int):
    patient = load_patient(patient_id)
    record_event("progress.view", actor=current_user, entity=patient, patient_id=patient.id)
    episode = patient.episodes[0] if patient.episodes else None  # the newest
    return render_template(
        "outcomes/progress.html", patient=patient,
        banners=patient_banners(patient, clinical=True), episode=episode,
        progress=episode_progress(episode.id) if episode else None,
    )
