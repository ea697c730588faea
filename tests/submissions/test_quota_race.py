"""Two browsers racing for the last place of a quota: exactly one wins, on SQLite and PostgreSQL.

Each side runs in its own thread with its own database connection and
transaction, as two requests would; a barrier releases them together.
"""


import pytest

from guangying.campaigns.models import Entrant
from guangying.submissions import workflow
from guangying.submissions.models import Work, WorkHistory, WorkState
from guangying.submissions.workflow import WorkflowError
from tests.factories import EntrantFactory, member_of
from tests.racing import race

from .helpers import complete_work

ROUNDS = 6
# A winner is the work it made or handed in; a refusal, the workflow's messages.
AS_REQUESTS = {"refused": WorkflowError, "why": lambda error: error.messages, "won": lambda work: work.pk}


@pytest.fixture(autouse=True)
def checks_queued_not_run(settings):
    """The nine videos' automatic checks and renditions are queued, not run, here.

    Their results never reach the race: record_passing_checks writes the full check's
    outcome over whatever it was, and handing in reads nothing else of them. Running
    the real engine on nine identical clips per round would only add minutes; the
    checks themselves are tested in test_checking.py and test_worker_kill.py.
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}




def outcome(results: list[tuple[str, object]]) -> tuple[list, list]:
    won = [value for kind, value in results if kind == "won"]
    refused = [value for kind, value in results if kind == "refused"]
    crashed = [value for kind, value in results if kind not in ("won", "refused")]
    assert crashed == [], crashed
    return won, refused


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_two_browsers_create_the_eighth_work_at_once(hubei, round_number):
    unit = EntrantFactory(campaign=hubei, name=f"竞速单位{round_number}")
    first, second = member_of(unit), member_of(unit)
    for number in range(7):
        workflow.create_work(unit, first, title=f"已有作品{number}")

    results = race(
        lambda: workflow.create_work(Entrant.objects.get(pk=unit.pk), first, title="第八件（甲）"),
        lambda: workflow.create_work(Entrant.objects.get(pk=unit.pk), second, title="第八件（乙）"),
        **AS_REQUESTS,
    )

    won, refused = outcome(results)
    assert len(won) == 1
    assert refused == [["已达报送数量上限：每个报送主体最多 8 件作品。"]]
    live = Work.objects.filter(entrant=unit, state__in=[WorkState.DRAFT])
    assert live.count() == 8
    assert live.filter(pk=won[0]).exists()
    assert WorkHistory.objects.filter(work__entrant=unit, action=WorkHistory.Action.CREATE).count() == 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_two_browsers_hand_in_the_last_place_at_once(hubei, mp4_bytes, round_number):
    unit = EntrantFactory(campaign=hubei, name=f"竞速单位{round_number}", quota_max=9)
    person = member_of(unit)
    works = [workflow.create_work(unit, person, title=f"作品{n}") for n in range(9)]
    for work in works:
        complete_work(work, person, mp4_bytes)
    for work in works[:7]:
        workflow.submit(work, person)
    # The organiser lowers the unit's quota: one place is left for two complete drafts.
    Entrant.objects.filter(pk=unit.pk).update(quota_max=8)
    left, right = works[7], works[8]

    results = race(
        lambda: workflow.submit(Work.objects.get(pk=left.pk), person),
        lambda: workflow.submit(Work.objects.get(pk=right.pk), person),
        **AS_REQUESTS,
    )

    won, refused = outcome(results)
    assert len(won) == 1
    assert refused == [["已达报送数量上限：每个报送主体最多 8 件作品。"]]
    handed_in = Work.objects.filter(entrant=unit, state=WorkState.SUBMITTED)
    assert handed_in.count() == 8
    loser = left if won[0] == right.pk else right
    loser.refresh_from_db()
    assert loser.state == WorkState.DRAFT
    assert not loser.history.filter(action=WorkHistory.Action.SUBMIT).exists()
