"""Cautions stored with a session and decided at signing, needle counts and adverse events,
through the services (no HTTP)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.factories import (
    SESSION_AT,
    adjunct,
    event,
    fresh,
    intake_values,
    patient_with,
    point,
    record,
)
from tests.safety.helpers import caution_rows
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.safety.models import AdverseEvent
from tracker.safety.services import (
    SafetyError,
    patient_adverse_events,
)
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import (
    OverrideRequired,
    SigningRefused,
    sign_session,
    signing_problems,
    update_draft,
)

EA = adjunct("electroacupuncture", ea_pairs=[["BL23", "BL25"]], ea_frequency_hz=2.0,
             ea_waveform="continuous")
PACED_POINTS = (("BL23", "left"), ("BL25", "left"))
TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def world(app_ctx, clinic_world):
    return clinic_world


@pytest.fixture
def pregnant(factory, world):
    return patient_with(factory, world["a"], pregnant=True, pregnancy_weeks=10)


@pytest.fixture
def paced(factory, world):
    return patient_with(factory, world["a"], pacemaker=True)


def paced_points():
    return [point(code, side) for code, side in PACED_POINTS]


def test_cautions_shown_are_stored_with_the_session(pregnant):
    visit = record(pregnant, [point("LI4"), point("ST36")])
    (row,) = caution_rows(visit.id)
    assert (row.rule, row.target, row.severity) == ("pregnancy", "LI4", "warning")
    assert row.active and row.decision is None and row.source and row.reason
    # 10 weeks at intake, counted on to the session's day in the clinic (Tokyo).
    days = (SESSION_AT.astimezone(TOKYO).date() - intake_values()["opened_on"]).days
    assert f"{10 + days // 7} weeks pregnant" in row.message


def test_contraindication_without_a_reason_is_refused_and_nothing_saved(paced):
    with pytest.raises(OverrideRequired) as refused:
        record(paced, paced_points(), [EA])
    assert [c.key for c in refused.value.cautions] == [
        "pacemaker_electroacupuncture:electroacupuncture"]
    db.session.commit()  # even a caller that commits saves nothing
    assert db.session.scalars(select(TreatmentSession)).all() == []


@pytest.mark.parametrize(("points", "adjuncts"), [
    pytest.param(lambda: paced_points(), [EA], id="EA-adjunct"),
    pytest.param(lambda: [point("BL23", stimulation="electrical")], [], id="electrical-row"),
])
def test_contraindication_with_a_reason_is_saved_as_overridden(paced, points, adjuncts):
    reason = "Cardiologist cleared low-frequency EA away from the chest"
    key = "pacemaker_electroacupuncture:electroacupuncture"
    visit = record(paced, points(), adjuncts, overrides={key: reason})
    (row,) = caution_rows(visit.id)
    assert (row.severity, row.decision, row.decision_reason) == ("contraindicated", "overridden",
                                                                 reason)
    assert row.decided_by_id == paced["practitioner"].id and row.decided_at is not None


def test_a_stored_override_is_not_asked_for_again_but_new_ea_is(paced):
    key = "pacemaker_electroacupuncture:electroacupuncture"
    visit = record(paced, paced_points(), [EA], overrides={key: "Cleared"})
    update_draft(visit, values={}, points=paced_points(), adjuncts=[EA], expected_version=None,
                 actor=fresh(paced, "practitioner"))
    assert caution_rows(visit.id)[0].decision == "overridden"
    other = record(paced, paced_points())
    with pytest.raises(OverrideRequired):
        update_draft(other, values={}, points=paced_points(), adjuncts=[EA],
                     expected_version=None, actor=fresh(paced, "practitioner"))


def test_removed_point_keeps_its_caution_inactive_and_it_comes_back(pregnant):
    visit = record(pregnant, [point("LI4"), point("ST36")])
    actor = fresh(pregnant, "practitioner")
    update_draft(visit, values={}, points=[point("ST36")], adjuncts=[], expected_version=None,
                 actor=actor)
    db.session.commit()
    (row,) = caution_rows(visit.id)
    assert row.target == "LI4" and not row.active and not row.needs_decision
    update_draft(visit, values={}, points=[point("LI4")], adjuncts=[], expected_version=None,
                 actor=actor)
    assert [(r.id, r.active) for r in caution_rows(visit.id)] == [(row.id, True)]


def test_pending_warning_refuses_signing(pregnant):
    visit = record(pregnant, [point("LI4")])
    with pytest.raises(SigningRefused) as refused:
        sign_session(visit, actor=fresh(pregnant, "practitioner"))
    assert any("1 caution to acknowledge" in p and "LI4" in p for p in refused.value.problems)
    assert db.session.get(TreatmentSession, visit.id).status == "draft"


@pytest.mark.parametrize(("decision", "reason"), [
    pytest.param("acknowledged", "", id="acknowledged"),
    pytest.param("overridden", "Breech; senior advice", id="overridden"),
])
def test_deciding_each_warning_lets_the_note_be_signed(pregnant, decision, reason):
    visit = record(pregnant, [point("LI4")])
    actor = fresh(pregnant, "practitioner")
    (row,) = caution_rows(visit.id)
    sign_session(visit, actor=actor, decisions={row.id: (decision, reason)})
    db.session.commit()
    row = caution_rows(visit.id)[0]
    assert (row.decision, row.decision_reason, row.decided_by_id) == (decision, reason, actor.id)
    assert db.session.get(TreatmentSession, visit.id).is_signed
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "session.sign")).one()
    assert audit.details["cautions"] == {"pregnancy:LI4": decision}


def test_override_without_reason_is_refused(pregnant):
    visit = record(pregnant, [point("LI4")])
    (row,) = caution_rows(visit.id)
    with pytest.raises(SigningRefused, match="Give the reason for overriding"):
        sign_session(visit, actor=fresh(pregnant, "practitioner"),
                     decisions={row.id: ("overridden", "  ")})
    assert row.decision is None and not visit.is_signed


def test_notes_need_no_decision(world):
    visit = record(world["a"], [point("GB21", depth=10, angle="oblique")])
    assert [r.severity for r in caution_rows(visit.id)] == ["info"]
    assert signing_problems(visit) == []


def test_overridden_contraindication_does_not_block_signing(paced):
    key = "pacemaker_electroacupuncture:electroacupuncture"
    visit = record(paced, paced_points(), [EA], overrides={key: "Cleared"}, sign=True)
    assert db.session.get(TreatmentSession, visit.id).is_signed


@pytest.mark.parametrize(("code", "action", "signable"), [
    pytest.param(None, "", False, id="no-event"),
    pytest.param("retained_needle", "Found under the table and disposed of", True,
                 id="retained-needle-with-action"),
    pytest.param("retained_needle", "", False, id="retained-needle-without-action"),
    pytest.param("bleeding", "Pressed", False, id="another-event"),
])
def test_needle_count_mismatch(world, code, action, signable):
    side = world["a"]
    visit = record(side, needles_inserted=2, needles_removed=1)
    if code:
        event(side, code, "minor", SESSION_AT, visit, action=action)
    problems = signing_problems(visit)
    assert (problems == []) is signable
    if not signable:
        assert "2 needles inserted but 1 removed." in problems[0]


def test_adverse_event_after_signing_is_flagged(world):
    side = world["a"]
    draft = record(side)
    signed = record(side, sign=True)
    before = event(side, "bleeding", "minor", SESSION_AT, draft)
    after = event(side, "haematoma", "minor", SESSION_AT, signed)
    between = event(side, "dizziness", "minor", SESSION_AT)
    db.session.commit()
    assert (before.after_signing, after.after_signing, between.after_signing) == (
        False, True, False)
    assert between.session_id is None and after.category == "local"
    audit = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "adverse_event.create")).all()
    assert len(audit) == 3 and audit[1].details["session"] == signed.id


def test_adverse_event_refuses_unknown_code_and_another_patients_session(world):
    with pytest.raises(SafetyError, match="Unknown"):
        event(world["a"], "alien_abduction", "minor", SESSION_AT)
    elsewhere = record(world["b"])
    with pytest.raises(SafetyError, match="another patient"):
        event(world["a"], "bleeding", "minor", SESSION_AT, elsewhere)
    assert db.session.scalars(select(AdverseEvent)).all() == []


def test_patient_adverse_events_newest_first(world):
    side = world["a"]
    for day, code in ((3, "bleeding"), (9, "nausea"), (5, "fatigue")):
        event(side, code, "minor", datetime(2026, 11, day, tzinfo=UTC))
    event(world["b"], "burn", "minor", SESSION_AT)
    db.session.commit()
    assert [e.code for e in patient_adverse_events(side["patient"].id)] == [
        "nausea", "fatigue", "bleeding"]
