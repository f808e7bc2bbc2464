"""The export URLs. Each is a GET whose only side effect is its audit row."""

import json
import re

from flask import Blueprint, current_app
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.dates import clinic_today
from tracker.exports.patient_json import patient_record
from tracker.patients.queries import load_patient
from tracker.permissions import CLINICAL_ROLES, roles_required

bp = Blueprint("exports", __name__)


@bp.get("/patients/<int:patient_id>/export.json")
@roles_required(*CLINICAL_ROLES)
def patient_json(patient_id: int):
    patient = load_patient(patient_id)
    body = json.dumps(patient_record(patient), ensure_ascii=False, indent=2)
    record_event("patient.export", actor=current_user, entity=patient, patient_id=patient.id,
                 details={"format": "json"})
    return attachment(body, "application/json",
                      f"{patient.chart_number}-{clinic_today().isoformat()}.json")


def attachment(body: str, mimetype: str, filename: str):
    """A download: never shown in the browser, never cached (security.py adds no-store)."""
    response = current_app.response_class(body, mimetype=mimetype)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)  # a chart number is the clinic's text
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
