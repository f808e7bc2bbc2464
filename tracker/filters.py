"""Jinja filters and globals: dates in the clinic's time zone, labels for stored codes."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_login import current_user

from tracker.intake import vocab
from tracker.patients.forms import LANGUAGES
from tracker.patients.models import SEXES
from tracker.safety import vocab as safety_vocab
from tracker.sessions import vocab as session_vocab
from tracker.sessions.adjuncts import describe as describe_adjunct


def clinic_zone() -> ZoneInfo:
    name = getattr(getattr(current_user, "clinic", None), "timezone", None)
    return ZoneInfo(name or current_app.config["DEFAULT_TIMEZONE"])


def clinic_today() -> date:
    """Today's date where the clinic is (Tokyo's today, not the server's)."""
    return datetime.now(clinic_zone()).date()


def local_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC timestamp shown in the clinic's local time."""
    if value is None:
        return ""
    return value.astimezone(clinic_zone()).strftime(fmt)


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def label(code, vocabulary) -> str:
    """Label for a stored vocabulary code (lists are joined with commas)."""
    mapping = dict(vocabulary)
    if isinstance(code, (list, tuple)):
        return ", ".join(mapping.get(c, c) for c in code)
    return mapping.get(code, code) if code else ""


def positions(values: dict, vocabulary) -> str:
    """Pulse by position: "Left guan: wiry; Right chi: weak"."""
    mapping = dict(vocabulary)
    return "; ".join(f"{mapping.get(k, k)}: {v}" for k, v in (values or {}).items() if v)


def hours(value) -> str:
    number = float(value)
    return f"{number:g} hours"


def course_plan(episode) -> str:
    parts = []
    if episode.planned_sessions:
        parts.append(f"{episode.planned_sessions} sessions")
    if episode.planned_interval_days:
        parts.append(f"every {episode.planned_interval_days} days")
    return ", ".join(parts)


def conflict_value(value) -> str:
    """A stored value as the conflict note shows it."""
    if value in (None, "", [], {}):
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, Decimal):
        return f"{value:g}"
    return str(value)


def number(value) -> str:
    """A Decimal without trailing zeros: 0.20 -> "0.2", 30.0 -> "30"."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


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
        day,
        label,
        positions,
        hours,
        course_plan,
        conflict_value,
        audit_details,
        number,
    ):
        app.add_template_filter(function)
    app.add_template_filter(describe_adjunct, "adjunct_summary")
    app.add_template_global(session_vocab, "session_vocab")
    app.add_template_global(safety_vocab, "ae_vocab")
    app.add_template_filter(lambda code: SEXES.get(code, code), "sex_label")
    app.add_template_filter(lambda code: dict(LANGUAGES).get(code, code), "language_label")
    app.add_template_global(clinic_today, "today")
    app.add_template_global(vocab, "vocab")
