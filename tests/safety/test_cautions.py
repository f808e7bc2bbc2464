"""The caution engine alone (no database): one table per rule of DOMAIN.md section 5, on the
caution flags of the shipped catalog file."""

from datetime import date
from decimal import Decimal

import pytest

from tests.safety.helpers import catalog_point, planned, summary
from tracker.intake.models import Episode
from tracker.safety.cautions import (
    CONTRAINDICATED,
    INFO,
    WARNING,
    PlannedAdjunct,
    SafetyFacts,
    cautions_for,
)
from tracker.safety.services import plan_of

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
    pytest.param(pregnant(None), "ST21", set(), id="ST21-weeks-unknown-counts-as-first"),
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
    (upper,) = cautions_for(pregnant(22), [planned("ST21")], [])
    assert "WHO" in upper.source and "upper-abdomen" in upper.message


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
    assert "30 mm is deeper than the 14 mm hint" in deep.message
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
    pytest.param(pregnant(None), False, id="weeks-unknown-silent"),
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
