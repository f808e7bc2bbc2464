"""The point catalog as loaded into the database: counts, the CLI load/export, search and
resolving typed codes (services only, no HTTP)."""

import csv
import io
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.points.codes import canonical_code, fold_text, normalise_alias
from tracker.points.models import Point, PointAlias
from tracker.points.services import CATALOG_PATH, resolve_codes, resolve_point, search_points

WHO_COUNTS = {
    "LU": 11,
    "LI": 20,
    "ST": 45,
    "SP": 21,
    "HT": 9,
    "SI": 19,
    "BL": 67,
    "KI": 27,
    "PC": 9,
    "TE": 23,
    "GB": 44,
    "LR": 14,
    "GV": 28,
    "CV": 24,
}
# A point is named first in the export: code, meridian and number, then its names.
IDENTITY_COLUMNS = ["code", "meridian", "number", "pinyin", "hanzi", "english"]


def catalog_size() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Point)),
        db.session.scalar(select(func.count()).select_from(PointAlias)),
    )


def first_code(query: str) -> str | None:
    results = search_points(query)
    return results[0].code if results else None


def test_all_361_who_points_with_per_meridian_counts(app_ctx):
    counts = dict(
        db.session.execute(
            select(Point.meridian, func.count())
            .where(Point.meridian != "EX")
            .group_by(Point.meridian)
        ).all()
    )
    assert counts == WHO_COUNTS
    assert sum(counts.values()) == 361
    numbers = db.session.scalars(select(Point.number).where(Point.meridian == "BL")).all()
    assert sorted(numbers) == list(range(1, 68))


def test_extra_points_are_loaded_with_huatuojiaji_needing_a_level(app_ctx):
    extras = {p.code: p for p in db.session.scalars(select(Point).where(Point.meridian == "EX"))}
    assert {"EX-HN3", "EX-B1", "EX-B2", "EX-B8", "EX-B9", "EX-UE7"} <= set(extras)
    assert extras["EX-B2"].needs_level and not extras["EX-B1"].needs_level


def test_points_load_twice_is_idempotent(app, runner):
    with app.app_context():
        before = catalog_size()
    for _ in range(2):
        result = runner.invoke(args=["points", "load"])
        assert result.exit_code == 0, result.output
        assert "0 added" in result.output and "0 updated" in result.output
    with app.app_context():
        assert catalog_size() == before


def test_points_load_repairs_an_edited_point_and_alias(app, runner):
    with app.app_context():
        li4 = db.session.scalar(select(Point).where(Point.code == "LI4"))
        original = li4.english
        li4.english = "Tampered"
        db.session.execute(PointAlias.__table__.delete().where(PointAlias.normalised == "HOKU"))
        db.session.commit()
        sizes = catalog_size()
    result = runner.invoke(args=["points", "load"])
    assert result.exit_code == 0 and "1 updated" in result.output
    with app.app_context():
        assert db.session.scalar(select(Point.english).where(Point.code == "LI4")) == original
        assert resolve_point("Hoku").code == "LI4"
        assert catalog_size() == (sizes[0], sizes[1] + 1)


def test_export_csv_has_the_columns_and_every_point(app, runner):
    result = runner.invoke(args=["points", "export", "--format", "csv"])
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    with CATALOG_PATH.open(encoding="utf-8", newline="") as handle:
        catalog_columns = csv.DictReader(handle).fieldnames
    assert sorted(rows[0]) == sorted(catalog_columns)  # every column of the catalog file
    assert list(rows[0])[: len(IDENTITY_COLUMNS)] == IDENTITY_COLUMNS
    who = [row for row in rows if row["meridian"] != "EX"]
    extras = [row for row in rows if row["meridian"] == "EX"]
    assert len(who) == 361 and len({row["code"] for row in who}) == 361
    assert {"EX-HN3", "EX-B2"} <= {row["code"] for row in extras}
    by_code = {row["code"]: row for row in rows}
    assert "SJ5" in by_code["TE5"]["aliases"].split(";")
    assert by_code["LI4"]["hanzi"] == "合谷" and by_code["LI4"]["pregnancy_caution"] == "yes"


def test_export_json_parses_and_gb21_has_thorax_caution(runner, tmp_path):
    target = tmp_path / "points.json"
    result = runner.invoke(args=["points", "export", "--format", "json", "--output", str(target)])
    assert result.exit_code == 0
    points = {row["code"]: row for row in json.loads(target.read_text(encoding="utf-8"))}
    assert sum(1 for row in points.values() if row["meridian"] != "EX") == 361
    gb21 = points["GB21"]
    assert gb21["thorax_depth_caution"] is True
    # DOMAIN.md: mean skin-to-pleura depth at GB21 is 14.6 mm in women.
    assert isinstance(gb21["max_depth_mm"], int) and 0 < gb21["max_depth_mm"] <= 14.6
    assert points["LI4"]["thorax_depth_caution"] is False and points["LI4"]["max_depth_mm"] is None


@pytest.mark.parametrize("typed", ["LI4", "LI 4", "li-4", "LI04", "L.I.-4", "li 04", "Hoku"])
def test_code_spellings_find_li4_first(app_ctx, typed):
    assert first_code(typed) == "LI4"


@pytest.mark.parametrize(
    "typed, code",
    [
        ("SJ5", "TE5"),
        ("TH5", "TE5"),
        ("Liv3", "LR3"),
        ("LV3", "LR3"),
        ("DU20", "GV20"),
        ("REN12", "CV12"),
        ("UB40", "BL40"),
        ("P6", "PC6"),
        ("GV29", "EX-HN3"),
        ("Yintang", "EX-HN3"),
    ],
)
def test_aliases_find_the_who_point(app_ctx, typed, code):
    assert first_code(typed) == code
    assert resolve_point(typed).code == code


@pytest.mark.parametrize(
    "typed", ["He Gu", "hegu", "hégǔ", "Hégǔ", "Union Valley", "union valley", "合谷"]
)
def test_pinyin_english_and_hanzi_find_li4_first(app_ctx, typed):
    assert first_code(typed) == "LI4"


def test_a_code_prefix_lists_the_exact_code_then_longer_codes(app_ctx):
    codes = [point.code for point in search_points("BL2")]
    assert codes[0] == "BL2"
    assert codes[1:11] == [f"BL{n}" for n in range(20, 30)]


def test_old_li_means_large_intestine_not_liver(app_ctx):
    point = resolve_point("LI 3")
    assert (point.code, point.meridian) == ("LI3", "LI")
    assert canonical_code("li3") == "LI3" and canonical_code("liv3") == "LR3"


@pytest.mark.parametrize("typed", ["qqqzzz", "LI99", "XX4", "   ", "", "%", "_"])
def test_nonsense_finds_nothing(app_ctx, typed):
    assert search_points(typed) == []
    assert resolve_point(typed) is None


def test_resolve_codes_maps_each_typed_token(app_ctx):
    found = resolve_codes(["li-4", "SJ5", "XX9", "Du 20", "m-bw-35"])
    assert {typed: point.code for typed, point in found.items()} == {
        "li-4": "LI4",
        "SJ5": "TE5",
        "Du 20": "GV20",
        "m-bw-35": "EX-B2",
    }


def test_spelling_helpers():
    assert canonical_code("ex b 02") == "EX-B2" and canonical_code("XY4") is None
    assert normalise_alias("M-BW-35") == normalise_alias("mbw35")
    assert fold_text("Hé Gǔ") == fold_text("hegu") == "hegu"


def respell(code: str, draw) -> str:
    """``code`` written as a practitioner might: any case, a separator, leading zeros."""
    letters, number = re.fullmatch(r"(EX-[A-Z]+|[A-Z]+)(\d+)", code).groups()
    case = draw(st.sampled_from([str.upper, str.lower, str.title, lambda s: s.swapcase()]))
    separator = draw(st.sampled_from(["", " ", "-", " - ", "."]))
    if letters.startswith("EX-"):
        letters = "EX" + draw(st.sampled_from(["-", " ", "", "."])) + letters[3:]
    zeros = "0" * draw(st.integers(0, 2 - len(number) + 1))
    return f"{case(letters)}{separator}{zeros}{number}"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_spelling_of_a_catalog_code_resolves_to_itself(app_ctx, data):
    codes = db.session.scalars(select(Point.code).order_by(Point.sort_order)).all()
    code = data.draw(st.sampled_from(codes))
    typed = respell(code, data.draw)
    assert resolve_point(typed).code == code
    assert search_points(typed)[0].code == code


def test_every_catalog_code_resolves_from_an_odd_spelling(app_ctx):
    codes = db.session.scalars(select(Point.code)).all()
    odd = {code: re.sub(r"(\d+)$", r" - 0\1", code.lower()) for code in codes}
    found = resolve_codes(odd.values())
    assert {code: found[typed].code for code, typed in odd.items()} == {c: c for c in codes}


def test_catalog_changes_and_exports_are_audited(app, runner):
    from tracker.audit.models import AuditEvent

    def actions():
        with app.app_context():
            return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()

    runner.invoke(args=["points", "load"])  # the catalog is loaded already: nothing changed
    assert "catalog.load" not in actions()
    result = runner.invoke(args=["points", "export", "--format", "json"])
    assert result.exit_code == 0
    assert actions()[-1] == "catalog.export"
