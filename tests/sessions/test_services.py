"""Session services without HTTP: recording, the needle count, signing, the signed-note guard,
amendments and the timeline."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from tests.conftest import count_queries
from tests.factories import make_session, point_dicts, record
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.points.row_schema import needle_count
from tracker.safety.services import record_adverse_event
from tracker.sessions.guards import SignedNoteChanged
from tracker.sessions.models import PointApplication, TreatmentSession
from tracker.sessions.queries import session_children, timeline_page
from tracker.sessions.services import (
    SessionError,
    SigningRefused,
    amend_session,
    effective_values,
    sign_session,
    update_draft,
)

CUPPING = {"kind": "cupping", "minutes": 10, "sites": "upper back", "notes": "",
           "params": {"cupping_method": "dry", "cups": 4, "cupping_marks": "light"}}


@pytest.fixture
def side(clinic_world):
    return clinic_world["a"]


def load(visit_id: int) -> TreatmentSession:
    db.session.expire_all()
    return db.session.scalar(select(TreatmentSession).where(TreatmentSession.id == visit_id)
                             .options(selectinload(TreatmentSession.points),
                                      selectinload(TreatmentSession.adjuncts),
                                      selectinload(TreatmentSession.amendments)))


def user(side, role="practitioner"):
    return db.session.get(type(side[role]), side[role].id)


def test_record_session_stores_rows_and_adjuncts(app, side):
    rows = [("BL23", "bilateral"), ("GV6", "midline"),
            (None, "left", "left T7 paraspinal", "upper_back", "T7")]
    visit_id = make_session(app, side, rows=rows, adjuncts=[CUPPING],
                            subjective="Stiff after desk work")
    with app.app_context():
        visit = load(visit_id)
        assert visit.status == "draft" and visit.subjective == "Stiff after desk work"
        assert [(row.code, row.laterality, row.position) for row in visit.points] == [
            ("BL23", "bilateral", 1), ("GV6", "midline", 2), ("Ashi", "left", 3)]
        assert visit.points[2].custom_label == "left T7 paraspinal"
        assert [(a.kind, a.minutes, a.params["cups"]) for a in visit.adjuncts] == [
            ("cupping", 10, 4)]
        assert needle_count(visit.points) == 4
        audit = db.session.scalars(select(AuditEvent.action)
                                   .where(AuditEvent.entity_id == visit_id)).all()
        assert "session.create" in audit


def test_a_recorded_session_holds_the_rows_as_stored_without_reading_them_back(app, side):
    rows = [("BL23", "bilateral"), (None, "left", "left T7 paraspinal", "upper_back", "T7"),
            ("GV6", "midline")]
    with app.app_context():
        visit = record(side, point_dicts(rows))
        with count_queries(app) as statements:
            held = [(row.id, row.position, row.code, row.laterality, row.custom_label)
                    for row in visit.points]
            assert all(row.treatment_session is visit for row in visit.points)
        assert statements == []
        assert [row[1:] for row in held] == [
            (1, "BL23", "bilateral", ""), (2, "Ashi", "left", "left T7 paraspinal"),
            (3, "GV6", "midline", "")]
        assert [row[:2] for row in held] == db.session.execute(
            select(PointApplication.id, PointApplication.position)
            .where(PointApplication.session_id == visit.id)
            .order_by(PointApplication.position)).all()


def test_editing_a_draft_replaces_its_rows(app, side):
    with app.app_context():
        visit = record(side, point_dicts([("BL23", "bilateral"), ("GV6", "midline")]))
        update_draft(visit, values={}, points=point_dicts([("LI4", "left")]), adjuncts=[],
                     expected_version=visit.version, actor=user(side))
        db.session.commit()
        assert [(row.code, row.position) for row in visit.points] == [("LI4", 1)]
        assert [(row.code, row.position) for row in load(visit.id).points] == [("LI4", 1)]
        assert db.session.execute(
            select(PointApplication.position, PointApplication.laterality)
            .where(PointApplication.session_id == visit.id)).all() == [(1, "left")]


@pytest.mark.parametrize("sides, count", [
    (["bilateral"], 2), (["left", "right"], 2), (["midline", "bilateral", "left"], 4), ([], 0)])
def test_needle_count_proposal_counts_bilateral_twice(sides, count):
    assert needle_count([{"laterality": s} for s in sides]) == count


@pytest.mark.parametrize("rows, values, problem", [
    ([], {}, "Nothing was recorded"),
    (None, {"pain_before": None}, "pain score before and after"),
    (None, {"pain_after": None}, "pain score before and after"),
    (None, {"retention_minutes": None}, "retention time"),
    (None, {"needles_removed": None}, "Count the needles"),
    (None, {"needles_inserted": None}, "Count the needles"),
    (None, {"needles_removed": 4}, "5 needles inserted but 4 removed"),
])
def test_signing_is_refused_with_each_problem(app, side, rows, values, problem):
    extra = {"rows": rows} if rows is not None else {}
    visit_id = make_session(app, side, **extra, **values)
    with app.app_context():
        visit = load(visit_id)
        with pytest.raises(SigningRefused) as refused:
            sign_session(visit, actor=user(side))
        assert any(problem in p for p in refused.value.problems), refused.value.problems
        db.session.rollback()
        assert load(visit_id).status == "draft"


def test_signing_lists_every_problem_at_once(app, side):
    visit_id = make_session(app, side, pain_before=None, retention_minutes=None,
                            needles_removed=None)
    with app.app_context():
        with pytest.raises(SigningRefused) as refused:
            sign_session(load(visit_id), actor=user(side))
        assert len(refused.value.problems) == 3


def retained_needle(side, visit, action_taken, code="retained_needle"):
    return record_adverse_event(
        visit.patient, actor=user(side), visit=visit, code=code, severity="minor",
        onset_at=datetime(2026, 11, 20, 1, 30, tzinfo=UTC), action_taken=action_taken)


@pytest.mark.parametrize("code, action, signed", [
    ("retained_needle", "Searched the couch; found and disposed of in the sharps bin", True),
    ("retained_needle", "", False),
    ("bleeding", "Pressure for a minute", False),
])
def test_count_mismatch_signs_only_with_a_retained_needle_event(app, side, code, action, signed):
    visit_id = make_session(app, side, needles_removed=4)
    with app.app_context():
        visit = load(visit_id)
        retained_needle(side, visit, action, code=code)
        if signed:
            sign_session(visit, actor=user(side))
            db.session.commit()
            assert load(visit_id).status == "signed"
        else:
            with pytest.raises(SigningRefused):
                sign_session(visit, actor=user(side))


def test_a_complete_session_signs(app, side):
    visit_id = make_session(app, side)
    with app.app_context():
        sign_session(load(visit_id), actor=user(side))
        db.session.commit()
        visit = load(visit_id)
        assert visit.status == "signed" and visit.signed_by_id == side["practitioner"].id
        assert visit.signed_at is not None
        with pytest.raises(SessionError):
            sign_session(visit, actor=user(side))


def test_a_signed_session_cannot_be_updated(app, side):
    visit_id = make_session(app, side, sign=True)
    with app.app_context():
        visit = load(visit_id)
        with pytest.raises(SessionError):
            update_draft(visit, values={"subjective": "changed"}, points=[], adjuncts=[],
                         expected_version=visit.version, actor=user(side))
        db.session.rollback()
        assert load(visit_id).subjective == "" and len(load(visit_id).points) == 4


def change_field(visit):
    visit.pain_after = 1


def change_point(visit):
    visit.points[0].depth = Decimal("40")


def change_adjunct(visit):
    visit.adjuncts[0].minutes = 30


def add_point(visit):
    db.session.add(PointApplication(treatment_session=visit, position=9, laterality="left",
                                    custom_label="extra"))


def delete_point(visit):
    db.session.delete(visit.points[0])


def delete_adjunct(visit):
    db.session.delete(visit.adjuncts[0])


def delete_session(visit):
    db.session.delete(visit)


@pytest.mark.parametrize("change", [change_field, change_point, change_adjunct, add_point,
                                    delete_point, delete_adjunct, delete_session])
def test_the_guard_refuses_any_change_to_a_signed_note(app, side, change):
    visit_id = make_session(app, side, adjuncts=[CUPPING], sign=True)
    with app.app_context():
        change(load(visit_id))
        with pytest.raises(SignedNoteChanged):
            db.session.flush()
        db.session.rollback()
        visit = load(visit_id)
        assert (visit.pain_after, len(visit.points), visit.adjuncts[0].minutes) == (4, 4, 10)


def test_the_guard_refuses_deleting_even_a_draft(app, side):
    visit_id = make_session(app, side)
    with app.app_context():
        db.session.delete(load(visit_id))
        with pytest.raises(SignedNoteChanged):
            db.session.flush()


def test_drafts_change_freely(app, side):
    visit_id = make_session(app, side)
    with app.app_context():
        visit = load(visit_id)
        update_draft(visit, values={"pain_after": 3}, points=point_dicts([("SP6", "right")]),
                     adjuncts=[CUPPING], expected_version=visit.version, actor=user(side))
        db.session.commit()
        visit = load(visit_id)
        assert visit.pain_after == 3 and [row.code for row in visit.points] == ["SP6"]


def test_amendment_records_who_why_old_and_new_and_keeps_the_original(app, side):
    visit_id = make_session(app, side, sign=True, subjective="Better")
    with app.app_context():
        amendment = amend_session(load(visit_id), reason="Typed the wrong score",
                                  values={"pain_after": 2, "subjective": "Better"},
                                  actor=user(side))
        db.session.commit()
        visit = load(visit_id)
        assert amendment.author_id == side["practitioner"].id and amendment.created_at
        assert amendment.reason == "Typed the wrong score"
        assert amendment.changes == [
            {"field": "pain_after", "label": "Pain after", "old": 4, "new": 2}]
        assert visit.pain_after == 4 and visit.status == "signed"
        assert effective_values(visit)["pain_after"] == 2


def test_a_second_amendment_stacks(app, side):
    visit_id = make_session(app, side, sign=True)
    with app.app_context():
        amend_session(load(visit_id), reason="first", values={"pain_after": 3}, actor=user(side))
        db.session.commit()
        next_visit = date(2026, 12, 1)
        second = amend_session(load(visit_id), reason="second",
                               values={"pain_after": 2, "next_visit_on": next_visit},
                               actor=user(side, "admin"))
        db.session.commit()
        visit = load(visit_id)
        assert [a.reason for a in visit.amendments] == ["first", "second"]
        assert {c["field"]: (c["old"], c["new"]) for c in second.changes} == {
            "pain_after": (3, 2), "next_visit_on": (None, "2026-12-01")}
        current = effective_values(visit)
        assert (current["pain_after"], current["next_visit_on"]) == (2, next_visit)
        assert (visit.pain_after, visit.next_visit_on) == (4, None)


@pytest.mark.parametrize("reason, values, message", [
    ("Nothing really", {"pain_after": 4, "subjective": ""}, "Nothing was changed"),
    ("   ", {"pain_after": 1}, "Say why"),
])
def test_amendment_without_changes_or_reason_is_refused(app, side, reason, values, message):
    visit_id = make_session(app, side, sign=True)
    with app.app_context():
        with pytest.raises(SessionError, match=message):
            amend_session(load(visit_id), reason=reason, values=values, actor=user(side))
        db.session.rollback()
        assert load(visit_id).amendments == []


def test_drafts_are_edited_not_amended(app, side):
    visit_id = make_session(app, side)
    with app.app_context(), pytest.raises(SessionError):
        amend_session(load(visit_id), reason="x", values={"pain_after": 1}, actor=user(side))


def test_timeline_is_newest_first_with_amended_pain(app, side):
    start = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    old = make_session(app, side, started_at=start, sign=True, adjuncts=[CUPPING])
    new = make_session(app, side, started_at=start + timedelta(days=7),
                       rows=[("LI4", "left"), ("GV6", "midline")])
    with app.app_context():
        amend_session(load(old), reason="fix", values={"pain_after": 5}, actor=user(side))
        db.session.commit()
        entries = timeline_page(side["patient"].id).entries
        assert [e.visit.id for e in entries] == [new, old]
        assert entries[0].points == ["LI4 (L)", "GV6"]
        assert entries[1].points[0] == "BL23 (B)" and entries[1].points[-1] == "Ashi (L)"
        assert (entries[1].pain_before, entries[1].pain_after) == (7, 5)
        assert [e.visit.amended for e in entries] == [False, True]
        assert [e.visit.is_signed for e in entries] == [False, True]
        assert entries[0].visit.practitioner_name == user(side).name
        assert entries[1].adjuncts and entries[1].adjuncts[0].startswith("Cupping")


def test_timeline_lists_points_by_position_whatever_order_the_database_reads_them(app, side):
    """Positions that no longer follow the order the rows were written in (rows moved by hand
    in the database): the timeline and the progress page's course still read them by
    position, labelled as before."""
    visit_id = make_session(app, side, rows=[("BL23", "bilateral"), ("GV6", "midline"),
                                             ("LI4", "left")])
    with app.app_context():
        first, _, third = load(visit_id).points
        db.session.execute(update(PointApplication).where(PointApplication.id == first.id)
                           .values(position=3))
        db.session.execute(update(PointApplication).where(PointApplication.id == third.id)
                           .values(position=1))
        db.session.commit()
        expected = ["LI4 (L)", "GV6", "BL23 (B)"]
        assert timeline_page(side["patient"].id).entries[0].points == expected
        assert session_children("episode", side["episode"].id, "Ashi").points[visit_id] == expected
        assert session_children("ids", [visit_id], "Ashi").points[visit_id] == expected


def test_a_session_without_point_rows_has_an_empty_list(app, side):
    visit_id = make_session(app, side, rows=[])
    with app.app_context():
        assert timeline_page(side["patient"].id).entries[0].points == []
        assert visit_id not in session_children("ids", [visit_id], "Ashi").points


def timeline_queries(app, patient_id) -> int:
    with app.app_context(), count_queries(app) as statements:
        entries = timeline_page(patient_id).entries
        [(e.visit.practitioner_name, e.visit.amended) for e in entries]
    return len(statements)


def test_timeline_query_count_does_not_grow(app, factory, side):
    start = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)

    def sessions(patient, episode, count):
        world_side = {**side, "patient": patient, "episode": episode}
        for n in range(count):
            visit_id = make_session(app, world_side, started_at=start + timedelta(days=n),
                                    adjuncts=[CUPPING], sign=True)
            with app.app_context():
                amend_session(load(visit_id), reason="fix", values={"pain_after": n % 4},
                              actor=user(side))
                db.session.commit()

    other = factory.patient(side["clinic"], side["reception"])
    sessions(side["patient"], side["episode"], 2)
    sessions(other, factory.episode(other, side["practitioner"]), 12)
    few, many = timeline_queries(app, side["patient"].id), timeline_queries(app, other.id)
    assert few == many, (few, many)
    assert few <= 5, few


def test_timeline_comes_in_pages_newest_first(app, side):
    start = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)
    made = [make_session(app, side, started_at=start + timedelta(days=n)) for n in range(5)]
    with app.app_context():
        pages = [timeline_page(side["patient"].id, page, per_page=2) for page in (1, 2, 3, 4)]
    assert [[e.visit.id for e in page.entries] for page in pages] == [
        made[4:2:-1], made[2:0:-1], made[:1], []]
    assert pages[0].pagination.total == 5 and pages[0].pagination.pages == 3
