"""The adverse-event report page through the test client."""

import pytest
from sqlalchemy import select

from tests.factories import REPORT_SESSIONS, build_report_data
from tests.pages import field_error, input_value, plain
from tests.reports.helpers import (
    PUBLISHED_ANY_PER_1000,
    PUBLISHED_SERIOUS_PER_1000,
    per_1000,
    report_rows,
)
from tracker.audit.models import AuditEvent
from tracker.extensions import db


@pytest.fixture
def world(as_role):
    return as_role("practitioner")


def test_report_on_known_data(app, client, world):
    with app.app_context():
        build_report_data(world)
    response = client.get("/safety/report?start=2026-11-01&end=2026-11-20")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{REPORT_SESSIONS} signed sessions" in plain(page)
    rows = report_rows(page)
    assert rows["Sessions with at least one adverse event"] == [
        "3", f"{per_1000(3):.2f}", f"{PUBLISHED_ANY_PER_1000:.2f}"]
    assert rows["Minor"] == ["2", f"{per_1000(2):.2f}", "—"]
    assert rows["Serious"][:2] == ["1", f"{per_1000(1):.2f}"]
    assert rows["Pneumothorax"] == ["1", f"{per_1000(1):.2f}", "—"]
    assert rows["Dizziness"][0] == "1"
    assert "Burn (moxa, heat lamp, cupping)" not in rows
    assert "7.57% of treatments" in page and "7.98 per million treatments" in page
    with app.app_context():
        audit = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "report.adverse_events")).one()
        assert audit.details == {"start": "2026-11-01", "end": "2026-11-20"}


def test_report_shows_the_serious_reference_rate_as_published(client, world):
    page = client.get("/safety/report?start=2026-11-01&end=2026-11-20").get_data(as_text=True)
    assert report_rows(page)["Serious"][2] == f"{PUBLISHED_SERIOUS_PER_1000:g}"


def test_report_refuses_an_end_before_the_start(client, world):
    response = client.get("/safety/report?start=2026-11-20&end=2026-11-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, "end") == "The end is before the start."
    assert input_value(page, "start") == "2026-11-20"


@pytest.mark.parametrize(("query", "message"), [
    ("start=9999-99-99&end=2026-11-01", "Not a valid date value."),
    ("start=&end=2026-11-01", "This field is required."),
])
def test_report_says_what_is_wrong_with_a_date(client, world, query, message):
    response = client.get(f"/safety/report?{query}")
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "start") == message
