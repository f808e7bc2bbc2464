"""Clinic protocols and turning any protocol into pre-filled point rows."""

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.audit.services import record_event
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.fields import parse_id
from tracker.i18n import _
from tracker.paging import ListPage, counted_page
from tracker.points import row_schema
from tracker.points.services import resolve_codes
from tracker.protocols.builtin import BUILTIN_PROTOCOLS
from tracker.protocols.models import Protocol, ProtocolPoint

PROTOCOLS_PER_PAGE = 25


class ProtocolError(ValueError):
    """A user-facing reason a protocol change was refused."""


def protocols_page(clinic_id: int, page: int) -> ListPage:
    """A page of every protocol the clinic has made (retired ones too: a clinic keeps them
    for years), by name, with its point rows, and how many there are."""
    return counted_page(
        select(Protocol)
        .where(Protocol.clinic_id == clinic_id)
        .options(selectinload(Protocol.points))
        .order_by(Protocol.name, Protocol.id),
        page, PROTOCOLS_PER_PAGE)


def protocol_choices(clinic_id: int) -> list[tuple[str, str]]:
    """(key, name) of every protocol a session can apply: built-in first ("builtin:<key>"),
    then the clinic's ("clinic:<id>")."""
    choices = [(f"builtin:{p.key}", p.name) for p in BUILTIN_PROTOCOLS.values()]
    # Their names only (every session form shows them): not the protocols with their rows.
    choices += [(f"clinic:{protocol_id}", name) for protocol_id, name in db.session.execute(
        select(Protocol.id, Protocol.name)
        .where(Protocol.clinic_id == clinic_id, Protocol.retired_at.is_(None))
        .order_by(Protocol.name))]
    return choices


class AppliedProtocol(NamedTuple):
    """A protocol as a session applies it."""

    name: str
    protocol_id: int | None  # None for a built-in protocol
    rows: list[dict]


def protocol_rows(key: str, clinic_id: int) -> AppliedProtocol | None:
    """The protocol ``key`` ("builtin:<key>" or "clinic:<id>") with its point rows."""
    kind, _, ident = (key or "").partition(":")
    if kind == "builtin" and ident in BUILTIN_PROTOCOLS:
        protocol = BUILTIN_PROTOCOLS[ident]
        points = resolve_codes([row.code for row in protocol.rows if row.code])
        rows = [row_schema.row_with_point(row, points.get(row.code) if row.code else None)
                for row in protocol.rows if row.code is None or row.code in points]
        return AppliedProtocol(protocol.name, None, rows)
    if kind == "clinic" and parse_id(ident) is not None:
        protocol = db.session.scalar(
            select(Protocol)
            .options(selectinload(Protocol.points))
            .where(Protocol.id == int(ident), Protocol.clinic_id == clinic_id)
        )
        if protocol is None:
            return None
        rows = [
            row_schema.row_from_model(row, row_schema.PROTOCOL_ROW) for row in protocol.points
        ]
        return AppliedProtocol(protocol.name, protocol.id, rows)
    return None


def save_protocol(
    clinic_id: int,
    *,
    name: str,
    description: str,
    rows: list[dict],
    actor,
    protocol: Protocol | None = None,
) -> Protocol:
    """Create a clinic protocol, or replace the name, description and points of one."""
    name = name.strip()
    clash = db.session.scalar(
        select(Protocol.id).where(
            Protocol.clinic_id == clinic_id, Protocol.name == name, Protocol.retired_at.is_(None)
        )
    )
    if clash is not None and (protocol is None or clash != protocol.id):
        raise ProtocolError(_("The clinic already has a protocol with this name."))
    if not rows:
        raise ProtocolError(_("A protocol needs at least one point."))
    if protocol is None:
        protocol = Protocol(clinic_id=clinic_id, created_by_id=actor.id)
        db.session.add(protocol)
        action = "protocol.create"
    else:
        action = "protocol.update"
    protocol.name, protocol.description = name, description.strip()
    protocol.points = [
        ProtocolPoint(position=i, **row_schema.row_values(row, row_schema.PROTOCOL_ROW))
        for i, row in enumerate(rows, start=1)
    ]
    db.session.flush()
    record_event(action, actor=actor, entity=protocol, details={"points": len(rows)})
    return protocol


def retire_protocol(protocol: Protocol, *, actor) -> None:
    """Take a protocol out of use; sessions that used it keep their link and its name."""
    if protocol.retired_at is None:
        protocol.retired_at = utcnow()
        record_event("protocol.retire", actor=actor, entity=protocol)
