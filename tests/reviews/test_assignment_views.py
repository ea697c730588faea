"""The organiser changes a round's assignment by hand, watches each work's progress and writes reminders."""

import re
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guangying.campaigns.models import CampaignRole
from guangying.reviews import services
from guangying.reviews.models import Assignment, Conflict, OutgoingMail, ReviewLog, ReviewRound
from guangying.reviews.rounds import close_round, open_round, rounds_for, save_score
from guangying.submissions.models import WorkState
from tests.factories import EntrantFactory, UserFactory, WorkFactory, member_of, organiser_of
from tests.reviews.helpers import client_for

pytestmark = pytest.mark.django_db

# Lines the set-up itself writes (opening the round, assigning): not what the tests look at.
SET_UP = ("round_opened", "assigned")

MARKS = {"emotion": 8, "depth": 7, "appeal": 9, "reach": 6, "craft": 8}



def reviewer(campaign, name, unit=""):
    user = UserFactory(name=name)
    CampaignRole.objects.create(campaign=campaign, user=user, role=CampaignRole.Role.REVIEWER, unit_name=unit)
    return user


@pytest.fixture
def desk(hubei, unit, other_unit, organiser):
    """Hubei's 初审 under way: two works per unit, three reviewers (甲 of 长川), two per work, assigned."""
    works = [WorkFactory(entrant=e, title=f"{e.name[:2]}作品{n}", state=WorkState.PASSED)
             for e in (unit, other_unit) for n in range(2)]
    people = [reviewer(hubei, "专家甲", "长川市委统战部"), reviewer(hubei, "专家乙"),
              reviewer(hubei, "专家丙")]
    first, _second = rounds_for(hubei)
    first.reviewers_per_work = 2
    first.save()
    open_round(first)
    services.assign_round(first, by=organiser)
    return first, works, people, client_for(organiser)


def page_url(round_):
    return reverse("reviews:assignments", args=[round_.campaign.slug, round_.key])


def change_url(round_):
    return reverse("reviews:assignment_change", args=[round_.campaign.slug, round_.key])


def post(client, round_, action, work, person):
    return client.post(change_url(round_), {"action": action, "work": getattr(work, "pk", work),
                                            "reviewer": getattr(person, "pk", person)}, follow=True)


def text(response) -> str:
    return response.content.decode()


def free_reviewer(round_, work, people):
    """A reviewer not on the work and allowed to review it."""
    on = set(Assignment.objects.filter(round=round_, work=work).values_list("reviewer_id", flat=True))
    return next(p for p in people[1:] if p.pk not in on)


def test_the_page_shows_each_work_with_its_reviewers_states_and_progress(desk, unit):
    first, works, _people, client = desk
    a = Assignment.objects.filter(round=first, work=works[0]).first()
    save_score(a, MARKS, by=a.reviewer, submit=True)
    b = Assignment.objects.filter(round=first, work=works[1]).first()
    save_score(b, {"emotion": 5}, by=b.reviewer)
    page = text(client.get(page_url(first)))
    for work in works:
        assert work.title in page
    assert "长川市委统战部" in page and "明德大学党委统战部" in page  # the organiser sees the entrants
    assert "已提交" in page and "草稿" in page and "未评" in page
    assert "已评 1 / 2" in page and "各评审专家进度" in page
    assert "生成提醒邮件" in page and "请到「待发邮件」页阅读后发送" in page
    # 专家甲 of 长川 is offered for none of 长川's works: own-unit avoidance, not a declared conflict.
    assert "本单位回避" in page and "利益冲突，不能评审" not in page
    desk_page = text(client.get(reverse("reviews:rounds", args=[first.campaign.slug])))
    assert page_url(first) in desk_page and "分配与进度" in desk_page
    assert reverse("reviews:conflicts", args=[first.campaign.slug]) in desk_page


def test_a_manual_add_is_locked_logged_and_kept_when_assigning_again(desk, organiser):
    first, works, people, client = desk
    target = works[2]  # 明德's: 专家甲 may review it
    on = set(Assignment.objects.filter(round=first, work=target).values_list("reviewer_id", flat=True))
    extra = next(p for p in people if p.pk not in on)
    page = text(post(client, first, "add", target, extra))
    assert f"手动指定：{extra.name}评审《{target.title}》" in page
    assert "多于要求的 2 位" in page  # the checker's warning, said, not refusing
    added = Assignment.objects.get(round=first, work=target, reviewer=extra)
    assert added.locked and added.created_by == organiser
    line = ReviewLog.objects.get(action="assignment_added")
    assert line.actor == organiser
    assert line.detail == {"work": target.pk, "reviewer": extra.pk, "locked": True}
    services.assign_round(first, by=organiser, seed=11)
    assert Assignment.objects.filter(pk=added.pk, locked=True).exists()
    assert "手动指定" in text(client.get(page_url(first)))


def test_an_own_unit_reviewer_or_a_declared_conflict_is_refused_with_the_checkers_words(desk, hubei):
    first, works, people, client = desk
    before = Assignment.objects.count()
    page = text(post(client, first, "add", works[0], people[0]))  # 专家甲 and 长川's work
    assert f"专家甲所在单位报送或参与了该作品，不能评审《{works[0].title}》" in page
    extra = free_reviewer(first, works[2], people)
    Conflict.objects.create(campaign=hubei, reviewer=extra, work=works[2], reason="亲属")
    page = text(post(client, first, "add", works[2], extra))
    assert f"{extra.name}申报了与该作品的利益冲突，不能评审《{works[2].title}》" in page
    assert Assignment.objects.count() == before and not ReviewLog.objects.exclude(action__in=SET_UP).exists()


def row_of(page: str, work) -> str:
    return re.search(rf'<tr id="work-{work.pk}".*?</tr>', page, flags=re.S).group(0)


def test_own_unit_avoidance_and_declared_conflicts_are_told_apart(desk, hubei):
    first, works, people, client = desk
    jia = people[0]  # of 长川, which sent works[0] and works[1]
    page = text(client.get(page_url(first)))
    for work in works[:2]:  # 乙 and 丙 review it, 甲 may not: nobody left to add
        row = row_of(page, work)
        assert f'<span data-why="own_unit">{jia.name}：本单位回避</span>' in row
        assert "没有可以增加的评审专家" in row and "利益冲突" not in row
    target = works[2]  # 明德's: the one reviewer not on it declares a conflict with it
    extra = free_reviewer(first, target, people)
    Conflict.objects.create(campaign=hubei, reviewer=extra, work=target, reason="<b>亲属</b>")
    row = row_of(text(client.get(page_url(first))), target)
    assert f'<span data-why="declared">{extra.name}：利益冲突</span>' in row and "本单位回避" not in row
    # A unit-wide conflict declared by a reviewer of that very unit is still their own unit first.
    Conflict.objects.create(campaign=hubei, reviewer=jia, entrant=works[0].entrant, reason="本单位")
    assert f"{jia.name}：本单位回避" in row_of(text(client.get(page_url(first))), works[0])


def test_the_dropdown_says_why_a_reviewer_cannot_be_added(hubei, unit, other_unit, organiser):
    work = WorkFactory(entrant=unit, title="家书", state=WorkState.PASSED)
    own = reviewer(hubei, "专家甲", unit.name)
    declared, free = reviewer(hubei, "专家乙"), reviewer(hubei, "专家丙")
    nameless = reviewer(hubei, "")
    Conflict.objects.create(campaign=hubei, reviewer=declared, entrant=unit, reason="曾任职")
    first, _second = rounds_for(hubei)
    open_round(first)
    page = text(client_for(organiser).get(page_url(first)))
    select = re.search(rf'<select id="add-{work.pk}".*?</select>', page, flags=re.S).group(0)
    assert (f'<option value="{own.pk}" disabled data-why="own_unit">'
            "专家甲（本单位回避，不能评审）</option>") in select
    assert (f'<option value="{declared.pk}" disabled data-why="declared">'
            "专家乙（利益冲突，不能评审）</option>") in select
    assert f'<option value="{free.pk}">专家丙</option>' in select
    # A reviewer without a name is shown by e-mail, never by a bare user id.
    assert f'<option value="{nameless.pk}">{nameless.email}</option>' in select


def test_a_pair_with_a_score_offers_no_lock_and_says_why(desk, organiser):
    first, works, _people, client = desk
    submitted, draft, free = (Assignment.objects.filter(round=first, work=w).first() for w in works[:3])
    save_score(submitted, MARKS, by=submitted.reviewer, submit=True)
    save_score(draft, {"emotion": 4}, by=draft.reviewer)
    Assignment.objects.filter(pk=draft.pk).update(locked=True)
    page = text(client.get(page_url(first)))

    def item(a) -> str:
        row = row_of(page, a.work)
        return re.search(rf'<div data-reviewer="{a.reviewer_id}">.*?</div>', row, flags=re.S).group(0)

    assert "已提交评分，重新自动分配时保留" in item(submitted)
    assert 'value="lock"' not in item(submitted) and 'value="unlock"' not in item(submitted)
    assert "已开始评分，重新自动分配时保留" in item(draft) and "手动指定" in item(draft)
    assert 'value="unlock"' not in item(draft) and 'value="remove"' not in item(draft)
    assert 'value="lock"' in item(free) and 'value="remove"' in item(free) and "data-kept" not in item(free)
    # Assigning again keeps both, locked or not, as the page says.
    services.assign_round(first, by=organiser, seed=5)
    assert Assignment.objects.filter(pk__in=[submitted.pk, draft.pk]).count() == 2


def test_a_duplicate_add_is_refused(desk):
    first, works, _people, client = desk
    current = Assignment.objects.filter(round=first, work=works[0]).first()
    page = text(post(client, first, "add", works[0], current.reviewer))
    assert f"{current.reviewer.name}已在评审《{works[0].title}》" in page
    assert Assignment.objects.filter(round=first, work=works[0], reviewer=current.reviewer).count() == 1


def test_bad_ids_are_refused_with_a_message_and_nothing_changes(desk, chongqing, organiser):
    first, works, people, client = desk
    stranger_work = WorkFactory(entrant=EntrantFactory(campaign=chongqing), state=WorkState.PASSED)
    not_a_reviewer = UserFactory(name="路人")
    before = sorted(Assignment.objects.values_list("work_id", "reviewer_id"))
    for work, person, said in [
        ("abc", people[1].pk, "请选择作品和评审专家"),
        ("", people[1].pk, "请选择作品和评审专家"),
        (works[2].pk, "", "请选择作品和评审专家"),
        ("-1", people[1].pk, "请选择作品和评审专家"),
        ("１２", people[1].pk, "请选择作品和评审专家"),  # full-width digits
        ("3.0", people[1].pk, "请选择作品和评审专家"),
        ("9" * 40, people[1].pk, "请选择作品和评审专家"),
        ("<script>alert(1)</script>", people[1].pk, "请选择作品和评审专家"),
        (stranger_work.pk, people[1].pk, f"作品（{stranger_work.pk}）不在本轮评审中"),
        (999999999, people[1].pk, "作品（999999999）不在本轮评审中"),
        (works[2].pk, not_a_reviewer.pk, f"评审专家（{not_a_reviewer.pk}）不在本轮评审中"),
        (works[2].pk, 987654321, "评审专家（987654321）不在本轮评审中"),
    ]:
        for action in ("add", "remove", "lock"):
            response = post(client, first, action, work, person)
            page = text(response)
            assert response.status_code == 200
            if action == "lock" and said.endswith("不在本轮评审中"):
                assert "没有这项分配" in page
            else:
                assert said in page, (action, work, person)
            assert "<script>alert" not in page
    assert sorted(Assignment.objects.values_list("work_id", "reviewer_id")) == before
    assert not ReviewLog.objects.exclude(action__in=SET_UP).exists()
    response = client.post(change_url(first), {"action": "explode", "work": works[0].pk,
                                               "reviewer": people[1].pk}, follow=True)
    assert "无法识别的操作" in text(response)
    assert client.get(change_url(first)).status_code == 405


def test_removing_an_unscored_pair_is_logged_a_scored_or_draft_one_is_refused(desk, organiser):
    first, works, _people, client = desk
    free, submitted, draft = (Assignment.objects.filter(round=first, work=w).first() for w in works[:3])
    save_score(submitted, MARKS, by=submitted.reviewer, submit=True)
    save_score(draft, {"emotion": 4}, by=draft.reviewer)
    page = text(post(client, first, "remove", submitted.work, submitted.reviewer))
    assert "已提交" in page and "不能取消" in page
    page = text(post(client, first, "remove", draft.work, draft.reviewer))
    assert "草稿" in page and "不能取消" in page and "草稿会丢失" in page
    assert Assignment.objects.filter(pk__in=[submitted.pk, draft.pk]).count() == 2
    page = text(post(client, first, "remove", free.work, free.reviewer))
    assert f"取消分配：{free.reviewer.name}不再评审《{free.work.title}》" in page
    assert "少于要求的 2 位" in page  # the checker's warning
    assert not Assignment.objects.filter(pk=free.pk).exists()
    assert ReviewLog.objects.get(action="assignment_removed").actor == organiser
    assert "缺 1 位" in text(client.get(page_url(first)))
    page = text(post(client, first, "remove", free.work, free.reviewer))  # again: nothing to remove
    assert f"{free.reviewer.name}没有评审《{free.work.title}》" in page


def test_lock_and_unlock_a_pair(desk):
    first, works, _people, client = desk
    a = Assignment.objects.filter(round=first, work=works[0], locked=False).first()
    page = text(post(client, first, "lock", a.work, a.reviewer))
    assert "锁定分配" in page
    a.refresh_from_db()
    assert a.locked
    assert "已是手动指定" in text(post(client, first, "lock", a.work, a.reviewer))
    assert "解除锁定" in text(post(client, first, "unlock", a.work, a.reviewer))
    a.refresh_from_db()
    assert not a.locked
    logged = ReviewLog.objects.exclude(action__in=SET_UP).order_by("pk")
    assert list(logged.values_list("action", flat=True)) == ["assignment_locked", "assignment_unlocked"]


def test_closed_and_draft_rounds_take_no_changes(desk, hubei):
    first, works, people, client = desk
    second = ReviewRound.objects.get(campaign=hubei, key="second")
    page = text(post(client, second, "add", works[2], people[0]))
    assert "尚未开始" in page
    assert "尚未开始" in text(client.get(page_url(second)))
    a = Assignment.objects.filter(round=first).first()
    close_round(first)
    before = Assignment.objects.count()
    extra = free_reviewer(first, works[2], people)
    for action, work, person in [("add", works[2], extra), ("remove", a.work, a.reviewer),
                                 ("lock", a.work, a.reviewer)]:
        assert "已结束，分配不能再修改" in text(post(client, first, action, work, person))
    assert Assignment.objects.count() == before
    page = text(client.get(page_url(first)))
    assert "只能查看" in page and "生成提醒邮件</button>" not in page and 'value="remove"' not in page


def test_nobody_but_the_organiser_reaches_these_pages(desk, hubei, unit, member, chongqing):
    first, works, people, _client = desk
    elsewhere = organiser_of(chongqing, UserFactory(name="重庆主办方"))
    stranger = member_of(unit, UserFactory())
    before = Assignment.objects.count()
    for user in (member, people[1], stranger, elsewhere):
        client = client_for(user)
        assert client.get(page_url(first)).status_code == 404
        assert client.post(change_url(first), {"action": "add", "work": works[2].pk,
                                               "reviewer": people[0].pk}).status_code == 404
        assert client.post(reverse("reviews:reminders", args=[hubei.slug, first.key])).status_code == 404
    assert Client().get(page_url(first)).status_code == 302
    assert Assignment.objects.count() == before and not OutgoingMail.objects.exists()
    unknown_round = reverse("reviews:assignments", args=[hubei.slug, "nope"])
    assert client_for(elsewhere).get(unknown_round).status_code == 404


def test_reminders_wait_in_the_outbox_one_per_reviewer_with_works_left(desk, hubei, organiser):
    first, _works, people, client = desk
    # A closing time still ahead: scores are saved below, and a round's dates are the reviewers' window.
    closes = (timezone.now() + timedelta(days=30)).astimezone(ZoneInfo("Asia/Shanghai")).replace(
        hour=18, minute=0, second=0, microsecond=0)
    ReviewRound.objects.filter(pk=first.pk).update(closes_at=closes)
    done = people[1]
    for a in Assignment.objects.filter(round=first, reviewer=done):
        save_score(a, MARKS, by=done, submit=True)
    left = {p.pk: Assignment.objects.filter(round=first, reviewer=p).count() for p in people if p != done}
    url = reverse("reviews:reminders", args=[hubei.slug, first.key])
    page = text(client.post(url, follow=True))
    assert f"已生成 {len(left)} 封提醒邮件" in page and "请到「待发邮件」页阅读后发送" in page
    held = OutgoingMail.objects.filter(kind=OutgoingMail.Kind.REMINDER, round=first)
    assert set(held.values_list("reviewer_id", flat=True)) == set(left)
    for message in held:
        assert message.sent_at is None and message.to_email == message.reviewer.email
        assert f"还有 {left[message.reviewer_id]} 件尚未提交评分" in message.body
        assert closes.strftime("%Y-%m-%d 18:00") in message.body
        assert settings.SITE_URL + reverse("reviews:mine") in message.body
        assert message.created_by == organiser
    assert mail.outbox == []  # nothing is sent here
    assert ReviewLog.objects.filter(action="reminders_written").count() == 1
    # Pressing again queues nothing twice, and says so.
    page = text(client.post(url, follow=True))
    assert f"{len(left)} 位评审专家已有尚未发送的提醒邮件" in page
    assert held.count() == len(left)
    # Once sent, the next reminder may be written; a reviewer without an address gets none.
    held.update(sent_at=first.opened_at)
    no_address = people[0] if people[0].pk in left else people[2]
    type(no_address).objects.filter(pk=no_address.pk).update(email="")
    page = text(client.post(url, follow=True))
    assert "1 位评审专家没有电子邮箱" in page
    assert held.filter(sent_at__isnull=True).count() == len(left) - 1


def test_reminders_only_for_an_open_round_and_none_when_all_is_scored(desk, hubei):
    first, _works, _people, client = desk
    url = reverse("reviews:reminders", args=[hubei.slug, first.key])
    for a in Assignment.objects.filter(round=first):
        save_score(a, MARKS, by=a.reviewer, submit=True)
    assert "没有需要提醒的评审专家" in text(client.post(url, follow=True))
    close_round(first)
    assert "只有评审中的轮次才能生成提醒邮件" in text(client.post(url, follow=True))
    second_url = reverse("reviews:reminders", args=[hubei.slug, "second"])
    assert "只有评审中的轮次才能生成提醒邮件" in text(client.post(second_url, follow=True))
    assert not OutgoingMail.objects.exists()
    assert client.get(url).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_two_organisers_adding_the_same_pair_at_once_make_one_assignment(hubei, unit, other_unit, organiser):
    work = WorkFactory(entrant=other_unit, title="竞速作品", state=WorkState.PASSED)
    person = reviewer(hubei, "专家丁")
    first, _second = rounds_for(hubei)
    open_round(first)
    colleague = organiser_of(hubei, UserFactory(name="主办方乙"))
    barrier = threading.Barrier(2)
    pages: list[str] = []

    def add(user):
        try:
            client = client_for(user)
            barrier.wait(timeout=30)
            pages.append(text(post(client, first, "add", work.pk, person.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(u,)) for u in (organiser, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(pages) == 2
    assert Assignment.objects.filter(round=first, work=work, reviewer=person).count() == 1
    assert sum("手动指定：专家丁评审《竞速作品》" in p for p in pages) == 1
    assert sum("专家丁已在评审《竞速作品》" in p for p in pages) == 1
    assert ReviewLog.objects.filter(action="assignment_added").count() == 1
