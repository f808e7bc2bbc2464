"""Jinja filters and globals: dates in the clinic's time zone, labels for stored codes."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from markupsafe import Markup, escape

from tracker.dates import clinic_today, clinic_zone
from tracker.fields import error_list
from tracker.i18n import (
    _,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_timezone,
)
from tracker.intake import vocab
from tracker.links import template_url_for
from tracker.patients.models import LANGUAGES, SEXES
from tracker.safety import vocab as safety_vocab
from tracker.sessions import vocab as session_vocab
from tracker.sessions.adjuncts import describe as describe_adjunct

DATE_TIME = "yyyy-MM-dd HH:mm"
# The usual CLDR patterns as strftime writes them: numbers only, the same in every locale.
NUMERIC_PATTERNS = {DATE_TIME: "%Y-%m-%d %H:%M", "HH:mm": "%H:%M", "yyyy-MM-dd": "%Y-%m-%d"}


def local_dt(value: datetime | None, fmt: str = DATE_TIME) -> str:
    """A UTC timestamp shown in the clinic's local time (a CLDR pattern, through Babel).

    The usual patterns are written by ``strftime`` (Babel would parse them again for each of
    the hundreds of timestamps a page can show: a third of a millisecond each); their fields
    are numbers, the same in every locale (tests/test_filters.py compares the two)."""
    if value is None:
        return ""
    written = NUMERIC_PATTERNS.get(fmt)
    if written:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(get_timezone()).strftime(written)
    return format_datetime(value, fmt)


def local_date(value: datetime | None) -> date | None:
    """The clinic-local calendar date of a UTC timestamp (a 23:30 UTC session is the next
    day in Tokyo): what the note's date-dependent lines are computed at."""
    if value is None:
        return None
    return value.astimezone(clinic_zone()).date()


def day(value: date | None) -> str:
    """A calendar date as the clinic writes it (yyyy-MM-dd in every locale; a timestamp is
    first put in the clinic's zone, through Babel)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return format_date(value, "yyyy-MM-dd")
    return value.isoformat()


def page_language() -> str:
    """The page's language for <html lang>: the locale the page is rendered in."""
    return str(get_locale() or "en").replace("_", "-")


def label(code, vocabulary) -> str:
    """Label for a stored vocabulary code (lists are joined with commas)."""
    mapping = dict(vocabulary)
    if isinstance(code, (list, tuple)):
        return ", ".join(str(mapping.get(c, c)) for c in code)
    return str(mapping.get(code, code)) if code else ""


def positions(values: dict, vocabulary) -> str:
    """Pulse by position: "Left guan: wiry; Right chi: weak"."""
    mapping = dict(vocabulary)
    return "; ".join(f"{mapping.get(k, k)}: {v}" for k, v in (values or {}).items() if v)


def hours(value) -> str:
    number = float(value)
    return _("%(hours)s hours", hours=format(number, "g"))


def course_plan(episode) -> str:
    return episode.course_plan()


def conflict_value(value) -> str:
    """A stored value as the conflict note shows it."""
    if value in (None, "", [], {}):
        return _("(empty)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, Decimal):
        return f"{value:g}"
    return str(value)


def number(value) -> str:
    """A number as the locale writes it, without trailing zeros: 0.20 -> "0.2", 30.0 -> "30"."""
    if value is None:
        return ""
    return format_decimal(Decimal(value).normalize(), format="#,##0.##########")


# A label whose only places to break a line are its spaces ("BL23 (B)", "GV4").
_BREAKS_AT_SPACES_ONLY = re.compile(r"[A-Za-z0-9 ().]+")


def unbroken_list(labels) -> Markup:
    """``labels`` joined by commas, each kept on one line (a session's points: "BL23 (B),
    GV4"): a label that could only break at its spaces gets no-break spaces, any other (a
    hyphen, Japanese) a nowrap span. The printable record of a 300-session course lists
    3,600 points: as 3,600 spans, WeasyPrint laid each out as an inline box of its own."""
    parts = []
    for label in map(str, labels):
        text = str(escape(label))  # plain str from here: Markup's own methods escape again
        parts.append(text.replace(" ", "&nbsp;") if _BREAKS_AT_SPACES_ONLY.fullmatch(label)
                     else f'<span class="nowrap">{text}</span>')
    # Every label above went through escape(): the joined text is markup already.
    return Markup(", ".join(parts))  # nosec B704


def audit_details(details: dict) -> str:
    parts = []
    for key, value in sorted((details or {}).items()):
        if key.endswith("_hash"):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


def register(app) -> None:
    for function in (
        local_dt,
        local_date,
        day,
        label,
        positions,
        hours,
        course_plan,
        conflict_value,
        audit_details,
        number,
        unbroken_list,
    ):
        app.add_template_filter(function)
    app.add_template_filter(describe_adjunct, "adjunct_summary")
    app.add_template_filter(error_list)
    app.add_template_global(session_vocab, "session_vocab")
    app.add_template_global(safety_vocab, "ae_vocab")
    app.add_template_filter(lambda code: SEXES.get(code, code), "sex_label")
    app.add_template_filter(lambda code: dict(LANGUAGES).get(code, code), "language_label")
    app.add_template_global(clinic_today, "today")
    app.add_template_global(page_language)
    app.add_template_global(vocab, "vocab")
    app.add_template_global(template_url_for, "url_for")
