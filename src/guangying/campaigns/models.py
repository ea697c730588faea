"""Campaigns, the people who run them and the entrants who take part.

A campaign stores its rule set as data (the validated YAML the organiser
edited, and its parsed form); everything that differs between two notices
is read from there, never from the campaign's name.
"""

import secrets
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guangying.rulesets import RuleSet, parse_ruleset


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Campaign(models.Model):
    slug = models.SlugField(_("网址标识"), max_length=60, unique=True)
    title = models.CharField(_("活动名称"), max_length=200)
    short_title = models.CharField(_("简称"), max_length=60, blank=True)
    preset_key = models.CharField(_("来源模板"), max_length=80, blank=True)
    ruleset_text = models.TextField(_("规则集（YAML）"))
    ruleset_data = models.JSONField(_("规则集（已校验）"))
    is_published = models.BooleanField(_("已发布"), default=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("征集活动")
        verbose_name_plural = _("征集活动")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.short_title or self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", kwargs={"slug": self.slug})

    @cached_property
    def rules(self) -> RuleSet:
        return parse_ruleset(self.ruleset_data)

    def set_rules(self, text: str, rules: RuleSet) -> None:
        from guangying.rulesets import dump_ruleset

        self.ruleset_text = text
        self.ruleset_data = dump_ruleset(rules)
        self.title = rules.title
        self.short_title = rules.short_title
        self.__dict__.pop("rules", None)

    @property
    def submission_closes_at(self) -> datetime:
        return self.rules.submission_closes_at

    @property
    def submission_opens_at(self) -> datetime | None:
        return self.rules.submission_opens_at

    def is_open_for_submission(self, at: datetime | None = None) -> bool:
        at = at or timezone.now()
        opens = self.submission_opens_at
        return (opens is None or at >= opens) and at <= self.submission_closes_at


class CampaignRole(models.Model):
    class Role(models.TextChoices):
        ORGANISER = "organiser", _("主办方")
        REVIEWER = "reviewer", _("评审专家")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_roles"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    unit_name = models.CharField(
        _("所在单位"), max_length=200, blank=True,
        help_text=_("评审专家所在单位，用于回避本单位作品"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("活动角色")
        verbose_name_plural = _("活动角色")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user", "role"], name="one_role_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_role_display()} · {self.user}"


class Entrant(models.Model):
    """A submitting unit, or an individual entrant with the unit they belong to."""

    class Kind(models.TextChoices):
        UNIT = "unit", _("单位")
        INDIVIDUAL = "individual", _("个人")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entrants")
    kind = models.CharField(_("参赛主体"), max_length=20, choices=Kind.choices, default=Kind.UNIT)
    name = models.CharField(_("名称"), max_length=200)
    affiliation = models.CharField(_("所在单位"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    quota_max = models.PositiveIntegerField(
        _("报送上限"), null=True, blank=True, help_text=_("留空则按活动规则")
    )
    quota_min = models.PositiveIntegerField(
        _("报送下限"), null=True, blank=True, help_text=_("留空则按活动规则")
    )
    invitation_token = models.CharField(max_length=64, unique=True, default=new_token)
    invitation_active = models.BooleanField(_("邀请链接有效"), default=True)
    invited_at = models.DateTimeField(_("邀请邮件发送时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("报送主体")
        verbose_name_plural = _("报送主体")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "name", "affiliation"], name="entrant_unique_name"
            )
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.INDIVIDUAL and self.affiliation:
            return f"{self.name}（{self.affiliation}）"
        return self.name

    @property
    def max_works(self) -> int | None:
        if self.quota_max is not None:
            return self.quota_max
        return self.campaign.rules.quota.max

    @property
    def min_works(self) -> int | None:
        if self.quota_min is not None:
            return self.quota_min
        return self.campaign.rules.quota.min

    @property
    def unit_name(self) -> str:
        """The unit a work is credited to: the unit itself, or an individual's unit."""
        return self.name if self.kind == self.Kind.UNIT else self.affiliation

    def invitation_url(self) -> str:
        return reverse("campaigns:join", kwargs={"token": self.invitation_token})

    def regenerate_invitation(self) -> None:
        self.invitation_token = new_token()
        self.invitation_active = True


class EntrantMember(models.Model):
    entrant = models.ForeignKey(Entrant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="entrant_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("报送主体成员")
        verbose_name_plural = _("报送主体成员")
        constraints = [
            models.UniqueConstraint(fields=["entrant", "user"], name="one_membership_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.entrant}"


class StaffInvitation(models.Model):
    """A single-use link that makes its holder an organiser or reviewer of a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=CampaignRole.Role.choices)
    email = models.EmailField(_("电子邮箱"))
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit_name = models.CharField(_("所在单位"), max_length=200, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("专家/主办方邀请")
        verbose_name_plural = _("专家/主办方邀请")

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.email}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:accept_staff", kwargs={"token": self.token})
