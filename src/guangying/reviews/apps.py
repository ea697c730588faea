from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "guangying.reviews"
    label = "reviews"
    verbose_name = _("专家评审")

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (named rules)
