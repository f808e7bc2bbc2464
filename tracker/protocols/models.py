from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db_types import UTCDateTime, utcnow
from tracker.extensions import db


class Protocol(db.Model):
    """A clinic's own protocol. Retired, never deleted: sessions keep pointing at it.

    Built-in protocols (the article's "Middle back pain") are shipped as code in
    ``protocols.builtin`` rather than rows, so every clinic has them and nobody can edit them.
    """

    __tablename__ = "protocols"

    id: Mapped[int] = mapped_column(primary_key=True)
    clinic_id: Mapped[int] = mapped_column(ForeignKey("clinics.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    points: Mapped[list["ProtocolPoint"]] = relationship(
        back_populates="protocol",
        order_by="ProtocolPoint.position",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Protocol {self.id}>"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class ProtocolPoint(db.Model):
    __tablename__ = "protocol_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    protocol_id: Mapped[int] = mapped_column(ForeignKey("protocols.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("points.id"))
    custom_label: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(20), default="")  # custom rows, as on a session
    level: Mapped[str] = mapped_column(String(5), default="")
    laterality: Mapped[str | None] = mapped_column(String(10))
    depth: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    depth_unit: Mapped[str] = mapped_column(String(4), default="mm")
    angle: Mapped[str | None] = mapped_column(String(14))
    technique: Mapped[str | None] = mapped_column(String(10))

    protocol: Mapped[Protocol] = relationship(back_populates="points")
    point: Mapped["Point | None"] = relationship(lazy="joined")  # noqa: F821

    def __repr__(self) -> str:
        return f"<ProtocolPoint {self.id}>"
