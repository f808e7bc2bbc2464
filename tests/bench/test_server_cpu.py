"""The benchmark's CPU a request (bench/server_cpu.py): the server's process group and the
database's user are counted, divided over the requests; nothing else is."""

import getpass
import subprocess
import sys
import time

from bench.server_cpu import CpuMeter

BURN = "import time\nend = time.process_time() + 1.5\nwhile time.process_time() < end: pass"
IDLE = "import time\ntime.sleep(2)"


def process_group(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], start_new_session=True)


def test_a_groups_cpu_is_shared_over_the_requests_and_no_one_elses_counts():
    busy, idle = process_group(BURN), process_group(IDLE)
    try:
        time.sleep(0.2)  # both interpreters started
        busy_server = CpuMeter(busy.pid, database_user=None)
        # An idle "server" beside a busy "database" (the busy process is this user's).
        idle_server = CpuMeter(idle.pid, database_user=getpass.getuser())
        busy_server.start()
        idle_server.start()
        time.sleep(0.5)
        busy_figures, idle_figures = busy_server.per_request(2), idle_server.per_request(2)
    finally:
        for process in (busy, idle):
            process.kill()
            process.wait()
    # At most 0.5 s of one core over 2 requests (and a clock tick either way); at least some
    # of it, however loaded the machine (CI runs other suites beside this one).
    assert 5 <= busy_figures["app"] <= 260 and busy_figures["database"] == 0
    assert idle_figures["app"] <= 10
    assert idle_figures["database"] >= 5  # the busy process, counted as the database's


def test_a_process_ending_during_the_run_does_not_make_the_figure_negative():
    ended = process_group(BURN)
    meter = CpuMeter(ended.pid, database_user=None)
    try:
        time.sleep(0.4)  # it burns before the run starts
        meter.start()
    finally:
        ended.kill()
        ended.wait()
    assert meter.per_request(1) == {"app": 0.0, "database": 0.0}


def test_no_requests_no_figure():
    meter = CpuMeter(1, database_user=None)
    meter.start()
    assert meter.per_request(0) is None
