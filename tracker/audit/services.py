"""Writing and checking the audit log."""

import hashlib
import hmac
import json
from collections.abc import Iterator

from flask import current_app, g, has_request_context, request
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm.util import identity_key

from tracker.audit.models import AuditChainHead, AuditEvent
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.transactions import defer_write, is_reading

GENESIS_HASH = "0" * 64
HEAD_ID = 1  # the one row of audit_chain_heads
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
    """Add one event to the audit log.

    During a request the event is appended at the request's commit point, after every other
    write (``transactions.defer_write(..., last=True)``): the chain is the last lock any
    transaction takes, so appending can never deadlock with another request, and a page that
    only reads writes its audit row in a write transaction of milliseconds. Outside a request
    (the command line, services under test) it is appended at once. Either way it commits
    with the caller's work or not at all.

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
    if has_request_context():
        pending = g.setdefault("audit_pending", [])
        if not pending:
            defer_write(_append_pending, last=True)
        pending.append(event)
        if action.endswith(("view", ".export")):  # the request's reading of a record, named
            g.view_audited = True
    else:
        append_events([event])
    return event


def append_events(events: list[AuditEvent]) -> None:
    """Chain ``events`` onto the log, in order, and move its sealed head on.

    The head row is the chain's lock and its end at once: one locked read, the inserts, one
    update, so the lock every write of the clinic takes in turn is held for as little as
    possible. Every page view appends, so the rows are written with plain statements on the
    session's connection (the unit of work took a millisecond a page to insert one row and
    move the head); the events stay out of the session, each given its id."""
    if not events:
        return
    if is_reading():  # the rows below bypass the session's guard against writing in a read
        raise RuntimeError("The audit log is appended at the commit point, not while reading")
    connection = db.session.connection()
    previous = connection.scalar(_LOCK_HEAD)
    head_exists = previous is not None
    if not head_exists:
        # A database's first append (or its first since the head table came): there is no
        # head row to lock yet, so lock the chain by name and start the head from the table.
        _lock_chain()
        previous = connection.scalar(
            select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
        ) or GENESIS_HASH
    for event in events:
        event.prev_hash = previous
        event.row_hash = previous = _hash_event(event)
        event.id = connection.execute(
            _INSERT_EVENT, {column: getattr(event, column) for column in _EVENT_COLUMNS}
        ).inserted_primary_key[0]
    _seal(events[-1].id, events[-1].row_hash, head_exists=head_exists)


_EVENT_COLUMNS = ("occurred_at", "clinic_id", "user_id", "action", "entity_type", "entity_id",
                  "patient_id", "remote_addr", "details", "prev_hash", "row_hash")
# The chain's statements, built once: every page view runs them while it holds the chain's
# lock, and building them afresh (and their cache keys) was a third of that time.
_LOCK_HEAD = (select(AuditChainHead.last_hash).where(AuditChainHead.id == HEAD_ID)
              .with_for_update(key_share=True))
_INSERT_EVENT = insert(AuditEvent.__table__)
_MOVE_HEAD = (update(AuditChainHead.__table__)
              .where(AuditChainHead.__table__.c.id == HEAD_ID)
              .values({name: bindparam(name) for name in
                       ("last_event_id", "last_hash", "signature", "sealed_at")}))


def _append_pending() -> None:
    append_events(g.pop("audit_pending", []))


def _signature(last_event_id: int, last_hash: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{last_event_id}:{last_hash}".encode(), hashlib.sha256).hexdigest()


def _seal(last_event_id: int, last_hash: str, *, head_exists: bool = True) -> None:
    values = {"last_event_id": last_event_id, "last_hash": last_hash,
              "signature": _signature(last_event_id, last_hash), "sealed_at": utcnow()}
    if head_exists:
        db.session.connection().execute(_MOVE_HEAD, values)
        # A head object loaded earlier in the session (``audit verify``) reads the new end.
        loaded = db.session.identity_map.get(identity_key(AuditChainHead, HEAD_ID))
        if loaded is not None:
            db.session.expire(loaded)
    else:
        db.session.add(AuditChainHead(id=HEAD_ID, **values))
        db.session.flush()


def seal_head() -> None:
    """Sign the chain's current end again (after the secret key was changed, once the chain
    itself has been verified row by row)."""
    last = db.session.execute(
        select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    if last is not None:
        _seal(last.id, last.row_hash,
              head_exists=db.session.get(AuditChainHead, HEAD_ID) is not None)


def verify_audit_log() -> str | None:
    """Everything ``audit verify`` checks; what is wrong, or None when the log is intact.

    Row by row: each hash recomputed and chained (an edited or removed row). Then the end of
    the chain against its sealed head: a removed tail, a re-chained log or an emptied table
    all leave the chain consistent with itself but no longer at the head, and the head cannot
    be moved to match without the secret key.
    """
    broken = verify_chain()
    if broken is not None:
        return f"Audit chain broken at event {broken}."
    last = db.session.execute(
        select(AuditEvent.id, AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    head = db.session.get(AuditChainHead, HEAD_ID)
    if head is None:
        return None if last is None else "Audit log has events but no sealed head."
    if not hmac.compare_digest(head.signature,
                               _signature(head.last_event_id, head.last_hash)):
        return ("Audit log head is not signed with this app's secret key: forged, or sealed "
                "before the key changed (verify, then `flask audit seal`).")
    if last is None:
        return f"Audit log is empty, but its head says it ended at event {head.last_event_id}."
    if last.id < head.last_event_id:
        return (f"Audit log ends at event {last.id}, but its head says {head.last_event_id}: "
                "the last events were removed.")
    if (last.id, last.row_hash) != (head.last_event_id, head.last_hash):
        return (f"Audit log ends at event {last.id} with another hash than its sealed head: it "
                "was re-chained or extended outside the app.")
    return None


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
    # SQLite write transactions already hold the write lock (BEGIN IMMEDIATE); PostgreSQL needs
    # an explicit lock so two concurrent requests cannot both chain onto the same previous row.
    # It is the last lock a transaction takes (see tracker.transactions): no deadlock.
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
