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
        .order_by("episode__number", "uploaded_at", "pk")
    )
    # Per episode the oldest video not superseded is current; newer ones wait for their check
    # (submissions.checking.promote) and get no player of their own until they take over.
    current: dict[int | None, Attachment] = {}
    waiting: dict[int | None, list[Attachment]] = {}
    for attachment in videos:
        if attachment.episode_id in current:
            waiting.setdefault(attachment.episode_id, []).append(attachment)
        else:
            current[attachment.episode_id] = attachment
    players = []
    for attachment in current.values():
        if not user.has_perm("playback.watch_video", attachment):
            continue
        rendition = Rendition.objects.filter(attachment=attachment).first()
        error = ""
        if rendition is not None and rendition.status == Rendition.Status.FAILED:
            error = (rendition.error_en if english and rendition.error_en else rendition.error)
        players.append({"attachment": attachment, "rendition": rendition, "error": error,
                        "replacement": _replacement_state(waiting.get(attachment.episode_id, []))})
    return {"players": players, "work": work, "series": work.campaign.rules.series.allowed}


def _replacement_state(replacements: list[Attachment]) -> str:
    """'pending' while a newer video of the episode is being checked, 'failed' if its check could not run."""
    if not replacements:
        return ""
    from guangying.submissions.checking import video_check
    from guangying.submissions.models import Inspection

    full = video_check(replacements[-1]).full
    return "failed" if full is not None and full.status == Inspection.Status.FAILED else "pending"
