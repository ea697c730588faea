"""A blind round holds everywhere, and every address with a work, an assignment or a file in it holds too.

Two sweeps over the whole URLconf (django.urls.get_resolver), so that an address added later is
covered without anyone remembering to add it here:

- the blindness sweep: the assigned reviewer of a blind round opens every address there is, with
  the ids of their own work, assignment and files, and no response (page, JSON, file, header) carries
  the entrant's name, its contacts, the creators, the members who made and uploaded the work, or
  the original file names;
- the permission matrix: every address whose path names a work, an assignment, a file, an entrant
  or one of their parts is refused (404, or the login page for the anonymous; 405 where only POST
  is allowed) to an unassigned reviewer, a reviewer assigned in a round still in draft, a reviewer
  of another campaign, a member of another unit and the anonymous, exactly as for an id that does
  not exist, by GET and by POST, and nothing changes; the assigned reviewer reaches their own work
  on the review and playback pages and nothing else.

An address with a path parameter this module does not know fails `test_every_address_is_classified`
until someone says what its parameters name (ROUTES).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import product
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from guangying.accounts.models import User
from guangying.campaigns.models import CampaignRole
from guangying.demo.media import pdf_bytes
from guangying.playback.making import make
from guangying.reviews.models import (
    Assignment,
    Conflict,
    ReviewLog,
    ReviewRound,
    RoundWork,
    Score,
    ScoreChange,
)
from guangying.reviews.rounds import open_round, rounds_for
from guangying.reviews.workspace import IDENTIFYING_KEYS, IDENTIFYING_TYPES
from guangying.submissions import checking
from guangying.submissions.models import (
    Attachment,
    CloudLink,
    Episode,
    Inspection,
    Waiver,
    Work,
    WorkHistory,
    WorkState,
)
from tests.factories import EntrantFactory, UserFactory, WorkFactory, member_of
from tests.playback.conftest import clip, upload  # noqa: F401  (clip: the fixture, used by name)
from tests.submissions.helpers import upload as upload_document

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------
# Who sent and made the work: strings found nowhere else, so that finding one is a leak.

UNIT = "青岚县委统战部甄别科"
TITLE = "灯塔下的微光"
SECRETS = {
    "unit": UNIT,
    "unit contact": "甄联络员",
    "unit phone": "13987654321",
    "unit e-mail": "zhenbie.unit@blind-unit.example",
    "member": "甄成员同志",
    "member e-mail": "zhen.member@blind-unit.example",
    "creator": "甄导演",
    "creator's post": "甄别岗总导演",
    "creator's contact": "13911112222",
    "contact": "甄联系人",
    "contact phone": "027-88889999",
}
FORM = {
    "creators": [{"name": SECRETS["creator"], "post": SECRETS["creator's post"],
                  "contact": SECRETS["creator's contact"]}],
    "synopsis": "讲述一位党外专家扎根光谷、攻关光电子技术的故事。",
    "script": "第一场：清晨的实验室。",
    "contact_name": SECRETS["contact"],
    "contact_phone": SECRETS["contact phone"],
}


def variants(text: str) -> set[str]:
    """The forms a string takes in a page, an attribute, a link or JSON."""
    return {text, json.dumps(text)[1:-1], quote(text), quote(text, safe=""), quote(text).replace("%20", "+")}


def leaks(body: bytes | str, extra: dict[str, str] | None = None) -> list[str]:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    found = []
    for what, secret in {**SECRETS, **(extra or {})}.items():
        if any(v in text for v in variants(secret)):
            found.append(what)
    return found


# --------------------------------------------------------------------------
# The scene


@dataclass
class Scene:
    campaign: Any
    first: ReviewRound
    second: ReviewRound
    work: Work
    assignment: Assignment
    draft_assignment: Assignment
    video: Attachment
    pledge: Attachment
    episode: Episode
    conflict: Conflict
    cloud_link: CloudLink
    people: dict[str, User | None]
    file_names: dict[str, str] = field(default_factory=dict)


def build_scene(hubei, other_member, chongqing, clip, video_name: str) -> Scene:  # noqa: F811
    entrant = EntrantFactory(campaign=hubei, name=UNIT, contact_name=SECRETS["unit contact"],
                             contact_phone=SECRETS["unit phone"], contact_email=SECRETS["unit e-mail"])
    member = member_of(entrant, UserFactory(name=SECRETS["member"], email=SECRETS["member e-mail"]))
    work = WorkFactory(entrant=entrant, title=TITLE, created_by=member, form_data=dict(FORM))
    video = upload(work, clip, member, name=video_name)
    pledge = upload_document(work, "copyright_pledge", f"{UNIT}-版权承诺书.pdf", pdf_bytes(), member)
    make(video)
    checking.run_metadata(video)  # the headers-only report, as the score page shows it
    Work.objects.filter(pk=work.pk).update(state=WorkState.PASSED, submitted_at=timezone.now())
    work.refresh_from_db()
    first, second = rounds_for(hubei)
    ReviewRound.objects.filter(pk__in=[first.pk, second.pk]).update(blind=True)
    first.refresh_from_db()
    open_round(first)
    reviewer = UserFactory(name="评审专家甲", email="reviewer.a@example.org")
    unassigned = UserFactory(name="评审专家乙", email="reviewer.b@example.org")
    in_draft = UserFactory(name="评审专家丙", email="reviewer.c@example.org")
    for user in (reviewer, unassigned, in_draft):
        CampaignRole.objects.create(campaign=hubei, user=user, role=CampaignRole.Role.REVIEWER)
    assignment = Assignment.objects.create(round=first, work=work, reviewer=reviewer)
    draft_assignment = Assignment.objects.create(round=second, work=work, reviewer=in_draft)
    # A reviewer of Chongqing with a work of their own to review there: a reviewer, just not here.
    elsewhere = UserFactory(name="别处的评审专家", email="reviewer.cq@example.org")
    CampaignRole.objects.create(campaign=chongqing, user=elsewhere, role=CampaignRole.Role.REVIEWER)
    cq_work = WorkFactory(entrant=EntrantFactory(campaign=chongqing, name="渝中区示例单位"), title="红岩",
                          state=WorkState.PASSED)
    cq_first = rounds_for(chongqing)[0]
    open_round(cq_first)
    Assignment.objects.create(round=cq_first, work=cq_work, reviewer=elsewhere)
    conflict = Conflict.objects.create(campaign=hubei, reviewer=unassigned, entrant=entrant,
                                       reason="曾在该单位任职")
    episode = work.episodes.get()
    cloud_link = CloudLink.objects.create(work=work, episode=episode, url="https://pan.example.com/s/abc",
                                          code="1234", valid_until=timezone.localdate() + timedelta(days=40),
                                          created_by=member)
    return Scene(
        campaign=hubei, first=first, second=second, work=work, assignment=assignment,
        draft_assignment=draft_assignment, video=video, pledge=pledge, episode=episode, conflict=conflict,
        cloud_link=cloud_link,
        people={"reviewer": reviewer, "unassigned_reviewer": unassigned, "draft_round_reviewer": in_draft,
                "other_campaign_reviewer": elsewhere, "other_unit_member": other_member, "anonymous": None,
                "organiser": hubei.roles.get(role=CampaignRole.Role.ORGANISER).user, "member": member},
        file_names={"video file name": video.original_name, "pledge file name": pledge.original_name},
    )


@pytest.fixture
def scene(hubei, other_member, chongqing, clip) -> Scene:  # noqa: F811
    """A blind 初审 whose video is named as the rules ask: 「报送单位-作品名称」."""
    return build_scene(hubei, other_member, chongqing, clip, f"{UNIT}-{TITLE}.mp4")


@pytest.fixture
def misnamed(hubei, other_member, chongqing, clip) -> Scene:  # noqa: F811
    """The same, but the file's name has the unit and not the title, so the naming check fails."""
    return build_scene(hubei, other_member, chongqing, clip, f"{UNIT}-成片终版.mp4")


def client_for(user: User | None, language: str | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


# --------------------------------------------------------------------------
# What each path parameter of each address names

CAMPAIGN, ROUND = "campaign", "round"
WORK, ASSIGNMENT, ATTACHMENT, ENTRANT, EPISODE, CONFLICT, CLOUD_LINK = (
    "work", "assignment", "attachment", "entrant", "episode", "conflict", "cloud_link")
SLOT, UPLOAD, TOKEN = "slot", "upload", "token"
# Ids of a work or of what belongs to it: the addresses with one of these are the matrix's.
OBJECTS = {WORK, ASSIGNMENT, ATTACHMENT, ENTRANT, EPISODE, CONFLICT, CLOUD_LINK}

# Parameters understood without a word: a campaign's slug anywhere, a round's key on the review desk.
AUTOMATIC = {"slug": CAMPAIGN}
AUTOMATIC_IN = {"reviews": {"key": ROUND}}

# Everything else, address by address. A tuple is a set of literal values to try.
ROUTES: dict[str, dict[str, str | tuple[str, ...]]] = {
    "accounts:password_reset_confirm": {"uidb64": TOKEN, "token": TOKEN},
    "campaigns:join": {"token": TOKEN},
    "campaigns:accept_staff": {"token": TOKEN},
    "campaigns:entrant": {"slug": CAMPAIGN, "pk": ENTRANT},
    "campaigns:entrant_edit": {"slug": CAMPAIGN, "pk": ENTRANT},
    "uploads:resource": {"pk": UPLOAD},
    "playback:work": {"pk": WORK},
    "playback:video": {"pk": ATTACHMENT},
    "playback:poster": {"pk": ATTACHMENT},
    "playback:sheet": {"pk": ATTACHMENT},
    "documents:work_document": {"pk": WORK, "key": ("info_sheet", "copyright_pledge"), "fmt": ("docx",)},
    "documents:entrant": {"pk": ENTRANT},
    "documents:entrant_summary": {"pk": ENTRANT, "fmt": ("docx", "xlsx")},
    "documents:entrant_document": {"pk": ENTRANT, "key": ("summary",), "fmt": ("docx",)},
    "documents:campaign_summary": {"slug": CAMPAIGN, "fmt": ("xlsx",)},
    "documents:published": {"slug": CAMPAIGN, "fmt": ("docx",)},
    "documents:entrant_package": {"slug": CAMPAIGN, "pk": ENTRANT},
    "reviews:score": {"pk": ASSIGNMENT},
    "reviews:declare_conflict": {"pk": ASSIGNMENT},
    "reviews:set_advanced": {"pk": ASSIGNMENT},
    "reviews:action": {"slug": CAMPAIGN, "key": ROUND, "action": ("open", "assign", "close")},
    "reviews:conflict_remove": {"slug": CAMPAIGN, "pk": CONFLICT},
    "submissions:create": {"slug": CAMPAIGN, "pk": ENTRANT},
    "submissions:work": {"pk": WORK},
    "submissions:edit": {"pk": WORK},
    "submissions:upload": {"pk": WORK, "slot": SLOT},
    "submissions:submit": {"pk": WORK},
    "submissions:withdraw": {"pk": WORK},
    "submissions:discard": {"pk": WORK},
    "submissions:add_episode": {"pk": WORK},
    "submissions:remove_episode": {"pk": WORK, "episode": EPISODE},
    "submissions:check": {"pk": WORK, "action": ("pass", "return", "reject", "reopen")},
    "submissions:extend": {"pk": WORK},
    "submissions:download": {"pk": ATTACHMENT},
    "submissions:cloud_link": {"pk": WORK, "episode": EPISODE},
    "submissions:attach_fetched": {"pk": CLOUD_LINK},
    "submissions:report": {"pk": ATTACHMENT},
    "submissions:report_progress": {"pk": ATTACHMENT},
    "submissions:waive": {"pk": WORK},
}

# What the assigned reviewer opens (GET) with their own ids; every other address is refused to them.
REVIEWER_PAGES = {"reviews:score", "playback:work", "playback:video", "playback:poster", "playback:sheet"}
# What the assigned reviewer may POST to with their own assignment: their own actions, tested with them.
REVIEWER_ACTIONS = {"reviews:score", "reviews:declare_conflict", "reviews:set_advanced"}
# Addresses no sample of this scene can open for anyone (the reason), so the positive check skips them.
NOTHING_TO_OPEN = {"documents:entrant_document": "湖北的通知没有按单位填写的表格"}
GET_IS_404 = {"submissions:upload"}  # takes only POST, and answers anything else with 404
DENIED = ["unassigned_reviewer", "draft_round_reviewer", "other_campaign_reviewer", "other_unit_member",
          "anonymous"]
MISSING_ID = 2_000_000_000


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: tuple[str, ...]
    namespace: str | None


def routes() -> Iterator[Route]:
    """Every address of the URLconf, with the parameters of its whole path (includes too)."""

    def params_of(pattern: Any) -> set[str]:
        regex = getattr(pattern, "regex", None)
        groups = set(regex.groupindex) if regex is not None else set()
        return set(getattr(pattern, "converters", {})) | groups

    def walk(patterns: list[Any], prefix: str, above: set[str], namespace: str | None) -> Iterator[Route]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern),
                                above | params_of(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = pattern.name or route
                if namespace and pattern.name:
                    name = f"{namespace}:{pattern.name}"
                params = tuple(sorted(above | params_of(pattern.pattern)))
                yield Route(name=name, route=route, params=params, namespace=namespace)

    yield from walk(get_resolver().url_patterns, "", set(), None)


def meaning(route: Route) -> dict[str, str | tuple[str, ...]] | None:
    """What each parameter of the address names; None if this module does not know."""
    if not route.params:
        return {}
    if route.name in ROUTES:
        return ROUTES[route.name]
    known = {**AUTOMATIC, **AUTOMATIC_IN.get(route.namespace or "", {})}
    if all(p in known for p in route.params):
        return {p: known[p] for p in route.params}
    return None


def samples(scene: Scene) -> dict[str, list[tuple[Any, bool]]]:
    """Per kind, the values to try, each marked True when it is the assigned reviewer's own."""
    return {
        CAMPAIGN: [(scene.campaign.slug, True)],
        ROUND: [("first", True)],
        WORK: [(scene.work.pk, True)],
        ASSIGNMENT: [(scene.assignment.pk, True), (scene.draft_assignment.pk, False)],
        ATTACHMENT: [(scene.video.pk, True), (scene.pledge.pk, False)],
        ENTRANT: [(scene.work.entrant_id, True)],
        EPISODE: [(scene.episode.pk, True)],
        CONFLICT: [(scene.conflict.pk, True)],
        CLOUD_LINK: [(scene.cloud_link.pk, True)],
        SLOT: [(f"video-{scene.episode.pk}", True), ("copyright_pledge", True)],
        UPLOAD: [(uuid.UUID(int=7), True)],
        TOKEN: [("not-a-token", True)],
    }


@dataclass(frozen=True)
class Address:
    route: Route
    url: str
    missing_url: str | None  # the same address with its object id(s) replaced by one that does not exist
    own: bool  # every object in it is the assigned reviewer's own
    objects: bool  # it names a work, an assignment, a file, an entrant or one of their parts


def addresses(scene: Scene) -> Iterator[Address]:
    values = samples(scene)
    for route in routes():
        kinds = meaning(route)
        assert kinds is not None, f"{route.name} is not classified"
        if not kinds:
            yield Address(route, reverse(route.name), None, True, False)
            continue
        names = sorted(kinds)
        options = []
        for name in names:
            kind = kinds[name]
            options.append([(v, True) for v in kind] if isinstance(kind, tuple) else values[kind])
        for chosen in product(*options):
            kwargs = {name: value for name, (value, _own) in zip(names, chosen, strict=True)}
            objects = [n for n in names if not isinstance(kinds[n], tuple) and kinds[n] in OBJECTS]
            missing = None
            if objects:
                missing = reverse(route.name, kwargs={**kwargs, **{name: MISSING_ID for name in objects}})
            yield Address(route, reverse(route.name, kwargs=kwargs), missing,
                          all(own for _value, own in chosen), bool(objects))


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def headers_of(response: Any) -> str:
    return "\n".join(f"{k}: {v}" for k, v in response.headers.items())


def refused(response: Any, anonymous: bool) -> bool:
    """404; 405 (the method is refused before anything is looked up); the login page for the anonymous."""
    if response.status_code in (404, 405):
        return True
    return anonymous and response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login"))


def state(scene: Scene) -> tuple:
    """Everything a refused request might have changed."""
    work = Work.objects.get(pk=scene.work.pk)
    return (
        work.state, work.updated_at, work.deadline_extended_until, work.form_data,
        Attachment.objects.filter(work=work).count(),
        Attachment.objects.filter(work=work, superseded_at__isnull=False).count(),
        Episode.objects.filter(work=work).count(), CloudLink.objects.filter(work=work).count(),
        WorkHistory.objects.filter(work=work).count(), Waiver.objects.filter(work=work).count(),
        Inspection.objects.filter(attachment__work=work).count(),
        Assignment.objects.count(), Score.objects.count(), ScoreChange.objects.count(),
        Conflict.objects.count(), ReviewLog.objects.count(),
        list(RoundWork.objects.order_by("pk").values_list("advanced", flat=True)),
        list(ReviewRound.objects.order_by("pk").values_list("status", flat=True)),
        Work.objects.filter(entrant=work.entrant).count(),
    )


# --------------------------------------------------------------------------
# The address book itself


def test_every_address_is_classified():
    unknown = [f"{r.name} ({r.route})" for r in routes() if meaning(r) is None]
    assert not unknown, "not classified: say in ROUTES what these parameters name: " + "; ".join(unknown)
    stale = [name for name in ROUTES if name not in {r.name for r in routes()}]
    assert not stale, f"ROUTES names addresses that are gone: {stale}"
    for r in routes():
        if r.name in ROUTES:
            assert set(ROUTES[r.name]) == set(r.params), f"{r.name}: parameters {r.params}"


def test_the_sweep_knows_the_blind_form_fields(hubei):
    """The preset's rows that name people are the ones the scene fills with strings to look for."""
    identifying = {f.key for f in hubei.rules.form.fields
                   if f.type in IDENTIFYING_TYPES or f.key in IDENTIFYING_KEYS}
    assert identifying == {"creators", "contact_name", "contact_phone"}
    assert set(FORM) >= identifying


# --------------------------------------------------------------------------
# Blindness


def sweep(scene: Scene, client: Client) -> dict[str, list[str]]:
    """Every address, GET, as the client: what leaked where."""
    found: dict[str, list[str]] = {}
    for address in addresses(scene):
        response = client.get(address.url)
        leaked = leaks(body_of(response), scene.file_names) + leaks(headers_of(response), scene.file_names)
        if leaked:
            found[f"{address.url} [{response.status_code}]"] = sorted(set(leaked))
    return found


def reviewer_pages(scene: Scene, client: Client) -> dict[str, list[str]]:
    """The reviewer's pages in the states they pass through: a draft saved, a refusal, a submission."""
    found: dict[str, list[str]] = {}
    score = reverse("reviews:score", args=[scene.assignment.pk])

    def look(label: str, response: Any) -> None:
        leaked = leaks(body_of(response), scene.file_names) + leaks(headers_of(response), scene.file_names)
        if leaked:
            found[f"{label} [{response.status_code}]"] = sorted(set(leaked))

    look("score page", client.get(score))
    look("refused score", client.post(score, {"emotion": "12", "comment": "<script>", "action": "submit"}))
    look("draft saved", client.post(score, {"emotion": "8", "action": "save"}, follow=True))
    look("score page with a draft", client.get(score))
    marks = {"emotion": "8", "depth": "7", "appeal": "9", "reach": "6", "craft": "8", "action": "submit_next"}
    look("submitted", client.post(score, marks, follow=True))
    look("score page after submitting", client.get(score))
    for name in ("reviews:mine", "home"):
        look(name, client.get(reverse(name)))
    look("playback list", client.get(reverse("playback:campaign", args=[scene.campaign.slug])))
    look("campaign page", client.get(reverse("campaigns:detail", args=[scene.campaign.slug])))
    return found


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_blind_round_shows_the_reviewer_nobody(scene, language):
    client = client_for(scene.people["reviewer"], language)
    assert client.get(reverse("reviews:score", args=[scene.assignment.pk])).status_code == 200
    assert not sweep(scene, client)
    # Still signed in: the sweep saw the reviewer's pages, not the login page.
    assert client.get(reverse("reviews:mine")).status_code == 200
    assert not reviewer_pages(scene, client)
    assert Score.objects.get(assignment=scene.assignment).submitted_at is not None  # the pages were real


def test_the_sweep_would_see_a_leak(scene):
    """The same sweep finds the unit where the round is not blind: the looking works."""
    ReviewRound.objects.filter(pk=scene.first.pk).update(blind=False)
    found = reviewer_pages(scene, client_for(scene.people["reviewer"]))
    assert any("unit" in what for what in found.values())
    organiser = sweep(scene, client_for(scene.people["organiser"]))
    assert any("unit" in what and "creator" in what for what in organiser.values())


def test_the_score_page_has_the_player_and_the_report(scene):
    """What the sweep read is the real page: the player, the poster and the check report are on it."""
    page = client_for(scene.people["reviewer"]).get(reverse("reviews:score", args=[scene.assignment.pk]))
    text = page.content.decode()
    assert reverse("playback:video", args=[scene.video.pk]) in text
    assert reverse("playback:poster", args=[scene.video.pk]) in text
    assert "技术检查" in text and "匿名评审" in text


def test_a_misnamed_file_does_not_name_the_unit_to_the_reviewer(misnamed):
    client = client_for(misnamed.people["reviewer"])
    assert not reviewer_pages(misnamed, client)
    assert not sweep(misnamed, client)


def test_a_misnamed_file_leaks_nowhere_but_the_score_page(misnamed):
    """Whatever the score page shows of the report, no other address names the unit or the file."""
    client = client_for(misnamed.people["reviewer"])
    score = reverse("reviews:score", args=[misnamed.assignment.pk])
    assert set(sweep(misnamed, client)) <= {f"{score} [200]"}


# --------------------------------------------------------------------------
# The permission matrix


def test_nobody_else_reaches_the_work_by_any_address(scene):
    before = state(scene)
    checked = 0
    for role in DENIED:
        user = scene.people[role]
        client = client_for(user)
        for address in addresses(scene):
            if not address.objects:
                continue
            for method in ("get", "post"):
                response = getattr(client, method)(address.url)
                where = f"{role} {method.upper()} {address.url} → {response.status_code}"
                assert refused(response, user is None), where
                assert not leaks(body_of(response), scene.file_names), where
                missing = getattr(client, method)(address.missing_url)
                assert missing.status_code == response.status_code, f"{where}; a missing id gives " \
                    f"{missing.status_code}: the answer tells that the object exists"
                checked += 1
        assert state(scene) == before, f"{role}'s refused requests changed something"
    assert checked > 300


def test_the_assigned_reviewer_reaches_their_own_work_and_nothing_more(scene):
    reviewer = client_for(scene.people["reviewer"])
    before = state(scene)
    reached = set()
    for address in addresses(scene):
        if not address.objects:
            continue
        name = address.route.name
        response = reviewer.get(address.url)
        where = f"GET {address.url} → {response.status_code}"
        if name in REVIEWER_PAGES and address.own:
            assert response.status_code == 200, where
            assert body_of(response), where
            reached.add(name)
        else:
            assert refused(response, False), where
        if name not in REVIEWER_ACTIONS:
            response = reviewer.post(address.url)
            assert refused(response, False), f"POST {address.url} → {response.status_code}"
    assert reached == REVIEWER_PAGES
    assert state(scene) == before


def test_the_samples_open_each_address_for_someone(scene):
    """The ids tried open each address of the matrix for someone, so that its refusals mean something.

    The organiser, the unit's member or the assigned reviewer gets a page (or is sent on to one);
    an address that only takes POST is known by its 405 (submissions:upload answers GET with 404).
    """
    openers = [client_for(scene.people[role]) for role in ("organiser", "member", "reviewer")]
    matrix = [a for a in addresses(scene) if a.objects]
    opened, post_only = set(), set()
    for address in matrix:
        statuses = {client.get(address.url).status_code for client in openers}
        if statuses & {200, 206, 302}:
            opened.add(address.route.name)
        elif 405 in statuses or address.route.name in GET_IS_404:
            post_only.add(address.route.name)
    unopened = {a.route.name for a in matrix} - opened - post_only - set(NOTHING_TO_OPEN)
    assert not unopened, f"no sample opens these for anyone: {sorted(unopened)}"
    assert {"submissions:work", "submissions:download", "submissions:report", "documents:entrant",
            "documents:work_document", "playback:work", "playback:video", "reviews:score"} <= opened
    assert {"submissions:submit", "submissions:upload", "reviews:declare_conflict"} <= post_only


def test_a_reviewer_of_a_draft_round_reaches_nothing_until_it_opens(scene):
    """Their assignment exists; opening the round is what lets them in, not the assignment."""
    in_draft = client_for(scene.people["draft_round_reviewer"])
    score = reverse("reviews:score", args=[scene.draft_assignment.pk])
    assert in_draft.get(score).status_code == 404
    assert in_draft.get(reverse("reviews:mine")).content.decode().count(TITLE) == 0
    ReviewRound.objects.filter(pk=scene.first.pk).update(status=ReviewRound.Status.CLOSED)
    ReviewRound.objects.filter(pk=scene.second.pk).update(status=ReviewRound.Status.OPEN)
    assert in_draft.get(score).status_code == 200
    assert not leaks(in_draft.get(score).content, scene.file_names)
