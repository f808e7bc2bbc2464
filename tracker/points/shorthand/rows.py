"""What the shorthand parser returns: rows, refusals and notices."""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class ResolvedCode:
    code: str
    midline: bool
    needs_level: bool
    # A name several points share ("Zhongzhu": KI15, TE3): their codes, and no ``code``.
    candidates: tuple[str, ...] = ()


@dataclass
class ParsedRow:
    code: str | None  # None for a custom (Ashi) point
    laterality: str | None
    custom_label: str = ""
    level: str = ""
    depth: Decimal | None = None
    depth_unit: str = "mm"
    region: str = ""  # custom rows: a code of points.regions.REGIONS
    angle: str | None = None
    # What the resolver said about a catalog row (midline, needs a level); not compared.
    catalog: ResolvedCode | None = field(default=None, compare=False, repr=False)


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # What was done that the user should know, not a refusal.
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


