"""Queue renditions for videos that have none (uploaded before playback existed, or failed).

`python -m guangying renditions` queues the missing and failed ones;
`--all` makes every current video's rendition again.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from guangying.playback.models import Rendition
from guangying.playback.tasks import make_rendition
from guangying.submissions.models import Attachment


class Command(BaseCommand):
    help = "Queue the renditions (poster, contact sheet, preview) of videos that lack one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="make every current video's rendition again")

    def handle(self, *args: Any, **options: Any) -> None:
        videos = Attachment.objects.filter(kind=Attachment.VIDEO, superseded_at__isnull=True)
        if not options["all"]:
            ready = Rendition.objects.filter(status=Rendition.Status.READY).values("attachment_id")
            videos = videos.exclude(pk__in=ready)
        count = 0
        for pk in videos.values_list("pk", flat=True).iterator():
            Rendition.objects.get_or_create(attachment_id=pk)
            make_rendition.enqueue(pk)
            count += 1
        self.stdout.write(f"已排队 {count} 个视频的播放版本。")
