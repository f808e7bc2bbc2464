"""Pages under concurrent load, against a real server (gunicorn), on the demo data.

    .venv/bin/python bench/load.py                      # SQLite (a throw-away file)
    .venv/bin/python bench/load.py --database postgresql://root@127.0.0.1:5432/tracker_bench

It builds the database (migrations, catalog, demo data), starts gunicorn, logs in, and then:

1. drives each page with ``wrk`` (Debian package ``wrk``) with --clients connections for
   --duration seconds: p50 / p90 / p99 latency, requests per second, errors;
2. posts the largest session the form accepts (60 point rows, 20 techniques) over and over
   while another user reads the patient list: how long that reader waits at worst.

Results are printed and written to bench/results/load-<backend>.json. Nothing is asserted:
budgets are read from the figures (docs/performance.md).
"""

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {
    "healthz": "/healthz",
    "patient_list": "/patients/",
    "patient_search": "/patients/?q=yamada",
    "patient_page": "/patients/1",
    "session_form": "/patients/1/sessions/new",
}
LOGIN = ("practitioner@demo.test", "demo-password")
READER = ("admin@demo.test", "demo-password")


def build_database(url: str) -> None:
    """Migrate, load the catalog and the demo data, as `make run` does."""
    flask_commands(url, ["db", "upgrade"], ["points", "load"], ["seed-demo", "--if-empty"])


def flask_commands(url: str, *commands: list[str]) -> None:
    """Run each ``flask`` command (its arguments) on the database at ``url``, in turn."""
    env = {**os.environ, "DATABASE_URL": url, "TRACKER_ENV": "testing"}
    flask = [str(ROOT / ".venv/bin/flask"), "--app", "tracker"]
    for command in commands:
        subprocess.run(flask + command, env=env, check=True, capture_output=True)


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only",
           "TRACKER_SESSION_COOKIE_SECURE": "false", "TRACKER_ENV": "production"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def csrf_token(port: int, path: str, cookie: str = "") -> tuple[str, str]:
    """A form's CSRF token and the session cookie it belongs to."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    page = response.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    fresh = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
    return token.group(1), fresh or cookie


def login(port: int, account: tuple[str, str]) -> str:
    """The session cookie of a fresh login ("name=value")."""
    token, cookie = csrf_token(port, "/login")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/login", body=urlencode({"email": account[0],
                                                         "password": account[1],
                                                         "csrf_token": token}),
                       headers={"Content-Type": "application/x-www-form-urlencoded",
                                "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie") or ""
    if response.status != 302 or not cookie:
        raise RuntimeError(f"login failed: {response.status}")
    return cookie.split(";", 1)[0]


def wrk(port: int, path: str, cookie: str, clients: int, duration: int) -> dict:
    """p50/p90/p99 (ms), requests per second and errors, from wrk's latency report."""
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(clients), "-d", f"{duration}s", "--latency",
         "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True,
    ).stdout
    percentiles = {int(p): _ms(value, unit) for p, value, unit in
                   re.findall(r"^\s+(50|90|99)%\s+([\d.]+)(us|ms|s)", output, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", output)
    return {
        "p50_ms": percentiles.get(50), "p90_ms": percentiles.get(90),
        "p99_ms": percentiles.get(99),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "errors": (int(errors.group(1)) if errors else 0)
        + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


def _ms(value: str, unit: str) -> float:
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)


# Distal points with no caution for the demo patient: 20 codes on both sides (40 rows) and
# 20 tender spots on the leg make the 60 rows the form accepts, 60 needles.
LEG_AND_ARM_POINTS = ("ST36", "SP6", "GB34", "LR3", "KI3", "BL40", "BL57", "BL60", "ST40",
                      "SP9", "LI11", "LI10", "PC6", "HT7", "TE5", "LU7", "SP10", "ST44",
                      "GB39", "KI7")


def largest_session_form(episode_id: str) -> dict:
    """The biggest session the form accepts: 60 point rows and 20 techniques."""
    data = {"action": "save", "episode_id": episode_id, "session_date": "2026-11-20",
            "start_time": "10:00", "inserted_time": "10:05", "removed_time": "10:30",
            "needle_type": "filiform", "needle_material": "stainless", "quick_entry": "",
            "needles_inserted": "60", "needles_removed": "60",
            "pain_before": "5", "pain_after": "3"}
    rows = [{"code": code, "laterality": side} for code in LEG_AND_ARM_POINTS
            for side in ("left", "right")]
    rows += [{"code": "", "laterality": "left", "custom_label": f"tender spot {n}",
              "region": "lower_limb"} for n in range(20)]
    for index, row in enumerate(rows):
        data.update({f"points-{index}-{name}": value for name, value in row.items()})
        data.update({f"points-{index}-depth_unit": "mm", f"points-{index}-stimulation": "manual"})
    for index in range(20):
        data.update({f"adjuncts-{index}-kind": "tuina", f"adjuncts-{index}-minutes": "5",
                     f"adjuncts-{index}-sites": f"site {index}"})
    return data


def episode_on_form(port: int, path: str, cookie: str) -> str:
    """The id of the first episode offered on the new-session form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Cookie": cookie})
    page = connection.getresponse().read().decode()
    select = re.search(r'<select[^>]*name="episode_id"[^>]*>(.*?)</select>', page, re.S)
    return re.search(r'<option[^>]*value="(\d+)"', select.group(1)).group(1)


def reader_while_writing(port: int, duration: int) -> dict:
    """The patient list read by one user while another saves the largest session again and
    again: the reader's worst and 99th-percentile wait."""
    writer_cookie, reader_cookie = login(port, LOGIN), login(port, READER)
    token, writer_cookie = csrf_token(port, "/patients/1/sessions/new", writer_cookie)
    episode = episode_on_form(port, "/patients/1/sessions/new", writer_cookie)
    body = urlencode({**largest_session_form(episode), "csrf_token": token})
    stop = time.monotonic() + duration
    writes, waits = [], []

    def write():
        while time.monotonic() < stop:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            start = time.perf_counter()
            connection.request("POST", "/patients/1/sessions/new", body=body, headers={
                "Cookie": writer_cookie, "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            writes.append((response.status, (time.perf_counter() - start) * 1000))

    def read():
        while time.monotonic() < stop:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            start = time.perf_counter()
            connection.request("GET", "/patients/", headers={"Cookie": reader_cookie})
            response = connection.getresponse()
            response.read()
            waits.append((response.status, (time.perf_counter() - start) * 1000))

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = sorted(ms for _, ms in waits)
    return {
        "writes": len(writes), "write_statuses": sorted({s for s, _ in writes}),
        "write_p50_ms": round(sorted(ms for _, ms in writes)[len(writes) // 2], 1)
        if writes else None,
        "reads": len(waits), "read_errors": sum(1 for s, _ in waits if s != 200),
        "read_p99_ms": round(times[int(len(times) * 0.99) - 1], 1) if times else None,
        "read_max_ms": round(times[-1], 1) if times else None,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a throw-away SQLite file)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    # Requests are CPU-bound (a local database): cores + 1 workers (docs/operations.md).
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    parser.add_argument("--port", type=int, default=5077)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    folder = tempfile.mkdtemp()
    url = args.database or f"sqlite:///{folder}/bench.sqlite"
    backend = "postgresql" if url.startswith("postgres") else "sqlite"
    build_database(url)
    server = start_server(url, args.port, args.workers)
    try:
        cookie = login(args.port, LOGIN)
        pages = {name: wrk(args.port, path, cookie, args.clients, args.duration)
                 for name, path in PAGES.items()}
        largest = reader_while_writing(args.port, args.duration)
    finally:
        os.killpg(server.pid, 15)
        server.wait()
        shutil.rmtree(folder, ignore_errors=True)
    result = {"db": backend, "clients": args.clients, "workers": args.workers,
              "duration_s": args.duration, "pages": pages,
              "largest_request_vs_reader": largest}
    print(f"{'page':16} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'req/s':>8} {'errors':>7}")
    for name, figures in pages.items():
        print(f"{name:16} {figures['p50_ms']:8} {figures['p90_ms']:8} {figures['p99_ms']:8} "
              f"{figures['rps']:8} {figures['errors']:7}")
    print("largest session saved while reading:", json.dumps(largest))
    out = ROOT / "bench" / "results" / f"load-{backend}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
