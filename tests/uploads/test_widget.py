"""The widget on the work page: one per video slot, served from the platform, only where editable."""

import pytest

from guangying.submissions.models import WorkState

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
