from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "guangying.submissions"
    label = "submissions"
    verbose_name = _("作品报送")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from . import permissions  # noqa: F401  (registers the named rules)
        from .checking import on_attachment_saved
        from .models import Attachment

        post_save.connect(on_attachment_saved, sender=Attachment,
                          dispatch_uid="submissions.check_new_video")
