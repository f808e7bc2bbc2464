"""The application served by gunicorn in a process group of its own, and a client that talks
to it as a browser does (cookies, CSRF tokens, redirects not followed). For the tests that
need a real server: crash recovery, and the browser journeys (tests/e2e)."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """``gunicorn wsgi:app`` with ``workers`` workers on ``database_url``, configured as in
    production (CSRF on, the real login path) except for plain-HTTP cookies."""

    def __init__(self, database_url: str, *, workers: int = 4, secret_key: str, log: Path):
        self.database_url, self.workers, self.secret_key = database_url, workers, secret_key
        self.log_path = log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> "LiveServer":
        env = {**os.environ, "DATABASE_URL": self.database_url, "SECRET_KEY": self.secret_key,
               "TRACKER_SESSION_COOKIE_SECURE": "false", "TRACKER_ENV": "production"}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "--workers", str(self.workers), "--bind",
                 f"127.0.0.1:{self.port}", "--graceful-timeout", "1", "wsgi:app"],
                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log()}")
            try:
                if self.client().get("/healthz").status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def kill(self) -> None:
        """``kill -9`` of the master and every worker at once: a power cut, for the server."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def client(self) -> "Client":
        return Client(self.port)


class Response:
    def __init__(self, status: int, headers: dict, body: str):
        self.status, self.headers, self.text = status, headers, body

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Client:
    """One browser: its own cookies; every POST carries the CSRF token of the last page."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode({**data, "csrf_token": self.token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode(errors="replace")
        finally:
            connection.close()
        for value in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        if token := CSRF.search(text):
            self.token = token.group(1)
        return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, text)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)

    def login(self, email: str, password: str) -> "Client":
        self.get("/login")
        response = self.post("/login", {"email": email, "password": password})
        if response.status != 302:
            raise RuntimeError(f"login as {email} answered {response.status}")
        return self
