"""Declared conflicts of interest on the organiser's page: listed, added, withdrawn, and what they undo."""

import pytest
from django.test import Client
from django.urls import reverse

from guangying.campaigns.models import CampaignRole
from guangying.reviews import conflicts, services
from guangying.reviews.models import Assignment, Conflict, ReviewLog, Score
from guangying.reviews.rounds import open_round, rounds_for, save_score
from guangying.submissions.models import WorkState
from tests.factories import EntrantFactory, UserFactory, WorkFactory, member_of, organiser_of
from tests.reviews.helpers import client_for

pytestmark = pytest.mark.django_db

# Lines the set-up itself writes (opening the round, assigning): not what the tests look at.
SET_UP = ("round_opened", "assigned")

MARKS = {"emotion": 8, "depth": 7, "appeal": 9, "reach": 6, "craft": 8}
HOSTILE = '<script>alert("x")</script>'



@pytest.fixture
def desk(hubei, unit, other_unit, organiser):
    """Hubei's 初审 under way: three works of 明德, 专家乙 on all of them (one submitted, one a draft)."""
    works = [WorkFactory(entrant=other_unit, title=f"明德作品{n}", state=WorkState.PASSED) for n in range(3)]
    own = WorkFactory(entrant=unit, title="长川作品", state=WorkState.PASSED)
    people = []
    for name in ("专家乙", "专家丙"):
        user = UserFactory(name=name)
        CampaignRole.objects.create(campaign=hubei, user=user, role=CampaignRole.Role.REVIEWER)
        people.append(user)
    first, _second = rounds_for(hubei)
    open_round(first)
    mine = [Assignment.objects.create(round=first, work=w, reviewer=people[0]) for w in [*works, own]]
    save_score(mine[0], MARKS, by=people[0], submit=True)
    save_score(mine[1], {"emotion": 3}, comment="草稿评语", by=people[0])
    return first, works, own, people, mine, client_for(organiser)


def page_url(campaign):
    return reverse("reviews:conflicts", args=[campaign.slug])


def add(client, campaign, **data):
    return client.post(reverse("reviews:conflict_add", args=[campaign.slug]), data, follow=True)


def text(response) -> str:
    return response.content.decode()


def test_a_conflict_with_an_entrant_takes_the_reviewer_off_its_works_but_keeps_what_was_submitted(
        desk, hubei, other_unit, organiser):
    first, works, _own, people, mine, client = desk
    page = text(add(client, hubei, reviewer=people[0].pk, entrant=other_unit.pk, reason="曾在该单位任职"))
    assert "已登记利益冲突：专家乙与报送主体「明德大学党委统战部」的全部作品" in page
    assert "已取消其在评审中轮次的 2 项分配" in page and "明德作品1" in page and "明德作品2" in page
    assert "已提交的评分不受影响：明德作品0" in page
    conflict = Conflict.objects.get()
    assert conflict.entrant == other_unit and conflict.created_by == organiser
    assert conflict.reason == "曾在该单位任职"
    left = set(Assignment.objects.filter(reviewer=people[0]).values_list("pk", flat=True))
    assert left == {mine[0].pk, mine[3].pk}  # the submitted one, and 长川's work
    assert Score.objects.filter(assignment=mine[0], submitted_at__isnull=False).exists()
    removed = ReviewLog.objects.filter(action="assignment_removed").order_by("pk")
    assert removed.count() == 2 and all(line.round == first for line in removed)
    assert removed.get(detail__work=works[1].pk).detail["draft"]["comment"] == "草稿评语"  # the draft, kept
    declared = ReviewLog.objects.get(action="conflict_declared")
    assert declared.actor == organiser and declared.detail["kept"] == ["明德作品0"]
    listing = text(client.get(page_url(hubei)))
    assert "专家乙" in listing and "曾在该单位任职" in listing and "明德大学党委统战部" in listing
    # Assigning again keeps the reviewer off them.
    services.assign_round(first, by=organiser)
    assert not Assignment.objects.filter(reviewer=people[0], work__in=works[1:]).exists()


def test_a_conflict_with_one_work_and_the_shortfall_shows(desk, hubei, organiser):
    first, works, _own, people, mine, client = desk
    add(client, hubei, reviewer=people[0].pk, work=works[2].pk, reason="亲属参与创作")
    assert not Assignment.objects.filter(pk=mine[2].pk).exists()
    assert Assignment.objects.filter(pk=mine[1].pk).exists()  # another work: untouched
    page = text(client.get(reverse("reviews:assignments", args=[hubei.slug, first.key])))
    assert "缺 3 位" in page  # 明德作品2 now has nobody, of the three asked for
    listing = text(client.get(page_url(hubei)))
    assert "作品《明德作品2》（明德大学党委统战部）" in listing


def test_a_declared_conflict_is_called_so_and_own_unit_avoidance_is_not(desk, hubei, unit, organiser):
    first, works, own, people, _mine, client = desk
    listing = text(client.get(page_url(hubei)))
    assert "「本单位回避」" in listing and "还没有登记利益冲突" in listing
    CampaignRole.objects.filter(user=people[1]).update(unit_name=unit.name)  # 丙 is of 长川
    add(client, hubei, reviewer=people[0].pk, work=works[2].pk, reason="亲属参与创作")
    page = text(client.get(reverse("reviews:assignments", args=[hubei.slug, first.key])))
    declared = page.split(f'id="work-{works[2].pk}"')[1].split("</tr>")[0]
    assert "专家乙（利益冲突，不能评审）" in declared and "本单位回避" not in declared
    own_row = page.split(f'id="work-{own.pk}"')[1].split("</tr>")[0]
    assert '<span data-why="own_unit">专家丙：本单位回避</span>' in own_row and "利益冲突" not in own_row


def test_hostile_reason_text_is_shown_escaped(desk, hubei):
    _first, works, _own, people, _mine, client = desk
    add(client, hubei, reviewer=people[1].pk, work=works[0].pk, reason=HOSTILE)
    assert Conflict.objects.get().reason == HOSTILE  # kept as typed
    listing = text(client.get(page_url(hubei)))
    assert HOSTILE not in listing and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in listing


def test_bad_input_is_refused_with_a_message_and_nothing_is_made(desk, hubei, chongqing, unit):
    _first, works, _own, people, _mine, client = desk
    far_entrant = EntrantFactory(campaign=chongqing)
    far_work = WorkFactory(entrant=far_entrant, state=WorkState.PASSED)
    not_a_reviewer = member_of(unit, UserFactory(name="单位成员"))
    ok = {"reviewer": people[1].pk, "work": works[0].pk, "reason": "亲属"}
    before = Assignment.objects.count()
    for data, said in [
        ({**ok, "reviewer": ""}, "请选择本活动的评审专家"),
        ({**ok, "reviewer": "abc"}, "请选择本活动的评审专家"),
        ({**ok, "reviewer": "9" * 40}, "请选择本活动的评审专家"),
        ({**ok, "reviewer": not_a_reviewer.pk}, "请选择本活动的评审专家"),
        ({**ok, "work": far_work.pk}, "本活动没有这件作品"),
        ({**ok, "work": "x1"}, "本活动没有这件作品"),
        ({**ok, "work": "", "entrant": far_entrant.pk}, "本活动没有这个报送主体"),
        ({**ok, "work": "", "entrant": "-3"}, "本活动没有这个报送主体"),
        ({**ok, "entrant": unit.pk}, "只选一项"),
        ({**ok, "work": ""}, "只选一项"),
        ({**ok, "reason": "   "}, "请填写利益冲突的原因"),
        ({**ok, "reason": "因" * 201}, "原因最多 200 字，现有 201 字"),
    ]:
        response = add(client, hubei, **data)
        assert response.status_code == 200 and said in text(response), data
    assert not Conflict.objects.exists() and Assignment.objects.count() == before
    assert not ReviewLog.objects.exclude(action__in=SET_UP).exists()
    assert "已登记利益冲突" in text(add(client, hubei, **{**ok, "reason": "因" * 200}))
    assert "已登记过这项利益冲突" in text(add(client, hubei, **ok))
    assert Conflict.objects.count() == 1
    assert client.get(reverse("reviews:conflict_add", args=[hubei.slug])).status_code == 405


def test_withdrawing_a_conflict_is_logged_and_gives_nothing_back(desk, hubei, chongqing, organiser):
    _first, works, _own, people, mine, client = desk
    add(client, hubei, reviewer=people[0].pk, work=works[2].pk, reason="亲属")
    conflict = Conflict.objects.get()
    elsewhere = Conflict.objects.create(campaign=chongqing, reviewer=people[0],
                                        entrant=EntrantFactory(campaign=chongqing), reason="别处")
    for pk in (elsewhere.pk, 999999, 10 ** 30):
        url = reverse("reviews:conflict_remove", args=[hubei.slug, pk])
        assert "不存在或已被撤销" in text(client.post(url, follow=True))
    assert Conflict.objects.count() == 2
    url = reverse("reviews:conflict_remove", args=[hubei.slug, conflict.pk])
    page = text(client.post(url, follow=True))
    assert "撤销利益冲突：专家乙与作品《明德作品2》" in page and "不会自动恢复" in page
    assert not Conflict.objects.filter(pk=conflict.pk).exists()
    assert not Assignment.objects.filter(pk=mine[2].pk).exists()
    line = ReviewLog.objects.get(action="conflict_withdrawn")
    assert line.actor == organiser and line.detail["reason"] == "亲属"
    assert "不存在或已被撤销" in text(client.post(url, follow=True))  # twice: said, nothing breaks


def test_the_domain_refuses_what_the_form_cannot_send(desk, hubei, chongqing, organiser):
    _first, works, _own, people, _mine, _client = desk
    far = WorkFactory(entrant=EntrantFactory(campaign=chongqing), state=WorkState.PASSED)
    with pytest.raises(conflicts.ConflictError):
        conflicts.declare(hubei, people[1], work=far, reason="x", by=organiser)
    with pytest.raises(conflicts.ConflictError):
        conflicts.declare(hubei, people[1], reason="x", by=organiser)
    with pytest.raises(conflicts.ConflictError):
        conflicts.declare(hubei, people[1], work=works[0], entrant=works[0].entrant, reason="x", by=organiser)
    assert not Conflict.objects.exists()


def test_nobody_but_the_organiser_reaches_the_conflicts(desk, hubei, unit, member, chongqing):
    _first, works, _own, people, _mine, _client = desk
    conflict = Conflict.objects.create(campaign=hubei, reviewer=people[1], work=works[0], reason="亲属")
    elsewhere = organiser_of(chongqing, UserFactory(name="重庆主办方"))
    for user in (member, people[0], elsewhere):
        client = client_for(user)
        assert client.get(page_url(hubei)).status_code == 404
        assert client.post(reverse("reviews:conflict_add", args=[hubei.slug]),
                           {"reviewer": people[0].pk, "work": works[1].pk, "reason": "x"}).status_code == 404
        remove = reverse("reviews:conflict_remove", args=[hubei.slug, conflict.pk])
        assert client.post(remove).status_code == 404
    assert Client().get(page_url(hubei)).status_code == 302
    assert list(Conflict.objects.all()) == [conflict]
