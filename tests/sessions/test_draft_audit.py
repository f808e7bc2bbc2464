"""A saved draft's audit row names what changed, so the edit-conflict page can say so."""

from decimal import Decimal

from sqlalchemy import select

from tests.factories import SESSION_AT, fresh, point, record
from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import update_draft


def row(code, side="bilateral", depth="15"):
    return point(code, side, depth=Decimal(depth), angle="perpendicular", deqi_sought=True)


def test_update_draft_records_the_changed_fields(app_ctx, clinic_world):
    world = clinic_world["a"]
    practitioner = fresh(world, "practitioner")
    values = {"started_at": SESSION_AT, "pain_before": 6}
    visit = record(world, [row("LI4")], **values)

    update_draft(visit, values={**values, "pain_before": 6}, points=[row("LI4")],
                 adjuncts=[], expected_version=visit.version, actor=practitioner)
    update_draft(visit, values={**values, "pain_before": 5},
                 points=[row("LI4"), row("SP6", "left")], adjuncts=[],
                 expected_version=visit.version, actor=practitioner)
    db.session.commit()

    updates = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "session.update").order_by(AuditEvent.id)
    ).all()
    assert [event.details["fields"] for event in updates] == [[], ["pain_before", "points"]]
    assert db.session.get(TreatmentSession, visit.id).pain_before == 5
