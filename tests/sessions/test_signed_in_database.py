"""A signed note holds in the database itself: direct SQL cannot change a signed session, its
point rows, techniques or stored cautions, and no session can be deleted (both backends)."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.factories import adjunct, make_session
from tracker.extensions import db
from tracker.sessions.models import PointApplication, TreatmentSession

CUPPING = adjunct("cupping", cupping_method="dry", cups=4)


@pytest.fixture
def signed(app, clinic_world):
    return make_session(app, clinic_world["a"], adjuncts=[CUPPING], sign=True)


@pytest.fixture
def draft(app, clinic_world):
    return make_session(app, clinic_world["a"], adjuncts=[CUPPING])


def refused(statement: str, **params) -> str:
    with pytest.raises(DBAPIError) as caught:
        db.session.execute(text(statement), params)
        db.session.flush()
    db.session.rollback()
    return str(caught.value)


@pytest.mark.parametrize("statement", [
    "UPDATE treatment_sessions SET subjective = 'changed' WHERE id = :id",
    "UPDATE treatment_sessions SET status = 'draft' WHERE id = :id",
    "UPDATE point_applications SET depth = 99 WHERE session_id = :id",
    "DELETE FROM point_applications WHERE session_id = :id",
    "UPDATE adjuncts SET minutes = 99 WHERE session_id = :id",
    "DELETE FROM adjuncts WHERE session_id = :id",
    "UPDATE session_cautions SET decision = NULL WHERE session_id = :id",
    "INSERT INTO point_applications (session_id, position, point_id, custom_label, region, "
    "level, laterality, depth_unit, deqi_sought, stimulation) "
    "VALUES (:id, 99, NULL, 'added later', 'upper_back', '', 'left', 'mm', 1, 'manual')",
], ids=["session-text", "unsign", "point-depth", "point-delete", "adjunct-minutes",
        "adjunct-delete", "caution-decision", "point-insert"])
def test_sql_cannot_change_a_signed_note(app, signed, statement):
    with app.app_context():
        # The example rows store a caution (the Ashi point over the thorax).
        assert db.session.scalar(text("SELECT count(*) FROM session_cautions "
                                      "WHERE session_id = :id"), {"id": signed})
        statement = statement.replace("1, 'manual'", "true, 'manual'") \
            if db.engine.dialect.name == "postgresql" else statement
        assert "signed note" in refused(statement, id=signed)
        visit = db.session.get(TreatmentSession, signed)
        assert visit.is_signed and visit.subjective != "changed"


def test_a_point_row_cannot_be_moved_onto_a_signed_note(app, signed, draft):
    with app.app_context():
        message = refused("UPDATE point_applications SET session_id = :signed "
                          "WHERE session_id = :draft", signed=signed, draft=draft)
        assert "signed note" in message


@pytest.mark.parametrize("which", ["signed", "draft"])
def test_no_session_is_ever_deleted(app, signed, draft, which):
    target = signed if which == "signed" else draft
    with app.app_context():
        message = refused("DELETE FROM treatment_sessions WHERE id = :id", id=target)
        assert "never deleted" in message or "signed note" in message
        assert db.session.get(TreatmentSession, target) is not None


def test_a_draft_stays_editable_in_sql(app, draft):
    with app.app_context():
        db.session.execute(text("UPDATE point_applications SET depth = 12 WHERE session_id = :id"),
                           {"id": draft})
        db.session.execute(text("UPDATE treatment_sessions SET subjective = 'edited' "
                                "WHERE id = :id"), {"id": draft})
        db.session.commit()
        depths = db.session.scalars(select(PointApplication.depth)
                                    .where(PointApplication.session_id == draft)).all()
        assert set(depths) == {12}
        assert db.session.get(TreatmentSession, draft).subjective == "edited"
