"""The resumable-upload widget (guangying.uploads) in Debian's chromium, through tus-js-client."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from guangying.demo.media import make_video, png_bytes
from guangying.submissions.models import Attachment
from guangying.uploads.models import Upload
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def folders(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GUANGYING_UPLOAD_DIR = str(tmp_path / "partial")
    settings.MEDIA_ROOT.mkdir()


def log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.locator("header.site")).to_contain_text("退出")


def in_slot(page, name: str):
    """The file shown as the slot's current video (the list of what is missing names it too)."""
    return page.locator("[data-current-video]", has_text=name)


def test_a_video_goes_through_the_widget_and_is_attached(new_page, member, work, tmp_path):
    video = make_video(tmp_path / "长川市委统战部-一封家书.mp4", seconds=1)
    page = new_page()
    log_in(page, member.email)
    page.goto(work.get_absolute_url())
    widget = page.locator("[data-tus-upload]").first
    expect(widget).to_be_visible()
    widget.locator("[data-tus-file]").set_input_files(str(video))
    widget.locator("[data-tus-start]").click()
    page.wait_for_function("document.querySelector('[data-tus-progress]').value === 100")
    # The last PATCH answers once the file is hashed, moved and attached: give a loaded machine time.
    expect(widget.locator("[data-tus-status]")).to_contain_text("上传完成", timeout=60_000)
    # The page reloads and shows the file in its slot.
    expect(in_slot(page, "长川市委统战部-一封家书.mp4")).to_be_visible(timeout=30_000)
    attachment = Attachment.objects.get(work=work)
    assert attachment.sha256 == hashlib.sha256(video.read_bytes()).hexdigest()
    assert attachment.episode == work.episodes.first()
    assert Upload.objects.get().state == Upload.State.COMPLETE


def test_a_refusal_is_shown_with_the_servers_reason(new_page, member, work, tmp_path):
    fake = tmp_path / "作品.mp4"
    fake.write_bytes(png_bytes() * 40)
    page = new_page()
    log_in(page, member.email)
    page.goto(work.get_absolute_url())
    widget = page.locator("[data-tus-upload]").first
    widget.locator("[data-tus-file]").set_input_files(str(fake))
    widget.locator("[data-tus-start]").click()
    expect(widget.locator("[data-tus-status]")).to_contain_text("上传失败：「视频文件」的文件内容是 PNG",
                                                                timeout=30_000)
    expect(widget.locator("[data-tus-start]")).to_be_visible()
    assert not Attachment.objects.exists()


TUS_URL = re.compile(r"/uploads/tus/")


def test_an_upload_cut_off_by_a_reload_is_continued_not_started_again(new_page, member, work,
                                                                       tmp_path):
    video = make_video(tmp_path / "一封家书.mp4", seconds=1)
    page = new_page()
    log_in(page, member.email)
    page.goto(work.get_absolute_url())
    # The network fails every PATCH: the upload is created, then the page is reloaded.
    page.route(TUS_URL, lambda route: route.abort() if route.request.method == "PATCH"
               else route.continue_())
    widget = page.locator("[data-tus-upload]").first
    widget.locator("[data-tus-file]").set_input_files(str(video))
    with page.expect_response(lambda r: r.request.method == "POST" and TUS_URL.search(r.url)):
        widget.locator("[data-tus-start]").click()
    page.reload()  # first, so that no retry of the old page slips through
    page.unroute(TUS_URL)
    widget = page.locator("[data-tus-upload]").first
    expect(widget.locator("[data-tus-status]")).to_contain_text("「一封家书.mp4」上次没有传完")
    widget.locator("[data-tus-file]").set_input_files(str(video))
    widget.locator("[data-tus-start]").click()
    expect(in_slot(page, "一封家书.mp4")).to_contain_text("SHA-256", timeout=60_000)
    upload = Upload.objects.get()
    assert upload.state == Upload.State.COMPLETE, "the first upload was continued, not a second one"
    assert Attachment.objects.get(work=work).sha256 == hashlib.sha256(video.read_bytes()).hexdigest()


def test_a_dropped_connection_is_retried_by_itself(new_page, member, work, tmp_path):
    video = make_video(tmp_path / "一封家书.mp4", seconds=1)
    page = new_page()
    log_in(page, member.email)
    page.goto(work.get_absolute_url())
    dropped = []

    def drop_first_patch(route):
        if route.request.method == "PATCH" and not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(TUS_URL, drop_first_patch)
    widget = page.locator("[data-tus-upload]").first
    widget.locator("[data-tus-file]").set_input_files(str(video))
    widget.locator("[data-tus-start]").click()
    expect(in_slot(page, "一封家书.mp4")).to_contain_text("SHA-256", timeout=60_000)
    assert dropped
    assert Upload.objects.get().state == Upload.State.COMPLETE
    assert Attachment.objects.get(work=work).size == video.stat().st_size


def test_pause_and_resume(new_page, member, work, tmp_path):
    video = make_video(tmp_path / "一封家书.mp4", seconds=1)
    page = new_page()
    log_in(page, member.email)
    page.goto(work.get_absolute_url())
    held = []
    # The first PATCH hangs, as on a stalled network; the person pauses, then resumes.
    page.route(TUS_URL, lambda route: held.append(route) if route.request.method == "PATCH" and not held
               else route.continue_())
    widget = page.locator("[data-tus-upload]").first
    expect(widget.locator("[data-tus-pause]")).to_be_hidden()
    widget.locator("[data-tus-file]").set_input_files(str(video))
    widget.locator("[data-tus-start]").click()
    expect(widget.locator("[data-tus-pause]")).to_be_visible()
    expect(widget.locator("[data-tus-resume]")).to_be_hidden()
    while not held:
        page.wait_for_timeout(50)
    widget.locator("[data-tus-pause]").click()
    expect(widget.locator("[data-tus-status]")).to_contain_text("已暂停")
    expect(widget.locator("[data-tus-resume]")).to_be_visible()
    expect(widget.locator("[data-tus-start]")).to_be_hidden()
    assert not Attachment.objects.exists()
    widget.locator("[data-tus-resume]").click()
    expect(in_slot(page, "一封家书.mp4")).to_contain_text("SHA-256", timeout=60_000)
    assert Upload.objects.get().state == Upload.State.COMPLETE
