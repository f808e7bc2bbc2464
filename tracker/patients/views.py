"""Patient list, registration, demographics, archiving and consent. The patient's own page,
which shows every feature's records, is the chart's (``tracker.chart``)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.audit.services import record_event
from tracker.conflicts import EditConflict
from tracker.fields import page_number
from tracker.i18n import _
from tracker.paging import counted_page, page_counted_apart
from tracker.patients.forms import ArchiveForm, ConsentForm, PageForm, PatientForm
from tracker.patients.queries import load_patient
from tracker.patients.services import (
    PatientError,
    archive_patient,
    create_patient,
    latest_consent_form_version,
    listed_patient_banners,
    patient_banners,
    record_consent,
    restore_patient,
    search_patients,
    update_patient,
)
from tracker.permissions import PATIENT_ROLES, roles_required
from tracker.redirects import safe_next_url

bp = Blueprint("patients", __name__)


# "/patients" and "/patients/" both answer (no redirect): the list is the app's home page.
@bp.get("/", strict_slashes=False)
@roles_required(*PATIENT_ROLES)
def index():
    form = PageForm(request.args)
    query = (form.q.data or "") if form.validate() else ""
    stmt = search_patients(current_user.clinic_id, query, archived=bool(form.archived.data))
    # A search reads its matches whatever the paging (a "contains" match, no index orders
    # it): page and total in one statement. The whole list is read in name order from an
    # index, which counts it too.
    paged = counted_page if query else page_counted_apart
    pagination = paged(stmt, page_number(request.args.get("page")),
                       current_app.config["PATIENTS_PER_PAGE"])
    badges = listed_patient_banners(pagination.items, clinical=current_user.can_read_clinical)
    # Who looked at which list page: counts, never the search text (it may hold a name).
    record_event("patient.list", actor=current_user,
                 details={"results": pagination.total, "page": pagination.page,
                          "searched": bool(query), "archived": bool(form.archived.data)})
    return render_template(
        "patients/index.html", form=form, pagination=pagination, query=query, badges=badges
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*PATIENT_ROLES)
def create():
    form = PatientForm()
    if form.validate_on_submit():
        try:
            patient = create_patient(
                current_user.clinic, actor=current_user, **form.patient_values()
            )
        except PatientError as error:
            form[error.field].errors.append(str(error))
        else:
            flash(_("Patient %(chart)s registered.", chart=patient.chart_number), "success")
            return redirect(url_for("chart.patient", patient_id=patient.id))
    return render_template(
        "patients/form.html", form=form, patient=None
    ), 422 if form.is_submitted() else 200


@bp.route("/<int:patient_id>/edit", methods=["GET", "POST"])
@roles_required(*PATIENT_ROLES)
def edit(patient_id: int):
    patient = load_patient(patient_id, for_update=request.method == "POST")
    form = PatientForm(obj=patient)
    conflict = None
    if request.method == "GET":
        form.version.data = patient.version
    elif form.validate_on_submit():
        try:
            changed = update_patient(
                patient,
                form.patient_values(),
                expected_version=form.expected_version(),
                actor=current_user,
            )
        except EditConflict as error:
            conflict = error
            form.version.data = error.current_version
        except PatientError as error:
            form[error.field].errors.append(str(error))
        else:
            flash(_("Patient details saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("chart.patient", patient_id=patient.id))
    status = 409 if conflict else 422 if form.is_submitted() else 200
    return render_template(
        "patients/form.html", form=form, patient=patient, conflict=conflict,
        clinical=current_user.can_read_clinical,
        banners=patient_banners(patient, clinical=current_user.can_read_clinical),
    ), status


@bp.post("/<int:patient_id>/archive")
@roles_required(*PATIENT_ROLES)
def archive(patient_id: int):
    patient = load_patient(patient_id, for_update=True)
    form = ArchiveForm()
    if not form.validate_on_submit():
        return render_template("patients/archive.html", form=form, patient=patient,
                               clinical=current_user.can_read_clinical,
                               banners=patient_banners(
                                   patient, clinical=current_user.can_read_clinical)), 422
    archive_patient(patient, reason=form.reason.data, actor=current_user)
    flash(
        _("Patient %(chart)s archived. Find it again with “Show archived”.",
          chart=patient.chart_number),
        "success",
    )
    return redirect(url_for("patients.index"))


@bp.post("/<int:patient_id>/restore")
@roles_required(*PATIENT_ROLES)
def restore(patient_id: int):
    patient = load_patient(patient_id, for_update=True)
    restore_patient(patient, actor=current_user)
    flash(_("Patient %(chart)s restored.", chart=patient.chart_number), "success")
    return redirect(url_for("chart.patient", patient_id=patient.id))


@bp.route("/<int:patient_id>/consent", methods=["GET", "POST"])
@roles_required(*PATIENT_ROLES)
def consent(patient_id: int):
    patient = load_patient(patient_id)
    form = ConsentForm()
    if form.validate_on_submit():
        record_consent(
            patient,
            given=form.given.data == "yes",
            consent_date=form.consent_date.data,
            form_version=form.form_version.data,
            witnessed_by=form.witnessed_by.data,
            notes=form.notes.data,
            actor=current_user,
        )
        flash(_("Consent recorded."), "success")
        # Coming from "New session", go on to it once consent is given.
        target = safe_next_url(request.args.get("next")) if form.given.data == "yes" else None
        return redirect(target or url_for("chart.patient", patient_id=patient.id))
    if not form.is_submitted():
        form.form_version.data = latest_consent_form_version(current_user.clinic_id)
    clinical = current_user.can_read_clinical
    return render_template(
        "patients/consent.html", form=form, patient=patient, clinical=clinical,
        banners=patient_banners(patient, clinical=clinical),
    ), 422 if form.is_submitted() else 200
