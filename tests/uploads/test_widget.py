"""The widget on the work page: one per video slot, served from the platform, only where editable."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guangying.submissions.models import Attachment, WorkState

pytestmark = pytest.mark.django_db


def test_each_video_slot_has_a_widget_with_its_slot_and_a_csrf_token(tus, work):
    page = tus.client.get(work.get_absolute_url()).content.decode()
    episode = work.episodes.first()
    assert page.count("data-tus-upload") == 1
    assert f'data-work="{work.pk}" data-slot="video-{episode.pk}"' in page
    assert 'data-endpoint="/uploads/tus/"' in page
    assert "csrfmiddlewaretoken" in page
    assert "/static/vendor/tus.min.js" in page and "/static/guangying/upload.js" in page
    assert "//cdn" not in page and "unpkg" not in page
    assert 'action="/works/' in page or "/upload/video-" in page, "the plain form stays as a fallback"


def test_no_widget_on_a_work_that_can_no_longer_change(tus, work):
    work.state = WorkState.SUBMITTED
    work.save()
    assert "data-tus-upload" not in tus.client.get(work.get_absolute_url()).content.decode()


def test_the_browser_library_and_our_script_are_served_locally(client, db):
    for path in ("/static/vendor/tus.min.js", "/static/guangying/upload.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 1000, path


def test_the_plain_video_form_is_the_fallback_the_script_replaces(tus, work):
    page = tus.client.get(work.get_absolute_url()).content.decode()
    slot = f"video-{work.episodes.first().pk}"
    # upload.js hides the form right before the widget: the two must stay neighbours.
    action = f"/works/{work.pk}/upload/{slot}/"
    assert re.search(rf'<form [^>]*action="{action}"[^>]*data-tus-fallback>.*?</form>\s*'
                     r'<div class="tus-upload" data-tus-upload hidden', page, re.S)
    assert page.count("data-tus-fallback") == 1, "documents keep their plain forms, unmarked"
    assert f'action="/works/{work.pk}/upload/copyright_pledge/"' in page
    assert "upload.js shows" not in page, "the template's comment stays out of the page"


def test_without_javascript_the_plain_form_still_stores_the_video(tus, work, video_bytes):
    slot = f"video-{work.episodes.first().pk}"
    content = video_bytes
    response = tus.client.post(f"/works/{work.pk}/upload/{slot}/",
                               {"file": SimpleUploadedFile("一封家书.mp4", content)}, follow=True)
    assert response.status_code == 200
    assert any("已上传「一封家书.mp4」" in str(m) for m in response.context["messages"])
    video = Attachment.objects.get(work=work, kind=Attachment.VIDEO)
    assert video.episode == work.episodes.first() and video.size == len(content)
    assert f'data-current-video="{video.pk}"' in response.content.decode()
