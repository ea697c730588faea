"""Background work for playback: renditions are made by the worker, never in a request."""

from django_tasks import task

from guangying.submissions.models import Attachment


@task()
def make_rendition(attachment_id: int) -> str:
    from .making import make

    attachment = Attachment.objects.filter(pk=attachment_id, kind=Attachment.VIDEO).first()
    if attachment is None:
        return "gone"  # the work was discarded before the worker came to it
    return make(attachment).status
