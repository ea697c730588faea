"""Decisions on real records: levels from the notices, proposed from a closed round, staged, released."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from guangying.campaigns.models import Campaign, CampaignRole, Entrant
from guangying.reviews import decisions, outbox, services
from guangying.reviews.decisions import DecisionError
from guangying.reviews.models import (
    Assignment,
    AwardLevel,
    Decision,
    OutgoingMail,
    ReviewLog,
    ReviewRound,
)
from guangying.reviews.rounds import close_round, open_round, rounds_for, save_score
from guangying.submissions.models import WorkState
from tests.factories import EntrantFactory, UserFactory, WorkFactory, member_of
from tests.racing import race

pytestmark = pytest.mark.django_db

AWARDS = [("一等奖", 1), ("二等奖", 2), ("三等奖", 3), ("优秀作品", None)]


def closed_round(campaign, organiser, works, *, top=None, close=True):
    """The campaign's first round over ``works`` ((entrant, title, mark) each), scored and closed.

    Three reviewers of no unit score every work ``mark`` on every criterion (or ``mark``×10
    overall where the round has no criteria), so a work's aggregate is mark×10 and equal
    marks are a real tie. ``top`` advances the top N before the round closes.
    """
    made = {title: WorkFactory(entrant=entrant, title=title, state=WorkState.PASSED)
            for entrant, title, _mark in works}
    marks = {made[title].pk: mark for _entrant, title, mark in works}
    for i in range(3):
        CampaignRole.objects.create(campaign=campaign, user=UserFactory(name=f"评委{i}"),
                                    role=CampaignRole.Role.REVIEWER, unit_name="")
    first = rounds_for(campaign)[0]
    open_round(first)
    services.assign_round(first, by=organiser)
    keys = list(first.criteria.values_list("key", flat=True))
    for a in Assignment.objects.filter(round=first).select_related("reviewer"):
        mark = marks[a.work_id]
        if keys:
            save_score(a, {k: mark for k in keys}, by=a.reviewer, submit=True)
        else:
            save_score(a, {}, overall=mark * 10, by=a.reviewer, submit=True)
    if top:
        services.advance(first, top=top)
    if close:
        close_round(first)
    first.refresh_from_db()
    return first, made


def awards_of(campaign):
    return {d.work.title: (d.award, d.position) for d in Decision.objects.filter(campaign=campaign)
            .select_related("work")}


# --------------------------------------------------------------------------
# Levels


def test_levels_come_from_the_notices_without_counts(hubei, chongqing):
    assert [(a.label, a.count) for a in decisions.award_levels(hubei)] == [("优秀作品", None)]
    assert [(a.label, a.count) for a in decisions.award_levels(chongqing)] \
        == [("优秀作品", None), ("特别优秀作品奖励", None)]
    decisions.award_levels(hubei)
    assert AwardLevel.objects.filter(campaign=hubei).count() == 1  # made once


def test_the_organiser_sets_levels_and_counts(hubei, organiser):
    levels = decisions.set_award_levels(hubei, AWARDS, organiser)
    assert [(a.label, a.count, a.position) for a in levels] == [
        ("一等奖", 1, 1), ("二等奖", 2, 2), ("三等奖", 3, 3), ("优秀作品", None, 4)]
    line = ReviewLog.objects.get(campaign=hubei, action="award_levels")
    assert "一等奖 1 名" in line.text and "优秀作品 不限" in line.text and line.actor == organiser
    # Whitespace is tidied; a label is kept as typed otherwise.
    decisions.set_award_levels(hubei, [("  特别 \n 奖 ", 0), ("优秀作品", 1000)], organiser)
    assert [(a.label, a.count) for a in decisions.award_levels(hubei)] == [("特别 奖", 0), ("优秀作品", 1000)]


@pytest.mark.parametrize("levels, message", [
    ([], "至少设置一个奖项"),
    ([("", 1)], "不能为空"),
    ([("   ", None)], "不能为空"),
    ([("奖" * 61, None)], "最多 60 字"),
    ([("一等奖", 1), ("一等奖", 2)], "重复"),
    ([("一等奖", -1)], "0 到 1000"),
    ([("一等奖", 1001)], "0 到 1000"),
    ([("一等奖", True)], "0 到 1000"),
    ([("一等奖", "3")], "0 到 1000"),
    ([("未入选", None)], "不能作为奖项名称"),
    ([(f"奖{n}", None) for n in range(21)], "最多设置 20 个"),
])
def test_bad_levels_are_refused_and_the_saved_ones_kept(hubei, organiser, levels, message):
    decisions.set_award_levels(hubei, AWARDS, organiser)
    with pytest.raises(DecisionError, match=message):
        decisions.set_award_levels(hubei, levels, organiser)
    assert [(a.label, a.count) for a in decisions.award_levels(hubei)] == AWARDS


@pytest.mark.parametrize("text, value", [("", None), ("  ", None), (None, None), ("0", 0), (" 12 ", 12),
                                         ("1000", 1000)])
def test_counts_as_typed(text, value):
    assert decisions.parse_count(text) == value


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "1001", "１２", "1e3", "3 名"])
def test_counts_that_are_not_whole_numbers_are_refused(text):
    with pytest.raises(DecisionError, match="整数"):
        decisions.parse_count(text, "一等奖")


# --------------------------------------------------------------------------
# Proposing


@pytest.fixture
def ten(hubei, organiser, unit, other_unit):
    """Ten works marked 9.5 down to 5 (no ties), the top eight advanced, the round closed."""
    works = [(unit if n % 2 else other_unit, f"作品{n:02d}", 9.5 - n * 0.5) for n in range(10)]
    decisions.set_award_levels(hubei, AWARDS, organiser)
    return closed_round(hubei, organiser, works, top=8)


def test_a_proposal_goes_down_the_ranking_level_by_level(ten, hubei, organiser):
    first, _works = ten
    proposal = decisions.propose(first, organiser)
    assert awards_of(hubei) == {
        "作品00": ("一等奖", 1), "作品01": ("二等奖", 2), "作品02": ("二等奖", 3),
        "作品03": ("三等奖", 4), "作品04": ("三等奖", 5), "作品05": ("三等奖", 6),
        "作品06": ("优秀作品", 7), "作品07": ("优秀作品", 8),  # advanced; 08 and 09 were not
    }
    assert proposal.notes == ()
    assert set(Decision.objects.filter(campaign=hubei).values_list("round", flat=True)) == {first.pk}
    assert not Decision.objects.filter(campaign=hubei, released_at__isnull=False).exists()
    assert ReviewLog.objects.filter(campaign=hubei, action="decisions_proposed", round=first).count() == 1
    # Proposing again replaces what was staged, hand changes included.
    decisions.stage(hubei, _works["作品09"], "优秀作品", organiser)
    decisions.propose(first, organiser)
    assert "作品09" not in awards_of(hubei) and len(awards_of(hubei)) == 8


def test_an_uncounted_level_takes_nothing_when_the_round_advanced_nothing(hubei, organiser, unit):
    decisions.set_award_levels(hubei, [("一等奖", 1), ("优秀作品", None)], organiser)
    first, _works = closed_round(hubei, organiser, [(unit, "甲", 9), (unit, "乙", 8), (unit, "丙", 7)])
    proposal = decisions.propose(first, organiser)
    assert awards_of(hubei) == {"甲": ("一等奖", 1)}
    assert any("没有标记晋级" in note for note in proposal.notes)


def test_works_tied_at_a_boundary_all_take_the_higher_level_and_release_waits(hubei, organiser, unit,
                                                                               other_unit):
    decisions.set_award_levels(hubei, AWARDS, organiser)
    first, works = closed_round(hubei, organiser, [
        (unit, "甲", 9), (other_unit, "乙", 9), (unit, "丙", 8.5), (unit, "丁", 8), (unit, "戊", 7.5),
        (other_unit, "己", 7), (other_unit, "庚", 7), (unit, "辛", 6),
    ], top=7)
    ranks = {row.work: (row.rank, row.tied) for row in services.results(first).rows}
    assert ranks[works["甲"].pk] == ranks[works["乙"].pk] == (1, True)
    proposal = decisions.propose(first, organiser)
    # 甲 and 乙 share place 1: both 一等奖 (over by one); 二等奖's places 2–3 keep only 丙 (rank 3);
    # 三等奖 places 4–6: 丁, 戊 and both works tied at 6 (己, 庚), again over; 辛 was not advanced.
    assert awards_of(hubei) == {
        "甲": ("一等奖", 1), "乙": ("一等奖", 1), "丙": ("二等奖", 3), "丁": ("三等奖", 4),
        "戊": ("三等奖", 5), "己": ("三等奖", 6), "庚": ("三等奖", 6),
    }
    assert any("「一等奖」名额 1 名" in n and "超出 1 件" in n for n in proposal.notes)
    assert any("「三等奖」名额 3 名" in n and "超出 1 件" in n for n in proposal.notes)
    with pytest.raises(DecisionError, match="「一等奖」名额 1 名，暂定 2 件") as refused:
        decisions.release(hubei, organiser)
    assert "三等奖" in str(refused.value)
    assert not OutgoingMail.objects.filter(campaign=hubei).exists()
    # The organiser settles the ties by hand (复议), then the list may go.
    decisions.stage_many(hubei, {works["乙"].pk: "二等奖", works["庚"].pk: "优秀作品"}, organiser)
    assert [(c.label, c.staged, c.over) for c in decisions.level_counts(hubei)] == [
        ("一等奖", 1, 0), ("二等奖", 2, 0), ("三等奖", 3, 0), ("优秀作品", 1, 0)]
    assert decisions.release(hubei, organiser).decisions == 7


def test_a_level_of_count_zero_gets_nothing(hubei, organiser, unit):
    decisions.set_award_levels(hubei, [("特等奖", 0), ("一等奖", 1)], organiser)
    first, _works = closed_round(hubei, organiser, [(unit, "甲", 9), (unit, "乙", 8)])
    decisions.propose(first, organiser)
    assert awards_of(hubei) == {"甲": ("一等奖", 1)}


def test_chongqing_scores_overall_and_its_second_level_is_given_by_hand(chongqing, organiser):
    entrant = EntrantFactory(campaign=chongqing, name="渝州示范中学")
    first, works = closed_round(chongqing, organiser, [(entrant, "山城", 9), (entrant, "江岸", 8),
                                                       (entrant, "雾都", 7)], top=2)
    assert not first.criteria.exists()
    decisions.propose(first, organiser)
    assert awards_of(chongqing) == {"山城": ("优秀作品", 1), "江岸": ("优秀作品", 2)}
    decisions.stage(chongqing, works["山城"], "特别优秀作品奖励", organiser)
    assert awards_of(chongqing)["山城"] == ("特别优秀作品奖励", 1)


def test_no_proposal_from_a_round_still_open(hubei, organiser, unit):
    first, _works = closed_round(hubei, organiser, [(unit, "甲", 9)], close=False)
    with pytest.raises(DecisionError, match="尚未结束"):
        decisions.propose(first, organiser)
    second = rounds_for(hubei)[1]
    with pytest.raises(DecisionError, match="尚未结束"):
        decisions.propose(second, organiser)
    assert not Decision.objects.exists()


# --------------------------------------------------------------------------
# Staging by hand


def test_staging_by_hand(ten, hubei, organiser, chongqing):
    _first, works = ten
    assert decisions.stage(hubei, works["作品09"], "优秀作品", organiser) == 1
    assert awards_of(hubei) == {"作品09": ("优秀作品", 10)}  # placed at its rank
    assert decisions.stage(hubei, works["作品09"], "一等奖", organiser) == 1
    assert decisions.stage(hubei, works["作品09"], "一等奖", organiser) == 0  # no change, no line
    lines = ReviewLog.objects.filter(campaign=hubei, action="decision_staged")
    assert lines.count() == 2 and "未入选 → 优秀作品" in lines.last().text
    assert decisions.stage(hubei, works["作品09"], "", organiser) == 1
    assert awards_of(hubei) == {}
    with pytest.raises(DecisionError, match="没有「特等奖」这个奖项"):
        decisions.stage(hubei, works["作品01"], "特等奖", organiser)
    never_reviewed = WorkFactory(entrant=works["作品01"].entrant, title="未参评", state=WorkState.PASSED)
    elsewhere = WorkFactory(entrant=EntrantFactory(campaign=chongqing), title="他处")
    for work in (never_reviewed, elsewhere):
        with pytest.raises(DecisionError, match="没有这些作品"):
            decisions.stage(hubei, work, "优秀作品", organiser)
    # All or nothing: one bad id and the good change is not made either.
    with pytest.raises(DecisionError, match=str(elsewhere.pk)):
        decisions.stage_many(hubei, {works["作品00"].pk: "一等奖", elsewhere.pk: "一等奖"}, organiser)
    with pytest.raises(DecisionError, match="无效"):
        decisions.stage_many(hubei, {"abc": "一等奖"}, organiser)
    assert awards_of(hubei) == {}


def test_a_level_in_use_is_not_taken_away(ten, hubei, organiser):
    _first, works = ten
    decisions.stage(hubei, works["作品00"], "一等奖", organiser)
    with pytest.raises(DecisionError, match="「一等奖」"):
        decisions.set_award_levels(hubei, [("金奖", 1), ("优秀作品", None)], organiser)
    assert decisions.award_levels(hubei)[0].label == "一等奖"
    assert decisions.clear(hubei, organiser) == 1
    decisions.set_award_levels(hubei, [("金奖", 1), ("优秀作品", None)], organiser)


# --------------------------------------------------------------------------
# Release


def test_release_refuses_with_nothing_staged(hubei, organiser):
    with pytest.raises(DecisionError, match="还没有暂定"):
        decisions.release(hubei, organiser)
    assert not decisions.is_released(hubei)


def test_release_refuses_a_level_over_its_count(ten, hubei, organiser):
    first, works = ten
    decisions.propose(first, organiser)
    decisions.stage(hubei, works["作品01"], "一等奖", organiser)
    with pytest.raises(DecisionError, match="「一等奖」名额 1 名，暂定 2 件"):
        decisions.release(hubei, organiser)
    assert not decisions.is_released(hubei) and not OutgoingMail.objects.exists()


def test_release_writes_one_text_per_entrant_to_each_address_once(ten, hubei, organiser, unit, other_unit):
    first, _works = ten
    unit.contact_email = "Office@Changchuan.example"
    unit.contact_name = "联系人甲"
    unit.save()
    member_of(unit, UserFactory(email="office@changchuan.example", name="同一邮箱"))  # the same address
    member_of(unit, UserFactory(email="member@changchuan.example", name="成员乙"))
    member_of(unit, UserFactory(email="gone@changchuan.example", is_active=False))
    nobody = EntrantFactory(campaign=hubei, name="无邮箱单位")
    WorkFactory(entrant=nobody, title="未参评作品", state=WorkState.SUBMITTED)  # in no round: no mail
    decisions.propose(first, organiser)
    done = decisions.release(hubei, organiser)

    assert done.decisions == 8
    assert len(set(Decision.objects.filter(campaign=hubei).values_list("released_at", flat=True))) == 1
    assert decisions.released_at(hubei) == done.at
    # other_unit has works in the round but no address at all: no mail, and the organiser is told.
    assert done.without_address == (other_unit.name,)
    held = list(OutgoingMail.objects.filter(campaign=hubei).order_by("pk"))
    assert [m.to_email for m in held] == ["Office@Changchuan.example", "member@changchuan.example"]
    assert done.mails == 2 and mail.outbox == []  # nothing is sent
    assert all(m.kind == OutgoingMail.Kind.RESULT and m.entrant == unit and m.sent_at is None for m in held)
    assert held[0].to_name == "联系人甲" and held[1].to_name == "成员乙"
    assert held[0].body == held[1].body and held[0].subject == "“微光映同心”作品评审结果通知"
    body = held[0].body
    assert body.startswith("长川市委统战部：")
    # The unit's works are the odd ones: 01, 03, 05 (awarded), 07 (excellent), 09 (not selected).
    assert ("您单位报送的作品《作品01》《作品03》《作品05》《作品07》经专家评审，"
            "入选“微光映同心”优秀作品名单。") in body
    assert "《作品01》：二等奖" in body and "《作品03》：三等奖" in body and "《作品07》：优秀作品" in body
    assert "《作品09》：未入选" in body and "作品00" not in body
    assert body.index("作品01") < body.index("作品03") < body.index("作品09")  # by award, then rank
    assert f"名单已在活动页面公布：{settings.SITE_URL}{hubei.get_absolute_url()}" in body
    line = ReviewLog.objects.get(campaign=hubei, action="decisions_released")
    assert line.actor == organiser and line.detail["mails"] == 2


def test_an_entrant_with_nothing_selected_is_told_so(hubei, organiser, unit, other_unit):
    decisions.set_award_levels(hubei, [("一等奖", 1)], organiser)
    other_unit.contact_email = "office@mingde.example"
    other_unit.save()
    first, _works = closed_round(hubei, organiser, [(unit, "甲", 9), (other_unit, "乙", 8)])
    decisions.propose(first, organiser)
    decisions.release(hubei, organiser)
    held = OutgoingMail.objects.get(campaign=hubei)
    assert held.to_email == "office@mingde.example"
    assert "您单位报送的作品经专家评审，此次未能入选" in held.body and "《乙》：未入选" in held.body


def test_an_individual_is_addressed_as_a_person(chongqing, organiser):
    person = Entrant.objects.create(campaign=chongqing, kind=Entrant.Kind.INDIVIDUAL, name="林小雨",
                                    affiliation="渝州示范中学", contact_email="lin@example.org")
    first, _works = closed_round(chongqing, organiser, [(person, "山城", 9)], top=1)
    decisions.propose(first, organiser)
    decisions.release(chongqing, organiser)
    body = OutgoingMail.objects.get(campaign=chongqing).body
    assert body.startswith("林小雨：") and "您报送的作品《山城》经专家评审" in body and "您单位" not in body


def test_lists_follow_the_levels_then_the_rank(ten, hubei, organiser):
    first, works = ten
    decisions.propose(first, organiser)
    assert decisions.released_entries(hubei) == []
    assert decisions.released_groups(hubei) is None
    staged = decisions.staged_entries(hubei)
    assert [(e.award, e.title) for e in staged] == [
        ("一等奖", "作品00"), ("二等奖", "作品01"), ("二等奖", "作品02"), ("三等奖", "作品03"),
        ("三等奖", "作品04"), ("三等奖", "作品05"), ("优秀作品", "作品06"), ("优秀作品", "作品07")]
    assert staged[0].entrant == works["作品00"].entrant.name
    decisions.release(hubei, organiser)
    assert decisions.released_entries(hubei) == staged and decisions.staged_entries(hubei) == []
    public = decisions.released_groups(hubei)
    assert [(award, len(entries)) for award, entries in public.groups] == [
        ("一等奖", 1), ("二等奖", 2), ("三等奖", 3), ("优秀作品", 2)]


def test_nothing_changes_after_release(ten, hubei, organiser):
    first, works = ten
    decisions.propose(first, organiser)
    decisions.release(hubei, organiser)
    before, held = awards_of(hubei), OutgoingMail.objects.filter(campaign=hubei).count()
    for change in (lambda: decisions.set_award_levels(hubei, AWARDS, organiser),
                   lambda: decisions.propose(first, organiser),
                   lambda: decisions.stage(hubei, works["作品09"], "优秀作品", organiser),
                   lambda: decisions.stage(hubei, works["作品00"], "", organiser),
                   lambda: decisions.clear(hubei, organiser),
                   lambda: decisions.release(hubei, organiser)):
        with pytest.raises(DecisionError, match="已经公布"):
            change()
    assert awards_of(hubei) == before
    assert OutgoingMail.objects.filter(campaign=hubei).count() == held
    assert [(a.label, a.count) for a in decisions.award_levels(hubei)] == AWARDS


def test_withdraw_takes_back_the_unsent_mails_only(ten, hubei, organiser, unit, other_unit):
    first, _works = ten
    unit.contact_email, other_unit.contact_email = "a@unit.example", "b@unit.example"
    unit.save()
    other_unit.save()
    with pytest.raises(DecisionError, match="尚未公布"):
        decisions.withdraw(hubei, organiser)
    decisions.propose(first, organiser)
    decisions.release(hubei, organiser)
    sent_one = OutgoingMail.objects.get(campaign=hubei, to_email="a@unit.example")
    assert outbox.send(hubei, [sent_one], by=organiser) == (1, 0)
    assert decisions.withdraw(hubei, organiser) == 1
    assert not decisions.is_released(hubei) and decisions.released_entries(hubei) == []
    assert Decision.objects.filter(campaign=hubei).count() == 8  # staged again, not lost
    assert list(OutgoingMail.objects.filter(campaign=hubei).values_list("to_email", flat=True)) \
        == ["a@unit.example"]  # the sent one stays on record
    line = ReviewLog.objects.get(campaign=hubei, action="decisions_withdrawn")
    assert "已发送的 1 封无法收回" in line.text
    # Released again with the same results: the unit already told hears nothing twice; the other,
    # whose letter was deleted unsent, gets an ordinary letter (not a correction).
    again = decisions.release(hubei, organiser)
    assert again.unchanged == (unit.name,) and again.corrections == 0 and again.mails == 1
    held = outbox.pending(hubei).get()
    assert held.to_email == "b@unit.example" and not held.subject.startswith("（更正）")
    assert "更正" not in held.body


def test_discarding_a_mail(ten, hubei, organiser, unit, chongqing):
    first, _works = ten
    unit.contact_email = "a@unit.example"
    unit.save()
    decisions.propose(first, organiser)
    decisions.release(hubei, organiser)
    held = OutgoingMail.objects.get(campaign=hubei)
    with pytest.raises(DecisionError, match="没有这封"):
        decisions.discard_mail(chongqing, held.pk, organiser)
    decisions.discard_mail(hubei, held.pk, organiser)
    assert not OutgoingMail.objects.exists()
    assert ReviewLog.objects.filter(campaign=hubei, action="mail_deleted").count() == 1
    with pytest.raises(DecisionError, match="没有这封"):
        decisions.discard_mail(hubei, held.pk, organiser)


# --------------------------------------------------------------------------
# Released again: only changed results are written, as corrections


def send_all(campaign, organiser):
    return outbox.send(campaign, list(outbox.pending(campaign).order_by("pk")), by=organiser)


@pytest.fixture
def three(hubei, organiser, unit, other_unit):
    """Three units with an address each over six works, 初审 closed with the top four advanced."""
    third = EntrantFactory(campaign=hubei, name="江汉区委统战部", contact_email="c@unit.example")
    unit.contact_email, other_unit.contact_email = "a@unit.example", "b@unit.example"
    unit.save()
    other_unit.save()
    decisions.set_award_levels(hubei, [("一等奖", 1), ("优秀作品", None)], organiser)
    first, works = closed_round(hubei, organiser, [
        (unit, "甲", 9), (other_unit, "乙", 8.5), (third, "丙", 8), (unit, "丁", 7.5), (other_unit, "戊", 7),
        (third, "己", 6.5)], top=4)
    return first, works, third


def test_released_again_only_changed_results_are_written_as_corrections(three, hubei, organiser, unit,
                                                                         other_unit):
    first, works, third = three
    decisions.propose(first, organiser)
    done = decisions.release(hubei, organiser)
    assert done.mails == 3 and done.corrections == 0 and done.unchanged == ()
    assert send_all(hubei, organiser) == (3, 0)
    first_date = decisions.local_date(hubei, done.at)
    decisions.withdraw(hubei, organiser)
    # 戊 (other_unit's, 未入选) is now selected; unit and third are unchanged.
    decisions.stage(hubei, works["戊"], "优秀作品", organiser)
    again = decisions.release(hubei, organiser)
    assert again.mails == 1 and again.corrections == 1
    assert sorted(again.unchanged) == sorted([unit.name, third.name])
    correction = outbox.pending(hubei).get()
    assert correction.to_email == "b@unit.example" and correction.entrant == other_unit
    assert correction.subject == "（更正）“微光映同心”作品评审结果通知"
    opening = correction.body.split("\n\n")[1]
    assert opening == f"　　本通知更正并取代{first_date}的评审结果通知，请以本通知为准。"
    assert "《戊》：优秀作品" in correction.body and "《乙》：优秀作品" in correction.body
    line = ReviewLog.objects.filter(campaign=hubei, action="decisions_released").first()
    assert "更正通知 1 封" in line.text and "2 个报送主体的结果与已发送的通知相同" in line.text
    assert line.detail["letters"] == [{"entrant": other_unit.pk, "mails": [correction.pk], "correction": True,
                                       "works": sorted([[works["乙"].pk, "优秀作品"],
                                                        [works["戊"].pk, "优秀作品"]])}]
    # Sent, then withdrawn and put back as first released: other_unit's last letter (the correction)
    # said 戊 was selected, so it gets a second correction; the others still hear nothing.
    send_all(hubei, organiser)
    decisions.withdraw(hubei, organiser)
    decisions.stage(hubei, works["戊"], "", organiser)
    third_time = decisions.release(hubei, organiser)
    assert third_time.corrections == 1 and sorted(third_time.unchanged) == sorted([unit.name, third.name])
    back = outbox.pending(hubei).get()
    assert back.subject.startswith("（更正）") and "《戊》：未入选" in back.body
    # Released once more without change: nobody at all is written to.
    send_all(hubei, organiser)
    decisions.withdraw(hubei, organiser)
    quiet = decisions.release(hubei, organiser)
    assert quiet.mails == 0 and len(quiet.unchanged) == 3 and not outbox.pending(hubei).exists()


def test_a_letter_never_sent_told_nobody(three, hubei, organiser, unit, other_unit, settings):
    """A letter that failed or was deleted unsent does not count: that entrant gets an ordinary letter."""
    first, _works, _third = three
    decisions.propose(first, organiser)
    decisions.release(hubei, organiser)
    outbox.send(hubei, list(outbox.pending(hubei).filter(to_email="a@unit.example")), by=organiser)
    decisions.discard_mail(hubei, outbox.pending(hubei).get(to_email="c@unit.example").pk, organiser)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    assert send_all(hubei, organiser) == (0, 1)  # b@ failed
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    decisions.withdraw(hubei, organiser)
    again = decisions.release(hubei, organiser)
    assert again.unchanged == (unit.name,) and again.corrections == 0
    held = sorted(outbox.pending(hubei).values_list("to_email", "subject"))
    assert held == [("b@unit.example", "“微光映同心”作品评审结果通知"),
                    ("c@unit.example", "“微光映同心”作品评审结果通知")]


def test_a_sent_letter_whose_statement_is_not_on_record_is_corrected(three, hubei, organiser, unit):
    """A letter sent without a recorded statement (an older release) cannot be shown to agree: correct it."""
    first, _works, _third = three
    sent_at = timezone.now() - timedelta(days=3)
    OutgoingMail.objects.create(campaign=hubei, kind=OutgoingMail.Kind.RESULT, entrant=unit,
                                to_email="a@unit.example", subject="旧通知", body="旧", sent_at=sent_at)
    decisions.propose(first, organiser)
    done = decisions.release(hubei, organiser)
    assert done.unchanged == () and done.corrections == 1
    letter = outbox.pending(hubei).get(entrant=unit)
    assert letter.subject.startswith("（更正）")
    assert f"本通知更正并取代{decisions.local_date(hubei, sent_at)}的评审结果通知" in letter.body
    # A hostile detail in an old log line is skipped, not trusted and not a crash.
    ReviewLog.objects.create(campaign=hubei, action="decisions_released", text="x",
                             detail={"at": "<script>", "letters": [{"works": "x", "mails": ["a"]}, 7]})
    send_all(hubei, organiser)
    decisions.withdraw(hubei, organiser)
    assert len(decisions.release(hubei, organiser).unchanged) == 3


def test_dates_are_the_campaigns_own_day(hubei):
    late = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 2026-12-01 01:30 in Asia/Shanghai
    assert decisions.local_date(hubei, late) == "2026年12月1日"


def test_the_released_subtitle_names_the_issuer_and_the_day(ten, hubei, organiser):
    first, _works = ten
    assert decisions.released_subtitle(hubei) == ""
    decisions.propose(first, organiser)
    done = decisions.release(hubei, organiser)
    day = decisions.local_date(hubei, done.at)
    assert decisions.released_subtitle(hubei) == f"中共湖北省委统战部　{day}公布"


# --------------------------------------------------------------------------
# What a round marked, before proposing from it


def test_round_marks_say_how_many_and_whether_the_open_level_gets_any(ten, hubei, organiser, chongqing):
    first, _works = ten
    second = rounds_for(hubei)[1]
    assert not decisions.is_last_round(first) and decisions.is_last_round(second)
    [marks] = decisions.round_marks(hubei, [first])
    assert (marks.marked, marks.last, marks.open_levels, marks.mark_word) == (8, False, ("优秀作品",), "晋级")
    assert not marks.open_levels_empty
    entrant = EntrantFactory(campaign=chongqing)
    only, _made = closed_round(chongqing, organiser, [(entrant, "山城", 9), (entrant, "江岸", 8)])
    [marks] = decisions.round_marks(chongqing, [only])
    assert (marks.marked, marks.last, marks.mark_word) == (0, True, "入选")
    assert marks.open_levels == ("优秀作品", "特别优秀作品奖励") and marks.open_levels_empty
    proposal = decisions.propose(only, organiser)
    assert proposal.awards == ()
    assert any("本轮没有标记入选的作品" in note and "评审结果页" in note for note in proposal.notes)
    # With every level counted there is nothing the marks decide.
    decisions.set_award_levels(chongqing, [("优秀作品", 1)], organiser)
    assert not decisions.round_marks(chongqing, [only])[0].open_levels_empty


# --------------------------------------------------------------------------
# Two organisers at once




@pytest.mark.django_db(transaction=True)
def test_two_releases_at_once_release_once(hubei, organiser, unit):
    unit.contact_email = "a@unit.example"
    unit.save()
    decisions.set_award_levels(hubei, AWARDS, organiser)
    first, _works = closed_round(hubei, organiser, [(unit, f"作品{n}", 9 - n) for n in range(4)], top=4)
    decisions.propose(first, organiser)
    results = race(lambda: decisions.release(Campaign.objects.get(pk=hubei.pk), organiser),
                   lambda: decisions.release(Campaign.objects.get(pk=hubei.pk), organiser),
                   refused=DecisionError)
    kinds = sorted(kind for kind, _value in results)
    assert kinds == ["refused", "won"], results
    assert any("已经公布" in str(value) for kind, value in results if kind == "refused")
    assert OutgoingMail.objects.filter(campaign=hubei).count() == 1
    assert ReviewLog.objects.filter(campaign=hubei, action="decisions_released").count() == 1
    assert len(set(Decision.objects.filter(campaign=hubei).values_list("released_at", flat=True))) == 1
    assert ReviewRound.objects.get(pk=first.pk).status == ReviewRound.Status.CLOSED
