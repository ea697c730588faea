"""A Hubei work with a real video, and every kind of person around it."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guangying.accounts.models import User
from guangying.campaigns.models import CampaignRole
from guangying.demo.media import make_video
from guangying.playback.making import make
from guangying.playback.models import Rendition
from guangying.submissions.models import Attachment, Work, WorkState
from guangying.submissions.uploads import FileRule, store_attachment
from tests.factories import UserFactory, WorkFactory, organiser_of

VIDEO_RULE = FileRule("视频文件", ("mp4", "mov", "mpeg"), 1024**3)


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of H.264/AAC: browsers play it as it is."""
    return make_video(tmp_path_factory.mktemp("playback") / "clip.mp4", seconds=2, width=320, height=180)


@pytest.fixture(scope="session")
def mpeg_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of MPEG-2 in a program stream: browsers need a preview."""
    return make_video(tmp_path_factory.mktemp("playback") / "clip.mpg", seconds=2, codec="mpeg2video",
                      container_format="mpeg")


def upload(work: Work, video: Path, user: User, name: str | None = None) -> Attachment:
    return store_attachment(
        work=work, kind=Attachment.VIDEO, user=user, rule=VIDEO_RULE, episode=work.episodes.first(),
        uploaded=SimpleUploadedFile(name or f"{work.title}{video.suffix}", video.read_bytes()),
    )


@dataclass
class Scene:
    work: Work
    video: Attachment
    rendition: Rendition
    people: dict[str, User | None]


ROLES = ["anonymous", "member", "other_member", "organiser", "other_organiser", "reviewer",
         "unassigned_reviewer", "other_reviewer"]


@pytest.fixture
def scene(db, hubei, unit, member, other_member, chongqing, clip) -> Scene:
    work = WorkFactory(entrant=unit, title="一封家书", created_by=member)
    work.state, work.submitted_at = WorkState.SUBMITTED, timezone.now()
    work.save()
    video = upload(work, clip, member)
    rendition = make(video)
    reviewer = UserFactory(name="评审专家甲")
    CampaignRole.objects.create(campaign=hubei, user=reviewer, role=CampaignRole.Role.REVIEWER)
    assign(work, reviewer)
    unassigned = UserFactory(name="评审专家乙")
    CampaignRole.objects.create(campaign=hubei, user=unassigned, role=CampaignRole.Role.REVIEWER)
    other_reviewer = UserFactory(name="别处的评审专家")
    CampaignRole.objects.create(campaign=chongqing, user=other_reviewer, role=CampaignRole.Role.REVIEWER)
    other_organiser = organiser_of(chongqing, UserFactory(name="重庆主办方"))
    return Scene(work=work, video=video, rendition=rendition, people={
        "anonymous": None, "member": member, "other_member": other_member,
        "organiser": hubei.roles.get(role="organiser").user, "other_organiser": other_organiser,
        "reviewer": reviewer, "unassigned_reviewer": unassigned, "other_reviewer": other_reviewer,
    })


def assign(work: Work, reviewer: User) -> None:
    """The reviewer gets the work in the campaign's first round, which has begun."""
    from guangying.reviews.models import Assignment, ReviewRound
    from guangying.reviews.rounds import rounds_for

    first = rounds_for(work.campaign)[0]
    ReviewRound.objects.filter(pk=first.pk).update(status=ReviewRound.Status.OPEN)
    Assignment.objects.get_or_create(round=first, work=work, reviewer=reviewer)


@pytest.fixture
def as_(client):
    def login(user: User | None):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login
