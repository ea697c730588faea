"""A round's settings and criteria, what may change when, and adding and removing rounds."""

import re
import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guangying.campaigns.models import CampaignRole
from guangying.reviews import configuring
from guangying.reviews.configuring import ConfigError, CriterionSpec
from guangying.reviews.models import Assignment, Decision, ReviewLog, ReviewRound
from guangying.reviews.rounds import close_round, open_round, rounds_for
from guangying.submissions.models import WorkState
from tests.factories import CampaignFactory, EntrantFactory, UserFactory, WorkFactory, member_of, preset_rules
from tests.reviews.helpers import client_for

pytestmark = pytest.mark.django_db



def settings_url(round_) -> str:
    return reverse("reviews:settings", args=[round_.campaign.slug, round_.key])


def criteria_rows(rows: list[dict], initial: int = 0) -> dict:
    """The criteria as the page posts them: the management form, then one row each."""
    data = {"criteria-TOTAL_FORMS": str(len(rows)), "criteria-INITIAL_FORMS": str(initial),
            "criteria-MIN_NUM_FORMS": "0", "criteria-MAX_NUM_FORMS": "30"}
    for i, row in enumerate(rows):
        for name in ("key", "label", "weight", "scale_max", "description", "ORDER"):
            data[f"criteria-{i}-{name}"] = str(row.get(name, {"weight": 1, "scale_max": 10}.get(name, "")))
        if row.get("DELETE"):
            data[f"criteria-{i}-DELETE"] = "on"
    return data


def page_data(round_, *, criteria: list[dict] | None = None, **changes) -> dict:
    """What the settings page posts for the round as it stands, with some values changed.

    Like the page, it leaves out what the round's status does not offer; a change to such a
    field is posted all the same, as a hostile or stale page would.
    """
    round_.refresh_from_db()
    locks = configuring.locks(round_)
    zone = round_.campaign.rules.zone
    data = {"seen_status": round_.status}
    for name in configuring.FIELDS:
        if name in locks:
            continue
        value = getattr(round_, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime):
            data[name] = value.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        else:
            data[name] = "" if value is None else str(value)
    if configuring.CRITERIA not in locks:
        current = [{"key": c.key, "label": c.label, "weight": c.weight, "scale_max": c.scale_max,
                    "description": c.description, "ORDER": i}
                   for i, c in enumerate(round_.criteria.all(), start=1)]
        rows = current if criteria is None else criteria
        data.update(criteria_rows(rows, initial=min(len(current), len(rows))))
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        elif value is True:
            data[name] = "on"
        elif value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.fixture
def hubei_rounds(hubei):
    return rounds_for(hubei)


@pytest.fixture
def passed_works(hubei, unit, other_unit):
    return [WorkFactory(entrant=e, title=f"{e.name[:2]}{n}", state=WorkState.PASSED)
            for e in (unit, other_unit) for n in range(2)]


def entries(round_) -> list[tuple]:
    return list(round_.criteria.values_list("key", "label", "weight", "scale_max", "description"))


# ---------------------------------------------------------------------------
# The domain: what may change when


def test_a_draft_round_changes_everything(hubei_rounds, organiser):
    first, second = hubei_rounds
    zone = first.campaign.rules.zone
    opens = datetime(2026, 8, 1, 9, 0, tzinfo=zone)
    closes = datetime(2026, 8, 15, 18, 0, tzinfo=zone)
    change = configuring.update_round(second, {
        "label": "  复审（线上） ", "note": "请在两周内完成。", "opens_at": opens, "closes_at": closes,
        "entry": "passed", "blind": True, "others_scores": "after_own", "comment_required": True,
        "reviewers_change_state": True, "method": "median", "reviewers_per_work": 5,
        "disagreement_threshold": Decimal("15.5"),
    }, by=organiser, criteria=[CriterionSpec(label="创意", weight=Decimal("2"), scale_max=20)])
    second.refresh_from_db()
    assert second.label == "复审（线上）" and second.note == "请在两周内完成。"
    assert second.opens_at == opens and second.closes_at == closes and second.entry == "passed"
    assert second.blind and second.others_scores == "after_own" and second.comment_required
    assert second.reviewers_change_state and second.method == "median" and second.reviewers_per_work == 5
    assert second.disagreement_threshold == Decimal("15.5")
    assert entries(second) == [("c1", "创意", Decimal("2.00"), 20, "")]
    assert change.changed == [*configuring.FIELDS, "criteria"]
    line = ReviewLog.objects.get(round=second, action="round_settings")
    assert line.actor == organiser and line.detail["changed"] == change.changed
    assert "匿名评审（不显示报送单位）：否 → 是" in line.text
    assert "计分方法：去掉一个最高分和一个最低分后的平均分 → 中位数" in line.text
    assert line.detail["before"]["blind"] == "否" and line.detail["after"]["blind"] == "是"
    assert "评分项：5 项" in line.text and "→ 1 项（创意）" in line.text


def test_nothing_changed_writes_nothing(hubei_rounds, organiser):
    first, _second = hubei_rounds
    change = configuring.update_round(first, {"label": "初审", "method": "trimmed"}, by=organiser,
                                      criteria=configuring.current_criteria(first))
    assert change.changed == [] and not ReviewLog.objects.exists()


def test_the_first_round_takes_only_passed_works(hubei_rounds, organiser):
    first, second = hubei_rounds
    with pytest.raises(ConfigError, match=r"参评作品.*第一轮只能取形式审查通过的作品"):
        configuring.update_round(first, {"entry": "advanced"}, by=organiser)
    configuring.update_round(second, {"entry": "passed"}, by=organiser)
    configuring.update_round(second, {"entry": "advanced"}, by=organiser)
    assert ReviewRound.objects.get(pk=first.pk).entry == "passed"


def test_an_open_round_keeps_its_criteria_and_entry(hubei_rounds, passed_works, organiser):
    first, _second = hubei_rounds
    open_round(first)
    before = entries(first)
    change = configuring.update_round(first, {
        "label": "初审（网评）", "blind": True, "others_scores": "always", "comment_required": True,
        "reviewers_change_state": True, "method": "mean", "reviewers_per_work": 2,
        "disagreement_threshold": Decimal("30"),
        "opens_at": datetime(2026, 8, 1, 9, tzinfo=UTC), "closes_at": datetime(2026, 8, 2, 9, tzinfo=UTC),
    }, by=organiser)
    assert "reviewers_per_work" in change.changed
    assert any("下一次「自动分配作品」时生效" in note for note in change.notes)
    assert any("可能已经看到报送单位" in note for note in change.notes)
    with pytest.raises(ConfigError, match="「参评作品」现在不能修改"):
        configuring.update_round(first, {"entry": "advanced"}, by=organiser)
    with pytest.raises(ConfigError, match="「评分项」现在不能修改：评审已开始"):
        configuring.update_round(first, {}, by=organiser, criteria=[CriterionSpec("新项", Decimal(1), 10)])
    # All or nothing: an allowed change with a refused one saves neither.
    with pytest.raises(ConfigError, match="评分项"):
        configuring.update_round(first, {"method": "median"}, by=organiser,
                                 criteria=[CriterionSpec("新项", Decimal(1), 10)])
    first.refresh_from_db()
    assert first.method == "mean" and entries(first) == before
    # The criteria as they are may be sent back: that is no change.
    assert configuring.update_round(first, {}, by=organiser,
                                    criteria=configuring.current_criteria(first)).changed == []


def test_a_closed_round_changes_only_how_it_is_read(hubei_rounds, passed_works, organiser):
    first, _second = hubei_rounds
    open_round(first)
    close_round(first)
    change = configuring.update_round(first, {"method": "zscore", "disagreement_threshold": "12.5"},
                                      by=organiser)
    assert change.changed == ["method", "disagreement_threshold"]
    assert any("评分本身没有改动" in note for note in change.notes)
    for name, value in [("blind", True), ("reviewers_per_work", 4), ("label", "改名"),
                        ("comment_required", True), ("opens_at", timezone.now())]:
        refused = rf"「{configuring.field_label(name)}」现在不能修改.*只改变排名的计算方式"
        with pytest.raises(ConfigError, match=refused):
            configuring.update_round(first, {name: value}, by=organiser)
    locks = configuring.locks(first)
    assert "method" not in locks and "disagreement_threshold" not in locks and "criteria" in locks


def test_released_results_freeze_a_closed_round(hubei_rounds, passed_works, organiser):
    first, _second = hubei_rounds
    open_round(first)
    close_round(first)
    Decision.objects.create(campaign=first.campaign, work=passed_works[0], award="优秀作品", round=first,
                            released_at=timezone.now())
    assert set(configuring.locks(first)) == {*configuring.FIELDS, "criteria"}
    with pytest.raises(ConfigError, match="「计分方法」现在不能修改：本活动的评审结果已经公布"):
        configuring.update_round(first, {"method": "mean"}, by=organiser)
    with pytest.raises(ConfigError, match="已经公布"):
        configuring.add_round(first.campaign, "三审", by=organiser)


def test_dates_in_order(hubei_rounds, organiser):
    first, _second = hubei_rounds
    at = datetime(2026, 8, 1, 9, tzinfo=UTC)
    for opens, closes in [(at, at), (at, datetime(2026, 7, 1, tzinfo=UTC))]:
        with pytest.raises(ConfigError, match="结束时间须晚于开始时间"):
            configuring.update_round(first, {"opens_at": opens, "closes_at": closes}, by=organiser)
    configuring.update_round(first, {"opens_at": at}, by=organiser)
    with pytest.raises(ConfigError, match="结束时间须晚于开始时间"):
        configuring.update_round(first, {"closes_at": datetime(2026, 7, 1, tzinfo=UTC)}, by=organiser)
    with pytest.raises(ConfigError, match="带时区"):
        configuring.update_round(first, {"closes_at": datetime(2026, 9, 1)}, by=organiser)


def test_values_are_checked(hubei_rounds, organiser):
    first, _second = hubei_rounds
    for values, message in [
        ({"reviewers_per_work": 0}, "1 到 20"), ({"reviewers_per_work": 21}, "1 到 20"),
        ({"reviewers_per_work": True}, "整数"), ({"method": "best"}, "没有「best」这一项"),
        ({"others_scores": "sometimes"}, "其他专家的评分"), ({"disagreement_threshold": "101"}, "0 到 100"),
        ({"disagreement_threshold": "abc"}, "数字"), ({"disagreement_threshold": "NaN"}, "数字"),
        ({"disagreement_threshold": "1.25"}, "一位小数"), ({"label": ""}, "请填写"),
        ({"label": "初" * 61}, "最多 60 个字"), ({"label": "初\n审"}, "一行"), ({"blind": "yes"}, "开或关"),
        ({"note": "说" * 2001}, "最多 2000"), ({"colour": "red"}, "没有「colour」这项设置"),
    ]:
        with pytest.raises(ConfigError, match=message):
            configuring.update_round(first, values, by=organiser)
    assert not ReviewLog.objects.exists()


def test_a_page_made_before_the_round_opened_saves_nothing(hubei_rounds, passed_works, organiser):
    first, _second = hubei_rounds
    open_round(first)
    with pytest.raises(ConfigError, match="状态已变为「评审中」"):
        configuring.update_round(first, {"method": "mean"}, by=organiser, seen_status="draft")
    assert ReviewRound.objects.get(pk=first.pk).method == "trimmed"


# ---------------------------------------------------------------------------
# Criteria


def test_criteria_are_edited_in_a_draft_round(hubei_rounds, organiser):
    first, _second = hubei_rounds
    specs = [
        CriterionSpec(key="emotion", label="情感温度", weight=Decimal("2.5"), scale_max=20,
                      description="真情实感"),
        CriterionSpec(label="Story Telling", weight=Decimal(1), scale_max=10),
        CriterionSpec(label="画面", weight=Decimal("0.5"), scale_max=5),
        CriterionSpec(label="声音", weight=Decimal(1), scale_max=1000),
    ]
    configuring.update_round(first, {}, by=organiser, criteria=specs)
    assert entries(first) == [
        ("emotion", "情感温度", Decimal("2.50"), 20, "真情实感"),
        ("story_telling", "Story Telling", Decimal("1.00"), 10, ""),
        ("c1", "画面", Decimal("0.50"), 5, ""), ("c2", "声音", Decimal("1.00"), 1000, ""),
    ]
    assert list(first.criteria.values_list("position", flat=True)) == [1, 2, 3, 4]
    # No criteria: an overall mark out of 100.
    change = configuring.update_round(first, {}, by=organiser, criteria=[])
    assert not first.criteria.exists() and any("百分制综合评分" in n for n in change.notes)


@pytest.mark.parametrize(("specs", "message"), [
    ([CriterionSpec(f"项{i}", Decimal(1), 10) for i in range(31)], "最多 30 项"),
    ([CriterionSpec("感染力", Decimal(1), 10), CriterionSpec("感染力", Decimal(2), 10)], "「感染力」重复"),
    ([CriterionSpec("Craft", Decimal(1), 10), CriterionSpec("craft", Decimal(2), 10)], "重复"),
    ([CriterionSpec("评" * 61, Decimal(1), 10)], "最多 60 个字"),
    ([CriterionSpec("", Decimal(1), 10)], "请填写"),
    ([CriterionSpec("感染力", Decimal(0), 10)], "权重须大于 0"),
    ([CriterionSpec("感染力", Decimal("100.01"), 10)], "不超过 100"),
    ([CriterionSpec("感染力", "abc", 10)], "须为数字"),
    ([CriterionSpec("感染力", Decimal("1.005"), 10)], "两位小数"),
    ([CriterionSpec("感染力", Decimal(1), 0)], "满分」须在 1 到 1000"),
    ([CriterionSpec("感染力", Decimal(1), 1001)], "1 到 1000"),
    ([CriterionSpec("感染力", Decimal(1), 10, description="说" * 2001)], "最多 2000"),
    ([CriterionSpec("感染力", Decimal(1), 10, key="comment")], "标识「comment」不合规"),
    ([CriterionSpec("感染力", Decimal(1), 10, key="Bad-Key")], "不合规"),
    ([CriterionSpec("甲", Decimal(1), 10, key="a"), CriterionSpec("乙", Decimal(1), 10, key="a")],
     "标识「a」重复"),
])
def test_criteria_are_checked(hubei_rounds, organiser, specs, message):
    first, _second = hubei_rounds
    before = entries(first)
    with pytest.raises(ConfigError, match=message):
        configuring.update_round(first, {}, by=organiser, criteria=specs)
    assert entries(first) == before and not ReviewLog.objects.exists()


def test_every_bad_row_is_named_at_once(hubei_rounds, organiser):
    first, _second = hubei_rounds
    with pytest.raises(ConfigError) as caught:
        configuring.update_round(first, {}, by=organiser, criteria=[
            CriterionSpec("甲", Decimal(0), 10), CriterionSpec("乙", Decimal(1), 0),
            CriterionSpec("丙", Decimal(1), 10)])
    assert "「甲」的权重" in str(caught.value) and "「乙」的满分" in str(caught.value)


# ---------------------------------------------------------------------------
# Adding and removing rounds


def test_a_round_is_added_at_the_end(hubei_rounds, organiser):
    first, second = hubei_rounds
    configuring.update_round(second, {"blind": True, "method": "median"}, by=organiser,
                             criteria=[CriterionSpec("终评", Decimal(1), 100)])
    third = configuring.add_round(first.campaign, "  终评 ", by=organiser)
    assert third.label == "终评" and third.status == "draft" and third.entry == "advanced"
    assert third.position > second.position and third.key == "round3"
    assert third.blind and third.method == "median"
    assert entries(third) == [("c1", "终评", Decimal("1.00"), 100, "")]
    fourth = configuring.add_round(first.campaign, "", by=organiser)
    assert fourth.label == "第4轮评审" and fourth.key == "round4"
    line = ReviewLog.objects.filter(action="round_settings", round=fourth).get()
    assert line.detail["changed"] == ["added"] and "第4轮评审" in line.text
    with pytest.raises(ConfigError, match="一行"):
        configuring.add_round(first.campaign, "a\nb", by=organiser)


def test_rounds_stop_at_ten(hubei_rounds, organiser):
    campaign = hubei_rounds[0].campaign
    for _ in range(8):
        configuring.add_round(campaign, by=organiser)
    with pytest.raises(ConfigError, match="最多 10 轮"):
        configuring.add_round(campaign, by=organiser)


def test_removing_a_round(hubei_rounds, passed_works, organiser):
    first, second = hubei_rounds
    third = configuring.add_round(first.campaign, "三审", by=organiser)
    with pytest.raises(ConfigError, match="将成为第一轮"):
        configuring.remove_round(first, by=organiser)
    configuring.remove_round(third, by=organiser)
    assert not ReviewRound.objects.filter(pk=third.pk).exists()
    line = ReviewLog.objects.get(detail__changed=["removed"])
    assert "三审" in line.text and line.actor == organiser and line.detail["key"] == "round3"
    open_round(first)
    with pytest.raises(ConfigError, match="已经开始，不能删除"):
        configuring.remove_round(first, by=organiser)
    Assignment.objects.create(round=second, work=passed_works[0], reviewer=organiser)
    with pytest.raises(ConfigError, match="已有评审分配"):
        configuring.remove_round(second, by=organiser)


def test_the_only_round_stays(chongqing, organiser):
    (only,) = rounds_for(chongqing)
    with pytest.raises(ConfigError, match="唯一的评审轮次"):
        configuring.remove_round(only, by=organiser)
    assert ReviewRound.objects.filter(pk=only.pk).exists()


# ---------------------------------------------------------------------------
# The pages


def test_the_desk_links_to_settings_and_adds_rounds(hubei, organiser):
    client = client_for(organiser)
    desk = client.get(reverse("reviews:rounds", args=[hubei.slug])).content.decode()
    assert "本轮设置" in desk and "增加一轮评审" in desk
    assert reverse("reviews:settings", args=[hubei.slug, "first"]) in desk
    response = client.post(reverse("reviews:add_round", args=[hubei.slug]), {"label": "终评"})
    made = ReviewRound.objects.get(campaign=hubei, label="终评")
    assert response.status_code == 302 and response["Location"] == settings_url(made)
    assert client.get(reverse("reviews:add_round", args=[hubei.slug])).status_code == 405
    response = client.post(reverse("reviews:add_round", args=[hubei.slug]), {"label": "终" * 61}, follow=True)
    assert "未增加" in response.content.decode()
    assert ReviewRound.objects.filter(campaign=hubei).count() == 3


def test_repeated_add_round_posts_get_their_own_keys(hubei, organiser):
    client = client_for(organiser)
    for _ in range(3):
        client.post(reverse("reviews:add_round", args=[hubei.slug]), {"label": "加赛"})
    keys = list(ReviewRound.objects.filter(campaign=hubei).order_by("position").values_list("key", flat=True))
    assert keys == ["first", "second", "round3", "round4", "round5"]
    positions = list(ReviewRound.objects.filter(campaign=hubei).values_list("position", flat=True))
    assert len(set(positions)) == 5


@pytest.mark.django_db(transaction=True)
def test_two_organisers_add_a_round_at_once(hubei, organiser):
    rounds_for(hubei)
    barrier = threading.Barrier(3)
    made, failures = [], []

    def press() -> None:
        try:
            barrier.wait(timeout=30)
            made.append(configuring.add_round(hubei, "加赛", by=organiser).key)
        except Exception as error:  # the test shows whatever went wrong
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == [] and sorted(made) == ["round3", "round4", "round5"]
    assert ReviewRound.objects.filter(campaign=hubei).count() == 5
    assert ReviewLog.objects.filter(detail__changed=["added"]).count() == 3


def test_the_page_shows_what_may_change_now(hubei_rounds, passed_works, organiser):
    first, _second = hubei_rounds
    client = client_for(organiser)
    page = client.get(settings_url(first)).content.decode()
    assert 'name="label"' in page and 'name="criteria-0-label"' in page and "情感温度" in page
    assert "data-blind-warning" in page and "片尾标注报送单位名称" in page and "若开启：" in page
    assert "独立打分" in page and "中位数" in page and "z 分数" in page
    assert 'data-locked="entry"' in page and "第一轮只能取形式审查通过的作品" in page
    open_round(first)
    page = client.get(settings_url(first)).content.decode()
    assert 'name="criteria-0-label"' not in page and 'data-locked="criteria"' in page
    assert 'data-locked="entry"' in page and 'name="blind"' in page and 'name="reviewers_per_work"' in page
    assert "删除本轮" not in page
    close_round(first)
    page = client.get(settings_url(first)).content.decode()
    assert 'name="method"' in page and 'name="disagreement_threshold"' in page
    assert 'name="blind"' not in page and 'name="label"' not in page and "只改变排名的计算方式" in page


CLOSED_REASON = "本轮评审已结束，评分已锁定。只有计分方法和分歧提示阈值还能修改"


def test_a_closed_round_says_why_its_settings_are_locked_once(hubei_rounds, passed_works, organiser):
    first, _second = hubei_rounds
    open_round(first)
    close_round(first)
    page = client_for(organiser).get(settings_url(first)).content.decode()
    assert page.count(CLOSED_REASON) == 1 and "data-lock-reason>" in page
    assert page.count("评分已锁定") == 1  # the status line does not say it again
    # Each locked setting still shows its value; the method and threshold are offered.
    for name in ("label", "blind", "entry", "reviewers_per_work", "criteria"):
        assert f'data-locked="{name}"' in page
    assert 'data-lock-reason="' not in page
    assert 'name="method"' in page and "保存本轮设置" in page
    # Not blind, and the switch cannot change now: no warning about anonymity at all.
    assert "data-blind-warning" not in page and "匿名评审无法完全保证" not in page


def test_the_anonymity_warning_is_an_alert_only_for_a_blind_round(hubei_rounds, passed_works, organiser):
    first, _second = hubei_rounds
    client = client_for(organiser)
    page = client.get(settings_url(first)).content.decode()
    hint = re.search(r"<(\w+) class=\"([^\"]*)\" data-blind-warning>", page)
    assert hint and hint.group(1) == "span" and "muted" in hint.group(2) and "alert" not in hint.group(2)
    assert "若开启：匿名评审无法完全保证" in page
    open_round(first)  # the switch may still change in an open round, and the hint with it
    page = client.get(settings_url(first)).content.decode()
    assert '<span class="helptext small muted" data-blind-warning>' in page
    configuring.update_round(first, {"blind": True}, by=organiser)
    page = client.get(settings_url(first)).content.decode()
    assert '<div class="alert warn small" data-blind-warning>' in page and "若开启" not in page
    assert "片尾标注报送单位名称" in page
    close_round(first)
    page = client.get(settings_url(first)).content.decode()  # a closed blind round still says it
    assert '<div class="alert warn small" data-blind-warning>' in page


def test_after_release_the_page_only_shows(hubei_rounds, passed_works, organiser):
    first, _second = hubei_rounds
    open_round(first)
    close_round(first)
    Decision.objects.create(campaign=first.campaign, work=passed_works[0], award="优秀作品", round=first,
                            released_at=timezone.now())
    page = client_for(organiser).get(settings_url(first)).content.decode()
    assert page.count("本活动的评审结果已经公布，各轮评审的设置不能再修改。") == 1
    assert 'name="method"' not in page and "保存本轮设置" not in page and "返回评审轮次" in page


def test_settings_saved_through_the_page(hubei_rounds, organiser):
    first, _second = hubei_rounds
    client = client_for(organiser)
    rows = [{"key": "emotion", "label": "情感温度", "weight": "2", "scale_max": "10", "ORDER": "2"},
            {"key": "craft", "label": "制作水平", "weight": "1", "scale_max": "10", "ORDER": "1"},
            {"key": "depth", "label": "内容深度", "weight": "1", "scale_max": "10", "DELETE": True},
            {"key": "appeal", "label": "", "weight": "", "scale_max": "", "DELETE": True},  # emptied, deleted
            {"key": "reach", "label": "传播力", "weight": "abc", "scale_max": "10", "DELETE": True},
            {"label": "", "weight": "1", "scale_max": "10"}]  # a blank row left as it was
    response = client.post(settings_url(first), page_data(first, criteria=rows, blind=True, method="median",
                                                          reviewers_per_work="4"), follow=True)
    page = response.content.decode()
    assert "已保存" in page and "评分项" in page
    first.refresh_from_db()
    assert first.blind and first.method == "median" and first.reviewers_per_work == 4
    assert [c[0] for c in entries(first)] == ["craft", "emotion"]
    assert entries(first)[1][2] == Decimal("2.00")
    line = ReviewLog.objects.get(round=first)
    assert set(line.detail["changed"]) == {"blind", "method", "reviewers_per_work", "criteria"}
    assert line.actor == organiser
    response = client.post(settings_url(first), page_data(first), follow=True)
    assert "没有改动" in response.content.decode() and ReviewLog.objects.count() == 1


def test_an_open_round_refuses_through_the_page(hubei_rounds, passed_works, organiser):
    first, _second = hubei_rounds
    open_round(first)
    client = client_for(organiser)
    response = client.post(settings_url(first), page_data(first, entry="advanced"))
    assert response.status_code == 400 and "「参评作品」现在不能修改" in response.content.decode()
    response = client.post(settings_url(first), {**page_data(first), **criteria_rows([{"label": "新项"}])})
    assert response.status_code == 400 and "「评分项」现在不能修改" in response.content.decode()
    assert ReviewRound.objects.get(pk=first.pk).entry == "passed" and first.criteria.count() == 5
    data = page_data(first, comment_required=True, reviewers_per_work="2")
    response = client.post(settings_url(first), data, follow=True)
    page = response.content.decode()
    assert "已保存" in page and "下一次「自动分配作品」时生效" in page
    # A page made while the round was a draft.
    response = client.post(settings_url(first), page_data(first, seen_status="draft", method="mean"))
    assert response.status_code == 400 and "状态已变为" in response.content.decode()
    assert ReviewRound.objects.get(pk=first.pk).method == "trimmed"


def test_chongqing_gets_criteria_and_its_reviewer_scores_on_them(chongqing, organiser):
    (only,) = rounds_for(chongqing)
    assert not only.criteria.exists()
    client = client_for(organiser)
    page = client.get(settings_url(only)).content.decode()
    assert "不填任何评分项时，评审专家直接给出百分制综合评分" in page
    rows = [{"label": "思想性", "weight": "3", "scale_max": "30", "description": "主题鲜明"},
            {"label": "艺术性", "weight": "4", "scale_max": "40"},
            {"label": "技术性", "weight": "3", "scale_max": "30"}]
    response = client.post(settings_url(only), page_data(only, criteria=rows), follow=True)
    assert "已保存" in response.content.decode()
    assert [c[:2] for c in entries(only)] == [("c1", "思想性"), ("c2", "艺术性"), ("c3", "技术性")]
    entrant = EntrantFactory(campaign=chongqing, name="渝中区委宣传部")
    work = WorkFactory(entrant=entrant, title="山城记忆", state=WorkState.PASSED)
    reviewer = UserFactory(name="专家丙")
    CampaignRole.objects.create(campaign=chongqing, user=reviewer, role=CampaignRole.Role.REVIEWER)
    open_round(only)
    assignment = Assignment.objects.create(round=only, work=work, reviewer=reviewer)
    score_page = client_for(reviewer).get(reverse("reviews:score", args=[assignment.pk])).content.decode()
    assert "思想性（0–30）" in score_page and "艺术性（0–40）" in score_page and "主题鲜明" in score_page
    assert 'name="c2"' in score_page and "综合评分（0–100）" not in score_page
    response = client_for(reviewer).post(reverse("reviews:score", args=[assignment.pk]),
                                         {"c1": "25", "c2": "33.5", "c3": "20", "action": "submit"})
    assert response.status_code == 302
    assert assignment.score.values == {"c1": "25.0", "c2": "33.5", "c3": "20.0"}


def test_dates_are_entered_and_shown_in_the_campaigns_zone(organiser):
    _key, rules = preset_rules("hubei-2026-weiguang", timezone="Europe/Berlin")
    campaign = CampaignFactory(rules=rules, slug="berlin", organiser=organiser)
    first, _second = rounds_for(campaign)
    client = client_for(organiser)
    page = client.get(settings_url(first)).content.decode()
    assert "开始时间（Europe/Berlin）" in page
    response = client.post(settings_url(first), page_data(first, opens_at="2026-08-01T09:00",
                                                          closes_at="2026-08-15 18:30"))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.opens_at == datetime(2026, 8, 1, 7, 0, tzinfo=UTC)  # summer time, UTC+2
    assert first.closes_at == datetime(2026, 8, 15, 16, 30, tzinfo=UTC)
    page = client.get(settings_url(first)).content.decode()
    assert 'value="2026-08-01T09:00"' in page and 'value="2026-08-15T18:30"' in page
    # An hour the clocks skip in spring does not exist there.
    response = client.post(settings_url(first), page_data(first, opens_at="2026-03-29T02:30"))
    assert response.status_code == 400 and "夏令时" in response.content.decode()
    # Shown the same way once it can no longer change.
    ReviewRound.objects.filter(pk=first.pk).update(status="closed")
    page = client.get(settings_url(first)).content.decode()
    assert "2026-08-01 09:00" in page


def test_hubei_dates_are_beijing_time(hubei_rounds, organiser):
    first, _second = hubei_rounds
    client = client_for(organiser)
    page = client.get(settings_url(first)).content.decode()
    assert "开始时间（北京时间）" in page
    with timezone.override("America/New_York"):
        client.post(settings_url(first), page_data(first, opens_at="2026-08-01T09:00", closes_at=""))
    first.refresh_from_db()
    assert first.opens_at == datetime(2026, 8, 1, 1, 0, tzinfo=UTC) and first.closes_at is None


@pytest.mark.parametrize(("changes", "rows", "message"), [
    ({"method": "best"}, None, "「计分方法」没有这一项"),
    ({"reviewers_per_work": "0"}, None, "1 到 20"),
    ({"reviewers_per_work": "三"}, None, "1 到 20"),
    ({"reviewers_per_work": "99999999999999999999"}, None, "1 到 20"),
    ({"disagreement_threshold": "abc"}, None, "分歧提示阈值须为 0 到 100"),
    ({"disagreement_threshold": "1e9"}, None, "分歧提示阈值须为 0 到 100"),
    ({"label": ""}, None, "请填写本轮名称"),
    ({"label": "初" * 61}, None, "名称"),
    ({"label": "初\u202e审"}, None, "不可见字符"),
    ({"others_scores": "peek"}, None, "「其他专家的评分」没有这一项"),
    ({"opens_at": "yesterday"}, None, "年-月-日"),
    ({"opens_at": "0001-01-01T00:00"}, None, "2000 年到 2100 年"),
    ({"opens_at": "9" * 5000}, None, "年-月-日"),
    ({"opens_at": "2026-08-02T09:00", "closes_at": "2026-08-01T09:00"}, None, "结束时间须晚于开始时间"),
    ({}, [{"label": "感染力", "weight": "abc"}], "权重须为数字"),
    ({}, [{"label": "感染力", "weight": "0"}], "权重须大于 0"),
    ({}, [{"label": "感染力", "scale_max": "0"}], "满分须为 1 到 1000 的整数"),
    ({}, [{"label": "感染力", "scale_max": "1001"}], "满分须为 1 到 1000 的整数"),
    ({}, [{"label": f"项{i}"} for i in range(31)], "评分项最多 30 项"),
    ({}, [{"label": "感染力"}, {"label": "感染力"}], "评分项「感染力」重复"),
    ({}, [{"label": "评" * 61}], "评分项"),
    ({}, [{"label": "感染力", "key": "overall"}], "标识「overall」不合规"),
    ({}, [{"label": "", "weight": "3"}], "请填写评分项名称"),
])
def test_malformed_input_is_refused_with_a_message(hubei_rounds, organiser, changes, rows, message):
    first, _second = hubei_rounds
    before = (entries(first), ReviewRound.objects.filter(pk=first.pk).values().get())
    response = client_for(organiser).post(settings_url(first), page_data(first, criteria=rows, **changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert "未保存" in page and message in page
    assert (entries(first), ReviewRound.objects.filter(pk=first.pk).values().get()) == before
    assert not ReviewLog.objects.exists()


def test_a_broken_criteria_table_is_refused(hubei_rounds, organiser):
    first, _second = hubei_rounds
    client = client_for(organiser)
    for broken in ({"criteria-TOTAL_FORMS": "abc"}, {"criteria-TOTAL_FORMS": "1000000"},
                   {"criteria-INITIAL_FORMS": None}):
        data = page_data(first)
        for name, value in broken.items():
            if value is None:
                data.pop(name)
            else:
                data[name] = value
        response = client.post(settings_url(first), data)
        assert response.status_code == 400
        assert "未保存" in response.content.decode()
    assert len(entries(first)) == 5


def test_hostile_labels_are_kept_as_text_and_shown_escaped(hubei_rounds, organiser):
    first, _second = hubei_rounds
    client = client_for(organiser)
    hostile = "<script>alert(1)</script>"
    data = page_data(first, label=hostile, criteria=[{"label": hostile}])
    response = client.post(settings_url(first), data, follow=True)
    page = response.content.decode()
    assert hostile not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    first.refresh_from_db()
    assert first.label == hostile and entries(first)[0][1] == hostile
    desk = client.get(reverse("reviews:rounds", args=[first.campaign.slug])).content.decode()
    assert hostile not in desk


def test_nobody_else_reaches_the_settings(hubei_rounds, hubei, unit, member, organiser):
    first, _second = hubei_rounds
    reviewer = UserFactory()
    CampaignRole.objects.create(campaign=hubei, user=reviewer, role=CampaignRole.Role.REVIEWER)
    other_organiser = UserFactory()
    CampaignFactory(slug="elsewhere", organiser=other_organiser)
    for user in (member, reviewer, member_of(unit, UserFactory()), other_organiser):
        client = client_for(user)
        assert client.get(settings_url(first)).status_code == 404
        assert client.post(settings_url(first), page_data(first, method="mean")).status_code == 404
        assert client.post(reverse("reviews:add_round", args=[hubei.slug])).status_code == 404
        assert client.post(reverse("reviews:remove_round", args=[hubei.slug, "second"])).status_code == 404
    anonymous = Client().get(settings_url(first))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert Client().post(reverse("reviews:add_round", args=[hubei.slug])).status_code == 302
    organiser_client = client_for(organiser)
    assert organiser_client.get(reverse("reviews:settings", args=[hubei.slug, "nope"])).status_code == 404
    assert organiser_client.get(reverse("reviews:settings", args=["elsewhere", "first"])).status_code == 404
    assert ReviewRound.objects.filter(campaign=hubei).count() == 2 and not ReviewLog.objects.exists()
    assert ReviewRound.objects.get(pk=first.pk).method == "trimmed"


def test_remove_through_the_page(hubei_rounds, passed_works, organiser):
    first, second = hubei_rounds
    client = client_for(organiser)
    url = reverse("reviews:remove_round", args=[first.campaign.slug, "second"])
    assert client.get(url).status_code == 405
    page = client.get(settings_url(first)).content.decode()
    assert "删除本轮" not in page and "将成为第一轮" in page
    response = client.post(url, follow=True)
    assert "已删除「复审」" in response.content.decode()
    assert not ReviewRound.objects.filter(pk=second.pk).exists()
    response = client.post(url)
    assert response.status_code == 404
    response = client.post(reverse("reviews:remove_round", args=[first.campaign.slug, "first"]), follow=True)
    assert "唯一的评审轮次" in response.content.decode()
    open_round(first)
    third = configuring.add_round(first.campaign, "复审", by=organiser)
    ReviewRound.objects.filter(pk=third.pk).update(status="open")
    url = reverse("reviews:remove_round", args=[first.campaign.slug, third.key])
    response = client.post(url, follow=True)
    assert "已经开始，不能删除" in response.content.decode()
    assert ReviewRound.objects.filter(campaign=first.campaign).count() == 2
    assert ReviewLog.objects.filter(detail__changed=["removed"]).count() == 1
