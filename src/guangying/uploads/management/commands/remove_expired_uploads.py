from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from guangying.uploads.sessions import expiry_hours, sweep_expired


class Command(BaseCommand):
    help = "Removes resumable uploads not continued within GUANGYING_UPLOAD_EXPIRY_HOURS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--enqueue", action="store_true",
                            help="queue the clean-up for the background worker instead")

    def handle(self, *args, **options) -> None:
        if options["enqueue"]:
            from guangying.uploads.tasks import remove_expired_uploads

            remove_expired_uploads.enqueue()
            self.stdout.write(_("已加入后台队列。"))
            return
        removed = sweep_expired()
        self.stdout.write(_("已清理 %(n)s 个超过 %(h)s 小时未继续的上传。") % {
            "n": removed, "h": f"{expiry_hours():g}"})
