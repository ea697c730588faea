"""One rendition per video file: what the player is given for it.

The original is served when browsers play it as it is; otherwise a preview
made from it. Either way a poster and a contact sheet. The files live in the
same storage as the uploads (local disk or S3), under random names.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from guangying.submissions.models import Attachment


def rendition_path(instance: "Rendition", filename: str) -> str:
    """Random names beside nothing guessable: the files are reached only through the views."""
    work = instance.attachment.work
    suffix = filename[filename.rfind("."):] if "." in filename else ""
    return f"renditions/{work.campaign_id}/{work.pk}/{uuid.uuid4().hex}{suffix}"


class Rendition(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("等待生成")
        RUNNING = "running", _("正在生成")
        READY = "ready", _("可以播放")
        FAILED = "failed", _("无法生成")

    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, related_name="rendition")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    playable_original = models.BooleanField(_("原文件可直接播放"), default=False)
    reason = models.CharField(_("生成预览的原因"), max_length=300, blank=True)
    preview = models.FileField(upload_to=rendition_path, max_length=300, blank=True)
    preview_size = models.BigIntegerField(_("预览大小（字节）"), null=True, blank=True)
    poster = models.FileField(upload_to=rendition_path, max_length=300, blank=True)
    contact_sheet = models.FileField(upload_to=rendition_path, max_length=300, blank=True)
    sheet_times = models.JSONField(default=list, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    error = models.CharField(_("错误信息"), max_length=500, blank=True)
    error_en = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("播放版本")
        verbose_name_plural = _("播放版本")

    def __str__(self) -> str:
        return f"{self.attachment} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and (self.playable_original or bool(self.preview))
