"""The pages over HTTP: an entrant hands a work in, an organiser checks it, files come back intact."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guangying.demo.media import pdf_bytes, png_bytes
from guangying.submissions import workflow
from guangying.submissions.models import Attachment, Work, WorkHistory, WorkState
from guangying.submissions.uploads import human_size
from tests.factories import CampaignFactory, EntrantFactory, WorkFactory, member_of, organiser_of

from .helpers import complete_work, docx_bytes, record_passing_checks, stored_files, upload

pytestmark = pytest.mark.django_db

HUBEI_POST = {
    "title": "光谷里的微光",
    "creators-0-name": "张小明", "creators-0-post": "导演", "creators-0-contact": "13800000001",
    "creators-1-name": "", "creators-1-post": "", "creators-1-contact": "",
    "synopsis": "讲述一位党外专家扎根光谷、攻关光电子技术的故事。",
    "script": "第一场：清晨的实验室。",
    "contact_name": "李联络",
    "contact_phone": "027-12345678",
    "category__direction": "jingchu",
}


def said(response) -> list[str]:
    """The messages shown on the page a followed response ends on."""
    return [str(message) for message in response.context["messages"]]


def send(client, work, slot, name, content, **extra):
    url = reverse("submissions:upload", args=[work.pk, slot])
    return client.post(url, {"file": SimpleUploadedFile(name, content), **extra}, follow=True)


def video_slot(work, number=1) -> str:
    return f"video-{work.episodes.get(number=number).pk}"


def padded_mp4(mp4_bytes: bytes, total: int) -> bytes:
    """A real MP4 grown to `total` bytes with a trailing free box."""
    filler = total - len(mp4_bytes)
    return mp4_bytes + filler.to_bytes(4, "big") + b"free" + b"\0" * (filler - 8)


@pytest.fixture
def entrant_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def organiser_client(organiser):
    browser = Client()
    browser.force_login(organiser)
    return browser


@pytest.fixture
def submitted(unit, member, mp4_bytes):
    work = workflow.create_work(unit, member, title="光谷里的微光")
    complete_work(work, member, mp4_bytes)
    return workflow.submit(work, member)


# ---- the entrant's whole path


def test_entrant_creates_fills_uploads_and_submits(entrant_client, unit, member, mp4_bytes, media_root):
    client = entrant_client
    response = client.post(reverse("submissions:create", args=[unit.campaign.slug, unit.pk]),
                           {"title": "光谷里的微光"})
    work = Work.objects.get(entrant=unit)
    assert response.status_code == 302
    assert response["Location"] == reverse("submissions:edit", args=[work.pk])
    assert work.created_by == member

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'data-max-chars="200"' in page.content.decode()

    response = client.post(reverse("submissions:edit", args=[work.pk]), {**HUBEI_POST, "then": "detail"},
                           follow=True)
    assert said(response) == ["已保存。"]
    assert response.redirect_chain[-1][0] == work.get_absolute_url()
    work.refresh_from_db()
    assert work.form_data["creators"] == [{"name": "张小明", "post": "导演", "contact": "13800000001"}]
    assert work.categories == {"direction": "jingchu"}

    detail = client.get(work.get_absolute_url()).content.decode()
    assert "请上传视频文件。" in detail
    assert "缺少「版权承诺书」。" in detail

    response = send(client, work, video_slot(work), "长川市委统战部-光谷里的微光.mp4", mp4_bytes)
    assert said(response) == ["已上传「长川市委统战部-光谷里的微光.mp4」（46 KB）。"]
    record_passing_checks(work)
    response = send(client, work, "copyright_pledge", "版权承诺书（盖章）.pdf", pdf_bytes())
    assert said(response) == [f"已上传「版权承诺书（盖章）.pdf」（{human_size(len(pdf_bytes()))}）。"]
    assert "信息和材料已齐全，可以提交。" in response.content.decode()
    assert len(stored_files(media_root)) == 2

    response = client.post(reverse("submissions:submit", args=[work.pk]), follow=True)
    assert said(response) == ["作品已提交，等待主办方形式审查。"]
    work.refresh_from_db()
    assert work.state == WorkState.SUBMITTED
    assert [h.action for h in work.history.all()] == [WorkHistory.Action.CREATE, WorkHistory.Action.SUBMIT]


def test_submit_over_http_lists_every_missing_piece(entrant_client, unit, member):
    work = workflow.create_work(unit, member, title="光谷里的微光")
    response = entrant_client.post(reverse("submissions:submit", args=[work.pk]), follow=True)
    messages = said(response)
    assert "请填写「主创人员信息」。" in messages
    assert "请上传视频文件。" in messages
    assert "缺少「版权承诺书」。" in messages
    assert len(messages) == 7
    work.refresh_from_db()
    assert work.state == WorkState.DRAFT


def test_invalid_form_is_not_saved_and_keeps_what_was_typed(entrant_client, unit, member):
    work = workflow.create_work(unit, member, title="原来的标题")
    too_long = "长" * 230
    response = entrant_client.post(reverse("submissions:edit", args=[work.pk]),
                                   {**HUBEI_POST, "synopsis": too_long})
    assert response.status_code == 200
    page = response.content.decode()
    assert "未保存：请按提示修改标红的内容，您填写的内容仍保留在页面上。" in page
    assert "「作品简介」限 200 字，现为 230 字，请删减 30 字。" in page
    assert too_long in page
    assert HUBEI_POST["script"] in page
    work.refresh_from_db()
    assert work.title == "原来的标题"
    assert work.form_data == {}


def test_untitled_work_pages_render(entrant_client, unit):
    response = entrant_client.post(reverse("submissions:create", args=[unit.campaign.slug, unit.pk]),
                                   follow=True)
    assert response.status_code == 200
    assert "（未命名作品）" in response.content.decode()
    work = Work.objects.get(entrant=unit)
    assert entrant_client.get(work.get_absolute_url()).status_code == 200


def test_ninth_work_over_http_shows_the_quota(entrant_client, unit, member):
    for number in range(8):
        workflow.create_work(unit, member, title=f"作品{number}")
    response = entrant_client.post(reverse("submissions:create", args=[unit.campaign.slug, unit.pk]),
                                   {"title": "第九件"}, follow=True)
    assert said(response) == ["已达报送数量上限：每个报送主体最多 8 件作品。"]
    assert Work.objects.filter(entrant=unit).count() == 8


def test_discard_over_http_frees_the_place(entrant_client, unit, member):
    work = workflow.create_work(unit, member, title="放弃的选题")
    response = entrant_client.post(reverse("submissions:discard", args=[work.pk]), follow=True)
    assert said(response) == ["草稿已撤销，名额已释放。"]
    work.refresh_from_db()
    assert work.state == WorkState.WITHDRAWN


def test_withdraw_over_http(entrant_client, submitted):
    response = entrant_client.post(reverse("submissions:withdraw", args=[submitted.pk]), follow=True)
    assert said(response) == ["作品已撤回为草稿，修改后请重新提交。"]
    submitted.refresh_from_db()
    assert submitted.state == WorkState.DRAFT


def test_a_submitted_work_cannot_be_edited_or_given_files(entrant_client, submitted, media_root):
    files_before = stored_files(media_root)
    response = entrant_client.post(reverse("submissions:edit", args=[submitted.pk]),
                                   {**HUBEI_POST, "title": "偷偷改名"}, follow=True)
    assert said(response) == ["作品当前不能修改（已提交、已审查或已过截止时间）。"]
    response = send(entrant_client, submitted, "copyright_pledge", "新版.pdf", pdf_bytes("new"))
    assert said(response) == ["作品当前不能修改（已提交、已审查或已过截止时间）。"]
    submitted.refresh_from_db()
    assert submitted.title == "光谷里的微光"
    assert submitted.attachments.count() == 2
    assert stored_files(media_root) == files_before


def test_chongqing_series_over_http(client, chongqing, mp4_bytes):
    entrant = EntrantFactory(campaign=chongqing, name="示例区党史研究室")
    person = member_of(entrant)
    client.force_login(person)
    work = workflow.create_work(entrant, person, title="红岩三部曲")
    client.post(reverse("submissions:add_episode", args=[work.pk]))
    client.post(reverse("submissions:add_episode", args=[work.pk]))
    assert list(work.episodes.values_list("number", flat=True)) == [1, 2, 3]
    send(client, work, video_slot(work, 1), "第1集.mp4", mp4_bytes)
    send(client, work, video_slot(work, 3), "第3集.mp4", mp4_bytes)
    response = send(client, work, "final_script", "文稿.docx", docx_bytes())
    assert said(response) == [f"已上传「文稿.docx」（{human_size(len(docx_bytes()))}）。"]
    page = response.content.decode()
    assert "第 2 集尚未上传视频文件。" in page
    response = client.post(
        reverse("submissions:remove_episode", args=[work.pk, work.episodes.get(number=2).pk]),
        follow=True,
    )
    assert list(work.episodes.values_list("number", flat=True)) == [1, 3]
    assert "第 2 集尚未上传视频文件。" not in response.content.decode()


def test_hubei_add_episode_over_http_is_refused(entrant_client, unit, member):
    work = workflow.create_work(unit, member, title="单集作品")
    response = entrant_client.post(reverse("submissions:add_episode", args=[work.pk]), follow=True)
    assert said(response) == ["本活动不接受系列作品。"]
    assert work.episodes.count() == 1


# ---- uploads that are refused


def test_upload_over_the_limit_by_its_declared_length_stores_nothing(
    entrant_client, unit, member, settings, mp4_bytes, media_root
):
    settings.GUANGYING_MAX_VIDEO_MB = 1
    work = workflow.create_work(unit, member, title="超大视频")
    content = padded_mp4(mp4_bytes, 3 * 1024 * 1024)
    response = send(entrant_client, work, video_slot(work), "超大.mp4", content)
    assert response.status_code == 200
    assert said(response) == ["「视频文件」文件过大，上限为 1.0 MB，文件未保存。"]
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_upload_just_over_the_limit_is_stopped_while_it_arrives(
    entrant_client, unit, member, settings, mp4_bytes, media_root
):
    settings.GUANGYING_MAX_VIDEO_MB = 1
    work = workflow.create_work(unit, member, title="略大视频")
    content = padded_mp4(mp4_bytes, 1024 * 1024 + 10 * 1024)  # within the header's allowance
    response = send(entrant_client, work, video_slot(work), "略大.mp4", content)
    assert said(response) == ["「视频文件」文件过大，上限为 1.0 MB，文件未保存。"]
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_oversized_upload_still_passes_the_csrf_check(unit, member, settings, mp4_bytes, media_root):
    settings.GUANGYING_MAX_VIDEO_MB = 1
    work = workflow.create_work(unit, member, title="超大视频")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    browser.get(work.get_absolute_url())
    token = browser.cookies["csrftoken"].value
    url = reverse("submissions:upload", args=[work.pk, video_slot(work)])
    response = browser.post(url, {"csrfmiddlewaretoken": token,
                                  "file": SimpleUploadedFile("超大.mp4", padded_mp4(mp4_bytes, 2 * 1024**2))},
                            follow=True)
    assert response.status_code == 200
    assert said(response) == ["「视频文件」文件过大，上限为 1.0 MB，文件未保存。"]
    assert stored_files(media_root) == []


def test_upload_of_the_wrong_type_explains_and_keeps_nothing(
    entrant_client, unit, member, videos, media_root
):
    work = workflow.create_work(unit, member, title="改了扩展名")
    response = send(entrant_client, work, video_slot(work), "作品.mp4", videos["mkv"].read_bytes())
    assert said(response) == [
        "「视频文件」的文件内容是 MKV，不是要求的 MP4（只改扩展名不能改变文件格式）。"
    ]
    response = send(entrant_client, work, "copyright_pledge", "承诺书.pdf", b"")
    assert said(response) == ["「版权承诺书」是空文件（0 字节），请检查后重新选择。"]
    assert stored_files(media_root) == []


def test_upload_without_a_file(entrant_client, unit, member):
    work = workflow.create_work(unit, member, title="没选文件")
    url = reverse("submissions:upload", args=[work.pk, "copyright_pledge"])
    assert said(entrant_client.post(url, {}, follow=True)) == ["请选择要上传的文件。"]


@pytest.mark.parametrize("slot", ["info_sheet", "no_such_slot", "video-999999"])
def test_upload_to_a_slot_that_does_not_exist_is_404(entrant_client, unit, member, slot):
    work = workflow.create_work(unit, member, title="作品")
    response = entrant_client.post(reverse("submissions:upload", args=[work.pk, slot]),
                                   {"file": SimpleUploadedFile("a.pdf", pdf_bytes())})
    assert response.status_code == 404


def test_upload_is_post_only(entrant_client, unit, member):
    work = workflow.create_work(unit, member, title="作品")
    url = reverse("submissions:upload", args=[work.pk, "copyright_pledge"])
    assert entrant_client.get(url).status_code == 404


# ---- downloads


def test_download_streams_the_original_bytes_under_the_original_name(entrant_client, submitted, mp4_bytes):
    video = submitted.attachments.get(kind=Attachment.VIDEO)
    response = entrant_client.get(video.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == mp4_bytes
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E9%95%BF%E5%B7%9D%E5%B8%82%E5%A7%94%E7%BB%9F%E6%88%98%E9%83%A8"
        "-%E5%85%89%E8%B0%B7%E9%87%8C%E7%9A%84%E5%BE%AE%E5%85%89.mp4"
    )
    assert response["Cache-Control"] == "private, no-store"


def test_download_of_an_ascii_name_and_a_text_file(entrant_client, chongqing, mp4_bytes):
    entrant = EntrantFactory(campaign=chongqing)
    person = member_of(entrant)
    entrant_client.force_login(person)
    work = workflow.create_work(entrant, person, title="红岩家书")
    script = "最终视频文稿\n第一场".encode("gb18030")
    attachment = upload(work, "final_script", "script.txt", script, person)
    response = entrant_client.get(attachment.get_absolute_url())
    assert b"".join(response.streaming_content) == script
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="script.txt"'


def test_organiser_downloads_a_superseded_file(organiser_client, unit, member):
    work = workflow.create_work(unit, member, title="换过承诺书")
    old = upload(work, "copyright_pledge", "旧.png", png_bytes(), member)
    upload(work, "copyright_pledge", "新.pdf", pdf_bytes(), member)
    page = organiser_client.get(work.get_absolute_url()).content.decode()
    assert "已被替换的文件" in page
    assert old.get_absolute_url() in page
    response = organiser_client.get(old.get_absolute_url())
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"


def test_download_of_a_missing_file_is_404(entrant_client, submitted):
    pledge = submitted.attachments.get(kind="copyright_pledge")
    pledge.file.storage.delete(pledge.file.name)
    assert entrant_client.get(pledge.get_absolute_url()).status_code == 404


# ---- who may reach what


def test_another_unit_reaches_nothing_of_this_work(client, submitted, other_member):
    client.force_login(other_member)
    video = submitted.attachments.get(kind=Attachment.VIDEO)
    for url in (submitted.get_absolute_url(), reverse("submissions:edit", args=[submitted.pk]),
                video.get_absolute_url()):
        assert client.get(url).status_code == 404
    for name in ("submit", "withdraw", "discard", "add_episode"):
        assert client.post(reverse(f"submissions:{name}", args=[submitted.pk])).status_code == 404
    response = client.post(reverse("submissions:upload", args=[submitted.pk, "copyright_pledge"]),
                           {"file": SimpleUploadedFile("x.pdf", pdf_bytes())})
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == WorkState.SUBMITTED
    assert submitted.attachments.count() == 2


def test_an_entrant_cannot_run_the_formal_check(entrant_client, submitted):
    response = entrant_client.post(reverse("submissions:check", args=[submitted.pk, "pass"]))
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.state == WorkState.SUBMITTED


def test_an_organiser_of_another_campaign_reaches_nothing(submitted):
    stranger = Client()
    other_campaign = CampaignFactory(preset="chongqing-2026-hongse")
    stranger.force_login(organiser_of(other_campaign))
    assert stranger.get(submitted.get_absolute_url()).status_code == 404
    assert stranger.post(reverse("submissions:check", args=[submitted.pk, "pass"])).status_code == 404
    assert stranger.get(reverse("submissions:manage_list", args=[submitted.campaign.slug])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, submitted):
    response = client.get(submitted.get_absolute_url())
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_state_changes_need_post(entrant_client, submitted):
    assert entrant_client.get(reverse("submissions:submit", args=[submitted.pk])).status_code == 405
    assert entrant_client.get(reverse("submissions:withdraw", args=[submitted.pk])).status_code == 405


# ---- the organiser's formal check


def test_organiser_returns_then_passes_after_the_fix(organiser_client, entrant_client, submitted, organiser):
    def check(action, **data):
        url = reverse("submissions:check", args=[submitted.pk, action])
        return organiser_client.post(url, data, follow=True)

    response = check("return")
    assert said(response) == ["请填写原因，报送主体会看到它。"]
    submitted.refresh_from_db()
    assert submitted.state == WorkState.SUBMITTED

    reason = "版权承诺书未加盖公章，请重新上传。"
    response = check("return", reason=reason)
    assert said(response) == ["已退回修改，报送主体会看到原因。"]
    submitted.refresh_from_db()
    assert submitted.state == WorkState.RETURNED

    page = entrant_client.get(submitted.get_absolute_url()).content.decode()
    assert "主办方退回修改：" in page
    assert reason in page
    assert "修改完成，重新提交" in page

    send(entrant_client, submitted, "copyright_pledge", "盖章版.pdf", pdf_bytes("stamped"))
    response = entrant_client.post(reverse("submissions:submit", args=[submitted.pk]), follow=True)
    assert said(response) == ["作品已提交，等待主办方形式审查。"]

    response = check("pass", reason="材料齐全", next="list")
    assert said(response) == ["形式审查通过。"]
    assert response.redirect_chain[-1][0] == reverse("submissions:manage_list",
                                                     args=[submitted.campaign.slug])
    submitted.refresh_from_db()
    assert submitted.state == WorkState.PASSED
    records = list(submitted.history.values_list("action", "actor", "reason"))
    assert records[-3:] == [
        (WorkHistory.Action.RETURN, organiser.pk, reason),
        (WorkHistory.Action.SUBMIT, submitted.entrant.memberships.get().user_id, ""),
        (WorkHistory.Action.PASS, organiser.pk, "材料齐全"),
    ]


def test_organiser_rejects_and_reopens(organiser_client, submitted):
    def url(action):
        return reverse("submissions:check", args=[submitted.pk, action])

    response = organiser_client.post(url("reject"), {"reason": "与活动主题无关"}, follow=True)
    assert said(response) == ["已标记为不予受理。"]
    submitted.refresh_from_db()
    assert submitted.state == WorkState.REJECTED
    response = organiser_client.post(url("reopen"), {"reason": "误操作"}, follow=True)
    assert said(response) == ["已恢复为待审查。"]
    submitted.refresh_from_db()
    assert submitted.state == WorkState.SUBMITTED


def test_unknown_check_action_is_404(organiser_client, submitted):
    url = reverse("submissions:check", args=[submitted.pk, "delete"])
    assert organiser_client.post(url).status_code == 404


def test_organiser_extends_one_work(organiser_client, submitted):
    until = timezone.localtime() + timedelta(days=60)
    response = organiser_client.post(reverse("submissions:extend", args=[submitted.pk]),
                                     {"until": until.strftime("%Y-%m-%dT%H:%M"), "reason": "单位申请"},
                                     follow=True)
    assert said(response) == ["已更新该作品的截止时间。"]
    submitted.refresh_from_db()
    assert submitted.deadline_extended_until == until.replace(second=0, microsecond=0)
    response = organiser_client.post(reverse("submissions:extend", args=[submitted.pk]),
                                     {"until": until.strftime("%Y-%m-%dT%H:%M")}, follow=True)
    assert said(response) == ["这个字段是必填项。"]


# ---- the works list


@pytest.fixture
def listed(unit, other_unit, member, other_member, submitted):
    draft = workflow.create_work(unit, member, title="同心路上")
    other = workflow.create_work(other_unit, other_member, title="明德讲堂")
    gone = workflow.create_work(other_unit, other_member, title="撤销的草稿")
    workflow.discard(gone, other_member)
    return {"submitted": submitted, "draft": draft, "other": other, "gone": gone}


def titles(response) -> list[str]:
    return [work.title for work in response.context["page"]]


def test_works_list_filters(organiser_client, hubei, listed, other_unit):
    url = reverse("submissions:manage_list", args=[hubei.slug])
    assert sorted(titles(organiser_client.get(url))) == ["光谷里的微光", "同心路上", "明德讲堂"]
    assert titles(organiser_client.get(url, {"state": "submitted"})) == ["光谷里的微光"]
    assert titles(organiser_client.get(url, {"state": "withdrawn"})) == ["撤销的草稿"]
    assert titles(organiser_client.get(url, {"entrant": other_unit.pk})) == ["明德讲堂"]
    assert titles(organiser_client.get(url, {"q": "同心"})) == ["同心路上"]
    assert titles(organiser_client.get(url, {"q": "明德大学"})) == ["明德讲堂"]
    assert titles(organiser_client.get(url, {"state": "draft", "entrant": other_unit.pk})) == ["明德讲堂"]
    # nonsense in the filters is ignored, not an error: the list is as if unfiltered
    nonsense = titles(organiser_client.get(url, {"state": "nonsense", "entrant": "x' OR 1=1"}))
    assert sorted(nonsense) == sorted(["光谷里的微光", "同心路上", "明德讲堂"])


def test_works_list_for_htmx_is_only_the_rows(organiser_client, hubei, listed):
    url = reverse("submissions:manage_list", args=[hubei.slug])
    response = organiser_client.get(url, {"q": "微光"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page
    assert "光谷里的微光" in page
    assert "明德讲堂" not in page


def test_works_list_is_for_organisers_only(entrant_client, hubei, listed):
    assert entrant_client.get(reverse("submissions:manage_list", args=[hubei.slug])).status_code == 404


def test_export_returns_an_xlsx_of_the_filtered_list(organiser_client, hubei, listed):
    response = organiser_client.get(reverse("submissions:manage_export", args=[hubei.slug]),
                                    {"state": "draft"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content))["作品列表"]
    assert sorted(row[1].value for row in sheet.iter_rows(min_row=2)) == ["同心路上", "明德讲堂"]


def test_hostile_title_is_escaped_in_the_list(organiser_client, hubei, unit):
    WorkFactory(entrant=unit, title="<script>alert(1)</script>")
    page = organiser_client.get(reverse("submissions:manage_list", args=[hubei.slug])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
