import pytest

from tests.factories import (
    CampaignFactory,
    EntrantFactory,
    UserFactory,
    WorkFactory,
    member_of,
    organiser_of,
)


@pytest.fixture
def organiser(db):
    return UserFactory(name="主办方甲")


@pytest.fixture
def hubei(db, organiser):
    campaign = CampaignFactory(preset="hubei-2026-weiguang", slug="hubei")
    organiser_of(campaign, organiser)
    return campaign


@pytest.fixture
def chongqing(db, organiser):
    campaign = CampaignFactory(preset="chongqing-2026-hongse", slug="chongqing")
    organiser_of(campaign, organiser)
    return campaign


@pytest.fixture
def unit(hubei):
    return EntrantFactory(campaign=hubei, name="长川市委统战部")


@pytest.fixture
def member(unit):
    return member_of(unit, UserFactory(name="单位成员甲"))


@pytest.fixture
def work(unit):
    return WorkFactory(entrant=unit, title="一封家书")


@pytest.fixture
def other_unit(hubei):
    return EntrantFactory(campaign=hubei, name="明德大学党委统战部")


@pytest.fixture
def other_member(other_unit):
    return member_of(other_unit, UserFactory(name="单位成员乙"))
