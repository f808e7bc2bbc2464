"""Protocols shipped with the tracker, the same for every clinic and not editable.

"Middle back pain" is the clinic article's own selection (DOMAIN.md section 3). Depths stay
inside each point's safe range in the catalog: the back-shu points BL18 and BL20 and GB21 sit
over the lung, so they are needled obliquely and shallowly.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from tracker.i18n import _l


@dataclass(frozen=True)
class ProtocolRow:
    code: str | None  # None: a custom point such as an Ashi point
    laterality: str | None
    depth: Decimal | None = None
    depth_unit: str = "mm"
    angle: str | None = None
    technique: str | None = "even"
    label: str = ""  # a custom row's label, marked for translation (lazy)

    @property
    def custom_label(self) -> str:
        """The label as text, in the current locale (a session stores it)."""
        return str(self.label)


@dataclass(frozen=True)
class BuiltinProtocol:
    key: str
    title: str  # marked for translation (lazy); ``name`` is its text
    about: str  # the same for ``description``
    rows: tuple[ProtocolRow, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        """The name in the current locale, as text: a session stores the name it applied."""
        return str(self.title)

    @property
    def description(self) -> str:
        return str(self.about)


MIDDLE_BACK_PAIN = BuiltinProtocol(
    key="middle-back-pain",
    title=_l("Middle back pain"),
    about=_l(
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
            label=_l("Ashi point (tender on palpation; say where)"),
        ),
    ),
)

BUILTIN_PROTOCOLS = {protocol.key: protocol for protocol in (MIDDLE_BACK_PAIN,)}
