"""A synthetic clinic group at a chosen scale, for the benchmarks, straight into an empty
SQLite or PostgreSQL database with bulk inserts.

    .venv/bin/python bench/generate.py --scale quick|full|tiny [--database URL] [--seed N]

Without ``--database`` it writes a new temporary SQLite file (its URL is printed). For
PostgreSQL give an empty database: ``psql -h 127.0.0.1 -U root -d postgres -c 'CREATE
DATABASE bench_gen'`` then ``--database postgresql://root@127.0.0.1:5432/bench_gen``. The
summary (logins, the busiest patient, counts, seconds) is printed as JSON; from Python,
``generate(url, scale, seed)`` returns it.

| scale | practitioners | patients | sessions | point rows (about) |
|---|---|---|---|---|
| tiny (tests) | 2 | 40 | 400 | 5,000 |
| quick | 2 | 2,000 | 25,000 | 300,000 |
| full | 20 | 20,000 | 250,000 | 3,000,000 |

One clinic, "Bench clinic group" (Asia/Tokyo), with the practitioners, one admin and one
reception account, all with the password ``bench-password`` (hashed once, with the app's
own Argon2id parameters) and ``practitioner01@bench.test`` ... ``admin@bench.test``,
``reception@bench.test`` as logins. Every patient has consent, one to three episodes of care
with an intake and the intake's scores, and sessions: 8 to 16 catalog points a session,
cupping, electroacupuncture and moxibustion, pain before and after, signed notes (a few
recent drafts), amendments (1 in 40), minor adverse events (1 in 200), the cautions the engine
shows for needles over the lung, and a function score (RMDQ or PSFS) at intake and every 4 to
6 sessions. bench/generate_plan.py describes the distributions, bench/generate_rows.py how
each row is made like the app's services make it (bench/generate_texts.py: names and
phrases), bench/generate_db.py the loading.

No audit-log rows are written for the generated history: no page reads the history from the
audit log (it only appends to it), and the edit-conflict page, the one reader, names who
changed a record only when there is a conflict on it. The app audits everything done from
then on as usual.
"""

import argparse
import json
import queue
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from generate_db import Table, encoders_for, loader_for  # noqa: E402
from generate_plan import BUSIEST, HISTORY_DAYS, ZONE, plan_clinic  # noqa: E402
from generate_rows import ALL_POINT_CODES, TUPLE_COLUMNS, RowMaker  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.auth.models import User  # noqa: E402
from tracker.auth.passwords import hash_password  # noqa: E402
from tracker.clinics.models import Clinic  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.patients.models import Patient  # noqa: E402
from tracker.points.models import Point  # noqa: E402
from tracker.points.services import load_catalog  # noqa: E402


@dataclass(frozen=True)
class Scale:
    practitioners: int
    patients: int
    sessions: int


SCALES = {
    "tiny": Scale(practitioners=2, patients=40, sessions=400),
    "quick": Scale(practitioners=2, patients=2_000, sessions=25_000),
    "full": Scale(practitioners=20, patients=20_000, sessions=250_000),
}
PASSWORD = "bench-password"  # nosec B105: a published benchmark login, like the demo's
CLINIC_NAME = "Bench clinic group"
CHART_PREFIX = "B"
BATCH = 10_000  # sessions written per transaction, with their rows
PRACTITIONER_NAMES = (
    "Haruka Aoki", "Kenji Mori", "Yui Sakamoto", "Takeshi Ono", "Mika Fujii", "Ryo Ishida",
    "Aya Nomura", "Daiki Ueda", "Emi Kato", "Sho Hayashi", "Nao Kimura", "Yuto Ogawa",
    "Rina Matsuda", "Kaito Shimizu", "Saki Endo", "Jun Takeda", "Mei Arai", "Sora Kondo",
    "Hana Murata", "Riku Sugiyama",
)
SESSION_TABLES = ("treatment_sessions", "point_applications", "adjuncts", "session_cautions",
                  "amendments", "adverse_events", "outcome_assessments")
LOADED_TABLES = ("patients", "consents", "episodes", *SESSION_TABLES)


def generate(url: str, scale: str = "quick", seed: int = 1, progress=print, *,
             today: date | None = None) -> dict:
    """Migrate the EMPTY database at ``url``, load the point catalog and generate the clinic
    group at ``scale`` (a key of ``SCALES``); the summary the benchmarks read."""
    began = time.perf_counter()
    shape = SCALES[scale]
    today = today or datetime.now(ZONE).date()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        load_catalog()
        if db.session.scalar(select(func.count(Clinic.id))) or db.session.scalar(
                select(func.count(Patient.id))):
            raise RuntimeError(f"{url} is not empty: generate into a new database")
        clinic, staff = _clinic_and_staff(shape, today)
        db.session.commit()
        progress(f"planning {shape.patients:,} patients and {shape.sessions:,} sessions")
        people = plan_clinic(random.Random(seed), practitioners=shape.practitioners,
                             patients=shape.patients, sessions=shape.sessions, today=today)
        courses, visits = _number(people, _first_ids())
        maker = _row_maker(seed, clinic, staff)
        summary = _load(people, courses, visits, maker, progress)
        busiest = next(p for p in people if sum(len(c.visits) for c in p.courses) == BUSIEST)
        db.session.remove()
        db.engine.dispose()
    return {
        "scale": scale, "db": "postgresql" if url.startswith("postgres") else "sqlite",
        "data": summary, "clinic_id": clinic.id, "clinic_name": clinic.name,
        "password": PASSWORD,
        "logins": {"practitioners": [user.email for user in staff["practitioners"]],
                   "admin": staff["admin"].email, "reception": staff["reception"].email},
        "busiest_patient_id": busiest.id,
        "busiest_episode_id": next(c.id for c in busiest.courses if c.open),
        "seconds": round(time.perf_counter() - began, 1),
    }


def _clinic_and_staff(shape: Scale, today: date) -> tuple[Clinic, dict]:
    """The clinic and its accounts, complete as the staff pages make them: one hash."""
    opened = datetime.combine(today - timedelta(days=HISTORY_DAYS + 30), datetime.min.time(),
                              UTC)
    clinic = Clinic(name=CLINIC_NAME, timezone=str(ZONE), chart_prefix=CHART_PREFIX,
                    address="1-2-3 Shinjuku, Shinjuku-ku, Tokyo 160-0022",
                    phone="03-0000-0000", email="front-desk@bench.test",
                    next_chart_number=shape.patients + 1, created_at=opened)
    password_hash = hash_password(PASSWORD)

    def account(email, name, role, **background):
        user = User(clinic=clinic, email=email, name=name, role=role, active=True,
                    password_hash=password_hash, created_at=opened,
                    password_changed_at=opened, **background)
        db.session.add(user)
        return user

    practitioners = [
        account(f"practitioner{n + 1:02d}@bench.test", PRACTITIONER_NAMES[n % 20], "practitioner",
                qualification="Licensed acupuncturist and moxibustionist (Japan, はり師・きゅう師)",
                practising_since=1995 + (n * 7) % 24,
                training="JSAM electroacupuncture course" if n % 3 else "")
        for n in range(shape.practitioners)]
    admin = account("admin@bench.test", "Chiyo Yamane", "admin",
                    qualification="Licensed acupuncturist (Japan)", practising_since=1990)
    reception = account("reception@bench.test", "Asuka Mizuno", "reception")
    db.session.add(clinic)
    db.session.flush()
    return clinic, {"practitioners": practitioners, "admin": admin, "reception": reception}


def _first_ids() -> dict[str, int]:
    """The next free id of each table the load fills (all 1 in an empty database)."""
    metadata = db.Model.metadata
    return {name: (db.session.scalar(select(func.max(metadata.tables[name].c.id))) or 0) + 1
            for name in LOADED_TABLES}


def _number(people, first_ids: dict) -> tuple[list, list]:
    """Ids in the order things happened, as a clinic's database numbers them: patients by
    their first visit, episodes by intake, sessions by start (a patient's rows are spread
    through the tables, not side by side)."""
    for offset, person in enumerate(people):
        person.id = first_ids["patients"] + offset
    courses = sorted((c for p in people for c in p.courses),
                     key=lambda c: (c.visits[0].started_at, c.patient.id))
    for offset, course in enumerate(courses):
        course.id = first_ids["episodes"] + offset
    visits = sorted((v for c in courses for v in c.visits),
                    key=lambda v: (v.started_at, v.episode.id))
    for offset, visit in enumerate(visits):
        visit.id = first_ids["treatment_sessions"] + offset
    return courses, visits


def _row_maker(seed: int, clinic: Clinic, staff: dict) -> RowMaker:
    points = {p.code: p for p in db.session.scalars(
        select(Point).where(Point.code.in_(ALL_POINT_CODES)))}
    missing = ALL_POINT_CODES - points.keys()
    if missing:
        raise RuntimeError(f"points missing from the catalog: {sorted(missing)}")
    practitioners = staff["practitioners"]
    backgrounds: dict[tuple[int, int], str] = {}

    def background(index: int, day: date) -> str:
        # STRICTA 5 as the note was signed: the years in practice at that date.
        key = (index, day.year)
        if key not in backgrounds:
            backgrounds[key] = practitioners[index].background_on(day)
        return backgrounds[key]

    # Its own stream: the plan stays the same whatever the rows draw.
    return RowMaker(random.Random(f"rows-{seed}"), clinic_id=clinic.id,
                    chart_prefix=clinic.chart_prefix, reception=staff["reception"],
                    practitioners=practitioners, points=points, background=background,
                    first_ids=_first_ids(), now=datetime.now(UTC),
                    encoders=encoders_for(db.engine.dialect.name))


def _load(people, courses, visits, maker: RowMaker, progress) -> dict:
    """Write everything, a batch of sessions per transaction; the counts written. The rows
    of the next batch are built while a thread writes the last one (the drivers let go of
    the interpreter while the database works: both cores busy)."""
    engine = db.engine
    tables = {name: Table(db.Model.metadata.tables[name], engine.dialect.name)
              for name in LOADED_TABLES}
    for name, columns in TUPLE_COLUMNS.items():
        tables[name].check_left_out(columns)
    db.session.close()  # the writer works on a connection of its own
    writer = _Writer(engine, tables)
    try:
        writer.put(maker.patient_rows(people))
        writer.put(maker.course_rows(courses))
        for start in range(0, len(visits), BATCH):
            writer.put(maker.visit_rows(visits[start:start + BATCH]))
            done = min(start + BATCH, len(visits))
            if done % (5 * BATCH) == 0 or done == len(visits):
                progress(f"{done:,} sessions, {maker.written('point_applications'):,} "
                         "point rows")
    except BaseException:
        writer.abort()
        raise
    progress("statistics (ANALYZE; VACUUM too on PostgreSQL)")
    writer.close()
    return {"patients": len(people), "sessions": len(visits),
            "point_applications": maker.written("point_applications")}


_ABORT = object()


class _Writer:
    """Writes batches of rows (table name -> rows) in a thread of its own, one transaction
    each; a failure there is raised here, at the next batch or at the end."""

    def __init__(self, engine, tables: dict):
        self._tables, self._error = tables, None
        self._batches: queue.Queue = queue.Queue(maxsize=2)
        self._thread = threading.Thread(target=self._run, args=(engine,), daemon=True)
        self._thread.start()

    def put(self, rows: dict) -> None:
        while True:
            self._raise_if_failed()
            try:
                self._batches.put(rows, timeout=1)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        self.put(None)
        self._thread.join()
        self._raise_if_failed()

    def abort(self) -> None:
        """The rows could not be made: the writer rolls back its batch and puts the
        triggers back (SQLite) before the error goes on."""
        while self._thread.is_alive():
            try:
                self._batches.put(_ABORT, timeout=1)
                break
            except queue.Full:
                continue
        self._thread.join()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise RuntimeError("writing the generated rows failed") from self._error

    def _run(self, engine) -> None:
        loader = None
        try:
            loader = loader_for(engine)  # made here: a connection stays in its thread
            while (rows := self._batches.get()) is not None:
                if rows is _ABORT:
                    loader.finish(LOADED_TABLES, failed=True)
                    return
                for name, table_rows in rows.items():
                    if name in TUPLE_COLUMNS:
                        loader.insert_tuples(name, TUPLE_COLUMNS[name], table_rows)
                    else:
                        loader.insert(self._tables[name], table_rows)
                loader.commit()
            loader.finish(LOADED_TABLES)
        except BaseException as error:  # handed to the generating thread
            self._error = error
            if loader is not None:
                loader.finish(LOADED_TABLES, failed=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=tuple(SCALES), default="quick")
    parser.add_argument("--database", help="an empty database's URL (default: a new "
                                           "temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/bench.sqlite"
    print(f"generating the {args.scale} clinic group into {url}", flush=True)
    summary = generate(url, args.scale, args.seed,
                       progress=lambda text: print(text, flush=True))
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
