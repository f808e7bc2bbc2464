"""Logging a treatment session, its page, signing, amending, and adverse events on it."""

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.audit.services import record_event
from tracker.conflicts import EditConflict
from tracker.extensions import db
from tracker.patients.queries import load_patient
from tracker.patients.services import current_consent, patient_banners
from tracker.permissions import CLINICAL_ROLES, roles_required
from tracker.points.services import point_choices
from tracker.protocols.services import protocol_choices, protocol_rows
from tracker.safety.cautions import CONTRAINDICATED
from tracker.safety.forms import adverse_event_form_for
from tracker.safety.models import AdverseEvent, SessionCaution
from tracker.safety.services import SafetyError
from tracker.sessions import vocab
from tracker.sessions.forms import AmendForm, SessionForm, SignForm
from tracker.sessions.models import Amendment, TreatmentSession
from tracker.sessions.queries import last_session
from tracker.sessions.services import (
    OverrideRequired,
    SessionError,
    SigningRefused,
    amend_session,
    amended_fields,
    effective_values,
    record_session,
    sign_session,
    signing_problems,
    update_draft,
)
from tracker.sessions.session_form import (
    apply_form_action,
    episode_choices,
    form_cautions,
    form_episode,
    prefill_from_session,
    prefill_new_session,
    row_cautions,
)
from tracker.transactions import keep_refused_work

bp = Blueprint("sessions", __name__)


def load_session(patient_id: int, session_id: int, *, for_update: bool = False) -> TreatmentSession:
    """The session if it belongs to this patient of the user's clinic, else 404."""
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
        stmt = stmt.with_for_update(of=TreatmentSession)
    visit = db.session.scalar(stmt)
    if visit is None:
        abort(404)
    set_committed_value(visit, "patient", patient)
    return visit


def _zone() -> ZoneInfo:
    return ZoneInfo(current_user.clinic.timezone)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def create(patient_id: int):
    patient = load_patient(patient_id)
    choices = episode_choices(patient)
    if not choices:
        flash("Record an intake first: a session belongs to an episode of care.", "warning")
        return redirect(url_for("intake.create", patient_id=patient.id))
    consent = current_consent(patient)
    if consent is None or not consent.given:
        flash("Record the patient's informed consent before the session.", "warning")
        return redirect(url_for("patients.consent", patient_id=patient.id,
                                next=url_for("sessions.create", patient_id=patient.id)))
    if request.method == "GET":
        form = prefill_new_session(patient, _zone(), request.args)
        form.episode_id.choices = choices
        return _render_form(patient, form, None)
    form = SessionForm()
    form.episode_id.choices = choices
    status = apply_form_action(form, request.form.get("action", "save"))
    if status is None and form.validate():
        try:
            visit = record_session(
                patient,
                form_episode(form, patient),
                practitioner=current_user,
                values=form.session_values(_zone()) | _protocol_values(form),
                points=form.point_values(),
                adjuncts=form.adjunct_values(),
                overrides=_overrides(form, patient),
            )
        except OverrideRequired as error:
            _require_override(form, error)
        else:
            flash("Session saved as a draft. Check it, then sign it.", "success")
            _flash_quick_entry_notices(form)
            return redirect(url_for("sessions.detail", patient_id=patient.id, session_id=visit.id))
    return _render_form(patient, form, None, status=status or 422)


@bp.post("/cautions")
@roles_required(*CLINICAL_ROLES)
def preview_cautions(patient_id: int):
    """The caution engine's answer for the session form as it stands (JSON, nothing saved)."""
    patient = load_patient(patient_id)
    form = SessionForm()
    form.episode_id.choices = episode_choices(patient)
    cautions = form_cautions(form, patient, _zone())
    by_row = row_cautions(form, cautions)
    return jsonify(
        rows={index: [{"severity": c.severity, "message": c.message} for c in found]
              for index, found in by_row.items()},
        cautions=[{"key": c.key, "rule": c.rule, "target": c.target, "severity": c.severity,
                   "message": c.message, "reason": c.reason, "source": c.source}
                  for c in cautions],
        html=render_template("sessions/_caution_list.html", cautions=cautions),
    )


@bp.get("/<int:session_id>")
@roles_required(*CLINICAL_ROLES)
def detail(patient_id: int, session_id: int):
    visit = load_session(patient_id, session_id)
    record_event("session.view", actor=current_user, entity=visit, patient_id=patient_id)
    return render_session_page(visit)


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def edit(patient_id: int, session_id: int):
    visit = load_session(patient_id, session_id, for_update=request.method == "POST")
    if visit.is_signed:
        flash("This note is signed. Corrections are made with an amendment.", "info")
        return redirect(url_for("sessions.amend", patient_id=patient_id, session_id=session_id))
    patient = visit.patient
    choices = episode_choices(patient, include=visit.episode)
    if request.method == "GET":
        form = prefill_from_session(visit, _zone())
        form.episode_id.choices = choices
        return _render_form(patient, form, visit)
    form = SessionForm()
    form.episode_id.choices = choices
    status = apply_form_action(form, request.form.get("action", "save"))
    conflict = None
    if status is None and form.validate():
        try:
            update_draft(
                visit,
                episode=form_episode(form, patient),
                values=form.session_values(_zone()),
                points=form.point_values(),
                adjuncts=form.adjunct_values(),
                expected_version=form.expected_version(),
                actor=current_user,
                overrides=_overrides(form, patient),
            )
        except EditConflict as error:
            conflict, status = error, 409
            form.version.data = error.current_version
        except OverrideRequired as error:
            _require_override(form, error)
        else:
            flash("Draft saved.", "success")
            _flash_quick_entry_notices(form)
            return redirect(url_for("sessions.detail", patient_id=patient_id, session_id=visit.id))
    return _render_form(patient, form, visit, status=status or 422, conflict=conflict)


@bp.post("/<int:session_id>/sign")
@roles_required(*CLINICAL_ROLES)
def sign(patient_id: int, session_id: int):
    visit = load_session(patient_id, session_id, for_update=True)
    if not SignForm().validate_on_submit():
        abort(400)
    decisions = _caution_decisions(visit)
    try:
        sign_session(visit, actor=current_user, decisions=decisions)
    except SigningRefused as refused:
        # Kept: cautions signing found (the intake may have changed since the draft was
        # saved) are stored as shown, and ticks and reasons are complete records on their
        # own, so the practitioner fixes only what is missing and never decides twice.
        record_event("session.sign_refused", actor=current_user, entity=visit,
                     patient_id=patient_id,
                     details={"problems": len(refused.problems), "decisions": len(decisions)})
        keep_refused_work()
        return render_session_page(visit, sign_problems=refused.problems), 422
    except SafetyError as error:
        # No decision was recorded (all or nothing); cautions signing found are kept.
        record_event("session.sign_refused", actor=current_user, entity=visit,
                     patient_id=patient_id, details={"problems": 1, "decisions": 0})
        keep_refused_work()
        return render_session_page(visit, sign_problems=[str(error)]), 422
    except SessionError as error:
        flash(str(error), "info")
        return redirect(url_for("sessions.detail", patient_id=patient_id, session_id=session_id))
    flash("Note signed. From now on it changes only through amendments.", "success")
    return redirect(url_for("sessions.detail", patient_id=patient_id, session_id=session_id))


@bp.route("/<int:session_id>/amend", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def amend(patient_id: int, session_id: int):
    visit = load_session(patient_id, session_id, for_update=request.method == "POST")
    if not visit.is_signed:
        return redirect(url_for("sessions.edit", patient_id=patient_id, session_id=session_id))
    current = effective_values(visit)
    form = AmendForm(data=current) if request.method == "GET" else AmendForm()
    if form.validate_on_submit():
        try:
            amend_session(
                visit, reason=form.reason.data, values=form.amended_values(), actor=current_user
            )
        except SessionError as error:
            form.reason.errors.append(str(error))
        else:
            flash("Amendment recorded. The signed original is kept with it.", "success")
            return redirect(
                url_for("sessions.detail", patient_id=patient_id, session_id=session_id)
            )
    return render_template(
        "sessions/amend.html",
        form=form,
        visit=visit,
        patient=visit.patient,
        banners=patient_banners(visit.patient, clinical=True),
    ), 422 if form.is_submitted() else 200


def _caution_decisions(visit: TreatmentSession) -> dict[int, tuple[str, str]]:
    """The sign form's ticks and reasons: ``ack-<id>`` acknowledges, ``reason-<id>`` overrides."""
    decisions = {}
    for row in visit.cautions:
        reason = request.form.get(f"reason-{row.id}", "").strip()[:1000]
        if reason:
            decisions[row.id] = ("overridden", reason)
        elif request.form.get(f"ack-{row.id}"):
            decisions[row.id] = ("acknowledged", "")
    return decisions


def _overrides(form: SessionForm, patient) -> dict[str, str]:
    """The form's one override reason, for every contraindication the form raises."""
    reason = form.override_reason.data or ""
    cautions = form_cautions(form, patient, _zone())
    return {c.key: reason for c in cautions if c.severity == CONTRAINDICATED}


def _flash_quick_entry_notices(form: SessionForm) -> None:
    """What the quick-entry parser did that the user should know (a side word kept off a
    midline point), shown on the next page after a save."""
    for notice in getattr(form, "quick_entry_notices", ()):
        flash(notice, "info")


def _require_override(form: SessionForm, error: OverrideRequired) -> None:
    form.override_reason.errors = [
        *form.override_reason.errors,
        "A contraindication needs your reason to go ahead (or remove it): "
        + " ".join(c.message for c in error.cautions),
    ]


def _protocol_values(form: SessionForm) -> dict:
    values = {"protocol_id": None, "protocol_name": "", "copied_from_id": None}
    found = (
        protocol_rows(form.protocol_key.data, current_user.clinic_id)
        if form.protocol_key.data
        else None
    )
    if found:
        values["protocol_name"], values["protocol_id"], _ = found
    if (form.copied_from_id.data or "").isdigit():
        values["copied_from_id"] = int(form.copied_from_id.data)
    return values


def _render_form(patient, form, visit, *, status=200, conflict=None):
    cautions = form_cautions(form, patient, _zone())
    return render_template(
        "sessions/form.html",
        patient=patient,
        form=form,
        visit=visit,
        conflict=conflict,
        banners=patient_banners(patient, clinical=True),
        protocol_options=protocol_choices(current_user.clinic_id),
        has_previous=visit is None and last_session(patient.id) is not None,
        point_options=point_choices(),
        adjunct_kinds=vocab.ADJUNCT_KINDS,
        cautions=cautions,
        row_cautions=row_cautions(form, cautions),
    ), status


def render_session_page(visit: TreatmentSession, *, sign_problems=None, ae_form=None):
    patient = visit.patient
    events = db.session.scalars(
        select(AdverseEvent)
        .where(AdverseEvent.session_id == visit.id)
        .options(joinedload(AdverseEvent.recorded_by))
        .order_by(AdverseEvent.id)
    ).all()
    return render_template(
        "sessions/detail.html",
        visit=visit,
        patient=patient,
        banners=patient_banners(patient, clinical=True),
        current=effective_values(visit),
        amended_fields=amended_fields(visit),
        problems=sign_problems
        if sign_problems is not None
        else ([] if visit.is_signed else signing_problems(visit)),
        sign_form=SignForm(),
        ae_form=ae_form or adverse_event_form_for(visit),
        adverse_events=events,
        show_sign_problems=sign_problems is not None,
    )
