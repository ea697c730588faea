"""The player of each current video of a work, for those allowed to watch it."""

from typing import Any

from django import template
from django.utils.translation import get_language

from guangying.submissions.models import Attachment, Work

from ..models import Rendition

register = template.Library()


@register.filter
def clock(seconds: float | None) -> str:
    whole = max(0, int(seconds or 0))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


@register.inclusion_tag("playback/players.html", takes_context=True)
def work_players(context: template.Context, work: Work) -> dict[str, Any]:
    user = context["request"].user
    english = (get_language() or "").startswith("en")
    videos = (
        Attachment.objects.filter(work=work, kind=Attachment.VIDEO, superseded_at__isnull=True)
        .select_related("episode", "work__campaign", "work__entrant")
        .order_by("episode__number", "pk")
    )
    players = []
    for attachment in videos:
        if not user.has_perm("playback.watch_video", attachment):
            continue
        rendition = Rendition.objects.filter(attachment=attachment).first()
        error = ""
        if rendition is not None and rendition.status == Rendition.Status.FAILED:
            error = (rendition.error_en if english and rendition.error_en else rendition.error)
        players.append({"attachment": attachment, "rendition": rendition, "error": error})
    return {"players": players, "work": work, "series": work.campaign.rules.series.allowed}
