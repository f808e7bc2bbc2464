"""The generated data as the benchmark reads it (bench/scale.py): counts, the patients to
save sessions for, and a valid new-session form."""

import sys
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.config import normalise_database_url  # noqa: E402

# A session as a practitioner saves it at the table: twelve point rows (six points on both
# sides, none with a caution for the generated patients), retention, needle count, cupping.
SAVED_POINTS = ("ST36", "GB34", "LI11", "LI4", "LR3", "KI3")


def data_counts(url: str) -> dict:
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        counts = {name: connection.scalar(text(f"SELECT count(*) FROM {table}"))  # nosec B608
                  for name, table in (("patients", "patients"),
                                      ("sessions", "treatment_sessions"),
                                      ("point_applications", "point_applications"))}
    engine.dispose()
    return counts


def sample(url: str, sql: str, **params) -> list:
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        rows = connection.execute(text(sql), params).all()
    engine.dispose()
    return rows


def open_cases(url: str, clinic_id: int, limit: int = 200, *,
               leaving_out: int | None = None) -> list[tuple[int, int]]:
    """(patient, open episode) pairs to save sessions for, spread over the clinic, but for the
    patient ``leaving_out``: the busiest, whose pages are measured. Saved to, its course grew
    a draft or more with every run of the same data (``--reuse``), so its progress page was
    not the same page from one run to the next."""
    return [tuple(row) for row in sample(
        url, "SELECT patient_id, min(id) FROM episodes WHERE clinic_id = :clinic AND "
             "closed_on IS NULL AND patient_id <> :leaving_out GROUP BY patient_id "
             "ORDER BY patient_id LIMIT :limit",
        clinic=clinic_id, limit=limit, leaving_out=leaving_out or 0)]


def session_form(episode_id: int, day: str, hour: int) -> dict:
    """The fields of a valid new session (``day`` in the clinic's zone)."""
    data = {"action": "save", "episode_id": str(episode_id), "session_date": day,
            "start_time": f"{hour:02d}:00", "inserted_time": f"{hour:02d}:05",
            "removed_time": f"{hour:02d}:25", "needle_type": "filiform",
            "needle_material": "stainless", "quick_entry": "",
            "needles_inserted": str(2 * len(SAVED_POINTS)),
            "needles_removed": str(2 * len(SAVED_POINTS)), "pain_before": "6",
            "pain_after": "3", "adjuncts-0-kind": "cupping", "adjuncts-0-minutes": "10",
            "adjuncts-0-sites": "upper back", "adjuncts-0-cupping_method": "dry",
            "adjuncts-0-cups": "4"}
    rows = [(code, side) for code in SAVED_POINTS for side in ("left", "right")]
    for index, (code, side) in enumerate(rows):
        data.update({f"points-{index}-code": code, f"points-{index}-laterality": side,
                     f"points-{index}-depth_unit": "mm", f"points-{index}-stimulation": "manual"})
    return data
