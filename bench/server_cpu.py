"""The CPU time the server spends on each request of a page's run: the app (gunicorn's master
and workers, one process group) and, for PostgreSQL, the database server (every process of
the ``postgres`` user), read from /proc before and after the run.

Latency at 8 clients is set by it: on a machine of 2 cores shared by the clients, the app
and the database, a page whose requests cost C ms of CPU can answer at most 2000 / C a
second, and each of 8 clients then waits about 8 x C / 2 ms. A page under 100 ms at p95
needs roughly C under 15 ms; this figure says how far a page is from that on the machine of
the run, where the latencies alone mix the page's cost with the machine's speed.
"""

import os
import pwd
from pathlib import Path

PROC = Path("/proc")


class CpuMeter:
    """``start()``, run the load, then ``per_request(requests)``: CPU ms a request, app and
    database, or None where /proc is not there (not Linux)."""

    def __init__(self, server_group: int, database_user: str | None):
        self.server_group = server_group
        self.database_uid = _uid(database_user) if database_user else None
        self._started: dict[int, tuple[str, float]] | None = None

    def start(self) -> None:
        self._started = self._read() if PROC.exists() else None

    def per_request(self, requests: int) -> dict | None:
        if self._started is None or not requests:
            return None
        # Process by process: one that ended during the run takes its time with it (its
        # last reading is lost), one that started counts from nothing. Summing totals
        # instead, an ended process made a run's figure negative.
        spent = {"app": 0.0, "database": 0.0}
        for pid, (kind, seconds) in self._read().items():
            before_kind, before = self._started.get(pid, (kind, 0.0))
            if before_kind == kind:  # not a number reused by another process
                spent[kind] += max(seconds - before, 0.0)
        return {kind: round(seconds * 1000 / requests, 1) for kind, seconds in spent.items()}

    def _read(self) -> dict[int, tuple[str, float]]:
        """Each process of the server's group ("app") or of the database's user
        ("database"), with its CPU seconds so far."""
        tick = os.sysconf("SC_CLK_TCK")
        found = {}
        for entry in PROC.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                # Fields after the command's closing parenthesis: state, ppid, pgrp, ...
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                owner = entry.stat().st_uid
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue  # ended meanwhile
            seconds = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
            if int(fields[2]) == self.server_group:
                found[int(entry.name)] = ("app", seconds)
            elif self.database_uid is not None and owner == self.database_uid:
                found[int(entry.name)] = ("database", seconds)
        return found


def _uid(user: str) -> int | None:
    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None
