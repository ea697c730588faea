"""Cloud-drive links in place of an upload: what the rule set allows, handing in, fetching the file."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from guangying.submissions import workflow
from guangying.submissions.cloud_links import (
    LinkInput,
    LinkRefused,
    current_link,
    earliest_valid_until,
    link_problems,
    links_to_fetch,
    record_link,
    remind_organisers,
)
from guangying.submissions.models import Attachment, CloudLink
from guangying.submissions.readiness import submission_problems
from tests.factories import EntrantFactory, UserFactory, member_of

from .helpers import complete_form, docx_bytes, record_passing_checks, upload

pytestmark = pytest.mark.django_db

LINK = "https://pan.baidu.com/s/1AbCdEfGhIjKlMnOp"


@pytest.fixture(autouse=True)
def in_chinese():
    """The messages asserted here are the Chinese originals, whatever an earlier test switched to."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def cq_unit(chongqing):
    return EntrantFactory(campaign=chongqing, name="示例区党史研究室")


@pytest.fixture
def cq_member(cq_unit):
    return member_of(cq_unit)


@pytest.fixture
def draft(cq_unit, cq_member):
    return workflow.create_work(cq_unit, cq_member, title="一封家书")


def valid(rules, extra_days: int = 1) -> LinkInput:
    return LinkInput(url=LINK, code="x7k2", valid_until=earliest_valid_until(rules) + timedelta(extra_days))


def documents(work, user) -> None:
    from guangying.demo.media import pdf_bytes

    complete_form(work)
    for document in work.campaign.rules.required_documents:
        if document.key == "final_script":
            upload(work, document.key, "文稿.docx", docx_bytes(), user)
        else:
            upload(work, document.key, f"{document.label}.pdf", pdf_bytes(), user)


def test_the_rule_set_decides_whether_links_are_accepted(chongqing, hubei):
    assert link_problems(chongqing.rules, valid(chongqing.rules)) == []
    assert link_problems(hubei.rules, valid(chongqing.rules)) == ["本活动不接受网盘链接，请上传视频文件。"]


@pytest.mark.parametrize(("url", "code", "days", "words"), [
    ("", "x7k2", 1, "完整的网盘分享链接"),
    ("ftp://pan.baidu.com/s/1", "x7k2", 1, "完整的网盘分享链接"),
    ("javascript:alert(1)", "x7k2", 1, "完整的网盘分享链接"),
    ("https://example.com/s/1", "x7k2", 1, "百度网盘"),
    ("https://pan.baidu.com.evil.example/s/1", "x7k2", 1, "百度网盘"),
    (LINK, "", 1, "请填写提取码"),
    (LINK, "x7 k2", 1, "字母和数字"),
    (LINK, "码码码码", 1, None),
    (LINK, "x" * 21, 1, "最多 20 位"),
    (LINK, "x7k2", -1, "至少 30 天"),
], ids=["empty", "ftp", "script", "other-host", "look-alike-host", "no-code", "space-in-code",
        "chinese-code-is-alnum", "long-code", "29-days"])
def test_bad_links_are_refused_with_the_reason(chongqing, url, code, days, words):
    given = LinkInput(url=url, code=code, valid_until=earliest_valid_until(chongqing.rules) + timedelta(days))
    problems = link_problems(chongqing.rules, given)
    if words is None:
        assert problems == []
    else:
        assert any(words in p for p in problems), problems


def test_a_missing_date_and_everything_else_are_named_at_once(chongqing):
    problems = link_problems(chongqing.rules, LinkInput(url="x", code="", valid_until=None))
    assert len(problems) == 3


def test_a_link_counts_as_the_episodes_video_when_handing_in(draft, cq_member):
    documents(draft, cq_member)
    episode = draft.episodes.get()
    assert "请上传视频文件。" in submission_problems(draft)
    record_link(work=draft, episode=episode, given=valid(draft.campaign.rules), user=cq_member)
    assert submission_problems(draft) == []
    workflow.submit(draft, cq_member)
    draft.refresh_from_db()
    assert draft.state == "submitted"


def test_a_link_that_runs_out_too_soon_blocks_handing_in(draft, cq_member):
    documents(draft, cq_member)
    link = record_link(work=draft, episode=draft.episodes.get(), given=valid(draft.campaign.rules),
                       user=cq_member)
    CloudLink.objects.filter(pk=link.pk).update(valid_until=timezone.localdate() + timedelta(days=10))
    assert any("不足 30 天" in p for p in submission_problems(draft))


def test_a_new_link_supersedes_the_old_one_and_both_stay_on_record(draft, cq_member):
    episode = draft.episodes.get()
    first = record_link(work=draft, episode=episode, given=valid(draft.campaign.rules), user=cq_member)
    second = record_link(work=draft, episode=episode,
                         given=LinkInput(url=LINK + "2", code="abcd", valid_until=first.valid_until),
                         user=cq_member)
    assert current_link(episode) == second
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert CloudLink.objects.count() == 2


def test_a_refused_link_saves_nothing(draft, cq_member):
    with pytest.raises(LinkRefused):
        record_link(work=draft, episode=draft.episodes.get(),
                    given=LinkInput(url="https://example.com", code="", valid_until=None), user=cq_member)
    assert CloudLink.objects.count() == 0


def test_the_page_form_saves_a_link_and_refuses_another_unit(client, draft, cq_member, chongqing):
    episode = draft.episodes.get()
    url = reverse("submissions:cloud_link", args=[draft.pk, episode.pk])
    until = (earliest_valid_until(chongqing.rules) + timedelta(days=3)).isoformat()
    stranger = member_of(EntrantFactory(campaign=chongqing, name="另一单位"))
    client.force_login(stranger)
    assert client.post(url, {"url": LINK, "code": "x7k2", "valid_until": until}).status_code == 404
    client.force_login(cq_member)
    page = client.get(draft.get_absolute_url())
    assert "改交网盘链接" in page.content.decode()
    response = client.post(url, {"url": LINK, "code": "x7k2", "valid_until": "not a date"}, follow=True)
    assert "有效期" in response.content.decode()
    assert CloudLink.objects.count() == 0
    response = client.post(url, {"url": LINK, "code": "x7k2", "valid_until": until}, follow=True)
    assert CloudLink.objects.get().code == "x7k2"
    assert "待主办方取回文件" in response.content.decode()


def test_the_hubei_page_offers_no_link(client, unit, member):
    work = workflow.create_work(unit, member, title="光谷里的微光")
    client.force_login(member)
    assert "改交网盘链接" not in client.get(work.get_absolute_url()).content.decode()
    url = reverse("submissions:cloud_link", args=[work.pk, work.episodes.get().pk])
    assert client.post(url, {"url": LINK}).status_code == 404


def test_the_organiser_attaches_the_fetched_file_and_it_is_checked_like_an_upload(
    client, draft, cq_member, organiser, chongqing, mp4_bytes
):
    documents(draft, cq_member)
    link = record_link(work=draft, episode=draft.episodes.get(), given=valid(chongqing.rules), user=cq_member)
    workflow.submit(draft, cq_member)
    assert list(links_to_fetch(chongqing)) == [link]
    client.force_login(cq_member)
    attach = reverse("submissions:attach_fetched", args=[link.pk])
    assert client.post(attach, {"file": SimpleUploadedFile("a.mp4", mp4_bytes)}).status_code == 404
    client.force_login(organiser)
    page = client.get(reverse("submissions:cloud_links", args=[chongqing.slug]))
    assert LINK in page.content.decode() and "x7k2" in page.content.decode()
    response = client.post(attach, {"file": SimpleUploadedFile("不是视频.mp4", b"hello")}, follow=True)
    assert "不是要求的" in response.content.decode()
    link.refresh_from_db()
    assert link.fetched is None
    client.post(attach, {"file": SimpleUploadedFile("一封家书.mp4", mp4_bytes)})
    link.refresh_from_db()
    assert link.fetched is not None and link.fetched.kind == Attachment.VIDEO
    assert link.fetched.uploaded_by == organiser
    assert list(links_to_fetch(chongqing)) == []
    record_passing_checks(draft)


def test_organisers_hear_of_links_about_to_run_out_once_a_day(draft, cq_member, organiser, chongqing):
    organiser.email = "organiser@example.org"
    organiser.save()
    documents(draft, cq_member)
    link = record_link(work=draft, episode=draft.episodes.get(), given=valid(chongqing.rules), user=cq_member)
    workflow.submit(draft, cq_member)
    assert remind_organisers() == 0  # a month to go
    CloudLink.objects.filter(pk=link.pk).update(valid_until=timezone.localdate() + timedelta(days=3))
    assert remind_organisers() == 1
    assert mail.outbox[-1].to == ["organiser@example.org"]
    assert LINK in mail.outbox[-1].body and "x7k2" in mail.outbox[-1].body
    assert remind_organisers() == 0  # not twice in a day
    assert remind_organisers(at=timezone.now() + timedelta(days=1)) == 1


def test_a_draft_link_is_not_on_the_organisers_list(draft, cq_member, chongqing):
    record_link(work=draft, episode=draft.episodes.get(), given=valid(chongqing.rules), user=cq_member)
    assert list(links_to_fetch(chongqing)) == []


def test_anonymous_visitors_reach_nothing(client, chongqing):
    assert client.get(reverse("submissions:cloud_links", args=[chongqing.slug])).status_code in (302, 404)
    UserFactory()
