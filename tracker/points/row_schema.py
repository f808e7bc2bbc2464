"""A point row, described once: the needle a session records (``PointApplication``) and the
row a protocol keeps (``ProtocolPoint``).

Each field has its name (the model attribute and the key in plain dicts), its label, its form
control, and how its value moves between the three shapes a row takes:

- a plain dict, with the catalog ``point`` as a ``Point`` (what services take, what
  pre-filling and copying the last session read);
- form data (what a WTForms row holds: the point as its typed ``code``, booleans as
  "yes"/"no"/"");
- model columns (``row_values`` gives the keyword arguments of either model).

Adding a field to a point row touches this schema, the model, a migration and the place in
``templates/sessions/_rows.html`` where it is laid out (docs/architecture.md lists them).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from wtforms import BooleanField, IntegerField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from tracker.fields import SelectField, StrictDecimalField, strip
from tracker.i18n import _, _l
from tracker.points.regions import (
    HUATUOJIAJI_LEVELS,
    LEVEL_GROUPS,
    REGION_LEVELS,
    REGIONS,
    level_fits,
    level_label,
)

# Vocabularies of a point row. Codes are stored; never rename one.
LATERALITIES = (
    ("left", _l("Left")),
    ("right", _l("Right")),
    ("bilateral", _l("Both")),
    ("midline", _l("Midline")),
)
DEPTH_UNITS = (("mm", "mm"), ("cun", "cun"))  # units, the same in every language
ANGLES = (
    ("perpendicular", _l("Perpendicular")),
    ("oblique", _l("Oblique")),
    ("transverse", _l("Transverse")),
)
TECHNIQUES = (("even", _l("Even")), ("tonifying", _l("Tonifying")), ("reducing", _l("Reducing")))
STIMULATIONS = (("manual", _l("Manual")), ("electrical", _l("Electrical")), ("none", _l("None")))
TRI_STATE = (("", _l("Not noted")), ("yes", _l("Yes")), ("no", _l("No")))

# The deepest a needle may be recorded, by unit.
MAX_DEPTH = {"mm": Decimal(120), "cun": Decimal(6)}


def _identity(value):
    return value


def _blank_as_none(value):
    return value or None


def _none_as_blank(value):
    return value or ""


def _tri_state_to_form(value):
    return {True: "yes", False: "no"}.get(value, "")


def _tri_state_from_form(value):
    return {"yes": True, "no": False}.get(value)


def _choices(vocabulary, blank="—"):
    return [("", blank), *vocabulary]


def _level_choices() -> list[SelectChoice]:
    """Levels grouped as the body is: cervical, thoracic, lumbar, sacral, intercostal."""
    return [SelectChoice("", "—")] + [
        SelectChoice(code, label, optgroup=group)
        for group, levels in LEVEL_GROUPS for code, label in levels
    ]


@dataclass(frozen=True)
class RowField:
    """One field of a point row."""

    name: str
    label: str
    control: Callable  # () -> an unbound WTForms field for the row form
    to_form: Callable = _identity  # dict value -> form data
    from_form: Callable = _identity  # form data -> dict value
    in_protocol: bool = True  # protocols keep it (needle sizes and timings are per session)
    affects_cautions: bool = False  # the caution preview asks again when it changes
    default: object = None  # its value in a row that does not say
    options: dict = field(default_factory=dict)


POINT = RowField(
    "point", _l("Point"),
    lambda: StringField(_l("Point"), validators=[Length(max=20)], filters=[strip]),
    affects_cautions=True,
)
# Every field of a point row, in the order a row reads.
POINT_ROW = (
    POINT,
    RowField("custom_label", _l("Custom point (Ashi or an extra point): where"),
             lambda: StringField(_l("Custom point (Ashi or an extra point): where"),
                                 validators=[Length(max=200)], filters=[strip]),
             affects_cautions=True, default=""),
    RowField("region", _l("Body region"),
             lambda: SelectField(_l("Body region"), default="", choices=_choices(list(
                 REGIONS.items()))),
             to_form=_none_as_blank, from_form=_none_as_blank, affects_cautions=True,
             default=""),
    RowField("level", _l("Level"),
             lambda: SelectField(_l("Level"), default="", choices=_level_choices()),
             to_form=_none_as_blank, from_form=_none_as_blank, affects_cautions=True,
             default=""),
    RowField("laterality", _l("Side"),
             lambda: SelectField(_l("Side"), default="", choices=_choices(LATERALITIES)),
             to_form=_none_as_blank, affects_cautions=True),
    RowField("depth", _l("Depth"),
             lambda: StrictDecimalField(_l("Depth"), places=1, validators=[Optional()]),
             affects_cautions=True),
    RowField("depth_unit", _l("Unit"),
             lambda: SelectField(_l("Unit"), choices=DEPTH_UNITS, default="mm"),
             to_form=lambda value: value or "mm", from_form=lambda value: value or "mm",
             affects_cautions=True, default="mm"),
    RowField("angle", _l("Angle"),
             lambda: SelectField(_l("Angle"), default="", choices=_choices(ANGLES)),
             to_form=_none_as_blank, from_form=_blank_as_none, affects_cautions=True),
    RowField("gauge_mm", _l("Gauge (mm)"),
             lambda: StrictDecimalField(_l("Gauge (mm)"), places=2, validators=[
                 Optional(), NumberRange(Decimal("0.10"), Decimal("0.50"),
                                         message=_l("Gauge is 0.10 to 0.50 mm."))]),
             in_protocol=False),
    RowField("length_mm", _l("Length (mm)"),
             lambda: StrictDecimalField(_l("Length (mm)"), places=1, validators=[
                 Optional(), NumberRange(3, 125, message=_l("Length is 3 to 125 mm."))]),
             in_protocol=False),
    RowField("technique", _l("Technique"),
             lambda: SelectField(_l("Technique"), default="", choices=_choices(TECHNIQUES)),
             to_form=_none_as_blank, from_form=_blank_as_none),
    RowField("deqi_sought", _l("De qi sought"),
             lambda: BooleanField(_l("De qi sought"), default=True),
             to_form=lambda value: True if value is None else value, in_protocol=False,
             default=True),
    RowField("deqi_obtained", _l("De qi obtained"),
             lambda: SelectField(_l("De qi obtained"), default="", choices=TRI_STATE),
             to_form=_tri_state_to_form, from_form=_tri_state_from_form, in_protocol=False),
    RowField("stimulation", _l("Stimulation"),
             lambda: SelectField(_l("Stimulation"), choices=STIMULATIONS, default="manual"),
             to_form=lambda value: value or "manual", from_form=lambda value: value or "manual",
             in_protocol=False, affects_cautions=True, default="manual"),
    RowField("retention_minutes", _l("Own retention (min)"),
             lambda: IntegerField(_l("Own retention (min)"), validators=[
                 Optional(), NumberRange(1, 240, message=_l("Retention is 1 to 240 minutes."))]),
             in_protocol=False),
)
PROTOCOL_ROW = tuple(f for f in POINT_ROW if f.in_protocol)
# The form's controls: the point is typed as its code.
FORM_NAME = {"point": "code"}
CAUTION_CONTROLS = tuple(FORM_NAME.get(f.name, f.name) for f in POINT_ROW if f.affects_cautions)


def form_controls() -> dict:
    """The unbound WTForms fields of a row form, by form name (``code`` for the point)."""
    return {FORM_NAME.get(f.name, f.name): f.control() for f in POINT_ROW}


def row_from_model(obj, fields=POINT_ROW) -> dict:
    """A stored row (a session's or a protocol's) as a plain dict."""
    return {f.name: getattr(obj, f.name) for f in fields}


def row_values(row: dict, fields=POINT_ROW) -> dict:
    """Model keyword arguments from a plain dict: what it says, the defaults for the rest."""
    values = {}
    for f in fields:
        value = row.get(f.name)
        values[f.name] = f.default if value is None else value
    return values


def row_with_point(source, point) -> dict:
    """A row-like object (a parsed shorthand row, a built-in protocol row) as a plain row
    with its catalog ``point``; what it does not say is None."""
    row = {f.name: getattr(source, f.name, None) for f in POINT_ROW[1:]}
    row["point"] = point
    return row


def form_data(row: dict) -> dict:
    """A plain row (a stored one, a protocol's, a parsed one) as row-form data."""
    data = {}
    for f in POINT_ROW:
        value = row.get(f.name, f.default)
        if f.name == "point":
            data["code"] = value.code if value is not None else (row.get("code") or "")
        else:
            data[f.name] = f.to_form(value)
    return data


def row_from_form(data: dict, point) -> dict:
    """Row-form data (``field.data`` by form name) as a plain row, with its resolved catalog
    ``point`` (None for a custom point, whose label and region then count)."""
    row = {"point": point}
    for f in POINT_ROW[1:]:
        row[f.name] = f.from_form(data.get(f.name))
    if point is not None:
        row["custom_label"], row["region"] = "", ""
    return row


def signature(rows, fields=POINT_ROW) -> list[tuple]:
    """Rows (dicts or models) as comparable tuples, to tell whether a save changed them."""
    def value(row, name):
        found = row.get(name) if isinstance(row, dict) else getattr(row, name)
        return found.id if name == "point" and found is not None else found

    return [tuple(value(row, f.name) for f in fields) for row in rows]


def check_row(row: dict, point) -> list[tuple[str, str]]:
    """What is wrong with a row, as (field name, message) pairs; empty when it is right.

    The side fits the point (midline for GV and CV), a level goes with EX-B2 or a custom
    point, a custom point has a region the caution engine can read and a level that fits it,
    and the depth is within what a needle can be.
    """
    laterality = row.get("laterality")
    if not laterality:
        return [("laterality", _("Choose the side."))]
    problems = []
    level = row.get("level") or ""
    if point is not None:
        if point.is_midline and laterality != "midline":
            problems.append(("laterality", _("%(code)s is on the midline: choose Midline.",
                                             code=point.code)))
        if not point.is_midline and laterality == "midline":
            problems.append(("laterality",
                             _("%(code)s is a paired point: choose left, right or both.",
                               code=point.code)))
        if point.needs_level and level not in HUATUOJIAJI_LEVELS:
            problems.append(("level", _("%(code)s needs its vertebral level, T1 to L5.",
                                        code=point.code)))
        if not point.needs_level and level:
            problems.append(("level", _("%(code)s takes no level: a level goes with EX-B2 "
                                        "(Huatuojiaji) or a custom point.", code=point.code)))
    else:
        problems.extend(_custom_place_problems(row.get("region") or "", level))
    depth, unit = row.get("depth"), row.get("depth_unit") or "mm"
    if unit not in MAX_DEPTH:
        problems.append(("depth_unit", _("Choose mm or cun.")))
    elif depth is not None and not Decimal(0) < depth <= MAX_DEPTH[unit]:
        problems.append(("depth", _("Depth must be above 0 and at most %(most)s %(unit)s.",
                                    most=MAX_DEPTH[unit], unit=unit)))
    return problems


def _custom_place_problems(region: str, level: str) -> list[tuple[str, str]]:
    """A custom point needs a region the engine can read, and a level that fits it."""
    if not region:
        return [("region", _("Choose where this point is (its body region), so it is checked "
                             "for the lung and pregnancy rules."))]
    if region not in REGIONS:
        return [("region", _("Choose a body region from the list."))]
    if not level_fits(region, level):
        fitting = REGION_LEVELS.get(region)
        if fitting:
            return [("level", _("%(level)s is not on the %(region)s: choose one from %(first)s "
                                "to %(last)s, or change the region.",
                                level=level_label(level), region=REGIONS[region].lower(),
                                first=level_label(fitting[0]), last=level_label(fitting[-1])))]
        return [("level", _("%(level)s is not on the %(region)s: leave the level empty, or "
                            "change the region.",
                            level=level_label(level), region=REGIONS[region].lower()))]
    return []


def needle_count(rows) -> int:
    """Needles the rows account for (dicts or models): a bilateral point is two needles."""
    def side(row):
        return row.get("laterality") if isinstance(row, dict) else row.laterality

    return sum(2 if side(row) == "bilateral" else 1 for row in rows)
