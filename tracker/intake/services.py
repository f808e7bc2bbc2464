"""Opening, editing and closing episodes of care, and acknowledging red flags."""

from datetime import date, timedelta

from tracker.audit.services import record_event
from tracker.conflicts import apply_changes, check_version, record_edit
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.i18n import _
from tracker.intake.models import Episode
from tracker.intake.vocab import ONSET_AGE_OVER, ONSET_AGE_UNDER
from tracker.scores.services import sync_intake_scores

# The intake fields that are also scores (``scores.services.sync_intake_scores``).
SCORED_FIELDS = {"baseline_nrs", "stress_level", "sleep_quality", "opened_on"}
ACUTE_LIMIT = timedelta(weeks=6)
CHRONIC_FROM = timedelta(weeks=12)


class IntakeError(ValueError):
    """A user-facing reason an intake change was refused."""


def duration_from_onset(onset: date | None, on: date) -> str | None:
    """Acute under 6 weeks, subacute 6 to 12, chronic over 12 (None when onset is unknown)."""
    if onset is None:
        return None
    elapsed = on - onset
    if elapsed < ACUTE_LIMIT:
        return "acute"
    return "chronic" if elapsed > CHRONIC_FROM else "subacute"


def onset_age_to_propose(patient, on: date) -> int | None:
    """The patient's age on ``on`` when it makes "new onset under 20 or over 50" a red flag
    to propose; None without a birth date, or for an age from 20 to 50."""
    age = patient.age_on(on)
    if age is None or ONSET_AGE_UNDER <= age <= ONSET_AGE_OVER:
        return None
    return age


def open_episode(patient, *, practitioner, values: dict) -> Episode:
    """Record an intake, opening a new episode of care for ``patient``."""
    episode = Episode(
        clinic_id=patient.clinic_id,
        patient=patient,
        practitioner=practitioner,
        updated_by_id=practitioner.id,
        status="open",
    )
    apply_changes(episode, _normalised(values))
    db.session.add(episode)
    db.session.flush()
    sync_intake_scores(episode, zone=patient.clinic.timezone, actor=practitioner)
    record_event("episode.create", actor=practitioner, entity=episode, patient_id=patient.id,
                 details={"red_flags": len(episode.red_flags)})
    return episode


def update_episode(
    episode: Episode, values: dict, *, expected_version: int | None, actor
) -> list[str]:
    """Apply an intake edit; return the changed field names.

    A red flag that was not there before clears the acknowledgement, so the banner returns.

    :raises EditConflict: someone saved this intake since the form was loaded.
    :raises IntakeError: the episode is closed.
    """
    if not episode.is_open:
        raise IntakeError(_("This episode is closed; reopen it to change the intake."))
    values = _normalised(values)
    check_version(episode, expected_version, values)
    previous_flags = set(episode.red_flags or [])
    changed = apply_changes(episode, values)
    if set(episode.red_flags) - previous_flags:
        episode.red_flags_acknowledged_at = None
        episode.red_flags_acknowledged_by_id = None
        episode.red_flags_acknowledgement = ""
    if SCORED_FIELDS & set(changed):
        sync_intake_scores(episode, zone=episode.patient.clinic.timezone, actor=actor)
    if changed:
        episode.updated_by_id = actor.id
        record_edit("episode.update", episode, changed, actor=actor, patient_id=episode.patient_id)
    return changed


def acknowledge_red_flags(episode: Episode, *, note: str, actor) -> None:
    """Record that a practitioner has seen the red flags and what they decided."""
    if not episode.red_flags:
        raise IntakeError(_("This intake has no red flags to acknowledge."))
    episode.red_flags_acknowledged_at = utcnow()
    episode.red_flags_acknowledged_by_id = actor.id
    episode.red_flags_acknowledgement = note
    record_event("episode.red_flags_acknowledge", actor=actor, entity=episode,
                 patient_id=episode.patient_id, details={"red_flags": list(episode.red_flags)})


def close_episode(episode: Episode, *, closed_on: date, reason: str, note: str, actor) -> None:
    """Close an open episode with a reason."""
    if not episode.is_open:
        raise IntakeError(_("This episode is already closed."))
    if closed_on < episode.opened_on:
        raise IntakeError(_("An episode cannot close before it opened."))
    episode.status = "closed"
    episode.closed_on, episode.close_reason, episode.close_note = closed_on, reason, note
    record_event("episode.close", actor=actor, entity=episode, patient_id=episode.patient_id,
                 details={"reason": reason})


def reopen_episode(episode: Episode, *, actor) -> None:
    """Reopen a closed episode (the close reason is kept in the audit log)."""
    if episode.is_open:
        return
    episode.status = "open"
    episode.closed_on, episode.close_reason, episode.close_note = None, None, ""
    record_event("episode.reopen", actor=actor, entity=episode, patient_id=episode.patient_id)


def _normalised(values: dict) -> dict:
    """The values as they will be stored: duration worked out from the onset date when there
    is one, and no pregnancy weeks unless pregnant."""
    values = dict(values)
    values["duration"] = duration_from_onset(
        values.get("onset_date"), values["opened_on"]
    ) or values.get("duration")
    if not values.get("pregnant"):
        values["pregnancy_weeks"] = None
    return values


def blank_intake() -> dict:
    """Every intake field at its empty value: add what is known to get a complete intake."""
    return {
        "side": "central",
        "onset_date": None,
        "onset_type": None,
        "duration": None,
        "causes": [],
        "causes_other": "",
        "symptoms": [],
        "symptoms_other": "",
        "red_flags": [],
        "pregnant": False,
        "pregnancy_weeks": None,
        "pacemaker": False,
        "anticoagulants": False,
        "needle_fainting": False,
        "metal_allergy": False,
        "skin_lesions": False,
        "skin_lesions_site": "",
        "diabetes": False,
        "reduced_sensation": False,
        "medical_history": "",
        "medications": "",
        "previous_treatments": "",
        "co_interventions": [],
        "sitting_hours": None,
        "break_habit": None,
        "exercise": None,
        "exercise_notes": "",
        "lifting_at_work": False,
        "stress_level": None,
        "sleep_quality": None,
        "mattress": "",
        "sleep_position": None,
        "weight_trend": None,
        "tongue_colour": None,
        "tongue_coating": None,
        "tongue_shape": [],
        "tongue_moisture": None,
        "pulse_rate": None,
        "pulse_qualities": [],
        "pulse_positions": {},
        "patterns": [],
        "pattern_notes": "",
        "acupuncture_style": "tcm",
        "rationale": "",
        "planned_sessions": None,
        "planned_interval_days": None,
        "goals": "",
    }
