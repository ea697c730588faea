"""Abandoned partial uploads go after GUANGYING_UPLOAD_EXPIRY_HOURS: task, command, and at creation."""

import fcntl
import os
import time
from datetime import timedelta
from email.utils import parsedate_to_datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from guangying.submissions.models import Attachment
from guangying.uploads.models import Upload
from guangying.uploads.sessions import sweep_expired
from guangying.uploads.tasks import remove_expired_uploads
from tests.factories import UserFactory, WorkFactory, member_of

from .conftest import Tus

pytestmark = pytest.mark.django_db


def age(upload_url: str, hours: float) -> Upload:
    """Moves an upload's last activity `hours` into the past."""
    upload = Upload.objects.get(pk=upload_url.rsplit("/", 1)[1])
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - timedelta(hours=hours))
    return upload


def test_the_expiry_time_follows_the_setting(tus, work, settings):
    settings.GUANGYING_UPLOAD_EXPIRY_HOURS = 2
    response = tus.create(work, 1000)
    expires = parsedate_to_datetime(response["Upload-Expires"])
    assert abs(expires - (timezone.now() + timedelta(hours=2))) < timedelta(minutes=1)


def test_the_sweep_removes_abandoned_uploads_and_keeps_the_rest(tus, unit, video_bytes):
    old, fresh, done = (WorkFactory(entrant=unit) for _ in range(3))
    stale = tus.start(old, len(video_bytes))
    tus.patch(stale, video_bytes[:5000], 0)
    going = tus.start(fresh, len(video_bytes))
    tus.patch(going, video_bytes[:5000], 0)
    finished = tus.send(done, video_bytes)
    stale_upload = age(stale, 1)
    age(finished, 1)
    assert sweep_expired() == 2
    assert not stale_upload.path.exists()
    assert list(Upload.objects.values_list("work", flat=True)) == [fresh.pk]
    assert Upload.objects.get().path.stat().st_size == 5000
    assert Attachment.objects.get().work == done, "a finished upload's file stays attached"


def test_stray_partial_files_older_than_the_expiry_go(folders, db, settings):
    settings.GUANGYING_UPLOAD_EXPIRY_HOURS = 24
    folders.mkdir(parents=True, exist_ok=True)
    old, new = folders / ("a" * 32 + ".part"), folders / ("b" * 32 + ".part")
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    past = time.time() - 25 * 3600
    os.utime(old, (past, past))
    assert sweep_expired() == 1
    assert not old.exists() and new.exists()


def test_an_upload_being_written_right_now_is_left_alone(tus, work):
    url = tus.start(work, 1000)
    upload = age(url, 1)
    with upload.path.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert sweep_expired() == 0
    assert sweep_expired() == 1


def test_the_task_sweeps(tus, work):
    upload = age(tus.start(work, 1000), 1)
    result = remove_expired_uploads.enqueue()
    assert result.return_value == 1
    assert not Upload.objects.exists() and not upload.path.exists()


def test_the_command_sweeps_and_says_how_many(tus, work, settings):
    settings.GUANGYING_UPLOAD_EXPIRY_HOURS = 24
    age(tus.start(work, 1000), 1)
    out = StringIO()
    call_command("remove_expired_uploads", stdout=out)
    assert "已清理 1 个超过 24 小时未继续的上传" in out.getvalue()
    assert not Upload.objects.exists()


def test_the_command_can_queue_the_sweep_for_the_worker(tus, work):
    age(tus.start(work, 1000), 1)
    out = StringIO()
    call_command("remove_expired_uploads", "--enqueue", stdout=out)
    assert "后台队列" in out.getvalue()
    assert not Upload.objects.exists()  # the test run's task backend runs it at once


def test_creating_an_upload_sweeps_what_others_abandoned(client, tus, work, unit):
    stale = age(tus.start(work, 1000), 1)
    other = member_of(unit, UserFactory())
    client.force_login(other)
    Tus(client).start(WorkFactory(entrant=unit), 1000)
    assert not Upload.objects.filter(pk=stale.pk).exists()
    assert not stale.path.exists()
