"""App servers as a deployment runs them: separate gunicorn processes (one worker each, so
nothing can be shared through a process's memory) on one database, with one ``SECRET_KEY``.

Each listens on a free port; should another process take the port between the choice and the
bind, it is started again on another. A loaded machine boots slowly: the servers are started
together and given a minute to answer ``/healthz``.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.live_server import GUNICORN, ROOT, Client, free_port

SECRET = "test-secret"  # the tests' key: the audit chain's sealed head is signed with it
START_SECONDS = 60


class AppServer:
    def __init__(self, name: str, database_url: str, folder: Path):
        self.name, self.database_url = name, database_url
        self.log_path = folder / f"gunicorn-{name}.log"
        self.port = 0
        self.process: subprocess.Popen | None = None

    def launch(self) -> None:
        self.port = free_port()
        # Only what the deployment sets: nothing of the tester's own TRACKER_* settings.
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("TRACKER_") and key != "DATABASE_URL"}
        env.update({
            "DATABASE_URL": self.database_url, "SECRET_KEY": SECRET,
            "TRACKER_ENV": "production", "TRACKER_SESSION_COOKIE_SECURE": "false",
            # The users' hashes were made at the tests' cost: the same cost here, so a login
            # is not slowed by re-hashing at the production cost.
            "TRACKER_ARGON2_TIME_COST": "1", "TRACKER_ARGON2_MEMORY_KIB": "1024",
        })
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{self.port}",
                 "--graceful-timeout", "1", "wsgi:app"],
                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)

    def ready(self) -> bool:
        """Whether it answers; started again on a new port if its port was taken."""
        if self.process.poll() is not None:
            log = self.log()
            if "in use" in log.rsplit("Starting gunicorn", 1)[-1]:
                self.launch()
                return False
            raise RuntimeError(f"gunicorn {self.name} exited:\n{log[-3000:]}")
        try:
            return self.client().get("/healthz").status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def client(self) -> Client:
        return Client(self.port, timeout=30)


def start_together(*servers: AppServer) -> None:
    """Launch every server, then wait until each answers (all stopped if one never does)."""
    try:
        for server in servers:
            server.launch()
        deadline = time.monotonic() + START_SECONDS
        waiting = list(servers)
        while waiting:
            waiting = [server for server in waiting if not server.ready()]
            if waiting and time.monotonic() > deadline:
                names = ", ".join(server.name for server in waiting)
                raise RuntimeError(f"gunicorn {names} did not answer /healthz within "
                                   f"{START_SECONDS} s:\n{waiting[0].log()[-3000:]}")
            if waiting:
                time.sleep(0.1)
    except BaseException:
        for server in servers:
            server.stop()
        raise
