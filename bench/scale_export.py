"""The clinic-wide CSV export timed beside the database's own tool (bench/scale.py).

Ours: the clinic-wide download (``/exports/sessions.csv``, the clinic's whole history) from
the benchmark's server, timed from the request to the last byte, while the other workers
idle; it and the tool run one after the other, twice, and the best time of each counts. Its
memory is the highest resident set of any server worker sampled every 20 ms during the
downloads (``flask export sessions`` streams the same ``CsvStream``).

The database's: ``sqlite3 -csv`` or ``psql \\copy`` of the same rows, one a session with the
same columns (the points and techniques gathered per session with ``group_concat`` or
``string_agg``), in the same run on the same data. ``ratio`` is its time over ours: 1.0 is
as fast as the database's own dump. What the tool's query leaves out: the words in the
reader's language, amendments applied to the pain scores, the formula guard.
"""

import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.config import normalise_database_url  # noqa: E402

# Ours and the tool's, one after the other, this many times, the best of each: a shared host's
# speed can change by half within minutes, and a ratio of two times taken at different
# moments would measure that as much as the export.
ROUNDS = 2


def measure(url: str, summary: dict, port: int, cookie: str, server_pid: int,
            rounds: int = ROUNDS) -> dict:
    first, last, zone = history(url, summary["clinic_id"])
    folder = Path(tempfile.mkdtemp())
    try:
        ours = folder / "ours.csv"
        sampler = _MemorySampler(server_pid)
        seconds = tool_seconds = float("inf")
        with sampler:
            for _round in range(rounds):
                started = time.perf_counter()
                _download(port, cookie, f"/exports/sessions.csv?from={first}&to={last}", ours)
                seconds = min(seconds, time.perf_counter() - started)
                tool, took, tool_rows = _database_tool(url, summary["clinic_id"], zone,
                                                       folder / "tool.csv")
                tool_seconds = min(tool_seconds, took)
        rows = _lines(ours) - 1
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
    return {"rows": rows, "seconds": round(seconds, 2), "db_tool": tool,
            "sqlite3_seconds": round(tool_seconds, 2), "db_tool_rows": tool_rows,
            "ratio": round(tool_seconds / seconds, 3),
            "peak_rss_mb": round(sampler.peak_kib / 1024, 1)}


def _download(port: int, cookie: str, path: str, out: Path) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"the export answered {response.status}")
    with out.open("wb") as file:
        while chunk := response.read(1 << 16):
            file.write(chunk)
    connection.close()


class _MemorySampler:
    """The highest resident memory (KiB) of the server's workers while the block runs."""

    def __init__(self, master_pid: int):
        self.master_pid, self.peak_kib = master_pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            for pid in _children(self.master_pid):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                found = re.search(r"VmRSS:\s+(\d+) kB", status)
                if found:
                    self.peak_kib = max(self.peak_kib, int(found.group(1)))


def _children(pid: int) -> list[int]:
    try:
        listing = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in listing.split()]


def history(url: str, clinic_id: int) -> tuple[str, str, str]:
    """The clinic's first and last session dates (in its zone) and the zone's name."""
    engine = create_engine(normalise_database_url(url))
    with engine.connect() as connection:
        zone = connection.scalar(text("SELECT timezone FROM clinics WHERE id = :id"),
                                 {"id": clinic_id})
        first, last = connection.execute(text(
            "SELECT min(started_at), max(started_at) FROM treatment_sessions "
            "WHERE clinic_id = :id"), {"id": clinic_id}).one()
    engine.dispose()

    def local_day(moment) -> str:
        moment = datetime.fromisoformat(str(moment))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo("UTC"))
        return moment.astimezone(ZoneInfo(zone)).date().isoformat()

    return local_day(first), local_day(last), zone


def _timed(command: list[str], env: dict, stdout=None) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=stdout or subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{command[0]} failed: {process.stderr.read().decode()[-2000:]}")
    process.stderr.close()
    return seconds, usage.ru_maxrss


def _lines(path: Path) -> int:
    """CSV records, counting a quoted cell's line breaks as one record."""
    import csv
    with path.open(newline="", encoding="utf-8") as file:
        return sum(1 for _ in csv.reader(file))


def _database_tool(url: str, clinic_id: int, zone: str, out: Path) -> tuple[str, float, int]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        offset = datetime.now(ZoneInfo(zone)).utcoffset().total_seconds() / 3600
        query = SQLITE_QUERY.format(clinic=int(clinic_id), offset=f"{offset:+.0f} hours")
        with out.open("w") as file:
            seconds, _ = _timed(["sqlite3", "-csv", "-header", parsed.database, query],
                                env=os.environ, stdout=file)
        return "sqlite3 -csv", seconds, _lines(out) - 1
    query = POSTGRESQL_QUERY.format(clinic=int(clinic_id), zone=zone.replace("'", ""))
    target = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    seconds, _ = _timed(["psql", target, "-q", "-c",
                         f"\\copy ({query}) TO '{out}' WITH (FORMAT csv, HEADER)"],
                        env=os.environ)
    return "psql \\copy", seconds, _lines(out) - 1


# One row a session, with the columns of the sessions-mode CSV (docs/export-formats.md); the
# two databases' queries differ only in their functions.
SESSIONS_OF_CLINIC = """
FROM treatment_sessions s
JOIN patients p ON p.id = s.patient_id
JOIN episodes e ON e.id = s.episode_id
JOIN users u ON u.id = s.practitioner_id
LEFT JOIN users signer ON signer.id = s.signed_by_id
WHERE s.clinic_id = {clinic}
ORDER BY s.started_at, s.id
"""
SQLITE_QUERY = """
SELECT s.id, p.chart_number, p.family_name || ' ' || p.given_name,
  date(s.started_at, '{offset}'), strftime('%H:%M', s.started_at, '{offset}'), s.status,
  u.name, e.chief_complaint,
  (SELECT group_concat(coalesce(pt.code, 'Ashi') || '(' || upper(substr(a.laterality, 1, 1))
     || ')', ' ') FROM point_applications a LEFT JOIN points pt ON pt.id = a.point_id
   WHERE a.session_id = s.id),
  s.needles_inserted, s.retention_minutes,
  (SELECT group_concat(j.kind || ' ' || coalesce(j.minutes, '') || ' min ' || j.sites, '; ')
   FROM adjuncts j WHERE j.session_id = s.id),
  s.pain_before, s.pain_after,
  (SELECT group_concat(v.code || ' (' || v.severity || '): ' || v.description, '; ')
   FROM adverse_events v WHERE v.session_id = s.id),
  strftime('%Y-%m-%d %H:%M', s.signed_at, '{offset}'), signer.name
""" + SESSIONS_OF_CLINIC

POSTGRESQL_QUERY = """
SELECT s.id, p.chart_number, p.family_name || ' ' || p.given_name,
  to_char(s.started_at AT TIME ZONE '{zone}', 'YYYY-MM-DD'),
  to_char(s.started_at AT TIME ZONE '{zone}', 'HH24:MI'), s.status, u.name,
  e.chief_complaint,
  (SELECT string_agg(coalesce(pt.code, 'Ashi') || '(' || upper(left(a.laterality, 1)) || ')',
     ' ' ORDER BY a.position) FROM point_applications a LEFT JOIN points pt
     ON pt.id = a.point_id WHERE a.session_id = s.id),
  s.needles_inserted, s.retention_minutes,
  (SELECT string_agg(j.kind || ' ' || coalesce(j.minutes::text, '') || ' min ' || j.sites,
     '; ' ORDER BY j.position) FROM adjuncts j WHERE j.session_id = s.id),
  s.pain_before, s.pain_after,
  (SELECT string_agg(v.code || ' (' || v.severity || '): ' || v.description, '; ')
   FROM adverse_events v WHERE v.session_id = s.id),
  to_char(s.signed_at AT TIME ZONE '{zone}', 'YYYY-MM-DD HH24:MI'), signer.name
""" + SESSIONS_OF_CLINIC
