"""The tus 1.0 wire format: headers in, headers out, nothing about works or people.

Kept apart from the views so that every parsing rule (what counts as a
length, what metadata is well formed) is one small, testable function and
a hostile header becomes a ProtocolError with its status, never a 500.
"""

import base64
import binascii
import hashlib
import re
from datetime import datetime

from django.utils.http import http_date as django_http_date
from django.utils.translation import gettext as _

TUS_VERSION = "1.0.0"
EXTENSIONS = ("creation", "termination", "expiration", "checksum")
CHECKSUM_ALGORITHMS = ("sha256", "sha1", "md5")
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
CHECKSUM_MISMATCH = 460
_DIGITS = re.compile(r"[0-9]{1,19}")
_KEY = re.compile(r"[^\s,]+")


class ProtocolError(Exception):
    """A request the protocol refuses, with the status and a message for the person."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_length(value: str | None, header: str) -> int:
    """A non-negative decimal integer, as tus requires; signs, spaces and exponents are refused."""
    if value is None or value == "":
        raise ProtocolError(400, _("缺少 %(header)s 请求头。") % {"header": header})
    if not _DIGITS.fullmatch(value):
        raise ProtocolError(400, _("%(header)s 必须是非负整数。") % {"header": header})
    return int(value)


def parse_metadata(value: str | None) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64value` pairs, decoded as UTF-8."""
    result: dict[str, str] = {}
    if not value:
        return result
    if len(value) > 8192:
        raise ProtocolError(400, _("Upload-Metadata 过长。"))
    for pair in value.split(","):
        parts = pair.strip().split(" ")
        if len(parts) > 2 or not parts[0] or not _KEY.fullmatch(parts[0]):
            raise ProtocolError(400, _("Upload-Metadata 格式不正确。"))
        key = parts[0]
        if key in result:
            raise ProtocolError(400, _("Upload-Metadata 中的「%(key)s」重复。") % {"key": key})
        raw = parts[1] if len(parts) == 2 else ""
        try:
            decoded = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise ProtocolError(
                400, _("Upload-Metadata 中的「%(key)s」不是有效的 Base64 编码。") % {"key": key}
            ) from None
        result[key] = decoded
    return result


def parse_checksum(value: str | None) -> tuple[str, bytes] | None:
    """Upload-Checksum: `algorithm base64digest`; an algorithm we do not offer is a 400."""
    if not value:
        return None
    parts = value.strip().split(" ")
    if len(parts) != 2:
        raise ProtocolError(400, _("Upload-Checksum 格式不正确。"))
    algorithm, encoded = parts[0].lower(), parts[1]
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise ProtocolError(400, _("不支持的校验算法「%(name)s」。") % {"name": algorithm[:20]})
    try:
        digest = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ProtocolError(400, _("Upload-Checksum 不是有效的 Base64 编码。")) from None
    if len(digest) != hashlib.new(algorithm).digest_size:
        raise ProtocolError(400, _("Upload-Checksum 的长度与算法不符。"))
    return algorithm, digest


def http_date(moment: datetime) -> str:
    """RFC 7231 date in GMT, as Upload-Expires wants it."""
    return django_http_date(moment.timestamp())
