"""An episode's course as the progress page draws it, kept by the process
(``outcomes.kept_courses``): drawn once while its records stay the same, drawn again as soon
as anything the page shows changes, bounded."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.factories import fresh
from tests.outcomes.test_progress_page import START, build_course, summary, url
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.outcomes import kept_courses
from tracker.outcomes.kept_courses import course_of
from tracker.outcomes.queries import episode_score_records, episode_visit_records
from tracker.scores.models import Assessment
from tracker.scores.services import record_score, void_score
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import amend_session, sign_session


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def last_session(episode_id: int) -> TreatmentSession:
    return db.session.scalars(
        select(TreatmentSession).where(TreatmentSession.episode_id == episode_id)
        .options(selectinload(TreatmentSession.points), selectinload(TreatmentSession.adjuncts),
                 selectinload(TreatmentSession.amendments),
                 selectinload(TreatmentSession.cautions))
        .order_by(TreatmentSession.id.desc())).first()


def drawn(app, episode_id: int, zone: str = "Asia/Tokyo"):
    """The course ``course_of`` gives for the episode's records as they are now."""
    with app.test_request_context():
        patient_id = db.session.scalar(select(TreatmentSession.patient_id).where(
            TreatmentSession.episode_id == episode_id).limit(1))
        return course_of(episode_id, patient_id, zone, episode_visit_records(episode_id, "Ashi"),
                         episode_score_records(episode_id))


def test_a_course_whose_records_are_unchanged_is_drawn_once(app, world):
    episode_id = build_course(app, world["a"])
    first = drawn(app, episode_id)
    assert drawn(app, episode_id) is first
    assert len(first.visits) == 8 and first.chart is not None
    # Another zone writes other days: drawn for it on its own.
    assert drawn(app, episode_id, zone="America/New_York") is not first


def test_every_change_the_page_shows_is_on_the_next_view(app, client, world):
    episode_id = build_course(app, world["a"], course=[(7, 5), (6, 4), (3, 2)], draft_last=True)
    page = url(world, episode=episode_id)

    def figures():
        return summary(client.get(page).get_data(as_text=True))

    assert figures()["Signed sessions"] == "2" and figures()["Latest pain"].startswith("6")
    with app.app_context():
        user = fresh(world["a"], "practitioner")
        sign_session(last_session(episode_id), actor=user)
        db.session.commit()
    assert figures()["Signed sessions"] == "3" and figures()["Latest pain"].startswith("3")

    with app.app_context():
        user = fresh(world["a"], "practitioner")
        amend_session(last_session(episode_id), reason="Pain misheard",
                      values={"pain_before": 4}, actor=user)
        db.session.commit()
    assert figures()["Latest pain"].startswith("4")
    marker = client.get(page).get_data(as_text=True)
    assert "Session 3, 2026-10-26; pain 4 before, 2 after" in marker

    with app.app_context():
        user = fresh(world["a"], "practitioner")
        patient = fresh(world["a"], "patient")
        score = record_score(patient, db.session.get(Episode, episode_id), instrument="nrs",
                             answers={"score": 1}, taken_at=START + timedelta(days=30),
                             zone="Asia/Tokyo", actor=user, context="follow_up")
        db.session.commit()
        score_id = score.id
    assert figures()["Latest pain"].startswith("1")

    with app.app_context():
        user = fresh(world["a"], "practitioner")
        void_score(db.session.get(Assessment, score_id), reason="Wrong patient", actor=user)
        db.session.commit()
    assert figures()["Latest pain"].startswith("4")


def test_the_courses_kept_are_bounded(app, world, monkeypatch):
    monkeypatch.setattr(kept_courses, "MAX_VISITS", 4)  # two courses of two visits
    first, second, third = (build_course(app, world["a"], course=[(7, 5), (6, 4)])
                            for _ in range(3))
    kept, kept_second = drawn(app, first), drawn(app, second)
    assert drawn(app, first) is kept  # shown again: now the most recently shown
    drawn(app, third)  # the second, least recently shown, goes
    assert drawn(app, first) is kept
    assert drawn(app, second) is not kept_second
    # A course longer than the bound is still drawn once while it is shown.
    monkeypatch.setattr(kept_courses, "MAX_VISITS", 1)
    assert drawn(app, third) is drawn(app, third)
