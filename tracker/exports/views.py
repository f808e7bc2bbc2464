"""The export URLs. Each is a GET whose only side effect is its audit row."""


from flask import Blueprint, abort, request, url_for
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.dates import clinic_today
from tracker.exports import letter_views
from tracker.exports.documents import summary_html
from tracker.exports.downloads import attachment
from tracker.exports.formats import FORMATS, ExportOptions
from tracker.exports.pdf import PdfUnavailable
from tracker.exports.range_views import sessions_csv, sessions_page
from tracker.patients.queries import load_patient
from tracker.permissions import CLINICAL_ROLES, roles_required

bp = Blueprint("exports", __name__)
# The patient's letters (letter_views): the home-care sheet and the referral letter.
bp.add_url_rule("/patients/<int:patient_id>/home-care", "home_care",
                roles_required(*CLINICAL_ROLES)(letter_views.home_care))
bp.add_url_rule("/patients/<int:patient_id>/home-care.pdf", "home_care_pdf",
                roles_required(*CLINICAL_ROLES)(letter_views.home_care_pdf))
bp.add_url_rule("/patients/<int:patient_id>/referral", "referral",
                roles_required(*CLINICAL_ROLES)(letter_views.referral), methods=["GET", "POST"])
# The clinic-wide export (range_views): a page with the dates, and the CSV.
bp.add_url_rule("/exports/sessions", "sessions", roles_required(*CLINICAL_ROLES)(sessions_page))
bp.add_url_rule("/exports/sessions.csv", "sessions_csv",
                roles_required(*CLINICAL_ROLES)(sessions_csv))


@bp.get("/patients/<int:patient_id>/export.<fmt>")
@roles_required(*CLINICAL_ROLES)
def patient_export(patient_id: int, fmt: str):
    """The patient's record as a file: ``?points=1`` and ``?excel=1`` where they apply."""
    export = FORMATS.get(fmt)
    if export is None:
        abort(404)
    options = ExportOptions(points=_flag("points"), excel=_flag("excel"))
    patient = load_patient(patient_id)
    try:
        body = export.render(patient, options)
    except PdfUnavailable as error:
        abort(503, description=str(error))
    record_event("patient.export", actor=current_user, entity=patient, patient_id=patient.id,
                 details={"format": fmt, "points": options.points, "excel": options.excel})
    return attachment(body, export.mimetype,
                      f"{patient.chart_number}-{clinic_today().isoformat()}.{export.extension}")


@bp.get("/patients/<int:patient_id>/summary")
@roles_required(*CLINICAL_ROLES)
def summary(patient_id: int):
    """The treatment summary as a page to read or print: the PDF's own layout."""
    patient = load_patient(patient_id)
    record_event("patient.summary_view", actor=current_user, entity=patient,
                 patient_id=patient.id)
    return summary_html(
        patient, pdf=False, back_url=url_for("chart.patient", patient_id=patient.id),
        pdf_url=url_for("exports.patient_export", patient_id=patient.id, fmt="pdf"))


def _flag(name: str) -> bool:
    """A yes/no query parameter: 1 or 0 (or absent); anything else is a 400."""
    value = request.args.get(name, "0")
    if value not in ("0", "1"):
        abort(400, description=f"{name} takes 1 or 0.")
    return value == "1"
