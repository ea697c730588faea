"""Pages for cloud-drive links: the entrant hands one in, the organiser fetches and attaches the file."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from guangying.campaigns.views import campaign_for

from .cloud_links import (
    LinkInput,
    LinkRefused,
    accepts_links,
    links_expiring,
    links_to_fetch,
    mark_fetched,
    record_link,
)
from .models import Attachment, CloudLink, Episode
from .readiness import video_rule
from .uploads import SizeLimitedUploadHandler, UploadRefused, human_size, store_attachment
from .views import work_for


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except (AttributeError, ValueError):
        return None


@login_required
@require_POST
def hand_in_link(request: HttpRequest, pk: int, episode: int) -> HttpResponse:
    work = work_for(request, pk)
    the_episode = get_object_or_404(Episode, pk=episode, work=work)
    if not accepts_links(work.campaign.rules):
        raise Http404
    if not request.user.has_perm("submissions.change_work", work):
        messages.error(request, _("作品当前不能修改（已提交、已审查或已过截止时间）。"))
        return redirect(work)
    given = LinkInput(
        url=request.POST.get("url", "")[:2000],
        code=request.POST.get("code", "")[:200],
        valid_until=_date(request.POST.get("valid_until", "")),
    )
    try:
        link = record_link(work=work, episode=the_episode, given=given, user=request.user)
    except LinkRefused as refusal:
        for message in refusal.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已保存网盘链接，提取码有效期至 %(d)s。主办方取回文件后会进行自动检查。")
                         % {"d": link.valid_until.isoformat()})
    return redirect(work)


@login_required
def links_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Every link whose file is still to be fetched, the ones about to run out first."""
    campaign = campaign_for(request, slug, "campaigns.manage_campaign")
    expiring = {link.pk for link in links_expiring(campaign)}
    links = list(links_to_fetch(campaign))
    for link in links:
        link.expiring = link.pk in expiring
    return render(request, "submissions/cloud_links.html",
                  {"campaign": campaign, "links": links, "active": "links"})


@login_required
@require_POST
def attach_fetched(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(CloudLink.objects.select_related("work__campaign", "episode"), pk=pk)
    if not request.user.has_perm("submissions.check_work", link.work):
        raise Http404
    rule = video_rule(link.work.campaign.rules)
    handler = SizeLimitedUploadHandler(request, rule.max_bytes)
    request.upload_handlers.insert(0, handler)
    return _receive_fetched(request, link=link, rule=rule, handler=handler)


@csrf_protect
def _receive_fetched(request: HttpRequest, *, link: CloudLink, rule, handler) -> HttpResponse:
    back = redirect("submissions:cloud_links", link.work.campaign.slug)
    if handler.refused:
        messages.error(request, _("「%(label)s」文件过大，上限为 %(limit)s，文件未保存。")
                       % {"label": rule.label, "limit": human_size(rule.max_bytes)})
        return back
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("请选择要上传的文件。"))
        return back
    try:
        attachment = store_attachment(work=link.work, kind=Attachment.VIDEO, uploaded=uploaded, rule=rule,
                                      user=request.user, episode=link.episode)
    except UploadRefused as refusal:
        messages.error(request, refusal.message)
        return back
    mark_fetched(link, attachment)
    messages.success(request, _("已为「%(work)s」附上取回的视频，自动检查已开始。") % {"work": link.work})
    return back
