"""The home-care sheet and the referral letter: each a print view and a PDF (documents.py),
audited like every export. Registered on the exports blueprint by views.py."""

from flask import abort, render_template, request, url_for
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.dates import clinic_today
from tracker.exports.downloads import attachment
from tracker.exports.letter_forms import ReferralForm
from tracker.exports.letters import home_care_html, newest_record, referral_draft, referral_html
from tracker.exports.pdf import PdfUnavailable, html_to_pdf
from tracker.fields import parse_id
from tracker.patients.queries import load_patient
from tracker.patients.services import patient_banners


def home_care(patient_id: int):
    """The home-care sheet as a page to read or print."""
    patient = load_patient(patient_id)
    record_event("patient.home_care_view", actor=current_user, entity=patient,
                 patient_id=patient.id)
    return home_care_html(
        patient, pdf=False, back_url=url_for("chart.patient", patient_id=patient.id),
        pdf_url=url_for("exports.home_care_pdf", patient_id=patient.id))


def home_care_pdf(patient_id: int):
    patient = load_patient(patient_id)
    return _pdf_download(patient, home_care_html(patient, pdf=True), "home_care",
                         f"{patient.chart_number}-home-care")


def referral(patient_id: int):
    """The referral form (drafted from the record); posted, the letter to print or as a PDF."""
    patient = load_patient(patient_id)
    record = newest_record(patient, _episode_asked())
    if record is None:
        abort(404)
    form = ReferralForm()
    if request.method == "GET":
        form.process(data=referral_draft(record))
    elif form.validate_on_submit():
        letter = form.letter()
        if form.download.data:
            html = referral_html(patient, record, letter, pdf=True, author=current_user.name)
            return _pdf_download(patient, html, "referral_letter",
                                 f"{patient.chart_number}-referral")
        record_event("patient.referral_view", actor=current_user, entity=patient,
                     patient_id=patient.id)
        return referral_html(patient, record, letter, pdf=False, author=current_user.name,
                             back_url=url_for("exports.referral", patient_id=patient.id,
                                              episode=record.episode.id))
    return render_template(
        "exports/referral_form.html", patient=patient, record=record, form=form,
        banners=patient_banners(patient, clinical=True),
    ), 422 if form.is_submitted() else 200


def _pdf_download(patient, html: str, document: str, name: str):
    try:
        body = html_to_pdf(html)
    except PdfUnavailable as error:
        abort(503, description=str(error))
    record_event("patient.export", actor=current_user, entity=patient, patient_id=patient.id,
                 details={"format": "pdf", "document": document})
    return attachment(body, "application/pdf", f"{name}-{clinic_today().isoformat()}.pdf")


def _episode_asked() -> int | None:
    """``?episode=<id>`` in ASCII digits (else 404), or none: the newest episode."""
    asked = request.args.get("episode")
    if asked is None:
        return None
    episode_id = parse_id(asked)
    if episode_id is None:
        abort(404)
    return episode_id
