"""A reviewer watches a work assigned to them in Debian's chromium: it plays and seeks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from guangying.campaigns.models import CampaignRole
from guangying.demo.media import make_video
from guangying.playback.models import Rendition
from guangying.submissions.models import Attachment, WorkState
from guangying.submissions.uploads import FileRule, store_attachment
from tests.browser.test_submission_walk import log_in
from tests.factories import EntrantFactory, UserFactory, WorkFactory, member_of
from tests.playback.conftest import assign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("codec", ["libx264", "mpeg2video"])
def test_a_reviewer_opens_a_work_and_the_video_plays_and_seeks(new_page, hubei, tmp_path, codec):
    suffix = ".mp4" if codec == "libx264" else ".mpg"
    video = make_video(tmp_path / f"clip{suffix}", seconds=4, width=640, height=360, codec=codec,
                       container_format=None if codec == "libx264" else "mpeg")
    unit = EntrantFactory(campaign=hubei, name="长川市委统战部")
    member = member_of(unit, UserFactory(name="单位成员甲"))
    work = WorkFactory(entrant=unit, title="一封家书里的同心路", created_by=member)
    work.state, work.submitted_at = WorkState.SUBMITTED, timezone.now()
    work.save()
    # Committed at once (a transactional test): the rendition is made as the worker would.
    attachment = store_attachment(
        work=work, kind=Attachment.VIDEO, user=member, episode=work.episodes.first(),
        rule=FileRule("视频文件", ("mp4", "mov", "mpeg"), 1024**3),
        uploaded=SimpleUploadedFile(f"长川市委统战部-一封家书{suffix}", video.read_bytes()),
    )
    rendition = Rendition.objects.get(attachment=attachment)
    assert rendition.status == Rendition.Status.READY, rendition.error
    assert rendition.playable_original == (codec == "libx264")
    reviewer = UserFactory(name="评审专家甲", email="expert@example.org")
    CampaignRole.objects.create(campaign=hubei, user=reviewer, role=CampaignRole.Role.REVIEWER)
    assign(work, reviewer)

    page = new_page()
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if r.url.endswith("/video.mp4") else None)
    log_in(page, reviewer.email)
    page.goto(f"/play/c/{hubei.slug}/")
    page.click("text=一封家书里的同心路")
    expect(page.locator("h1")).to_contain_text("一封家书里的同心路")
    player = page.locator("video.player")
    expect(player).to_have_attribute("preload", "metadata")
    expect(page.locator("img[src$='sheet.jpg']")).to_be_visible()
    page.wait_for_function("document.querySelector('video.player').readyState >= 1")
    duration = page.evaluate("document.querySelector('video.player').duration")
    assert duration == pytest.approx(4.0, abs=0.3)
    page.evaluate("document.querySelector('video.player').muted = true")
    page.evaluate("document.querySelector('video.player').play()")
    page.wait_for_function("document.querySelector('video.player').currentTime > 0.3")
    page.evaluate("document.querySelector('video.player').pause()")
    page.evaluate(f"document.querySelector('video.player').currentTime = {duration / 2}")
    page.wait_for_function("!document.querySelector('video.player').seeking")
    page.wait_for_function("document.querySelector('video.player').readyState >= 2")
    now = page.evaluate("document.querySelector('video.player').currentTime")
    assert now == pytest.approx(duration / 2, abs=0.3)
    # The contact sheet's time buttons are keyboard-reachable and seek too.
    last = page.locator("button.seek").last
    last.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('video.player').currentTime > 3")
    assert page.evaluate("document.activeElement.tagName") == "VIDEO"
    assert 206 in answers  # the browser fetched pieces with Range, not the whole file
