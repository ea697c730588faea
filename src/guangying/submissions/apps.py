from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "guangying.submissions"
    label = "submissions"
    verbose_name = _("作品报送")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the named rules)
