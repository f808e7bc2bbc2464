"""Recording a session: the new-session form, editing a draft, and the live caution preview.

Every button of the form works without JavaScript (``session_form.apply_form_action``);
saving goes through ``record_session`` or ``update_draft``.
"""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.conflicts import EditConflict
from tracker.dates import clinic_zone
from tracker.i18n import _
from tracker.patients.queries import load_patient
from tracker.patients.services import current_consent, patient_banners
from tracker.points import row_schema
from tracker.points.catalog_cache import point_datalist_options
from tracker.protocols.services import protocol_choices
from tracker.sessions import vocab
from tracker.sessions.forms import SessionForm
from tracker.sessions.queries import has_sessions, load_session
from tracker.sessions.services import (
    OverrideRequired,
    SessionError,
    record_session,
    update_draft,
)
from tracker.sessions.session_form import (
    apply_form_action,
    contraindication_overrides,
    episode_choices,
    form_body_chart,
    form_cautions,
    form_episode,
    point_row_template,
    prefill_from_session,
    prefill_new_session,
    provenance_values,
    quick_entry_cautions,
    quick_entry_rows,
    row_cautions,
)
from tracker.sessions.timer import keep_timer_seconds, needle_timer
from tracker.sessions.timer_views import after_save
from tracker.transactions import begin_writing


def create(patient_id: int):
    patient = load_patient(patient_id)
    choices = episode_choices(patient)
    if not choices:
        flash(_("Record an intake first: a session belongs to an episode of care."), "warning")
        return redirect(url_for("intake.create", patient_id=patient.id))
    consent = current_consent(patient)
    if consent is None or not consent.given:
        flash(_("Record the patient's informed consent before the session."), "warning")
        return redirect(url_for("patients.consent", patient_id=patient.id,
                                next=url_for("sessions.create", patient_id=patient.id)))
    if request.method == "GET":
        form, has_previous = prefill_new_session(patient, clinic_zone(), request.args)
        form.episode_id.choices = choices
        return _render_form(patient, form, None, has_previous=has_previous)
    form = SessionForm()
    form.episode_id.choices = choices
    action = request.form.get("action", "save")
    status = apply_form_action(form, action)
    if status is None and form.validate():
        try:
            values = form.session_values(clinic_zone()) | provenance_values(form, patient)
            overrides = contraindication_overrides(form, patient, clinic_zone())
            episode = form_episode(form, patient)
            # Checked while reading; the write lock is held from here to the commit only,
            # and what the record depends on (the episode still open, its intake for the
            # cautions) is read again.
            begin_writing(episode)
            if not episode.is_open:
                form.episode_id.choices = episode_choices(patient)
                form.episode_id.errors.append(_("This episode has just been closed. Choose "
                                                "another, or open a new one at intake."))
                return _render_form(patient, form, None, status=409)
            visit = record_session(
                patient,
                episode,
                practitioner=current_user,
                values=values,
                points=form.point_values(),
                adjuncts=form.adjunct_values(),
                overrides=overrides,
            )
        except OverrideRequired as error:
            form.require_override(error.cautions)
        except SessionError as error:
            form.copied_from_id.errors.append(str(error))
        else:
            flash(_("Session saved as a draft. Check it, then sign it."), "success")
            _flash_notices(form)
            return after_save(visit, action) or redirect(
                url_for("sessions.detail", patient_id=patient.id, session_id=visit.id))
    return _render_form(patient, form, None, status=status or 422)


def edit(patient_id: int, session_id: int):
    visit = load_session(patient_id, session_id, for_update=request.method == "POST")
    if visit.is_signed:
        flash(_("This note is signed. Corrections are made with an amendment."), "info")
        return redirect(url_for("sessions.amend", patient_id=patient_id, session_id=session_id))
    patient = visit.patient
    choices = episode_choices(patient, include=visit.episode)
    if request.method == "GET":
        form = prefill_from_session(visit, clinic_zone())
        form.episode_id.choices = choices
        return _render_form(patient, form, visit)
    form = SessionForm()
    form.episode_id.choices = choices
    action = request.form.get("action", "save")
    status = apply_form_action(form, action)
    conflict = None
    if status is None and form.validate():
        try:
            update_draft(
                visit,
                episode=form_episode(form, patient),
                values=keep_timer_seconds(visit, form.session_values(clinic_zone())),
                points=form.point_values(),
                adjuncts=form.adjunct_values(),
                expected_version=form.expected_version(),
                actor=current_user,
                overrides=contraindication_overrides(form, patient, clinic_zone()),
            )
        except EditConflict as error:
            conflict, status = error, 409
            form.version.data = error.current_version
        except OverrideRequired as error:
            form.require_override(error.cautions)
        else:
            flash(_("Draft saved."), "success")
            _flash_notices(form)
            return after_save(visit, action) or redirect(
                url_for("sessions.detail", patient_id=patient_id, session_id=visit.id))
    return _render_form(patient, form, visit, status=status or 422, conflict=conflict)


def preview_cautions(patient_id: int):
    """The caution engine's answer for the session form as it stands, the quick-entry text
    as typed included (JSON, nothing saved)."""
    patient = load_patient(patient_id)
    form = SessionForm()
    form.episode_id.choices = episode_choices(patient)
    typed = quick_entry_rows(form)
    cautions = form_cautions(form, patient, clinic_zone(), extra_rows=typed)
    by_row = row_cautions(form, cautions)
    return jsonify(
        rows={index: [{"severity": c.severity, "message": str(c.message)} for c in found]
              for index, found in by_row.items()},
        quick=[{"severity": c.severity, "message": str(c.message)}
               for c in quick_entry_cautions(typed, cautions)],
        cautions=[{"key": c.key, "rule": c.rule, "target": c.target, "severity": c.severity,
                   "message": str(c.message), "reason": str(c.reason), "source": str(c.source)}
                  for c in cautions],
        html=render_template("sessions/_caution_list.html", cautions=cautions),
    )


def _flash_notices(form: SessionForm) -> None:
    """What quick entry did that the user should know, shown on the next page."""
    for notice in form.quick_entry_notices:
        flash(str(notice), "info")


def _render_form(patient, form, visit, *, status=200, conflict=None,
                 has_previous: bool | None = None):
    """The session form's page. ``has_previous``: whether a new session's patient has an
    earlier one, when the caller knows already (else it is looked up)."""
    cautions = form_cautions(form, patient, clinic_zone())
    return render_template(
        "sessions/form.html",
        patient=patient,
        form=form,
        visit=visit,
        conflict=conflict,
        banners=patient_banners(patient, clinical=True),
        protocol_options=protocol_choices(current_user.clinic_id),
        has_previous=visit is None and (
            has_previous if has_previous is not None else has_sessions(patient.id)),
        point_options=point_datalist_options(),
        adjunct_kinds=vocab.ADJUNCT_KINDS,
        cautions=cautions,
        row_cautions=row_cautions(form, cautions),
        caution_fields=row_schema.CAUTION_CONTROLS,
        timer=needle_timer(visit, typed=form.retention_minutes.data),
        body_chart=form_body_chart(form),
        point_row_template=point_row_template(),
    ), status
