"""The clinic's protocols: list, create, edit, retire. Built-in protocols are read-only."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.fields import page_number
from tracker.i18n import _
from tracker.permissions import CLINICAL_ROLES, roles_required
from tracker.points import row_schema
from tracker.points.services import rows_from_shorthand
from tracker.points.shorthand import to_shorthand
from tracker.protocols.builtin import BUILTIN_PROTOCOLS
from tracker.protocols.forms import ProtocolForm
from tracker.protocols.models import Protocol
from tracker.protocols.queries import load_protocol
from tracker.protocols.services import (
    ProtocolError,
    protocols_page,
    retire_protocol,
    save_protocol,
)

bp = Blueprint("protocols", __name__)


@bp.get("/")
@roles_required(*CLINICAL_ROLES)
def index():
    return render_template(
        "protocols/index.html",
        builtins=list(BUILTIN_PROTOCOLS.values()),
        protocols=protocols_page(current_user.clinic_id, page_number(request.args.get("page"))),
        shorthand=to_shorthand,
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def create():
    return _edit(None)


@bp.route("/<int:protocol_id>/edit", methods=["GET", "POST"])
@roles_required(*CLINICAL_ROLES)
def edit(protocol_id: int):
    protocol = load_protocol(protocol_id)
    if protocol.is_retired:
        abort(404)
    return _edit(protocol)


@bp.post("/<int:protocol_id>/retire")
@roles_required(*CLINICAL_ROLES)
def retire(protocol_id: int):
    protocol = load_protocol(protocol_id)
    retire_protocol(protocol, actor=current_user)
    flash(_("Protocol “%(name)s” retired. Sessions that used it keep its name.",
            name=protocol.name), "success")
    return redirect(url_for("protocols.index"))


def _edit(protocol: Protocol | None):
    form = ProtocolForm()
    if not form.is_submitted() and protocol is not None:
        form.name.data, form.description.data = protocol.name, protocol.description
        form.points.data = to_shorthand(_rows(protocol))
    if form.validate_on_submit():
        rows, parsed = rows_from_shorthand(form.points.data)
        # A protocol's rows obey the same rules as a session's (a depth a needle can reach).
        problems = [message for row in rows
                    for _field, message in row_schema.check_row(row, row["point"])]
        if not parsed.ok or problems:
            form.points.errors.extend([*parsed.errors, *problems])
        else:
            try:
                saved = save_protocol(
                    current_user.clinic_id,
                    name=form.name.data,
                    description=form.description.data,
                    rows=rows,
                    actor=current_user,
                    protocol=protocol,
                )
            except ProtocolError as error:
                form.name.errors.append(str(error))
            else:
                flash(_("Protocol “%(name)s” saved.", name=saved.name), "success")
                return redirect(url_for("protocols.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("protocols/form.html", form=form, protocol=protocol), status


def _rows(protocol: Protocol) -> list[dict]:
    return [row_schema.row_from_model(row, row_schema.PROTOCOL_ROW) for row in protocol.points]
