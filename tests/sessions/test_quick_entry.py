"""The quick-entry parser: shorthand to point rows. Mostly pure (a fake resolver built from a
small catalog), plus a few runs against the real catalog through ``resolve_codes``."""

import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tracker.points.codes import canonical_code, fold_text
from tracker.points.services import resolve_codes
from tracker.points.services import resolve_for_shorthand as resolve_for_parser
from tracker.points.shorthand import ParsedRow, ResolvedCode, parse_quick_entry, to_shorthand

# code: (midline, needs_level)
CATALOG = {
    **dict.fromkeys(["BL18", "BL20", "BL23", "LI4", "LI11", "SP6", "GB21", "TE5", "KI3", "GB20",
                     "ST36", "ST31", "KI15", "TE3", "HT7"], (False, False)),
    **dict.fromkeys(["GV6", "GV9", "CV12", "GV20", "GV4"], (True, False)),
    "EX-B2": (False, True),
}
# folded pinyin or hanzi: code, or the codes that share the name
NAMES = {"hegu": "LI4", "合谷": "LI4", "zusanli": "ST36", "足三里": "ST36", "huatuojiaji": "EX-B2",
         "baihui": "GV20", "biguan": "ST31", "shenmen": "HT7", "zhongzhu": ("KI15", "TE3")}
PAIRED = sorted(code for code, (midline, level) in CATALOG.items() if not midline and not level)
MIDLINE = sorted(code for code, (midline, _) in CATALOG.items() if midline)
SPELLINGS = {"left": ["L", "l", "Lt", "lt", "left", "LEFT", "lft"],
             "right": ["R", "r", "Rt", "rt", "right", "Right"],
             "bilateral": ["b/l", "B/L", "bilat", "bilateral", "both", "x2", "bil", "B"]}
STUCK = {"left": ["L", "(L)", "l"], "right": ["R", "(R)", "r"], "bilateral": ["B", "(B)"]}


def fake_resolve(tokens):
    found = {}
    for token in tokens:
        code = canonical_code(token) or NAMES.get(fold_text(token))
        if isinstance(code, tuple):
            found[token] = ResolvedCode("", False, False, code)
        elif code in CATALOG:
            found[token] = ResolvedCode(code, *CATALOG[code])
    return found


def parse(text):
    return parse_quick_entry(text, fake_resolve)


def sides(result):
    return [(row.code, row.laterality) for row in result.rows]


def test_the_issue_example_gives_eight_rows():
    result = parse("BL18 BL20 BL23 bilat, GV6, GV9, LI4 L, SP6 b/l, Ashi: left T7 paraspinal")
    assert result.ok, result.errors
    assert sides(result) == [("BL18", "bilateral"), ("BL20", "bilateral"), ("BL23", "bilateral"),
                             ("GV6", "midline"), ("GV9", "midline"), ("LI4", "left"),
                             ("SP6", "bilateral"), (None, "left")]
    assert result.rows[-1].custom_label == "left T7 paraspinal"


@pytest.mark.parametrize("word, side", [
    (word, side) for side, words in SPELLINGS.items() for word in words])
def test_side_spellings(word, side):
    assert sides(parse(f"LI4 {word}")) == [("LI4", side)]


@pytest.mark.parametrize("text, side", [
    ("li4 L", "left"), ("LI-4 L", "left"), ("LI 4 L", "left"), ("LI04 R", "right"),
    ("LI4L", "left"), ("LI4(R)", "right"), ("li4b", "bilateral"), ("left LI4", "left"),
    ("right li-4", "right"), ("both LI4", "bilateral"), ("left LI 4", "left"),
    ("co4 L", "left"), ("sj5 R", "right"),
])
def test_code_spellings(text, side):
    result = parse(text)
    assert result.ok, result.errors
    assert [row.laterality for row in result.rows] == [side]
    assert result.rows[0].code in {"LI4", "TE5"}


def test_each_point_can_have_its_own_side_in_one_entry():
    assert sides(parse("LI4 L LI11 R SP6 b/l")) == [
        ("LI4", "left"), ("LI11", "right"), ("SP6", "bilateral")]


@pytest.mark.parametrize("text", ["LI4 L LI 11 R", "SP6 R LI 4 L", "b/l LI 4", "LI4 L, R LI-11"])
def test_a_spaced_code_after_a_short_side_word(text):
    assert parse(text).ok


@pytest.mark.parametrize("text, depth, unit", [
    ("GB21 8mm bilat", Decimal("8"), "mm"), ("BL23 1cun b/l", Decimal("1"), "cun"),
    ("BL23 b/l 25mm", Decimal("25"), "mm"), ("LI4 0.5cun L", Decimal("0.5"), "cun"),
])
def test_depth_tokens(text, depth, unit):
    result = parse(text)
    assert result.ok, result.errors
    assert [(row.depth, row.depth_unit) for row in result.rows] == [(depth, unit)]


def test_midline_points_are_midline_even_next_to_a_side():
    result = parse("GV6 LI4 L, CV12")
    assert result.ok, result.errors
    assert sides(result) == [("GV6", "midline"), ("LI4", "left"), ("CV12", "midline")]
    assert result.notices == ["GV6 is on the midline: kept as one needle (midline)."]


@pytest.mark.parametrize("text, levels, side", [
    ("EX-B2 T5-T7 bilat", ["T5", "T6", "T7"], "bilateral"),
    ("EX-B2 T7 L", ["T7"], "left"),
    ("ex b 2 T12-L2 R", ["T12", "L1", "L2"], "right"),
])
def test_huatuojiaji_levels_make_one_row_per_level(text, levels, side):
    result = parse(text)
    assert result.ok, result.errors
    assert [(row.code, row.level, row.laterality) for row in result.rows] == [
        ("EX-B2", level, side) for level in levels]


@pytest.mark.parametrize("text, message, kept", [
    ("XX9 L, LI4 L", "“XX9” is not a point code we know", ["LI4"]),
    ("LI4, SP6 R", "LI4: give a side", ["LI4", "SP6"]),
    ("Ashi: T7 paraspinal", "give one side", []),
    ("Ashi:", "say where", []),
    ("EX-B2 bilat", "EX-B2: give the vertebral level", ["EX-B2"]),
    ("EX-B2 T7-T5 bilat", "“T7-T5” is not a vertebral level", ["EX-B2"]),
    ("EX-B2 T13 L", "“T13” is not a vertebral level", ["EX-B2"]),
    ("LI4 T7 L", "a level only goes with EX-B2", ["LI4"]),
    ("LI4 L banana", "“banana” is not a point code we know", ["LI4"]),
])
def test_errors_are_reported_and_nothing_is_dropped(text, message, kept):
    result = parse(text)
    assert not result.ok
    assert any(message in error for error in result.errors), result.errors
    assert [row.code for row in result.rows] == kept


def test_real_catalog_parses_the_issue_example(app_ctx):
    text = "BL18 BL20 BL23 bilat, GV6, GV9, LI4 L, SP6 b/l, Ashi: left T7 paraspinal"

    def resolve(tokens):
        return {t: ResolvedCode(p.code, p.is_midline, p.needs_level)
                for t, p in resolve_codes(tokens).items()}

    result = parse_quick_entry(text, resolve)
    assert result.ok
    assert len(result.rows) == 8 and result.rows[3].laterality == "midline"
    assert sides(parse_quick_entry("DU20, UB40 R, Liv3 b/l, EX-B2 T5-T6 L", resolve)) == [
        ("GV20", "midline"),
        ("BL40", "right"),
        ("LR3", "bilateral"),
        ("EX-B2", "left"),
        ("EX-B2", "left"),
    ]
    assert not parse_quick_entry("LI99 L", resolve).ok


def places(result):
    return [(row.code, row.laterality, row.region, row.level, row.custom_label)
            for row in result.rows]


# --- every needle has a place -------------------------------------------------------------


@pytest.mark.parametrize("text, side, region, level, label", [
    ("Ashi: left T7 paraspinal", "left", "upper_back", "T7", "left T7 paraspinal"),
    ("Ashi: upper trapezius L", "left", "trapezius", "", "upper trapezius L"),
    ("Ashi: L4 paraspinal R", "right", "lower_back", "L4", "L4 paraspinal R"),
    ("ashi - right paravertebral T12", "right", "upper_back", "T12", "right paravertebral T12"),
    ("Ashi: between the shoulder blades B", "bilateral", "upper_back", "",
     "between the shoulder blades B"),
    ("Ashi: rhomboid rt", "right", "upper_back", "", "rhomboid rt"),
    ("Ashi: thoracic paraspinal left", "left", "upper_back", "", "thoracic paraspinal left"),
    ("Ashi: mid back midline", "midline", "upper_back", "", "mid back midline"),
    ("Ashi: central low back", "midline", "lower_back", "", "central low back"),
    ("Ashi: QL left", "left", "lower_back", "", "QL left"),
    ("Ashi: Quadratus Lumborum R", "right", "lower_back", "", "Quadratus Lumborum R"),
    ("Ashi: left SI joint", "left", "sacral", "", "left SI joint"),
    ("Ashi: piriformis R", "right", "sacral", "", "piriformis R"),
    ("Ashi: left S1", "left", "sacral", "S1", "left S1"),
    ("Ashi: neck C5 right", "right", "neck", "C5", "neck C5 right"),
    ("Ashi: left 4th ICS", "left", "chest", "ICS4", "left 4th ICS"),
    ("Ashi: right ICS5", "right", "chest", "ICS5", "right ICS5"),
    ("Ashi: 3rd intercostal space L", "left", "chest", "ICS3", "3rd intercostal space L"),
    ("Ashi: chest T5 left", "left", "chest", "T5", "chest T5 left"),
    ("Ashi: pecs R", "right", "chest", "", "pecs R"),
    ("Ashi: ribs left", "left", "chest", "", "ribs left"),
    ("Ashi: supraclavicular L", "left", "supraclavicular", "", "supraclavicular L"),
    ("Ashi: deltoid R", "right", "shoulder", "", "deltoid R"),
    ("Ashi: left hip", "left", "hip", "", "left hip"),
    ("Ashi: forearm L", "left", "upper_limb", "", "forearm L"),
    ("Ashi: thumb R", "right", "hand", "", "thumb R"),
    ("Ashi: IT band left", "left", "lower_limb", "", "IT band left"),
    ("Ashi: quad R", "right", "lower_limb", "", "quad R"),
    ("Ashi: heel L", "left", "foot", "", "heel L"),
    ("Ashi: temple R", "right", "head", "", "temple R"),
    ("Ashi: TMJ left", "left", "face", "", "TMJ left"),
    ("Ashi: epigastric midline", "midline", "upper_abdomen", "", "epigastric midline"),
    ("Ashi: upper abdomen L", "left", "upper_abdomen", "", "upper abdomen L"),
    ("Ashi: abdomen R", "right", "lower_abdomen", "", "abdomen R"),
    ("Ashi: lower abdomen R", "right", "lower_abdomen", "", "lower abdomen R"),
    ("Ashi: left T7", "left", "upper_back", "T7", "left T7"),
    ("Ashi: L3 B", "bilateral", "lower_back", "L3", "L3 B"),
])
def test_every_ashi_point_has_a_place(text, side, region, level, label):
    result = parse(text)
    assert result.ok, result.errors
    assert places(result) == [(None, side, region, level, label)]


@pytest.mark.parametrize("text, message", [
    ("Ashi: paraspinal L",
     "Ashi “paraspinal L”: give the level, e.g. “Ashi: left T7 paraspinal”"),
    ("Ashi: sore spot R", "Ashi “sore spot R”: say where on the body, e.g. “Ashi: left T7 "
                          "paraspinal” or “Ashi: upper trapezius L”."),
    ("Ashi: back L", "say where on the body"),
    ("Ashi: left L3 thoracic", "L3 is not in the upper back (T1-T12): give a level from that "
                               "range, or leave out “thoracic” (L3 is in the lower back)"),
    ("Ashi: right C7 lumbar", "C7 is not in the lower back (L1-L5)"),
    ("Ashi: chest L3 R", "L3 is not in the chest (ICS1-ICS11 or T1-T12)"),
    ("Ashi: upper trap T1 L", "leave out “T1”, e.g. “Ashi: upper trap L”"),
    ("Ashi: T13 paraspinal L", "“T13” is not a level: use C1-C7, T1-T12, L1-L5, S1-S4"),
    ("Ashi: left 12th ICS", "“12th ICS” is not a level"),
    ("Ashi: left T5-T7 paraspinal", "one level per Ashi point"),
    ("Ashi: left T5 T7 paraspinal", "one level per Ashi point (T5 and T7 given)"),
    ("Ashi: neck and shoulder L", "“neck” and “shoulder” are two places: one place per Ashi "
                                  "point, e.g. “Ashi: neck L, Ashi: shoulder L”"),
    ("Ashi: upper trap", "Ashi “upper trap”: give one side, e.g. “Ashi: left upper trap”"),
    ("Ashi: left upper trap R", "give one side (left, right, bilat or midline), not several"),
    ("Ashi: x3", "Ashi: say where on the body"),
    ("Ashi x0 upper trap L", "a count goes from 1 to 20"),
    ("Ashi x3 upper trap L 2x", "give one count"),
])
def test_an_ashi_point_without_a_clear_place_is_refused(text, message):
    result = parse(text)
    assert not result.ok and result.rows == []
    assert any(message in error for error in result.errors), result.errors


def test_a_single_letter_is_a_side_and_a_level_is_not():
    assert places(parse("Ashi: upper trap L")) == [
        (None, "left", "trapezius", "", "upper trap L")]
    assert "give one side" in " ".join(parse("Ashi: L4 paraspinal").errors)


@pytest.mark.parametrize("text", [
    "Ashi x3 L upper trap", "Ashi 3x L upper trap", "Ashi ×3 L upper trap",
    "Ashi: L upper trap x3", "Ashi: x 3 L upper trap", "Ashi: 3 points L upper trap",
])
def test_an_ashi_count_gives_that_many_needles_at_one_place(text):
    result = parse(text)
    assert result.ok, result.errors
    assert places(result) == [(None, "left", "trapezius", "", "L upper trap")] * 3


def test_x2_is_a_count_inside_an_ashi_text_and_bilateral_after_a_code():
    assert places(parse("Ashi x2 lumbar R")) == [(None, "right", "lower_back", "", "lumbar R")] * 2
    assert sides(parse("LI4 x2")) == [("LI4", "bilateral")]


def test_an_ashi_depth_and_angle_at_the_end_apply_to_the_point():
    result = parse("Ashi x2: left T7 paraspinal 10mm obl, Ashi: 1 cun lateral to T7 L")
    assert result.ok, result.errors
    first, second, third = result.rows
    assert first == second
    assert (first.custom_label, first.depth, first.depth_unit, first.angle) == (
        "left T7 paraspinal", Decimal("10"), "mm", "oblique")
    # Inside the text a number is a place, not a depth.
    assert (third.custom_label, third.depth, third.level) == ("1 cun lateral to T7 L", None, "T7")


# --- sides on midline points ----------------------------------------------------------------


@pytest.mark.parametrize("text, message", [
    ("GV20 L", "GV20 is on the midline (one needle): type “GV20” without a side, or did you "
               "mean GB20?"),
    ("left GV20", "did you mean GB20?"),
    ("GV6 bilat", "GV6 is on the midline (one needle): type “GV6” without a side."),
    ("CV12 R", "CV12 is on the midline (one needle): type “CV12” without a side."),
    ("Baihui L", "GV20 is on the midline (one needle)"),
])
def test_a_side_on_a_midline_point_alone_is_refused(text, message):
    result = parse(text)
    assert not result.ok
    assert any(message in error for error in result.errors), result.errors


@pytest.mark.parametrize("text, expected", [
    ("BL23 GV4 bilat", [("BL23", "bilateral"), ("GV4", "midline")]),
    ("left GV20 LI4", [("GV20", "midline"), ("LI4", "left")]),
    ("GV4 BL23 GV4 b/l", [("GV4", "midline"), ("BL23", "bilateral"), ("GV4", "midline")]),
])
def test_a_side_on_paired_and_midline_points_skips_the_midline_with_a_notice(text, expected):
    result = parse(text)
    assert result.ok, result.errors
    assert sides(result) == expected
    midline = next(code for code, side in expected if side == "midline")
    assert result.notices == [f"{midline} is on the midline: kept as one needle (midline)."]


def test_midline_on_a_paired_point_is_refused():
    result = parse("GV6 LI4 m")
    assert "LI4 is not on the midline: give a side, e.g. “LI4 L”, “LI4 R” or “LI4 bilat”." \
        in result.errors


# --- words understood --------------------------------------------------------------------


@pytest.mark.parametrize("text, angle", [
    ("LI4 L perpendicular", "perpendicular"), ("LI4 perp L", "perpendicular"),
    ("LI4 L oblique", "oblique"), ("LI4 L obl.", "oblique"), ("LI4 L transverse", "transverse"),
    ("LI4 L trans", "transverse"), ("LI4 L horizontal", "transverse"),
    ("LI4 L Horiz", "transverse"),
])
def test_angle_words(text, angle):
    result = parse(text)
    assert result.ok, result.errors
    assert [row.angle for row in result.rows] == [angle]


def test_depth_and_angle_after_a_side_apply_to_every_point_it_closed():
    result = parse("BL18 BL20 bilat 12mm obl LI4 L 0.5cun perp")
    assert result.ok, result.errors
    assert [(r.code, r.depth, r.depth_unit, r.angle) for r in result.rows] == [
        ("BL18", Decimal("12"), "mm", "oblique"), ("BL20", Decimal("12"), "mm", "oblique"),
        ("LI4", Decimal("0.5"), "cun", "perpendicular")]


def test_bilaterally_is_bilateral():
    assert sides(parse("SP6 bilaterally")) == [("SP6", "bilateral")]


@pytest.mark.parametrize("text, depth, unit", [
    ("LI4 L 0,5cun", Decimal("0.5"), "cun"), ("LI4 L 0,5 cun", Decimal("0.5"), "cun"),
    ("BL23 b/l 12,5 mm", Decimal("12.5"), "mm"),
])
def test_a_decimal_comma_does_not_split_the_entry(text, depth, unit):
    result = parse(text + ", SP6 R")
    assert result.ok, result.errors
    assert [(r.code, r.depth, r.depth_unit) for r in result.rows][0][1:] == (depth, unit)
    assert result.rows[1].code == "SP6"


def test_a_comma_after_a_code_still_splits():
    assert sides(parse("LI4 L,5mm")) == [("LI4", "left")]
    assert sides(parse("GV6,GV9")) == [("GV6", "midline"), ("GV9", "midline")]


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize("text, code", [
    ("Hegu L", "LI4"), ("hegu L", "LI4"), ("Hé Gǔ L", "LI4"), ("He Gu L", "LI4"),
    ("合谷 L", "LI4"), ("L 合谷", "LI4"), ("Zusanli b/l", "ST36"), ("Zu San Li b/l", "ST36"),
    ("足三里 b/l", "ST36"), ("Hegu(L)", "LI4"), ("Bi Guan R", "ST31"),
])
def test_points_by_pinyin_and_hanzi(text, code):
    result = parse(text)
    assert result.ok, result.errors
    assert [row.code for row in result.rows] == [code]


def test_names_and_codes_mix_in_one_entry():
    result = parse("Hegu Zu San Li SP6 bilat, He Gu R")
    assert result.ok, result.errors
    assert sides(result) == [("LI4", "bilateral"), ("ST36", "bilateral"), ("SP6", "bilateral"),
                             ("LI4", "right")]


def test_huatuojiaji_by_its_pinyin_with_levels():
    result = parse("Huatuojiaji T7-T9 b/l")
    assert result.ok, result.errors
    assert [(r.code, r.level, r.laterality) for r in result.rows] == [
        ("EX-B2", level, "bilateral") for level in ("T7", "T8", "T9")]


def test_a_name_two_points_share_is_refused():
    result = parse("Zhongzhu L")
    assert result.errors == ["“Zhongzhu” could be KI15 or TE3: type the code."]


def test_unknown_words_are_reported_together():
    result = parse("Zu San Lee L")
    assert result.errors == ["“Zu San Lee” is not a point code we know: check the code, or type "
                             "the name (Hegu) or the number with its meridian (LI4)."]


# --- ear points -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Shenmen (ear)", "ear Shenmen", "Shenmen ear", "Shenmen EAR L", "auricular Shenmen",
])
def test_ear_points_are_pointed_to_the_auricular_technique(text):
    result = parse(text)
    assert result.rows == []
    assert result.errors == ["Ear points are recorded as an Auricular technique: press “Add "
                             "auricular” below and list Shenmen" + (" L" if " L" in text else "")
                             + " there."]


def test_a_word_containing_ear_is_not_an_ear():
    assert parse("Ashi: near T7 left").ok


# --- every refusal says what to type --------------------------------------------------------

REFUSED = [
    "XY9 L", "LI4", "LI4 L R", "left right LI4", "left LI4 R", "EX-B2 bilat", "EX-B2 T13 L",
    "EX-B2 C5 L", "EX-B2 T5 T7 L", "LI4 T7 L", "12mm LI4 L", "T7 EX-B2 L", "LI4 L 0,5", "GV20 L",
    "CV12 R", "LI4 m", "Zhongzhu L", "Shenmen (ear)", "Ashi:", "Ashi: sore spot L",
    "Ashi: paraspinal L", "Ashi: upper trap", "Ashi: left L3 thoracic", "Ashi: neck and hip L",
    "Ashi: T14 L", "Ashi: upper trap T1 L", "Ashi x0 trap L", "Ashi x2 trap 3x L",
    "Ashi: left T5-T6 paraspinal", "L",
]
SAYS_WHAT_TO_TYPE = re.compile(r"e\.g\.|type |write |give |press |leave out|keep one|use ")


@pytest.mark.parametrize("text", REFUSED)
def test_every_refusal_says_what_to_type_instead(text):
    result = parse(text)
    assert not result.ok
    for error in result.errors:
        assert SAYS_WHAT_TO_TYPE.search(error), error


def test_the_issue_messages():
    assert parse("XY9 L").errors == [
        "“XY9” is not a point code we know: check the code, or type the name (Hegu) or the "
        "number with its meridian (LI4)."]
    assert parse("LI4").errors == ["LI4: give a side, e.g. “LI4 L”, “LI4 R” or “LI4 bilat”."]
    assert parse("Ashi: paraspinal L").errors == [
        "Ashi “paraspinal L”: give the level, e.g. “Ashi: left T7 paraspinal”."]


# --- against the real catalog -------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Hegu L", [("LI4", "left")]), ("hegu L", [("LI4", "left")]), ("Hé Gǔ L", [("LI4", "left")]),
    ("He Gu L", [("LI4", "left")]), ("合谷 L", [("LI4", "left")]),
    ("Zusanli bilat", [("ST36", "bilateral")]), ("Zu San Li bilat", [("ST36", "bilateral")]),
    ("Hoku R", [("LI4", "right")]), ("Baihui", [("GV20", "midline")]),
    ("Huatuojiaji T7-T9 b/l", [("EX-B2", "bilateral")] * 3),
    ("Yintang", [("EX-HN3", "midline")]),
])
def test_real_catalog_resolves_names(app_ctx, text, expected):
    result = parse_quick_entry(text, resolve_for_parser)
    assert result.ok, result.errors
    assert sides(result) == expected


def test_real_catalog_refuses_every_shared_name(app_ctx):
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.points.models import Point

    codes_by_name = {}
    for code, pinyin in db.session.execute(
            select(Point.code, Point.pinyin).order_by(Point.sort_order)):
        codes_by_name.setdefault(fold_text(pinyin), []).append(code)
    shared = {name: codes for name, codes in codes_by_name.items() if len(codes) > 1}
    assert {"zhongzhu", "futu", "juliao", "wangu", "zhongdu", "yinjiao"} <= set(shared)
    for name, codes in shared.items():
        typed = name.title()
        result = parse_quick_entry(f"{typed} L", resolve_for_parser)
        assert result.errors == [
            f"“{typed}” could be {', '.join(codes[:-1])} or {codes[-1]}: type the code."]
    assert parse_quick_entry("Zhongzhu L", resolve_for_parser).errors == [
        "“Zhongzhu” could be KI15 or TE3: type the code."]


def test_real_catalog_suggests_the_gb_twin_of_a_gv_point(app_ctx):
    assert parse_quick_entry("GV20 L", resolve_for_parser).errors == [
        "GV20 is on the midline (one needle): type “GV20” without a side, or did you mean GB20?"]
    assert parse_quick_entry("CV12 R", resolve_for_parser).errors == [
        "CV12 is on the midline (one needle): type “CV12” without a side."]
    result = parse_quick_entry("BL23 GV4 bilat", resolve_for_parser)
    assert result.ok and result.notices == [
        "GV4 is on the midline: kept as one needle (midline)."]


# --- properties -------------------------------------------------------------------------


# Names a point may be typed by, as in the point search.
NAME_SPELLINGS = {"LI4": ["Hegu", "hegu", "He Gu", "Hé Gǔ", "合谷"],
                  "ST36": ["Zusanli", "Zu San Li", "足三里"], "ST31": ["Bi Guan", "Biguan"],
                  "GV20": ["Baihui", "Bai Hui"]}


@st.composite
def code_spelling(draw, code):
    if code in NAME_SPELLINGS and draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(NAME_SPELLINGS[code]))
    letters, number = re.fullmatch(r"([A-Z]+)(\d+)", code).groups()
    case = draw(st.sampled_from([str.upper, str.lower, str.title]))
    separator = draw(st.sampled_from(["", "-", " ", "."]))
    return f"{case(letters)}{separator}{'0' * draw(st.integers(0, 1))}{number}"


@st.composite
def entries(draw, spaced_codes=True):
    """(text, [(code, side)]): known codes, each with a side in a random spelling and place."""
    items = draw(st.lists(st.sampled_from(PAIRED + MIDLINE), min_size=1, max_size=8))
    text, expected, previous = "", [], "closed"
    for index, code in enumerate(items):
        spelled = draw(code_spelling(code)) if spaced_codes else code
        place = draw(st.sampled_from(["after", "stuck", "before"]))
        if code in MIDLINE:
            side, piece = "midline", spelled + draw(st.sampled_from(["", " midline", " m"]))
            place = "after" if piece != spelled else "bare"
        else:
            side = draw(st.sampled_from(sorted(SPELLINGS)))
            if place == "stuck" and spelled[-1].isdigit():
                piece = spelled + draw(st.sampled_from(STUCK[side]))
            elif place == "before":
                piece = f"{draw(st.sampled_from(SPELLINGS[side]))} {spelled}"
            else:
                piece = f"{spelled} {draw(st.sampled_from(SPELLINGS[side]))}"
        # Within one entry a side word applies to every point since the previous side word,
        # and a leading one keeps applying forward: a space joins items only where that
        # cannot change which points a side belongs to.
        spaced = previous == "closed" or (previous == "bare" and place != "before")
        joiners = [", ", ",", "; ", "\n", " , "] + ([" "] if spaced else [])
        text += (draw(st.sampled_from(joiners)) if index else "") + piece
        previous = {"before": "open", "bare": "bare"}.get(place, "closed")
        expected.append((code, side))
    return text, expected


@settings(max_examples=300, deadline=None)
@given(entries(spaced_codes=False))
def test_property_known_codes_with_random_sides(case):
    text, expected = case
    result = parse(text)
    assert result.ok, (text, result.errors)
    assert sides(result) == expected
    assert_notices_name_midline_points(result)


def assert_notices_name_midline_points(result):
    """A side word next to a bare midline point skips it, and says so."""
    for notice in result.notices:
        code = notice.split(" ")[0]
        assert code in MIDLINE and notice == f"{code} is on the midline: kept as one needle " \
            "(midline).", notice


@settings(max_examples=300, deadline=None)
@given(entries(spaced_codes=True))
@example(("LI4 L LI 11 R", [("LI4", "left"), ("LI11", "right")]))
@example(("GV6 He Gu L", [("GV6", "midline"), ("LI4", "left")]))
def test_property_any_code_spelling_with_random_sides(case):
    text, expected = case
    result = parse(text)
    assert result.ok, (text, result.errors)
    assert sides(result) == expected
    assert_notices_name_midline_points(result)


# Ashi texts whose label holds the place words: (text, region, level).
ASHI_PLACES = ["left T7 paraspinal", "upper trapezius L", "R upper trap", "4th ICS left",
               "bilat lumbar paraspinal L4", "midline sacrum", "left ICS5", "neck C5 R",
               "chest T5 left", "rhomboid rt", "abdomen B", "1 cun lateral to T7 L"]


@st.composite
def point_rows(draw, decimal_depths=False):
    rows = []
    for code in draw(st.lists(st.sampled_from([*sorted(CATALOG), "Ashi"]), min_size=1,
                              max_size=8)):
        if code == "Ashi":
            [row] = parse(f"Ashi: {draw(st.sampled_from(ASHI_PLACES))}").rows
            assert row.region
        else:
            midline, needs_level = CATALOG[code]
            row = ParsedRow(
                code=code,
                laterality="midline"
                if midline
                else draw(st.sampled_from(["left", "right", "bilateral"])),
            )
            if needs_level:
                row.level = draw(st.sampled_from(["T1", "T7", "T12", "L1", "L5"]))
        row.angle = draw(st.sampled_from([None, "perpendicular", "oblique", "transverse"]))
        if draw(st.booleans()):
            whole = Decimal(draw(st.integers(1, 60)))
            fraction = Decimal(draw(st.sampled_from(["0.5", "0.3", "1.2"])))
            row.depth, row.depth_unit = draw(
                st.sampled_from(
                    [(whole, "mm"), (Decimal(draw(st.integers(1, 3))), "cun")]
                    + ([(fraction, "cun"), (whole + fraction, "mm")] if decimal_depths else [])
                )
            )
        rows.append(row)
    return rows


@settings(max_examples=300, deadline=None)
@given(point_rows())
def test_property_parse_of_to_shorthand_round_trips(rows):
    assert parse(to_shorthand(rows)).rows == rows


@settings(max_examples=300, deadline=None)
@given(point_rows(decimal_depths=True))
@example([ParsedRow(code="LI4", laterality="left", depth=Decimal("0.5"), depth_unit="cun")])
def test_property_round_trip_with_decimal_depths(rows):
    assert parse(to_shorthand(rows)).rows == rows


def test_ashi_round_trips_through_to_shorthand():
    rows = parse("Ashi: left T7 paraspinal, Ashi x3 L upper trap 8mm obl").rows
    assert to_shorthand(rows) == (
        "Ashi: left T7 paraspinal, Ashi: L upper trap 8mm obl, Ashi: L upper trap 8mm obl, "
        "Ashi: L upper trap 8mm obl")
    assert parse(to_shorthand(rows)).rows == rows


def test_to_shorthand_writes_angles():
    rows = [{"code": "BL23", "laterality": "bilateral", "depth": Decimal("25"),
             "depth_unit": "mm", "angle": "perpendicular"},
            {"code": "GV6", "laterality": "midline", "angle": "oblique"},
            {"code": "LI4", "laterality": "left", "angle": "transverse"}]
    assert to_shorthand(rows) == "BL23 bilat 25mm perp, GV6 obl, LI4 L trans"


@pytest.mark.parametrize("row, text", [
    ({"custom_label": "tender spot", "laterality": "left", "region": "chest", "level": "ICS4"},
     "Ashi: left ICS4 tender spot"),
    ({"custom_label": "tender spot", "laterality": "right", "region": "trapezius"},
     "Ashi: right tender spot upper trapezius"),
    ({"custom_label": "tender", "laterality": "bilateral", "region": "chest", "level": "T5"},
     "Ashi: bilateral T5 tender chest"),
    ({"custom_label": "upper trap L", "laterality": "left", "region": "trapezius", "depth": 8,
      "angle": "oblique"}, "Ashi: upper trap L 8mm obl"),
])
def test_a_custom_row_keeps_its_place_when_its_label_lacks_the_words(row, text):
    row = {"code": None, **row}
    assert to_shorthand([row]) == text
    [parsed] = parse(text).rows
    assert (parsed.laterality, parsed.region, parsed.level, parsed.angle) == (
        row["laterality"], row["region"], row.get("level", ""), row.get("angle"))


def test_an_ashi_point_near_the_ear_is_a_head_point_not_an_auricular_one():
    result = parse("Ashi: behind the ear L")
    assert result.ok, result.errors
    (row,) = result.rows
    assert (row.code, row.region, row.laterality) == (None, "head", "left")
    assert not parse("Shenmen (ear)").ok
