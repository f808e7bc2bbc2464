"""The needle timer's buttons on a saved draft: "needles in" and "needles out".

A script's fetch (``Accept: application/json``) gets the timer as it now stands: its HTML
for the session form, the form fields the step changed and the draft's new version. A plain
form post (the note page, no JavaScript) gets a redirect back with the outcome flashed. On
the session form the buttons are the form's own actions: without JavaScript they save the
draft first, then take the step (``after_save``); the script posts here instead, so nothing
typed on the form is lost.
"""

from flask import abort, flash, get_template_attribute, jsonify, redirect, request, url_for
from flask_login import current_user

from tracker.conflicts import EditConflict
from tracker.dates import clinic_zone
from tracker.db_types import utcnow
from tracker.fields import parse_id
from tracker.i18n import _, format_datetime, ngettext
from tracker.redirects import safe_next_url
from tracker.sessions import timer
from tracker.sessions.models import TreatmentSession
from tracker.sessions.queries import load_session
from tracker.sessions.services import SessionError

# The session form's buttons (``name="action"``) that are timer steps.
FORM_ACTIONS = ("needles_in", "needles_out")


def needles_in(patient_id: int, session_id: int):
    return _step(patient_id, session_id, "needles_in")


def needles_out(patient_id: int, session_id: int):
    return _step(patient_id, session_id, "needles_out")


def after_save(visit: TreatmentSession, action: str):
    """After the session form saved ``visit``: take the timer step its button asked for and
    come back to the form at the timer; None when the button was not a timer step."""
    if action not in FORM_ACTIONS:
        return None
    try:
        flash(_take(visit, action, version=visit.version, retention=None), "success")
    except SessionError as error:
        flash(str(error), "warning")
    return redirect(url_for("sessions.edit", patient_id=visit.patient_id, session_id=visit.id,
                            _anchor="needle-timer"))


def _step(patient_id: int, session_id: int, action: str):
    visit = load_session(patient_id, session_id, for_update=True)
    version = parse_id(request.form.get("version"))
    if version is None:
        return _refused(visit, _("The page is out of date: reload it and try again."), 400)
    try:
        message = _take(visit, action, version=version,
                        retention=parse_id(request.form.get("retention_minutes")))
    except EditConflict:
        return _refused(visit, _("Someone changed this session meanwhile: the timer below "
                                 "is as it stands now. Press again if still needed."), 409)
    except SessionError as error:
        return _refused(visit, str(error), 409)
    if _wants_json():
        return jsonify(_answer(visit, message))
    flash(message, "success")
    return _back(visit)


def _take(visit: TreatmentSession, action: str, *, version: int, retention: int | None) -> str:
    """Take the step now; the message saying what was recorded."""
    if action == "needles_in":
        timer.needles_in(visit, at=utcnow(), actor=current_user, version=version,
                         retention_minutes=retention)
        return ngettext("Needles in at %(time)s: the timer counts down %(num)d minute.",
                        "Needles in at %(time)s: the timer counts down %(num)d minutes.",
                        timer.planned_minutes(visit.retention_minutes),
                        time=format_datetime(visit.inserted_at, "HH:mm"))
    measured = timer.needles_out(visit, at=utcnow(), actor=current_user, version=version)
    if not measured:
        return _("Needles out at %(time)s. They were marked in for more than %(most)s "
                 "minutes: check the times on the form and type the retention.",
                 time=format_datetime(visit.removed_at, "HH:mm"),
                 most=timer.MAX_RETENTION_MINUTES)
    return ngettext("Needles out at %(time)s, after %(num)d minute.",
                    "Needles out at %(time)s, after %(num)d minutes.", visit.retention_minutes,
                    time=format_datetime(visit.removed_at, "HH:mm"))


def _refused(visit: TreatmentSession, message: str, status: int):
    if _wants_json():
        return jsonify({**_answer(visit, message), "error": True}), status
    if status == 400:
        abort(400)
    flash(message, "warning")
    return _back(visit)


def _answer(visit: TreatmentSession, message: str) -> dict:
    """What the session form's script needs: the timer's HTML, the fields the step filled
    (clinic times to the minute, as the form shows them) and the version to save against."""
    zone = clinic_zone()

    def clock(moment):
        return moment.astimezone(zone).strftime("%H:%M") if moment else ""

    def count(value):
        return "" if value is None else str(value)

    render = get_template_attribute("sessions/_needle_timer.html", "needle_timer")
    state = timer.needle_timer(visit)
    return {
        "message": message,
        "state": state.state,
        "version": visit.version,
        "html": str(render(state, visit.patient_id, visit.id)),
        "fields": {
            "inserted_time": clock(visit.inserted_at),
            "removed_time": clock(visit.removed_at),
            "retention_minutes": count(visit.retention_minutes),
            "needles_inserted": count(visit.needles_inserted),
            "needles_removed": count(visit.needles_removed),
        },
    }


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) \
        == "application/json"


def _back(visit: TreatmentSession):
    default = url_for("sessions.detail", patient_id=visit.patient_id, session_id=visit.id,
                      _anchor="needle-timer")
    return redirect(safe_next_url(request.form.get("next")) or default)
