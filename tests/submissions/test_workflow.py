"""The life of a work: quota, handing in, the deadline, the formal check, and the record of it all."""

from datetime import timedelta

import pytest
from django.utils import timezone

from guangying.demo.media import pdf_bytes
from guangying.submissions import workflow
from guangying.submissions.models import Attachment, Work, WorkHistory, WorkState
from guangying.submissions.readiness import submission_problems
from guangying.submissions.workflow import WorkflowError
from tests.factories import (
    CampaignFactory,
    EntrantFactory,
    WorkFactory,
    member_of,
    organiser_of,
    preset_rules,
)

from .helpers import complete_form, complete_work, docx_bytes, record_passing_checks, upload

pytestmark = pytest.mark.django_db

Action = WorkHistory.Action


def refused(step, *args, **kwargs) -> list[str]:
    with pytest.raises(WorkflowError) as caught:
        step(*args, **kwargs)
    return caught.value.messages


def closing_text(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日 23:59"


@pytest.fixture
def cq_unit(chongqing):
    return EntrantFactory(campaign=chongqing, name="示例区党史研究室")


@pytest.fixture
def cq_member(cq_unit):
    return member_of(cq_unit)


@pytest.fixture
def ready(unit, member, mp4_bytes):
    """A Hubei draft with everything in place."""
    work = workflow.create_work(unit, member, title="光谷里的微光")
    complete_work(work, member, mp4_bytes)
    return work


@pytest.fixture
def submitted(ready, member):
    return workflow.submit(ready, member)


# ---- creating works within the quota


def test_create_work_makes_a_draft_with_one_episode_and_a_record(unit, member):
    work = workflow.create_work(unit, member, title="  光谷\u200b里的微光 ")
    assert work.state == WorkState.DRAFT
    assert work.title == "光谷里的微光"
    assert work.created_by == member
    assert list(work.episodes.values_list("number", flat=True)) == [1]
    record = work.history.get()
    assert (record.action, record.from_state, record.to_state, record.actor) == (
        Action.CREATE, "", WorkState.DRAFT, member
    )


def test_a_work_may_be_created_without_a_title_but_not_handed_in(unit, member, mp4_bytes):
    work = workflow.create_work(unit, member)
    assert str(work) == "（未命名作品）"
    complete_work(work, member, mp4_bytes)
    assert refused(workflow.submit, work, member) == ["请填写「作品名称」。"]


def test_hubei_unit_creates_eight_works_and_the_ninth_is_refused(unit, member):
    for number in range(8):
        workflow.create_work(unit, member, title=f"作品{number}")
    messages = refused(workflow.create_work, unit, member, title="第九件")
    assert messages == ["已达报送数量上限：每个报送主体最多 8 件作品。"]
    assert Work.objects.filter(entrant=unit).count() == 8
    assert not Work.objects.filter(title="第九件").exists()


def test_quota_is_per_unit(unit, member, other_unit, other_member):
    for number in range(8):
        workflow.create_work(unit, member, title=f"作品{number}")
    assert workflow.create_work(other_unit, other_member, title="另一单位的作品").pk


def test_a_unit_quota_set_by_the_organiser_wins_over_the_rule_set(unit, member):
    unit.quota_max = 2
    unit.save()
    workflow.create_work(unit, member)
    workflow.create_work(unit, member)
    assert refused(workflow.create_work, unit, member) == ["已达报送数量上限：每个报送主体最多 2 件作品。"]


def test_discarding_a_draft_frees_its_place(unit, member):
    works = [workflow.create_work(unit, member, title=f"作品{n}") for n in range(8)]
    refused(workflow.create_work, unit, member)
    workflow.discard(works[3], member, reason="选题重复")
    ninth = workflow.create_work(unit, member, title="替补作品")
    assert ninth.state == WorkState.DRAFT
    works[3].refresh_from_db()
    assert works[3].state == WorkState.WITHDRAWN  # kept on record, not deleted
    record = works[3].history.get(action=Action.DISCARD)
    assert (record.from_state, record.to_state, record.reason) == (
        WorkState.DRAFT, WorkState.WITHDRAWN, "选题重复"
    )


def test_a_rejected_work_frees_its_place(unit, member, organiser, mp4_bytes):
    works = [workflow.create_work(unit, member, title=f"作品{n}") for n in range(8)]
    complete_work(works[0], member, mp4_bytes)
    workflow.submit(works[0], member)
    workflow.reject(works[0], organiser, reason="内容与主题无关")
    assert workflow.create_work(unit, member).pk


def test_reopening_a_rejected_work_is_refused_once_its_place_is_taken(
    unit, member, organiser, mp4_bytes
):
    unit.quota_max = 1
    unit.save()
    first = workflow.create_work(unit, member, title="第一件")
    complete_work(first, member, mp4_bytes)
    workflow.submit(first, member)
    workflow.reject(first, organiser, reason="内容与主题无关")
    second = workflow.create_work(unit, member, title="第二件")
    complete_work(second, member, mp4_bytes)
    workflow.submit(second, member)

    messages = refused(workflow.reopen, first, organiser, "误判")
    assert any("上限" in m for m in messages)
    first.refresh_from_db()
    assert first.state == WorkState.REJECTED
    workflow.reject(second, organiser, reason="重复报送")
    assert workflow.reopen(first, organiser, "误判").state == WorkState.SUBMITTED


def test_chongqing_has_no_quota(cq_unit, cq_member):
    for number in range(12):
        workflow.create_work(cq_unit, cq_member, title=f"系列{number}")
    assert Work.objects.filter(entrant=cq_unit).count() == 12


def test_no_works_in_an_unpublished_campaign(member):
    campaign = CampaignFactory(is_published=False)
    entrant = EntrantFactory(campaign=campaign)
    assert refused(workflow.create_work, entrant, member) == ["活动尚未发布。"]


def test_no_new_works_after_the_deadline(member):
    closed_on = timezone.localdate() - timedelta(days=1)
    entrant = EntrantFactory(campaign=CampaignFactory(closes=closed_on))
    messages = refused(workflow.create_work, entrant, member)
    assert messages == [f"报送已于 {closing_text(closed_on)}（北京时间）截止，不能再新建作品。"]
    assert not Work.objects.exists()


# ---- handing in: everything missing, at once


def test_empty_hubei_draft_lists_every_missing_piece(unit, member):
    work = workflow.create_work(unit, member, title="光谷里的微光")
    messages = refused(workflow.submit, work, member)
    assert messages == [
        "请填写「主创人员信息」。",
        "请填写「作品简介」。",
        "请填写「视频脚本内容」。",
        "请填写「联系人」。",
        "请填写「联系电话」。",
        "请上传视频文件。",
        "缺少「版权承诺书」。",
    ]
    work.refresh_from_db()
    assert work.state == WorkState.DRAFT
    assert not work.history.filter(action=Action.SUBMIT).exists()


def test_missing_video_and_pledge_are_named_when_the_form_is_complete(unit, member):
    work = workflow.create_work(unit, member, title="光谷里的微光")
    complete_form(work)
    assert refused(workflow.submit, work, member) == ["请上传视频文件。", "缺少「版权承诺书」。"]


def test_missing_pledge_alone(unit, member, mp4_bytes):
    work = workflow.create_work(unit, member, title="光谷里的微光")
    complete_form(work)
    upload(work, "video", "作品.mp4", mp4_bytes, member, episode=work.episodes.get())
    record_passing_checks(work)
    assert refused(workflow.submit, work, member) == ["缺少「版权承诺书」。"]


def test_chongqing_draft_names_its_own_rows_and_the_final_script(cq_unit, cq_member, mp4_bytes):
    work = workflow.create_work(cq_unit, cq_member, title="红岩家书")
    upload(work, "video", "作品.mp4", mp4_bytes, cq_member, episode=work.episodes.get())
    upload(work, "copyright_pledge", "承诺书.pdf", pdf_bytes(), cq_member)
    record_passing_checks(work)
    messages = refused(workflow.submit, work, cq_member)
    assert messages == [
        "请填写「作品时长」。",
        "请填写「播出情况」。",
        "请填写「联系人」。",
        "请填写「联系电话」。",
        "请填写「作品创作团队情况」。",
        "请填写「作品简介」。",
        "缺少「最终视频文稿」。",
    ]


def test_text_over_a_limit_saved_before_the_rule_set_changed_blocks_submission(ready, member):
    ready.form_data["synopsis"] = "长" * 205
    ready.save()
    assert refused(workflow.submit, ready, member) == ["「作品简介」限 200 字，现为 205 字。"]


def test_aired_without_link_blocks_submission(cq_unit, cq_member, mp4_bytes):
    work = workflow.create_work(cq_unit, cq_member, title="红岩家书")
    complete_work(work, cq_member, mp4_bytes)
    work.form_data["broadcast"] = {"status": "aired", "platform": "华龙网", "link": ""}
    work.save()
    assert refused(workflow.submit, work, cq_member) == ["「播出情况」为已播出时，请填写播出平台及链接。"]


def test_a_superseded_file_does_not_count_as_present(ready, member):
    Attachment.objects.filter(work=ready, kind="copyright_pledge").update(superseded_at=timezone.now())
    assert refused(workflow.submit, ready, member) == ["缺少「版权承诺书」。"]


def test_complete_work_is_submitted_and_recorded(ready, member):
    before = timezone.now()
    work = workflow.submit(ready, member)
    assert work.state == WorkState.SUBMITTED
    assert work.submitted_at >= before
    record = work.history.get(action=Action.SUBMIT)
    assert (record.from_state, record.to_state, record.actor) == (
        WorkState.DRAFT, WorkState.SUBMITTED, member
    )
    assert submission_problems(work) == []


def test_a_submitted_work_cannot_be_submitted_again(submitted, member):
    assert refused(workflow.submit, submitted, member) == ["作品当前状态为「已提交」，不能提交。"]
    assert submitted.history.filter(action=Action.SUBMIT).count() == 1


def test_submitting_a_stale_copy_reads_the_current_state(ready, member):
    stale = Work.objects.get(pk=ready.pk)
    workflow.submit(ready, member)
    assert refused(workflow.submit, stale, member) == ["作品当前状态为「已提交」，不能提交。"]


# ---- the deadline and extensions


@pytest.fixture
def closed(organiser):
    """A Hubei campaign whose submission closed yesterday."""
    closed_on = timezone.localdate() - timedelta(days=1)
    campaign = CampaignFactory(closes=closed_on, organiser=organiser)
    entrant = EntrantFactory(campaign=campaign, name="逾期单位")
    return campaign, entrant, member_of(entrant), closed_on


def test_submission_after_the_deadline_is_refused(closed, mp4_bytes):
    _campaign, entrant, person, closed_on = closed
    work = WorkFactory(entrant=entrant, title="迟到的作品")
    complete_work(work, person, mp4_bytes)
    messages = refused(workflow.submit, work, person)
    assert messages == [f"已过报送截止时间 {closing_text(closed_on)}（北京时间），不能再提交。"]
    work.refresh_from_db()
    assert work.state == WorkState.DRAFT


def test_late_and_incomplete_lists_both(closed):
    _campaign, entrant, person, _closed_on = closed
    work = WorkFactory(entrant=entrant, title="迟到的作品")
    messages = refused(workflow.submit, work, person)
    assert messages[0].startswith("已过报送截止时间")
    assert "请上传视频文件。" in messages
    assert "缺少「版权承诺书」。" in messages


def test_the_last_day_counts_until_midnight_beijing_time(unit, member, mp4_bytes):
    work = workflow.create_work(unit, member, title="踩点作品")
    complete_work(work, member, mp4_bytes)
    closes = unit.campaign.submission_closes_at
    assert closes.astimezone(unit.campaign.rules.zone).strftime("%H:%M:%S") == "23:59:59"
    late = closes + timedelta(seconds=1)
    assert refused(workflow.submit, work, member, at=late)[0].startswith("已过报送截止时间")
    assert workflow.submit(work, member, at=closes).state == WorkState.SUBMITTED


def test_submission_before_the_opening_day_is_refused(member, mp4_bytes):
    opens = timezone.localdate() + timedelta(days=3)
    _key, rules = preset_rules("hubei-2026-weiguang", opens=opens, closes=opens + timedelta(days=30))
    entrant = EntrantFactory(campaign=CampaignFactory(rules=rules))
    person = member_of(entrant)
    work = workflow.create_work(entrant, person, title="抢跑的作品")
    complete_work(work, person, mp4_bytes)
    messages = refused(workflow.submit, work, person)
    opening = f"{opens.year}年{opens.month}月{opens.day}日 00:00"
    assert messages == [f"报送尚未开始，开始时间为 {opening}（北京时间）。"]


def test_an_extension_lets_one_work_submit_after_the_deadline(closed, organiser, mp4_bytes):
    _campaign, entrant, person, _closed_on = closed
    late, other = WorkFactory(entrant=entrant, title="获准延期"), WorkFactory(entrant=entrant, title="未延期")
    complete_work(late, person, mp4_bytes)
    complete_work(other, person, mp4_bytes)
    until = timezone.now() + timedelta(days=2)
    workflow.extend_deadline(late, organiser, until, reason="暴雨停电，无法按时上传")
    assert workflow.submit(late, person).state == WorkState.SUBMITTED
    assert refused(workflow.submit, other, person)[0].startswith("已过报送截止时间")
    record = late.history.get(action=Action.EXTEND)
    assert record.actor == organiser
    assert "暴雨停电，无法按时上传" in record.reason
    assert record.reason.startswith("延期至 ")


def test_an_extension_must_be_later_than_the_campaign_deadline(ready, organiser):
    closes = ready.campaign.submission_closes_at
    messages = refused(workflow.extend_deadline, ready, organiser, closes - timedelta(days=1), "理由")
    assert messages[0].startswith("延期时间必须晚于活动截止时间")
    ready.refresh_from_db()
    assert ready.deadline_extended_until is None


def test_an_extension_needs_a_reason(ready, organiser):
    until = ready.campaign.submission_closes_at + timedelta(days=3)
    assert refused(workflow.extend_deadline, ready, organiser, until, "  ") == ["请填写延期原因。"]


def test_an_extension_can_be_taken_back(closed, organiser, mp4_bytes):
    _campaign, entrant, person, _closed_on = closed
    work = WorkFactory(entrant=entrant)
    complete_work(work, person, mp4_bytes)
    workflow.extend_deadline(work, organiser, timezone.now() + timedelta(days=1), "临时延期")
    workflow.extend_deadline(work, organiser, None, "已与单位沟通，取消")
    work.refresh_from_db()
    assert work.deadline_extended_until is None
    assert refused(workflow.submit, work, person)[0].startswith("已过报送截止时间")
    assert work.history.filter(action=Action.EXTEND).last().reason == "取消延期：已与单位沟通，取消"


# ---- the formal check


def test_pass_is_recorded_with_actor_states_and_note(submitted, organiser):
    work = workflow.pass_formal_check(submitted, organiser, reason="材料齐全")
    assert work.state == WorkState.PASSED
    record = work.history.get(action=Action.PASS)
    assert (record.actor, record.from_state, record.to_state, record.reason) == (
        organiser, WorkState.SUBMITTED, WorkState.PASSED, "材料齐全"
    )


@pytest.mark.parametrize("reason", ["", "   ", "\u200b\u200b"])
def test_returning_requires_a_reason(submitted, organiser, reason):
    messages = refused(workflow.return_for_correction, submitted, organiser, reason)
    assert messages == ["请填写原因，报送主体会看到它。"]
    submitted.refresh_from_db()
    assert submitted.state == WorkState.SUBMITTED
    assert not submitted.history.filter(action=Action.RETURN).exists()


def test_returned_work_is_fixed_and_handed_in_again(submitted, member, organiser):
    reason = "版权承诺书未盖章，请重新上传。"
    work = workflow.return_for_correction(submitted, organiser, reason)
    assert work.state == WorkState.RETURNED
    assert workflow.editable_by_entrant(work)
    upload(work, "copyright_pledge", "盖章版.pdf", pdf_bytes("stamped"), member)
    work = workflow.submit(work, member)
    assert work.state == WorkState.SUBMITTED
    actions = list(work.history.values_list("action", "from_state", "to_state", "reason"))
    assert actions == [
        (Action.CREATE, "", WorkState.DRAFT, ""),
        (Action.SUBMIT, WorkState.DRAFT, WorkState.SUBMITTED, ""),
        (Action.RETURN, WorkState.SUBMITTED, WorkState.RETURNED, reason),
        (Action.SUBMIT, WorkState.RETURNED, WorkState.SUBMITTED, ""),
    ]


def test_a_passed_work_can_still_be_returned(submitted, organiser):
    workflow.pass_formal_check(submitted, organiser)
    work = workflow.return_for_correction(submitted, organiser, "发现片尾未标注报送单位")
    assert work.state == WorkState.RETURNED


def test_overlong_reason_is_refused(submitted, organiser):
    assert refused(workflow.reject, submitted, organiser, "长" * 2001) == ["原因不能超过 2000 字。"]


def test_reject_requires_a_reason_then_reopen_requires_one_too(submitted, organiser):
    assert refused(workflow.reject, submitted, organiser, "") == ["请填写原因，报送主体会看到它。"]
    work = workflow.reject(submitted, organiser, "与活动主题无关")
    assert work.state == WorkState.REJECTED
    assert refused(workflow.reopen, work, organiser, "") == ["请填写原因，报送主体会看到它。"]
    work = workflow.reopen(work, organiser, "误操作，恢复审查")
    assert work.state == WorkState.SUBMITTED
    records = list(work.history.filter(action__in=[Action.REJECT, Action.REOPEN]))
    assert [(r.action, r.from_state, r.to_state, r.reason, r.actor) for r in records] == [
        (Action.REJECT, WorkState.SUBMITTED, WorkState.REJECTED, "与活动主题无关", organiser),
        (Action.REOPEN, WorkState.REJECTED, WorkState.SUBMITTED, "误操作，恢复审查", organiser),
    ]


@pytest.mark.parametrize(
    ("step", "state", "message"),
    [
        (workflow.pass_formal_check, WorkState.DRAFT, "作品当前状态为「草稿」，不能执行此操作。"),
        (workflow.return_for_correction, WorkState.DRAFT, "作品当前状态为「草稿」，不能执行此操作。"),
        (workflow.reject, WorkState.WITHDRAWN, "作品当前状态为「已撤销」，不能执行此操作。"),
        (workflow.reopen, WorkState.SUBMITTED, "作品当前状态为「已提交」，不能执行此操作。"),
        (workflow.pass_formal_check, WorkState.REJECTED, "作品当前状态为「不予受理」，不能执行此操作。"),
        (workflow.discard, WorkState.SUBMITTED, "作品当前状态为「已提交」，不能执行此操作。"),
    ],
)
def test_steps_from_the_wrong_state_are_refused_and_not_recorded(unit, organiser, step, state, message):
    work = WorkFactory(entrant=unit, state=state)
    assert refused(step, work, organiser, "原因") == [message]
    work.refresh_from_db()
    assert work.state == state
    assert not work.history.exists()


# ---- withdrawing to change a submitted work


def test_withdraw_before_the_deadline_goes_back_to_draft(submitted, member):
    work = workflow.withdraw(submitted, member)
    assert work.state == WorkState.DRAFT
    record = work.history.get(action=Action.WITHDRAW)
    assert (record.from_state, record.to_state, record.actor) == (
        WorkState.SUBMITTED, WorkState.DRAFT, member
    )


def test_withdraw_after_the_deadline_is_refused(closed):
    _campaign, entrant, person, _closed_on = closed
    work = WorkFactory(entrant=entrant, state=WorkState.SUBMITTED)
    assert refused(workflow.withdraw, work, person) == ["已过截止时间，不能撤回修改。"]
    work.refresh_from_db()
    assert work.state == WorkState.SUBMITTED


# ---- handing in against a lowered quota


def test_submitting_beyond_a_lowered_quota_is_refused(unit, member, mp4_bytes):
    works = [workflow.create_work(unit, member, title=f"作品{n}") for n in range(3)]
    for work in works:
        complete_work(work, member, mp4_bytes)
    workflow.submit(works[0], member)
    workflow.submit(works[1], member)
    unit.quota_max = 2
    unit.save()
    messages = refused(workflow.submit, works[2], member)
    assert messages == ["已达报送数量上限：每个报送主体最多 2 件作品。"]
    # the quota comes first, then anything else that is missing
    Attachment.objects.filter(work=works[2]).update(superseded_at=timezone.now())
    messages = refused(workflow.submit, works[2], member)
    assert messages[0] == "已达报送数量上限：每个报送主体最多 2 件作品。"
    assert "请上传视频文件。" in messages


def test_a_returned_work_resubmits_within_a_full_quota(unit, member, organiser, mp4_bytes):
    unit.quota_max = 1
    unit.save()
    work = workflow.create_work(unit, member, title="唯一名额")
    complete_work(work, member, mp4_bytes)
    workflow.submit(work, member)
    workflow.return_for_correction(work, organiser, "请补充片尾单位名称")
    assert workflow.submit(work, member).state == WorkState.SUBMITTED


# ---- series (Chongqing) and single videos (Hubei)


def test_chongqing_series_needs_a_video_for_every_episode(cq_unit, cq_member, mp4_bytes):
    work = workflow.create_work(cq_unit, cq_member, title="红岩三部曲")
    second = workflow.add_episode(work, cq_member)
    third = workflow.add_episode(work, cq_member)
    assert (second.number, third.number) == (2, 3)
    complete_form(work)
    upload(work, "copyright_pledge", "承诺书.pdf", pdf_bytes(), cq_member)
    upload(work, "final_script", "文稿.docx", docx_bytes(), cq_member)
    upload(work, "video", "第2集.mp4", mp4_bytes, cq_member, episode=second)
    record_passing_checks(work)
    assert refused(workflow.submit, work, cq_member) == [
        "第 1 集尚未上传视频文件。",
        "第 3 集尚未上传视频文件。",
    ]
    upload(work, "video", "第1集.mp4", mp4_bytes, cq_member, episode=work.episodes.get(number=1))
    upload(work, "video", "第3集.mp4", mp4_bytes, cq_member, episode=third)
    record_passing_checks(work)
    assert workflow.submit(work, cq_member).state == WorkState.SUBMITTED


def test_removing_an_episode_keeps_its_video_on_record(cq_unit, cq_member, mp4_bytes):
    work = workflow.create_work(cq_unit, cq_member)
    second = workflow.add_episode(work, cq_member)
    video = upload(work, "video", "第2集.mp4", mp4_bytes, cq_member, episode=second)
    workflow.remove_episode(second, cq_member)
    video.refresh_from_db()
    assert video.superseded_at is not None
    assert video.episode is None
    assert video.file.storage.exists(video.file.name)
    assert list(work.episodes.values_list("number", flat=True)) == [1]


def test_the_last_episode_cannot_be_removed(cq_unit, cq_member):
    work = workflow.create_work(cq_unit, cq_member)
    assert refused(workflow.remove_episode, work.episodes.get(), cq_member) == ["作品至少要有一集。"]


def test_hubei_refuses_add_episode(ready, member):
    assert refused(workflow.add_episode, ready, member) == ["本活动不接受系列作品。"]
    assert ready.episodes.count() == 1


def test_a_submitted_work_takes_no_new_episodes(cq_unit, cq_member, mp4_bytes):
    work = workflow.create_work(cq_unit, cq_member, title="红岩家书")
    complete_work(work, cq_member, mp4_bytes)
    stale = Work.objects.get(pk=work.pk)  # a page opened before another member handed it in
    workflow.submit(work, cq_member)
    assert refused(workflow.add_episode, stale, cq_member) == ["作品当前不能修改。"]
    assert work.episodes.count() == 1


def test_a_hubei_work_with_two_episodes_cannot_be_handed_in(ready, member, mp4_bytes):
    extra = ready.episodes.create(number=2)
    upload(ready, "video", "第二个.mp4", mp4_bytes, member, episode=extra)
    record_passing_checks(ready)
    assert refused(workflow.submit, ready, member) == ["本活动不接受系列作品，每件作品只能有一个视频。"]


def test_editable_only_as_draft_or_returned_and_before_the_deadline(ready, member, organiser, closed):
    assert workflow.editable_by_entrant(ready)
    workflow.submit(ready, member)
    ready.refresh_from_db()
    assert not workflow.editable_by_entrant(ready)
    _campaign, entrant, _person, _closed_on = closed
    assert not workflow.editable_by_entrant(WorkFactory(entrant=entrant))


def test_an_organiser_of_one_campaign_records_in_history_of_a_work_there(submitted):
    another = organiser_of(submitted.campaign)
    workflow.pass_formal_check(submitted, another)
    assert submitted.history.get(action=Action.PASS).actor == another
