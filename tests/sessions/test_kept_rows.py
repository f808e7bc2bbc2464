"""Signed sessions' point rows and techniques, kept by the process (``queries.children_of``):
read once, never stale for a draft, bounded."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import selectinload

from tests.conftest import UNCOUNTED
from tests.factories import fresh, make_session, point_dicts
from tracker.extensions import db
from tracker.sessions import queries
from tracker.sessions.models import TreatmentSession
from tracker.sessions.queries import children_of, forget_signed_rows
from tracker.sessions.services import sign_session, update_draft

CUPPING = {"kind": "cupping", "minutes": 10, "sites": "upper back", "notes": "",
           "params": {"cupping_method": "dry", "cups": 4, "cupping_marks": "light"}}


@pytest.fixture
def side(clinic_world):
    return clinic_world["a"]


def visit(visit_id: int) -> TreatmentSession:
    db.session.expire_all()
    return db.session.scalar(select(TreatmentSession).where(TreatmentSession.id == visit_id)
                             .options(selectinload(TreatmentSession.points),
                                      selectinload(TreatmentSession.adjuncts),
                                      selectinload(TreatmentSession.amendments)))


@contextmanager
def statements_run(app):
    """The statements run in the block (unlike ``count_queries``, what the process keeps is
    left as it is)."""
    ran = []

    def note(conn, cursor, statement, params, context, executemany):
        if not statement.startswith(UNCOUNTED):
            ran.append((statement, params))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", note)


def read(app, sessions, ashi="Ashi"):
    """``children_of`` the sessions ``{id: signed}``: {id: (points, technique kinds)} and the
    statements it ran."""
    with app.app_context(), statements_run(app) as ran:
        children = children_of(list(sessions.items()), ashi)
        found = {session_id: (list(children.points.get(session_id, [])),
                              [a.kind for a in children.adjuncts.get(session_id, [])])
                 for session_id in sessions}
    return found, ran


def test_a_signed_sessions_rows_are_read_once_then_kept(app, side):
    signed = make_session(app, side, rows=[("BL23", "bilateral"), ("LI4", "left")],
                          adjuncts=[CUPPING], sign=True)
    first, ran_first = read(app, {signed: True})
    again, ran_again = read(app, {signed: True})
    assert first == again == {signed: (["BL23 (B)", "LI4 (L)"], ["cupping"])}
    assert len(ran_first) == 2  # the point rows and the techniques
    assert ran_again == []


def test_a_drafts_rows_are_read_every_time_and_show_its_changes(app, side):
    draft = make_session(app, side, rows=[("BL23", "bilateral")])
    signed = make_session(app, side, rows=[("GV6", "midline")], sign=True)
    read(app, {draft: False, signed: True})
    with app.app_context():
        stored = visit(draft)
        update_draft(stored, values={}, points=point_dicts([("LI4", "right")]), adjuncts=[],
                     expected_version=stored.version, actor=fresh(side, "practitioner"))
        db.session.commit()
    found, ran = read(app, {draft: False, signed: True})
    assert found == {draft: (["LI4 (R)"], []), signed: (["GV6"], [])}
    # Only the draft is read again, by its id.
    assert len(ran) == 2
    for _, params in ran:
        values = list(params.values()) if isinstance(params, dict) else list(params)
        assert draft in values and signed not in values


def test_a_draft_signed_since_is_read_then_kept(app, side):
    draft = make_session(app, side, rows=[("ST36", "left")])
    read(app, {draft: False})
    with app.app_context():
        sign_session(visit(draft), actor=fresh(side, "practitioner"))
        db.session.commit()
    found, ran = read(app, {draft: True})
    assert found == {draft: (["ST36 (L)"], [])} and len(ran) == 2
    assert read(app, {draft: True}) == (found, [])


def test_each_word_for_a_custom_point_is_kept_apart(app, side):
    # The word for an Ashi point is the page's language: each language's labels are its own.
    signed = make_session(app, side, rows=[(None, "left", "left T7 paraspinal", "upper_back",
                                            "T7")], sign=True)
    english, _ = read(app, {signed: True}, ashi="Ashi")
    japanese, ran = read(app, {signed: True}, ashi="阿是穴")
    assert english[signed][0] == ["Ashi (L)"] and japanese[signed][0] == ["阿是穴 (L)"]
    assert len(ran) == 2


def test_the_kept_rows_are_bounded_the_least_recently_shown_dropped(app, side, monkeypatch):
    monkeypatch.setattr(queries, "MAX_SESSIONS", 2)
    first, second, third = (make_session(app, side, rows=[(code, "left")], sign=True)
                            for code in ("LI4", "ST36", "SP6"))
    read(app, {first: True, second: True})
    read(app, {first: True})  # shown again: now the most recent
    read(app, {third: True})  # one too many: the second goes
    found, ran = read(app, {first: True, third: True})
    assert ran == [] and found == {first: (["LI4 (L)"], []), third: (["SP6 (L)"], [])}
    found, ran = read(app, {second: True})
    assert found == {second: (["ST36 (L)"], [])} and len(ran) == 2


def test_forgetting_reads_them_again(app, side):
    signed = make_session(app, side, rows=[("LI4", "left")], sign=True)
    read(app, {signed: True})
    with app.app_context():
        forget_signed_rows()
    assert len(read(app, {signed: True})[1]) == 2


def test_a_course_is_read_by_its_episode_all_of_it_then_only_its_drafts(app, side):
    signed = [make_session(app, side, rows=[("LI4", "left")], sign=True) for _ in range(3)]
    draft = make_session(app, side, rows=[("ST36", "right")])
    course = [(session_id, True) for session_id in signed] + [(draft, False)]
    for drafts_only in (False, True):  # cold, then with the signed ones kept
        with app.app_context(), statements_run(app) as ran:
            children = children_of(course, "Ashi", by="episode", selector=side["episode"].id)
        assert {session_id: children.points[session_id] for session_id, _ in course} == {
            **{session_id: ["LI4 (L)"] for session_id in signed}, draft: ["ST36 (R)"]}
        assert len(ran) == 2
        for statement, _ in ran:
            assert "treatment_sessions.episode_id =" in statement
            assert ("treatment_sessions.status =" in statement) is drafts_only
