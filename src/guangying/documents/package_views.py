"""An entrant's package for download: its members from the entrant's page, the organiser from the units list.

To anyone else the package does not exist (404), as for every other file of
a work. The archive is made while it is sent; its length is announced, so
the browser shows how much of a large download is left.
"""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from guangying.campaigns.models import Entrant

from .packages import entrant_package


def attachment_disposition(file_name: str, fallback: str) -> str:
    """Content-Disposition with the Chinese name (RFC 6266 ``filename*``), an ASCII one for old clients."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


@login_required
@require_GET
def package(request: HttpRequest, slug: str, pk: int) -> StreamingHttpResponse:
    entrant = get_object_or_404(Entrant.objects.select_related("campaign"), pk=pk, campaign__slug=slug)
    if not request.user.has_perm("documents.download_package", entrant):
        raise Http404
    made = entrant_package(entrant)
    response = StreamingHttpResponse(made, content_type="application/zip")
    response["Content-Disposition"] = attachment_disposition(made.file_name, f"package-{entrant.pk}.zip")
    if made.size is not None:
        response["Content-Length"] = str(made.size)
    response["Cache-Control"] = "private, no-store"
    return response
