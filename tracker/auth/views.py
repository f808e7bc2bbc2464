"""Login, logout and the user's own account: password and practitioner background."""

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from tracker.auth.forms import BackgroundForm, ChangePasswordForm, LoginForm
from tracker.auth.services import (
    AccountError,
    attempt_login,
    change_password,
    end_login_session,
    update_background,
)
from tracker.i18n import _
from tracker.permissions import CLINICAL_ROLES, roles_required
from tracker.redirects import safe_next_url
from tracker.transactions import keep_refused_work

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if form.is_submitted() else 200
    config = current_app.config
    result = attempt_login(
        form.email.data,
        form.password.data,
        remote_addr=request.remote_addr or "unknown",
        max_failures=config["LOGIN_MAX_FAILURES"],
        window=timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]),
    )
    # A refused login keeps its attempt and audit row: they are what throttling counts.
    keep_refused_work()
    if result.throttled:
        form.password.errors.append(
            _("Too many failed attempts. Wait a few minutes before trying again.")
        )
        return render_template("auth/login.html", form=form), 429
    if result.user is None:
        form.password.errors.append(_("Email or password is not correct."))
        return render_template("auth/login.html", form=form), 401
    session.clear()  # a fresh session on login: nothing from before survives
    result.user.signed_in_with(result.token)
    login_user(result.user)
    # "/" is each role's landing page: the dashboard, or the patient list for reception.
    return redirect(safe_next_url(request.args.get("next")) or url_for("main.home"))


@bp.post("/logout")
@login_required
def logout():
    end_login_session(current_user.login_session, reason="logout")
    logout_user()
    session.clear()
    flash(_("You have logged out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_own_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(
                current_user,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
                keep_session=current_user.login_session,
            )
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            flash(
                _("Your password has been changed. Other devices have been logged out."), "success"
            )
            return redirect(url_for("patients.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/account/background", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def edit_own_background():
    form = BackgroundForm(obj=current_user)
    if form.validate_on_submit():
        try:
            update_background(current_user, **form.values(), actor=current_user)
        except AccountError as error:
            form[error.field or "qualification"].errors.append(str(error))
        else:
            flash(_("Your background has been saved."), "success")
            return redirect(url_for("auth.edit_own_background"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/background.html", form=form), status
