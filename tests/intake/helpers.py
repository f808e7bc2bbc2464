"""Helpers shared by the intake page tests: form data as the browser posts it, the fields
with an error, and the episodes stored. Generic page readers are in ``tests.pages``."""

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


def episodes_of(app, patient) -> list[Episode]:
    with app.app_context():
        stmt = select(Episode).filter_by(patient_id=patient.id).order_by(Episode.id)
        return db.session.scalars(stmt).all()


def count_episodes(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Episode))


def base(patient) -> str:
    return f"/patients/{patient.id}/episodes"
