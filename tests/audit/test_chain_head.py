"""The audit log detects what a row-by-row chain cannot: a removed tail, a re-chained log,
an emptied table, a forged head (someone with direct database access, triggers off)."""

import pytest
from sqlalchemy import select, text

from tests.audit.test_audit import append_only_triggers_off
from tracker.audit.models import AuditChainHead, AuditEvent
from tracker.audit.services import _hash_event, verify_audit_log
from tracker.extensions import db


@pytest.fixture
def day_of_use(app, client, as_role):
    world = as_role("practitioner")
    client.get(f"/patients/{world['a']['patient'].id}")
    client.post("/logout")
    with app.app_context():
        assert verify_audit_log() is None
        return db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()


def test_a_removed_tail_is_detected(app, day_of_use):
    with append_only_triggers_off(app) as engine, engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id >= :id"),
                           {"id": day_of_use[-3]})
    with app.app_context():
        assert "the last events were removed" in verify_audit_log()


def test_an_emptied_table_is_detected(app, day_of_use):
    with append_only_triggers_off(app) as engine, engine.begin() as connection:
        statement = ("TRUNCATE audit_events" if engine.dialect.name == "postgresql"
                     else "DELETE FROM audit_events")
        connection.execute(text(statement))
    with app.app_context():
        assert "Audit log is empty" in verify_audit_log()


def test_a_re_chained_log_is_detected(app, day_of_use):
    # Edit a row, then recompute every later hash: the chain is consistent with itself again,
    # but no longer ends at the sealed head.
    target = day_of_use[len(day_of_use) // 2]
    with append_only_triggers_off(app) as engine:
        with app.app_context():
            events = db.session.scalars(select(AuditEvent).where(AuditEvent.id >= target)
                                        .order_by(AuditEvent.id)).all()
            previous = db.session.scalar(select(AuditEvent.row_hash)
                                         .where(AuditEvent.id < target)
                                         .order_by(AuditEvent.id.desc()).limit(1))
            rows = []
            for event in events:
                if event.id == target:
                    event.details = {**event.details, "tampered": True}
                event.prev_hash = previous
                event.row_hash = previous = _hash_event(event)
                rows.append({"id": event.id, "details": event.details,
                             "prev": event.prev_hash, "hash": event.row_hash})
            db.session.rollback()
        with engine.begin() as connection:
            for row in rows:  # row_hash is unique: move every row aside first
                connection.execute(text("UPDATE audit_events SET row_hash = :tmp WHERE id = :id"),
                                   {"tmp": f"tmp{row['id']}", "id": row["id"]})
            table = AuditEvent.__table__
            for row in rows:
                connection.execute(table.update().where(table.c.id == row["id"]).values(
                    details=row["details"], prev_hash=row["prev"], row_hash=row["hash"]))
    with app.app_context():
        problem = verify_audit_log()
        assert problem is not None and "re-chained" in problem


def test_a_forged_head_is_detected(app, day_of_use):
    with app.app_context():
        head = db.session.get(AuditChainHead, 1)
        head.last_event_id = day_of_use[-2]  # as if the tail had always ended earlier
        db.session.commit()
        assert "not signed with this app's secret key" in verify_audit_log()


def test_audit_verify_reports_it_on_the_command_line(app, runner, day_of_use):
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with append_only_triggers_off(app) as engine, engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = :id"),
                           {"id": day_of_use[-1]})
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code != 0 and "removed" in result.output
