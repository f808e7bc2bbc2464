"""Optimistic locking for edit forms shared by every feature.

An edit form carries the ``version`` the record had when the form was loaded. If someone
saved in between, the save is refused with an ``EditConflict`` naming who changed what (from
the audit log) and the current value of each field where the two edits differ; the view shows
that on a 409 page with the user's own input still in the form, and the form now carries the
new version so a deliberate second save goes through. Every audited edit (``record_edit``)
carries its changed field names and the version it made: that is what the names come from.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.audit.services import record_event
from tracker.auth.models import User
from tracker.extensions import db
from tracker.i18n import _


@dataclass
class ChangeBy:
    user_name: str
    at: datetime
    fields: list[str]


@dataclass
class EditConflict(Exception):
    current_version: int
    changes: list[ChangeBy] = field(default_factory=list)
    # field name -> current stored value, for fields where the submitted value differs
    current_values: dict = field(default_factory=dict)


def check_version(record, expected_version: int | None, submitted: dict) -> None:
    """Raise ``EditConflict`` when ``record`` moved past ``expected_version``."""
    if expected_version is None or record.version == expected_version:
        return
    rows = db.session.execute(
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(
            AuditEvent.entity_type == record.__tablename__,
            AuditEvent.entity_id == record.id,
            AuditEvent.action.like("%.update"),
        )
        .order_by(AuditEvent.id)
    ).all()
    changes = [
        ChangeBy(
            user_name=name or _("unknown"),
            at=event.occurred_at,
            fields=event.details.get("fields", []),
        )
        for event, name in rows
        if event.details.get("version", 0) > expected_version
    ]
    current_values = {
        name: getattr(record, name)
        for name, value in submitted.items()
        if getattr(record, name) != value
    }
    raise EditConflict(record.version, changes, current_values)


def record_edit(action: str, record, changed: list[str], *, actor, patient_id: int) -> None:
    """Audit an edit of ``record``: the changed field names and the version the edit made,
    which is what ``check_version`` reads back to name who changed what."""
    db.session.flush()  # the edit takes its new version
    record_event(action, actor=actor, entity=record, patient_id=patient_id,
                 details={"fields": changed, "version": record.version})


def apply_changes(record, values: dict) -> list[str]:
    """Set ``values`` on ``record``; return the names of the fields that really changed."""
    changed = []
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed.append(name)
    return changed
