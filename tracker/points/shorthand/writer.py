"""Point rows written back as shorthand, so a protocol is edited in the words it was typed in."""

from decimal import Decimal

from tracker.points.places import REGION_SHORTHAND, ashi_sides, read_ashi

ANGLE_SHORTHAND = {"perpendicular": "perp", "oblique": "obl", "transverse": "trans"}
SIDE_SHORTHAND = {"left": "L", "right": "R", "bilateral": "bilat", "midline": ""}


def to_shorthand(rows) -> str:
    """Point rows (dicts, protocol rows or models) written back as quick-entry text, so a
    protocol can be edited in the same shorthand it was typed in."""
    parts = []
    for row in rows:

        def get(name, row=row):
            return row.get(name) if isinstance(row, dict) else getattr(row, name, None)

        point = get("point")
        code = point.code if point is not None else get("code")
        if hasattr(row, "point") and point is None:
            code = None  # a stored custom row (its ``code`` property says "Ashi")
        tail = []
        if get("depth") is not None:
            tail.append(f"{Decimal(get('depth')).normalize():f}{get('depth_unit') or 'mm'}")
        if get("angle") in ANGLE_SHORTHAND:
            tail.append(ANGLE_SHORTHAND[get("angle")])
        if code is None:
            parts.append(" ".join(["Ashi:", _ashi_text(get), *tail]).strip())
            continue
        words = [code]
        if get("level"):
            words.append(get("level"))
        side = SIDE_SHORTHAND.get(get("laterality") or "", "")
        if side:
            words.append(side)
        parts.append(" ".join(words + tail))
    return ", ".join(parts)


def _ashi_text(get) -> str:
    """A custom row's label, with the side, level and region added where it lacks them."""
    label = get("custom_label") or ""
    side = {"left": "left", "right": "right", "bilateral": "bilateral", "midline": "midline"}
    words = [label]
    side = side.get(get("laterality") or "", "")
    if side and not ashi_sides(label):
        words.insert(0, side)
    level, region = get("level") or "", get("region") or ""
    place = read_ashi(" ".join(words))
    if level and place.level != level:
        words.insert(-1, level)
        place = read_ashi(" ".join(words))
    if region and place.region != region and region in REGION_SHORTHAND:
        words.append(REGION_SHORTHAND[region])
    return " ".join(w for w in words if w)

