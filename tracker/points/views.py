"""Browsing the catalog and the JSON point search every picker uses."""

from flask import Blueprint, abort, jsonify, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.i18n import _
from tracker.permissions import CLINICAL_ROLES, roles_required
from tracker.points.models import MERIDIANS, REGIONS, Point
from tracker.points.services import points_by_meridian, search_points

bp = Blueprint("points", __name__)

SEARCH_LIMIT = 20


@bp.get("/")
@roles_required(*CLINICAL_ROLES)
def index():
    grouped = points_by_meridian()
    selected = request.args.get("meridian", "")
    if selected and selected not in grouped:
        abort(404)
    return render_template(
        "points/index.html",
        grouped=grouped,
        meridians=MERIDIANS,
        selected=selected,
        regions=REGIONS,
    )


@bp.get("/<string:code>")
@roles_required(*CLINICAL_ROLES)
def detail(code: str):
    point = db.session.scalar(
        select(Point).options(selectinload(Point.aliases)).where(Point.code == code.upper())
    )
    if point is None:
        abort(404)
    return render_template("points/detail.html", point=point, meridians=MERIDIANS, regions=REGIONS)


@bp.get("/search.json")
@roles_required(*CLINICAL_ROLES)
def search():
    query = request.args.get("q", "")[:60]
    results = search_points(query, limit=SEARCH_LIMIT) if query.strip() else []
    return jsonify(query=query, results=[_point_json(point) for point in results])


def _point_json(point: Point) -> dict:
    """A suggestion: what the picker shows (code, names, caution badges) and what it needs to
    add the row (midline, a level)."""
    return {
        "code": point.code,
        "pinyin": point.pinyin,
        "hanzi": point.hanzi,
        "english": point.english,
        "meridian": point.meridian,
        "region": point.region,
        "midline": point.is_midline,
        "needs_level": point.needs_level,
        "cautions": {
            "pregnancy": point.pregnancy_caution,
            "thorax_depth": point.thorax_depth_caution,
            "max_depth_mm": point.max_depth_mm,
            "always_warn": point.always_warn,
        },
        "badges": caution_badges(point),
        "default_side": "midline" if point.is_midline else "bilateral",
    }


def caution_badges(point: Point) -> list[dict]:
    """The catalog's cautions of a point as short badges, each with its source for a tooltip
    (what the engine then says depends on the patient: these are the point's own flags)."""
    badges = []
    if point.always_warn:
        badges.append({"kind": "always_warn", "label": _("Always warn"),
                       "title": point.always_warn_reason})
    if point.pregnancy_caution:
        badges.append({"kind": "pregnancy", "label": _("Pregnancy"),
                       "title": point.pregnancy_source})
    if point.thorax_depth_caution:
        # The depth hint reads as the catalog means it: a textbook range's deep end, a
        # population average (GB21: never a safe limit), or no needling at all (ST17).
        label = {
            "textbook": _("Lung: %(depth)s mm", depth=point.max_depth_mm),
            "population_mean": _("Lung: about %(depth)s mm", depth=point.max_depth_mm),
        }.get(point.depth_hint_basis or "textbook", _("Lung")) if point.max_depth_mm else _("Lung")
        badges.append({"kind": "thorax_depth", "label": label, "title": point.depth_source})
    return badges
