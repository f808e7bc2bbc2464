"""gunicorn settings for serving the tracker (docs/deploy.md). gunicorn reads this file by
itself when started from the project folder (``.venv/bin/gunicorn wsgi:app``); options given
on the command line win over it, so ``make run`` and the tests keep theirs.

Every value can be changed from the environment without editing this file.
"""

import os

# Where the reverse proxy reaches this server. 127.0.0.1 when the proxy runs on the same
# host; the host's private address when it is another machine (then firewall the port so
# only the proxy can reach it).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers, as many as the cores plus one: a request here is CPU work on the database,
# not waiting on a network, so more workers only share the same cores (measured in
# docs/operations.md, "Serving": 3 workers beat 5 on two cores).
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))

# A worker silent for this long is killed and replaced. Long enough for the slowest honest
# request: a clinic-wide CSV over years is streamed, a PDF takes seconds. The proxy's read
# timeout must be at least as long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# On a reload (SIGHUP) or stop (SIGTERM), requests under way get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))

# The proxies allowed to say the request came over HTTPS (X-Forwarded-Proto). The tracker's
# own ProxyFix (TRACKER_TRUSTED_PROXIES) reads the client's address; this keeps gunicorn's
# idea of the scheme in agreement with it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The access log: off unless asked for (the proxy keeps one already). When on, it logs the
# path without its query string: a patient search puts names in the query string, and an
# access log is not protected like the database.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = (
    '%({x-forwarded-for}i)s %(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
)
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")


def post_worker_init(worker):
    """Once the worker has loaded the app: its objects (modules, the catalog, the compiled
    templates so far) are moved out of the cyclic garbage collector's reach. They live as long
    as the worker, yet every full collection walked them all: about 40 ms, once in some twenty
    requests of a long course's progress page (2.97 ms a request on average; 0.92 after
    freezing; docs/performance.md). Reference counting frees what they drop as before.

    Then the youngest generation is collected once 20,000 objects more are alive, not 700: a
    page holds thousands at once (a long course's progress page set off five collections a
    request), nearly all freed by reference counting as the request ends, so the collector
    ran several times a page to find almost nothing (0.6 ms a request over four pages; 0.25
    ms with these thresholds, measured in-process on the benchmark's quick data)."""
    import gc

    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


GC_THRESHOLDS = (20_000, 50, 100)
