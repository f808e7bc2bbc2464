"""Adverse events between visits, and the clinic's adverse-event report."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.patients.queries import load_patient
from tracker.patients.services import patient_banners
from tracker.permissions import CLINICAL_ROLES, roles_required
from tracker.safety.forms import AdverseEventForm, ReportPeriodForm, adverse_event_form_for
from tracker.safety.services import SafetyError, adverse_event_report, record_adverse_event
from tracker.sessions.views import load_session, render_session_page
from tracker.transactions import keep_refused_work

bp = Blueprint("safety", __name__)


@bp.route("/patients/<int:patient_id>/adverse-events/new", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def record_between_visits(patient_id: int):
    """An adverse event reported between visits (not tied to one session)."""
    patient = load_patient(patient_id)
    form = AdverseEventForm()
    form.point_application_id.choices = [("", "None")]
    if form.validate_on_submit():
        zone = ZoneInfo(current_user.clinic.timezone)
        onset = datetime.combine(form.onset_date.data,
                                 form.onset_time.data or datetime.min.time(), zone)
        try:
            record_adverse_event(patient, actor=current_user, code=form.code.data,
                                 severity=form.severity.data, onset_at=onset,
                                 description=form.description.data,
                                 action_taken=form.action_taken.data, outcome=form.outcome.data)
        except SafetyError as error:
            form.code.errors.append(str(error))
        else:
            flash("Adverse event recorded.", "success")
            return redirect(url_for("chart.patient", patient_id=patient.id) + "#adverse-events")
    return render_template(
        "safety/adverse_event_form.html", form=form, patient=patient,
        banners=patient_banners(patient, clinical=True),
    ), 422 if form.is_submitted() else 200


@bp.post("/patients/<int:patient_id>/sessions/<int:session_id>/adverse-events")
@roles_required(*CLINICAL_ROLES)
def record_on_session(patient_id: int, session_id: int):
    """An adverse event during a session; also allowed after the note is signed."""
    visit = load_session(patient_id, session_id)
    form = adverse_event_form_for(visit)
    if not form.validate_on_submit():
        return render_session_page(visit, ae_form=form), 422
    zone = ZoneInfo(current_user.clinic.timezone)
    link = form.point_application_id.data or ""
    linked = next((row for row in visit.points if str(row.id) == link), None)
    technique = link.removeprefix("adjunct:") if link.startswith("adjunct:") else ""
    onset = datetime.combine(form.onset_date.data,
                             form.onset_time.data or visit.started_at.astimezone(zone).time(), zone)
    try:
        record_adverse_event(visit.patient, actor=current_user, visit=visit, code=form.code.data,
                             severity=form.severity.data, onset_at=onset,
                             description=form.description.data,
                             action_taken=form.action_taken.data, outcome=form.outcome.data,
                             point_application=linked, technique=technique)
    except SafetyError as error:
        form.code.errors.append(str(error))
        return render_session_page(visit, ae_form=form), 422
    flash("Adverse event recorded.", "success")
    return redirect(url_for("sessions.detail", patient_id=patient_id, session_id=session_id)
                    + "#adverse-events")


@bp.get("/safety/report")
@roles_required(*CLINICAL_ROLES)
def report():
    """Adverse events per 1,000 sessions by type and severity, with reference rates."""
    zone = ZoneInfo(current_user.clinic.timezone)
    today = datetime.now(zone).date()
    form = ReportPeriodForm(request.args)
    if not request.args:
        form.start.data, form.end.data = today - timedelta(days=365), today
    valid = form.validate()
    start: date = form.start.data if valid else today - timedelta(days=365)
    end: date = form.end.data if valid else today
    result = adverse_event_report(current_user.clinic_id, start, end, zone)
    record_event("report.adverse_events", actor=current_user,
                 details={"start": start.isoformat(), "end": end.isoformat()})
    if not valid and request.args:
        keep_refused_work()  # the default range was shown despite the bad dates: audited
    return render_template("safety/report.html", form=form, report=result), \
        200 if valid or not request.args else 422
