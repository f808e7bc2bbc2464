"""Adverse events reported between visits (those during a session are recorded on its page,
by the sessions blueprint)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.i18n import _
from tracker.patients.queries import load_patient
from tracker.patients.services import patient_banners
from tracker.permissions import CLINICAL_ROLES, roles_required
from tracker.safety.forms import AdverseEventForm
from tracker.safety.services import SafetyError, record_adverse_event

bp = Blueprint("safety", __name__)


@bp.route("/patients/<int:patient_id>/adverse-events/new", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def record_between_visits(patient_id: int):
    """An adverse event reported between visits (not tied to one session)."""
    patient = load_patient(patient_id)
    form = AdverseEventForm()
    form.point_application_id.choices = [("", _("None"))]
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
            flash(_("Adverse event recorded."), "success")
            return redirect(url_for("chart.patient", patient_id=patient.id) + "#adverse-events")
    return render_template(
        "safety/adverse_event_form.html", form=form, patient=patient,
        banners=patient_banners(patient, clinical=True),
    ), 422 if form.is_submitted() else 200
