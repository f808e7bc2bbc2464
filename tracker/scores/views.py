"""Recording a score taken at a follow-up contact, and voiding one entered in error."""

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.dates import clinic_day_start, clinic_today
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.fields import parse_id
from tracker.i18n import _
from tracker.loaders import one_or_404
from tracker.patients.queries import load_patient
from tracker.patients.services import patient_banners
from tracker.permissions import CLINICAL_ROLES, roles_required
from tracker.scores.forms import FORMS, VoidForm
from tracker.scores.instruments import INSTRUMENTS
from tracker.scores.models import MIRRORED_AT_INTAKE, Assessment
from tracker.scores.services import ScoreError, record_score, void_score

bp = Blueprint("scores", __name__)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def record(patient_id: int):
    patient = load_patient(patient_id)
    instrument = request.args.get("instrument", "nrs")
    if instrument not in INSTRUMENTS:
        abort(404)
    episode = _chosen_episode(patient)
    form = FORMS[instrument]()
    if instrument in MIRRORED_AT_INTAKE:
        del form.context  # at intake, these are on the intake form
    if request.method == "GET" and instrument == "psfs":
        _offer_last_activities(form, episode)
    if form.validate_on_submit():
        try:
            record_score(patient, episode, instrument=instrument, answers=form.answers(),
                         taken_at=_moment(form.taken_on.data, patient.clinic.timezone),
                         zone=patient.clinic.timezone, actor=current_user,
                         context=form.context.data if "context" in form else "follow_up")
        except ScoreError as error:
            form.taken_on.errors.append(str(error))
        else:
            flash(_("%(instrument)s recorded.", instrument=INSTRUMENTS[instrument].short),
                  "success")
            return redirect(url_for("outcomes.progress", patient_id=patient.id,
                                    episode=episode.id))
    return render_template(
        "scores/record.html", patient=patient, episode=episode, form=form,
        instrument=INSTRUMENTS[instrument], instruments=INSTRUMENTS,
        banners=patient_banners(patient, clinical=True),
    ), 422 if form.is_submitted() else 200


@bp.route("/<int:assessment_id>/void", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def void(patient_id: int, assessment_id: int):
    patient = load_patient(patient_id)
    assessment = one_or_404(select(Assessment).where(Assessment.id == assessment_id,
                                                     Assessment.patient_id == patient.id))
    form = VoidForm()
    if form.validate_on_submit():
        try:
            void_score(assessment, reason=form.reason.data, actor=current_user)
        except ScoreError as error:
            form.reason.errors.append(str(error))
        else:
            flash(_("Score voided. It stays in the record, struck through."), "success")
            return redirect(url_for("outcomes.progress", patient_id=patient.id,
                                    episode=assessment.episode_id))
    return render_template(
        "scores/void.html", patient=patient, assessment=assessment, form=form,
        instrument=INSTRUMENTS[assessment.instrument],
        banners=patient_banners(patient, clinical=True),
    ), 422 if form.is_submitted() else 200


def _chosen_episode(patient):
    """``?episode=<id>`` (one of the patient's, else 404), or the newest; a patient with no
    intake has nothing to score against (404)."""
    asked = request.args.get("episode")
    if asked is None:
        if not patient.episodes:
            abort(404)
        return patient.episodes[0]
    episode_id = parse_id(asked)
    episode = next((e for e in patient.episodes if e.id == episode_id), None)
    if episode is None:
        abort(404)
    return episode


def _offer_last_activities(form, episode) -> None:
    """Offer the activity names of the episode's last PSFS, to be scored again."""
    last = db.session.scalar(
        select(Assessment).where(Assessment.episode_id == episode.id,
                                 Assessment.instrument == "psfs",
                                 Assessment.voided_at.is_(None))
        .order_by(Assessment.taken_at.desc(), Assessment.id.desc()).limit(1))
    if last is None:
        return
    for entry, activity in zip(form.activities, last.answers.get("activities", []),
                               strict=False):
        entry.form.name.data = activity.get("name", "")


def _moment(day, zone: str) -> datetime:
    """When a score dated ``day`` was taken: now when it is today, else that day's start."""
    return utcnow() if day == clinic_today() else clinic_day_start(day, zone)
