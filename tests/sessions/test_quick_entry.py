"""The quick-entry parser: shorthand to point rows. Mostly pure (a fake resolver built from a
small catalog), plus a few runs against the real catalog through ``resolve_codes``."""

import re
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tracker.points.codes import canonical_code
from tracker.points.services import resolve_codes
from tracker.sessions.quick_entry import ParsedRow, ResolvedCode, parse_quick_entry, to_shorthand

# code: (midline, needs_level)
CATALOG = {
    **dict.fromkeys(["BL18", "BL20", "BL23", "LI4", "LI11", "SP6", "GB21", "TE5", "KI3"],
                    (False, False)),
    **dict.fromkeys(["GV6", "GV9", "CV12"], (True, False)),
    "EX-B2": (False, True),
}
PAIRED = sorted(code for code, (midline, level) in CATALOG.items() if not midline and not level)
MIDLINE = sorted(code for code, (midline, _) in CATALOG.items() if midline)
SPELLINGS = {"left": ["L", "l", "Lt", "lt", "left", "LEFT", "lft"],
             "right": ["R", "r", "Rt", "rt", "right", "Right"],
             "bilateral": ["b/l", "B/L", "bilat", "bilateral", "both", "x2", "bil", "B"]}
STUCK = {"left": ["L", "(L)", "l"], "right": ["R", "(R)", "r"], "bilateral": ["B", "(B)"]}


def fake_resolve(tokens):
    found = {}
    for token in tokens:
        code = canonical_code(token)
        if code in CATALOG:
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
    assert sides(parse("GV6 LI4 L, CV12 bilat")) == [
        ("GV6", "midline"), ("LI4", "left"), ("CV12", "midline")]


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


# --- properties -------------------------------------------------------------------------


@st.composite
def code_spelling(draw, code):
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


@settings(max_examples=300, deadline=None)
@given(entries(spaced_codes=True))
@example(("LI4 L LI 11 R", [("LI4", "left"), ("LI11", "right")]))
def test_property_any_code_spelling_with_random_sides(case):
    text, expected = case
    result = parse(text)
    assert result.ok, (text, result.errors)
    assert sides(result) == expected


@st.composite
def point_rows(draw, decimal_depths=False):
    rows = []
    for code in draw(st.lists(st.sampled_from(sorted(CATALOG)), min_size=1, max_size=8)):
        midline, needs_level = CATALOG[code]
        row = ParsedRow(
            code=code,
            laterality="midline"
            if midline
            else draw(st.sampled_from(["left", "right", "bilateral"])),
        )
        if needs_level:
            row.level = draw(st.sampled_from(["T1", "T7", "T12", "L1", "L5"]))
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
    rows = parse("Ashi: left T7 paraspinal").rows
    assert parse(to_shorthand(rows)).rows == rows
