"""Intake services without HTTP: duration, opening, editing, red flags, closing, safety facts."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.factories import intake_values
from tracker.audit.models import AuditEvent
from tracker.auth.services import create_user
from tracker.clinics.services import create_clinic
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.intake.services import (
    IntakeError,
    acknowledge_red_flags,
    close_episode,
    duration_from_onset,
    onset_age_to_propose,
    open_episode,
    reopen_episode,
    update_episode,
)
from tracker.patients.services import create_patient

INTAKE_DAY = date(2026, 11, 1)


@pytest.fixture
def setup(app_ctx):
    clinic = create_clinic("Clinic S", chart_prefix="S")
    practitioner = create_user(clinic, email="kai@s.test", name="Kai Sato", role="practitioner",
                               password=PASSWORD)
    patient = create_patient(clinic, actor=practitioner, family_name="Mori", given_name="Aoi")
    db.session.commit()
    return SimpleNamespace(clinic=clinic, practitioner=practitioner, patient=patient)


def opened(setup, **overrides) -> Episode:
    episode = open_episode(setup.patient, practitioner=setup.practitioner,
                           values=intake_values(**overrides))
    db.session.commit()
    return episode


def fresh(episode_id) -> Episode:
    db.session.expire_all()
    return db.session.get(Episode, episode_id)


@pytest.mark.parametrize(
    "days_before, expected",
    [
        (0, "acute"),
        (41, "acute"),
        (42, "subacute"),  # exactly 6 weeks is no longer acute
        (84, "subacute"),  # exactly 12 weeks is not yet chronic
        (85, "chronic"),
        (400, "chronic"),
    ],
)
def test_duration_from_onset_boundaries(days_before, expected):
    assert duration_from_onset(INTAKE_DAY - timedelta(days=days_before), INTAKE_DAY) == expected


def test_duration_unknown_without_onset():
    assert duration_from_onset(None, INTAKE_DAY) is None


def test_open_episode_stores_every_field(setup):
    values = intake_values(
        chief_complaint="Ache between the shoulder blades", body_region="thoracic", side="left",
        onset_date=date(2026, 10, 1), onset_type="sudden",
        causes=["poor_posture", "other_cause"], causes_other="New standing desk",
        symptoms=["sharp_pain", "numbness_tingling"], symptoms_other="Cold hands",
        red_flags=["fever"], pregnant=True, pregnancy_weeks=14, pacemaker=True,
        anticoagulants=True, needle_fainting=True, metal_allergy=True, skin_lesions=True,
        skin_lesions_site="Left scapula", diabetes=True, reduced_sensation=True,
        medical_history="Asthma", medications="Warfarin", previous_treatments="Massage",
        co_interventions=["yoga_stretching", "medication"], sitting_hours=Decimal("9.5"),
        break_habit="rarely", exercise="weekly", exercise_notes="Swimming",
        lifting_at_work=True, stress_level=8, sleep_quality=3, mattress="Futon",
        sleep_position="side", weight_trend="gaining", tongue_colour="pale",
        tongue_coating="thick_white", tongue_shape=["swollen", "tooth_marked"],
        tongue_moisture="wet", pulse_rate=72, pulse_qualities=["wiry", "thready"],
        pulse_positions={"left_guan": "wiry", "right_chi": "weak"},
        patterns=["qi_blood_stagnation"], pattern_notes="Stagnation at T6",
        acupuncture_style="japanese", rationale="Local and distal points", planned_sessions=6,
        planned_interval_days=7, goals="Work a full day without pain", baseline_nrs=6,
    )
    episode = open_episode(setup.patient, practitioner=setup.practitioner, values=values)
    db.session.commit()
    episode = fresh(episode.id)
    for name, value in values.items():
        if name != "duration":
            assert getattr(episode, name) == value, name
    assert episode.duration == "acute"  # worked out from the onset date
    assert (episode.status, episode.practitioner_id) == ("open", setup.practitioner.id)
    event = db.session.scalar(select(AuditEvent).filter_by(action="episode.create"))
    assert event.entity_id == episode.id and event.details == {"red_flags": 1}


def test_duration_typed_is_kept_when_onset_unknown(setup):
    episode = opened(setup, onset_date=None, duration="subacute")
    assert fresh(episode.id).duration == "subacute"


def test_pregnancy_weeks_dropped_when_not_pregnant(setup):
    episode = opened(setup, pregnant=False, pregnancy_weeks=20)
    assert fresh(episode.id).pregnancy_weeks is None


def edit(episode, **changes):
    values = intake_values(**{name: getattr(episode, name) for name in intake_values()})
    values.update(changes)
    return update_episode(episode, values, expected_version=episode.version,
                          actor=episode.practitioner)


def test_new_red_flag_after_acknowledgement_brings_the_banner_back(setup):
    episode = opened(setup, red_flags=["fever"])
    acknowledge_red_flags(episode, note="Referred to GP", actor=setup.practitioner)
    db.session.commit()
    assert not fresh(episode.id).red_flags_pending
    episode = fresh(episode.id)
    changed = edit(episode, red_flags=["fever", "weight_loss"])
    db.session.commit()
    episode = fresh(episode.id)
    assert changed == ["red_flags"]
    assert episode.red_flags_pending
    assert episode.red_flags_acknowledged_by_id is None and episode.red_flags_acknowledgement == ""


def test_removing_a_red_flag_keeps_the_acknowledgement(setup):
    episode = opened(setup, red_flags=["fever", "night_pain"])
    acknowledge_red_flags(episode, note="Seen by GP, cleared", actor=setup.practitioner)
    db.session.commit()
    edit(fresh(episode.id), red_flags=["night_pain"])
    db.session.commit()
    episode = fresh(episode.id)
    assert not episode.red_flags_pending
    assert episode.red_flags_acknowledgement == "Seen by GP, cleared"
    assert episode.red_flags_acknowledged_by_id == setup.practitioner.id


def test_closed_episode_refuses_update_until_reopened(setup):
    episode = opened(setup)
    close_episode(episode, closed_on=date(2026, 11, 20), reason="resolved", note="Pain free",
                  actor=setup.practitioner)
    db.session.commit()
    with pytest.raises(IntakeError, match="closed"):
        edit(fresh(episode.id), chief_complaint="Changed")
    db.session.rollback()
    episode = fresh(episode.id)
    assert episode.chief_complaint == "Middle back pain"
    assert (episode.closed_on, episode.close_reason) == (date(2026, 11, 20), "resolved")
    reopen_episode(episode, actor=setup.practitioner)
    db.session.commit()
    assert edit(fresh(episode.id), chief_complaint="Changed") == ["chief_complaint"]


def test_close_before_opened_on_is_refused(setup):
    episode = opened(setup)
    with pytest.raises(IntakeError, match="before it opened"):
        close_episode(episode, closed_on=INTAKE_DAY - timedelta(days=1), reason="resolved",
                      note="", actor=setup.practitioner)
    db.session.rollback()
    assert fresh(episode.id).is_open


def test_closing_twice_is_refused(setup):
    episode = opened(setup)
    close_episode(episode, closed_on=INTAKE_DAY, reason="improved", note="",
                  actor=setup.practitioner)
    with pytest.raises(IntakeError, match="already closed"):
        close_episode(episode, closed_on=INTAKE_DAY, reason="other", note="",
                      actor=setup.practitioner)


def test_acknowledge_without_red_flags_is_refused(setup):
    episode = opened(setup, red_flags=[])
    with pytest.raises(IntakeError, match="no red flags"):
        acknowledge_red_flags(episode, note="Nothing to see", actor=setup.practitioner)
    db.session.rollback()
    assert fresh(episode.id).red_flags_acknowledged_at is None


@pytest.mark.parametrize(
    "day, weeks", [(INTAKE_DAY, 10), (date(2026, 11, 7), 10), (date(2026, 11, 8), 11),
                   (date(2026, 12, 27), 18)],
)
def test_pregnancy_weeks_count_forward_from_intake(setup, day, weeks):
    episode = opened(setup, pregnant=True, pregnancy_weeks=10)
    assert episode.pregnancy_weeks_on(day) == weeks


def test_pregnancy_weeks_unknown_when_not_pregnant(setup):
    assert opened(setup).pregnancy_weeks_on(date(2026, 12, 1)) is None


def test_safety_facts_labels(setup):
    episode = opened(setup, pregnant=True, pregnancy_weeks=10, pacemaker=True,
                     anticoagulants=True, diabetes=True, skin_lesions=True,
                     skin_lesions_site="Left scapula")
    assert episode.safety_facts == [
        "Pregnant (10 weeks at intake)",
        "Pacemaker or implanted electrical device",
        "Anticoagulants or bleeding disorder",
        "Diabetes",
        "Skin lesions: Left scapula",
    ]
    assert opened(setup).safety_facts == []


def test_pregnant_with_weeks_not_known(setup):
    episode = fresh(opened(setup, pregnant=True, pregnancy_weeks=None, diabetes=True).id)
    assert episode.pregnancy_weeks_on(date(2026, 12, 27)) is None
    assert episode.safety_facts == ["Pregnant (weeks not known)", "Diabetes"]
    assert episode.safety_facts_on(date(2026, 12, 27)) == ["Pregnant (weeks not known)",
                                                          "Diabetes"]


@pytest.mark.parametrize(
    "birth, age",
    [
        (None, None),
        (date(2006, 11, 2), 19),  # 20 tomorrow
        (date(2006, 11, 1), None),  # 20 today
        (date(1975, 11, 2), None),  # 51 tomorrow
        (date(1975, 11, 1), 51),  # 51 today
    ],
)
def test_onset_age_to_propose_on_the_intake_day(setup, birth, age):
    setup.patient.date_of_birth = birth
    assert onset_age_to_propose(setup.patient, INTAKE_DAY) == age
