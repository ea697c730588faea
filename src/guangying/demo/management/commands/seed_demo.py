"""Both notices as running campaigns, with invented units, people and works.

Everything here is made up: unit names, people, phone numbers (the
138-0000 range) and e-mail addresses under example.org. Running it twice
changes nothing.
"""

import random
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from guangying.accounts.models import User
from guangying.campaigns.models import Campaign, CampaignRole, Entrant, EntrantMember
from guangying.campaigns.ruleset_editing import edit_ruleset_text
from guangying.demo import reviewing
from guangying.demo.media import make_video, pdf_bytes, png_bytes
from guangying.rulesets import load_preset, parse_ruleset_text, preset_text
from guangying.submissions.models import Attachment, Episode, Work, WorkHistory, WorkState
from guangying.submissions.uploads import FileRule, store_attachment

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "guangying-demo"

HUBEI_UNITS = [
    ("长川市委统战部", 7, "李明远"),
    ("明德大学党委统战部", 5, "陈思雨"),
    ("楚光科技集团党委统战部", 6, "张文博"),
    ("东湖示范医院党委统战部", 3, "刘晓岚"),
]
HUBEI_TITLES = [
    "一封家书里的同心路", "老街上的统战记忆", "光谷里的党外专家", "回乡的楚商", "石榴花开", "医疗下乡的一天",
    "法律援企在身边", "重走同心路", "一枚勋章的故事", "寻美湖北的镜头", "实验室的灯", "口述：风雨同舟",
]
CQ_UNITS = [("两江示范学院", "周子涵"), ("嘉陵示范社区党委", "黄一鸣"), ("山城示范文化中心", "吴佳怡")]
CQ_PEOPLE = [("赵书航", "山城示范中学"), ("孙若溪", "渝水示范图书馆")]
CQ_TITLES = [
    "红岩村的灯火", "长征路上的重庆人", "档案里的百年", "一座桥的记忆", "十五五的新街坊", "小面馆里的党课",
    "山城步道的红色足迹", "江边的老码头",
]
RETURN_REASON = "片尾未标注报送单位名称，请补充后重新提交。"
PEOPLE_NAMES = ["王志刚", "林晓婷", "马俊杰", "高雅琴", "郑浩然", "何秀英", "罗家豪", "梁静怡"]


class Command(BaseCommand):
    help = "Create the demo campaigns (both notices), invented units, people and works."

    def handle(self, *args: Any, **options: Any) -> None:
        if Campaign.objects.filter(slug__in=["hubei-2026", "chongqing-2026"]).exists():
            self.stdout.write("演示数据已存在。")
            self._print_accounts()
            self._mailbox()
            return
        rng = random.Random(2026)
        with tempfile.TemporaryDirectory() as folder:
            video = make_video(Path(folder) / "demo.mp4", seconds=2, width=1920, height=1080)
            with transaction.atomic():
                organiser = self._user("organiser@example.org", "演示主办方", staff=True)
                hubei = self._campaign("hubei-2026", "hubei-2026-weiguang", organiser)
                chongqing = self._campaign("chongqing-2026", "chongqing-2026-hongse", organiser,
                                           keep_open=True)
                reviewing.invited(hubei, self._user)
                reviewer = self._user(reviewing.DEMO_REVIEWER, "演示评审专家")
                CampaignRole.objects.get_or_create(
                    campaign=chongqing, user=reviewer, role=CampaignRole.Role.REVIEWER,
                    defaults={"unit_name": "示例评审中心"},
                )
                self._hubei(hubei, organiser, video, rng)
                self._chongqing(chongqing, organiser, video, rng)
                self._first_round(hubei, organiser)
        self.stdout.write(self.style.SUCCESS("演示数据已创建。"))
        self._print_accounts()
        self._mailbox()

    def _first_round(self, campaign: Campaign, organiser: User) -> None:
        """Hubei's 初审 under way: each passed work given to three reviewers; the invented four have scored.

        What is left is the demo reviewer's share, to score by hand, and the organiser's part:
        close, advance, run 复审, decide and release.
        """
        from guangying.reviews.rounds import open_round, rounds_for
        from guangying.reviews.services import assign_round

        first = rounds_for(campaign)[0]
        open_round(first)
        assign_round(first, by=organiser, seed=2026)
        reviewing.hand_in_scores(campaign)

    def _mailbox(self) -> None:
        """Two e-mails' worth of files for the Chongqing campaign, to try `import-folder` on."""
        from django.conf import settings

        from guangying.demo.mailbox import CAMPAIGN_SLUG, write_mailbox

        folder = Path(settings.DATA_DIR) / "mailbox"
        if not folder.exists():
            write_mailbox(folder)
        self.stdout.write(
            f"  演示邮箱（两封邮件的附件）：{folder}\n"
            f"  导入：GUANGYING_DATA_DIR={settings.DATA_DIR} python -m guangying import-folder {folder} "
            f"--campaign {CAMPAIGN_SLUG}（先看预览，加 --yes 导入）"
        )

    def _print_accounts(self) -> None:
        self.stdout.write(
            f"  主办方：organiser@example.org / {PASSWORD}\n"
            f"  湖北单位成员：unit1@example.org / {PASSWORD}（长川市委统战部）\n"
            f"  重庆单位成员：cq-unit1@example.org / {PASSWORD}（两江示范学院）\n"
            f"  重庆个人：person1@example.org / {PASSWORD}\n"
            f"  评审专家：reviewer@example.org / {PASSWORD}（湖北另有 reviewer2～5@example.org，密码相同）\n"
            "  四位虚构专家提交进行中轮次的评分：./run demo-scores"
        )

    def _user(self, email: str, name: str, staff: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=PASSWORD, name=name, is_staff=staff,
                phone=f"1380000{random.Random(email).randint(1000, 9999)}",
            )
        return user

    def _campaign(self, slug: str, preset: str, organiser: User, *, keep_open: bool = False) -> Campaign:
        campaign = Campaign(slug=slug, preset_key=preset, created_by=organiser, is_published=True)
        text, rules = preset_text(preset), load_preset(preset)
        today = timezone.now().astimezone(SHANGHAI).date()
        if keep_open and rules.submission.closes < today + timedelta(days=14):
            # The demo must let a new user hand a work in whatever day it is prepared: the
            # notice's own date stays in the preset, the demo's copy closes two months on.
            text = edit_ruleset_text(text, {("submission", "closes"): today + timedelta(days=60)})
            rules = parse_ruleset_text(text)
        campaign.set_rules(text, rules)
        campaign.published_at = datetime(2026, 4, 22, 9, tzinfo=SHANGHAI)
        campaign.save()
        CampaignRole.objects.create(campaign=campaign, user=organiser, role=CampaignRole.Role.ORGANISER)
        return campaign

    def _files(self, work: Work, user: User, video: Path) -> None:
        rules = work.campaign.rules
        for episode in work.episodes.all():
            with video.open("rb") as handle:
                upload = SimpleUploadedFile(
                    f"{work.entrant.name}-{work.title}.mp4", handle.read(), "video/mp4"
                )
            store_attachment(
                work=work, kind=Attachment.VIDEO, uploaded=upload, user=user, episode=episode,
                rule=FileRule("视频文件", ("mp4", "mov", "mpeg"), 1024**3),
            )
        for document in rules.required_documents:
            if document.per != "work":
                continue
            if "pdf" in document.formats:
                content, name = pdf_bytes(f"Demo document: {document.key}"), f"{document.label}.pdf"
            elif "png" in document.formats:
                content, name = png_bytes(), f"{document.label}.png"
            else:
                content, name = "演示用视频文稿。\n".encode(), f"{document.label}.txt"
            store_attachment(
                work=work, kind=document.key, user=user,
                uploaded=SimpleUploadedFile(name, content),
                rule=FileRule(document.label, tuple(document.formats), 50 * 1024**2),
            )

    def _work(self, entrant: Entrant, user: User, title: str, form: dict, state: str,
              when: datetime, episodes: int = 1, organiser: User | None = None,
              reason: str = "") -> Work:
        work = Work.objects.create(
            campaign=entrant.campaign, entrant=entrant, title=title, form_data=form,
            created_by=user, state=WorkState.DRAFT,
        )
        for number in range(1, episodes + 1):
            Episode.objects.create(work=work, number=number)
        WorkHistory.objects.create(work=work, action="create", to_state="draft", actor=user,
                                   at=when - timedelta(days=3))
        if state != WorkState.DRAFT:
            work.state, work.submitted_at = WorkState.SUBMITTED, when
            WorkHistory.objects.create(work=work, action="submit", from_state="draft",
                                       to_state="submitted", actor=user, at=when)
            if state in (WorkState.PASSED, WorkState.RETURNED):
                action = "pass" if state == WorkState.PASSED else "return"
                work.state = state
                WorkHistory.objects.create(work=work, action=action, from_state="submitted",
                                           to_state=state, actor=organiser, reason=reason,
                                           at=when + timedelta(days=2))
            work.save()
        return work

    def _hubei(self, campaign: Campaign, organiser: User, video: Path, rng: random.Random) -> None:
        titles = iter(HUBEI_TITLES * 3)
        for index, (name, count, contact) in enumerate(HUBEI_UNITS, start=1):
            entrant = Entrant.objects.create(
                campaign=campaign, name=name, contact_name=contact,
                contact_phone=f"1380000{1100 + index:04d}", contact_email=f"unit{index}@example.org",
                created_by=organiser,
            )
            member = self._user(f"unit{index}@example.org", contact)
            EntrantMember.objects.create(entrant=entrant, user=member)
            for number in range(count):
                title = next(titles)
                creators = [
                    {"name": rng.choice(PEOPLE_NAMES), "post": post,
                     "contact": f"1380000{rng.randint(2000, 9999)}"}
                    for post in ("导演", "摄像", "剪辑")
                ]
                form = {
                    "creators": creators,
                    "synopsis": f"《{title}》以小切口讲述统战成员的同心故事，记录真实人物与事件。",
                    "script": "（开场）清晨的江面……\n（采访）……\n（片尾）报送单位：" + name,
                    "contact_name": contact,
                    "contact_phone": entrant.contact_phone,
                }
                state = [WorkState.PASSED, WorkState.SUBMITTED, WorkState.RETURNED][number % 3]
                if index == 4 and number == 2:
                    state = WorkState.DRAFT
                when = datetime(2026, 7, 20 + number % 10, 15, tzinfo=SHANGHAI)
                work = self._work(
                    entrant, member, title, form, state, when, organiser=organiser,
                    reason=RETURN_REASON if state == WorkState.RETURNED else "",
                )
                self._files(work, member, video)

    def _chongqing(self, campaign: Campaign, organiser: User, video: Path,
                   rng: random.Random) -> None:
        titles = iter(CQ_TITLES * 2)
        forms_category = next((c for c in campaign.rules.categories if len(c.options) == 5), None)
        for index, (name, contact) in enumerate(CQ_UNITS, start=1):
            entrant = Entrant.objects.create(
                campaign=campaign, name=name, contact_name=contact,
                contact_phone=f"1380000{1200 + index:04d}", contact_email=f"cq-unit{index}@example.org",
                created_by=organiser,
            )
            member = self._user(f"cq-unit{index}@example.org", contact)
            EntrantMember.objects.create(entrant=entrant, user=member)
            for number in range(2):
                title = next(titles)
                work = self._work(
                    entrant, member, title, self._cq_form(title, contact, entrant, rng),
                    WorkState.SUBMITTED if number == 0 else WorkState.DRAFT,
                    datetime(2026, 11, 10 + index, 10, tzinfo=SHANGHAI),
                    episodes=3 if (index == 1 and number == 0) else 1, organiser=organiser,
                )
                if forms_category is not None:
                    option = forms_category.options[(index + number) % len(forms_category.options)]
                    work.categories = {forms_category.key: option.key}
                    work.save(update_fields=["categories"])
                self._files(work, member, video)
        for index, (name, unit) in enumerate(CQ_PEOPLE, start=1):
            person = self._user(f"person{index}@example.org", name)
            entrant = Entrant.objects.create(
                campaign=campaign, kind=Entrant.Kind.INDIVIDUAL, name=name, affiliation=unit,
                contact_name=name, contact_phone=person.phone, contact_email=person.email,
                invitation_active=False,
            )
            EntrantMember.objects.create(entrant=entrant, user=person)
            title = next(titles)
            work = self._work(entrant, person, title, self._cq_form(title, name, entrant, rng),
                              WorkState.DRAFT, datetime(2026, 11, 15, 20, tzinfo=SHANGHAI))
            with video.open("rb") as handle:
                store_attachment(
                    work=work, kind=Attachment.VIDEO, user=person,
                    episode=work.episodes.first(),
                    uploaded=SimpleUploadedFile(f"{name}+{title}.mp4", handle.read()),
                    rule=FileRule("视频文件", ("mp4", "mov", "mpeg"), 1024**3),
                )

    def _cq_form(self, title: str, contact: str, entrant: Entrant, rng: random.Random) -> dict:
        aired = rng.random() < 0.4
        return {
            "duration": rng.randint(150, 295),
            "broadcast": {"status": "aired", "platform": "示例视频平台",
                          "link": "https://video.example.org/watch/" + str(rng.randint(1000, 9999))}
            if aired else {"status": "not_aired"},
            "contact_name": contact,
            "contact_phone": entrant.contact_phone,
            "team": (
                f"导演{rng.choice(PEOPLE_NAMES)}，摄像{rng.choice(PEOPLE_NAMES)}，"
                f"后期{rng.choice(PEOPLE_NAMES)}，均为{entrant.unit_name}。"
            ),
            "synopsis": f"《{title}》立足重庆红色资源，用小故事讲述党史中的人和事。",
        }

