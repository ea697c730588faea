from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "guangying.documents"
    label = "documents"
    verbose_name = _("表格与文件")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (named rules)
