"""Loading, exporting, searching and resolving catalog points."""

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import case, or_, select
from sqlalchemy.orm import load_only, selectinload

from tracker.extensions import db
from tracker.points import row_schema
from tracker.points.codes import canonical_code, fold_text, normalise_alias
from tracker.points.models import MERIDIANS, Point, PointAlias
from tracker.points.shorthand import ParseResult, ResolvedCode, parse_quick_entry

CATALOG_PATH = Path(__file__).parent / "data" / "points.csv"
# Where the body chart draws each point: a companion file (data/README.md, points/body_chart.py).
CHART_PATH = CATALOG_PATH.with_name("chart_positions.csv")
EXPORT_COLUMNS = (
    "code",
    "meridian",
    "number",
    "pinyin",
    "hanzi",
    "english",
    "region",
    "pregnancy_caution",
    "thorax_depth_caution",
    "max_depth_mm",
    "always_warn",
    "needs_level",
    "scheme",
    "aliases",
    "location",
    "needling",
    "pregnancy_source",
    "depth_source",
    "depth_hint_basis",
    "always_warn_reason",
)


def load_catalog(path: Path = CATALOG_PATH, chart_path: Path = CHART_PATH) -> dict:
    """Upsert every point of the catalog file by code, with its body-chart position from the
    chart file; idempotent.

    Returns counts: ``{"created": n, "updated": n, "unchanged": n}``.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with chart_path.open(encoding="utf-8", newline="") as handle:
        chart = {row["code"]: row for row in csv.DictReader(handle)}
    existing = {
        p.code: p for p in db.session.scalars(select(Point).options(selectinload(Point.aliases)))
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for order, row in enumerate(rows, start=1):
        values = _point_values(row, order) | _chart_values(chart.get(row["code"]))
        point = existing.get(values["code"])
        if point is None:
            point = Point(**values)
            point.aliases = []
            db.session.add(point)
            counts["created"] += 1
        else:
            changed = any(getattr(point, key) != value for key, value in values.items())
            for key, value in values.items():
                setattr(point, key, value)
            counts["updated" if changed else "unchanged"] += 1
        _sync_aliases(point, [a.strip() for a in row["aliases"].split(";") if a.strip()])
    db.session.flush()
    return counts


def export_rows() -> Iterable[dict]:
    """Catalog rows for export, in catalog order, aliases joined with semicolons."""
    points = db.session.scalars(
        select(Point).options(selectinload(Point.aliases)).order_by(Point.sort_order)
    )
    for point in points:
        row = {column: getattr(point, column, "") for column in EXPORT_COLUMNS}
        row["aliases"] = ";".join(alias.alias for alias in point.aliases)
        for flag in ("pregnancy_caution", "thorax_depth_caution", "always_warn", "needs_level"):
            row[flag] = "yes" if row[flag] else ""
        row["max_depth_mm"] = "" if point.max_depth_mm is None else point.max_depth_mm
        yield row


def export_catalog(fmt: str) -> str:
    """The whole catalog as CSV (RFC 4180, header row) or as a JSON list of objects."""
    rows = list(export_rows())
    if fmt == "json":
        for row in rows:
            for flag in ("pregnancy_caution", "thorax_depth_caution", "always_warn", "needs_level"):
                row[flag] = row[flag] == "yes"
            row["aliases"] = row["aliases"].split(";") if row["aliases"] else []
            row["max_depth_mm"] = row["max_depth_mm"] or None
        return json.dumps(rows, ensure_ascii=False, indent=2)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def resolve_point(text: str) -> Point | None:
    """The point a typed code or alias names exactly (``LI 4``, ``SJ5``, ``Hoku``), or None."""
    code = canonical_code(text)
    if code:
        point = db.session.scalar(select(Point).where(Point.code == code))
        if point is not None:
            return point
    normalised = normalise_alias(text)
    if not normalised:
        return None
    return db.session.scalar(
        select(Point).join(PointAlias).where(PointAlias.normalised == normalised)
    )


def resolve_codes(tokens: Iterable[str]) -> dict[str, Point]:
    """Resolve many typed codes in two queries: {typed token: point} for those that exist."""
    tokens = list(tokens)
    by_code = {canonical_code(t): t for t in tokens if canonical_code(t)}
    found = {}
    if by_code:
        for point in db.session.scalars(select(Point).where(Point.code.in_(by_code))):
            found[by_code[point.code]] = point
    missing = {normalise_alias(t): t for t in tokens if t not in found and normalise_alias(t)}
    if missing:
        rows = db.session.execute(
            select(PointAlias.normalised, Point)
            .join(Point)
            .where(PointAlias.normalised.in_(missing))
        )
        for normalised, point in rows:
            found[missing[normalised]] = point
    return {t: found[t] for t in tokens if t in found}


def resolve_names(tokens: Iterable[str]) -> dict[str, Point | list[Point]]:
    """Resolve typed codes and aliases (as ``resolve_codes``), then point names: the pinyin
    with or without tones and spaces ("Hegu", "He Gu", "Hé Gǔ") and the hanzi ("合谷"), each
    matched exactly. A name that several points share ("Zhongzhu": KI15 and TE3) maps to the
    list of them, in catalog order. Unknown tokens are absent. At most four queries: the
    names of all points are read once and matched in memory."""
    tokens = list(tokens)
    found: dict[str, Point | list[Point]] = dict(resolve_codes(tokens))
    folded = {t: fold_text(t) for t in tokens if t not in found and fold_text(t)}
    if folded:
        codes_by_name: dict[str, list[str]] = {}
        for code, pinyin, hanzi in db.session.execute(
            select(Point.code, Point.pinyin, Point.hanzi).order_by(Point.sort_order)
        ):
            for name in dict.fromkeys(filter(None, (fold_text(pinyin), fold_text(hanzi)))):
                codes_by_name.setdefault(name, []).append(code)
        wanted = {t: codes_by_name[name] for t, name in folded.items() if name in codes_by_name}
        if wanted:
            codes = {code for matched in wanted.values() for code in matched}
            points = {
                p.code: p for p in db.session.scalars(select(Point).where(Point.code.in_(codes)))
            }
            for token, matched in wanted.items():
                found[token] = (
                    points[matched[0]] if len(matched) == 1 else [points[code] for code in matched]
                )
    return {t: found[t] for t in tokens if t in found}


def search_points(query: str, limit: int = 20) -> list[Point]:
    """Points matching ``query``, best first: the exact code or alias, codes starting with
    it (``BL2`` -> BL2, BL20...), then pinyin, English or hanzi matches."""
    exact = resolve_point(query)
    folded = fold_text(query)
    if not folded:
        return [exact] if exact else []
    code_prefix = canonical_code(query) or query.strip().upper().replace(" ", "")
    # search_text is " <pinyin> <english> <hanzi> <aliases>", folded: a leading space marks
    # the start of each word, so the pinyin start ranks above a match inside a word.
    rank = case(
        (Point.code == code_prefix, 0),
        (Point.code.startswith(code_prefix, autoescape=True), 1),
        (Point.search_text.startswith(" " + folded, autoescape=True), 2),
        (Point.search_text.contains(" " + folded, autoescape=True), 3),
        else_=4,
    )
    stmt = (
        select(Point)
        .where(
            or_(
                Point.code.startswith(code_prefix, autoescape=True),
                Point.search_text.contains(folded, autoescape=True),
            )
        )
        .order_by(rank, Point.sort_order)
        .limit(limit)
    )
    results = list(db.session.scalars(stmt))
    if exact is not None:
        results = [exact] + [p for p in results if p.id != exact.id]
    return results[:limit]


def point_choices() -> list[tuple[str, str]]:
    """(code, "pinyin · English") of every point, for the pickers' option list (one query)."""
    rows = db.session.execute(
        select(Point.code, Point.pinyin, Point.english).order_by(Point.sort_order)
    )
    return [
        (code, f"{pinyin} · {english}" if english else pinyin) for code, pinyin, english in rows
    ]


def charted_points() -> list[Point]:
    """Every point the body chart places, in catalog order (one query): what a tap adds."""
    return list(db.session.scalars(
        select(Point).where(Point.chart_view != "").order_by(Point.sort_order)
        .options(load_only(Point.code, Point.meridian, Point.pinyin, Point.needs_level,
                           Point.chart_view, Point.chart_x, Point.chart_y))))


def points_by_meridian() -> dict[str, list[Point]]:
    """Every point grouped by meridian, in catalog order (one query)."""
    grouped: dict[str, list[Point]] = {code: [] for code in MERIDIANS}
    for point in db.session.scalars(select(Point).order_by(Point.sort_order)):
        grouped.setdefault(point.meridian, []).append(point)
    return {code: points for code, points in grouped.items() if points}


def _point_values(row: dict, order: int) -> dict:
    def flag(name):
        return row[name].strip().lower() == "yes"

    search = " ".join(
        filter(
            None,
            (
                fold_text(row["pinyin"]),
                fold_text(row["english"]),
                row["hanzi"],
                " ".join(fold_text(a) for a in row["aliases"].split(";") if a.strip()),
            ),
        )
    )
    return {
        "code": row["code"],
        "meridian": row["meridian"],
        "number": int(row["number"]),
        "sort_order": order,
        "pinyin": row["pinyin"],
        "hanzi": row["hanzi"],
        "english": row["english"],
        "location": row["location"],
        "needling": row["needling"],
        "region": row["region"],
        "pregnancy_caution": flag("pregnancy_caution"),
        "pregnancy_source": row["pregnancy_source"],
        "thorax_depth_caution": flag("thorax_depth_caution"),
        "max_depth_mm": int(row["max_depth_mm"]) if row["max_depth_mm"].strip() else None,
        "depth_source": row["depth_source"],
        "depth_hint_basis": row["depth_hint_basis"],
        "always_warn": flag("always_warn"),
        "always_warn_reason": row["always_warn_reason"],
        "scheme": row["scheme"],
        "needs_level": flag("needs_level"),
        "search_text": " " + search,
    }


def _chart_values(row: dict | None) -> dict:
    if row is None:
        return {"chart_view": "", "chart_x": None, "chart_y": None}
    return {"chart_view": row["view"], "chart_x": int(row["x"]), "chart_y": int(row["y"])}


def _sync_aliases(point: Point, aliases: list[str]) -> None:
    wanted = {normalise_alias(a): a for a in aliases if normalise_alias(a)}
    for alias in list(point.aliases):
        if alias.normalised not in wanted:
            point.aliases.remove(alias)
            db.session.delete(alias)
    present = {alias.normalised for alias in point.aliases}
    for normalised, alias in wanted.items():
        if normalised not in present:
            point.aliases.append(PointAlias(alias=alias, normalised=normalised))


def resolve_for_shorthand(tokens: list[str]) -> dict[str, ResolvedCode]:
    """The catalog as the quick-entry parser sees it (code, midline, needs a level), by code,
    alias, pinyin or hanzi; a name several points share gives their codes as candidates."""
    resolved = {}
    for token, found in resolve_names(tokens).items():
        if isinstance(found, list):
            resolved[token] = ResolvedCode("", False, False,
                                           candidates=tuple(p.code for p in found))
        else:
            resolved[token] = ResolvedCode(found.code, found.is_midline, found.needs_level)
    return resolved


def rows_from_shorthand(text: str) -> tuple[list[dict], ParseResult]:
    """Quick-entry text as plain point rows, each with its catalog point (sessions and
    protocols both take these), and the parse result with its refusals and notices."""
    result = parse_quick_entry(text, resolve_for_shorthand)
    points = resolve_codes([row.code for row in result.rows if row.code])
    rows = [row_schema.row_with_point(row, points.get(row.code) if row.code else None)
            for row in result.rows]
    return rows, result
