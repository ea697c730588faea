"""The organiser's review desk through its pages: open, assign, watch progress, rank, advance, export."""

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from guangying.campaigns.models import CampaignRole
from guangying.reviews.models import Assignment, ReviewRound, RoundWork
from guangying.reviews.rounds import save_score
from guangying.submissions.models import WorkState
from tests.factories import UserFactory, WorkFactory, member_of

pytestmark = pytest.mark.django_db

MARKS = {"emotion": 8, "depth": 7, "appeal": 9, "reach": 6, "craft": 8}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk(hubei, unit, other_unit, organiser):
    for entrant in (unit, other_unit):
        for n in range(3):
            WorkFactory(entrant=entrant, title=f"{entrant.name[:2]}{n}", state=WorkState.PASSED)
    for i, name in enumerate(["长川市委统战部", "", ""]):
        CampaignRole.objects.create(campaign=hubei, user=UserFactory(name=f"专家{i}"),
                                    role=CampaignRole.Role.REVIEWER, unit_name=name)
    return client_for(organiser)


def url(name, hubei, *args):
    return reverse(f"reviews:{name}", args=[hubei.slug, *args])


def test_the_organiser_runs_the_first_round(desk, hubei, unit):
    page = desk.get(url("rounds", hubei)).content.decode()
    assert "初审" in page and "复审" in page and "情感温度" in page and "开始本轮评审" in page
    response = desk.post(url("action", hubei, "first", "open"), follow=True)
    assert "共 6 件作品参评" in response.content.decode()
    response = desk.post(url("action", hubei, "first", "assign"), follow=True)
    page = response.content.decode()
    assert "已分配" in page
    first = ReviewRound.objects.get(campaign=hubei, key="first")
    # The unit's own reviewer is kept off its three works: two reviewers each, and the page says so.
    assert first.assignments.count() == 3 * 3 + 3 * 2
    assert not first.assignments.filter(work__entrant=unit, reviewer__name="专家0").exists()
    assert "少于" in page or "只有" in page
    for a in Assignment.objects.filter(round=first):
        save_score(a, MARKS, by=a.reviewer, submit=True)
    page = desk.get(url("rounds", hubei)).content.decode()
    assert "专家0" in page and "已评" in page
    results = desk.get(url("results", hubei, "first")).content.decode()
    assert "去掉一个最高分和一个最低分" in results and "长川" in results
    response = desk.post(url("advance", hubei, "first"), {"top": "2"}, follow=True)
    assert "晋级下一轮" in response.content.decode()
    assert RoundWork.objects.filter(round=first, advanced=True).count() >= 2
    sheet = desk.get(url("results_xlsx", hubei, "first"))
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 7 and "情感温度" in rows[0]
    desk.post(url("action", hubei, "first", "close"))
    assert ReviewRound.objects.get(pk=first.pk).status == ReviewRound.Status.CLOSED
    response = desk.post(url("action", hubei, "second", "open"), follow=True)
    assert "复审" in response.content.decode()
    assert ReviewRound.objects.get(campaign=hubei, key="second").entries.count() >= 2


def test_refusals_are_said(desk, hubei):
    response = desk.post(url("action", hubei, "second", "open"), follow=True)
    assert "尚未结束" in response.content.decode()
    response = desk.post(url("action", hubei, "first", "assign"), follow=True)
    assert "请先开始本轮评审" in response.content.decode()
    desk.post(url("action", hubei, "first", "open"))
    for bad in ({"top": "0"}, {"top": "两"}, {"at_least": "八十"}, {}):
        response = desk.post(url("advance", hubei, "first"), bad, follow=True)
        assert "晋级名额" in response.content.decode() or "请填写" in response.content.decode()
    assert desk.post(url("action", hubei, "first", "nonsense")).status_code == 404


def test_nobody_else_reaches_the_desk(desk, hubei, unit, member):
    reviewer = CampaignRole.objects.filter(campaign=hubei, role=CampaignRole.Role.REVIEWER).first().user
    stranger = member_of(unit, UserFactory())
    for user in (member, reviewer, stranger):
        client = client_for(user)
        assert client.get(url("rounds", hubei)).status_code == 404
        assert client.post(url("action", hubei, "first", "open")).status_code == 404
        assert client.get(url("results_xlsx", hubei, "first")).status_code == 404
    anonymous = Client().get(url("rounds", hubei))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert not ReviewRound.objects.filter(status=ReviewRound.Status.OPEN).exists()
