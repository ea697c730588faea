"""Cloud-drive links in place of an upload, as the Chongqing notice allows for large files.

「视频文件过大……可将视频上传至百度网盘，在电子邮箱附上百度网盘链接及提取码
（提取码有效期至少30天）」. Whether links are accepted, which drives, whether a
code is needed and how long it must stay valid all come from the rule set's
`submission.cloud_link`; nothing here names a campaign. The organiser fetches
the file and attaches it; from then on it is checked like any upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guangying.rulesets import RuleSet

from .models import Attachment, CloudLink, Episode, Work

# The drives the notices name, by the host names their share links use.
PROVIDER_HOSTS = {
    "百度网盘": ("pan.baidu.com", "yun.baidu.com"),
    "阿里云盘": ("www.alipan.com", "alipan.com", "www.aliyundrive.com", "aliyundrive.com"),
    "夸克网盘": ("pan.quark.cn",),
    "天翼云盘": ("cloud.189.cn",),
    "123云盘": ("www.123pan.com", "123pan.com"),
}
MAX_CODE = 20
REMIND_DAYS = 7  # organisers hear of a link this many days before its code runs out


class LinkRefused(Exception):
    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class LinkInput:
    url: str
    code: str
    valid_until: date | None


def accepts_links(rules: RuleSet) -> bool:
    return "cloud_link" in rules.submission.methods and rules.submission.cloud_link is not None


def provider_of(url: str, rules: RuleSet) -> str | None:
    """The rule set's drive a link belongs to; None when it is none of them."""
    host = (urlsplit(url).hostname or "").lower()
    allowed = rules.submission.cloud_link.providers if rules.submission.cloud_link else []
    if not allowed:
        return host or None  # a rule set that names no drive takes any
    for provider in allowed:
        if host in PROVIDER_HOSTS.get(provider, ()):
            return provider
    return None


def earliest_valid_until(rules: RuleSet, at: datetime | None = None) -> date:
    """The first day a code may run out and still be long enough, counted from now (Beijing time)."""
    days = rules.submission.cloud_link.min_validity_days if rules.submission.cloud_link else 0
    today = timezone.localtime(at or timezone.now(), rules.zone).date()
    return today + timedelta(days=days)


def link_problems(rules: RuleSet, given: LinkInput, at: datetime | None = None) -> list[str]:
    """Everything wrong with a link, at once, in the entrant's words."""
    if not accepts_links(rules):
        return [_("本活动不接受网盘链接，请上传视频文件。")]
    policy = rules.submission.cloud_link
    problems = []
    url = given.url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        problems.append(_("请填写完整的网盘分享链接（以 https:// 开头）。"))
    elif provider_of(url, rules) is None:
        problems.append(_("链接不是%(drives)s的分享链接。") % {"drives": "、".join(policy.providers)})
    code = given.code.strip()
    if policy.requires_code and not code:
        problems.append(_("请填写提取码。"))
    elif code and (len(code) > MAX_CODE or not code.isalnum()):
        problems.append(_("提取码只能由字母和数字组成，最多 %(n)s 位。") % {"n": MAX_CODE})
    if given.valid_until is None:
        problems.append(_("请填写提取码的有效期。"))
    else:
        earliest = earliest_valid_until(rules, at)
        if given.valid_until < earliest:
            problems.append(
                _("提取码有效期至少 %(days)s 天，须到 %(date)s 或更晚。")
                % {"days": policy.min_validity_days, "date": earliest.isoformat()}
            )
    return problems


def current_link(episode: Episode) -> CloudLink | None:
    return episode.cloud_links.filter(superseded_at__isnull=True).first()


def record_link(*, work: Work, episode: Episode, given: LinkInput, user: object) -> CloudLink:
    """Keep a new link for an episode; the previous one stays on record as superseded."""
    rules = work.campaign.rules
    problems = link_problems(rules, given)
    if problems:
        raise LinkRefused(problems)
    url = given.url.strip()
    with transaction.atomic():
        now = timezone.now()
        episode.cloud_links.filter(superseded_at__isnull=True).update(superseded_at=now)
        return CloudLink.objects.create(
            work=work,
            episode=episode,
            url=url,
            code=given.code.strip(),
            provider=provider_of(url, rules) or "",
            valid_until=given.valid_until,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            created_at=now,
        )


def episode_has_link(episode: Episode) -> bool:
    return episode.cloud_links.filter(superseded_at__isnull=True).exists()


def link_problems_on_submit(work: Work, at: datetime | None = None) -> list[str]:
    """A link handed in must still be valid long enough when the work is handed in."""
    rules = work.campaign.rules
    problems = []
    uploaded = set(
        work.attachments.filter(kind=Attachment.VIDEO, superseded_at__isnull=True).values_list(
            "episode_id", flat=True)
    )
    links = CloudLink.objects.filter(work=work, superseded_at__isnull=True, fetched__isnull=True)
    for link in links.select_related("episode"):
        if link.episode_id in uploaded:
            continue  # the video itself was uploaded after all
        earliest = earliest_valid_until(rules, at)
        if link.valid_until < earliest:
            problems.append(
                _("第 %(n)s 集的网盘提取码有效期至 %(until)s，不足 %(days)s 天，请更新链接。")
                % {"n": link.episode.number, "until": link.valid_until.isoformat(),
                   "days": rules.submission.cloud_link.min_validity_days if rules.submission.cloud_link
                   else 0}
            )
    return problems


def links_to_fetch(campaign: object) -> QuerySet[CloudLink]:
    """Links of handed-in works whose file the organiser has not attached yet, soonest to expire first."""
    return (
        CloudLink.objects.filter(work__campaign=campaign, superseded_at__isnull=True, fetched__isnull=True)
        .exclude(work__state__in=["draft", "withdrawn", "rejected"])
        .select_related("work", "episode", "work__entrant")
        .order_by("valid_until", "pk")
    )


def links_expiring(campaign: object, at: datetime | None = None, days: int = REMIND_DAYS) -> list[CloudLink]:
    today = timezone.localtime(at or timezone.now()).date()
    return [link for link in links_to_fetch(campaign) if link.valid_until <= today + timedelta(days=days)]


def mark_fetched(link: CloudLink, attachment: Attachment) -> None:
    link.fetched = attachment
    link.fetched_at = timezone.now()
    link.save(update_fields=["fetched", "fetched_at"])


def remind_organisers(at: datetime | None = None) -> int:
    """E-mail each campaign's organisers the links about to run out; each link once a day at most.

    Run daily (``python -m guangying remind_cloud_links``, e.g. from cron): a
    code that lapses before the file is fetched loses the work's video.
    """
    from django.conf import settings
    from django.core.mail import send_mail

    from guangying.campaigns.models import Campaign, CampaignRole

    now = at or timezone.now()
    sent = 0
    campaigns = Campaign.objects.filter(works__cloud_links__superseded_at__isnull=True).distinct()
    for campaign in campaigns:
        due = [link for link in links_expiring(campaign, now)
               if link.reminded_at is None or now - link.reminded_at >= timedelta(hours=20)]
        if not due:
            continue
        addresses = sorted({
            role.user.email for role in CampaignRole.objects.filter(
                campaign=campaign, role=CampaignRole.Role.ORGANISER).select_related("user")
            if role.user.email
        })
        if not addresses:
            continue
        lines = [
            f"· {link.work}（{link.work.entrant}）第 {link.episode.number} 集：{link.url}"
            f"{'  提取码 ' + link.code if link.code else ''}  有效期至 {link.valid_until.isoformat()}"
            for link in due
        ]
        send_mail(
            subject=_("【%(c)s】%(n)s 个网盘链接即将失效") % {"c": campaign, "n": len(due)},
            message=_("以下作品以网盘链接报送视频，提取码即将失效，请尽快取回文件并在平台上附上：")
            + "\n\n" + "\n".join(lines) + "\n\n" + f"{settings.SITE_URL}",
            from_email=None,
            recipient_list=addresses,
        )
        CloudLink.objects.filter(pk__in=[link.pk for link in due]).update(reminded_at=now)
        sent += 1
    return sent
