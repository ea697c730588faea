"""The tus endpoint: each request parsed by protocol.py and judged by sessions.py."""

from collections.abc import Callable
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import protocol, sessions
from .protocol import ProtocolError


def _response(status: int = 204, message: str = "", **headers: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = protocol.TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _options() -> HttpResponse:
    return _response(
        204,
        Tus_Version=protocol.TUS_VERSION,
        Tus_Extension=",".join(protocol.EXTENSIONS),
        Tus_Max_Size=str(sessions.max_size()),
        Tus_Checksum_Algorithm=",".join(protocol.CHECKSUM_ALGORITHMS),
    )


def _csrf_refusal(request: HttpRequest) -> bool:
    """Django's own CSRF check, answered in the protocol's terms instead of an HTML page."""
    def callback(r: HttpRequest) -> None:
        return None

    return CsrfViewMiddleware(callback).process_view(request, callback, (), {}) is not None


def _guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Version, sign-in and CSRF for every request; ProtocolError becomes its status and message."""

    @csrf_exempt
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method == "OPTIONS":
            return _options()
        if request.headers.get("Tus-Resumable") != protocol.TUS_VERSION:
            return _response(412, _("不支持的上传协议版本，请刷新页面后重试。"),
                             Tus_Version=protocol.TUS_VERSION)
        if not request.user.is_authenticated:
            return _response(403, _("登录已失效，请重新登录后继续上传。"))
        if request.method not in ("HEAD", "GET") and _csrf_refusal(request):
            return _response(403, _("页面已过期（安全校验未通过），请刷新页面后继续上传。"))
        try:
            return view(request, *args, **kwargs)
        except ProtocolError as error:
            return _response(error.status, error.message)

    return wrapped


@_guard
def create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _response(405, _("不支持的请求方法。"), Allow="POST, OPTIONS")
    if "Upload-Defer-Length" in request.headers:
        raise ProtocolError(400, _("不支持延后声明文件大小，请在开始时提供 Upload-Length。"))
    length = protocol.parse_length(request.headers.get("Upload-Length"), "Upload-Length")
    metadata = protocol.parse_metadata(request.headers.get("Upload-Metadata"))
    upload = sessions.create_upload(request.user, metadata, length)
    location = request.build_absolute_uri(reverse("uploads:resource", kwargs={"pk": upload.pk}))
    return _response(201, Location=location, Upload_Offset="0",
                     Upload_Expires=protocol.http_date(upload.expires_at))


@_guard
def resource(request: HttpRequest, pk: UUID) -> HttpResponse:
    upload = sessions.get_upload(request.user, pk)
    if request.method == "HEAD":
        sessions.check_may_continue(request.user, upload)
        headers = {"Upload_Offset": str(upload.offset), "Upload_Length": str(upload.length)}
        if upload.state == upload.State.RECEIVING:
            headers["Upload_Expires"] = protocol.http_date(upload.expires_at)
        return _response(200, **headers)
    if request.method == "PATCH":
        if request.content_type != protocol.OFFSET_CONTENT_TYPE:
            raise ProtocolError(415, _("上传数据的 Content-Type 必须是 %(type)s。") % {
                "type": protocol.OFFSET_CONTENT_TYPE})
        offset = protocol.parse_length(request.headers.get("Upload-Offset"), "Upload-Offset")
        if "Content-Length" not in request.headers:
            raise ProtocolError(411, _("缺少 Content-Length 请求头。"))
        content_length = protocol.parse_length(request.headers.get("Content-Length"), "Content-Length")
        checksum = protocol.parse_checksum(request.headers.get("Upload-Checksum"))
        sessions.check_may_continue(request.user, upload)
        upload = sessions.append(request.user, upload, request.read, offset=offset,
                                 content_length=content_length, checksum=checksum)
        headers = {"Upload_Offset": str(upload.offset)}
        if upload.state == upload.State.RECEIVING:
            headers["Upload_Expires"] = protocol.http_date(upload.expires_at)
        return _response(204, **headers)
    if request.method == "DELETE":
        sessions.terminate(upload)
        return _response(204)
    return _response(405, _("不支持的请求方法。"), Allow="HEAD, PATCH, DELETE, OPTIONS")
