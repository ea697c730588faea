"""The player's files: the video with HTTP Range, the poster and the contact sheet.

Every request is checked against the named rules; to anyone not allowed the
file does not exist (404), and the addresses carry nothing but the file's
number, so nothing can be reached by guessing. The bytes are streamed from
storage in pieces, local disk and S3 alike.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_GET, require_http_methods

from guangying.campaigns.models import Campaign, CampaignRole
from guangying.submissions.models import HANDED_IN_STATES, Attachment, Work

from .models import Rendition
from .ranges import ByteRange, Unsatisfiable, parse_range
from .storage import iter_range


def _attachment(request: HttpRequest, pk: int) -> Attachment:
    attachment = get_object_or_404(
        Attachment.objects.select_related("work__campaign", "work__entrant", "rendition"), pk=pk
    )
    if not request.user.has_perm("playback.watch_video", attachment):
        raise Http404
    return attachment


def _rendition(attachment: Attachment) -> Rendition:
    rendition = getattr(attachment, "rendition", None)
    if rendition is None or rendition.status != Rendition.Status.READY:
        raise Http404
    return rendition


def _if_range_matches(value: str, etag: str, modified: datetime) -> bool:
    """If-Range: a strong validator equal to ours, or exactly our Last-Modified date."""
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == etag
    when = parse_http_date_safe(value)
    return when is not None and when == int(modified.timestamp())


def _serve(request: HttpRequest, storage: object, name: str, size: int, etag: str,
           modified: datetime, content_type: str) -> HttpResponse:
    byte_range: ByteRange | None = None
    header = request.headers.get("Range")
    if header and "If-Range" in request.headers and not _if_range_matches(
        request.headers["If-Range"], etag, modified
    ):
        header = None  # the client's piece is of another version: send the whole of this one
    try:
        byte_range = parse_range(header, size)
    except Unsatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    start, length = (byte_range.start, byte_range.length) if byte_range else (0, size)
    if request.method == "HEAD":
        response: HttpResponse = HttpResponse(content_type=content_type)
    else:
        response = StreamingHttpResponse(
            iter_range(storage, name, start, start + length - 1), content_type=content_type
        )
    if byte_range:
        response.status_code = 206
        response["Content-Range"] = byte_range.content_range(size)
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


def _etag(*parts: object) -> str:
    return '"' + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


@require_http_methods(["GET", "HEAD"])
def video(request: HttpRequest, pk: int) -> HttpResponse:
    """The original when browsers play it, else the preview; seeking through Range requests."""
    attachment = _attachment(request, pk)
    rendition = _rendition(attachment)
    if rendition.playable_original:
        field, size = attachment.file, attachment.size
        etag, modified = _etag(attachment.sha256), attachment.uploaded_at
    elif rendition.preview:
        field, size = rendition.preview, rendition.preview_size
        etag, modified = _etag(rendition.preview.name, size), rendition.finished_at or rendition.created_at
    else:
        raise Http404
    if size is None:
        size = field.storage.size(field.name)
    return _serve(request, field.storage, field.name, size, etag, modified, "video/mp4")


def _still(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    attachment = _attachment(request, pk)
    rendition = _rendition(attachment)
    field = getattr(rendition, which)
    if not field:
        raise Http404
    try:
        size = field.storage.size(field.name)
    except (FileNotFoundError, OSError):
        raise Http404 from None
    modified = rendition.finished_at or rendition.created_at
    return _serve(request, field.storage, field.name, size, _etag(field.name, size), modified, "image/jpeg")


@require_http_methods(["GET", "HEAD"])
def poster(request: HttpRequest, pk: int) -> HttpResponse:
    return _still(request, pk, "poster")


@require_http_methods(["GET", "HEAD"])
def contact_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _still(request, pk, "contact_sheet")


@require_GET
def watch(request: HttpRequest, pk: int) -> HttpResponse:
    """A work's videos for whoever may watch them: reviewers reach works through this page."""
    work = get_object_or_404(Work.objects.select_related("campaign", "entrant"), pk=pk)
    if not request.user.has_perm("playback.watch_work", work):
        raise Http404
    return render(request, "playback/watch.html", {"work": work, "campaign": work.campaign})


@require_GET
def campaign_works(request: HttpRequest, slug: str) -> HttpResponse:
    """The handed-in works of a campaign for its organisers; a reviewer's own assigned works."""
    campaign = get_object_or_404(Campaign, slug=slug)
    user = request.user
    if not user.is_authenticated or not (
        user.has_perm("campaigns.manage_campaign", campaign)
        or CampaignRole.objects.filter(campaign=campaign, user=user,
                                       role=CampaignRole.Role.REVIEWER).exists()
    ):
        raise Http404
    works = (
        Work.objects.filter(campaign=campaign, state__in=HANDED_IN_STATES)
        .filter(Q(attachments__kind=Attachment.VIDEO, attachments__superseded_at__isnull=True))
        .distinct().order_by("submitted_at", "pk")
    )
    if not user.has_perm("campaigns.manage_campaign", campaign):
        # A reviewer's list is the works assigned to them in a round that has begun.
        works = works.filter(review_assignments__reviewer=user).exclude(
            review_assignments__round__status="draft")
    return render(request, "playback/campaign_works.html", {"campaign": campaign, "works": works})
