"""Browsing the catalog and the JSON point search every picker uses."""

from flask import Blueprint, abort, jsonify, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
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
    }
