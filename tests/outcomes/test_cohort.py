"""The SQL per-episode outcome agrees with the Python course measures, episode by episode,
on a small clinic with every case: responders, a non-responder, drafts, follow-ups, a voided
score, an amended score, an episode with no score since intake."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.factories import fresh, intake_values, point_dicts
from tracker.extensions import db
from tracker.intake.services import open_episode
from tracker.outcomes.cohort import episode_outcomes
from tracker.outcomes.queries import episode_progress
from tracker.scores.models import Assessment
from tracker.scores.services import record_score, void_score
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import amend_session, record_session, sign_session

DAY = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
ROWS = [("LI4", "left"), ("SP6", "right")]  # no caution to decide


def course(side, baseline: int, befores: list[int], *, sign=True, follow_up=None):
    """An episode with one session a week (pain after = before - 2) and an optional
    follow-up score two days after the last session."""
    patient, user = fresh(side, "patient"), fresh(side, "practitioner")
    episode = open_episode(patient, practitioner=user,
                           values=intake_values(opened_on=date(2026, 11, 1),
                                                baseline_nrs=baseline))
    for week, before in enumerate(befores):
        visit = record_session(patient, episode, practitioner=user,
                               points=point_dicts(ROWS), adjuncts=[],
                               values={"started_at": DAY + timedelta(weeks=week),
                                       "retention_minutes": 20, "needles_inserted": 2,
                                       "needles_removed": 2, "pain_before": before,
                                       "pain_after": max(0, before - 2)})
        if sign:
            sign_session(visit, actor=user)
    if follow_up is not None:
        record_score(patient, episode, instrument="nrs", answers={"score": follow_up},
                         taken_at=DAY + timedelta(weeks=len(befores), days=2),
                         zone="Asia/Tokyo", actor=user)
    db.session.flush()
    return episode


@pytest.fixture
def clinic(app_ctx, clinic_world):
    side = clinic_world["a"]
    user = fresh(side, "practitioner")
    episodes = {
        "seven_to_three": course(side, 7, [7, 6, 5, 4, 3]),
        "seven_to_five": course(side, 7, [7, 6, 5]),
        "drafts_only": course(side, 8, [8, 4], sign=False),
        "follow_up": course(side, 6, [6, 5], follow_up=2),
        "no_scores_yet": course(side, 5, []),
    }
    voided = course(side, 9, [9], follow_up=1)
    void_score(_follow_up_of(voided), reason="Entered twice", actor=user)
    episodes["voided"] = voided
    amended = course(side, 6, [6, 5])
    last = sorted(amended_sessions(amended), key=lambda v: v.started_at)[-1]
    amend_session(last, reason="Misread", values={"pain_before": 3}, actor=user)
    episodes["amended"] = amended
    db.session.commit()
    return side, episodes


def _follow_up_of(episode):
    return db.session.scalar(select(Assessment).where(Assessment.episode_id == episode.id,
                                                      Assessment.context == "follow_up"))


def amended_sessions(episode):
    return db.session.scalars(select(TreatmentSession).where(
        TreatmentSession.episode_id == episode.id).options(
        selectinload(TreatmentSession.amendments))).all()


def sql_rows(side) -> dict[int, dict]:
    rows = db.session.execute(episode_outcomes(side["clinic"].id)).mappings()
    return {row["episode_id"]: dict(row) for row in rows}


def test_sql_and_python_agree_on_every_episode(clinic):
    side, episodes = clinic
    rows = sql_rows(side)
    expected = {
        "seven_to_three": (7, 3, True, True),
        "seven_to_five": (7, 5, False, False),
        "drafts_only": (8, None, None, None),  # drafts do not count until signed
        "follow_up": (6, 2, True, True),
        "no_scores_yet": (5, None, None, None),
        "voided": (9, 9, False, False),  # the voided follow-up of 1 does not count
        "amended": (6, 3, True, True),  # the amended pain before the last session
    }
    for name, (baseline, latest, responder, substantial) in expected.items():
        row = rows[episodes[name].id]
        summary = episode_progress(episodes[name].id).summary
        assert (row["baseline"], row["latest"]) == (baseline, latest), name
        assert (summary.pain.baseline, summary.pain.latest) == (baseline, latest), name
        if latest is None:
            assert row["responder"] is None and row["change"] is None
            assert not summary.pain.important
            continue
        assert (bool(row["responder"]), bool(row["substantial"])) == (responder, substantial)
        assert (summary.pain.important, summary.pain.substantial) == (responder, substantial)
        assert Decimal(row["change"]) == summary.pain.change


def test_filters_by_intake_date_and_status(clinic):
    side, episodes = clinic
    episode = episodes["seven_to_five"]
    episode.status, episode.closed_on, episode.close_reason = "closed", date(2026, 11, 30), "x"
    db.session.flush()
    closed = db.session.execute(episode_outcomes(side["clinic"].id, status="closed")).all()
    assert [row.episode_id for row in closed] == [episode.id]
    later = db.session.execute(episode_outcomes(side["clinic"].id,
                                                opened_from=date(2026, 11, 2))).all()
    assert later == []
    assert len(db.session.execute(episode_outcomes(side["clinic"].id)).all()) == 8


def test_scored_since_keeps_the_episodes_with_a_pain_score_from_that_day(clinic):
    side, episodes = clinic
    # Weekly sessions from 2 November: the five-session course is scored until 30 November,
    # the three-session one until 16 November; "no scores yet" only at its intake (1st).
    since = db.session.execute(episode_outcomes(side["clinic"].id,
                                                scored_since=date(2026, 11, 20))).all()
    kept = {row.episode_id for row in since}
    assert episodes["seven_to_three"].id in kept
    assert episodes["seven_to_five"].id not in kept
    assert episodes["no_scores_yet"].id not in kept
    everything = sql_rows(side)
    assert all(everything[row.episode_id]["latest"] == row.latest for row in since)
