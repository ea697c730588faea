"""The reviewer's workspace: only their own works, watched and scored, save-and-next, blind rounds."""

import pytest
from django.test import Client
from django.urls import reverse

from guangying.reviews.models import Assignment, ReviewRound, ScoreChange
from guangying.reviews.rounds import open_round, rounds_for, save_score
from guangying.submissions.models import WorkState
from tests.factories import UserFactory, WorkFactory
from tests.submissions.helpers import HUBEI_FORM

pytestmark = pytest.mark.django_db

MARKS = {"emotion": "8", "depth": "7", "appeal": "9", "reach": "6", "craft": "8.5"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def assigned(hubei, unit):
    works = [WorkFactory(entrant=unit, title=f"作品{n}", state=WorkState.PASSED, form_data=dict(HUBEI_FORM))
             for n in range(3)]
    first, _second = rounds_for(hubei)
    open_round(first)
    reviewer, other = UserFactory(name="专家甲"), UserFactory(name="专家乙")
    mine = [Assignment.objects.create(round=first, work=w, reviewer=reviewer) for w in works[:2]]
    theirs = Assignment.objects.create(round=first, work=works[2], reviewer=other)
    return first, reviewer, mine, theirs


def test_a_reviewer_sees_only_their_works(assigned):
    _first, reviewer, mine, theirs = assigned
    client = client_for(reviewer)
    page = client.get(reverse("reviews:mine")).content.decode()
    assert "作品0" in page and "作品1" in page and "作品2" not in page
    assert client.get(reverse("reviews:score", args=[theirs.pk])).status_code == 404
    refused = client.post(reverse("reviews:score", args=[theirs.pk]), {**MARKS, "action": "submit"})
    assert refused.status_code == 404
    assert not ScoreChange.objects.exists()
    assert client.get(reverse("reviews:score", args=[999999])).status_code == 404
    anonymous = Client().get(reverse("reviews:score", args=[mine[0].pk]))
    assert anonymous.status_code == 302


def test_score_and_go_on_to_the_next_work(assigned):
    _first, reviewer, mine, _theirs = assigned
    client = client_for(reviewer)
    page = client.get(reverse("reviews:score", args=[mine[0].pk])).content.decode()
    assert "情感温度" in page and "制作水平" in page and "提交并评下一件" in page and "review.js" in page
    assert "讲述一位党外专家" in page  # the work's form
    response = client.post(reverse("reviews:score", args=[mine[0].pk]), {**MARKS, "action": "submit_next"})
    assert response.status_code == 302 and response["Location"] == reverse("reviews:score", args=[mine[1].pk])
    assert mine[0].score.values["craft"] == "8.5" and mine[0].score.submitted_at
    response = client.post(reverse("reviews:score", args=[mine[1].pk]), {**MARKS, "action": "submit_next"})
    assert response["Location"] == reverse("reviews:mine")  # nothing left


def test_a_bad_score_keeps_what_was_typed_and_says_why(assigned):
    _first, reviewer, mine, _theirs = assigned
    response = client_for(reviewer).post(reverse("reviews:score", args=[mine[0].pk]),
                                         {**MARKS, "depth": "12", "comment": "很好", "action": "submit"})
    page = response.content.decode()
    assert response.status_code == 400 and "0 到 10" in page and "很好" in page and 'value="12"' in page
    assert not ScoreChange.objects.exists()


def test_a_comment_over_the_limit_is_refused_not_cut(assigned):
    _first, reviewer, mine, _theirs = assigned
    long = "很" * 5001
    response = client_for(reviewer).post(reverse("reviews:score", args=[mine[0].pk]),
                                         {**MARKS, "comment": long, "action": "submit"})
    page = response.content.decode()
    assert response.status_code == 400 and "评语最多 5000 字，现有 5001 字" in page and long in page
    assert not ScoreChange.objects.exists()


def test_a_blind_round_leaves_out_who_sent_and_made_the_work(assigned):
    first, reviewer, mine, _theirs = assigned
    ReviewRound.objects.filter(pk=first.pk).update(blind=True)
    page = client_for(reviewer).get(reverse("reviews:score", args=[mine[0].pk])).content.decode()
    assert "长川市委统战部" not in page and "张小明" not in page and "李联络" not in page
    assert "匿名评审" in page and "讲述一位党外专家" in page


def test_others_scores_only_where_the_round_shows_them(assigned):
    first, reviewer, mine, _theirs = assigned
    colleague = UserFactory(name="专家丙")
    shared = Assignment.objects.create(round=first, work=mine[0].work, reviewer=colleague)
    save_score(shared, MARKS, comment="丙的评语", by=colleague, submit=True)
    client = client_for(reviewer)
    url = reverse("reviews:score", args=[mine[0].pk])
    assert "丙的评语" not in client.get(url).content.decode()
    ReviewRound.objects.filter(pk=first.pk).update(others_scores=ReviewRound.OthersScores.AFTER_OWN)
    assert "丙的评语" not in client.get(url).content.decode()
    client.post(url, {**MARKS, "action": "submit"})
    assert "丙的评语" in client.get(url).content.decode()


def test_the_header_links_a_reviewer_to_their_works(assigned, member):
    _first, reviewer, _mine, _theirs = assigned
    assert reverse("reviews:mine") in client_for(reviewer).get(reverse("home")).content.decode()
    assert reverse("reviews:mine") not in client_for(member).get(reverse("home")).content.decode()
