"""The clinic's audit log, for admins."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.audit.models import AuditEvent
from tracker.fields import parse_id
from tracker.paging import keyset_page
from tracker.permissions import Role, roles_required

bp = Blueprint("audit", __name__)


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    stmt = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.user))
        .where(AuditEvent.clinic_id == current_user.clinic_id)
    )
    patient_id = parse_id(request.args.get("patient_id"))
    if patient_id:
        stmt = stmt.where(AuditEvent.patient_id == patient_id)
    events = keyset_page(stmt, AuditEvent.id, before=parse_id(request.args.get("before")),
                         after=parse_id(request.args.get("after")),
                         per_page=current_app.config["PATIENTS_PER_PAGE"] * 2)
    return render_template("audit/index.html", events=events, patient_id=patient_id)
