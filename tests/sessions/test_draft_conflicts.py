"""Two practitioners editing one draft: the second save, made on a stale version, is refused
with an ``EditConflict`` naming who changed what, and writes nothing."""

import html
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.conftest import PASSWORD
from tests.factories import complete_values, make_session, point_dicts
from tests.pages import input_value, ticked
from tests.sessions.helpers import count_sessions, point_row, session_form
from tracker.audit.models import AuditEvent
from tracker.auth.models import User
from tracker.conflicts import EditConflict
from tracker.extensions import db
from tracker.sessions.models import Amendment, TreatmentSession
from tracker.sessions.services import update_draft

CUPPING = {"kind": "cupping", "minutes": 10, "sites": "upper back", "notes": "",
           "params": {"cupping_method": "dry", "cups": 4, "cupping_marks": "light"}}
FIRST_NAME = "Aoki Ren"
ROWS = [("LI4", "left"), ("SP6", "right")]  # two needles, no caution to decide


@pytest.fixture
def side(clinic_world):
    return clinic_world["a"]


@pytest.fixture
def first(factory, side):
    """A second practitioner of the clinic: the one who saves first."""
    return factory.user(side["clinic"], "practitioner", email="aoki@a.test", name=FIRST_NAME)


def load(visit_id: int) -> TreatmentSession:
    """The draft as an edit loads it, in the current (fresh) database session."""
    db.session.expire_all()
    return db.session.scalar(
        select(TreatmentSession)
        .where(TreatmentSession.id == visit_id)
        .options(selectinload(TreatmentSession.points), selectinload(TreatmentSession.adjuncts))
    )


def stored(app, visit_id: int) -> dict:
    with app.app_context():
        visit = load(visit_id)
        return {
            "version": visit.version,
            "pain_after": visit.pain_after,
            "subjective": visit.subjective,
            "plan": visit.plan,
            "needle_lot": visit.needle_lot,
            "points": [(row.code, row.laterality) for row in visit.points],
            "adjuncts": [row.kind for row in visit.adjuncts],
        }


def update_events(app, visit_id: int) -> list[AuditEvent]:
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "session.update", AuditEvent.entity_id == visit_id)
            .order_by(AuditEvent.id)
        ).all()


def test_stale_save_raises_conflict_naming_who_changed_it_and_writes_nothing(
    app, side, first
):
    visit_id = make_session(app, side, rows=ROWS, needles_inserted=2, needles_removed=2)
    before = stored(app, visit_id)
    seen_version = before["version"]  # both practitioners open the draft at this version
    assert seen_version == 1

    with app.app_context():  # the first practitioner saves
        update_draft(
            load(visit_id),
            values=complete_values(
                pain_after=3, subjective="Stiff after desk work", needles_inserted=2,
                needles_removed=2,
            ),
            points=point_dicts([("LI4", "left"), ("SP6", "left")]),
            adjuncts=[],
            expected_version=seen_version,
            actor=db.session.get(User, first.id),
        )
        db.session.commit()
    after_first = stored(app, visit_id)
    assert after_first["version"] == seen_version + 1

    with app.app_context():  # the second saves what they typed on the version they loaded
        visit = load(visit_id)
        with pytest.raises(EditConflict) as conflict:
            update_draft(
                visit,
                values=complete_values(
                    pain_after=2, subjective="Sleeping better", plan="Weekly", needle_lot="L-9",
                    needles_inserted=2, needles_removed=2,
                ),
                points=point_dicts([("ST36", "right"), ("ST36", "left")]),
                adjuncts=[CUPPING],
                expected_version=seen_version,
                actor=db.session.get(User, side["practitioner"].id),
            )
        db.session.rollback()

    error = conflict.value
    assert error.current_version == after_first["version"]
    assert [(change.user_name, sorted(change.fields)) for change in error.changes] == [
        (FIRST_NAME, ["pain_after", "points", "subjective"])
    ]
    # The stored value of every field where the two edits differ.
    assert error.current_values == {
        "pain_after": 3, "subjective": "Stiff after desk work", "plan": "", "needle_lot": "",
    }
    # Nothing of the second save was written: the first practitioner's save stands as it was.
    assert stored(app, visit_id) == after_first == {
        **before,
        "version": 2,
        "pain_after": 3,
        "subjective": "Stiff after desk work",
        "points": [("LI4", "left"), ("SP6", "left")],
    }
    assert len(update_events(app, visit_id)) == 1


def test_stale_edit_page_post_answers_409_and_keeps_the_typing(app, client, as_role, first):
    world = as_role("practitioner")
    side = world["a"]
    visit_id = make_session(app, side, rows=ROWS, needles_inserted=2, needles_removed=2)
    url = f"/patients/{side['patient'].id}/sessions/{visit_id}/edit"
    other = app.test_client()
    login = other.post("/login", data={"email": first.email, "password": PASSWORD})
    assert login.status_code == 302
    for browser in (client, other):
        assert input_value(browser.get(url).get_data(as_text=True), "version") == "1"
    form = session_form(
        points=[point_row(code, side_) for code, side_ in ROWS],
        needles_inserted="2",
        needles_removed="2",
        episode_id=str(side["episode"].id),
        version="1",
    )

    assert other.post(url, data={**form, "pain_after": "3"}).status_code == 302

    typed = {"subjective": "Sleeping better since the last visit", "needle_lot": "LOT-42"}
    response = client.post(url, data={**form, **typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert re.search(rf"<li>{FIRST_NAME} at [^<]* changed: [^<]*\bpain_after\b", page)
    assert input_value(page, "needle_lot") == "LOT-42"
    textarea = re.search(r'<textarea[^>]*name="subjective"[^>]*>(.*?)</textarea>', page, re.S)
    assert html.unescape(textarea.group(1)).strip() == typed["subjective"]
    assert input_value(page, "version") == "2"  # a deliberate second save goes through
    saved = stored(app, visit_id)
    assert (saved["version"], saved["pain_after"], saved["subjective"], saved["needle_lot"]) == (
        2, 3, "", ""
    )


def second_practitioner(app, first):
    other = app.test_client()
    login = other.post("/login", data={"email": first.email, "password": PASSWORD})
    assert login.status_code == 302
    return other


def test_signing_a_draft_changed_since_it_was_read_signs_nothing(app, client, as_role, first):
    world = as_role("practitioner")
    side = world["a"]
    visit_id = make_session(app, side, rows=ROWS, needles_inserted=2, needles_removed=2)
    base = f"/patients/{side['patient'].id}/sessions/{visit_id}"
    read = client.get(base).get_data(as_text=True)
    assert input_value(read, "version") == "1"
    form = session_form(
        points=[point_row(code, side_) for code, side_ in ROWS], needles_inserted="2",
        needles_removed="2", episode_id=str(side["episode"].id), version="1",
    )
    other = second_practitioner(app, first)
    assert other.post(f"{base}/edit", data={**form, "pain_after": "3"}).status_code == 302

    response = client.post(f"{base}/sign", data={"version": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "this draft changed since you opened it" in page
    assert re.search(rf"<li>{FIRST_NAME} at [^<]* changed: [^<]*\bpain_after\b", page)
    with app.app_context():
        assert load(visit_id).status == "draft"
    # The page now shows the draft as it stands, and signing what it shows goes through.
    assert input_value(page, "version") == "2"
    assert client.post(f"{base}/sign", data={"version": "2"}).status_code == 302
    with app.app_context():
        assert load(visit_id).status == "signed"


def test_an_amendment_recorded_meanwhile_is_shown_not_overwritten(app, client, as_role, first):
    world = as_role("practitioner")
    side = world["a"]
    visit_id = make_session(app, side, rows=ROWS, needles_inserted=2, needles_removed=2,
                            sign=True)
    url = f"/patients/{side['patient'].id}/sessions/{visit_id}/amend"
    assert input_value(client.get(url).get_data(as_text=True), "amendments_seen") == "0"
    other = second_practitioner(app, first)
    assert input_value(other.get(url).get_data(as_text=True), "amendments_seen") == "0"
    first_change = {"amendments_seen": "0", "reason": "Misread the scale", "pain_after": "2"}
    assert other.post(url, data=first_change).status_code == 302

    mine = {"amendments_seen": "0", "reason": "Patient called back", "pain_after": "1",
            "plan": "Fortnightly"}
    response = client.post(url, data=mine)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert re.search(rf"<li>{FIRST_NAME} at [^<]* changed: [^<]*\bpain_after\b", page)
    assert ticked(page, "pain_after", "1")  # what I typed stays
    assert input_value(page, "amendments_seen") == "1"
    assert amendment_reasons(app, visit_id) == ["Misread the scale"]
    assert client.post(url, data={**mine, "amendments_seen": "1"}).status_code == 302
    assert amendment_reasons(app, visit_id) == ["Misread the scale", "Patient called back"]


def amendment_reasons(app, visit_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(Amendment.reason).where(Amendment.session_id == visit_id)
            .order_by(Amendment.id)))


def _change_before_the_write(app, monkeypatch, statement: str) -> None:
    """Run ``statement`` as another user would, between the form's checks and the write."""
    import tracker.sessions.draft_views as draft_views

    real_begin_writing = draft_views.begin_writing

    def change_then_begin_writing(*depends_on):
        with app.app_context():
            other = db.engine.raw_connection()
        try:
            other.cursor().execute(statement)
            other.commit()
        finally:
            other.close()
        real_begin_writing(*depends_on)

    monkeypatch.setattr(draft_views, "begin_writing", change_then_begin_writing)


def test_an_episode_closed_while_a_session_is_checked_is_not_written_to(
        app, client, side, monkeypatch):
    # Another practitioner closes the episode after the form was checked and before the
    # write: the write reads the episode again, refuses, and writes nothing.
    _change_before_the_write(app, monkeypatch, (
        "UPDATE episodes SET status = 'closed', closed_on = '2026-11-20', "
        f"version = version + 1 WHERE id = {int(side['episode'].id)}"))
    client.post("/login", data={"email": side["practitioner"].email, "password": PASSWORD})
    before = count_sessions(app)
    response = client.post(f"/patients/{side['patient'].id}/sessions/new",
                           data=session_form(episode_id=str(side["episode"].id)))
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This episode has just been closed." in html.unescape(page)
    assert input_value(page, "start_time") == "10:00"  # what was typed is kept
    assert count_sessions(app) == before


def test_an_intake_changed_while_a_session_is_checked_is_read_again_for_its_cautions(
        app, client, side, monkeypatch):
    # The episode's intake says "pregnant" only after the form was checked: the write works
    # the cautions out again on the episode as it now stands, and LI4 (cautioned in
    # pregnancy) is saved with that caution to decide before signing.
    _change_before_the_write(app, monkeypatch, (
        "UPDATE episodes SET pregnant = TRUE, pregnancy_weeks = 20, version = version + 1 "
        f"WHERE id = {int(side['episode'].id)}"))
    client.post("/login", data={"email": side["practitioner"].email, "password": PASSWORD})
    response = client.post(f"/patients/{side['patient'].id}/sessions/new",
                           data=session_form(episode_id=str(side["episode"].id)))
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(TreatmentSession).order_by(TreatmentSession.id.desc())
                                  .options(selectinload(TreatmentSession.cautions)))
        pregnancy = [(c.target, c.severity) for c in saved.cautions if c.rule == "pregnancy"]
    assert ("LI4", "warning") in pregnancy
