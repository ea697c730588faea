"""The demo data: both notices as running campaigns, with invented units, people and works."""

import hashlib
import io
from collections import Counter
from datetime import timedelta
from pathlib import Path

import av
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from guangying.accounts.models import User
from guangying.campaigns.models import Campaign, CampaignRole, Entrant, EntrantMember
from guangying.demo import reviewing
from guangying.demo.management.commands.seed_demo import PASSWORD
from guangying.reviews.models import Assignment
from guangying.submissions.models import Attachment, Episode, Work, WorkHistory, WorkState


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db) -> str:
    return seed()


def everything() -> dict[str, list]:
    return {
        "users": list(User.objects.order_by("pk").values_list("email", "password")),
        "campaigns": list(Campaign.objects.order_by("pk").values_list("slug", "ruleset_text")),
        "roles": list(CampaignRole.objects.order_by("pk").values_list("campaign", "user", "role")),
        "entrants": list(Entrant.objects.order_by("pk").values_list("name", "invitation_token")),
        "members": list(EntrantMember.objects.order_by("pk").values_list("entrant", "user")),
        "works": list(Work.objects.order_by("pk").values_list("title", "state", "form_data")),
        "episodes": list(Episode.objects.order_by("pk").values_list("work", "number")),
        "files": list(Attachment.objects.order_by("pk").values_list("file", "sha256")),
        "history": list(WorkHistory.objects.order_by("pk").values_list("work", "action")),
    }


def test_both_campaigns_with_units_and_people(seeded: str) -> None:
    assert "演示数据已创建。" in seeded
    hubei = Campaign.objects.get(slug="hubei-2026")
    chongqing = Campaign.objects.get(slug="chongqing-2026")
    assert (hubei.preset_key, chongqing.preset_key) == ("hubei-2026-weiguang", "chongqing-2026-hongse")
    assert hubei.is_published and chongqing.is_published
    organiser = User.objects.get(email="organiser@example.org")
    reviewer = User.objects.get(email="reviewer@example.org")
    emails = [email for email, *_rest in reviewing.REVIEWERS]
    jury = set(User.objects.filter(email__in=emails).values_list("pk", flat=True))
    assert len(jury) == 5
    assert set(hubei.roles.values_list("user", "role")) == {
        (organiser.pk, "organiser"), *((pk, "reviewer") for pk in jury)}
    assert set(chongqing.roles.values_list("user", "role")) == {
        (organiser.pk, "organiser"), (reviewer.pk, "reviewer")}

    # Hubei's 初审 is under way: three reviewers a work, the invented four have scored, the demo
    # reviewer's share is left to score by hand, and 长川's reviewer has none of 长川's works.
    passed = Work.objects.filter(campaign=hubei, state=WorkState.PASSED).count()
    first = Assignment.objects.filter(round__campaign=hubei, round__key="first")
    assert passed and first.count() == 3 * passed
    mine = first.filter(reviewer=reviewer)
    assert mine.exists() and not mine.filter(score__isnull=False).exists()
    assert not first.exclude(reviewer=reviewer).filter(score__submitted_at__isnull=True).exists()
    assert not first.filter(reviewer__email="reviewer2@example.org",
                            work__entrant__name="长川市委统战部").exists()
    assert hubei.entrants.filter(kind="unit").count() == 4
    assert not hubei.entrants.filter(kind="individual").exists()  # Hubei admits units only
    assert chongqing.entrants.filter(kind="unit").count() == 3
    assert chongqing.entrants.filter(kind="individual").exclude(affiliation="").count() == 2
    assert not Entrant.objects.filter(memberships__isnull=True).exists()  # every unit has a member


def test_works_in_several_states(seeded: str) -> None:
    hubei = Counter(Work.objects.filter(campaign__slug="hubei-2026").values_list("state", flat=True))
    assert set(hubei) == {WorkState.DRAFT, WorkState.SUBMITTED, WorkState.RETURNED, WorkState.PASSED}
    chongqing = Counter(
        Work.objects.filter(campaign__slug="chongqing-2026").values_list("state", flat=True))
    assert set(chongqing) == {WorkState.DRAFT, WorkState.SUBMITTED}
    # Every unit stays within the Hubei quota of eight.
    for entrant in Entrant.objects.filter(campaign__slug="hubei-2026"):
        assert entrant.works.count() <= 8
    # A returned work says why, a series has several episodes.
    returned = Work.objects.filter(state=WorkState.RETURNED).first()
    assert returned.history.get(action="return").reason
    assert Work.objects.filter(campaign__slug="chongqing-2026", episodes__number=3).exists()
    # The recorded history agrees with each work's state.
    for work in Work.objects.all():
        assert work.history.order_by("at", "pk").last().to_state == work.state


def test_attachments_are_real_files(seeded: str) -> None:
    attachments = list(Attachment.objects.select_related("work"))
    assert {a.kind for a in attachments} >= {"video", "copyright_pledge", "final_script"}
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            content = handle.read()
        assert len(content) == attachment.size > 0
        assert hashlib.sha256(content).hexdigest() == attachment.sha256
    for work in Work.objects.all():
        videos = work.current_attachments().filter(kind="video")
        assert videos.count() == work.episodes.count(), work.title

    video = next(a for a in attachments if a.kind == "video")
    assert video.detected_format == "mp4"
    with av.open(video.file.path) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.width, stream.height) == ("h264", 1920, 1080)
        assert container.streams.audio[0].codec_context.name == "aac"
    pledge = next(a for a in attachments if a.kind == "copyright_pledge")
    assert pledge.detected_format in ("pdf", "png")


def test_the_demo_people_are_invented_and_can_sign_in(client, seeded: str) -> None:
    for user in User.objects.all():
        assert user.email.endswith("@example.org")
        assert user.phone.startswith("1380000")
    assert all(e.contact_phone.startswith("1380000") for e in Entrant.objects.all())
    response = client.post(reverse("accounts:login"),
                           {"username": "unit1@example.org", "password": PASSWORD})
    assert response.status_code == 302
    unit = Entrant.objects.get(memberships__user__email="unit1@example.org")
    assert client.get(reverse("campaigns:entrant", args=[unit.campaign.slug, unit.pk])).status_code \
        == 200


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "works"
    folders = [root / str(pk) for pk in Campaign.objects.values_list("pk", flat=True)]
    return sorted(path for folder in folders for path in folder.rglob("*") if path.is_file())


def test_running_it_twice_changes_nothing(seeded: str) -> None:
    before, files = everything(), stored_files()
    assert {Path(a.file.path) for a in Attachment.objects.all()} <= set(files)
    again = seed()
    assert "演示数据已存在。" in again
    assert "organiser@example.org" in again
    assert everything() == before
    assert stored_files() == files


def test_the_chongqing_campaign_stays_open_for_a_new_demo_user(seeded: str) -> None:
    """The notice closed on 2026-11-30; a demo prepared later still lets a unit hand a work in."""
    from datetime import date

    from guangying.rulesets import load_preset

    chongqing = Campaign.objects.get(slug="chongqing-2026")
    assert chongqing.is_open_for_submission()
    assert chongqing.submission_closes_at > timezone.now() + timedelta(days=30)
    assert "# 五、「2026年11月30日前」" in chongqing.ruleset_text  # the notice's note is kept
    assert load_preset("chongqing-2026-hongse").submission.closes == date(2026, 11, 30)
    hubei = Campaign.objects.get(slug="hubei-2026")
    assert hubei.rules.submission.closes == load_preset("hubei-2026-weiguang").submission.closes


def test_the_organiser_runs_both_hubei_rounds_to_a_released_list(seeded: str) -> None:
    """The demo's review end to end: the released list is 复审's ranking by the method the organiser chose."""
    from guangying.demo.reviewing import DEMO_REVIEWER, hand_in_scores
    from guangying.reviews import decisions, services
    from guangying.reviews.models import ReviewRound
    from guangying.reviews.rounds import close_round, open_round, save_score

    hubei = Campaign.objects.get(slug="hubei-2026")
    organiser = User.objects.get(email="organiser@example.org")
    first, second = ReviewRound.objects.filter(campaign=hubei).order_by("position")

    def demo_reviewer_scores(round_: ReviewRound) -> None:
        for a in Assignment.objects.filter(round=round_, reviewer__email=DEMO_REVIEWER):
            marks = {c.key: "7.5" for c in round_.criteria.all()}
            save_score(a, marks, by=a.reviewer, submit=True)

    demo_reviewer_scores(first)
    close_round(first)
    advanced = services.advance(first, top=4)
    assert len(advanced) >= 4
    open_round(second)
    services.assign_round(second, by=organiser)
    assert hand_in_scores(hubei) > 0
    demo_reviewer_scores(second)
    ReviewRound.objects.filter(pk=second.pk).update(method=ReviewRound.Method.ZSCORE)
    second.refresh_from_db()
    close_round(second)
    services.advance(second, top=len(advanced))  # the last round selects every work it ranks
    decisions.set_award_levels(hubei, [("一等奖", 1), ("二等奖", 1), ("三等奖", 1), ("优秀作品", None)],
                               by=organiser)
    decisions.propose(second, by=organiser)
    decisions.release(hubei, by=organiser)

    ranking = [row.work for row in services.results(second).rows if row.rank is not None]
    titles = dict(Work.objects.filter(pk__in=ranking).values_list("pk", "title"))
    released = decisions.released_entries(hubei)
    assert [e.title for e in released] == [titles[pk] for pk in ranking]
    assert [e.award for e in released] == ["一等奖", "二等奖", "三等奖"] + ["优秀作品"] * (len(ranking) - 3)
