"""Where bench/scale.py's results go: bench/results/latest.json (the last run),
latest-<scale>-<db>.json (the last of each kind), a dated copy, and the table in
docs/performance.md between its two markers, rewritten from the latest of each kind."""

import json
import os
import platform
import re
import time
from pathlib import Path

START, END = "<!-- figures:start -->", "<!-- figures:end -->"
PAGES = ("healthz", "dashboard", "patient_list", "patient_search", "patient_detail",
         "patient_progress", "session_form", "session_save", "outcome_review", "followups")


def machine() -> dict:
    memory = ""
    if Path("/proc/meminfo").exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else ""
    return {"cores": os.cpu_count(), "memory": memory, "cpu": cpu,
            "python": platform.python_version(), "cpu_probe_ms": cpu_probe_ms()}


def cpu_probe_ms() -> float:
    """How long this machine takes for a fixed piece of plain Python (a million squares
    summed, the best of five): the same model name can run at very different speeds on a
    shared host (the same code's export took 1.4 s, then 2.3 s twenty minutes later), and
    runs compare only beside this figure."""
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        sum(number * number for number in range(1_000_000))
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def save(result: dict, root: Path) -> None:
    folder = root / "bench" / "results"
    folder.mkdir(exist_ok=True)
    body = json.dumps(result, indent=2) + "\n"
    kind = f"{result['scale']}-{result['db']}"
    # The dated copy carries the time too: two runs of a day (on a shared host whose speed
    # changes by five times between them) are both kept.
    dated = f"{result['date']}-{time.strftime('%H%M')}-{kind}.json"
    for name in ("latest.json", f"latest-{kind}.json", dated):
        (folder / name).write_text(body)


def write_performance_table(root: Path) -> None:
    """The latest figures of each scale and database, as a table, into docs/performance.md."""
    runs = [json.loads(path.read_text())
            for path in sorted((root / "bench" / "results").glob("latest-*-*.json"))]
    if not runs:
        return
    runs.sort(key=lambda run: (("tiny", "quick", "full").index(run["scale"]), run["db"]))
    heads = [f"{run['scale']}, {run['db']} ({run['date']})" for run in runs]
    lines = ["| | " + " | ".join(heads) + " |", "|---" * (len(runs) + 1) + "|"]
    lines.append("| data: patients / sessions / point rows | " + " | ".join(
        "{patients:,} / {sessions:,} / {point_applications:,}".format(**run["data"])
        for run in runs) + " |")
    for page in PAGES:
        cells = []
        for run in runs:
            figures = run["pages"].get(page)
            cells.append("-" if figures is None else
                         f"{figures['p50_ms']} / **{figures['p95_ms']}** ms, "
                         f"{figures['rps']:.0f}/s, {figures['errors']} err{_cpu(figures)}")
        lines.append(f"| `{page}` p50 / **p95**, req/s, errors, CPU a request | "
                     + " | ".join(cells) + " |")
    lines.append("| CSV export of every session: rows, ours s / tool s (ratio), peak MB | "
                 + " | ".join(
                     "{rows:,}, {seconds} / {sqlite3_seconds} ({ratio:.2f}), {peak_rss_mb}"
                     .format(**run["export"]) for run in runs) + " |")
    lines.append("| 8 writers: attempted / committed / errors (p95 ms) | " + " | ".join(
        "{attempted} / {committed} / {errors} ({p95_ms})".format(**run["writes"])
        for run in runs) + " |")
    lines.append("| this machine's speed: a fixed piece of Python, ms (lower is faster) | "
                 + " | ".join(str(run["machine"].get("cpu_probe_ms", "-")) for run in runs)
                 + " |")
    lines.append("| budgets | " + " | ".join(
        "met" if not run["budgets"]["missed"] else "missed: " + "; ".join(
            run["budgets"]["missed"]) for run in runs) + " |")
    first = runs[-1]["machine"]
    lines.append("")
    lines.append(f"Machine: {first['cores']} cores ({first['cpu']}), {first['memory']}, "
                 f"Python {first['python']}; gunicorn {runs[-1]['workers']} workers, "
                 f"{runs[-1]['clients']} clients (wrk, on the same machine).")
    lines.append("CPU a request: the server's CPU time over the page's run divided by its "
                 "requests, the app's + the database server's (bench/server_cpu.py).")
    path = root / "docs" / "performance.md"
    text = path.read_text() if path.exists() else f"# Performance\n\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    path.write_text(f"{before}{START}\n" + "\n".join(lines) + f"\n{END}{after}")


def _cpu(figures: dict) -> str:
    """ ", 31.2 + 4.1 ms CPU" (app + database), or nothing for a run that did not measure it."""
    cpu = figures.get("cpu_ms")
    if not cpu:
        return ""
    return f", {cpu['app']} + {cpu['database']} ms CPU"
