"""Every score in one table: the intake's and the session's kept in step with their records,
follow-up scores recorded and voided. Services only, no HTTP."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import fresh, intake_values, point_dicts, record
from tracker.extensions import db
from tracker.intake.services import update_episode
from tracker.scores.models import Assessment
from tracker.scores.services import ScoreError, record_score, void_score
from tracker.sessions.services import amend_session, update_draft


@pytest.fixture
def side(app_ctx, clinic_world):
    return clinic_world["a"]


def scores(episode_id: int) -> dict[tuple, Decimal]:
    rows = db.session.scalars(select(Assessment).where(Assessment.episode_id == episode_id,
                                                       Assessment.voided_at.is_(None)))
    return {(row.context, row.instrument, row.session_id): row.score for row in rows}


def test_the_intake_scores_are_in_the_table_from_the_start(side):
    episode = fresh(side, "episode")
    assert scores(episode.id) == {("intake", "nrs", None): 7}
    row = db.session.scalar(select(Assessment).where(Assessment.episode_id == episode.id))
    # Taken at the start of the intake date where the clinic is (Tokyo: 15:00 UTC before).
    assert row.taken_on == date(2026, 11, 1)
    assert row.taken_at == datetime(2026, 10, 31, 15, 0, tzinfo=UTC)


def test_editing_the_intake_moves_its_scores(side):
    episode = fresh(side, "episode")
    update_episode(episode, intake_values(baseline_nrs=8, stress_level=6, sleep_quality=3),
                   expected_version=episode.version, actor=fresh(side, "practitioner"))
    assert scores(episode.id) == {("intake", "nrs", None): 8, ("intake", "stress", None): 6,
                                  ("intake", "sleep", None): 3}
    update_episode(episode, intake_values(baseline_nrs=8, sleep_quality=3),
                   expected_version=episode.version,
                   actor=fresh(side, "practitioner"))
    assert ("intake", "stress", None) not in scores(episode.id)


def test_a_session_s_pain_follows_the_draft_and_its_amendments(side):
    visit = record(side, pain_before=7, pain_after=4)
    episode_id = visit.episode_id
    assert scores(episode_id)[("before_session", "nrs", visit.id)] == 7
    assert scores(episode_id)[("after_session", "nrs", visit.id)] == 4
    update_draft(visit, values={"pain_before": 6, "pain_after": None},
                 points=point_dicts([("LI4", "left")]), adjuncts=[],
                 expected_version=visit.version, actor=fresh(side, "practitioner"))
    assert scores(episode_id)[("before_session", "nrs", visit.id)] == 6
    assert ("after_session", "nrs", visit.id) not in scores(episode_id)

    signed = record(side, sign=True, pain_before=5, pain_after=3)
    amend_session(signed, reason="Misread the scale", actor=fresh(side, "practitioner"),
                  values={"pain_before": 5, "pain_after": 2})
    assert scores(episode_id)[("after_session", "nrs", signed.id)] == 2


def test_a_follow_up_score_is_recorded_and_voided_not_deleted(side):
    patient, episode, user = (fresh(side, n) for n in ("patient", "episode", "practitioner"))
    taken = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    psfs = record_score(patient, episode, instrument="psfs", taken_at=taken,
                            zone="Asia/Tokyo", actor=user,
                            answers={"activities": [{"name": "Sitting", "score": 4},
                                                    {"name": "Lifting", "score": 5}]})
    assert psfs.score == Decimal("4.5") and psfs.taken_on == date(2026, 11, 20)
    with pytest.raises(ScoreError, match="Say why"):
        void_score(psfs, reason=" ", actor=user)
    void_score(psfs, reason="Wrong patient's sheet", actor=user)
    assert ("follow_up", "psfs", None) not in scores(episode.id)
    assert db.session.get(Assessment, psfs.id).void_reason == "Wrong patient's sheet"
    with pytest.raises(ScoreError, match="already voided"):
        void_score(psfs, reason="again", actor=user)


@pytest.mark.parametrize(("instrument", "answers", "message"), [
    ("odi", {"sections": [1] * 9}, "ten section scores"),
    ("bogus", {"score": 1}, "Unknown instrument"),
    ("nrs", {"score": 12}, "from 0 to 10"),
])
def test_a_follow_up_score_that_makes_no_score_is_refused(side, instrument, answers, message):
    patient, episode, user = (fresh(side, n) for n in ("patient", "episode", "practitioner"))
    with pytest.raises(ScoreError, match=message):
        record_score(patient, episode, instrument=instrument, answers=answers,
                         taken_at=datetime(2026, 11, 20, tzinfo=UTC), zone="Asia/Tokyo",
                         actor=user)


def test_the_intake_and_session_scores_cannot_be_voided(side):
    row = db.session.scalar(select(Assessment).where(
        Assessment.episode_id == side["episode"].id))
    with pytest.raises(ScoreError, match="corrected on that record"):
        void_score(row, reason="x", actor=fresh(side, "practitioner"))


def test_a_function_score_may_be_taken_at_the_intake_but_pain_is_on_the_intake_form(side):
    patient, episode, user = (fresh(side, n) for n in ("patient", "episode", "practitioner"))
    taken = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    rmdq = record_score(patient, episode, instrument="rmdq", context="intake", taken_at=taken,
                        zone="Asia/Tokyo", actor=user, answers={"items": [True] * 9 + [False] * 15})
    assert (rmdq.context, rmdq.score, rmdq.entered_on_its_own) == ("intake", 9, True)
    with pytest.raises(ScoreError, match="on the intake form"):
        record_score(patient, episode, instrument="nrs", context="intake", taken_at=taken,
                     zone="Asia/Tokyo", actor=user, answers={"score": 5})
    with pytest.raises(ScoreError, match="on the intake form"):
        record_score(patient, episode, instrument="psfs", context="after_session",
                     taken_at=taken, zone="Asia/Tokyo", actor=user,
                     answers={"activities": [{"name": "Walking", "score": 3}]})
    void_score(rmdq, reason="Wrong form", actor=user)  # entered on its own: it may be voided
    assert rmdq.is_voided
