"""The body chart: a session's points on a front and a back silhouette.

Pure, no database: it reads the rows it is given (a session's needles, a form's rows) and the
catalog's chart positions (``Point.chart_view/chart_x/chart_y``, loaded from
``data/chart_positions.csv``), and returns what ``templates/points/_body_chart.html`` draws.

Coordinates. Each view is a figure ``FIGURE_WIDTH`` x ``FIGURE_HEIGHT`` chart units, standing
in the anatomical position (palms forward), symmetric about its midline; the back view sits
to the right of the front one. A catalog position is ``(view, x, y)``: ``x`` the distance from
the midline (0 on it), the same on both sides, ``y`` the height from above the crown. A paired
point is drawn on the side its row names: the front view faces the viewer, so the patient's
left is on the viewer's right; the back view shows the patient from behind, so the patient's
left is on the viewer's left.

Rows without a catalog position (an Ashi point, a custom point, a point the chart file does
not place) are drawn approximately, by their region and level.
"""

from dataclasses import dataclass

from tracker.i18n import _
from tracker.points.regions import (
    CERVICAL,
    HUATUOJIAJI_LEVELS,
    INTERCOSTAL,
    LUMBAR,
    SACRAL,
    THORACIC,
)

VIEWS = ("front", "back")
FIGURE_WIDTH = 200
FIGURE_HEIGHT = 440
GAP = 20
CHART_WIDTH = 2 * FIGURE_WIDTH + GAP
CHART_HEIGHT = FIGURE_HEIGHT + 12  # room for the side letters under the feet
# Where each view's midline is on the whole chart.
MIDLINE = {"front": FIGURE_WIDTH / 2, "back": FIGURE_WIDTH + GAP + FIGURE_WIDTH / 2}
# One cun across the trunk, in chart units (the nipples are 8 cun apart).
CUN = 6

# The height of each level on the figure: a vertebra's is the lower border of its spinous
# process on the back view (where "below T7" points sit); an intercostal space's is on the
# front view, at the nipple line. The catalog's positions use the same heights.
LEVEL_Y = {
    **dict(zip(CERVICAL, (57, 61.5, 66, 70.5, 75, 79, 83), strict=True)),
    **{level: 89 + 6 * i for i, level in enumerate(THORACIC)},
    **{level: 162 + 7 * i for i, level in enumerate(LUMBAR)},
    **{level: 197 + 6 * i for i, level in enumerate(SACRAL)},
    **dict(zip(INTERCOSTAL, (96, 102, 108.5, 115, 121.5, 128, 134.5, 140.5, 146, 151, 156),
               strict=True)),
}
PARASPINAL_X = 1.5 * CUN  # the inner Bladder line: where a paraspinal Ashi point is drawn
HUATUOJIAJI_X = 0.5 * CUN

# Where a row with no catalog position is drawn, by its region: (view, x, y). A level on the
# trunk moves it to that level (``region_place``).
REGION_PLACES = {
    "head": ("back", 10, 28),
    "face": ("front", 10, 45),
    "neck": ("back", 8, 68),
    "supraclavicular": ("front", 22, 85),
    "trapezius": ("back", 26, 84),
    "shoulder": ("back", 42, 94),
    "chest": ("front", 16, 110),
    "upper_abdomen": ("front", 12, 150),
    "lower_abdomen": ("front", 12, 195),
    "upper_back": ("back", 14, 120),
    "lower_back": ("back", 14, 176),
    "sacral": ("back", 12, 208),
    "hip": ("front", 36, 212),
    "perineum": ("front", 0, 223),
    "upper_limb": ("front", 53, 150),
    "hand": ("front", 71, 240),
    "lower_limb": ("front", 19, 300),
    "foot": ("front", 16, 420),
}
UNKNOWN_PLACE = ("front", 0, 0)  # never drawn: a row with no place at all is listed only
MIDLINE_REGIONS = frozenset({"head", "face", "neck", "chest", "upper_abdomen", "lower_abdomen",
                             "upper_back", "lower_back", "sacral", "perineum"})


@dataclass(frozen=True)
class Zone:
    """A part of a view that a tap places an Ashi point in: ``x`` the distance from the
    midline (from, to), ``y`` the heights (from, to); ``words`` the quick-entry words that
    name it (``places.REGION_WORDS``); ``levels`` the levels a tap's height picks from;
    ``near_spine`` the words used instead within 2.5 cun of the midline."""

    view: str
    region: str
    x: tuple[float, float]
    y: tuple[float, float]
    words: str
    levels: tuple[str, ...] = ()
    near_spine: str = ""

    def as_data(self) -> dict:
        """What body-chart.js reads (it measures a tap's distance from its view's midline)."""
        return {"view": self.view, "x": self.x, "y": self.y, "words": self.words,
                "spine": self.near_spine, "midline": self.region in MIDLINE_REGIONS,
                "levels": [[level, LEVEL_Y[level]] for level in self.levels]}


# The first zone holding a tap wins. The words and levels make shorthand the quick-entry
# parser reads back as the zone's region (tests/points/test_body_chart.py checks each).
ZONES = (
    Zone("back", "head", (0, 23), (8, 48), "head"),
    Zone("back", "neck", (0, 20), (48, 74), "neck", CERVICAL),
    Zone("back", "neck", (0, 16), (74, 85), "neck", CERVICAL),
    Zone("back", "shoulder", (37, 58), (84, 106), "shoulder"),
    Zone("back", "trapezius", (13, 37), (74, 87), "upper trapezius"),
    Zone("back", "upper_back", (0, 38), (85, 158), "upper back", THORACIC, "paraspinal"),
    Zone("back", "lower_back", (0, 36), (158, 193), "lower back", LUMBAR, "paraspinal"),
    Zone("back", "sacral", (0, 16), (193, 222), "sacral", SACRAL),
    Zone("back", "hip", (24, 42), (200, 236), "hip"),
    Zone("back", "sacral", (0, 41), (193, 238), "buttock"),
    Zone("front", "head", (0, 23), (8, 24), "head"),
    Zone("front", "head", (17, 23), (24, 36), "temple"),
    Zone("front", "face", (0, 23), (24, 64), "face"),
    Zone("front", "neck", (0, 13), (62, 84), "neck"),
    Zone("front", "shoulder", (37, 58), (84, 106), "shoulder"),
    Zone("front", "trapezius", (13, 37), (74, 80), "upper trapezius"),
    Zone("front", "supraclavicular", (13, 36), (80, 88), "supraclavicular"),
    Zone("front", "chest", (0, 38), (84, 135), "chest", INTERCOSTAL[:7]),
    Zone("front", "upper_abdomen", (0, 34), (135, 172), "upper abdomen"),
    Zone("front", "hip", (33, 42), (196, 235), "hip"),
    Zone("front", "lower_abdomen", (0, 34), (172, 222), "lower abdomen"),
    *(Zone(view, "upper_limb", (36, 80), (100, 160), "arm") for view in VIEWS),
    *(Zone(view, "upper_limb", (44, 80), (160, 215.5), "forearm") for view in VIEWS),
    *(Zone(view, "hand", (56, 86), (215.5, 266), "hand") for view in VIEWS),
    *(Zone(view, "lower_limb", (0, 42), (222, 314), "thigh") for view in VIEWS),
    *(Zone(view, "lower_limb", (0, 32), (314, 338), "knee") for view in VIEWS),
    Zone("front", "lower_limb", (0, 32), (338, 402), "shin"),
    Zone("back", "lower_limb", (0, 32), (338, 402), "calf"),
    Zone("front", "foot", (0, 28), (402, 438), "foot"),
    Zone("back", "foot", (0, 28), (402, 412), "ankle"),
    Zone("back", "foot", (0, 28), (412, 438), "heel"),
)


def ashi_text(zone: Zone, side: str, level: str = "", *, near_spine: bool = False) -> str:
    """The quick-entry text a tap in ``zone`` adds (``Ashi: left T7 paraspinal``); the same
    format as body-chart.js writes."""
    words = zone.near_spine if near_spine and zone.near_spine else zone.words
    return "Ashi: " + " ".join(filter(None, (side, level, words)))


@dataclass(frozen=True)
class Spot:
    """One drawn dot: its side and where it is on the whole chart."""

    side: str  # "left", "right" or "midline": the patient's side
    view: str
    cx: float
    cy: float


def spots(view: str, x: float, y: float, laterality: str | None) -> list[Spot]:
    """The dots of a position for a row's side: one on the midline, one for a side, two for
    both. The patient's left is the viewer's right on the front view, left on the back."""
    mid = MIDLINE.get(view)
    if mid is None:
        return []
    if x == 0 or laterality == "midline":
        return [Spot("midline", view, mid, y)]
    toward_left = 1 if view == "front" else -1  # the viewer's direction of the patient's left
    sides = ("left", "right") if laterality in ("bilateral", None, "") else (laterality,)
    return [Spot(side, view, mid + (toward_left if side == "left" else -toward_left) * x, y)
            for side in sides if side in ("left", "right")]


def catalog_place(point, level: str = "") -> tuple[str, float, float] | None:
    """A catalog point's (view, x, y), or None when the chart file does not place it. EX-B2
    (Huatuojiaji) goes to its level's height."""
    if point is None or point.chart_view not in VIEWS or point.chart_x is None \
            or point.chart_y is None:
        return None
    y = point.chart_y
    if point.needs_level and level in LEVEL_Y:
        y = LEVEL_Y[level]
    return point.chart_view, point.chart_x, y


def region_place(region: str, level: str = "") -> tuple[str, float, float] | None:
    """Roughly where a custom row is: its region's place, at its level on the trunk."""
    place = REGION_PLACES.get(region or "")
    if level in LEVEL_Y:
        if level.startswith("ICS") or region == "chest":
            y = LEVEL_Y[level] if level.startswith("ICS") else LEVEL_Y[level] + 6
            return "front", REGION_PLACES["chest"][1], y
        return "back", (8 if level.startswith("C") else PARASPINAL_X), LEVEL_Y[level]
    return place


@dataclass(frozen=True)
class Marker:
    """A row of the session on the chart: its number (the row's, as the point table counts),
    what it is (``description``: point, name and side), and its dots."""

    number: int
    label: str
    description: str
    spots: tuple[Spot, ...]
    approximate: bool  # placed by its region, not by the catalog
    row: int  # the row's index in the form or the session

    @property
    def name(self) -> str:
        """The marker's name for screen readers and tooltips."""
        return _("%(number)s: %(marker)s", number=self.number, marker=self.description)


def _side_name(laterality: str | None) -> str:
    return {
        "left": _("left"),
        "right": _("right"),
        "bilateral": _("both sides"),
        "midline": _("midline"),
    }.get(laterality or "", _("side not given"))


def row_marker(number: int, index: int, row) -> Marker | None:
    """The marker of one row: a dict or a model with ``point``, ``laterality``, ``level``,
    ``region`` and ``custom_label``. None for a row with no place at all."""
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name, None))
    point, level, laterality = get("point"), get("level") or "", get("laterality")
    place = catalog_place(point, level)
    approximate = place is None
    region = point.region if point is not None else (get("region") or "")
    if place is None:
        place = region_place(region, level)
    if place is None:
        return None
    view, x, y = place
    if point is not None:
        label = f"{point.code} {level}".strip() if point.needs_level else point.code
        description = _("%(point)s %(name)s, %(side)s", point=label, name=point.pinyin,
                        side=_side_name(laterality))
    else:
        label = _("Ashi")
        description = _("Ashi point, %(where)s, %(side)s", where=get("custom_label") or region,
                        side=_side_name(laterality))
    if approximate:
        description = _("%(marker)s (drawn by its region)", marker=description)
    dots = spots(view, x, y, laterality)
    return Marker(number, label, description, tuple(dots), approximate, index) if dots else None


def chart_markers(rows) -> list[Marker]:
    """Markers for ``rows`` as ``(index, row)`` pairs, numbered as the point table counts."""
    markers = []
    for index, row in rows:
        marker = row_marker(index + 1, index, row)
        if marker is not None:
            markers.append(marker)
    return markers


@dataclass(frozen=True)
class BodyChart:
    """What the template draws: markers, and on the session form the catalog's points to
    tap (``targets``) and the zones a tap places an Ashi point in."""

    markers: list[Marker]
    targets: list[list] | None = None
    names: dict[str, str] | None = None
    zones: list[dict] | None = None
    targets_json: str | None = None  # the same as JSON, made once per process
    names_json: str | None = None

    @property
    def views(self) -> dict[str, list[Marker]]:
        """Markers by the view their dots are on (a marker is on one view)."""
        found = {view: [] for view in VIEWS}
        for marker in self.markers:
            found[marker.spots[0].view].append(marker)
        return found


def tap_targets(points) -> tuple[list[list], dict[str, str]]:
    """Every placed catalog point as dots to tap: ``[code, level, side, cx, cy]`` for each
    side (EX-B2 at each of its levels), and each code's pinyin name."""
    targets, names = [], {}
    for point in points:
        place = catalog_place(point)
        if place is None:
            continue
        names[point.code] = point.pinyin
        view, x, y = place
        levels = HUATUOJIAJI_LEVELS if point.needs_level else ("",)
        for level in levels:
            height = LEVEL_Y[level] if level else y
            laterality = "midline" if point.is_midline else "bilateral"
            for spot in spots(view, x, height, laterality):
                targets.append([point.code, level, spot.side, round(spot.cx, 1), spot.cy])
    return targets, names


def session_chart(rows) -> BodyChart:
    """The read-only chart of a session's point rows (models or dicts, in order)."""
    return BodyChart(chart_markers(enumerate(rows)))


def form_chart(rows, targets) -> BodyChart:
    """The session form's chart: its rows as ``(index, row)`` and the catalog to tap
    (``targets``: the ``tap_targets`` of the charted points with their JSON, as
    ``points.catalog_cache.chart_targets`` keeps them)."""
    return BodyChart(chart_markers(rows), targets.targets, targets.names,
                     [zone.as_data() for zone in ZONES], targets.targets_json,
                     targets.names_json)
