"""Queue again the video checks whose worker stopped, and check videos never checked."""

from django.core.management.base import BaseCommand

from guangying.submissions.checking import stale_after, sweep


class Command(BaseCommand):
    help = "Re-queue video checks whose heartbeat is stale; queue videos that were never checked."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than", type=float, default=None,
                            help="seconds without a heartbeat (default GUANGYING_INSPECTION_STALE_S)")

    def handle(self, *args, **options) -> None:
        from datetime import timedelta

        seconds = options["older_than"]
        older = timedelta(seconds=seconds) if seconds is not None else stale_after()
        count = sweep(older_than=older)
        self.stdout.write(f"{count} inspection(s) queued")
