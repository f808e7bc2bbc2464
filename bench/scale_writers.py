"""Eight practitioners saving sessions at once for a fixed time (bench/scale.py).

Each writer logs in on its own (the clinic's practitioners in turn), opens the new-session
form for its own run of patients and posts a valid session again and again. A save counts as
attempted when it is sent; it is committed when its row is in the database afterwards
(counted there, not taken from the answer); an error is any answer other than the redirect
to the saved session, or no answer at all.
"""

import http.client
import re
import threading
import time
from datetime import date
from urllib.parse import urlencode

from load import csrf_token, login
from scale_data import data_counts, open_cases, session_form

SAVED = re.compile(r"/patients/\d+/sessions/\d+$")


def measure(url: str, summary: dict, port: int, writers: int, seconds: int) -> dict:
    cases = open_cases(url, summary["clinic_id"], limit=writers * 25,
                       leaving_out=summary["busiest_patient_id"])
    practitioners = summary["logins"]["practitioners"]
    clients = []
    for number in range(writers):
        cookie = login(port, (practitioners[number % len(practitioners)], summary["password"]))
        own = cases[number::writers] or cases
        token, cookie = csrf_token(port, f"/patients/{own[0][0]}/sessions/new", cookie)
        clients.append((cookie, token, own))
    before = data_counts(url)["sessions"]
    tallies = [{"attempted": 0, "answered": 0, "errors": 0, "latencies": []}
               for _ in clients]
    stop = time.monotonic() + seconds
    threads = [threading.Thread(target=_write, args=(port, client, tally, stop, number))
               for number, (client, tally) in enumerate(zip(clients, tallies, strict=True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    committed = data_counts(url)["sessions"] - before
    latencies = sorted(ms for tally in tallies for ms in tally["latencies"])
    return {
        "writers": writers, "seconds": seconds,
        "attempted": sum(t["attempted"] for t in tallies), "committed": committed,
        "errors": sum(t["errors"] for t in tallies),
        "p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95)], 1) if latencies else None,
    }


def _write(port, client, tally, stop, number) -> None:
    cookie, token, cases = client
    today = date.today().isoformat()
    sent = 0
    while time.monotonic() < stop:
        patient, episode = cases[sent % len(cases)]
        body = urlencode({**session_form(episode, today, 8 + (number + sent) % 10),
                          "csrf_token": token})
        tally["attempted"] += 1
        sent += 1
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("POST", f"/patients/{patient}/sessions/new", body=body,
                               headers={"Cookie": cookie,
                                        "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            connection.close()
        except OSError:
            tally["errors"] += 1
            continue
        tally["latencies"].append((time.perf_counter() - started) * 1000)
        if response.status != 302 or not SAVED.search(response.getheader("Location") or ""):
            tally["errors"] += 1
