from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlaybackConfig(AppConfig):
    name = "guangying.playback"
    label = "playback"
    verbose_name = _("视频播放")

    def ready(self) -> None:
        from . import permissions, signals  # noqa: F401  (named rules; the rendition queued on upload)
