from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "guangying.campaigns"
    label = "campaigns"
    verbose_name = _("征集活动")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the named rules)
