"""The export URLs. Each is a GET whose only side effect is its audit row."""

import re

from flask import Blueprint, abort, current_app, request
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.dates import clinic_today
from tracker.exports.formats import FORMATS, ExportOptions
from tracker.patients.queries import load_patient
from tracker.permissions import CLINICAL_ROLES, roles_required

bp = Blueprint("exports", __name__)


@bp.get("/patients/<int:patient_id>/export.<fmt>")
@roles_required(*CLINICAL_ROLES)
def patient_export(patient_id: int, fmt: str):
    """The patient's record as a file: ``?points=1`` and ``?excel=1`` where they apply."""
    export = FORMATS.get(fmt)
    if export is None:
        abort(404)
    options = ExportOptions(points=_flag("points"), excel=_flag("excel"))
    patient = load_patient(patient_id)
    body = export.render(patient, options)
    record_event("patient.export", actor=current_user, entity=patient, patient_id=patient.id,
                 details={"format": fmt, "points": options.points, "excel": options.excel})
    return attachment(body, export.mimetype,
                      f"{patient.chart_number}-{clinic_today().isoformat()}.{export.extension}")


def attachment(body: bytes, mimetype: str, filename: str):
    """A download: never shown in the browser, never cached (security.py adds no-store)."""
    response = current_app.response_class(body, mimetype=mimetype)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)  # a chart number is the clinic's text
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


def _flag(name: str) -> bool:
    """A yes/no query parameter: 1 or 0 (or absent); anything else is a 400."""
    value = request.args.get(name, "0")
    if value not in ("0", "1"):
        abort(400, description=f"{name} takes 1 or 0.")
    return value == "1"
