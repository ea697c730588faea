import os

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


def _escaped(text: str) -> str:
    """Text that UTF-8 can carry: a file name that is not UTF-8 keeps its bytes as escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Under pytest-xdist a report travels to the main process as UTF-8.

    The failure of a test about a file name that is not UTF-8 (test_malformed.py) would
    otherwise stop the whole run with an internal error instead of showing the failure.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return
    if report.longrepr is not None:
        text = str(report.longrepr)
        if _escaped(text) != text:
            report.longrepr = _escaped(text)
    report.sections = [(title, _escaped(content)) for title, content in report.sections]
