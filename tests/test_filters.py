"""Dates on pages: the fast paths of tracker.filters write what Babel writes; lists of points
kept on one line each."""

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import format_date, format_datetime

from tracker.filters import NUMERIC_PATTERNS, day, local_dt, unbroken_list

MOMENTS = [
    datetime(2026, 3, 8, 6, 59, tzinfo=UTC),   # New York: just before DST starts
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),    # ... and just after
    datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # the repeated hour
    datetime(2026, 12, 31, 15, 0, tzinfo=UTC),  # New Year in Tokyo
    datetime(2026, 6, 1, 23, 45),                        # naive: read as UTC
]


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York", "UTC"])
@pytest.mark.parametrize("locale", ["en", "ja"])
def test_timestamps_and_dates_as_babel_writes_them(app, zone, locale):
    app.config.update(DEFAULT_TIMEZONE=zone, FORCE_LOCALE=locale)
    with app.test_request_context("/"):
        for moment in MOMENTS:
            assert local_dt(moment) == format_datetime(moment, "yyyy-MM-dd HH:mm")
            for pattern in NUMERIC_PATTERNS:
                assert local_dt(moment, pattern) == format_datetime(moment, pattern)
            assert day(moment) == format_date(moment, "yyyy-MM-dd")
            assert day(moment.date()) == format_date(moment.date(), "yyyy-MM-dd")
        for offset in range(0, 400, 37):
            calendar_day = date(2026, 1, 1) + timedelta(days=offset)
            assert day(calendar_day) == format_date(calendar_day, "yyyy-MM-dd")


def test_a_timestamp_is_shown_in_the_clinics_zone(app):
    app.config.update(DEFAULT_TIMEZONE="Asia/Tokyo")
    with app.test_request_context("/"):
        assert local_dt(datetime(2026, 12, 31, 15, 0, tzinfo=UTC)) == "2027-01-01 00:00"
        assert day(None) == "" and local_dt(None) == ""


def test_each_point_of_a_list_stays_on_one_line_and_is_escaped():
    listed = unbroken_list(["BL23 (B)", "GV4", "M-HN-3 (L)", "阿是穴 (R)", "<b>T7 ashi</b>"])
    assert str(listed) == (
        "BL23&nbsp;(B), GV4, "
        '<span class="nowrap">M-HN-3 (L)</span>, <span class="nowrap">阿是穴 (R)</span>, '
        '<span class="nowrap">&lt;b&gt;T7 ashi&lt;/b&gt;</span>')
    assert str(unbroken_list([])) == ""
