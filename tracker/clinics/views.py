"""Clinic settings and staff accounts (admin only)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.forms import BackgroundForm
from tracker.auth.models import User
from tracker.auth.services import AccountError, create_user, set_user_active, update_background
from tracker.clinics.forms import ClinicSettingsForm, StaffForm
from tracker.clinics.queries import load_staff
from tracker.clinics.services import ClinicError, update_clinic_settings
from tracker.extensions import db
from tracker.i18n import _
from tracker.permissions import Role, roles_required

bp = Blueprint("clinics", __name__)


@bp.get("/staff")
@roles_required(Role.ADMIN)
def staff():
    users = db.session.scalars(
        select(User).where(User.clinic_id == current_user.clinic_id).order_by(User.name)
    ).all()
    return render_template("clinics/staff.html", users=users)


@bp.route("/staff/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_staff():
    form = StaffForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user.clinic,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                actor=current_user,
                qualification=form.qualification.data,
                practising_since=form.practising_since.data,
                training=form.training.data,
            )
        except AccountError as error:
            form[error.field or "email"].errors.append(str(error))
        else:
            flash(_("Account created for %(name)s.", name=user.name), "success")
            return redirect(url_for("clinics.staff"))
    return render_template(
        "clinics/staff_form.html", form=form
    ), 422 if form.is_submitted() else 200


@bp.route("/staff/<int:user_id>/background", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_staff_background(user_id: int):
    user = load_staff(user_id)
    form = BackgroundForm(obj=user)
    if form.validate_on_submit():
        try:
            update_background(user, **form.values(), actor=current_user)
        except AccountError as error:
            form[error.field or "qualification"].errors.append(str(error))
        else:
            flash(_("Background saved for %(name)s.", name=user.name), "success")
            return redirect(url_for("clinics.staff"))
    return render_template(
        "clinics/staff_background.html", form=form, user=user
    ), 422 if form.is_submitted() else 200


@bp.post("/staff/<int:user_id>/active/<string:state>")
@roles_required(Role.ADMIN)
def set_staff_active(user_id: int, state: str):
    if state not in ("on", "off"):
        abort(404)
    user = load_staff(user_id)
    try:
        set_user_active(user, state == "on", actor=current_user)
    except AccountError as error:
        flash(str(error), "danger")
        return redirect(url_for("clinics.staff"))
    if user.active:
        flash(_("%(name)s is now active.", name=user.name), "success")
    else:
        flash(_("%(name)s is now deactivated.", name=user.name), "success")
    return redirect(url_for("clinics.staff"))


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings():
    clinic = current_user.clinic
    form = ClinicSettingsForm(obj=clinic)
    if form.validate_on_submit():
        try:
            update_clinic_settings(
                clinic,
                name=form.name.data,
                timezone=form.timezone.data,
                chart_prefix=form.chart_prefix.data,
                address=form.address.data or "",
                phone=form.phone.data or "",
                email=form.email.data or "",
                actor=current_user,
            )
        except ClinicError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("Clinic settings saved."), "success")
            return redirect(url_for("clinics.settings"))
    return render_template("clinics/settings.html", form=form), 422 if form.is_submitted() else 200
