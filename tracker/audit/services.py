"""Writing and checking the audit log."""

import hashlib
import json
from collections.abc import Iterator

from flask import g, has_request_context, request
from sqlalchemy import select, text

from tracker.audit.models import AuditEvent
from tracker.db_types import utcnow
from tracker.extensions import db

GENESIS_HASH = "0" * 64
# Any constant works: it names the advisory lock that serialises chain appends on PostgreSQL.
_CHAIN_LOCK_KEY = 731_100_001


def record_event(
    action: str,
    *,
    actor=None,
    clinic_id: int | None = None,
    entity=None,
    entity_type: str | None = None,
    entity_id: int | None = None,
    patient_id: int | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain in the current transaction (the caller commits).

    ``entity`` may be a model instance (its table name and id are recorded). The remote
    address is read from the request when there is one: threading it through every service
    signature would add noise to all of them for a value only the audit log needs.
    """
    if entity is not None:
        db.session.flush()
        entity_type = entity_type or entity.__tablename__
        entity_id = entity.id
    if actor is not None and clinic_id is None:
        clinic_id = actor.clinic_id
    event = AuditEvent(
        occurred_at=utcnow(),
        clinic_id=clinic_id,
        user_id=actor.id if actor is not None else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        patient_id=patient_id,
        remote_addr=request.remote_addr if has_request_context() else None,
        details=details or {},
    )
    _lock_chain()
    last_hash = db.session.scalar(
        select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    )
    event.prev_hash = last_hash or GENESIS_HASH
    event.row_hash = _hash_event(event)
    db.session.add(event)
    db.session.flush()
    if has_request_context() and action.endswith(".view"):
        g.view_audited = True
    return event


def verify_chain() -> int | None:
    """Recompute every hash in order; return the id of the first row that does not match."""
    expected_prev = GENESIS_HASH
    events = _events_in_order()
    try:
        for event in events:
            if event.prev_hash != expected_prev or event.row_hash != _hash_event(event):
                return event.id
            expected_prev = event.row_hash
    finally:
        events.close()
    return None


def _events_in_order() -> Iterator[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)
    result = db.session.scalars(stmt)
    try:
        yield from result
    finally:
        # On PostgreSQL yield_per uses a server-side cursor: close it even when the caller
        # stops early (verify_chain returns at the first broken row).
        result.close()


def _lock_chain() -> None:
    # SQLite transactions already hold the write lock (BEGIN IMMEDIATE); PostgreSQL needs an
    # explicit lock so two concurrent requests cannot both chain onto the same previous row.
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})


def _hash_event(event: AuditEvent) -> str:
    payload = {
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "clinic_id": event.clinic_id,
        "user_id": event.user_id,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "patient_id": event.patient_id,
        "remote_addr": event.remote_addr,
        "details": event.details,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((event.prev_hash + canonical).encode()).hexdigest()


def audit_patient_page_view(response):
    """After every page shown for one patient, make sure the view is in the audit log.

    Detail pages record their own, more specific event (``patient.view``, ``session.view``);
    every other page that shows a patient (forms, consent, the new-session page) is recorded
    here by its endpoint, so no view of a record escapes the log.
    """
    from flask_login import current_user

    patient_id = (request.view_args or {}).get("patient_id")
    if (
        request.method != "GET"
        or response.status_code != 200
        or patient_id is None
        or g.get("view_audited")
        or not current_user.is_authenticated
    ):
        return response
    ids = {k: v for k, v in request.view_args.items() if k != "patient_id" and isinstance(v, int)}
    record_event("page.view", actor=current_user, patient_id=patient_id,
                 details={"endpoint": request.endpoint, **ids})
    return response
