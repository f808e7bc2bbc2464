"""Memory of the clinic-wide CSV export as the clinic grows: a generated clinic of 250,000
sessions (bulk inserts; a few minutes), then the export of its first 10,000 sessions and of
all of them, each in a fresh process, sessions mode and points mode. Memory flat means the
peak is the same whatever the number of rows.

    .venv/bin/python bench/export_memory.py [--sessions 250000] [--sizes 10000,250000]
        [--database postgresql://root@127.0.0.1:5432/<empty db>]

Reported per export: rows, size, seconds, the tracemalloc peak (Python allocations during
the export) and the process's resident memory at the start and at its highest during the
export (sampled after every batch). ``add_sessions`` is also the slow
memory test's data (tests/exports/test_csv_memory.py).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import bindparam, insert, select, update  # noqa: E402

from tracker.dates import clinic_date  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.points.models import Point  # noqa: E402
from tracker.safety.models import AdverseEvent  # noqa: E402
from tracker.sessions.models import (  # noqa: E402
    Adjunct,
    Amendment,
    PointApplication,
    TreatmentSession,
)

ZONE = "Asia/Tokyo"
FIRST = datetime(2016, 1, 4, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
EVERY = timedelta(minutes=20)  # 250,000 sessions: 9.5 years, inside the ten the export takes
SESSIONS_PER_PATIENT = 100
POINTS = (("LI4", "left"), ("ST36", "bilateral"), ("BL23", "bilateral"), ("GV20", "midline"))


def add_sessions(*, clinic_id: int, practitioner_id: int, cases: list[tuple[int, int]],
                 count: int, first: datetime = FIRST, every: timedelta = EVERY,
                 batch: int = 5000) -> None:
    """Insert ``count`` sessions ``every`` apart from ``first``, shared round the ``cases``
    (patient id, episode id), each with four point rows; every second one signed, every
    tenth with cupping, every 50th with an adverse event, every 40th with an amendment.
    Core bulk inserts in their own transactions, ``batch`` sessions at a time."""
    with db.engine.begin() as connection:
        point_ids = dict(connection.execute(
            select(Point.code, Point.id).where(Point.code.in_([c for c, _ in POINTS]))).all())
    for offset in range(0, count, batch):
        numbers = range(offset, min(offset + batch, count))
        with db.engine.begin() as connection:
            _add_batch(connection, numbers, clinic_id, practitioner_id, cases, first, every,
                       point_ids)


def _add_batch(connection, numbers, clinic_id, practitioner_id, cases, first, every,
               point_ids) -> None:
    sessions = [{
        "clinic_id": clinic_id, "patient_id": cases[n % len(cases)][0],
        "episode_id": cases[n % len(cases)][1], "practitioner_id": practitioner_id,
        "started_at": first + n * every, "status": "draft", "retention_minutes": 20,
        "needles_inserted": 6, "needles_removed": 6, "pain_before": 6, "pain_after": 3,
    } for n in numbers]
    ids = connection.execute(insert(TreatmentSession).returning(
        TreatmentSession.id, sort_by_parameter_order=True), sessions).scalars().all()
    connection.execute(insert(PointApplication), [
        {"session_id": sid, "position": position, "point_id": point_ids[code],
         "laterality": side}
        for sid in ids for position, (code, side) in enumerate(POINTS)])
    tenth = [(n, sid) for n, sid in zip(numbers, ids, strict=True) if n % 10 == 0]
    if tenth:
        connection.execute(insert(Adjunct), [
            {"session_id": sid, "position": 0, "kind": "cupping", "minutes": 10,
             "sites": "upper back", "params": {"cupping_method": "dry", "cups": 4}}
            for _n, sid in tenth])
    signed = [(n, sid, row) for n, sid, row in zip(numbers, ids, sessions, strict=True)
              if n % 2 == 0]
    connection.execute(
        update(TreatmentSession).where(TreatmentSession.id == bindparam("sid"))
        .values(status="signed", signed_at=bindparam("at"), signed_by_id=practitioner_id)
        .execution_options(synchronize_session=False),
        [{"sid": sid, "at": row["started_at"] + timedelta(minutes=40)}
         for _n, sid, row in signed])
    amended = [(sid, row) for n, sid, row in signed if n % 40 == 0]
    if amended:
        connection.execute(insert(Amendment), [
            {"session_id": sid, "author_id": practitioner_id, "reason": "Typo",
             "created_at": row["started_at"] + timedelta(hours=2),
             "changes": [{"field": "pain_after", "label": "Pain after", "old": 3, "new": 2}]}
            for sid, row in amended])
    events = [(sid, row) for n, sid, row in zip(numbers, ids, sessions, strict=True)
              if n % 50 == 0]
    if events:
        connection.execute(insert(AdverseEvent), [
            {"clinic_id": clinic_id, "patient_id": row["patient_id"], "session_id": sid,
             "category": "local", "code": "bleeding", "severity": "minor",
             "onset_at": row["started_at"], "description": "Pressed, stopped",
             "recorded_by_id": practitioner_id}
            for sid, row in events])


# --- the bench -----------------------------------------------------------------------------

def _app(url: str):
    from tracker import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})


def build(url: str, sessions: int) -> int:
    """Migrate, load the catalog, and generate the clinic: its id."""
    from flask_migrate import upgrade

    from tracker.auth.services import create_user
    from tracker.clinics.services import create_clinic
    from tracker.intake.services import blank_intake, open_episode
    from tracker.patients.services import create_patient
    from tracker.points.services import load_catalog

    app = _app(url)
    with app.app_context():
        upgrade()
        load_catalog()
        clinic = create_clinic("Bench clinic", timezone=ZONE, chart_prefix="B")
        practitioner = create_user(clinic, email="bench@example.test", name="Bench",
                                   role="practitioner", password="bench-password-1")
        cases = []
        for n in range(max(1, sessions // SESSIONS_PER_PATIENT)):
            patient = create_patient(clinic, actor=practitioner, family_name=f"山田{n}",
                                     given_name="太郎")
            episode = open_episode(patient, practitioner=practitioner, values={
                **blank_intake(), "opened_on": date(2016, 1, 1), "chief_complaint": "腰痛",
                "body_region": "lumbar", "side": "bilateral", "baseline_nrs": 7})
            cases.append((patient.id, episode.id))
        db.session.commit()
        add_sessions(clinic_id=clinic.id, practitioner_id=practitioner.id, cases=cases,
                     count=sessions)
        return clinic.id


def measure(url: str, clinic_id: int, start: date, end: date, points: bool) -> dict:
    """One export, written nowhere (a byte count), in this process."""
    from tracker.exports.csv_export import CsvStream
    from tracker.exports.csv_queries import range_scope
    from tracker.exports.formats import ExportOptions

    app = _app(url)
    with app.app_context():
        db.session.get(Point, 1)  # the app warmed up: imports and the pool's first connection
        rss_start = rss_max = _rss_mib()
        tracemalloc.start()
        began = time.perf_counter()
        with app.test_request_context("/"):  # a reading context, as the command line's
            stream = CsvStream(range_scope(clinic_id, start, end, ZONE),
                               ExportOptions(points=points))
        size = 0
        with stream:
            for text, _rows in stream:
                size += len(text.encode("utf-8"))
                rss_max = max(rss_max, _rss_mib())
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"rows": stream.rows, "megabytes": round(size / 1e6, 1),
            "seconds": round(seconds, 1), "tracemalloc_peak_kib": peak // 1024,
            "rss_start_mib": round(rss_start), "rss_max_mib": round(rss_max)}


def _rss_mib() -> float:
    """The process's resident memory now (Linux), else its peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", help="an empty database's URL (default: temporary SQLite)")
    parser.add_argument("--sessions", type=int, default=250_000)
    parser.add_argument("--sizes", default="10000,250000")
    parser.add_argument("--measure", nargs=5, metavar=("URL", "CLINIC", "FROM", "TO", "POINTS"),
                        help=argparse.SUPPRESS)  # one export, in a fresh process
    args = parser.parse_args()
    if args.measure:
        url, clinic_id, start, end, points = args.measure
        print(json.dumps(measure(url, int(clinic_id), date.fromisoformat(start),
                                 date.fromisoformat(end), points == "1")))
        return
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/export-bench.sqlite"
    began = time.perf_counter()
    clinic_id = build(url, args.sessions)
    print(f"generated {args.sessions:,} sessions in {time.perf_counter() - began:.0f} s "
          f"on {url.split(':')[0]}")
    start = clinic_date(FIRST, ZONE)
    print("| mode | sessions asked | rows | MB | s | tracemalloc peak KiB "
          "| RSS MiB at start / highest during |")
    print("|---|---|---|---|---|---|---|")
    for points in ("0", "1"):
        for size in (int(s) for s in args.sizes.split(",")):
            end = clinic_date(FIRST + (min(size, args.sessions) - 1) * EVERY, ZONE)
            out = subprocess.run(
                [sys.executable, __file__, "--measure", url, str(clinic_id), start.isoformat(),
                 end.isoformat(), points], check=True, capture_output=True, text=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            print(f"| {'points' if points == '1' else 'sessions'} | {size:,} | "
                  f"{result['rows']:,} | {result['megabytes']} | {result['seconds']} | "
                  f"{result['tracemalloc_peak_kib']:,} | {result['rss_start_mib']} / "
                  f"{result['rss_max_mib']} |", flush=True)


if __name__ == "__main__":
    main()
