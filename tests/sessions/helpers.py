"""The session form as the browser posts it, and readers of the session pages. Sessions
themselves are recorded by ``tests.factories``."""

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.pages import checked_radio, input_value
from tracker.extensions import db
from tracker.sessions.models import TreatmentSession


def count_sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(TreatmentSession))


def rows_data(prefix: str, rows: list[dict]) -> dict:
    """Form-list rows as posted: ``points-0-code`` ..."""
    return {
        f"{prefix}-{i}-{name}": value for i, row in enumerate(rows) for name, value in row.items()
    }


def point_row(code="", laterality="", **fields) -> dict:
    row = {
        "code": code,
        "laterality": laterality,
        "depth_unit": "mm",
        "stimulation": "manual",
        "deqi_sought": "y",
    }
    row.update(fields)
    return row


def session_form(points=None, adjuncts=None, **overrides) -> dict:
    """A complete, valid session form (action=save) for the example rows, 5 needles."""
    if points is None:
        points = [
            point_row("BL23", "bilateral"),
            point_row("GV6", "midline"),
            point_row("LI4", "left"),
            point_row("", "left", custom_label="left T7 paraspinal", region="upper_back",
                      level="T7"),
        ]
    data = {
        "action": "save",
        "episode_id": "",
        "session_date": "2026-11-20",
        "start_time": "10:00",
        "needle_type": "filiform",
        "needle_material": "stainless",
        "quick_entry": "",
        "inserted_time": "10:05",
        "removed_time": "10:30",
        "needles_inserted": "5",
        "needles_removed": "5",
        "pain_before": "7",
        "pain_after": "4",
        **rows_data("points", points),
        **rows_data("adjuncts", adjuncts or []),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def point_codes_on_form(page: str) -> list[tuple[str, str]]:
    """(code, side) of each point row of a rendered session form, in order."""
    rows = []
    index = 0
    while (code := input_value(page, f"points-{index}-code")) is not None:
        rows.append((code, checked_radio(page, f"points-{index}-laterality")))
        index += 1
    return rows


def yesterday(days=1) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


def complete_session_fields() -> dict:
    """``session_form`` overrides filling in every field of the session form."""
    points = [
        point_row("BL23", "bilateral", depth="25", angle="perpendicular", gauge_mm="0.25",
                  length_mm="40", technique="even", deqi_obtained="yes", stimulation="electrical"),
        point_row("LI4", "left", depth="0.5", depth_unit="cun", angle="oblique",
                  technique="reducing", deqi_obtained="no", retention_minutes="15"),
        point_row("GV6", "midline", deqi_sought=None),
        point_row("", "left", custom_label="left T7 paraspinal", region="upper_back",
                      level="T7"),
    ]
    adjuncts = [
        {"kind": "cupping", "cupping_method": "dry", "cups": "4", "cupping_marks": "light",
         "minutes": "10", "sites": "upper back"},
        {"kind": "electroacupuncture", "ea_pairs": "BL23-LI4", "ea_frequency_hz": "2",
         "ea_frequency_2_hz": "100", "ea_waveform": "dense_disperse", "ea_intensity_ma": "1.5",
         "minutes": "20"},
    ]
    return {
        "points": points, "adjuncts": adjuncts, "needle_brand": "Seirin J-type",
        "needle_lot": "LOT-117", "needle_gauge_mm": "0.20", "needle_length_mm": "30",
        "sensations": ["warmth", "relaxation"], "subjective": "Stiff after desk work",
        "objective": "Tender T7", "tongue": "Pale, thin white coat", "pulse": "Wiry",
        "assessment": "Qi stagnation", "plan": "Weekly for 6 weeks",
        "advice": ["posture", "breaks"], "advice_notes": "Walk daily",
        "next_visit_on": "2026-11-27",
    }
