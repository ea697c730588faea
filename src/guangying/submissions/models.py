"""Works, their episodes and files, and the record of every change of state.

The business rules (who may do what, when, within which quota) live in
`workflow.py` and `readiness.py`; the models only hold what happened.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guangying.campaigns.models import Campaign, Entrant


class WorkState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("退回修改")
    PASSED = "passed", _("形式审查通过")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤销")


# States in which a work holds one of its entrant's places. A draft holds one
# too: a unit creates works up to its quota, as the notices count them.
QUOTA_STATES = [
    WorkState.DRAFT,
    WorkState.SUBMITTED,
    WorkState.RETURNED,
    WorkState.PASSED,
]
# States that count against the quota when a work is handed in: a unit may
# keep more drafts than places only if the organiser lowered its quota.
HANDED_IN_STATES = [WorkState.SUBMITTED, WorkState.RETURNED, WorkState.PASSED]


class WorkQuerySet(models.QuerySet["Work"]):
    def visible_to(self, user: object) -> "WorkQuerySet":
        """Works a person may list: their entrants' works and the campaigns they organise."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(
            models.Q(entrant__memberships__user=user)
            | models.Q(campaign__roles__user=user, campaign__roles__role="organiser")
        ).distinct()

    def holding_quota(self) -> "WorkQuerySet":
        return self.filter(state__in=QUOTA_STATES)


class Work(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="works")
    entrant = models.ForeignKey(Entrant, on_delete=models.PROTECT, related_name="works")
    title = models.CharField(_("作品名称"), max_length=200)
    state = models.CharField(
        _("状态"), max_length=20, choices=WorkState.choices, default=WorkState.DRAFT
    )
    form_data = models.JSONField(_("表单内容"), default=dict, blank=True)
    categories = models.JSONField(_("类别"), default=dict, blank=True)
    uses_ai = models.BooleanField(_("使用人工智能生成合成内容"), default=False)
    deadline_extended_until = models.DateTimeField(_("单独延期至"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkQuerySet.as_manager()

    class Meta:
        verbose_name = _("作品")
        verbose_name_plural = _("作品")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["campaign", "state"])]

    def __str__(self) -> str:
        return self.title or str(_("（未命名作品）"))

    def get_absolute_url(self) -> str:
        return reverse("submissions:work", kwargs={"pk": self.pk})

    @property
    def deadline(self) -> datetime:
        closes = self.campaign.submission_closes_at
        if self.deadline_extended_until and self.deadline_extended_until > closes:
            return self.deadline_extended_until
        return closes

    def is_before_deadline(self, at: datetime | None = None) -> bool:
        return (at or timezone.now()) <= self.deadline

    def current_attachments(self) -> models.QuerySet["Attachment"]:
        return self.attachments.filter(superseded_at__isnull=True)


class Episode(models.Model):
    """One video of a work; a work that is not a series has exactly one."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="episodes")
    number = models.PositiveIntegerField(_("集号"))
    title = models.CharField(_("分集标题"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("分集")
        verbose_name_plural = _("分集")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["work", "number"], name="episode_number_unique")
        ]

    def __str__(self) -> str:
        return self.title or _("第 %(n)s 集") % {"n": self.number}

    def current_video(self) -> "Attachment | None":
        """The oldest video not yet superseded: a replacement takes over once it is checked."""
        return (
            self.attachments.filter(kind=Attachment.VIDEO, superseded_at__isnull=True)
            .order_by("uploaded_at", "pk")
            .first()
        )

    def replacements(self) -> list["Attachment"]:
        """Videos uploaded after the current one that have not taken over yet.

        Each waits for its check to end (`checking.promote`); one whose check could
        not run stays here and the current video stays current.
        """
        videos = list(
            self.attachments.filter(kind=Attachment.VIDEO, superseded_at__isnull=True)
            .order_by("uploaded_at", "pk")
        )
        return videos[1:]


# The stored file is named after what its content is, never after what the sender called it.
STORED_SUFFIX = {
    "pdf": ".pdf", "jpg": ".jpg", "png": ".png", "docx": ".docx", "doc": ".doc", "txt": ".txt",
    "mp4": ".mp4", "mov": ".mov", "mpeg": ".mpg",
}


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Stored names are random: the entrant's name for the file is kept in a column.

    Hostile or clashing names never reach the file system, and nobody can
    guess another work's path.
    """
    suffix = STORED_SUFFIX.get(instance.detected_format, "")
    return f"works/{instance.work.campaign_id}/{instance.work_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    VIDEO = "video"

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="attachments")
    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(_("材料类型"), max_length=60)
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.BigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    detected_format = models.CharField(_("识别格式"), max_length=20)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("submissions:download", kwargs={"pk": self.pk})


class WorkHistory(models.Model):
    """Who did what to a work, when and why; never edited, only appended."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        SUBMIT = "submit", _("提交")
        WITHDRAW = "withdraw", _("撤回修改")
        DISCARD = "discard", _("撤销作品")
        PASS = "pass", _("形式审查通过")
        RETURN = "return", _("退回修改")
        REJECT = "reject", _("不予受理")
        EXTEND = "extend", _("单独延期")
        REOPEN = "reopen", _("重新审查")
        WAIVE = "waive", _("豁免技术规则")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=WorkState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=WorkState.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("原因"), blank=True)

    class Meta:
        verbose_name = _("作品记录")
        verbose_name_plural = _("作品记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.work_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Inspection(models.Model):
    """One automatic check of one video, as the worker ran it; the report is the engine's JSON."""

    class Mode(models.TextChoices):
        METADATA = "metadata", _("文件头检查")
        FULL = "full", _("完整检查")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("检查中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("检查失败")

    attachment = models.ForeignKey(Attachment, on_delete=models.CASCADE, related_name="inspections")
    mode = models.CharField(_("检查方式"), max_length=10, choices=Mode.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.FloatField(_("进度"), default=0.0)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    report = models.JSONField(_("检查报告"), null=True, blank=True)
    outcome = models.CharField(_("结论"), max_length=10, blank=True)
    ruleset_fingerprint = models.CharField(_("规则指纹"), max_length=64)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("自动检查")
        verbose_name_plural = _("自动检查")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["attachment", "mode", "ruleset_fingerprint"], name="inspection_one_per_rules"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attachment_id} {self.mode} {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("submissions:report", kwargs={"pk": self.attachment_id})


class Waiver(models.Model):
    """The organiser accepts one failing hard rule for one work, with the reason on record."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="waivers")
    check_id = models.CharField(_("检查项"), max_length=60)
    reason = models.TextField(_("豁免理由"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("技术规则豁免")
        verbose_name_plural = _("技术规则豁免")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["work", "check_id"], name="waiver_one_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.work_id} {self.check_id}"


class CloudLink(models.Model):
    """A cloud-drive link standing in for a video too large to send, where the notice allows it.

    The organiser fetches the file from the drive and attaches it later; until
    then the link, its extraction code and how long the code stays valid are
    what the entrant handed in.
    """

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="cloud_links")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="cloud_links")
    url = models.URLField(_("网盘链接"), max_length=500)
    code = models.CharField(_("提取码"), max_length=20, blank=True)
    provider = models.CharField(_("网盘"), max_length=40, blank=True)
    valid_until = models.DateField(_("提取码有效期至"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    fetched = models.ForeignKey(
        Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    fetched_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("网盘链接")
        verbose_name_plural = _("网盘链接")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url
