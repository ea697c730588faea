"""A real server process on a free loopback port, with its own SQLite file, and a raw tus client.

Used by the tests that kill and restart the server mid-upload and by
bench/upload.py: what they measure must be a separate process reading a
socket, not Django's test client handing the view a bytes object.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
if not PYTHON.exists():
    PYTHON = Path(sys.executable)

SETUP = """
import json
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from tests.factories import CampaignFactory, EntrantFactory, UserFactory, WorkFactory, member_of
campaign = CampaignFactory(preset="hubei-2026-weiguang", slug="bench")
unit = EntrantFactory(campaign=campaign, name="长川市委统战部")
user = member_of(unit, UserFactory(email="uploader@example.org"))
works = [WorkFactory(entrant=unit) for _ in range(WORKS)]
client = Client()
client.force_login(user)
print(json.dumps({"session": client.cookies["sessionid"].value, "csrf": _get_new_csrf_string(),
                  "works": [[w.pk, w.episodes.first().pk] for w in works]}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RealServer:
    """`python -m guangying runserver --noreload` or gunicorn, started, killed and started again."""

    def __init__(self, data_dir: Path, *, kind: str = "runserver", works: int = 1,
                 env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.kind = kind
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUANGYING_"))}
        self.env.update({
            "GUANGYING_DATA_DIR": str(data_dir), "GUANGYING_HTTPS": "0", "GUANGYING_DEBUG": "0",
            "GUANGYING_SECRET_KEY": "real-server-test-" + "k" * 40,
            "GUANGYING_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "PYTHONPATH": str(ROOT), **(env or {}),
        })
        self._manage("migrate", "--no-input", "-v", "0")
        out = self._manage("shell", "-c", SETUP.replace("WORKS", str(works)))
        self.fixture = json.loads(out.strip().splitlines()[-1])

    def _manage(self, *args: str) -> str:
        done = subprocess.run([str(PYTHON), "-m", "guangying", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(done.stderr[-3000:])
        return done.stdout

    def start(self) -> RealServer:
        if self.kind == "gunicorn":
            command = [str(PYTHON), "-m", "gunicorn", "guangying.wsgi:application",
                       "--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--worker-class",
                       "gthread", "--threads", "4", "--timeout", "300", "--log-level", "warning"]
        else:
            command = [str(PYTHON), "-m", "guangying", "runserver", "--noreload",
                       f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=open(self.data_dir / "server.log", "ab"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/health/")
                if connection.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError((self.data_dir / "server.log").read_text()[-3000:])

    def kill(self) -> None:
        """SIGKILL: no clean-up code of ours runs, as when the machine loses power."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None

    def worker_pid(self) -> int:
        """The process that runs the views: gunicorn's one worker, or runserver itself."""
        assert self.process is not None
        if self.kind != "gunicorn":
            return self.process.pid
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            if children:
                return int(children[0])
            time.sleep(0.1)
        raise RuntimeError("gunicorn started no worker")

    def query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.data_dir / "guangying.sqlite3") as db:
            return db.execute(sql, params).fetchall()

    def media(self, name: str) -> Path:
        return self.data_dir / "media" / name

    def client(self) -> TusClient:
        return TusClient(self.port, self.fixture["session"], self.fixture["csrf"])


def _meta(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


class TusClient:
    """The requests a tus client makes, over a real socket."""

    def __init__(self, port: int, session: str, csrf: str) -> None:
        self.port = port
        self.headers = {"Tus-Resumable": "1.0.0", "X-CSRFToken": csrf,
                        "Cookie": f"sessionid={session}; csrftoken={csrf}"}

    def request(self, method: str, url: str, body: object = None, headers: dict | None = None,
                timeout: float = 60) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                                blocksize=1024 * 1024)
        connection.request(method, url, body=body, headers={**self.headers, **(headers or {})})
        response = connection.getresponse()
        response.read()
        connection.close()
        return response

    def create(self, work: int, episode: int, size: int, filename: str = "作品.mp4") -> str:
        response = self.request("POST", "/uploads/tus/", headers={
            "Upload-Length": str(size),
            "Upload-Metadata": _meta(filename=filename, work=str(work), slot=f"video-{episode}")})
        assert response.status == 201, response.status
        return response.getheader("Location").split(f":{self.port}", 1)[1]

    def offset(self, url: str) -> int:
        response = self.request("HEAD", url)
        assert response.status == 200, response.status
        return int(response.getheader("Upload-Offset"))

    def patch(self, url: str, body: object, offset: int, length: int) -> http.client.HTTPResponse:
        return self.request("PATCH", url, body=body, headers={
            "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset),
            "Content-Length": str(length)}, timeout=600)

    def cut_patch(self, url: str, data: bytes, offset: int, cut: int) -> None:
        """Declares the rest of the file, sends up to `cut`, and drops the connection."""
        with socket.create_connection(("127.0.0.1", self.port)) as raw:
            head = [f"PATCH {url} HTTP/1.1", f"Host: 127.0.0.1:{self.port}",
                    "Content-Type: application/offset+octet-stream", f"Upload-Offset: {offset}",
                    f"Content-Length: {len(data) - offset}",
                    *(f"{k}: {v}" for k, v in self.headers.items())]
            raw.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            raw.sendall(data[offset:cut])
            raw.shutdown(socket.SHUT_RDWR)
