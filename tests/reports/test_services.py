"""The adverse-event report, counted in SQL, on known data (no HTTP)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import (
    REPORT_END,
    REPORT_SESSIONS,
    REPORT_START,
    SESSION_AT,
    build_report_data,
    event,
    record,
)
from tests.reports.helpers import PUBLISHED_ANY_PER_1000, PUBLISHED_SERIOUS_PER_1000, per_1000
from tracker.extensions import db
from tracker.reports.services import adverse_event_report

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.fixture
def world(app_ctx, clinic_world):
    return clinic_world


def test_report_on_known_data(world):
    build_report_data(world)
    report = adverse_event_report(world["a"]["clinic"].id, REPORT_START, REPORT_END, TOKYO)
    assert report.sessions == REPORT_SESSIONS
    assert (report.sessions_with_event.count, report.sessions_with_event.per_1000) == (
        3, pytest.approx(per_1000(3), abs=0.005))
    assert report.sessions_with_event.reference_per_1000 == pytest.approx(PUBLISHED_ANY_PER_1000)
    severity = {row.label: (row.count, row.per_1000) for row in report.by_severity}
    assert severity == {"Minor": (2, pytest.approx(per_1000(2), abs=0.005)),
                        "Needed treatment": (1, pytest.approx(per_1000(1), abs=0.005)),
                        "Serious": (1, pytest.approx(per_1000(1), abs=0.005))}
    references = {row.label: row.reference_per_1000 for row in report.by_severity}
    assert references == {"Minor": None, "Needed treatment": None,
                          "Serious": pytest.approx(PUBLISHED_SERIOUS_PER_1000)}
    assert [(row.label, row.count, row.per_1000) for row in report.by_type] == [
        (label, 1, pytest.approx(per_1000(1), abs=0.005))
        for label in ("Bleeding", "Haematoma / bruise", "Dizziness", "Pneumothorax")]
    assert report.between_visits == 1


def test_report_counts_a_session_with_two_events_once(world):
    side = world["a"]
    visit = record(side, sign=True)
    record(side, sign=True)
    event(side, "bleeding", "minor", SESSION_AT, visit)
    event(side, "nausea", "minor", SESSION_AT, visit)
    db.session.commit()
    day = SESSION_AT.date()
    report = adverse_event_report(side["clinic"].id, day, day, TOKYO)
    assert (report.sessions, report.sessions_with_event.count) == (2, 1)
    assert report.sessions_with_event.per_1000 == pytest.approx(per_1000(1, sessions=2))


def test_report_ranges_are_local_days(world):
    side = world["a"]
    # 00:30 and 23:30 in Tokyo on 2026-11-01, and 23:30 on 2026-10-31.
    for moment in ("2026-10-31T15:30", "2026-11-01T14:30", "2026-10-31T14:30"):
        record(side, sign=True, started_at=datetime.fromisoformat(moment).replace(tzinfo=UTC))
    day = datetime(2026, 11, 1).date()
    report = adverse_event_report(side["clinic"].id, day, day, TOKYO)
    assert report.sessions == 2


def test_report_without_sessions_has_no_rates(world):
    day = datetime(2026, 11, 1).date()
    report = adverse_event_report(world["a"]["clinic"].id, day, day, TOKYO)
    assert report.sessions == 0 and report.sessions_with_event.per_1000 is None
