"""The caution engine alone (no database): one table per rule of DOMAIN.md section 5, on the
caution flags of the shipped catalog file."""

import re
from datetime import date
from decimal import Decimal

import pytest

from tests.safety.helpers import ashi, catalog_point, planned, summary
from tracker.intake.models import Episode
from tracker.safety.cautions import PlannedAdjunct, SafetyFacts, cautions_for
from tracker.safety.services import plan_of

# The severities as stored and shown (the session_cautions check constraint): written out, so
# a wrong constant in the engine fails here.
INFO, WARNING, CONTRAINDICATED = "info", "warning", "contraindicated"
NONE = SafetyFacts()


def pregnant(weeks=None) -> SafetyFacts:
    return SafetyFacts(pregnant=True, pregnancy_weeks=weeks)


def by_rule(cautions, rule):
    return [c for c in cautions if c.rule == rule]


@pytest.mark.parametrize(("facts", "code", "expected"), [
    pytest.param(pregnant(10), "LI4", {("pregnancy", "LI4", WARNING)}, id="pregnant-LI4-warns"),
    pytest.param(NONE, "LI4", set(), id="not-pregnant-LI4-silent"),
    pytest.param(pregnant(30), "SP6", {("pregnancy", "SP6", WARNING)}, id="pregnant-SP6-warns"),
    pytest.param(pregnant(8), "CV4", {("pregnancy", "CV4", WARNING)},
                 id="CV4-lower-abdomen-first-trimester-warns"),
    pytest.param(pregnant(None), "CV4", {("pregnancy", "CV4", WARNING)},
                 id="CV4-weeks-unknown-warns"),
    pytest.param(pregnant(10), "ST21", set(), id="ST21-upper-abdomen-10-weeks-silent"),
    pytest.param(pregnant(13), "ST21", set(), id="ST21-13-weeks-still-first-trimester"),
    pytest.param(pregnant(14), "ST21", {("pregnancy", "ST21", WARNING)}, id="ST21-14-weeks-warns"),
    pytest.param(pregnant(20), "ST21", {("pregnancy", "ST21", WARNING)}, id="ST21-20-weeks-warns"),
    pytest.param(pregnant(None), "ST21", {("pregnancy", "ST21", WARNING)},
                 id="ST21-weeks-unknown-applies-every-trimester"),
    pytest.param(pregnant(20), "ST36", set(), id="pregnant-unflagged-ST36-silent"),
])
def test_pregnancy_points_and_regions_by_trimester(facts, code, expected):
    assert summary(cautions_for(facts, [planned(code)], [])) == expected


def test_the_upper_abdomen_example_is_unflagged_in_the_catalog():
    st21 = catalog_point("ST21")
    assert st21.region == "upper_abdomen" and not st21.pregnancy_caution
    assert catalog_point("CV4").region == "lower_abdomen"


def test_pregnancy_caution_shows_the_catalog_source_and_the_weeks():
    (flagged,) = cautions_for(pregnant(12), [planned("LI4")], [])
    assert flagged.source == catalog_point("LI4").pregnancy_source and flagged.source
    assert "12 weeks pregnant" in flagged.message
    (region,) = cautions_for(pregnant(None), [planned("CV4")], [])
    assert "weeks not recorded" in region.message
    (lumbar,) = cautions_for(pregnant(10), [planned("BL23")], [])
    assert lumbar.source.startswith("WHO") and "lumbosacral" in lumbar.message
    (upper,) = cautions_for(pregnant(22), [planned("ST21")], [])
    assert "WHO" in upper.source and "upper abdomen" in upper.message


@pytest.mark.parametrize("facts", [pytest.param(pregnant(16), id="pregnant"),
                                   pytest.param(NONE, id="not-pregnant")])
@pytest.mark.parametrize("code", ["CV8", "ST17"])
def test_always_warn_points_warn_for_everyone(facts, code):
    found = by_rule(cautions_for(facts, [planned(code)], []), "always_warn")
    assert [(c.target, c.severity) for c in found] == [(code, WARNING)]
    assert found[0].source == catalog_point(code).always_warn_reason and found[0].source


@pytest.mark.parametrize(("code", "depth_mm", "angle", "severity"), [
    pytest.param("GB21", 25, None, WARNING, id="GB21-25mm-warns"),
    pytest.param("GB21", 30, "perpendicular", WARNING, id="GB21-30mm-perpendicular-warns"),
    pytest.param("GB21", 10, "oblique", INFO, id="GB21-10mm-oblique-note-only"),
    pytest.param("GB21", 14, "oblique", INFO, id="GB21-at-the-14mm-hint-note-only"),
    pytest.param("GB21", 15, "transverse", WARNING, id="GB21-15mm-transverse-warns"),
    pytest.param("GB21", 8, "perpendicular", WARNING, id="GB21-8mm-perpendicular-warns"),
    pytest.param("LU1", 20, "oblique", WARNING, id="LU1-beyond-16mm-warns"),
    pytest.param("BL13", 10, "oblique", INFO, id="BL13-shallow-oblique-note-only"),
    pytest.param("ST36", 40, "perpendicular", None, id="ST36-not-thorax-silent"),
])
def test_thorax_depth(code, depth_mm, angle, severity):
    found = cautions_for(NONE, [planned(code, depth_mm=depth_mm, angle=angle)], [])
    assert summary(found) == ({("thorax_depth", code, severity)} if severity else set())


def test_thorax_warning_says_why_and_cites_the_depth_source():
    (deep,) = cautions_for(NONE, [planned("GB21", depth_mm=30, angle="perpendicular")], [])
    hint = catalog_point("GB21").max_depth_mm
    assert "30 mm is deeper than the hint" in deep.message and f"about {hint} mm" in deep.message
    # GB21's hint is a measured average, never offered as a safe depth.
    assert "population average, not a safe limit" in deep.message
    assert "perpendicular" in deep.message
    assert catalog_point("GB21").depth_source in deep.source and "WHO" in deep.source


@pytest.mark.parametrize(("depth", "unit", "angle", "severity"), [
    pytest.param(Decimal("1"), "cun", None, WARNING, id="GB21-1-cun-is-20mm-warns"),
    pytest.param(Decimal("0.5"), "cun", "oblique", INFO, id="GB21-half-cun-is-10mm-note"),
])
def test_depth_in_cun_is_converted_to_mm(depth, unit, angle, severity):
    rows = [{"point": catalog_point("GB21"), "depth": depth, "depth_unit": unit, "angle": angle}]
    points, adjuncts = plan_of(rows, [])
    assert summary(cautions_for(NONE, points, adjuncts)) == {("thorax_depth", "GB21", severity)}


EA = PlannedAdjunct("electroacupuncture", {"ea_pairs": [["BL23", "BL25"]]})
PACEMAKER = SafetyFacts(pacemaker=True)


@pytest.mark.parametrize(("facts", "points", "adjuncts", "expected"), [
    pytest.param(PACEMAKER, [planned("BL23")], [EA], CONTRAINDICATED, id="pacemaker-EA-adjunct"),
    pytest.param(PACEMAKER, [planned("BL23", electrical=True)], [], CONTRAINDICATED,
                 id="pacemaker-electrical-point-row"),
    pytest.param(NONE, [planned("BL23")], [EA], None, id="no-pacemaker-EA-silent"),
    pytest.param(PACEMAKER, [planned("BL23")], [PlannedAdjunct("tuina")], None,
                 id="pacemaker-manual-needling-silent"),
])
def test_pacemaker_and_electroacupuncture(facts, points, adjuncts, expected):
    found = by_rule(cautions_for(facts, points, adjuncts), "pacemaker_electroacupuncture")
    assert [c.severity for c in found] == ([expected] if expected else [])
    if expected:
        assert found[0].needs_decision and "pacemaker" in found[0].reason


ANTICOAGULANTS = SafetyFacts(anticoagulants=True)


@pytest.mark.parametrize(("facts", "kind", "params", "warns"), [
    pytest.param(ANTICOAGULANTS, "cupping", {"cupping_method": "wet"}, True, id="wet-cupping"),
    pytest.param(ANTICOAGULANTS, "gua_sha", {}, True, id="gua-sha"),
    pytest.param(ANTICOAGULANTS, "bloodletting", {}, True, id="bloodletting"),
    pytest.param(ANTICOAGULANTS, "cupping", {"cupping_method": "dry"}, False, id="dry-cupping"),
    pytest.param(NONE, "cupping", {"cupping_method": "wet"}, False, id="no-anticoagulants"),
])
def test_bleeding_techniques_with_anticoagulants(facts, kind, params, warns):
    found = cautions_for(facts, [], [PlannedAdjunct(kind, params)])
    assert summary(found) == ({("bleeding", kind, WARNING)} if warns else set())


DIABETES, NUMB = SafetyFacts(diabetes=True), SafetyFacts(reduced_sensation=True)


@pytest.mark.parametrize(("facts", "kind", "warns"), [
    pytest.param(DIABETES, "moxibustion", True, id="diabetes-moxibustion"),
    pytest.param(DIABETES, "heat_lamp", True, id="diabetes-heat-lamp"),
    pytest.param(NUMB, "moxibustion", True, id="reduced-sensation-moxibustion"),
    pytest.param(NUMB, "heat_lamp", True, id="reduced-sensation-heat-lamp"),
    pytest.param(DIABETES, "cupping", False, id="diabetes-cupping-silent"),
    pytest.param(NONE, "moxibustion", False, id="neither-moxibustion-silent"),
])
def test_heat_with_diabetes_or_reduced_sensation(facts, kind, warns):
    found = cautions_for(facts, [], [PlannedAdjunct(kind)])
    assert summary(found) == ({("burn", kind, WARNING)} if warns else set())


@pytest.mark.parametrize(("facts", "warns"), [
    pytest.param(pregnant(20), True, id="second-trimester-warns"),
    pytest.param(pregnant(10), False, id="first-trimester-silent"),
    pytest.param(pregnant(None), True, id="weeks-unknown-warns"),
    pytest.param(NONE, False, id="not-pregnant-silent"),
])
def test_auricular_after_the_first_trimester(facts, warns):
    found = cautions_for(facts, [], [PlannedAdjunct("auricular")])
    assert summary(found) == ({("pregnancy", "auricular", WARNING)} if warns else set())


@pytest.mark.parametrize(("facts", "rule"), [
    pytest.param(SafetyFacts(needle_fainting=True), "needle_fainting", id="fainting"),
    pytest.param(SafetyFacts(metal_allergy=True), "metal_allergy", id="metal-allergy"),
])
@pytest.mark.parametrize("needles", [True, False], ids=["with-needles", "no-needles"])
def test_fainting_and_metal_allergy_warn_when_needling(facts, rule, needles):
    points = [planned("ST36")] if needles else []
    found = cautions_for(facts, points, [PlannedAdjunct("tuina")])
    assert summary(found) == ({(rule, "needling", WARNING)} if needles else set())


EVERYTHING = SafetyFacts(pregnant=True, pregnancy_weeks=20, pacemaker=True, anticoagulants=True,
                         diabetes=True, needle_fainting=True, metal_allergy=True)
BIG_PLAN = (
    [planned("LI4"), planned("GB21", depth_mm=10, angle="oblique"), planned("CV8"),
     planned("ST21"), planned("LI4", electrical=True)],
    [EA, PlannedAdjunct("cupping", {"cupping_method": "wet"}), PlannedAdjunct("moxibustion"),
     PlannedAdjunct("auricular")],
)


def test_every_caution_has_a_message_reason_and_source():
    found = cautions_for(EVERYTHING, *BIG_PLAN)
    assert len(found) >= 10
    for caution in found:
        assert caution.message.strip() and caution.reason.strip() and caution.source.strip()


def test_most_serious_first_one_per_rule_and_target():
    found = cautions_for(EVERYTHING, *BIG_PLAN)
    order = [c.severity for c in found]
    assert order == sorted(order, key=[CONTRAINDICATED, WARNING, INFO].index)
    assert order[0] == CONTRAINDICATED and order[-1] == INFO
    keys = [c.key for c in found]
    assert len(keys) == len(set(keys))
    assert keys.count("pregnancy:LI4") == 1  # LI4 twice in the plan
    assert keys.count("pacemaker_electroacupuncture:electroacupuncture") == 1  # adjunct and row


def test_the_more_serious_of_two_rows_is_kept():
    rows = [planned("GB21", depth_mm=10, angle="oblique"), planned("GB21", depth_mm=25)]
    for plan in (rows, rows[::-1]):
        assert summary(cautions_for(NONE, plan, [])) == {("thorax_depth", "GB21", WARNING)}


@pytest.mark.parametrize(("session_day", "warns"), [
    pytest.param(date(2026, 11, 1), False, id="intake-day-12-weeks"),
    pytest.param(date(2026, 11, 15), True, id="two-weeks-later-14-weeks"),
])
def test_pregnancy_weeks_count_on_from_the_intake(session_day, warns):
    episode = Episode(pregnant=True, pregnancy_weeks=12, opened_on=date(2026, 11, 1),
                      pacemaker=False, anticoagulants=False, diabetes=False,
                      reduced_sensation=False, needle_fainting=False, metal_allergy=False)
    facts = SafetyFacts.of_episode(episode, session_day)
    assert bool(cautions_for(facts, [planned("ST21")], [])) is warns


# --- WHO 1999's regional pregnancy rule, on catalog points and on custom points ------------

@pytest.mark.parametrize("code", [
    "BL22", "BL23", "BL24", "BL25", "BL26", "BL35", "BL53", "BL54", "GV2", "GV3", "GV4", "GV5",
    "EX-B7", "SP12", "SP13", "SP14", "SP15", "GB26", "GB27", "GB28", "LR12", "CV1",
])
def test_lumbosacral_and_lower_abdomen_points_warn_in_every_trimester(code):
    for weeks in (6, 10, 30, None):
        assert summary(cautions_for(pregnant(weeks), [planned(code)], [])) == {
            ("pregnancy", code, WARNING)}, (code, weeks)
    assert cautions_for(NONE, [planned(code)], []) == []


@pytest.mark.parametrize(("point", "weeks", "warns"), [
    pytest.param(planned("GB30"), 10, False, id="GB30-lateral-hip-is-not-lumbosacral"),
    pytest.param(planned("EX-B2", level="L3"), 10, True, id="EX-B2-at-L3-is-lumbar"),
    pytest.param(planned("EX-B2", level="T7"), 10, False, id="EX-B2-at-T7-is-thoracic"),
    pytest.param(ashi("low back, left QL", "lower_back"), 8, True, id="Ashi-lower-back"),
    pytest.param(ashi("right gluteal", "sacral", level="S2"), 30, True, id="Ashi-sacral"),
    pytest.param(ashi("left of the navel", "lower_abdomen"), 12, True, id="Ashi-lower-abdomen"),
    pytest.param(ashi("epigastric", "upper_abdomen"), 12, False, id="Ashi-upper-abdomen-early"),
    pytest.param(ashi("epigastric", "upper_abdomen"), 16, True, id="Ashi-upper-abdomen-later"),
    pytest.param(ashi("epigastric", "upper_abdomen"), None, True, id="Ashi-upper-weeks-unknown"),
    pytest.param(ashi("left T7 paraspinal", "upper_back", level="T7"), 10, False,
                 id="Ashi-thoracic-back-no-pregnancy-rule"),
])
def test_the_regional_rule_reads_the_needles_place(point, weeks, warns):
    found = by_rule(cautions_for(pregnant(weeks), [point], []), "pregnancy")
    assert [c.target for c in found] == ([point.target] if warns else [])


# --- Every needle is checked: custom points over the thorax, EX-B2 by level ----------------

@pytest.mark.parametrize(("point", "severity"), [
    pytest.param(ashi("left T7 paraspinal", "upper_back", level="T7", depth_mm=30,
                      angle="perpendicular"), WARNING, id="T7-paraspinal-30mm-perpendicular"),
    pytest.param(ashi("left T7 paraspinal", "upper_back", level="T7", depth_mm=8,
                      angle="oblique"), INFO, id="T7-paraspinal-8mm-oblique-note"),
    pytest.param(ashi("right rhomboid", "upper_back", depth_mm=12, angle="oblique"), WARNING,
                 id="upper-back-beyond-the-10mm-hint"),
    pytest.param(ashi("pectoral", "chest", level="ICS4", depth_mm=10, angle="oblique"), WARNING,
                 id="chest-beyond-the-8mm-hint"),
    pytest.param(ashi("upper trapezius L", "trapezius", depth_mm=12, angle="oblique"), INFO,
                 id="upper-trapezius-shallow-oblique-note"),
    pytest.param(ashi("upper trapezius L", "trapezius", depth_mm=20, angle="oblique"), WARNING,
                 id="upper-trapezius-20mm"),
    pytest.param(ashi("supraclavicular", "supraclavicular", angle="perpendicular"), WARNING,
                 id="supraclavicular-perpendicular"),
    pytest.param(ashi("lumbar paraspinal", "lower_back", level="L3", depth_mm=30,
                      angle="perpendicular"), None, id="lumbar-not-over-the-lung"),
    pytest.param(ashi("deltoid", "shoulder", depth_mm=30, angle="perpendicular"), None,
                 id="deltoid-not-over-the-lung"),
    pytest.param(planned("EX-B2", level="T7", depth_mm=15, angle="perpendicular"), WARNING,
                 id="EX-B2-T7-perpendicular"),
    pytest.param(planned("EX-B2", level="T7", depth_mm=15, angle="oblique"), INFO,
                 id="EX-B2-T7-oblique-within-hint"),
    pytest.param(planned("EX-B2", level="L3", depth_mm=30, angle="perpendicular"), None,
                 id="EX-B2-L3-not-over-the-lung"),
])
def test_custom_points_and_huatuojiaji_over_the_thorax(point, severity):
    found = by_rule(cautions_for(NONE, [point], []), "thorax_depth")
    assert [(c.target, c.severity) for c in found] == (
        [(point.target, severity)] if severity else [])


def test_thorax_caution_on_a_custom_point_names_its_place_level_and_hint_source():
    point = ashi("left T7 paraspinal", "upper_back", level="T7", depth_mm=30,
                 angle="perpendicular")
    (caution,) = cautions_for(NONE, [point], [])
    assert caution.target == "Ashi: left T7 paraspinal"
    assert "30 mm is deeper than the hint" in caution.message and "perpendicular" in caution.message
    assert "(T7)" in caution.reason
    assert "upper-back points" in caution.source and "WHO" in caution.source
    (ex_b2,) = cautions_for(NONE, [planned("EX-B2", level="T9", angle="perpendicular")], [])
    assert ex_b2.target == "EX-B2 T9" and "(T9)" in ex_b2.reason


def test_a_custom_point_without_a_region_is_itself_a_warning():
    (caution,) = cautions_for(NONE, [ashi("sore spot", "")], [])
    assert (caution.rule, caution.severity) == ("place_not_recorded", WARNING)
    assert "no body region recorded" in caution.message


@pytest.mark.parametrize(("facts", "rule"), [
    pytest.param(SafetyFacts(needle_fainting=True), "needle_fainting", id="fainting"),
    pytest.param(SafetyFacts(metal_allergy=True), "metal_allergy", id="metal-allergy"),
])
def test_a_session_of_ashi_points_alone_still_warns_of_fainting_and_metal(facts, rule):
    found = cautions_for(facts, [ashi("left T7 paraspinal", "upper_back", level="T7",
                                      depth_mm=8, angle="oblique")], [])
    assert (rule, "needling", WARNING) in summary(found)


# --- CV17 and skin lesions -----------------------------------------------------------------

@pytest.mark.parametrize(("depth_mm", "angle", "severity"), [
    pytest.param(None, "perpendicular", WARNING, id="perpendicular-warns"),
    pytest.param(15, "transverse", WARNING, id="15mm-warns"),
    pytest.param(5, "transverse", INFO, id="5mm-transverse-note"),
])
def test_cv17_sternal_foramen(depth_mm, angle, severity):
    found = by_rule(cautions_for(NONE, [planned("CV17", depth_mm=depth_mm, angle=angle)], []),
                    "sternal_foramen")
    assert [(c.target, c.severity) for c in found] == [("CV17", severity)]
    assert found[0].source.startswith("Peuker E, Cummings M")
    assert cautions_for(NONE, [planned("CV18", angle="perpendicular")], []) == []


SKIN = SafetyFacts(skin_lesions=True, skin_lesions_site="eczema, left scapula")


@pytest.mark.parametrize(("facts", "points", "adjuncts", "targets"), [
    pytest.param(SKIN, [planned("BL23")], [], {"needling"}, id="needling"),
    pytest.param(SKIN, [], [PlannedAdjunct("cupping", {"cupping_method": "dry"})], {"cupping"},
                 id="cupping"),
    pytest.param(SKIN, [], [PlannedAdjunct("gua_sha")], {"gua_sha"}, id="gua-sha"),
    pytest.param(SKIN, [ashi("T7", "upper_back", level="T7", depth_mm=5, angle="oblique")],
                 [PlannedAdjunct("cupping")], {"needling", "cupping"}, id="needles-and-cups"),
    pytest.param(SKIN, [], [PlannedAdjunct("tuina")], set(), id="tuina-silent"),
    pytest.param(NONE, [planned("BL23")], [PlannedAdjunct("cupping")], set(), id="no-lesions"),
])
def test_skin_lesions_check_the_site(facts, points, adjuncts, targets):
    found = by_rule(cautions_for(facts, points, adjuncts), "skin_lesions")
    assert {c.target for c in found} == targets
    for caution in found:
        assert caution.severity == WARNING and "eczema, left scapula" in caution.message
        assert "check the site" in caution.message


def test_every_source_shown_is_a_published_source_never_a_file_of_this_project():
    everything = SafetyFacts(pregnant=True, pregnancy_weeks=None, pacemaker=True,
                             anticoagulants=True, diabetes=True, reduced_sensation=True,
                             needle_fainting=True, metal_allergy=True, skin_lesions=True)
    points = [planned(code) for code in ("LI4", "GB21", "CV8", "ST17", "ST21", "BL23", "CV17")]
    points += [ashi("T7", "upper_back", level="T7", angle="perpendicular"), ashi("x", "")]
    adjuncts = [PlannedAdjunct(kind, {"cupping_method": "wet"}) for kind in (
        "electroacupuncture", "cupping", "gua_sha", "bloodletting", "moxibustion", "heat_lamp",
        "auricular")]
    found = cautions_for(everything, points, adjuncts)
    assert {c.rule for c in found} >= {
        "pregnancy", "thorax_depth", "always_warn", "sternal_foramen", "skin_lesions",
        "pacemaker_electroacupuncture", "bleeding", "burn", "needle_fainting", "metal_allergy",
        "place_not_recorded"}
    for caution in found:
        assert not re.search(r"\.md\b|DOMAIN|tracker/|clinic safety rules", caution.source), (
            caution.rule, caution.source)
