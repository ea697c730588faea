"""Tell organisers which cloud-drive links run out soon: run it once a day."""

from django.core.management.base import BaseCommand

from guangying.submissions.cloud_links import remind_organisers


class Command(BaseCommand):
    help = "E-mail organisers the cloud-drive links whose extraction code runs out within a week."

    def handle(self, *args: object, **options: object) -> None:
        sent = remind_organisers()
        self.stdout.write(f"{sent} reminder(s) sent")
