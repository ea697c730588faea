"""A running campaign with every kind of person around it, for the campaign tests."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guangying.accounts.models import User
from guangying.campaigns.models import Campaign, CampaignRole, Entrant
from guangying.demo.media import make_video, pdf_bytes
from guangying.submissions.models import Attachment, Episode, Work, WorkState
from guangying.submissions.uploads import FileRule, store_attachment
from tests.factories import (
    CampaignFactory,
    EntrantFactory,
    UserFactory,
    WorkFactory,
    member_of,
)
from tests.submissions.helpers import record_passing_checks

PDF_RULE = FileRule("版权承诺书", ("pdf", "jpg", "png"), 20 * 1024 * 1024)
SCRIPT_RULE = FileRule("视频文稿", ("docx", "doc", "pdf", "txt"), 20 * 1024 * 1024)
VIDEO_RULE = FileRule("视频文件", ("mp4", "mov", "mpeg"), 1024**3)


@pytest.fixture(scope="session")
def small_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real H.264/AAC clip, encoded once for the whole run."""
    return make_video(tmp_path_factory.mktemp("media") / "clip.mp4", seconds=1, width=320, height=180)


def attach_pdf(work: Work, kind: str, name: str, user: User) -> Attachment:
    return store_attachment(
        work=work, kind=kind, user=user, rule=PDF_RULE,
        uploaded=SimpleUploadedFile(name, pdf_bytes(f"{kind} of work {work.pk}"), "application/pdf"),
    )


def attach_video(work: Work, episode: Episode, video: Path, user: User) -> Attachment:
    return store_attachment(
        work=work, kind=Attachment.VIDEO, user=user, rule=VIDEO_RULE, episode=episode,
        uploaded=SimpleUploadedFile(f"{work.entrant.name}+{work.title}.mp4", video.read_bytes(),
                                    "video/mp4"),
    )


def chongqing_form(work: Work) -> dict:
    return {
        "duration": 240,
        "broadcast": {"status": "not_aired"},
        "contact_name": "联系人丁",
        "contact_phone": "13800001234",
        "team": "导演甲、摄像乙，均为本单位职工。",
        "synopsis": f"《{work.title}》讲述一段本地的党史故事。",
    }


def make_complete(work: Work, video: Path, user: User) -> Work:
    """Everything the Chongqing rules ask before a work may be handed in."""
    work.form_data = chongqing_form(work)
    work.save(update_fields=["form_data"])
    for episode in work.episodes.all():
        attach_video(work, episode, video, user)
    attach_pdf(work, "copyright_pledge", f"{work.title}-版权承诺书.pdf", user)
    attach_pdf(work, "final_script", f"{work.title}-视频文稿.pdf", user)
    record_passing_checks(work)  # the one-second clip stands for a video that met every rule
    return work


def hand_in(work: Work, state: str = WorkState.SUBMITTED) -> Work:
    """Put a work straight into a state, as the workflow would have left it."""
    work.state = state
    work.submitted_at = timezone.now()
    work.save(update_fields=["state", "submitted_at"])
    return work


@dataclass
class World:
    campaign: Campaign
    other_campaign: Campaign
    unit_a: Entrant
    unit_b: Entrant
    individual_entrant: Entrant
    people: dict[str, User | None]
    draft_a: Work
    submitted_a: Work
    passed_a: Work
    draft_b: Work
    submitted_b: Work
    individual_work: Work
    file_a: Attachment
    file_b: Attachment
    file_individual: Attachment


ROLES = [
    "anonymous",
    "member_a",
    "member_b",
    "individual",
    "organiser",
    "other_organiser",
    "reviewer",
    "platform_admin",
]

# Titles and file names of unit B's works: a member of unit A must never meet them.
SECRET_B = ["乙单位的秘密作品", "乙单位已报送的作品", "乙单位承诺书原件.pdf"]


@pytest.fixture
def world(db, small_video: Path) -> World:
    """Chongqing (units and individuals, series allowed), with a second campaign beside it."""
    organiser = UserFactory(name="主办方甲", email="organiser@example.org")
    campaign = CampaignFactory(preset="chongqing-2026-hongse", slug="cq", organiser=organiser)
    other_organiser = UserFactory(name="别的主办方", email="other-organiser@example.org")
    other_campaign = CampaignFactory(preset="hubei-2026-weiguang", slug="elsewhere",
                                     organiser=other_organiser)
    unit_a = EntrantFactory(campaign=campaign, name="甲单位宣传部")
    unit_b = EntrantFactory(campaign=campaign, name="乙单位党委办公室")
    individual_entrant = EntrantFactory(campaign=campaign, kind=Entrant.Kind.INDIVIDUAL,
                                        name="个人丙", affiliation="丙中学",
                                        invitation_active=False)
    member_a = member_of(unit_a, UserFactory(name="甲成员", email="member-a@example.org"))
    member_b = member_of(unit_b, UserFactory(name="乙成员", email="member-b@example.org"))
    individual = member_of(individual_entrant, UserFactory(name="个人丙", email="solo@example.org"))
    reviewer = UserFactory(name="评审专家", email="reviewer@example.org")
    CampaignRole.objects.create(campaign=campaign, user=reviewer, role=CampaignRole.Role.REVIEWER,
                                unit_name="示例评审中心")
    platform_admin = UserFactory(name="平台管理员", email="admin@example.org", is_staff=True)

    draft_a = WorkFactory(entrant=unit_a, title="甲单位的草稿作品", episodes=2, created_by=member_a)
    make_complete(draft_a, small_video, member_a)
    submitted_a = hand_in(make_complete(
        WorkFactory(entrant=unit_a, title="甲单位已报送的作品", created_by=member_a),
        small_video, member_a))
    passed_a = hand_in(WorkFactory(entrant=unit_a, title="甲单位已通过的作品"), WorkState.PASSED)
    draft_b = WorkFactory(entrant=unit_b, title=SECRET_B[0], created_by=member_b)
    file_b = attach_pdf(draft_b, "copyright_pledge", SECRET_B[2], member_b)
    submitted_b = hand_in(WorkFactory(entrant=unit_b, title=SECRET_B[1], created_by=member_b))
    individual_work = WorkFactory(entrant=individual_entrant, title="个人丙的作品")
    file_individual = attach_pdf(individual_work, "copyright_pledge", "个人丙承诺书.pdf", individual)
    return World(
        campaign=campaign, other_campaign=other_campaign, unit_a=unit_a, unit_b=unit_b,
        individual_entrant=individual_entrant,
        people={
            "anonymous": None, "member_a": member_a, "member_b": member_b,
            "individual": individual, "organiser": organiser, "other_organiser": other_organiser,
            "reviewer": reviewer, "platform_admin": platform_admin,
        },
        draft_a=draft_a, submitted_a=submitted_a, passed_a=passed_a, draft_b=draft_b,
        submitted_b=submitted_b, individual_work=individual_work,
        file_a=draft_a.current_attachments().get(kind="copyright_pledge"), file_b=file_b,
        file_individual=file_individual,
    )


@pytest.fixture
def login(client):
    """Sign a person in (or nobody, for None) on the test client."""

    def sign_in(user: User | None):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in
