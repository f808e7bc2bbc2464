"""The quick-entry parser's entry point: shorthand in, point rows (or refusals) out."""

from collections.abc import Callable

from tracker.points.places import read_ashi
from tracker.points.shorthand.entries import EntryBuilder
from tracker.points.shorthand.rows import ParsedRow, ParseResult, ResolvedCode
from tracker.points.shorthand.tokens import (
    _KEPT_COMMA,
    DECIMAL_COMMA,
    SPLIT_ENTRIES,
    ear_refusal,
    name_candidates,
    plan_entry,
)

__all__ = ["ParseResult", "ParsedRow", "ResolvedCode", "parse_quick_entry"]


def parse_quick_entry(
    text: str, resolve: Callable[[list[str]], dict[str, ResolvedCode]]
) -> ParseResult:
    """Parse ``text``; ``resolve`` maps typed codes and names to catalog points (unknown ones
    absent). It is called once, with every candidate."""
    result = ParseResult()
    protected = DECIMAL_COMMA.sub(lambda m: m.group(1) + _KEPT_COMMA, text or "")
    entries = [
        e.strip().replace(_KEPT_COMMA, ",") for e in SPLIT_ENTRIES.split(protected) if e.strip()
    ]
    plans = [plan_entry(entry) for entry in entries]
    candidates = set()
    for kind, payload in plans:
        if kind == "points":
            candidates |= name_candidates(payload)
    resolved = resolve(sorted(candidates)) if candidates else {}
    for kind, payload in plans:
        if kind == "ear":
            result.errors.append(ear_refusal(payload))
        elif kind == "ashi":
            _ashi_rows(payload, result)
        else:
            EntryBuilder(payload, resolved, result).build()
    return result



def _ashi_rows(text: str, result: ParseResult) -> None:
    place = read_ashi(text)
    if place.errors:
        result.errors.extend(place.errors)
        return
    for _ in range(place.count):
        result.rows.append(
            ParsedRow(
                code=None,
                laterality=place.laterality,
                custom_label=place.label,
                level=place.level,
                depth=place.depth,
                depth_unit=place.depth_unit,
                region=place.region,
                angle=place.angle,
            )
        )


