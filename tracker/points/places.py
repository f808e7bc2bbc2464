"""Reading where a needle goes from a practitioner's words: sides, angles, and the place of a
custom (Ashi) point ("left T7 paraspinal", "upper trapezius L", "x3 4th ICS right").

Pure, no database: the quick-entry parser uses it for ``Ashi: ...`` entries and to write
custom rows back as shorthand. The region codes and levels are ``points.regions``'.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from tracker.i18n import _, _l
from tracker.points.regions import LEVEL_REGION, REGION_LEVELS, REGIONS, level_fits
from tracker.points.regions import LEVELS as PLACE_LEVELS

SIDE_WORDS = {
    "l": "left",
    "lt": "left",
    "left": "left",
    "lft": "left",
    "r": "right",
    "rt": "right",
    "right": "right",
    "b": "bilateral",
    "bl": "bilateral",
    "b/l": "bilateral",
    "bil": "bilateral",
    "bilat": "bilateral",
    "bilateral": "bilateral",
    "bilaterally": "bilateral",
    "both": "bilateral",
    "bi": "bilateral",
    "x2": "bilateral",
    "lr": "bilateral",
    "l/r": "bilateral",
    "l+r": "bilateral",
    "m": "midline",
    "mid": "midline",
    "midline": "midline",
    "c": "midline",
    "centre": "midline",
    "center": "midline",
}
# Inside an Ashi text "x2" is a count, "mid" belongs to "mid back" and "c" to nothing.
ASHI_SIDE_WORDS = {
    **{word: side for word, side in SIDE_WORDS.items() if side != "midline" and word != "x2"},
    **dict.fromkeys(["midline", "centre", "center", "central"], "midline"),
}
ANGLE_WORDS = {
    "perpendicular": "perpendicular",
    "perp": "perpendicular",
    "oblique": "oblique",
    "obl": "oblique",
    "transverse": "transverse",
    "trans": "transverse",
    "horizontal": "transverse",
    "horiz": "transverse",
}

# Words that place an Ashi point, by region (whole words, any case, an optional plural "s").
REGION_WORDS = {
    "upper_back": ("interscapular", "rhomboid", "between the shoulder blades", "shoulder blade",
                   "scapula", "scapular", "thoracic", "upper back", "mid back", "middle back"),
    "trapezius": ("upper trap", "upper trapezius", "trapezius", "trap", "top of the shoulder"),
    "supraclavicular": ("supraclavicular",),
    "chest": ("chest", "pectoral", "pec", "intercostal", "rib", "sternal", "sternum"),
    "neck": ("neck", "cervical"),
    "lower_back": ("lumbar", "low back", "lower back", "ql", "quadratus lumborum"),
    "sacral": ("sacral", "sacrum", "si joint", "gluteal", "glute", "buttock", "piriformis"),
    "hip": ("hip",),
    "shoulder": ("shoulder", "deltoid"),
    "upper_limb": ("arm", "forearm", "elbow", "biceps", "triceps"),
    "hand": ("hand", "wrist", "thumb", "finger"),
    "lower_limb": ("leg", "thigh", "knee", "calf", "calves", "shin", "hamstring", "quad",
                   "quadriceps", "it band"),
    "foot": ("foot", "feet", "ankle", "heel", "sole"),
    "head": ("head", "scalp", "temple", "occiput", "occipital", "behind the ear", "mastoid"),
    "face": ("face", "jaw", "tmj"),
    "upper_abdomen": ("upper abdomen", "epigastric", "epigastrium"),
    # Plain "abdomen" is the lower abdomen: the stricter reading for pregnancy.
    "lower_abdomen": ("abdomen", "abdominal", "lower abdomen"),
    "perineum": ("perineum", "perineal"),
}
# The word to_shorthand adds when a custom row's label does not name its region.
REGION_SHORTHAND = {region: words[0] for region, words in REGION_WORDS.items()} | {
    "upper_back": "upper back",
    "trapezius": "upper trapezius",
    "lower_back": "lower back",
    "upper_abdomen": "upper abdomen",
    "lower_abdomen": "lower abdomen",
}
PARASPINAL_WORDS = ("paraspinal", "paravertebral")


def _phrase_pattern(phrases) -> re.Pattern:
    ordered = sorted(phrases, key=len, reverse=True)
    alternatives = "|".join(r"[\s\-]+".join(map(re.escape, p.split())) for p in ordered)
    return re.compile(rf"(?<![\w])({alternatives})s?(?![\w])", re.IGNORECASE)


_REGION_OF = {phrase: region for region, words in REGION_WORDS.items() for phrase in words}
REGION_PHRASE = _phrase_pattern([*_REGION_OF, *PARASPINAL_WORDS])

# Inside an Ashi text.
ASHI_COUNT = re.compile(
    r"(?<![\w.,])(?:[x×]\s?(\d{1,3})|(\d{1,3})\s?[x×]|(\d{1,3})\s+(?:points?|needles?|spots?))"
    r"(?![\w])",
    re.IGNORECASE,
)
ASHI_TRAILING = re.compile(
    r"(?:^|\s+)(?:(\d+(?:[.,]\d+)?)\s*(mm|cun)|(" + "|".join(ANGLE_WORDS) + r"))\.?\s*$",
    re.IGNORECASE,
)
ASHI_RANGE = re.compile(r"(?<![\w])[CTLS]\d{1,2}\s*-\s*[CTLS]?\d{1,2}(?![\w])", re.IGNORECASE)
ASHI_LEVEL = re.compile(
    r"(?<![\w])(?:([CTLS])(\d{1,2})|ICS\s?(\d{1,2})"
    r"|(\d{1,2})(?:st|nd|rd|th)\s+(?:ICS|intercostal(?:\s+space)?))(?![\w])",
    re.IGNORECASE,
)
MAX_ASHI_COUNT = 20
ASHI_EXAMPLES = _l("e.g. “Ashi: left T7 paraspinal” or “Ashi: upper trapezius L”")

@dataclass
class AshiPlace:
    """What an Ashi text says: its label (the text without the count), place, side, count."""

    label: str
    region: str = ""
    level: str = ""
    laterality: str | None = None
    count: int = 1
    depth: Decimal | None = None
    depth_unit: str = "mm"
    angle: str | None = None
    errors: list[str] = field(default_factory=list)


def read_ashi(text: str) -> AshiPlace:
    """Read an Ashi point's text (what follows "Ashi:"); pure, no database."""
    place = AshiPlace(label="")
    counts = list(ASHI_COUNT.finditer(text))
    for match in counts:
        place.count = int(next(filter(None, match.groups())))
    text = ASHI_COUNT.sub(" ", text)
    while trailing := ASHI_TRAILING.search(text):
        number, unit, angle = trailing.groups()
        if angle:
            place.angle = place.angle or ANGLE_WORDS[angle.lower()]
        elif place.depth is None:
            place.depth, place.depth_unit = Decimal(number.replace(",", ".")), unit.lower()
        text = text[: trailing.start()]
    label = place.label = re.sub(r"\s+", " ", text).strip(" :-–—")
    errors = place.errors
    if not label:
        errors.append(_("Ashi: say where on the body, %(examples)s.", examples=ASHI_EXAMPLES))
        return place
    if len(counts) > 1:
        errors.append(_("Ashi “%(label)s”: give one count, e.g. “Ashi x3 L upper trap”.",
                        label=label))
    elif not 1 <= place.count <= MAX_ASHI_COUNT:
        errors.append(_("Ashi “%(label)s”: a count goes from 1 to %(most)d, e.g. “x3”.",
                        label=label, most=MAX_ASHI_COUNT))
    _read_place(label, place)
    _read_side(label, place)
    return place


def _read_place(label: str, place: AshiPlace) -> None:
    errors = place.errors
    if ASHI_RANGE.search(label):
        errors.append(_(
            "Ashi “%(label)s”: one level per Ashi point: type one entry per level, e.g. “Ashi: "
            "left T5 paraspinal, Ashi: left T6 paraspinal”, or EX-B2 with a range.", label=label
        ))
        return
    levels = {}
    for match in ASHI_LEVEL.finditer(label):
        letter, number, ics, ordinal = match.groups()
        level = f"{letter.upper()}{int(number)}" if letter else f"ICS{int(ics or ordinal)}"
        if level not in PLACE_LEVELS:
            errors.append(_(
                "Ashi “%(label)s”: “%(typed)s” is not a level: use C1-C7, T1-T12, L1-L5, "
                "S1-S4 or an intercostal space (ICS1-ICS11, “4th ICS”).",
                label=label, typed=match.group(0)
            ))
            return
        levels[level] = match.group(0)
    if len(levels) > 1:
        errors.append(_(
            "Ashi “%(label)s”: one level per Ashi point (%(levels)s given): type one entry per "
            "level.", label=label, levels=_(" and ").join(levels)
        ))
        return
    level = next(iter(levels), "")
    words = {}
    paraspinal = False
    for match in REGION_PHRASE.finditer(ASHI_LEVEL.sub(" ", label)):
        phrase = re.sub(r"[\s\-]+", " ", match.group(1).lower())
        if phrase in PARASPINAL_WORDS:
            paraspinal = True
        else:
            words.setdefault(_REGION_OF[phrase], match.group(0))
    if len(words) > 1:
        first, second = list(words.values())[:2]
        errors.append(_(
            "Ashi “%(label)s”: “%(first)s” and “%(second)s” are two places: one place per Ashi "
            "point, e.g. “Ashi: %(first)s L, Ashi: %(second)s L”.",
            label=label, first=first, second=second
        ))
        return
    region, word = next(iter(words.items()), ("", ""))
    if region and level and not level_fits(region, level):
        where = REGIONS[region].split(" (")[0].lower()
        if region in REGION_LEVELS:
            errors.append(_(
                "Ashi “%(label)s”: %(level)s is not in the %(where)s (%(ranges)s): give a level "
                "from that range, or leave out “%(word)s” (%(level)s is in the %(level_where)s).",
                label=label, level=level, where=where, ranges=_level_ranges(region), word=word,
                level_where=REGIONS[LEVEL_REGION[level]].split(" (")[0].lower()
            ))
        else:
            errors.append(_(
                "Ashi “%(label)s”: a level goes only with the neck, upper back, chest, lower "
                "back or sacrum: leave out “%(typed)s”, e.g. “Ashi: %(word)s L”.",
                label=label, typed=levels[level], word=word
            ))
        return
    if not region and level:
        region = LEVEL_REGION[level]
    if not region:
        if paraspinal:
            errors.append(_("Ashi “%(label)s”: give the level, e.g. “Ashi: left T7 paraspinal”.",
                            label=label))
        else:
            errors.append(_("Ashi “%(label)s”: say where on the body, %(examples)s.",
                            label=label, examples=ASHI_EXAMPLES))
        return
    place.region, place.level = region, level


def _level_ranges(region: str) -> str:
    runs: list[list[str]] = []
    for level in REGION_LEVELS[region]:
        prefix = level.rstrip("0123456789")
        if runs and runs[-1][0].rstrip("0123456789") == prefix:
            runs[-1].append(level)
        else:
            runs.append([level])
    return _(" or ").join(f"{run[0]}-{run[-1]}" for run in runs)


def ashi_sides(label: str) -> set[str]:
    """The sides an Ashi text names: words, and a standalone L, R or B ("L4" is a level)."""
    words = re.findall(r"[\w/+]+", ASHI_LEVEL.sub(" ", label).lower())
    return {ASHI_SIDE_WORDS[w] for w in words if w in ASHI_SIDE_WORDS}


def _read_side(label: str, place: AshiPlace) -> None:
    sides = ashi_sides(label)
    if len(sides) == 1:
        place.laterality = sides.pop()
    elif not sides:
        place.errors.append(_(
            "Ashi “%(label)s”: give one side, e.g. “Ashi: left %(label)s” (or right, bilat; "
            "midline for a spot on the midline).", label=label
        ))
    else:
        place.errors.append(_(
            "Ashi “%(label)s”: give one side (left, right, bilat or midline), not several; for "
            "both sides write “bilat”.", label=label
        ))


