"""Resumable uploads that have not (yet) become a work's attachment.

The row holds what the client declared and how many bytes are safely on
disk; the bytes themselves live in a partial file named after the row's
random id, outside the media storage, until the last byte arrives.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guangying.submissions.models import Attachment, Episode, Work


def partial_dir() -> Path:
    """Beside the media folder by default, so that a finished file is renamed, not copied."""
    configured = getattr(settings, "GUANGYING_UPLOAD_DIR", None)
    return Path(configured) if configured else Path(settings.MEDIA_ROOT).parent / "partial-uploads"


class Upload(models.Model):
    class State(models.TextChoices):
        RECEIVING = "receiving", _("上传中")
        COMPLETE = "complete", _("已完成")
        REFUSED = "refused", _("已拒收")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    kind = models.CharField(max_length=60)
    filename = models.CharField(max_length=255)
    filetype = models.CharField(max_length=100, blank=True)
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECEIVING)
    detected_format = models.CharField(max_length=20, blank=True)
    refusal = models.TextField(blank=True)
    attachment = models.ForeignKey(Attachment, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("断点续传")
        verbose_name_plural = _("断点续传")
        indexes = [models.Index(fields=["user", "state"]), models.Index(fields=["state", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.offset}/{self.length})"

    @property
    def path(self) -> Path:
        return partial_dir() / f"{self.pk.hex}.part"
