"""Building treatment sessions for tests: through the services (committed, like the factory
does) or as the form the browser posts, plus readers for what a page shows."""

import html
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.patients.models import Patient
from tracker.points.services import resolve_codes
from tracker.sessions.models import TreatmentSession
from tracker.sessions.services import record_session, sign_session

# The example, as rows: (code or None for Ashi, side, custom label, region, level).
EXAMPLE_ROWS = [
    ("BL23", "bilateral", ""),
    ("GV6", "midline", ""),
    ("LI4", "left", ""),
    (None, "left", "left T7 paraspinal", "upper_back", "T7"),
]


def point_dicts(rows) -> list[dict]:
    """``[("BL23", "bilateral"), (None, "left", "T7 paraspinal", "upper_back", "T7"), ...]``
    as service point rows."""
    points = resolve_codes([row[0] for row in rows if row[0]])
    return [
        {
            "point": points[row[0]] if row[0] else None,
            "laterality": row[1],
            "custom_label": row[2] if len(row) > 2 else "",
            "region": row[3] if len(row) > 3 else "",
            "level": row[4] if len(row) > 4 else "",
        }
        for row in rows
    ]


def complete_values(**overrides) -> dict:
    """Session-level values that, with points, make a signable note."""
    values = {
        "started_at": datetime(2026, 11, 20, 1, 0, tzinfo=UTC),
        "retention_minutes": 25,
        "needles_inserted": 5,
        "needles_removed": 5,
        "pain_before": 7,
        "pain_after": 4,
    }
    values.update(overrides)
    return values


def make_session(app, side: dict, *, rows=EXAMPLE_ROWS, adjuncts=(), sign=False, **values) -> int:
    """Record (and optionally sign) a session for ``side`` (``clinic_world["a"]``); its id."""
    with app.app_context():
        patient = db.session.get(Patient, side["patient"].id)
        episode = db.session.get(type(side["episode"]), side["episode"].id)
        practitioner = db.session.get(type(side["practitioner"]), side["practitioner"].id)
        visit = record_session(
            patient,
            episode,
            practitioner=practitioner,
            values=complete_values(**values),
            points=point_dicts(rows),
            adjuncts=list(adjuncts),
        )
        if sign:
            sign_session(visit, actor=practitioner)
        db.session.commit()
        return visit.id


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


def field_error(page: str, field_id: str) -> str | None:
    """The message shown next to a field (the element its aria-describedby names)."""
    match = re.search(rf'id="{re.escape(field_id)}-error">([^<]*)<', page)
    return html.unescape(match.group(1)) if match else None


def input_value(page: str, name: str) -> str | None:
    match = re.search(
        rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', page
    ) or re.search(rf'<input[^>]*value="([^"]*)"[^>]*name="{re.escape(name)}"', page)
    return html.unescape(match.group(1)) if match else None


def selected_option(page: str, name: str) -> str | None:
    select_html = re.search(
        rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S
    )
    if not select_html:
        return None
    chosen = re.search(
        r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select_html.group(1)
    )
    return next(filter(None, chosen.groups()), "") if chosen else None


def point_codes_on_form(page: str) -> list[tuple[str, str]]:
    """(code, side) of each point row of a rendered session form, in order."""
    rows = []
    index = 0
    while (code := input_value(page, f"points-{index}-code")) is not None:
        rows.append((code, selected_option(page, f"points-{index}-laterality")))
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
