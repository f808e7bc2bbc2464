"""Data checks for the shipped point catalogue (tracker/points/data/points.csv).

Reads the CSV with the standard ``csv`` module only; it does not import the
``tracker`` package, so it runs before (and independently of) the app code.
"""

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from tracker.points import regions

CSV_PATH = Path(__file__).resolve().parents[2] / "tracker/points/data/points.csv"

HEADER = [
    "code",
    "meridian",
    "number",
    "pinyin",
    "hanzi",
    "english",
    "location",
    "needling",
    "region",
    "pregnancy_caution",
    "pregnancy_source",
    "thorax_depth_caution",
    "max_depth_mm",
    "depth_source",
    "depth_hint_basis",
    "always_warn",
    "always_warn_reason",
    "aliases",
    "scheme",
    "needs_level",
]

MERIDIAN_COUNTS = [
    ("LU", 11),
    ("LI", 20),
    ("ST", 45),
    ("SP", 21),
    ("HT", 9),
    ("SI", 19),
    ("BL", 67),
    ("KI", 27),
    ("PC", 9),
    ("TE", 23),
    ("GB", 44),
    ("LR", 14),
    ("GV", 28),
    ("CV", 24),
]

# The region vocabulary is the app's (custom point rows share it with the catalog).
REGIONS = set(regions.REGIONS)

EXTRAS = {
    "EX-HN3": "WHO1991-EX",
    "EX-B1": "WHO1991-EX",
    "EX-B2": "WHO1991-EX",
    "EX-B7": "other",
    "EX-B8": "WHO1991-EX",
    "EX-B9": "WHO1991-EX",
    "EX-UE7": "WHO1991-EX",
}

FLAG_COLUMNS = (
    "pregnancy_caution",
    "thorax_depth_caution",
    "always_warn",
    "needs_level",
)


def _range(prefix, first, last):
    return {f"{prefix}{n}" for n in range(first, last + 1)}


THORAX_CODES = (
    _range("LU", 1, 2)
    | _range("GB", 21, 24)
    | _range("ST", 12, 18)
    | _range("KI", 22, 27)
    | _range("SP", 17, 21)
    | {"PC1", "LR14", "TE15"}
    | _range("SI", 9, 15)
    | _range("BL", 11, 21)
    | _range("BL", 41, 50)
    | {"EX-B2"}  # at its thoracic levels only: the engine reads the level
)


@pytest.fixture(scope="module")
def raw_bytes():
    return CSV_PATH.read_bytes()


@pytest.fixture(scope="module")
def header():
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


@pytest.fixture(scope="module")
def rows():
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def by_code(rows):
    return {row["code"]: row for row in rows}


@pytest.fixture(scope="module")
def who_rows(rows):
    return [row for row in rows if row["scheme"] == "WHO2008"]


def test_file_is_utf8_without_bom(raw_bytes):
    assert not raw_bytes.startswith(b"\xef\xbb\xbf")
    raw_bytes.decode("utf-8")


def test_header_is_exact(header):
    assert header == HEADER


def test_every_row_has_every_column(rows):
    for row in rows:
        assert None not in row, f"{row.get('code')}: extra cells"
        assert all(row[col] is not None for col in HEADER), f"{row['code']}: short row"


def test_361_who_rows_with_meridian_counts(who_rows):
    assert len(who_rows) == 361
    counts = Counter(row["meridian"] for row in who_rows)
    assert counts == dict(MERIDIAN_COUNTS)


def test_who_rows_in_meridian_order_then_extras(rows):
    order = [m for m, _ in MERIDIAN_COUNTS]
    seen = []
    for row in rows:
        if not seen or seen[-1] != row["meridian"]:
            seen.append(row["meridian"])
    assert seen == order + ["EX"]


def test_codes_unique(rows):
    codes = [row["code"] for row in rows]
    duplicates = [c for c, n in Counter(codes).items() if n > 1]
    assert not duplicates


def test_who_codes_well_formed(who_rows):
    for row in who_rows:
        assert re.fullmatch(r"[A-Z]{2}\d+", row["code"]), row["code"]
        assert row["code"] == f"{row['meridian']}{row['number']}"
        assert not row["number"].startswith("0")


def test_numbers_contiguous_per_meridian(who_rows):
    for meridian, count in MERIDIAN_COUNTS:
        numbers = [int(r["number"]) for r in who_rows if r["meridian"] == meridian]
        assert numbers == list(range(1, count + 1)), meridian


def test_gv_stops_at_28(by_code):
    assert "GV28" in by_code
    assert "GV29" not in by_code


def test_extras_present_with_scheme(by_code):
    for code, scheme in EXTRAS.items():
        row = by_code[code]
        assert row["meridian"] == "EX"
        assert row["scheme"] == scheme
        assert row["number"] == re.search(r"(\d+)$", code).group(1)


def test_required_text_fields_and_region(rows):
    for row in rows:
        for col in ("pinyin", "hanzi", "location", "needling"):
            assert row[col].strip(), f"{row['code']}: empty {col}"
        assert row["region"] in REGIONS, f"{row['code']}: region {row['region']!r}"


def test_english_filled(rows):
    missing = [row["code"] for row in rows if not row["english"].strip()]
    assert not missing


def test_hanzi_is_cjk_and_pinyin_has_tone_marks(rows):
    for row in rows:
        assert re.fullmatch(r"[\u3400-\u9fff\U00020000-\U0002ffff]+", row["hanzi"]), row["code"]
        assert re.search(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]", row["pinyin"]), row["code"]
        assert " " not in row["pinyin"], row["code"]
        assert row["pinyin"][0].isupper(), row["code"]


def test_spot_check_names(by_code):
    assert (by_code["LI4"]["pinyin"], by_code["LI4"]["hanzi"]) == ("Hégǔ", "合谷")
    assert (by_code["ST36"]["pinyin"], by_code["ST36"]["hanzi"]) == (
        "Zúsānlǐ",
        "足三里",
    )
    assert by_code["GB21"]["pinyin"] == "Jiānjǐng"
    assert by_code["BL18"]["pinyin"] == "Gānshū"
    assert by_code["GV6"]["pinyin"] == "Jǐzhōng"
    assert by_code["BL67"]["pinyin"] == "Zhìyīn"
    assert by_code["LI4"]["english"] == "Union Valley"
    assert by_code["ST36"]["english"] == "Leg Three Miles"
    assert by_code["SP6"]["english"] == "Three Yin Intersection"


def test_flag_columns_are_yes_or_empty(rows):
    for row in rows:
        for col in FLAG_COLUMNS:
            assert row[col] in ("yes", ""), f"{row['code']}: {col}={row[col]!r}"


def test_thorax_set_matches_domain_list(rows):
    flagged = {row["code"] for row in rows if row["thorax_depth_caution"] == "yes"}
    assert flagged == THORAX_CODES


def test_thorax_rows_have_positive_integer_depth(rows):
    for row in rows:
        if row["thorax_depth_caution"] == "yes":
            assert re.fullmatch(r"\d+", row["max_depth_mm"]), row["code"]
            assert int(row["max_depth_mm"]) > 0, row["code"]
            assert row["depth_source"].strip(), row["code"]
        else:
            assert row["max_depth_mm"] == "", row["code"]


def test_gb21_depth_hint_within_pleura_depth(by_code):
    assert int(by_code["GB21"]["max_depth_mm"]) <= 15


def test_pregnancy_set(rows):
    flagged = {row["code"] for row in rows if row["pregnancy_caution"] == "yes"}
    for code in ("LI4", "SP6", "GB21", "BL60", "BL67", "BL31", "BL32", "CV4"):
        assert code in flagged, code
    expected_groups = (
        _range("CV", 2, 8)
        | _range("KI", 11, 16)
        | _range("ST", 25, 30)
        | _range("BL", 27, 34)
        | {"CV8", "ST17"}
    )
    assert expected_groups <= flagged
    for code in ("ST36", "LI11"):
        assert code not in flagged, code


def test_upper_abdomen_rows_carry_no_pregnancy_flag(rows):
    # WHO 1999 cautions the upper abdomen only after the third month: the engine applies that
    # by region, so a flag (which warns in every trimester) would be wrong on these rows.
    upper = [row["code"] for row in rows if row["region"] == "upper_abdomen"]
    assert {"CV12", "KI17", "ST21"} <= set(upper)
    assert [code for code in upper if rows_by(rows)[code]["pregnancy_caution"]] == []


def rows_by(rows):
    return {row["code"]: row for row in rows}


def test_depth_hint_basis(rows, by_code):
    for row in rows:
        expected = {"yes": {"textbook", "population_mean", "no_needling"}, "": {""}}
        assert row["depth_hint_basis"] in expected[row["thorax_depth_caution"]], row["code"]
    assert by_code["GB21"]["depth_hint_basis"] == "population_mean"
    assert "not a safe limit" in by_code["GB21"]["depth_source"]
    assert by_code["ST17"]["depth_hint_basis"] == "no_needling"


def test_region_depth_hints_are_the_catalogs_shallowest(rows):
    """A custom needle over the thorax gets the shallowest hint of the catalog's thorax points
    in its region (no-needling ST17 aside)."""
    shallowest = {}
    for row in rows:
        if row["thorax_depth_caution"] == "yes" and row["depth_hint_basis"] != "no_needling":
            depth = int(row["max_depth_mm"])
            shallowest[row["region"]] = min(depth, shallowest.get(row["region"], depth))
    for region, (hint, _source) in regions.REGION_DEPTH_HINTS.items():
        assert shallowest[region] == hint, region
    assert set(regions.REGION_DEPTH_HINTS) == regions.THORAX_REGIONS


def test_pregnancy_rows_cite_a_source(rows):
    for row in rows:
        if row["pregnancy_caution"] == "yes":
            assert row["pregnancy_source"].strip(), row["code"]
        else:
            assert row["pregnancy_source"] == "", row["code"]


def test_always_warn(rows, by_code):
    flagged = {row["code"] for row in rows if row["always_warn"] == "yes"}
    assert flagged == {"CV8", "ST17"}
    for code in flagged:
        assert by_code[code]["always_warn_reason"].strip(), code


def test_unresolved_who_locations_are_marked(by_code):
    for code in ("LI19", "LI20", "PC8", "PC9", "GB30", "GV26"):
        assert "WHO 2008 gives alternative locations" in by_code[code]["location"], code


def _aliases(row):
    return [a for a in row["aliases"].split(";") if a]


def test_no_alias_equals_a_code(rows):
    codes = {row["code"].upper() for row in rows}
    for row in rows:
        for alias in _aliases(row):
            assert alias == alias.strip(), row["code"]
            assert alias.upper() not in codes, f"{row['code']}: alias {alias}"


def test_aliases_unique_across_rows(rows):
    owners = Counter(a.upper() for row in rows for a in _aliases(row))
    assert [a for a, n in owners.items() if n > 1] == []


def test_liver_never_aliased_as_li(by_code):
    # Old texts use "LI" for Liver, which clashes with Large Intestine:
    # LIV3 is fine, LI3 is not.
    for code, row in by_code.items():
        if row["meridian"] == "LR":
            for alias in _aliases(row):
                assert not re.fullmatch(r"LI\d+", alias.upper()), f"{code}: {alias}"


@pytest.mark.parametrize(
    "code, expected",
    [
        ("TE5", {"SJ5", "TH5", "TW5", "TB5"}),
        ("LR3", {"LIV3", "LV3"}),
        ("GV20", {"DU20"}),
        ("CV12", {"REN12", "RN12"}),
        ("BL40", {"UB40"}),
        ("PC6", {"P6"}),
        ("KI3", {"K3"}),
        ("HT7", {"H7"}),
    ],
)
def test_meridian_alias_codes(by_code, code, expected):
    assert expected <= set(_aliases(by_code[code]))


def test_ex_b2_needs_level_only(rows, by_code):
    assert by_code["EX-B2"]["needs_level"] == "yes"
    assert {row["code"] for row in rows if row["needs_level"] == "yes"} == {"EX-B2"}


def test_yintang_aliased_as_gv29(by_code):
    assert "GV29" in _aliases(by_code["EX-HN3"])


def test_yaoyan_code_flagged_unverified(by_code):
    assert "code unverified across sources" in by_code["EX-B7"]["location"].lower()
