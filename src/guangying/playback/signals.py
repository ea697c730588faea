"""A new video file queues its rendition once the upload's transaction is committed.

Queued after the commit, the worker never looks for a file whose row a
rolled-back request took away.
"""

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from guangying.submissions.models import Attachment


def _enqueue(attachment_id: int) -> None:
    from .tasks import make_rendition

    make_rendition.enqueue(attachment_id)


@receiver(post_save, sender=Attachment, dispatch_uid="playback.queue_rendition")
def queue_rendition(sender: type, instance: Attachment, created: bool, **kwargs: Any) -> None:
    if not created or instance.kind != Attachment.VIDEO or kwargs.get("raw"):
        return
    from .models import Rendition

    Rendition.objects.get_or_create(attachment=instance)
    transaction.on_commit(partial(_enqueue, instance.pk))


def _remove_files(names: list[tuple[object, str]]) -> None:
    for storage, name in names:
        try:
            storage.delete(name)  # type: ignore[attr-defined]
        except Exception:  # a file already gone, or storage unreachable: the row is gone either way
            pass


@receiver(post_delete, sender="playback.Rendition", dispatch_uid="playback.remove_rendition_files")
def remove_rendition_files(sender: type, instance: Any, **kwargs: Any) -> None:
    """A deleted video's preview and stills go too, once the deletion is committed."""
    names = [(field.storage, field.name)
             for field in (instance.preview, instance.poster, instance.contact_sheet) if field]
    if names:
        transaction.on_commit(partial(_remove_files, names))
