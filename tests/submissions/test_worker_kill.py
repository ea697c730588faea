"""A worker killed in the middle of a full check: the check runs again and ends.

Real processes: `python -m guangying db_worker` against the test database,
killed with SIGKILL (it and the inspection child in its process group)
while the check is under way; a second worker's start-up sweep takes the
abandoned run back and finishes it.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from guangying.submissions.models import Inspection
from guangying.submissions.readiness import video_rule
from guangying.submissions.uploads import store_attachment
from tests.factories import WorkFactory
from tests.inspection.corpus import video

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    info = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{info['NAME']}"
    user = info.get("USER") or "postgres"
    password = f":{info['PASSWORD']}" if info.get("PASSWORD") else ""
    host = f"{info.get('HOST') or '127.0.0.1'}:{info.get('PORT') or 5432}"
    return f"postgres://{user}{password}@{host}/{info['NAME']}"


def start_worker(media_root: Path, data_dir: Path) -> subprocess.Popen:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUANGYING_"))
    }
    env.update({
        "GUANGYING_DATABASE_URL": database_url(),
        "GUANGYING_DATA_DIR": str(data_dir),
        "GUANGYING_MEDIA_ROOT": str(media_root),
        "GUANGYING_SECRET_KEY": "test-only-key-" + "x" * 40,
        "GUANGYING_HTTPS": "0",
        "GUANGYING_INSPECTION_STALE_S": "1",
        "PYTHONPATH": str(ROOT / "src"),
    })
    return subprocess.Popen(
        [sys.executable, "-m", "guangying", "db_worker", "--interval", "0.2", "--no-startup-delay"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def wait_for(condition, timeout: float) -> bool:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        if condition():
            return True
        time.sleep(0.2)
    return False


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_a_killed_worker_leaves_no_check_running_for_ever(unit, member, settings, media_root, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    source = video("kill", width=1920, height=1080, seconds=4, loop_to=150)
    work = WorkFactory(entrant=unit, title="一封家书")
    attachment = store_attachment(
        work=work, kind="video", uploaded=SimpleUploadedFile("作品.mp4", source.read_bytes()),
        rule=video_rule(work.campaign.rules), user=member, episode=work.episodes.get(),
    )
    full = Inspection.objects.get(attachment=attachment, mode="full")
    assert full.status == "queued"

    def row() -> Inspection:
        return Inspection.objects.get(pk=full.pk)

    first = start_worker(media_root, tmp_path)
    try:
        assert wait_for(lambda: row().status == "running" and row().progress > 0.05, 120), row().status
    finally:
        stop(first, signal.SIGKILL)
    killed = row()
    assert killed.status == "running" and killed.progress < 1.0 and killed.attempts == 1
    time.sleep(1.5)  # the heartbeat goes stale (GUANGYING_INSPECTION_STALE_S=1 in the workers)

    second = start_worker(media_root, tmp_path)
    try:
        assert wait_for(lambda: row().status == "done", 240), (row().status, row().progress)
    finally:
        stop(second)
    done = row()
    assert done.attempts == 2
    assert done.progress == 1.0 and done.report["lines"]
    assert done.outcome in ("pass", "warn", "review", "fail")
