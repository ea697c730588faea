"""A new video file queues its rendition once the upload's transaction is committed.

Queued after the commit, the worker never looks for a file whose row a
rolled-back request took away.
"""

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
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
