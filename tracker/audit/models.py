from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db_types import UTCDateTime, utcnow
from tracker.extensions import db


class AuditEvent(db.Model):
    """One audited action. Rows are only ever inserted: database triggers refuse UPDATE and
    DELETE, and each row carries the hash of the previous one so a gap or an edit is detectable.

    ``details`` holds ids, field names, counts and reason codes, never patient data itself.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_clinic_at", "clinic_id", "occurred_at"),
        Index("ix_audit_events_patient", "patient_id"),
        Index("ix_audit_events_entity", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    clinic_id: Mapped[int | None] = mapped_column(ForeignKey("clinics.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    patient_id: Mapped[int | None] = mapped_column(Integer)
    remote_addr: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)

    user: Mapped["User | None"] = relationship(lazy="raise_on_sql")  # noqa: F821

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action}>"


class AuditChainHead(db.Model):
    """Where the audit chain ends, kept outside the table it protects and signed with the
    app's secret key: a removed tail, a re-chained log or an emptied table no longer matches
    it, and without the key it cannot be forged to match. One row, moved on by every append.
    """

    __tablename__ = "audit_chain_heads"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<AuditChainHead {self.last_event_id}>"
