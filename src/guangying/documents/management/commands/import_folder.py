"""`python -m guangying import-folder PATH --campaign ID`: works that arrived by e-mail.

A dry run unless confirmed: the plan is printed (per work its entrant, title,
videos, form read, pledge and script; then the files that fit nowhere, with
the reason), and works are created only with ``--yes`` or after 「确认导入？」
is answered with y at a terminal. Without a terminal and without ``--yes``
nothing is written.
"""

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from guangying.documents.importing import (
    ImportRefused,
    apply_import,
    find_campaign,
    parse_received,
    plan_import,
    render_plan,
    render_result,
)


class Command(BaseCommand):
    help = "Import works that arrived by e-mail from a folder (a dry run unless --yes)."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path",
                            help="folder of saved e-mail attachments (a sub-folder per e-mail, or flat)")
        parser.add_argument("--campaign", required=True, help="the campaign's slug or number")
        parser.add_argument("--yes", action="store_true", help="import without asking")
        parser.add_argument("--dry-run", action="store_true", help="only show what would be imported")
        parser.add_argument("--received", default="",
                            help="when the e-mails arrived, Beijing time (2026-11-20 or 2026-11-20 18:30); "
                                 "default: now")
        parser.add_argument("--user", default="", help="e-mail of the organiser recorded as importing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            campaign = find_campaign(options["campaign"])
            received = parse_received(options["received"], campaign) if options["received"] else None
            plan = plan_import(options["path"], campaign, received=received)
        except ImportRefused as error:
            raise CommandError(error.message) from None
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(email__iexact=options["user"].strip()).first()
            if user is None:
                raise CommandError(_("没有电子邮箱为「%(e)s」的用户。") % {"e": options["user"]})
        self.stdout.write(render_plan(plan))
        if not plan.to_create:
            self.stdout.write(_("没有需要导入的作品，未写入任何内容。"))
            return
        if options["dry_run"]:
            self.stdout.write(_("这是预演，没有写入任何内容。"))
            return
        if not options["yes"]:
            stdin = options.get("stdin") or sys.stdin
            if not (hasattr(stdin, "isatty") and stdin.isatty()):
                self.stdout.write(_("这是预演，没有写入任何内容。确认无误后加 --yes 执行导入。"))
                return
            self.stdout.write(_("确认导入？[y/N] "), ending="")
            self.stdout.flush()
            answer = (stdin.readline() or "").strip().lower()
            if answer not in ("y", "yes", "是", "确认"):
                self.stdout.write(_("已取消，没有写入任何内容。"))
                return
        result = apply_import(plan, user=user)
        self.stdout.write(render_result(result))
        if result.failed:
            raise CommandError(_("%(n)s 件作品导入失败，见上文。") % {"n": len(result.failed)}, returncode=1)
