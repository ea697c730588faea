"""The check report as a unit member reads it, in Debian's chromium: every rule on its own line."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from guangying.submissions.models import Inspection
from guangying.submissions.readiness import video_rule
from guangying.submissions.uploads import store_attachment
from tests.factories import WorkFactory
from tests.inspection.samples import make_video

from .test_submission_walk import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_member_opens_the_report_and_sees_the_rule_lines(new_page, unit, member, tmp_path):
    work = WorkFactory(entrant=unit, title="一封家书")
    clip = make_video(tmp_path / "clip.mp4", frames=25).read_bytes()
    # Committed at once (transactional test): the checks run, the full one on the immediate backend.
    attachment = store_attachment(
        work=work, kind="video", uploaded=SimpleUploadedFile("作品.mp4", clip),
        rule=video_rule(work.campaign.rules), user=member, episode=work.episodes.get(),
    )
    full = Inspection.objects.get(attachment=attachment, mode="full")
    assert full.status == "done"
    lines = len(full.report["lines"])

    page = new_page()
    log_in(page, member.email)
    page.goto(work.get_absolute_url())
    summary = page.locator("#check-summary")
    expect(summary).to_contain_text("须修改")
    summary.get_by_role("link", name="查看检查报告").click()
    expect(page.locator("h1")).to_contain_text("技术检查报告")
    expect(page.locator("tr.check-line")).to_have_count(lines)
    resolution = page.locator("tr.check-line[data-check=resolution]")
    expect(resolution).to_contain_text("不符合")
    expect(resolution).to_contain_text("320×180")
    expect(page.locator("#check-verdict")).to_contain_text("有不符合的项目")

    page.select_option("#language-select", "en")
    expect(page.locator("#check-verdict")).to_contain_text("some rules fail")
    expect(page.locator("tr.check-line[data-check=resolution]")).to_contain_text("fail")
