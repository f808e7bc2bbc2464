from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.i18n import _l
from tracker.points import regions

# The region vocabulary lives with the rules that read it (custom rows use it too).
REGIONS = regions.REGIONS

MERIDIANS = {
    "LU": _l("Lung"),
    "LI": _l("Large Intestine"),
    "ST": _l("Stomach"),
    "SP": _l("Spleen"),
    "HT": _l("Heart"),
    "SI": _l("Small Intestine"),
    "BL": _l("Bladder"),
    "KI": _l("Kidney"),
    "PC": _l("Pericardium"),
    "TE": _l("Triple Energizer"),
    "GB": _l("Gallbladder"),
    "LR": _l("Liver"),
    "GV": _l("Governor Vessel"),
    "CV": _l("Conception Vessel"),
    "EX": _l("Extra points"),
}

# GV and CV run on the midline, as do three extra points: a needle there is one needle.
MIDLINE_MERIDIANS = frozenset({"GV", "CV"})
MIDLINE_EXTRA_POINTS = frozenset({"EX-HN3", "EX-B8", "EX-B9"})


class Point(db.Model):
    """One catalog point. Rows are upserted by code from tracker/points/data/points.csv."""

    __tablename__ = "points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    meridian: Mapped[str] = mapped_column(String(4), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer)
    pinyin: Mapped[str] = mapped_column(String(60))
    hanzi: Mapped[str] = mapped_column(String(20))
    english: Mapped[str] = mapped_column(String(120), default="")
    location: Mapped[str] = mapped_column(Text, default="")
    needling: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str] = mapped_column(String(20))
    pregnancy_caution: Mapped[bool] = mapped_column(Boolean, default=False)
    pregnancy_source: Mapped[str] = mapped_column(Text, default="")
    thorax_depth_caution: Mapped[bool] = mapped_column(Boolean, default=False)
    max_depth_mm: Mapped[int | None] = mapped_column(Integer)
    depth_source: Mapped[str] = mapped_column(Text, default="")
    # How to read ``max_depth_mm``: the deep end of a textbook needling range ("textbook"), a
    # measured population average of the skin-to-pleura depth that some patients are below
    # ("population_mean", GB21), or not needled at all ("no_needling"); data/README.md.
    depth_hint_basis: Mapped[str] = mapped_column(String(16), default="")
    always_warn: Mapped[bool] = mapped_column(Boolean, default=False)
    always_warn_reason: Mapped[str] = mapped_column(Text, default="")
    scheme: Mapped[str] = mapped_column(String(16))
    needs_level: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the body chart draws it (data/chart_positions.csv, points/body_chart.py): the view
    # ("front" or "back", empty when not charted), the distance from the midline on one side
    # and the height from the crown, in chart units.
    chart_view: Mapped[str] = mapped_column(String(5), default="")
    chart_x: Mapped[int | None] = mapped_column(Integer)
    chart_y: Mapped[int | None] = mapped_column(Integer)
    # Folded pinyin (no tones, no spaces), English and hanzi, for the search's text matches.
    search_text: Mapped[str] = mapped_column(Text, default="")

    aliases: Mapped[list["PointAlias"]] = relationship(
        back_populates="point", order_by="PointAlias.id", lazy="raise_on_sql"
    )

    def __repr__(self) -> str:
        return f"<Point {self.code}>"

    @property
    def is_midline(self) -> bool:
        return self.meridian in MIDLINE_MERIDIANS or self.code in MIDLINE_EXTRA_POINTS


class PointAlias(db.Model):
    """Another code or name for a point (SJ5, LIV3, DU20, Hoku), stored normalised."""

    __tablename__ = "point_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("points.id"), index=True)
    alias: Mapped[str] = mapped_column(String(40))  # as written in the catalog
    normalised: Mapped[str] = mapped_column(String(40), unique=True)

    point: Mapped[Point] = relationship(back_populates="aliases")

    def __repr__(self) -> str:
        return f"<PointAlias {self.id}>"
