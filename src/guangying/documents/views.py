"""Downloading the notices' forms, lists and the published list, filled from the data.

Each download is made when it is asked for, so it always shows the form as it stands. To
anyone not allowed to see the work, entrant or campaign, the document does not exist (404),
as for every other file of the platform; anonymous people are sent to log in first.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from guangying.campaigns.models import Campaign, Entrant
from guangying.submissions.models import HANDED_IN_STATES, Work, WorkState

from . import published, word
from .pdf import PdfError, SofficeMissing, to_pdf

_UNSAFE = set('/\\:*?"<>|')
MAX_STEM = 100


def download_name(name: str) -> str:
    """A file name every system accepts: no path characters, no control characters, not too long."""
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    cleaned = "".join("_" if c in _UNSAFE or unicodedata.category(c)[0] == "C" else c for c in stem)
    cleaned = " ".join(cleaned.split()).strip(" .")[:MAX_STEM] or "document"
    return f"{cleaned}.{suffix}" if suffix else cleaned


def file_response(content: bytes, file_name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, download_name(file_name))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf_failed(request: HttpRequest, error: PdfError) -> HttpResponse:
    message = str(error) if isinstance(error, SofficeMissing) else _("暂时无法生成 PDF，请下载 Word 版本。")
    return render(request, "documents/pdf_failed.html", {"message": message, "detail": str(error)},
                  status=503)


def send(request: HttpRequest, document: word.GeneratedDocument, fmt: str) -> HttpResponse:
    """The document as .docx or .xlsx as made, or printed to PDF from its .docx."""
    if fmt == "pdf":
        if not document.file_name.endswith(".docx"):
            raise Http404
        try:
            content = to_pdf(document.content)
        except PdfError as error:
            return _pdf_failed(request, error)
        return file_response(content, document.file_name.removesuffix(".docx") + ".pdf", word.PDF_TYPE)
    return file_response(document.content, document.file_name, document.content_type)


def _work(request: HttpRequest, pk: int) -> Work:
    work = get_object_or_404(Work.objects.select_related("campaign", "entrant"), pk=pk)
    if not request.user.has_perm("documents.download_work_documents", work):
        raise Http404
    return work


def _entrant(request: HttpRequest, pk: int) -> Entrant:
    entrant = get_object_or_404(Entrant.objects.select_related("campaign"), pk=pk)
    if not request.user.has_perm("documents.download_entrant_documents", entrant):
        raise Http404
    return entrant


def _campaign(request: HttpRequest, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    if not request.user.has_perm("documents.manage_campaign_documents", campaign):
        raise Http404
    return campaign


@login_required
@require_safe
def work_document(request: HttpRequest, pk: int, key: str, fmt: str) -> HttpResponse:
    work = _work(request, pk)
    if fmt not in ("docx", "pdf"):
        raise Http404
    document = word.work_document(work, key)
    if document is None:
        raise Http404
    return send(request, document, fmt)


@login_required
@require_safe
def entrant_page(request: HttpRequest, pk: int) -> HttpResponse:
    entrant = _entrant(request, pk)
    rules = entrant.campaign.rules
    return render(request, "documents/entrant.html", {
        "entrant": entrant, "campaign": entrant.campaign,
        "works": word.entrant_works(entrant),
        "work_specs": word.work_document_specs(rules),
        "entrant_specs": _extra_entrant_specs(rules),
        "summary_label": _summary_label(rules),
        "is_organiser": request.user.has_perm("documents.manage_campaign_documents", entrant.campaign),
    })


def _extra_entrant_specs(rules: Any) -> list[Any]:
    """Per-entrant documents other than the list of works, which the summary links already give."""
    listed = word.entrant_list_spec(rules)
    return [s for s in word.entrant_document_specs(rules) if s is not listed and s.layout]


def _summary_label(rules: Any) -> str:
    spec = word.entrant_list_spec(rules)
    return spec.label if spec is not None else word.SUMMARY_LABEL


@login_required
@require_safe
def entrant_summary(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    entrant = _entrant(request, pk)
    if fmt == "xlsx":
        return send(request, word.entrant_summary_xlsx(entrant), fmt)
    if fmt not in ("docx", "pdf"):
        raise Http404
    return send(request, word.entrant_summary(entrant), fmt)


@login_required
@require_safe
def entrant_document(request: HttpRequest, pk: int, key: str, fmt: str) -> HttpResponse:
    entrant = _entrant(request, pk)
    if fmt not in ("docx", "pdf"):
        raise Http404
    document = word.entrant_document(entrant, key)
    if document is None or not document.content:
        raise Http404
    return send(request, document, fmt)


@login_required
@require_safe
def campaign_page(request: HttpRequest, slug: str) -> HttpResponse:
    """「表格与名单」: every attachment of the notice, filled, for every work and entrant."""
    campaign = _campaign(request, slug)
    rules = campaign.rules
    live = Work.objects.exclude(state=WorkState.WITHDRAWN).order_by("created_at", "pk")
    entrants = (campaign.entrants.order_by("kind", "name", "pk")
                .prefetch_related(Prefetch("works", queryset=live, to_attr="live_works")))
    handed_in = Work.objects.filter(campaign=campaign, state__in=HANDED_IN_STATES).count()
    passed = Work.objects.filter(campaign=campaign, state=WorkState.PASSED).count()
    return render(request, "documents/campaign.html", {
        "campaign": campaign, "entrants": entrants, "work_specs": word.work_document_specs(rules),
        "entrant_specs": _extra_entrant_specs(rules), "summary_label": _summary_label(rules),
        "handed_in": handed_in, "passed": passed, "published_title": published.default_title(rules),
    })


@login_required
@require_safe
def campaign_summary(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    campaign = _campaign(request, slug)
    if fmt == "xlsx":
        return send(request, word.campaign_summary_xlsx(campaign), fmt)
    if fmt not in ("docx", "pdf"):
        raise Http404
    return send(request, word.campaign_summary(campaign), fmt)


@login_required
@require_safe
def published_list(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The published list: the released decisions once released; before, the draft of passed works.

    ``?staged=1`` previews the staged decisions, marked as a preview in the document and in its
    file's name, for the organiser. The released list says under its title who issues it and when.
    """
    from guangying.reviews import decisions

    campaign = _campaign(request, slug)
    if fmt not in ("docx", "pdf"):
        raise Http404
    order = [level.label for level in decisions.award_levels(campaign)]
    if request.GET.get("staged") == "1":
        return send(request, published.campaign_published_list(
            campaign, entries=decisions.staged_entries(campaign), subtitle=_("（预览稿，尚未公布）"),
            award_order=order, file_suffix=_("（预览稿）")), fmt)
    if decisions.is_released(campaign):
        return send(request, published.campaign_published_list(
            campaign, entries=decisions.released_entries(campaign), award_order=order,
            subtitle=decisions.released_subtitle(campaign)), fmt)
    return send(request, published.campaign_published_list(campaign), fmt)
