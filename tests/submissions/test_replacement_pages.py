"""A work's pages while a new video of a slot waits for its check, and after it took over.

Real uploads, the real engine and real renditions: the replacement does not
supersede the current video until its full check ends (checking.promote), and
the pages show it as a pending item, not as a second current video.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from guangying.demo.media import png_bytes
from guangying.playback.making import make
from guangying.submissions import checking
from guangying.submissions.models import Attachment, Inspection

from .helpers import record_passing_checks, upload

pytestmark = pytest.mark.django_db

PENDING = "新视频正在检查，检查完成后将替换当前视频。"
KEPT = "新视频未能完成检查，当前视频保持不变。"


@pytest.fixture(autouse=True)
def queued_not_run(settings):
    """The full check is queued and left there, as while the worker is busy."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def replaced(work, member, mp4_bytes):
    """A checked first video, then a second one whose full check is running."""
    episode = work.episodes.get()
    first = upload(work, "video", "第一版.mp4", mp4_bytes, member, episode=episode)
    record_passing_checks(work)
    second = upload(work, "video", "第二版.mp4", mp4_bytes, member, episode=episode)
    inspection = checking.queue_full(second)
    Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.RUNNING, progress=0.4)
    for video in (first, second):
        make(video)
    return first, second, inspection


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def players(html: str) -> str:
    found = re.search(r'<section class="playback".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_while_the_new_video_is_checked_the_old_one_stays_current(replaced, work, member, organiser):
    first, second, _inspection = replaced
    assert work.episodes.get().current_video() == first
    assert work.episodes.get().replacements() == [second]
    for user in (member, organiser):
        html = page(logged_in(user), work.get_absolute_url())
        assert html.count("data-current-video=") == 1
        assert f'data-current-video="{first.pk}"' in html and "当前视频" in html
        assert f'data-replacement="{second.pk}"' in html
        pending = html.split(f'data-replacement="{second.pk}"', 1)[1].split("</div>\n", 2)
        assert PENDING in html and "第二版.mp4" in "".join(pending)
        assert "完整检查进行中 40%" in html
        # One progress poll on the page, in the slot: the check summary names the new video.
        assert html.count(f'id="check-progress-{second.pk}"') == 1
        assert "data-replacement-check" in html
        # One player, the current video's, with the note about the one being checked.
        shown = players(html)
        assert f'id="player-{first.pk}"' in shown
        assert f'id="player-{second.pk}"' not in shown
        assert 'data-replacement-note="pending"' in shown and PENDING in shown
        assert shown.count('class="card"') == 1
    watch = players(page(logged_in(member), reverse("playback:work", args=[work.pk])))
    assert f'id="player-{first.pk}"' in watch and f'id="player-{second.pk}"' not in watch
    assert watch.count('class="card"') == 1 and PENDING in watch
    edit = page(logged_in(member), reverse("submissions:edit", args=[work.pk]))
    assert f'data-current-video="{first.pk}"' in edit and edit.count("data-current-video=") == 1
    assert f'data-replacement="{second.pk}"' in edit and PENDING in edit and "完整检查进行中 40%" in edit


def test_once_checked_the_new_video_is_the_only_current_one(replaced, work, member, organiser):
    first, second, inspection = replaced
    Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.QUEUED, progress=0.0)
    assert checking.run_full(inspection.pk) in ("pass", "fail", "warn", "review", "error")
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert work.episodes.get().current_video() == second and work.episodes.get().replacements() == []
    for user in (member, organiser):
        html = page(logged_in(user), work.get_absolute_url())
        assert f'data-current-video="{second.pk}"' in html and html.count("data-current-video=") == 1
        assert "data-replacement=" not in html and PENDING not in html and KEPT not in html
        assert "data-replacement-check" not in html
        shown = players(html)
        assert f'id="player-{second.pk}"' in shown and f'id="player-{first.pk}"' not in shown
        assert "data-replacement-note" not in shown
    edit = page(logged_in(member), reverse("submissions:edit", args=[work.pk]))
    assert f'data-current-video="{second.pk}"' in edit and "data-replacement=" not in edit
    # The organiser still finds the old one on record.
    old = page(logged_in(organiser), work.get_absolute_url()).split("已被替换的文件", 1)[1]
    assert "第一版.mp4" in old


def test_a_new_video_whose_check_cannot_run_leaves_the_old_one_current(replaced, work, member):
    first, second, inspection = replaced
    Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.QUEUED, progress=0.0)
    second.file.storage.delete(second.file.name)
    assert checking.run_full(inspection.pk) == "file missing"
    first.refresh_from_db()
    assert first.superseded_at is None and work.episodes.get().current_video() == first
    client = logged_in(member)
    for url in (work.get_absolute_url(), reverse("submissions:edit", args=[work.pk])):
        html = page(client, url)
        assert f'data-current-video="{first.pk}"' in html and html.count("data-current-video=") == 1
        assert f'data-replacement="{second.pk}"' in html
        assert KEPT in html and PENDING not in html and "文件已不存在" in html
        assert 'class="alert bad" data-replacement=' in html
    shown = players(page(client, work.get_absolute_url()))
    assert f'id="player-{first.pk}"' in shown and f'id="player-{second.pk}"' not in shown
    assert 'data-replacement-note="failed"' in shown and KEPT in shown


def test_a_refused_replacement_keeps_the_current_video_and_says_so(work, member, mp4_bytes):
    episode = work.episodes.get()
    first = upload(work, "video", "第一版.mp4", mp4_bytes, member, episode=episode)
    client = logged_in(member)
    response = client.post(reverse("submissions:upload", args=[work.pk, f"video-{episode.pk}"]),
                           {"file": SimpleUploadedFile("第二版.mp4", png_bytes() * 40)}, follow=True)
    said = [str(m) for m in response.context["messages"]]
    assert any("PNG" in m for m in said) and "当前视频保持不变。" in said
    assert list(Attachment.objects.filter(work=work, kind=Attachment.VIDEO)) == [first]
    html = response.content.decode()
    assert f'data-current-video="{first.pk}"' in html and "data-replacement=" not in html
    # The resumable widget says the same when the server refuses what it sent.
    assert 'data-msg-kept="当前视频保持不变。"' in html


def test_a_first_upload_refused_says_nothing_about_a_current_video(work, member):
    episode = work.episodes.get()
    response = logged_in(member).post(reverse("submissions:upload", args=[work.pk, f"video-{episode.pk}"]),
                                      {"file": SimpleUploadedFile("作品.mp4", png_bytes() * 40)}, follow=True)
    assert "当前视频保持不变。" not in [str(m) for m in response.context["messages"]]
    assert "data-msg-kept" not in response.content.decode()


def test_the_new_videos_report_says_it_has_not_replaced_the_current_one(replaced, work, member):
    first, second, inspection = replaced
    client = logged_in(member)
    html = page(client, reverse("submissions:report", args=[second.pk]))
    assert 'data-replacement-report="pending"' in html and PENDING in html and "第一版.mp4" in html
    # The current video's own report says nothing of the kind.
    assert "data-replacement-report" not in page(client, reverse("submissions:report", args=[first.pk]))
    Inspection.objects.filter(pk=inspection.pk).update(status=Inspection.Status.FAILED, error="文件已不存在")
    html = page(client, reverse("submissions:report", args=[second.pk]))
    assert 'data-replacement-report="failed"' in html and KEPT in html
