"""A session's note: its page, signing, amending a signed note, and adverse events on it."""

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.conflicts import EditConflict
from tracker.dates import clinic_zone
from tracker.fields import parse_id
from tracker.i18n import _
from tracker.patients.services import patient_banners
from tracker.points import row_schema
from tracker.points.body_chart import session_chart
from tracker.safety.forms import adverse_event_form_for
from tracker.safety.services import SafetyError, record_adverse_event, session_adverse_events
from tracker.sessions.forms import AmendForm, SignForm
from tracker.sessions.models import TreatmentSession
from tracker.sessions.queries import load_session
from tracker.sessions.services import (
    AMENDABLE_FIELDS,
    SessionError,
    SigningRefused,
    amend_session,
    amended_fields,
    effective_values,
    sign_session,
    signing_problems,
)
from tracker.sessions.timer import needle_timer
from tracker.transactions import keep_refused_work


def detail(patient_id: int, session_id: int):
    visit = load_session(patient_id, session_id)
    record_event("session.view", actor=current_user, entity=visit, patient_id=patient_id)
    return render_session_page(visit)


def sign(patient_id: int, session_id: int):
    visit = load_session(patient_id, session_id, for_update=True)
    form = SignForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sign_session(visit, actor=current_user, decisions=_caution_decisions(visit),
                     expected_version=form.expected_version())
    except EditConflict as conflict:  # changed since it was read: show it, sign nothing
        return render_session_page(visit, conflict=conflict), 409
    except SigningRefused as refused:
        keep_refused_work()  # the cautions signing found and the decisions made stay
        return render_session_page(visit, sign_problems=refused.problems), 422
    except SessionError as error:
        flash(str(error), "info")
        return redirect(url_for("sessions.detail", patient_id=patient_id, session_id=session_id))
    flash(_("Note signed. From now on it changes only through amendments."), "success")
    return redirect(url_for("sessions.detail", patient_id=patient_id, session_id=session_id))


def amend(patient_id: int, session_id: int):
    visit = load_session(patient_id, session_id, for_update=request.method == "POST")
    if not visit.is_signed:
        return redirect(url_for("sessions.edit", patient_id=patient_id, session_id=session_id))
    conflict = None
    if request.method == "GET":
        form = AmendForm(data={**effective_values(visit),
                               "amendments_seen": len(visit.amendments)})
    else:
        form = AmendForm()
    if form.validate_on_submit():
        try:
            amend_session(visit, reason=form.reason.data, values=form.amended_values(),
                          actor=current_user,
                          amendments_seen=parse_id(form.amendments_seen.data or ""))
        except EditConflict as error:
            conflict = error
            form.amendments_seen.data = error.current_version
        except SessionError as error:
            form.reason.errors.append(str(error))
        else:
            flash(_("Amendment recorded. The signed original is kept with it."), "success")
            return redirect(
                url_for("sessions.detail", patient_id=patient_id, session_id=session_id)
            )
    return render_template(
        "sessions/amend.html",
        form=form,
        visit=visit,
        conflict=conflict,
        patient=visit.patient,
        banners=patient_banners(visit.patient, clinical=True),
    ), 409 if conflict else 422 if form.is_submitted() else 200


def record_adverse_event_on(patient_id: int, session_id: int):
    """An adverse event during a session; also allowed after the note is signed."""
    visit = load_session(patient_id, session_id)
    form = adverse_event_form_for(visit)
    if not form.validate_on_submit():
        return render_session_page(visit, ae_form=form), 422
    zone = clinic_zone()
    link = form.point_application_id.data or ""
    onset = datetime.combine(form.onset_date.data,
                             form.onset_time.data or visit.started_at.astimezone(zone).time(), zone)
    try:
        record_adverse_event(
            visit.patient, actor=current_user, visit=visit, code=form.code.data,
            severity=form.severity.data, onset_at=onset, description=form.description.data,
            action_taken=form.action_taken.data, outcome=form.outcome.data,
            point_application=next((row for row in visit.points if str(row.id) == link), None),
            technique=link.removeprefix("adjunct:") if link.startswith("adjunct:") else "")
    except SafetyError as error:
        form.code.errors.append(str(error))
        return render_session_page(visit, ae_form=form), 422
    flash(_("Adverse event recorded."), "success")
    return redirect(url_for("sessions.detail", patient_id=patient_id, session_id=session_id)
                    + "#adverse-events")


def render_session_page(visit: TreatmentSession, *, sign_problems=None, ae_form=None,
                        conflict=None):
    patient = visit.patient
    return render_template(
        "sessions/detail.html",
        visit=visit,
        patient=patient,
        banners=patient_banners(patient, clinical=True),
        current=effective_values(visit),
        amended_fields=amended_fields(visit),
        amendable_fields=AMENDABLE_FIELDS,
        problems=sign_problems
        if sign_problems is not None
        else ([] if visit.is_signed else signing_problems(visit)),
        sign_form=SignForm(formdata=None, data={"version": visit.version}),
        conflict=conflict,
        ae_form=ae_form or adverse_event_form_for(visit),
        adverse_events=session_adverse_events(visit.id),
        needles=row_schema.needle_count(visit.points),
        body_chart=session_chart(visit.points),
        show_sign_problems=sign_problems is not None,
        # A draft's needles are in: the timer counts on this page too.
        timer=needle_timer(visit) if visit.inserted_at and not visit.is_signed else None,
    )


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
