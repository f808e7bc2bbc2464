"""Protocols shipped with the tracker, the same for every clinic and not editable.

"Middle back pain" is the clinic article's own selection (DOMAIN.md section 3). Depths stay
inside each point's safe range in the catalog: the back-shu points BL18 and BL20 and GB21 sit
over the lung, so they are needled obliquely and shallowly.
"""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ProtocolRow:
    code: str | None  # None: a custom point such as an Ashi point
    laterality: str | None
    depth: Decimal | None = None
    depth_unit: str = "mm"
    angle: str | None = None
    technique: str | None = "even"
    custom_label: str = ""


@dataclass(frozen=True)
class BuiltinProtocol:
    key: str
    name: str
    description: str
    rows: tuple[ProtocolRow, ...] = field(default_factory=tuple)


MIDDLE_BACK_PAIN = BuiltinProtocol(
    key="middle-back-pain",
    name="Middle back pain",
    description=(
        "Back-shu points BL18, BL20 and BL23, local GV6 and GV9, distal LI4 and SP6, GB21 for "
        "shoulder tension, and Ashi points found on palpation."
    ),
    rows=(
        ProtocolRow("BL18", "bilateral", Decimal("12"), "mm", "oblique"),
        ProtocolRow("BL20", "bilateral", Decimal("12"), "mm", "oblique"),
        ProtocolRow("BL23", "bilateral", Decimal("25"), "mm", "perpendicular"),
        ProtocolRow("GV6", "midline", Decimal("12"), "mm", "oblique"),
        ProtocolRow("GV9", "midline", Decimal("12"), "mm", "oblique"),
        ProtocolRow("LI4", "bilateral", Decimal("15"), "mm", "perpendicular"),
        ProtocolRow("GB21", "bilateral", Decimal("8"), "mm", "oblique"),
        ProtocolRow("SP6", "bilateral", Decimal("20"), "mm", "perpendicular"),
        ProtocolRow(
            None,
            None,
            Decimal("10"),
            "mm",
            "oblique",
            custom_label="Ashi point (tender on palpation; say where)",
        ),
    ),
)

BUILTIN_PROTOCOLS = {protocol.key: protocol for protocol in (MIDDLE_BACK_PAIN,)}
