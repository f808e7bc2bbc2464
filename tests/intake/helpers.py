"""Helpers shared by the intake page tests: form data as the browser posts it, and readers
of the rendered page (errors next to fields, values typed back, ticked boxes)."""

import html
import re

from sqlalchemy import func, select

from tests.factories import intake_form_data
from tracker.extensions import db
from tracker.intake.models import Episode

RED_FLAG_BANNER = "Red flags: refer for medical evaluation"

# Every select with a "Not recorded" blank, answered (blanks are covered by their own test).
ANSWERED_SELECTS = {
    "duration": "chronic", "break_habit": "hourly", "exercise": "none", "sleep_position": "back",
    "weight_trend": "stable", "tongue_colour": "pink", "tongue_coating": "thin_white",
    "tongue_moisture": "normal",
}


def answered(**overrides) -> dict:
    """The factory's intake as the browser posts it, with every optional select answered."""
    return intake_form_data(**{**ANSWERED_SELECTS, **overrides})


def error_fields(page: str) -> set[str]:
    return set(re.findall(r'id="([a-z_]+)-error">', page))


def field_error(page: str, field_id: str) -> str | None:
    match = re.search(rf'id="{field_id}-error">([^<]*)<', page)
    return html.unescape(match.group(1)) if match else None


def input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', page
    )
    return html.unescape(match.group(1)) if match else None


def textarea_value(page: str, name: str) -> str | None:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\s*([^<]*)</textarea>', page)
    return html.unescape(match.group(1)) if match else None


def episodes_of(app, patient) -> list[Episode]:
    with app.app_context():
        stmt = select(Episode).filter_by(patient_id=patient.id).order_by(Episode.id)
        return db.session.scalars(stmt).all()


def count_episodes(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Episode))


def ticked(page: str, name: str, value: str = "y") -> bool | None:
    """Whether the checkbox ``name`` with ``value`` is ticked (None when it is not there)."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return re.search(r"\schecked[\s>=]", tag) is not None
    return None


def base(patient) -> str:
    return f"/patients/{patient.id}/episodes"
