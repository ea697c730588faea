"""The whole review in Debian's chromium: two rounds, two reviewers, a decision and the released list.

The organiser opens 初审 and assigns; two reviewers score every work they were given (one on
a tablet-sized screen); the organiser closes the round, advances the top works, runs 复审 the
same way, stages the awards from its ranking and releases them; the campaign's public page
then shows the list, in the order of the ranking the organiser chose.
"""

import pytest
from django.core import mail
from playwright.sync_api import expect

from guangying.campaigns.models import CampaignRole
from guangying.reviews import services
from guangying.reviews.models import ReviewRound
from guangying.submissions.models import Work, WorkState
from tests.browser.test_submission_walk import log_in
from tests.factories import EntrantFactory, UserFactory, WorkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLES = ["一封家书里的同心路", "老街上的统战记忆", "光谷里的党外专家", "回乡的楚商", "石榴花开"]
# The two reviewers' marks per work (the same for each of the five criteria): a clear order.
MARKS = {"expert-a": [9, 8, 7, 6, 5], "expert-b": [8.5, 8, 6.5, 6, 4]}


def score_everything(page, name: str) -> int:
    """Scores every work on the reviewer's list with 提交并评下一件; how many were scored."""
    page.goto("/r/mine/")
    links = page.locator("tr:has(.warn) a[href*='/r/score/']")  # the first work not yet scored
    expect(links.first).to_be_visible()
    links.first.click()
    scored = 0
    while True:
        # Nothing wider than the screen, on a tablet as on a desktop.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        title = page.locator("h1").inner_text()
        mark = MARKS[name][TITLES.index(title)]
        for field in page.locator("#score-form input[type=number]").all():
            field.fill(str(mark))
        page.fill("#comment", f"{title}：结构完整。")
        page.click("button[value=submit_next]")
        scored += 1
        expect(page.locator(".messages, [role=status], .alert").first).to_contain_text("评分已提交")
        if "/r/mine/" in page.url:
            return scored


def test_two_rounds_from_opening_to_the_released_list(new_page, hubei, organiser):
    units = [EntrantFactory(campaign=hubei, name=n, contact_email=f"unit{i}@example.org")
             for i, n in enumerate(("长川市委统战部", "明德大学党委统战部"))]
    for i, title in enumerate(TITLES):
        WorkFactory(entrant=units[i % 2], title=title, state=WorkState.PASSED)
    experts = {}
    for name in MARKS:
        experts[name] = UserFactory(name=name, email=f"{name}@example.org")
        CampaignRole.objects.create(campaign=hubei, user=experts[name], role=CampaignRole.Role.REVIEWER,
                                    unit_name="示例传媒学院")
    desk = new_page()
    desk.on("dialog", lambda dialog: dialog.accept())  # the organiser confirms what cannot be undone
    log_in(desk, organiser.email)

    def run_round(key: str, label: str, expected_works: int) -> None:
        desk.goto(f"/r/c/{hubei.slug}/")
        card = desk.locator(f"section[data-round={key}]")
        card.get_by_role("button", name="开始本轮评审").click()
        expect(desk.locator("body")).to_contain_text(f"共 {expected_works} 件作品参评")
        ReviewRound.objects.filter(campaign=hubei, key=key).update(reviewers_per_work=2)
        desk.locator(f"section[data-round={key}]").get_by_role("button", name="自动分配作品").click()
        expect(desk.locator("body")).to_contain_text("已分配")
        for name, expert in experts.items():
            page = new_page() if name == "expert-a" else tablet()
            log_in(page, expert.email)
            assert score_everything(page, name) == expected_works
            page.context.close()
        desk.goto(f"/r/c/{hubei.slug}/")
        card = desk.locator(f"section[data-round={key}]")
        expect(card).to_contain_text(f"已提交 {2 * expected_works} 份评分")
        card.get_by_role("button", name="结束本轮评审（锁定评分）").click()
        expect(desk.locator("body")).to_contain_text(f"「{label}」已结束")

    def tablet():
        page = new_page()
        page.set_viewport_size({"width": 768, "height": 1024})
        return page

    run_round("first", "初审", 5)
    desk.goto(f"/r/c/{hubei.slug}/first/results/")
    desk.fill("#top", "3")
    desk.get_by_role("button", name="选出晋级作品").click()
    expect(desk.locator("body")).to_contain_text("已选出 3 件作品晋级下一轮")
    run_round("second", "复审", 3)
    second = ReviewRound.objects.get(campaign=hubei, key="second")
    ranking = [row.work for row in services.results(second).rows]
    assert len(ranking) == 3

    # 复审 selects all three (the open-ended award takes the works the last round selected);
    # then 一等奖 1, 二等奖 1, 优秀作品 for the rest, from 复审's ranking, released together.
    desk.goto(f"/r/c/{hubei.slug}/second/results/")
    desk.fill("#top", "3")
    desk.get_by_role("button", name="选出晋级作品").click()
    desk.goto(f"/r/c/{hubei.slug}/")
    desk.get_by_role("link", name="评审结果与公布").click()
    for i, (label, count) in enumerate([("一等奖", "1"), ("二等奖", "1"), ("优秀作品", "")]):
        if desk.locator(f"input[name=label_{i}]").count() == 0:
            desk.get_by_role("link", name="增加几行").click()
        desk.fill(f"input[name=label_{i}]", label)
        desk.fill(f"input[name=count_{i}]", count)
    desk.get_by_role("button", name="保存奖项", exact=True).click()
    desk.select_option("#round", "second")
    desk.get_by_role("button", name="按排名生成", exact=True).click()
    desk.check("input[name=confirm]")
    desk.get_by_role("button", name="公布结果", exact=True).click()
    expect(desk.locator("main")).to_contain_text("评审结果已公布：3 件作品")

    titles = {w.pk: w.title for w in Work.objects.filter(pk__in=ranking)}
    public = new_page()
    public.goto(hubei.get_absolute_url())
    text = public.locator("main").inner_text()
    positions = [text.index(titles[pk]) for pk in ranking]
    assert positions == sorted(positions), "the list follows 复审's ranking"
    for award, pk in zip(["一等奖", "二等奖", "优秀作品"], ranking, strict=True):
        assert text.index(award) < text.index(titles[pk])
    assert TITLES[4] not in text  # 初审's last did not go on

    # The results wait in the outbox until the organiser has read them and sends them.
    expect(desk.locator("main")).to_contain_text("经专家评审")  # the release leads to the outbox
    assert not mail.outbox
    desk.get_by_role("button", name="全部发送").click()
    assert {m.to[0] for m in mail.outbox} == {u.contact_email for u in units if u.contact_email} | {
        m.user.email for u in units for m in u.memberships.all()}
