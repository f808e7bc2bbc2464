"""Intake forms and episodes of care (practitioners and admins only)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.audit.services import record_event
from tracker.conflicts import EditConflict
from tracker.dates import clinic_today
from tracker.extensions import db
from tracker.i18n import _
from tracker.intake import vocab
from tracker.intake.forms import AcknowledgeRedFlagsForm, CloseEpisodeForm, IntakeForm
from tracker.intake.models import Episode
from tracker.intake.services import (
    IntakeError,
    acknowledge_red_flags,
    close_episode,
    onset_age_to_propose,
    open_episode,
    reopen_episode,
    update_episode,
)
from tracker.patients.queries import load_patient
from tracker.patients.services import current_consent, patient_banners
from tracker.permissions import CLINICAL_ROLES, roles_required

bp = Blueprint("intake", __name__)


def load_episode(patient_id: int, episode_id: int, *, for_update: bool = False) -> Episode:
    """The episode if it belongs to this patient of the user's clinic, else 404."""
    patient = load_patient(patient_id)
    stmt = (
        select(Episode)
        .options(
            joinedload(Episode.practitioner),
            joinedload(Episode.updated_by),
            joinedload(Episode.red_flags_acknowledged_by),
        )
        .where(Episode.id == episode_id, Episode.patient_id == patient.id)
    )
    if for_update:
        stmt = stmt.with_for_update(of=Episode, key_share=True)
    episode = db.session.scalar(stmt)
    if episode is None:
        abort(404)
    # Attach the patient loaded above (with its consents and episodes): the session holds
    # objects weakly, so a later lazy load would fetch a bare copy without them.
    set_committed_value(episode, "patient", patient)
    return episode


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def create(patient_id: int):
    patient = load_patient(patient_id)
    form = IntakeForm()
    if form.validate_on_submit():
        episode = open_episode(patient, practitioner=current_user, values=form.episode_values())
        flash(_("Intake recorded."), "success")
        return redirect(url_for("intake.detail", patient_id=patient.id, episode_id=episode.id))
    # Proposed on the new form only; a POST keeps exactly what the practitioner ticked.
    onset_age = onset_age_to_propose(patient, form.opened_on.data or clinic_today())
    if onset_age is not None and not form.is_submitted():
        form.propose_red_flag("onset_age")
    if "onset_age" not in (form.red_flags.data or []):
        onset_age = None
    status = 422 if form.is_submitted() else 200
    return _render_form(patient, form, None, None, status, onset_age=onset_age)


@bp.get("/<int:episode_id>")
@roles_required(*CLINICAL_ROLES)
def detail(patient_id: int, episode_id: int):
    episode = load_episode(patient_id, episode_id)
    record_event("episode.view", actor=current_user, entity=episode, patient_id=patient_id)
    return _render_detail(episode, AcknowledgeRedFlagsForm())


@bp.route("/<int:episode_id>/edit", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def edit(patient_id: int, episode_id: int):
    episode = load_episode(patient_id, episode_id, for_update=request.method == "POST")
    if not episode.is_open:
        flash(_("This episode is closed; reopen it to change the intake."), "warning")
        return redirect(url_for("intake.detail", patient_id=patient_id, episode_id=episode_id))
    form = IntakeForm(obj=episode)
    conflict = None
    if request.method == "GET":
        form.version.data = episode.version
        form.load_unstored(episode)
    elif form.validate_on_submit():
        try:
            update_episode(
                episode,
                form.episode_values(),
                expected_version=form.expected_version(),
                actor=current_user,
            )
        except EditConflict as error:
            conflict = error
            form.version.data = error.current_version
        else:
            flash(_("Intake saved."), "success")
            return redirect(url_for("intake.detail", patient_id=patient_id, episode_id=episode_id))
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return _render_form(episode.patient, form, episode, conflict, status)


@bp.post("/<int:episode_id>/acknowledge")
@roles_required(*CLINICAL_ROLES)
def acknowledge(patient_id: int, episode_id: int):
    episode = load_episode(patient_id, episode_id, for_update=True)
    form = AcknowledgeRedFlagsForm()
    if not form.validate_on_submit():
        return _render_detail(episode, form), 422
    try:
        acknowledge_red_flags(episode, note=form.note.data, actor=current_user)
    except IntakeError as error:
        form.note.errors.append(str(error))
        return _render_detail(episode, form), 422
    flash(_("Red flags acknowledged."), "success")
    return redirect(url_for("intake.detail", patient_id=patient_id, episode_id=episode_id))


@bp.route("/<int:episode_id>/close", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def close(patient_id: int, episode_id: int):
    episode = load_episode(patient_id, episode_id, for_update=request.method == "POST")
    form = CloseEpisodeForm()
    if form.validate_on_submit():
        try:
            close_episode(
                episode,
                closed_on=form.closed_on.data,
                reason=form.close_reason.data,
                note=form.close_note.data,
                actor=current_user,
            )
        except IntakeError as error:
            form.closed_on.errors.append(str(error))
        else:
            flash(_("Episode closed."), "success")
            return redirect(url_for("chart.patient", patient_id=patient_id))
    return render_template(
        "intake/close.html", form=form, episode=episode, patient=episode.patient
    ), 422 if form.is_submitted() else 200


@bp.post("/<int:episode_id>/reopen")
@roles_required(*CLINICAL_ROLES)
def reopen(patient_id: int, episode_id: int):
    episode = load_episode(patient_id, episode_id, for_update=True)
    reopen_episode(episode, actor=current_user)
    flash(_("Episode reopened."), "success")
    return redirect(url_for("intake.detail", patient_id=patient_id, episode_id=episode_id))


def _render_form(patient, form, episode, conflict, status, *, onset_age=None):
    return render_template(
        "intake/form.html",
        patient=patient,
        form=form,
        episode=episode,
        conflict=conflict,
        onset_age=onset_age,
        banners=patient_banners(patient, clinical=True),
        vocab=vocab,
    ), status


def _render_detail(episode: Episode, ack_form):
    patient = episode.patient
    return render_template(
        "intake/detail.html",
        episode=episode,
        patient=patient,
        ack_form=ack_form,
        vocab=vocab,
        banners=patient_banners(patient, clinical=True),
        consent=current_consent(patient),
    )
