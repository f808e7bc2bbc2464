"""Where on the body a needle goes: the region vocabulary shared by the catalog, custom point
rows (Ashi points and extra points not in the catalog) and the caution engine, and the levels
that place a needle on the trunk.

Every needle has a region: a catalog point has its catalog region, a custom row carries one
of the same codes. On the trunk a level places it more exactly: a vertebral level (C1-S4) or
an intercostal space (ICS1-ICS11). A level also decides the region where it is more exact
than the catalog's: EX-B2 (Huatuojiaji) is an upper-back point in the catalog, but at L3 it is
a lower-back (lumbosacral) needle.
"""

from flask_babel import LazyString

from tracker.i18n import _, _l

# Codes are stored; never rename one. In the order the body map lists them.
REGIONS = {
    "head": _l("Head"),
    "face": _l("Face"),
    "neck": _l("Neck"),
    "supraclavicular": _l("Supraclavicular fossa"),
    "trapezius": _l("Upper trapezius (top of the shoulder)"),
    "shoulder": _l("Shoulder"),
    "chest": _l("Chest"),
    "upper_abdomen": _l("Upper abdomen"),
    "lower_abdomen": _l("Lower abdomen"),
    "upper_back": _l("Upper back (thoracic, T1-T12)"),
    "lower_back": _l("Lower back (lumbar, L1-L5)"),
    "sacral": _l("Sacrum and buttock"),
    "hip": _l("Hip (lateral)"),
    "perineum": _l("Perineum"),
    "upper_limb": _l("Arm"),
    "hand": _l("Hand"),
    "lower_limb": _l("Leg"),
    "foot": _l("Foot"),
}

# Over the lung: WHO 1999 §5.2 names the chest, the back and the supraclavicular fossa; the
# upper trapezius (GB21) is where pneumothorax is reported most.
THORAX_REGIONS = frozenset({"chest", "upper_back", "supraclavicular", "trapezius"})
# WHO 1999 §2.1: avoided in every trimester.
LUMBOSACRAL_REGIONS = frozenset({"lower_back", "sacral"})
LOWER_ABDOMEN_REGIONS = frozenset({"lower_abdomen", "perineum"})
# WHO 1999 §2.1: avoided after the third month.
UPPER_ABDOMEN_REGIONS = frozenset({"upper_abdomen"})

CERVICAL = tuple(f"C{n}" for n in range(1, 8))
THORACIC = tuple(f"T{n}" for n in range(1, 13))
LUMBAR = tuple(f"L{n}" for n in range(1, 6))
SACRAL = tuple(f"S{n}" for n in range(1, 5))
INTERCOSTAL = tuple(f"ICS{n}" for n in range(1, 12))
# EX-B2 (Huatuojiaji) runs from T1 to L5.
HUATUOJIAJI_LEVELS = THORACIC + LUMBAR
LEVELS = CERVICAL + THORACIC + LUMBAR + SACRAL + INTERCOSTAL

# The region a level puts a needle in.
_LEVEL_REGIONS = (
    (CERVICAL, "neck"),
    (THORACIC, "upper_back"),
    (LUMBAR, "lower_back"),
    (SACRAL, "sacral"),
    (INTERCOSTAL, "chest"),
)
LEVEL_REGION = {level: region for levels, region in _LEVEL_REGIONS for level in levels}
# The levels that may go with a region on a custom row. The chest takes an intercostal space
# or the thoracic level it lies at.
REGION_LEVELS = {
    "neck": CERVICAL,
    "upper_back": THORACIC,
    "chest": INTERCOSTAL + THORACIC,
    "lower_back": LUMBAR,
    "sacral": SACRAL,
}

def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def level_label(level: str) -> str:
    """"T7" stays "T7"; "ICS4" reads "4th intercostal space" (in the request's language)."""
    if level.startswith("ICS"):
        number = int(level[3:])
        # One message per English ordinal ending, so a translation need not build ordinals.
        suffix = _ordinal(number)
        if suffix == "st":
            return _("%(number)dst intercostal space", number=number)
        if suffix == "nd":
            return _("%(number)dnd intercostal space", number=number)
        if suffix == "rd":
            return _("%(number)drd intercostal space", number=number)
        return _("%(number)dth intercostal space", number=number)
    return level


# Grouped for a select box: (group label, ((code, label), ...)).
LEVEL_GROUPS = (
    (_l("Cervical"), tuple((level, level) for level in CERVICAL)),
    (_l("Thoracic"), tuple((level, level) for level in THORACIC)),
    (_l("Lumbar"), tuple((level, level) for level in LUMBAR)),
    (_l("Sacral"), tuple((level, level) for level in SACRAL)),
    (_l("Intercostal space"),
     tuple((level, LazyString(level_label, level)) for level in INTERCOSTAL)),
)


def region_at(region: str, level: str = "") -> str:
    """The region of a needle: its level's region where the level says more (EX-B2 at L3 is
    lower back), else the region given."""
    by_level = LEVEL_REGION.get(level or "")
    if by_level is None:
        return region or ""
    if region == "chest" and by_level == "upper_back":
        return "chest"  # a chest needle given its thoracic level stays on the chest
    return by_level


def level_fits(region: str, level: str) -> bool:
    """Whether a custom row's level goes with its region (T7 with the upper back, not L3)."""
    return not level or level in REGION_LEVELS.get(region, ())


# The depth hint for a custom needle over the thorax: the shallowest hint of the catalog's
# thorax points in that region (tests/points/test_catalog_data.py checks these against the
# catalog file), with where it comes from.
REGION_DEPTH_HINTS = {
    "chest": (8, _l("the shallowest hint of the catalog's chest points (PC1: oblique 0.2-0.4 cun, "
                    "Chinese Acupuncture and Moxibustion 1999)")),
    "upper_back": (10, _l("the shallowest hint of the catalog's upper-back points (BL41-BL50, "
                          "SI13, TE15: 0.3-0.5 cun, Chinese Acupuncture and Moxibustion "
                          "1999)")),
    "supraclavicular": (10, _l("the catalog's hint for ST12 (perpendicular 0.3-0.5 cun, Chinese "
                               "Acupuncture and Moxibustion 1999)")),
    "trapezius": (14, _l("the mean skin-to-pleura depth at GB21 in women (14.6 mm; 17.4 mm in men; "
                         "Chen 2018, J Acupunct Meridian Stud 11:355): a population average, "
                         "not a safe limit")),
}
