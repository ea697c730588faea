"""The organiser's overview: each unit's progress against its quota, and the time left."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guangying.campaigns.models import Campaign
from guangying.submissions.models import WorkState
from tests.campaigns.conftest import attach_pdf, hand_in
from tests.factories import CampaignFactory, EntrantFactory, UserFactory, WorkFactory, member_of


def work(entrant, title: str, state: str = WorkState.DRAFT, *, pledge: bool = True):
    made = WorkFactory(entrant=entrant, title=title)
    if state != WorkState.DRAFT:
        hand_in(made, state)
    if pledge:
        attach_pdf(made, "copyright_pledge", f"{title}.pdf", entrant.memberships.first().user)
    return made


@pytest.fixture
def progress(hubei):
    """Hubei (5–8 works a unit): one busy unit, one with its own quota, one that never joined."""
    busy = EntrantFactory(campaign=hubei, name="甲：作品多的单位")
    member_of(busy)
    member_of(busy)
    work(busy, "草稿一")
    work(busy, "草稿二缺承诺书", pledge=False)
    work(busy, "已提交一", WorkState.SUBMITTED)
    work(busy, "已提交二", WorkState.SUBMITTED)
    work(busy, "已提交三缺承诺书", WorkState.SUBMITTED, pledge=False)
    work(busy, "退回一", WorkState.RETURNED)
    work(busy, "通过一", WorkState.PASSED)
    work(busy, "不予受理", WorkState.REJECTED, pledge=False)  # neither counted nor missing anything
    work(busy, "撤销的草稿", WorkState.WITHDRAWN, pledge=False)

    small = EntrantFactory(campaign=hubei, name="乙：自定数量的单位", quota_min=2, quota_max=3)
    member_of(small)
    work(small, "乙的作品", WorkState.SUBMITTED)
    replaced = work(small, "乙的草稿")
    attach_pdf(replaced, "copyright_pledge", "新承诺书.pdf", small.memberships.first().user)

    EntrantFactory(campaign=hubei, name="丙：尚未加入的单位")

    elsewhere = EntrantFactory(campaign=CampaignFactory(slug="elsewhere"), name="别的活动的单位")
    member_of(elsewhere)
    work(elsewhere, "别的活动的作品", WorkState.SUBMITTED, pledge=False)
    return hubei


def dashboard(client, organiser, campaign: Campaign):
    client.force_login(organiser)
    response = client.get(reverse("campaigns:dashboard", args=[campaign.slug]))
    assert response.status_code == 200
    return response


def row_for(response, name: str) -> dict:
    return next(row for row in response.context["rows"] if row["entrant"].name == name)


def test_each_units_counts(client, organiser, progress) -> None:
    response = dashboard(client, organiser, progress)
    # In the database's order of names, as on the units page (not in the order they were added).
    expected = list(progress.entrants.order_by("kind", "name").values_list("name", flat=True))
    assert expected != ["甲：作品多的单位", "乙：自定数量的单位", "丙：尚未加入的单位"]
    assert [row["entrant"].name for row in response.context["rows"]] == expected

    busy = row_for(response, "甲：作品多的单位")
    counts = busy["entrant"]
    assert (counts.members, counts.drafts, counts.handed_in, counts.returned, counts.passed) == (
        2, 2, 5, 1, 1)
    assert (busy["min"], busy["max"]) == (5, 8)  # the campaign's rule
    assert busy["below_min"] is False
    assert busy["missing_documents"] == 2

    small = row_for(response, "乙：自定数量的单位")
    counts = small["entrant"]
    assert (counts.members, counts.drafts, counts.handed_in) == (1, 1, 1)
    assert (small["min"], small["max"]) == (2, 3)  # the unit's own quota wins
    assert small["below_min"] is True
    assert small["missing_documents"] == 0  # a replaced file still leaves one current file

    idle = row_for(response, "丙：尚未加入的单位")
    counts = idle["entrant"]
    assert (counts.members, counts.drafts, counts.handed_in) == (0, 0, 0)
    assert idle["below_min"] is True
    assert idle["missing_documents"] == 0

    assert response.context["entrant_count"] == 3
    assert response.context["joined_count"] == 2


def test_the_state_totals_count_this_campaign_only(client, organiser, progress) -> None:
    response = dashboard(client, organiser, progress)
    totals = {state: n for state, _label, n in response.context["states"]}
    assert totals == {
        WorkState.DRAFT: 3, WorkState.SUBMITTED: 4, WorkState.RETURNED: 1, WorkState.PASSED: 1,
        WorkState.REJECTED: 1, WorkState.WITHDRAWN: 1,
    }


def test_the_table_shows_what_needs_attention(client, organiser, progress) -> None:
    page = dashboard(client, organiser, progress).content.decode()
    table = page[page.index("各报送主体进度"):]
    rows = {name: table[table.index(name):].split("</tr>")[0]
            for name in ("甲：作品多的单位", "乙：自定数量的单位", "丙：尚未加入的单位")}
    assert "5—8" in rows["甲：作品多的单位"] and "未达下限" not in rows["甲：作品多的单位"]
    assert '<span class="bad">2</span>' in rows["甲：作品多的单位"]  # works missing a document
    assert "2—3" in rows["乙：自定数量的单位"] and "未达下限" in rows["乙：自定数量的单位"]
    assert "未加入" in rows["丙：尚未加入的单位"] and "未达下限" in rows["丙：尚未加入的单位"]
    assert "别的活动的单位" not in page
    assert "2 个已有成员加入" in page


def test_time_left_until_the_end_of_the_closing_day(client, organiser, progress) -> None:
    response = dashboard(client, organiser, progress)
    closes = response.context["closes_at"]
    assert timezone.localtime(closes).date() == timezone.localdate() + timedelta(days=30)
    assert (timezone.localtime(closes).hour, timezone.localtime(closes).minute) == (23, 59)
    left = response.context["time_left"]
    assert timedelta(days=30) < left <= timedelta(days=31)
    assert "还有" in response.content.decode()
    assert "已截止" not in response.content.decode()


def test_a_closed_campaign_says_so(client, db) -> None:
    organiser = UserFactory()
    closed = CampaignFactory(slug="closed", closes=timezone.localdate() - timedelta(days=1),
                             organiser=organiser)
    response = dashboard(client, organiser, closed)
    assert response.context["time_left"] is None
    assert "已截止" in response.content.decode()
    assert response.context["rows"] == []
    assert "还没有报送主体。" in response.content.decode()


def test_the_unit_desk_counts_the_same_way(client, progress) -> None:
    small = progress.entrants.get(name="乙：自定数量的单位")
    client.force_login(small.memberships.first().user)
    response = client.get(reverse("campaigns:entrant", args=[progress.slug, small.pk]))
    assert (response.context["handed_in"], response.context["limit"], response.context["minimum"]) == (
        1, 3, 2)
    assert "尚未达到最低数量 2 件" in response.content.decode()
    left = response.context["time_left"]
    assert timedelta(days=30) < left <= timedelta(days=31)
