"""Dates where the clinic is. Times are stored in UTC; a clinical date (which day a session
was, how many weeks pregnant a patient is that day, whether a date is in the future) is the
clinic's local date, computed here and nowhere else.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user


def clinic_date(moment: datetime, zone: ZoneInfo | str) -> date:
    """The clinic's local date of ``moment`` (an aware datetime, in any zone).

    A Tokyo session at 08:00 on 15 November is 23:00 UTC on the 14th: its date is the 15th
    whether the time arrives in the clinic's zone (from the form) or in UTC (from the
    database). Naive datetimes are refused: their zone is unknowable.
    """
    if moment.tzinfo is None:
        raise ValueError("clinic_date needs an aware datetime")
    return moment.astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)).date()


def today_in(zone: ZoneInfo | str) -> date:
    """Today's date in ``zone``."""
    return clinic_date(datetime.now(ZoneInfo(str(zone))), zone)


def clinic_zone() -> ZoneInfo:
    """The zone of the signed-in user's clinic (the configured default without one)."""
    name = getattr(getattr(current_user, "clinic", None), "timezone", None)
    return ZoneInfo(name or current_app.config["DEFAULT_TIMEZONE"])


def clinic_today() -> date:
    """Today's date where the clinic is (Tokyo's today, not the server's)."""
    return today_in(clinic_zone())


def clinic_day_start(day: date, zone: ZoneInfo | str) -> datetime:
    """The first moment of ``day`` where the clinic is, in UTC (a date-only record's time)."""
    local = datetime.combine(day, datetime.min.time(),
                             tzinfo=zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone))
    return local.astimezone(ZoneInfo("UTC"))
