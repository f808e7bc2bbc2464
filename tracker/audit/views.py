"""The clinic's audit log, for admins."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.fields import page_number, parse_id
from tracker.permissions import Role, roles_required

bp = Blueprint("audit", __name__)


@bp.get("/")
@roles_required(Role.ADMIN)
def index():
    stmt = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.user))
        .where(AuditEvent.clinic_id == current_user.clinic_id)
        .order_by(AuditEvent.id.desc())
    )
    patient_id = parse_id(request.args.get("patient_id"))
    if patient_id:
        stmt = stmt.where(AuditEvent.patient_id == patient_id)
    pagination = db.paginate(stmt, page=page_number(request.args.get("page")),
                             per_page=current_app.config["PATIENTS_PER_PAGE"] * 2,
                             error_out=False)
    return render_template("audit/index.html", pagination=pagination, patient_id=patient_id)
