from flask import Blueprint, render_template, request
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.fields import page_number
from tracker.patients.forms import ArchiveForm
from tracker.patients.queries import load_patient
from tracker.patients.services import current_consent, patient_banners
from tracker.permissions import PATIENT_ROLES, roles_required
from tracker.safety.services import patient_adverse_events
from tracker.sessions.queries import timeline_page
from tracker.transactions import plans_reused

bp = Blueprint("chart", __name__)


@bp.get("/<int:patient_id>")
@roles_required(*PATIENT_ROLES)
@plans_reused  # everything on it is read by the patient's id
def patient(patient_id: int):
    record = load_patient(patient_id)
    record_event("patient.view", actor=current_user, entity=record, patient_id=record.id)
    clinical = current_user.can_read_clinical
    return render_template(
        "chart/patient.html",
        timeline=timeline_page(record.id, page_number(request.args.get("page")))
        if clinical else None,
        adverse_events=patient_adverse_events(record.id) if clinical else [],
        patient=record,
        clinical=clinical,
        banners=patient_banners(record, clinical=clinical),
        consent=current_consent(record),
        archive_form=ArchiveForm(),
        episodes=record.episodes if clinical else [],
    )
