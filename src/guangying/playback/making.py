"""Making a rendition: the file to local disk, the limited child, the results to storage.

Nothing the file does raises here: a video that cannot be read leaves a
rendition marked failed with the child's reason, which the page shows.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from guangying.inspection.rendition import run_rendition_child
from guangying.submissions.models import Attachment

from .models import Rendition
from .storage import NoRoom, local_copy, temp_dir

logger = logging.getLogger(__name__)


def _claim(attachment: Attachment) -> Rendition:
    with transaction.atomic():
        rendition, _created = Rendition.objects.get_or_create(attachment=attachment)
        rendition.status = Rendition.Status.RUNNING
        rendition.error = rendition.error_en = ""
        rendition.save(update_fields=["status", "error", "error_en"])
    return rendition


def _fail(rendition: Rendition, message: str, message_en: str) -> Rendition:
    rendition.status = Rendition.Status.FAILED
    rendition.error, rendition.error_en = message[:500], message_en[:500]
    rendition.finished_at = timezone.now()
    rendition.save()
    return rendition


def make(attachment: Attachment, *, force_preview: bool = False) -> Rendition:
    """The rendition of one video file, made again from scratch."""
    rendition = _claim(attachment)
    for field in (rendition.preview, rendition.poster, rendition.contact_sheet):
        if field:
            field.delete(save=False)
    storage = attachment.file.storage
    try:
        with local_copy(storage, attachment.file.name, attachment.size) as path, \
                tempfile.TemporaryDirectory(prefix="guangying-rendition-", dir=temp_dir()) as out:
            result = run_rendition_child(path, out, force_preview=force_preview)
            if result.problem:
                return _fail(rendition, result.problem, result.problem_en or "")
            folder = Path(out)
            for field, name, stored in (
                (rendition.preview, result.preview, "preview.mp4"),
                (rendition.poster, result.poster, "poster.jpg"),
                (rendition.contact_sheet, result.contact_sheet, "sheet.jpg"),
            ):
                if name:
                    with (folder / name).open("rb") as handle:
                        field.save(stored, File(handle), save=False)
            rendition.preview_size = (folder / result.preview).stat().st_size if result.preview else None
    except NoRoom:
        return _fail(rendition, "临时磁盘空间不足，未能生成播放版本",
                     "Not enough temporary disk space to make the rendition")
    except FileNotFoundError:
        return _fail(rendition, "视频文件已不存在", "The video file no longer exists")
    rendition.playable_original = result.playable
    rendition.reason = result.reason[:300]
    rendition.width, rendition.height = result.width, result.height
    rendition.duration_s = result.duration_s
    rendition.sheet_times = result.sheet_times
    rendition.status = Rendition.Status.READY
    rendition.finished_at = timezone.now()
    rendition.save()
    logger.info("rendition of attachment %s ready in %.1f s (%s)", attachment.pk, result.elapsed_s,
                "original" if result.playable else "preview")
    return rendition
