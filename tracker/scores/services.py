"""Recording scores: follow-up scores entered on their own, and the scores of an intake and of
a session kept in step with those records by the services that own them (``sync_*``).

The intake form holds the baseline pain, stress and sleep; the session note holds pain before
and after. Those stay the records' own fields; each is mirrored here as an ``Assessment`` row,
written in the same transaction by the intake and session services, so that every score of a
patient is in one table for progress, the clinic review and the follow-up list. An amended
pain score changes the mirror row (the amendment keeps the history).
"""

from datetime import date, datetime

from sqlalchemy import select

from tracker.audit.services import record_event
from tracker.dates import clinic_date, clinic_day_start
from tracker.db_types import utcnow
from tracker.extensions import db
from tracker.i18n import _
from tracker.scores.instruments import INSTRUMENTS, AnswersError, score
from tracker.scores.models import MIRRORED_AT_INTAKE, Assessment

# Where a score entered on its own may have been taken.
ENTERED_CONTEXTS = ("follow_up", "intake")


class ScoreError(ValueError):
    """A score that cannot be recorded, with the reason in words."""


def record_score(patient, episode, *, instrument: str, answers: dict, taken_at: datetime,
                 zone: str, actor, context: str = "follow_up") -> Assessment:
    """Record a score taken at a follow-up contact (a call, a message, the waiting room), or
    a function score taken at the intake (pain, stress and sleep at intake are on the intake
    form itself).

    :raises ScoreError: the episode is not the patient's, the answers make no score, or the
        score belongs on the intake form.
    """
    if episode.patient_id != patient.id:
        raise ScoreError(_("That episode belongs to another patient."))
    if instrument not in INSTRUMENTS:
        raise ScoreError(_("Unknown instrument."))
    if context not in ENTERED_CONTEXTS or (context == "intake"
                                           and instrument in MIRRORED_AT_INTAKE):
        raise ScoreError(_("Pain, stress and sleep at intake are recorded on the intake form."))
    try:
        value = score(instrument, answers)
    except AnswersError as error:
        raise ScoreError(str(error)) from None
    assessment = Assessment(
        clinic_id=patient.clinic_id, patient_id=patient.id, episode_id=episode.id,
        instrument=instrument, context=context, taken_at=taken_at,
        taken_on=clinic_date(taken_at, zone), answers=answers, score=value,
        recorded_by_id=actor.id, recorded_at=utcnow(),
    )
    db.session.add(assessment)
    db.session.flush()
    record_event("score.create", actor=actor, entity=assessment, patient_id=patient.id,
                 details={"instrument": instrument, "episode": episode.id})
    return assessment


def void_score(assessment: Assessment, *, reason: str, actor) -> None:
    """Mark a score entered in error; it stays, struck through, with the reason.

    :raises ScoreError: already voided, a score of an intake form or a session, or no reason.
    """
    if not assessment.entered_on_its_own:
        raise ScoreError(_("Scores of an intake or a session are corrected on that record."))
    if assessment.is_voided:
        raise ScoreError(_("This score was already voided."))
    if not reason.strip():
        raise ScoreError(_("Say why the score is voided."))
    assessment.voided_at, assessment.voided_by_id = utcnow(), actor.id
    assessment.void_reason = reason.strip()
    db.session.flush()
    record_event("score.void", actor=actor, entity=assessment,
                 patient_id=assessment.patient_id, details={"instrument": assessment.instrument})


def sync_intake_scores(episode, *, zone: str, actor) -> None:
    """Mirror the intake's baseline pain, stress and sleep quality, taken at the start of the
    intake date where the clinic is (before any session of the episode)."""
    values = {"nrs": episode.baseline_nrs, "stress": episode.stress_level,
              "sleep": episode.sleep_quality}
    _sync(episode, None, "intake", values, taken_at=clinic_day_start(episode.opened_on, zone),
          taken_on=episode.opened_on, actor=actor)


SESSION_CONTEXTS = ("before_session", "after_session")


def sync_session_scores(visit, *, pain_before: int | None, pain_after: int | None,
                        zone: str, actor, new: bool = False) -> None:
    """Mirror a session's pain before and after (its effective values: amendments applied).
    ``new``: the session was made in this transaction, so it has no mirror rows yet (none
    to look up: a save makes one statement for both rows)."""
    taken_on = clinic_date(visit.started_at, zone)
    existing: dict[str, dict] = {}
    if not new:
        for row in db.session.scalars(select(Assessment).where(
                Assessment.session_id == visit.id, Assessment.context.in_(SESSION_CONTEXTS))):
            existing.setdefault(row.context, {})[row.instrument] = row
    for context, value in zip(SESSION_CONTEXTS, (pain_before, pain_after), strict=True):
        _apply(visit.episode, visit, context, {"nrs": value}, existing.get(context, {}),
               taken_at=visit.started_at, taken_on=taken_on, actor=actor)
    db.session.flush()


def _sync(episode, visit, context: str, values: dict, *, taken_at: datetime, taken_on: date,
          actor) -> None:
    """Make the mirror rows of ``context`` match ``values`` (instrument -> score or None).
    A mirror follows its record: a score cleared on the form takes its row away (the record
    and its audit trail keep the history)."""
    stmt = select(Assessment).where(Assessment.context == context)
    stmt = (stmt.where(Assessment.session_id == visit.id) if visit is not None
            else stmt.where(Assessment.episode_id == episode.id))
    existing = {row.instrument: row for row in db.session.scalars(stmt)}
    _apply(episode, visit, context, values, existing, taken_at=taken_at, taken_on=taken_on,
           actor=actor)
    db.session.flush()


def _apply(episode, visit, context: str, values: dict, existing: dict, *,
           taken_at: datetime, taken_on: date, actor) -> None:
    """``_sync`` once the ``existing`` rows (by instrument) are known."""
    for instrument, value in values.items():
        row = existing.get(instrument)
        if value is None:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = Assessment(clinic_id=episode.clinic_id, patient_id=episode.patient_id,
                             instrument=instrument, context=context, recorded_at=utcnow())
            db.session.add(row)
        row.episode_id = episode.id
        row.session_id = visit.id if visit is not None else None
        row.answers, row.score = {"score": value}, score(instrument, {"score": value})
        row.taken_at, row.taken_on = taken_at, taken_on
        row.recorded_by_id = actor.id if actor is not None else None
