"""The signed note states the practitioner's background (STRICTA item 5) as of the session's
date in the clinic's time zone, not as of today."""

import html
import re
from datetime import UTC, datetime

import pytest

from tests.factories import make_session
from tracker.auth.models import User
from tracker.auth.services import update_background
from tracker.extensions import db

ROWS = [("LI4", "left", ""), ("BL23", "bilateral", "")]  # catalog points: nothing to acknowledge


def set_background(app, user, **values):
    with app.app_context():
        user = db.session.get(User, user.id)
        update_background(user, actor=user, **values)
        db.session.commit()


def practitioner_line(page: str) -> str:
    match = re.search(r'<p class="mb-0" id="note-practitioner">(.*?)</p>', page, re.S)
    assert match, "the note has no practitioner line"
    return html.unescape(match.group(1))


@pytest.mark.parametrize(
    ("started_at", "years"),
    [
        (datetime(2026, 11, 20, 1, 0, tzinfo=UTC), 12),
        # 16:00 UTC on New Year's Eve is 01:00 on 1 January 2027 in Tokyo: a year more.
        (datetime(2026, 12, 31, 16, 0, tzinfo=UTC), 13),
        (datetime(2026, 12, 31, 14, 0, tzinfo=UTC), 12),  # 23:00 in Tokyo, still 2026
    ],
    ids=["november", "tokyo-new-year", "tokyo-new-years-eve"],
)
def test_signed_note_shows_years_in_practice_at_the_session_date(
    app, client, as_role, started_at, years
):
    world = as_role("practitioner")
    side = world["a"]
    set_background(
        app, side["practitioner"], qualification="BSc Acupuncture (Tokyo)",
        practising_since=2014, training="JSAM electroacupuncture course 2019",
    )
    visit_id = make_session(app, side, rows=ROWS, sign=True, started_at=started_at)

    page = client.get(f"/patients/{side['patient'].id}/sessions/{visit_id}")
    assert page.status_code == 200
    assert practitioner_line(page.get_data(as_text=True)) == (
        f"Practitioner: {side['practitioner'].name} — BSc Acupuncture (Tokyo), "
        f"{years} years in practice; training: JSAM electroacupuncture course 2019"
    )


def test_note_without_a_recorded_background_names_the_practitioner_only(app, client, as_role):
    world = as_role("practitioner")
    side = world["a"]
    visit_id = make_session(app, side, rows=ROWS, sign=True)
    page = client.get(f"/patients/{side['patient'].id}/sessions/{visit_id}")
    assert practitioner_line(page.get_data(as_text=True)) == (
        f"Practitioner: {side['practitioner'].name}"
    )
