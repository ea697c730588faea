"""The home page: campaigns open for entries apart from those past their deadline; works waiting review."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guangying.campaigns.models import CampaignRole
from guangying.reviews.models import Assignment
from guangying.reviews.rounds import open_round, rounds_for
from guangying.submissions.models import WorkState
from tests.factories import CampaignFactory, EntrantFactory, UserFactory, WorkFactory

pytestmark = pytest.mark.django_db


def sections(page: str) -> tuple[str, str]:
    open_part, _sep, past_part = page.partition("征集已截止的活动")
    return open_part.split("正在征集的活动", 1)[1], past_part


def test_a_campaign_past_its_deadline_is_not_listed_as_collecting(hubei):
    past = CampaignFactory(preset="chongqing-2026-hongse", slug="past",
                           closes=timezone.localdate() - timedelta(days=3))
    collecting, closed = sections(Client().get(reverse("home")).content.decode())
    assert hubei.title in collecting and past.title not in collecting
    assert past.title in closed


def test_a_reviewer_sees_how_many_works_wait_for_them(hubei):
    reviewer = UserFactory(name="专家甲")
    CampaignRole.objects.create(campaign=hubei, user=reviewer, role=CampaignRole.Role.REVIEWER)
    client = Client()
    client.force_login(reviewer)
    assert "目前没有待评的作品" in client.get(reverse("home")).content.decode()
    unit = EntrantFactory(campaign=hubei, name="长川市委统战部")
    works = [WorkFactory(entrant=unit, title=f"作品{i}", state=WorkState.PASSED) for i in range(2)]
    first = rounds_for(hubei)[0]
    open_round(first)
    for work in works:
        Assignment.objects.create(round=first, work=work, reviewer=reviewer)
    page = client.get(reverse("home")).content.decode()
    assert "2 件作品待评" in page and reverse("reviews:mine") in page


def test_the_campaign_page_says_the_file_naming_in_words(hubei, chongqing):
    page = Client().get(hubei.get_absolute_url()).content.decode()
    assert "报送单位名称-作品名称" in page and "{entrant}" not in page
    page = Client().get(chongqing.get_absolute_url()).content.decode()
    assert "报送单位（个人）名称+作品名称（第n集）" in page
