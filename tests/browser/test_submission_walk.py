"""The whole submission phase as people click it, in Debian's chromium.

The organiser invites a unit → a member accepts → creates a work → fills
the form → uploads a small video and a scan → submits → the organiser
passes the formal check.
"""

import re

import pytest
from playwright.sync_api import expect

from guangying.campaigns.models import Entrant
from guangying.demo.media import make_video, png_bytes
from guangying.submissions.models import Attachment, Work, WorkState
from tests.factories import PASSWORD
from tests.submissions.helpers import record_passing_checks

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


def test_invite_join_fill_upload_submit_and_pass(new_page, hubei, organiser, tmp_path):
    video = make_video(tmp_path / "长川市委统战部-一封家书.mp4", seconds=1)
    scan = tmp_path / "版权承诺书（盖章）.png"
    scan.write_bytes(png_bytes())

    # The organiser invites the unit by pasting a line from a spreadsheet.
    desk = new_page()
    log_in(desk, organiser.email)
    desk.goto(f"/c/{hubei.slug}/manage/units/")
    desk.fill("textarea[name=pasted]", "长川市委统战部\t李明远\t13800001234\tunit@example.org")
    desk.click("form[enctype] button[type=submit]")
    expect(desk.locator(".messages")).to_contain_text("已添加 1 个单位")
    link = desk.locator("button[data-copy]").first.get_attribute("data-copy")
    assert link and "/c/join/" in link

    # A member of the unit opens the link and signs up.
    unit_page = new_page()
    unit_page.goto(link)
    expect(unit_page.locator("h1")).to_contain_text("长川市委统战部")
    unit_page.fill("input[name=name]", "李明远")
    unit_page.fill("input[name=email]", "li.mingyuan@example.org")
    unit_page.fill("input[name=phone]", "13800001234")
    unit_page.fill("input[name=password1]", PASSWORD)
    unit_page.fill("input[name=password2]", PASSWORD)
    unit_page.click("form button[type=submit]")
    expect(unit_page.locator(".messages")).to_contain_text("已加入")
    expect(unit_page.locator("h1")).to_contain_text("长川市委统战部")

    # The member creates a work and fills the 作品信息表.
    unit_page.fill("#new-title", "一封家书里的同心路")
    unit_page.click("form[action*='/works/new/'] button[type=submit]")
    expect(unit_page.locator("h1")).to_contain_text("填写作品信息")
    unit_page.fill("input[name=creators-0-name]", "王志刚")
    unit_page.fill("input[name=creators-0-post]", "导演")
    unit_page.fill("input[name=creators-0-contact]", "13800005678")
    unit_page.click("[data-add-row]")
    unit_page.fill("input[name=creators-1-name]", "林晓婷")
    unit_page.fill("input[name=creators-1-post]", "剪辑")
    synopsis = unit_page.locator("textarea[name=synopsis]")
    synopsis.fill("讲述一封家书背后的统战故事。")
    expect(unit_page.locator(".counter").first).to_contain_text("/")
    unit_page.fill("textarea[name=script]", "（开场）清晨的江面……\n（片尾）报送单位：长川市委统战部")
    unit_page.fill("input[name=contact_name]", "李明远")
    unit_page.fill("input[name=contact_phone]", "13800001234")
    unit_page.click("button[value=detail]")
    expect(unit_page.locator(".messages")).to_contain_text("已保存")
    expect(unit_page.locator(".alert.warn")).to_contain_text("请上传视频文件")

    # Uploads: the video through the resumable widget, the one way in when scripts run (the plain
    # form is the no-script fallback, tests/uploads/test_widget.py); then the stamped commitment.
    expect(unit_page.locator("form[action*='/upload/video-']")).to_be_hidden()
    widget = unit_page.locator("[data-tus-upload]").first
    expect(widget).to_be_visible()
    widget.locator("[data-tus-file]").set_input_files(str(video))
    widget.locator("[data-tus-start]").click()
    expect(widget.locator("[data-tus-status]")).to_contain_text("上传完成", timeout=60_000)
    # The page reloads and shows the file in its slot.
    expect(unit_page.locator(f"[data-current-video]:has-text('{video.name}')")).to_contain_text(
        "SHA-256", timeout=30_000)
    # The one-second clip cannot meet Hubei's 2–5 minutes at 1920×1080; the check's own
    # pages are walked in test_check_report.py, here its verdict is taken as met.
    record_passing_checks(Work.objects.get(title="一封家书里的同心路"))
    pledge = "form[action*='/upload/copyright_pledge/']"
    expect(unit_page.locator(pledge)).to_be_visible()  # documents keep their plain forms
    unit_page.locator(f"{pledge} input[type=file]").set_input_files(str(scan))
    unit_page.locator(f"{pledge} button[type=submit]").click()
    expect(unit_page.locator(".messages")).to_contain_text("已上传")
    expect(unit_page.locator(".alert.ok")).to_contain_text("可以提交")

    unit_page.click("form[action$='/submit/'] button[type=submit]")
    expect(unit_page.locator(".messages")).to_contain_text("作品已提交")
    work = Work.objects.get(title="一封家书里的同心路")
    assert work.state == WorkState.SUBMITTED
    assert work.entrant == Entrant.objects.get(campaign=hubei, name="长川市委统战部")
    assert [row["name"] for row in work.form_data["creators"]] == ["王志刚", "林晓婷"]
    video_file = Attachment.objects.get(work=work, kind=Attachment.VIDEO)
    assert video_file.original_name == video.name
    assert video_file.size == video.stat().st_size

    # The organiser finds it in the list and passes the formal check.
    desk.goto(f"/c/{hubei.slug}/manage/works/")
    desk.get_by_role("link", name="一封家书里的同心路").click()
    desk.fill("#check-reason", "材料齐全。")
    desk.get_by_role("button", name="通过", exact=True).click()
    expect(desk.locator("h1 .badge")).to_have_text("形式审查通过")
    work.refresh_from_db()
    assert work.state == WorkState.PASSED
    assert list(work.history.values_list("action", flat=True)) == ["create", "submit", "pass"]

    # The unit sees the outcome.
    unit_page.reload()
    expect(unit_page.locator("h1 .badge")).to_have_text("形式审查通过")
    expect(unit_page.locator(".history")).to_contain_text(re.compile("材料齐全"))
