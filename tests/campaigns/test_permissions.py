"""Who reaches what: every page and action of campaigns and works, for every role.

Each row of the matrix is one request, tried by each of eight people. A
refused request answers 404 (the object does not exist for that person) or
sends an anonymous visitor to the log-in page, and changes nothing in the
database; an allowed action answers and does what it says.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve, reverse
from django.utils import timezone

from guangying.accounts.models import User
from guangying.campaigns.models import (
    Campaign,
    CampaignRole,
    Entrant,
    EntrantMember,
    StaffInvitation,
)
from guangying.demo.media import pdf_bytes
from guangying.submissions import checking
from guangying.submissions.cloud_links import earliest_valid_until
from guangying.submissions.models import (
    Attachment,
    CloudLink,
    Episode,
    Waiver,
    Work,
    WorkHistory,
    WorkState,
)
from tests.campaigns.conftest import ROLES, SECRET_B, World
from tests.factories import EntrantFactory, WorkFactory

OK = "200"  # the page answers
GO = "done"  # the action is carried out: 200 or a redirect, and the change is in the database
NO = "refused"  # the person may see the work but not do this: back to the page, nothing changed
LOGIN = "login"  # anonymous: to the log-in page, nothing changed
HIDDEN = "404"  # the object does not exist for this person, nothing changed
AWAY = "redirect"  # sent to a page of their own (a registered individual to their entry)

# Roles, in the order of every row below.
#           anonymous member_a member_b individual organiser other_org reviewer admin
ENTRANT_ONLY = (LOGIN, GO, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN)
ORGANISER_DOES = (LOGIN, HIDDEN, HIDDEN, HIDDEN, GO, HIDDEN, HIDDEN, HIDDEN)
ORGANISER_SEES = (LOGIN, HIDDEN, HIDDEN, HIDDEN, OK, HIDDEN, HIDDEN, HIDDEN)
UNIT_A_AND_ORGANISER_SEE = (LOGIN, OK, HIDDEN, HIDDEN, OK, HIDDEN, HIDDEN, HIDDEN)
UNIT_A_CHANGES = (LOGIN, GO, HIDDEN, HIDDEN, NO, HIDDEN, HIDDEN, HIDDEN)
EVERYONE_SEES = (OK,) * 8


def later(days: int = 10) -> str:
    return (timezone.localtime() + timedelta(days=40 + days)).strftime("%Y-%m-%dT%H:%M")


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    expected: tuple[str, ...]
    data: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    done: Callable[[World], bool] | None = None  # how to see that an allowed action took effect


def state(work: Work) -> str:
    return Work.objects.get(pk=work.pk).state


def work_url(name: str, attr: str, *extra: Any) -> Callable[[World], str]:
    return lambda w: reverse(f"submissions:{name}", args=[getattr(w, attr).pk, *extra])


def campaign_url(name: str) -> Callable[[World], str]:
    return lambda w: reverse(f"campaigns:{name}", args=[w.campaign.slug])


def entrant_url(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.campaign.slug, w.unit_a.pk])


def video_of(work: Work) -> int:
    return work.attachments.filter(kind=Attachment.VIDEO).values_list("pk", flat=True).first()


def cloud_link_url(w: World) -> str:
    return reverse("submissions:cloud_link", args=[w.draft_a.pk, w.draft_a.episodes.first().pk])


def cloud_link_data(w: World) -> dict[str, str]:
    until = earliest_valid_until(w.campaign.rules) + timedelta(days=2)
    return {"url": "https://pan.baidu.com/s/1test", "code": "ab12", "valid_until": until.isoformat()}


def attach_url(w: World) -> str:
    link = CloudLink.objects.filter(work=w.submitted_a).first() or CloudLink.objects.create(
        work=w.submitted_a, episode=w.submitted_a.episodes.first(), url="https://pan.baidu.com/s/1x",
        code="ab12", valid_until=earliest_valid_until(w.campaign.rules))
    return reverse("submissions:attach_fetched", args=[link.pk])


def fetched_file(w: World) -> dict[str, Any]:
    video = Attachment.objects.get(pk=video_of(w.draft_a))
    with video.file.open("rb") as source:
        return {"file": SimpleUploadedFile("取回.mp4", source.read(), "video/mp4")}


def second_episode(w: World) -> str:
    episode = w.draft_a.episodes.get(number=2)
    return reverse("submissions:remove_episode", args=[w.draft_a.pk, episode.pk])


def edited_rules(w: World) -> dict[str, str]:
    text = w.campaign.ruleset_text.replace("  max: null", "  max: 3", 1)
    assert text != w.campaign.ruleset_text
    return {"ruleset_text": text}


CASES = [
    # --- a work and its files (src/guangying/submissions/urls.py)
    Case("work page", "get", work_url("work", "draft_a"), UNIT_A_AND_ORGANISER_SEE),
    Case("edit page", "get", work_url("edit", "draft_a"),
         (LOGIN, OK, HIDDEN, HIDDEN, NO, HIDDEN, HIDDEN, HIDDEN)),
    Case("edit: save", "post", work_url("edit", "draft_a"), UNIT_A_CHANGES,
         data=lambda w: {"title": "改过的作品名称"},
         done=lambda w: Work.objects.get(pk=w.draft_a.pk).title == "改过的作品名称"),
    Case("upload a document", "post", work_url("upload", "draft_a", "copyright_pledge"),
         UNIT_A_CHANGES,
         data=lambda w: {"file": SimpleUploadedFile("新承诺书.pdf", pdf_bytes(), "application/pdf")},
         done=lambda w: w.draft_a.current_attachments().filter(original_name="新承诺书.pdf").exists()),
    Case("upload by GET", "get", work_url("upload", "draft_a", "copyright_pledge"),
         (LOGIN,) + (HIDDEN,) * 7),
    Case("submit", "post", work_url("submit", "draft_a"), ENTRANT_ONLY,
         done=lambda w: state(w.draft_a) == WorkState.SUBMITTED),
    Case("withdraw", "post", work_url("withdraw", "submitted_a"), ENTRANT_ONLY,
         done=lambda w: state(w.submitted_a) == WorkState.DRAFT),
    Case("discard", "post", work_url("discard", "draft_a"), ENTRANT_ONLY,
         done=lambda w: state(w.draft_a) == WorkState.WITHDRAWN),
    Case("add an episode", "post", work_url("add_episode", "draft_a"), ENTRANT_ONLY,
         done=lambda w: w.draft_a.episodes.count() == 3),
    Case("remove an episode", "post", second_episode, ENTRANT_ONLY,
         done=lambda w: w.draft_a.episodes.count() == 1),
    Case("formal check: pass", "post", work_url("check", "submitted_a", "pass"), ORGANISER_DOES,
         done=lambda w: state(w.submitted_a) == WorkState.PASSED),
    Case("formal check: return", "post", work_url("check", "submitted_a", "return"),
         ORGANISER_DOES, data=lambda w: {"reason": "片尾缺少单位名称"},
         done=lambda w: state(w.submitted_a) == WorkState.RETURNED),
    Case("formal check: reject", "post", work_url("check", "submitted_a", "reject"),
         ORGANISER_DOES, data=lambda w: {"reason": "与主题无关"},
         done=lambda w: state(w.submitted_a) == WorkState.REJECTED),
    Case("formal check: reopen", "post", work_url("check", "passed_a", "reopen"), ORGANISER_DOES,
         data=lambda w: {"reason": "误操作"},
         done=lambda w: state(w.passed_a) == WorkState.SUBMITTED),
    Case("formal check: no such action", "post", work_url("check", "submitted_a", "delete"),
         (LOGIN,) + (HIDDEN,) * 7),
    Case("extend the deadline", "post", work_url("extend", "submitted_a"), ORGANISER_DOES,
         data=lambda w: {"until": later(), "reason": "断网补交"},
         done=lambda w: Work.objects.get(pk=w.submitted_a.pk).deadline_extended_until is not None),
    Case("download a file", "get", lambda w: reverse("submissions:download", args=[w.file_a.pk]),
         UNIT_A_AND_ORGANISER_SEE),
    Case("create a work", "post", entrant_url("submissions:create"), ENTRANT_ONLY,
         data=lambda w: {"title": "新建的作品"},
         done=lambda w: w.unit_a.works.filter(title="新建的作品").exists()),
    Case("works list", "get", lambda w: reverse("submissions:manage_list", args=[w.campaign.slug]),
         ORGANISER_SEES),
    Case("works export", "get",
         lambda w: reverse("submissions:manage_export", args=[w.campaign.slug]), ORGANISER_SEES),
    # --- the automatic check (src/guangying/submissions/check_views.py)
    Case("check report", "get", lambda w: reverse("submissions:report", args=[video_of(w.draft_a)]),
         UNIT_A_AND_ORGANISER_SEE),
    Case("check progress", "get",
         lambda w: reverse("submissions:report_progress", args=[video_of(w.draft_a)]),
         UNIT_A_AND_ORGANISER_SEE),
    Case("waive a rule", "post", work_url("waive", "submitted_a"), ORGANISER_DOES,
         data=lambda w: {"check": "resolution", "reason": "主办方核实后接受"},
         done=lambda w: Waiver.objects.filter(work=w.submitted_a, check_id="resolution").exists()),
    Case("compliance matrix", "get",
         lambda w: reverse("submissions:compliance", args=[w.campaign.slug]), ORGANISER_SEES),
    Case("compliance export", "get",
         lambda w: reverse("submissions:compliance_export", args=[w.campaign.slug]), ORGANISER_SEES),
    Case("re-check all", "post", lambda w: reverse("submissions:recheck", args=[w.campaign.slug]),
         ORGANISER_DOES, done=lambda w: checking.recheck_progress(w.campaign).finished),
    # --- cloud-drive links (src/guangying/submissions/link_views.py)
    Case("hand in a cloud link", "post", cloud_link_url, UNIT_A_CHANGES, data=cloud_link_data,
         done=lambda w: CloudLink.objects.filter(work=w.draft_a).exists()),
    Case("cloud links to fetch", "get",
         lambda w: reverse("submissions:cloud_links", args=[w.campaign.slug]), ORGANISER_SEES),
    Case("attach a fetched video", "post", attach_url, ORGANISER_DOES, data=fetched_file,
         done=lambda w: CloudLink.objects.filter(work=w.submitted_a, fetched__isnull=False).exists()),
    # --- the campaign (src/guangying/campaigns/urls.py)
    Case("campaign page", "get", campaign_url("detail"), EVERYONE_SEES),
    Case("individual sign-up page", "get", campaign_url("register"),
         (OK, OK, OK, AWAY, OK, OK, OK, OK)),
    Case("entrant desk", "get", entrant_url("campaigns:entrant"), UNIT_A_AND_ORGANISER_SEE),
    Case("dashboard", "get", campaign_url("dashboard"), ORGANISER_SEES),
    Case("rules page", "get", campaign_url("settings"), ORGANISER_SEES),
    Case("rules: save", "post", campaign_url("settings"), ORGANISER_DOES, data=edited_rules,
         done=lambda w: Campaign.objects.get(pk=w.campaign.pk).rules.quota.max == 3),
    Case("publish: withdraw", "post", campaign_url("publish"), ORGANISER_DOES,
         data=lambda w: {"publish": "0"},
         done=lambda w: not Campaign.objects.get(pk=w.campaign.pk).is_published),
    Case("units page", "get", campaign_url("units"), ORGANISER_SEES),
    Case("units: add", "post", campaign_url("units"), ORGANISER_DOES,
         data=lambda w: {"pasted": "新加入的丁单位"},
         done=lambda w: w.campaign.entrants.filter(name="新加入的丁单位").exists()),
    Case("unit page", "get", entrant_url("campaigns:entrant_edit"), ORGANISER_SEES),
    Case("unit: new link", "post", entrant_url("campaigns:entrant_edit"), ORGANISER_DOES,
         data=lambda w: {"action": "regenerate"},
         done=lambda w: Entrant.objects.get(pk=w.unit_a.pk).invitation_token
         != w.unit_a.invitation_token),
    Case("unit: disable link", "post", entrant_url("campaigns:entrant_edit"), ORGANISER_DOES,
         data=lambda w: {"action": "disable"},
         done=lambda w: not Entrant.objects.get(pk=w.unit_a.pk).invitation_active),
    Case("unit: save", "post", entrant_url("campaigns:entrant_edit"), ORGANISER_DOES,
         data=lambda w: {"action": "save", "name": "甲单位宣传部", "quota_max": "4"},
         done=lambda w: Entrant.objects.get(pk=w.unit_a.pk).quota_max == 4),
    Case("people page", "get", campaign_url("people"), ORGANISER_SEES),
    Case("people: invite", "post", campaign_url("people"), ORGANISER_DOES,
         data=lambda w: {"role": "reviewer", "email": "new-expert@example.org"},
         done=lambda w: w.campaign.invitations.filter(email="new-expert@example.org").exists()),
    Case("new campaign page", "get", lambda w: reverse("campaigns:create"),
         (LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, OK)),
    Case("new campaign: create", "post", lambda w: reverse("campaigns:create"),
         (LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, GO),
         data=lambda w: {"preset": "hubei-2026-weiguang", "slug": "made-by-admin"},
         done=lambda w: Campaign.objects.filter(slug="made-by-admin").exists()),
]

def snapshot() -> dict[str, list]:
    """Everything a request could change that matters to who owns what."""
    return {
        "works": list(Work.objects.order_by("pk").values_list(
            "pk", "state", "title", "deadline_extended_until", "form_data", "entrant_id")),
        "files": list(Attachment.objects.order_by("pk").values_list("pk", "kind", "superseded_at")),
        "episodes": list(Episode.objects.order_by("pk").values_list("pk", "work_id")),
        "history": list(WorkHistory.objects.order_by("pk").values_list("pk", "action")),
        "entrants": list(Entrant.objects.order_by("pk").values_list(
            "pk", "name", "invitation_token", "invitation_active", "quota_max")),
        "members": list(EntrantMember.objects.order_by("pk").values_list("entrant_id", "user_id")),
        "roles": list(CampaignRole.objects.order_by("pk").values_list("campaign_id", "user_id", "role")),
        "campaigns": list(Campaign.objects.order_by("pk").values_list(
            "pk", "slug", "is_published", "ruleset_text")),
        "invitations": list(StaffInvitation.objects.order_by("pk").values_list("pk", "email")),
        "users": list(User.objects.order_by("pk").values_list("pk", "email")),
    }


def request(client, case: Case, world: World):
    url = case.url(world)
    if case.method == "get":
        return client.get(url)
    return client.post(url, case.data(world))


MATRIX = [
    pytest.param(case, role, expected, id=f"{case.name}-{role}")
    for case in CASES
    for role, expected in zip(ROLES, case.expected, strict=True)
]


@pytest.mark.parametrize(("case", "role", "expected"), MATRIX)
def test_matrix(world: World, login, case: Case, role: str, expected: str) -> None:
    client = login(world.people[role])
    before = snapshot()
    response = request(client, case, world)
    after = snapshot()
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    if expected == OK:
        assert response.status_code == 200
        assert after == before, "looking at a page must not change anything"
    elif expected == HIDDEN:
        assert response.status_code == 404
        assert after == before
    elif expected == LOGIN:
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == reverse("accounts:login")
        assert after == before
    elif expected == AWAY:
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "campaigns:entrant", args=[world.campaign.slug, world.individual_entrant.pk])
        assert after == before
    elif expected == NO:
        assert response.status_code == 302
        assert urlsplit(response["Location"]).path == world.draft_a.get_absolute_url()
        assert after == before
    else:
        assert expected == GO
        assert response.status_code in (200, 302)  # the units page shows its import report
        if response.status_code == 302:
            assert urlsplit(response["Location"]).path != reverse("accounts:login")
        assert case.done is not None and case.done(world), "the allowed action did not happen"


def test_every_url_is_in_the_matrix(world: World) -> None:
    """A new URL without a row here would go untested for permissions."""
    from guangying.campaigns import urls as campaign_urls
    from guangying.submissions import urls as submission_urls

    names = {f"campaigns:{p.name}" for p in campaign_urls.urlpatterns}
    names |= {f"submissions:{p.name}" for p in submission_urls.urlpatterns}
    # Tested on their own (test_invitations.py): an invitation link is a capability, not a role.
    names -= {"campaigns:join", "campaigns:accept_staff"}
    covered = {resolve(urlsplit(case.url(world)).path).view_name for case in CASES}
    assert covered == names


# --------------------------------------------------------------------------
# One unit never meets another unit's works


def pages_of_member_a(world: World) -> list[str]:
    a_works = [world.draft_a, world.submitted_a, world.passed_a]
    return [
        reverse("home"),
        world.campaign.get_absolute_url(),
        reverse("campaigns:register", args=[world.campaign.slug]),
        reverse("campaigns:entrant", args=[world.campaign.slug, world.unit_a.pk]),
        *[w.get_absolute_url() for w in a_works],
        reverse("submissions:edit", args=[world.draft_a.pk]),
    ]


def test_nothing_of_unit_b_appears_on_any_page_member_a_opens(world: World, login) -> None:
    client = login(world.people["member_a"])
    secrets = [*SECRET_B, world.unit_b.name, world.people["member_b"].email]
    for url in pages_of_member_a(world):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        for secret in secrets:
            assert secret not in text, f"{secret} shown on {url}"
    # The same strings are on the organiser's list: the check above looks for real text.
    organiser_view = login(world.people["organiser"]).get(
        reverse("submissions:manage_list", args=[world.campaign.slug])).content.decode()
    assert all(title in organiser_view for title in SECRET_B[:2])


def test_member_a_reaches_no_other_work_or_file_by_id(world: World, login) -> None:
    client = login(world.people["member_a"])
    own_works = set(world.unit_a.works.values_list("pk", flat=True))
    for pk, state in Work.objects.values_list("pk", "state"):
        response = client.get(reverse("submissions:work", args=[pk]))
        assert response.status_code == (200 if pk in own_works else 404), pk
        response = client.get(reverse("submissions:edit", args=[pk]))
        if pk not in own_works:
            assert response.status_code == 404, pk
        elif state == WorkState.DRAFT:
            assert response.status_code == 200, pk
        else:  # handed in: back to the work's page, which says why
            assert response.status_code == 302
            assert response["Location"] == reverse("submissions:work", args=[pk])
    for attachment in Attachment.objects.all():
        response = client.get(reverse("submissions:download", args=[attachment.pk]))
        expected = 200 if attachment.work_id in own_works else 404
        assert response.status_code == expected, attachment.original_name
        if expected == 200:
            assert b"".join(response.streaming_content) == attachment.file.open("rb").read()
            attachment.file.close()
    # One id past the last: the same answer as another unit's file, nothing to tell them apart.
    missing = Attachment.objects.order_by("-pk").first().pk + 1
    assert client.get(reverse("submissions:download", args=[missing])).status_code == 404


def test_member_a_cannot_list_or_open_unit_b(world: World, login) -> None:
    client = login(world.people["member_a"])
    slug = world.campaign.slug
    refused = [
        reverse("campaigns:entrant", args=[slug, world.unit_b.pk]),
        reverse("campaigns:entrant", args=[slug, world.individual_entrant.pk]),
        reverse("submissions:manage_list", args=[slug]) + f"?entrant={world.unit_b.pk}",
        reverse("submissions:manage_export", args=[slug]) + f"?entrant={world.unit_b.pk}",
        reverse("campaigns:entrant_edit", args=[slug, world.unit_b.pk]),
        world.draft_b.get_absolute_url(),
        reverse("submissions:download", args=[world.file_b.pk]),
    ]
    for url in refused:
        assert client.get(url).status_code == 404, url
    before = snapshot()
    assert client.post(reverse("submissions:create", args=[slug, world.unit_b.pk]),
                        {"title": "冒名作品"}).status_code == 404
    assert client.post(reverse("submissions:submit", args=[world.draft_b.pk])).status_code == 404
    assert client.post(reverse("submissions:discard", args=[world.draft_b.pk])).status_code == 404
    assert client.post(reverse("submissions:upload", args=[world.draft_b.pk, "copyright_pledge"]),
                       {"file": SimpleUploadedFile("x.pdf", pdf_bytes())}).status_code == 404
    assert snapshot() == before


def test_another_campaigns_organiser_cannot_reach_our_units_through_their_own_slug(
    world: World, login
) -> None:
    client = login(world.people["other_organiser"])
    theirs, ours = world.other_campaign.slug, world.unit_a.pk
    before = snapshot()
    for url in [
        reverse("campaigns:entrant", args=[theirs, ours]),
        reverse("campaigns:entrant_edit", args=[theirs, ours]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("campaigns:entrant_edit", args=[theirs, ours]),
                       {"action": "regenerate"}).status_code == 404
    assert client.post(reverse("submissions:create", args=[theirs, ours])).status_code == 404
    assert snapshot() == before
    # Their own list filtered by our unit's id shows nothing of ours.
    listing = client.get(reverse("submissions:manage_list", args=[theirs]) + f"?entrant={ours}")
    assert listing.status_code == 200
    assert "甲单位" not in listing.content.decode()


def test_a_reviewer_sees_the_campaign_but_no_work_before_review_rounds(world: World, login) -> None:
    client = login(world.people["reviewer"])
    assert client.get(world.campaign.get_absolute_url()).status_code == 200
    for work in Work.objects.all():
        assert client.get(work.get_absolute_url()).status_code == 404
    for attachment in Attachment.objects.all():
        assert client.get(attachment.get_absolute_url()).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert "我参与评审的活动" in home
    assert not any(title in home for title in Work.objects.values_list("title", flat=True))


# --------------------------------------------------------------------------
# An unpublished campaign


@pytest.mark.parametrize(
    ("role", "expected"),
    [(role, 200 if role == "organiser" else 404) for role in ROLES],
)
def test_an_unpublished_campaign_exists_only_for_its_organisers(
    world: World, login, role: str, expected: int
) -> None:
    Campaign.objects.filter(pk=world.campaign.pk).update(is_published=False)
    client = login(world.people[role])
    for name in ("detail", "register"):
        response = client.get(reverse(f"campaigns:{name}", args=[world.campaign.slug]))
        assert response.status_code == expected, name
    if role == "organiser":
        return
    # Nobody else can sign up as an individual to it.
    before = snapshot()
    response = client.post(reverse("campaigns:register", args=[world.campaign.slug]),
                           {"affiliation": "某单位"})
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("role", ["anonymous", "other_organiser", "platform_admin", "organiser"])
def test_the_home_page_lists_an_unpublished_campaign_only_for_its_organisers(
    world: World, login, role: str
) -> None:
    Campaign.objects.filter(pk=world.campaign.pk).update(is_published=False)
    home = login(world.people[role]).get(reverse("home")).content.decode()
    assert world.other_campaign.title in home
    assert (world.campaign.title in home) == (role == "organiser")


def reachable_entrants(world: World, role: str) -> set[int]:
    """Whose works each role may open: their own entrant's, or every entrant's of a campaign run."""
    user = world.people[role]
    if user is None:
        return set()
    run = {"organiser": world.campaign, "other_organiser": world.other_campaign}.get(role)
    if run is not None:
        return set(run.entrants.values_list("pk", flat=True))
    return set(Entrant.objects.filter(memberships__user=user).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_every_entrant_work_and_file_by_id(world: World, login, role: str) -> None:
    """Walk every id in the database; only the role's own entrants answer."""
    WorkFactory(entrant=EntrantFactory(campaign=world.other_campaign, name="别的活动的单位"),
                title="别的活动的作品")
    client = login(world.people[role])
    allowed = reachable_entrants(world, role)
    refused = 302 if role == "anonymous" else 404
    for entrant in Entrant.objects.select_related("campaign"):
        url = reverse("campaigns:entrant", args=[entrant.campaign.slug, entrant.pk])
        assert client.get(url).status_code == (200 if entrant.pk in allowed else refused), url
    for work in Work.objects.all():
        status = client.get(work.get_absolute_url()).status_code
        assert status == (200 if work.entrant_id in allowed else refused), work.title
    for attachment in Attachment.objects.select_related("work"):
        response = client.get(attachment.get_absolute_url())
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        expected = 200 if attachment.work.entrant_id in allowed else refused
        assert response.status_code == expected, attachment.original_name


def test_in_an_unpublished_campaign_a_unit_keeps_its_own_desk_but_cannot_add_works(
    world: World, login
) -> None:
    """Withdrawing a campaign makes it private, not gone for those already taking part:
    units invited before publication land on their desk; they only cannot start works."""
    Campaign.objects.filter(pk=world.campaign.pk).update(is_published=False)
    client = login(world.people["member_a"])
    desk = reverse("campaigns:entrant", args=[world.campaign.slug, world.unit_a.pk])
    assert client.get(desk).status_code == 200
    assert client.get(world.draft_a.get_absolute_url()).status_code == 200
    before = world.unit_a.works.count()
    response = client.post(reverse("submissions:create", args=[world.campaign.slug, world.unit_a.pk]),
                           {"title": "未发布时新建"}, follow=True)
    assert "活动尚未发布。" in response.content.decode()
    assert world.unit_a.works.count() == before
    for role in ("member_b", "individual", "reviewer", "other_organiser", "platform_admin"):
        assert login(world.people[role]).get(desk).status_code == 404
