"""A saved draft's audit row names what changed, so the edit-conflict page can say so."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from tracker.audit.models import AuditEvent
from tracker.extensions import db
from tracker.intake.models import Episode
from tracker.points.services import resolve_codes
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import record_session, update_draft


def row(point, side="bilateral", depth="15"):
    return {"point": point, "laterality": side, "depth": Decimal(depth), "depth_unit": "mm",
            "angle": "perpendicular", "stimulation": "manual", "deqi_sought": True}


def test_update_draft_records_the_changed_fields(app_ctx, clinic_world):
    world = clinic_world["a"]
    practitioner = db.session.get(type(world["practitioner"]), world["practitioner"].id)
    episode = db.session.get(Episode, world["episode"].id)
    points = resolve_codes(["LI4", "SP6"])
    values = {"started_at": datetime(2026, 11, 20, 1, 0, tzinfo=UTC), "pain_before": 6}
    visit = record_session(episode.patient, episode, practitioner=practitioner, values=values,
                           points=[row(points["LI4"])], adjuncts=[])
    db.session.commit()

    update_draft(visit, values={**values, "pain_before": 6}, points=[row(points["LI4"])],
                 adjuncts=[], expected_version=visit.version, actor=practitioner)
    update_draft(visit, values={**values, "pain_before": 5},
                 points=[row(points["LI4"]), row(points["SP6"], "left")], adjuncts=[],
                 expected_version=visit.version, actor=practitioner)
    db.session.commit()

    updates = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "session.update").order_by(AuditEvent.id)
    ).all()
    assert [event.details["fields"] for event in updates] == [[], ["pain_before", "points"]]
    assert db.session.get(TreatmentSession, visit.id).pain_before == 5
