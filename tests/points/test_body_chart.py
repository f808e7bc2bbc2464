"""The body chart's geometry (tracker/points/body_chart.py) and the catalog's chart positions:
pure, with the catalog as loaded from the CSV files."""

import csv
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tracker.extensions import db
from tracker.points import body_chart as chart
from tracker.points.body_chart import (
    LEVEL_Y,
    MIDLINE,
    REGION_PLACES,
    ZONES,
    ashi_text,
    chart_markers,
    row_marker,
    session_chart,
    spots,
    tap_targets,
)
from tracker.points.models import Point
from tracker.points.places import read_ashi
from tracker.points.regions import HUATUOJIAJI_LEVELS, REGIONS
from tracker.points.services import CATALOG_PATH, CHART_PATH

# The list: every back, neck and shoulder point, GV, BL, GB21, EX-B2 and these.
COMMON_LIMB_POINTS = ("LI4", "LI11", "ST36", "SP6", "LR3", "KI3", "PC6", "LU7", "GB34", "BL40",
                      "BL60")
REQUIRED_REGIONS = {"upper_back", "lower_back", "sacral", "neck", "trapezius", "shoulder",
                    "supraclavicular"}
# Positions that lie in a neighbouring region's tap zone, and why that is right.
ZONE_EXCEPTIONS = {
    "SI15": "2 cun lateral to C7: upper back in the catalog, at the base of the neck",
    "EX-B1": "0.5 cun lateral to GV14 (a neck point): upper back in the catalog",
    "SI17": "behind the angle of the jaw: neck in the catalog, at the jaw on the drawing",
    "GV1": "the perineum is not a tap zone",
    "CV1": "the perineum is not a tap zone",
}


@pytest.fixture
def catalog(app_ctx):
    points = db.session.scalars(select(Point).order_by(Point.sort_order)).all()
    return {point.code: point for point in points}


def point(code="BL23", view="back", x=9, y=169, **fields):
    """A stand-in catalog point (the pure functions read attributes only)."""
    values = {"code": code, "pinyin": "Shènshū", "region": "lower_back", "needs_level": False,
              "is_midline": False, "chart_view": view, "chart_x": x, "chart_y": y, **fields}
    return SimpleNamespace(**values)


def xs(found):
    return {spot.side: spot.cx for spot in found}


# --- sides -----------------------------------------------------------------------------


def test_front_view_puts_the_patients_left_on_the_viewers_right():
    left, right = xs(spots("front", 22, 345, "left")), xs(spots("front", 22, 345, "right"))
    assert left == {"left": MIDLINE["front"] + 22}
    assert right == {"right": MIDLINE["front"] - 22}


def test_back_view_puts_the_patients_left_on_the_viewers_left():
    left, right = xs(spots("back", 9, 169, "left")), xs(spots("back", 9, 169, "right"))
    assert left == {"left": MIDLINE["back"] - 9}
    assert right == {"right": MIDLINE["back"] + 9}


def test_bilateral_draws_both_sides_mirrored_and_midline_one_dot():
    both = xs(spots("back", 9, 169, "bilateral"))
    assert both == {"left": MIDLINE["back"] - 9, "right": MIDLINE["back"] + 9}
    assert [(s.side, s.cx) for s in spots("back", 0, 125, "midline")] == \
        [("midline", MIDLINE["back"])]
    # A position on the midline is one dot whatever side a row names.
    assert len(spots("front", 0, 175, "bilateral")) == 1


def test_a_marker_is_drawn_where_its_row_says():
    marker = row_marker(3, 2, {"point": point(), "laterality": "left", "level": ""})
    assert (marker.number, marker.row, marker.label, marker.approximate) == (3, 2, "BL23", False)
    assert [(s.side, s.view, s.cx, s.cy) for s in marker.spots] == \
        [("left", "back", MIDLINE["back"] - 9, 169)]
    assert marker.name == "3: BL23 Shènshū, left"


# --- levels ----------------------------------------------------------------------------


def test_levels_run_down_the_spine():
    spine = [LEVEL_Y[level] for level in ("C1", "C7", *HUATUOJIAJI_LEVELS, "S1", "S4")]
    assert spine == sorted(spine) and len(set(spine)) == len(spine)
    ribs = [LEVEL_Y[f"ICS{n}"] for n in range(1, 12)]
    assert ribs == sorted(ribs)


def test_huatuojiaji_is_drawn_at_each_recorded_level():
    ex_b2 = point("EX-B2", x=3, y=89, needs_level=True, pinyin="Huàtuójiājǐ")
    heights = []
    for level in HUATUOJIAJI_LEVELS:
        marker = row_marker(1, 0, {"point": ex_b2, "laterality": "bilateral", "level": level})
        assert marker.label == f"EX-B2 {level}"
        assert {s.cx for s in marker.spots} == {MIDLINE["back"] - 3, MIDLINE["back"] + 3}
        heights.append(marker.spots[0].cy)
    assert heights == [LEVEL_Y[level] for level in HUATUOJIAJI_LEVELS]


def test_huatuojiaji_levels_line_up_with_gv_and_the_back_shu_points(catalog):
    def height(code, level=""):
        return row_marker(1, 0, {"point": catalog[code], "laterality": "bilateral",
                                 "level": level}).spots[0].cy

    assert height("EX-B2", "T7") == height("GV9") == height("BL17")  # below T7
    assert height("EX-B2", "L2") == height("GV4") == height("BL23")  # below L2
    assert height("EX-B2", "T11") == height("GV6") == height("BL20")


def test_every_huatuojiaji_level_can_be_tapped_on_both_sides(catalog):
    targets, names = tap_targets(catalog.values())
    ex_b2 = {(level, side) for code, level, side, *_ in targets if code == "EX-B2"}
    assert ex_b2 == {(level, side) for level in HUATUOJIAJI_LEVELS for side in ("left", "right")}
    assert names["EX-B2"] == catalog["EX-B2"].pinyin
    gv = [target for target in targets if target[0] == "GV9"]
    assert gv == [["GV9", "", "midline", MIDLINE["back"], LEVEL_Y["T7"]]]


# --- the catalog's positions -------------------------------------------------------------


def test_every_required_point_has_a_chart_position(catalog):
    required = {code for code, p in catalog.items()
                if p.region in REQUIRED_REGIONS or p.meridian in ("GV", "BL")}
    required |= {"GB21", "EX-B2", *COMMON_LIMB_POINTS}
    missing = sorted(code for code in required if chart.catalog_place(catalog[code]) is None)
    assert missing == []
    assert len(required) == 135  # the set is what the issue names, not an empty one


def test_every_catalog_point_is_placed(catalog):
    assert [code for code, p in catalog.items() if chart.catalog_place(p) is None] == []


@pytest.mark.parametrize(("code", "view"), [
    ("GV9", "back"), ("BL23", "back"), ("GB21", "back"), ("EX-B2", "back"), ("BL40", "back"),
    ("BL60", "back"), ("KI3", "back"), ("LI4", "back"),  # the dorsum of the hand
    ("LI11", "front"), ("ST36", "front"), ("SP6", "front"), ("LR3", "front"), ("PC6", "front"),
    ("LU7", "front"), ("GB34", "front"), ("CV12", "front"),
])
def test_points_are_on_the_view_that_shows_them(catalog, code, view):
    assert catalog[code].chart_view == view


def test_midline_points_sit_on_the_midline_and_paired_ones_off_it(catalog):
    for code, p in catalog.items():
        assert (p.chart_x == 0) == p.is_midline, code


def test_positions_lie_in_their_regions_zone(catalog):
    wrong = {}
    for code, p in catalog.items():
        zone = zone_at(p.chart_view, p.chart_x, p.chart_y)
        if zone is None or zone.region != p.region:
            wrong[code] = zone.region if zone else None
    assert sorted(wrong) == sorted(ZONE_EXCEPTIONS)


def test_bilateral_limb_points_mirror(catalog):
    marker = row_marker(1, 0, {"point": catalog["ST36"], "laterality": "bilateral"})
    left, right = sorted(marker.spots, key=lambda s: s.side)
    assert left.cx - MIDLINE["front"] == MIDLINE["front"] - right.cx > 0
    assert left.cy == right.cy


def test_chart_file_follows_the_catalog():
    with CATALOG_PATH.open(encoding="utf-8", newline="") as handle:
        codes = [row["code"] for row in csv.DictReader(handle)]
    with CHART_PATH.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["code", "view", "x", "y", "placed"]
        rows = list(reader)
    assert [row["code"] for row in rows] == codes
    for row in rows:
        assert row["view"] in chart.VIEWS, row
        assert 0 <= int(row["x"]) <= chart.FIGURE_WIDTH / 2 and 0 < int(row["y"]) < 440, row
        assert row["placed"].strip(), row


# --- rows without a catalog position -------------------------------------------------------


def test_every_region_has_a_place():
    assert set(REGION_PLACES) == set(REGIONS)


def test_an_ashi_point_is_drawn_by_its_region_and_level():
    row = {"point": None, "laterality": "left", "custom_label": "left T7 paraspinal",
           "region": "upper_back", "level": "T7"}
    marker = row_marker(9, 8, row)
    assert marker.approximate and marker.label == "Ashi"
    assert [(s.side, s.view, s.cx, s.cy) for s in marker.spots] == \
        [("left", "back", MIDLINE["back"] - chart.PARASPINAL_X, LEVEL_Y["T7"])]
    assert marker.name == "9: Ashi point, left T7 paraspinal, left (drawn by its region)"


def test_an_ashi_point_without_a_level_goes_to_its_region():
    row = {"point": None, "laterality": "right", "custom_label": "upper trapezius R",
           "region": "trapezius", "level": ""}
    view, x, y = REGION_PLACES["trapezius"]
    assert [(s.view, s.cx, s.cy) for s in row_marker(1, 0, row).spots] == \
        [(view, MIDLINE["back"] + x, y)]
    chest = {"point": None, "laterality": "left", "region": "chest", "level": "ICS4"}
    assert [(s.view, s.cy) for s in row_marker(1, 0, chest).spots] == \
        [("front", LEVEL_Y["ICS4"])]


def test_a_point_the_chart_file_does_not_place_is_drawn_by_its_region():
    unplaced = point("LI4", view="", x=None, y=None, region="hand", pinyin="Hégǔ")
    marker = row_marker(1, 0, {"point": unplaced, "laterality": "left"})
    assert marker.approximate and marker.spots[0].view == REGION_PLACES["hand"][0]


def test_a_row_with_no_place_is_left_out_and_the_others_keep_their_numbers():
    rows = [(0, {"point": None, "laterality": "left", "region": ""}),
            (1, {"point": point(), "laterality": "bilateral"})]
    assert [marker.number for marker in chart_markers(rows)] == [2]


def test_the_session_chart_reads_stored_rows(catalog):
    rows = [SimpleNamespace(point=catalog["GV9"], laterality="midline", level="", region="",
                            custom_label=""),
            SimpleNamespace(point=catalog["LI4"], laterality="left", level="", region="",
                            custom_label="")]
    drawn = session_chart(rows)
    assert [m.label for m in drawn.markers] == ["GV9", "LI4"]
    assert {view: [m.number for m in found] for view, found in drawn.views.items()} == \
        {"front": [], "back": [1, 2]}


# --- tapping: the Ashi text a zone writes --------------------------------------------------


def zone_at(view, x, y):
    return next((zone for zone in ZONES if zone.view == view
                 and zone.x[0] <= x <= zone.x[1] and zone.y[0] <= y <= zone.y[1]), None)


@pytest.mark.parametrize("zone", ZONES, ids=lambda z: f"{z.view}-{z.words}")
def test_each_zones_ashi_text_reads_back_as_its_region(zone):
    sides = ["left", "right"] + (["midline"] if zone.region in chart.MIDLINE_REGIONS else [])
    for side in sides:
        for level in zone.levels or ("",):
            for near_spine in (False, True):
                text = ashi_text(zone, side, level, near_spine=near_spine and side != "midline")
                place = read_ashi(text.removeprefix("Ashi: "))
                assert place.errors == [], text
                assert (place.region, place.level, place.laterality) == \
                    (zone.region, level, side), text


def test_the_ashi_text_of_a_paraspinal_tap():
    zone = zone_at("back", 9, LEVEL_Y["T7"])
    assert ashi_text(zone, "left", "T7", near_spine=True) == "Ashi: left T7 paraspinal"
    assert ashi_text(zone, "right", "T7") == "Ashi: right T7 upper back"


def test_zones_cover_the_trunk_and_limbs():
    for view, x, y, region in (
        ("back", 9, 137, "upper_back"), ("back", 9, 176, "lower_back"), ("back", 24, 84,
                                                                         "trapezius"),
        ("back", 5, 209, "sacral"), ("front", 16, 115, "chest"), ("front", 60, 190,
                                                                  "upper_limb"),
        ("front", 70, 240, "hand"), ("back", 18, 370, "lower_limb"), ("front", 16, 425, "foot"),
    ):
        assert zone_at(view, x, y).region == region
    data = ZONES[1].as_data()
    assert data["levels"][0] == ["C1", LEVEL_Y["C1"]] and data["midline"] is True
