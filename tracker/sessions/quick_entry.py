"""The quick-entry parser: a practitioner's shorthand turned into point rows.

    BL18 BL20 BL23 bilat, GV6, GV9, LI4 L, SP6 b/l, Ashi: left T7 paraspinal

Entries are separated by commas, semicolons or new lines. Inside an entry, a side word (L, R,
bilat, b/l, midline ...) applies to every point since the previous side word, so
"BL18 BL20 bilat" makes both bilateral and "LI4 L LI11 R" gives each its own side. A side may
also come first ("left LI4") or be stuck to the code ("LI4L", "LI4(R)"). GV and CV points are
midline. ``12mm`` or ``0.5cun`` sets the depth of the pending points; ``T5-T8`` after EX-B2
(Huatuojiaji) makes one row per level. ``Ashi: <where>`` adds a custom point, its side read
from the words. Nothing is dropped silently: an unknown code, a paired point without a side or
a word that means nothing is reported, and the text is kept for correction.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from tracker.points.codes import MERIDIAN_PREFIXES

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
ASHI = re.compile(r"^\s*(ashi|a-shi|a shi)\b\s*[:\-]?\s*(.*)$", re.IGNORECASE)
DEPTH = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(mm|cun)$", re.IGNORECASE)
LEVEL = re.compile(r"^([TL])(\d{1,2})(?:-([TL])?(\d{1,2}))?$", re.IGNORECASE)
STUCK_SIDE = re.compile(r"^(.+?\d)[\s(\-]*([LRB])\)?$", re.IGNORECASE)
SPLIT_ENTRIES = re.compile(r"[,;\n]+")
# "LI 4" and "li - 4" are one code: join a letters-only word with the number after it.
# "LI 4", "li - 4" and "EX B 2" are one code: a meridian (or EX) prefix, a separator, then a
# one- or two-digit number that is not the start of a decimal ("L 0.5cun" is a side and a depth).
JOIN_CODE = re.compile(
    r"(?<![\w/])((?:EX[\s.\-]*)?[A-Za-z]{1,3})[\s.\-]+(0*\d{1,2})(?![\d.,])", re.IGNORECASE
)
JOIN_DEPTH = re.compile(r"(\d+(?:[.,]\d+)?)\s+(mm|cun)\b", re.IGNORECASE)

LEVELS = [f"T{n}" for n in range(1, 13)] + [f"L{n}" for n in range(1, 6)]


@dataclass
class ResolvedCode:
    code: str
    midline: bool
    needs_level: bool


@dataclass
class ParsedRow:
    code: str | None  # None for a custom (Ashi) point
    laterality: str | None
    custom_label: str = ""
    level: str = ""
    depth: Decimal | None = None
    depth_unit: str = "mm"


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_quick_entry(
    text: str, resolve: Callable[[list[str]], dict[str, ResolvedCode]]
) -> ParseResult:
    """Parse ``text``; ``resolve`` maps typed codes to catalog points (unknown ones absent)."""
    result = ParseResult()
    entries = [e.strip() for e in SPLIT_ENTRIES.split(text or "") if e.strip()]
    plans = [_plan_entry(entry, result) for entry in entries]
    typed = sorted({token for plan in plans for kind, token in plan if kind == "code"})
    resolved = resolve(typed) if typed else {}
    for entry, plan in zip(entries, plans, strict=True):
        _build_rows(entry, plan, resolved, result)
    return result


def _plan_entry(entry: str, result: ParseResult) -> list[tuple[str, str]]:
    """Tokens of one entry, classified: ("ashi", text), ("code", c), ("side", s), ..."""
    ashi = ASHI.match(entry)
    if ashi:
        return [("ashi", ashi.group(2).strip())]
    tokens = JOIN_DEPTH.sub(r"\1\2", JOIN_CODE.sub(_join_code, entry)).split()
    plan = []
    for raw in tokens:
        token = raw.strip("()[]")
        lowered = token.lower()
        if lowered in SIDE_WORDS:
            plan.append(("side", SIDE_WORDS[lowered]))
        elif DEPTH.match(token):
            plan.append(("depth", token))
        elif LEVEL.match(token):
            plan.append(("level", token.upper()))
        elif any(c.isdigit() for c in token):
            stuck = STUCK_SIDE.match(token)
            if stuck and _looks_like_code(stuck.group(1)):
                plan.append(("code", stuck.group(1)))
                plan.append(("side", SIDE_WORDS[stuck.group(2).lower()]))
            else:
                plan.append(("code", token))
        else:
            plan.append(("code", token))
    return plan


def _join_code(match: re.Match) -> str:
    prefix = match.group(1)
    bare = re.sub(r"[\s.\-]", "", prefix).upper()
    is_prefix = bare in MERIDIAN_PREFIXES or (bare.startswith("EX") and len(bare) <= 4)
    if not is_prefix:
        return match.group(0)
    return bare + match.group(2)


def _looks_like_code(text: str) -> bool:
    return bool(re.match(r"^[A-Za-z]{1,3}[\s.\-]*[A-Za-z]{0,2}[\s.\-]*0*\d{1,2}$", text))


def _build_rows(entry: str, plan, resolved: dict[str, ResolvedCode], result: ParseResult):
    if plan and plan[0][0] == "ashi":
        label = plan[0][1]
        words = re.findall(r"[a-z/]+", label.lower())
        sides = {SIDE_WORDS[w] for w in words if w in SIDE_WORDS and len(w) > 1}
        if not label:
            result.errors.append("Ashi: say where, e.g. “Ashi: left T7 paraspinal”.")
        elif len(sides) != 1:
            result.errors.append(f"Ashi “{label}”: give one side (left, right or bilateral).")
        else:
            result.rows.append(ParsedRow(code=None, laterality=sides.pop(), custom_label=label))
        return

    pending: list[ParsedRow] = []
    leading_side = None
    for kind, value in plan:
        if kind == "code":
            point = resolved.get(value)
            if point is None:
                result.errors.append(f"“{value}” is not a point code we know.")
                continue
            row = ParsedRow(code=point.code, laterality="midline" if point.midline else None)
            if leading_side and not point.midline:
                row.laterality = leading_side
            pending.append(row)
            result.rows.append(row)
            row._needs_level = point.needs_level  # checked when the entry ends
        elif kind == "side":
            targets = [r for r in pending if r.laterality in (None, "midline") or leading_side]
            if not pending:
                leading_side = value
                continue
            for row in targets:
                if row.laterality == "midline" and value != "midline":
                    continue  # a midline point keeps its single needle
                row.laterality = value
            pending = []
            leading_side = None
        elif kind == "depth":
            number, unit = DEPTH.match(value).groups()
            try:
                depth = Decimal(number.replace(",", "."))
            except InvalidOperation:  # pragma: no cover - the regex admits only numbers
                result.errors.append(f"“{value}” is not a depth.")
                continue
            for row in pending or result.rows[-1:]:
                row.depth, row.depth_unit = depth, unit.lower()
        elif kind == "level":
            _apply_levels(value, pending or result.rows[-1:], result)
    for row in result.rows:
        if getattr(row, "_needs_level", False) and not row.level:
            result.errors.append(f"{row.code}: give the vertebral level, e.g. “{row.code} T7”.")
            row._needs_level = False
        if row.laterality is None:
            result.errors.append(f"{row.code}: give a side (L, R or bilat).")
            row.laterality = "?"


def _apply_levels(value: str, rows: list[ParsedRow], result: ParseResult) -> None:
    start_letter, start, end_letter, end = LEVEL.match(value).groups()
    first = f"{start_letter.upper()}{int(start)}"
    last = f"{(end_letter or start_letter).upper()}{int(end)}" if end else first
    if first not in LEVELS or last not in LEVELS or LEVELS.index(last) < LEVELS.index(first):
        result.errors.append(f"“{value}” is not a vertebral level or range from T1 to L5.")
        return
    levels = LEVELS[LEVELS.index(first) : LEVELS.index(last) + 1]
    targets = [row for row in rows if getattr(row, "_needs_level", False)]
    if not targets:
        result.errors.append(f"“{value}”: a level only goes with EX-B2 (Huatuojiaji).")
        return
    for row in targets:
        index = result.rows.index(row)
        copies = [
            ParsedRow(
                code=row.code,
                laterality=row.laterality,
                level=level,
                depth=row.depth,
                depth_unit=row.depth_unit,
            )
            for level in levels
        ]
        result.rows[index : index + 1] = copies
        rows[rows.index(row) : rows.index(row) + 1] = copies


SIDE_SHORTHAND = {"left": "L", "right": "R", "bilateral": "bilat", "midline": ""}


def to_shorthand(rows) -> str:
    """Point rows (dicts, protocol rows or models) written back as quick-entry text, so a
    protocol can be edited in the same shorthand it was typed in."""
    parts = []
    for row in rows:

        def get(name, row=row):
            return row.get(name) if isinstance(row, dict) else getattr(row, name, None)

        point = get("point")
        code = get("code") or (point.code if point is not None else None)
        if code is None:
            label = get("custom_label") or ""
            side = {"left": "left", "right": "right", "bilateral": "bilateral"}.get(
                get("laterality") or "", ""
            )
            # The parser keeps the side word in the label; add it only when the label lacks it.
            named = {SIDE_WORDS[w] for w in re.findall(r"[a-z/]+", label.lower())
                     if w in SIDE_WORDS and len(w) > 1}
            if side and side not in named:
                label = f"{side} {label}"
            parts.append(f"Ashi: {label}".strip())
            continue
        words = [code]
        if get("level"):
            words.append(get("level"))
        side = SIDE_SHORTHAND.get(get("laterality") or "", "")
        if side:
            words.append(side)
        if get("depth") is not None:
            words.append(f"{Decimal(get('depth')).normalize():f}{get('depth_unit') or 'mm'}")
        parts.append(" ".join(words))
    return ", ".join(parts)
