"""Receiving files: size limits while the bytes arrive, type from content, SHA-256.

A plain form upload is spooled to a temporary file by Django (never kept
in memory past FILE_UPLOAD_MAX_MEMORY_SIZE) and then moved or copied into
storage in chunks. A replaced file is kept, marked as superseded: nothing a
unit sent is ever lost by sending another.
"""

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import Attachment, Episode, Work
from .sniffing import FORMAT_LABELS, sniff_stream
from .text import clean_text

CHUNK = 1024 * 1024
VIDEO_FORMATS = ["mp4", "mov", "mpeg"]


class UploadRefused(Exception):
    """A file we will not store, with the reason for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def human_size(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    if size >= 1024**2:
        return f"{size / 1024**2:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops reading a request as soon as it is known to exceed the limit.

    Without it a hostile or mistaken 50 GB upload would be written to the
    temporary folder in full before any view could refuse it.
    """

    def __init__(self, request: object, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.refused = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        # Known too large from the header: refuse the file's first chunk, so
        # nothing is spooled to disk. StopUpload must not be raised here: the
        # parser only catches it while reading parts, and here it would end
        # the request in a server error instead of the message.
        if content_length and content_length > self.limit + 64 * 1024:
            self.refused = True
            self.request.upload_refused = self.limit
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.refused or self.received > self.limit:
            self.refused = True
            self.request.upload_refused = self.limit
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def safe_original_name(name: str | None) -> str:
    """The name the sender gave, without folders or invisible characters."""
    base = clean_text(name or "", multiline=False)
    base = PureWindowsPath(PurePosixPath(base).name).name
    base = base.strip(" .") or "file"
    if len(base.encode("utf-8")) > 240:
        stem, dot, ext = base.rpartition(".")
        if not dot or len(ext) > 10:
            stem, ext = base, ""
        while len((stem + "." + ext).encode("utf-8")) > 240:
            stem = stem[:-1]
        base = f"{stem}.{ext}" if ext else stem
    return base


@dataclass(frozen=True)
class FileRule:
    """What one slot accepts: formats by content, and a size limit."""

    label: str
    formats: tuple[str, ...]
    max_bytes: int


def _sha256(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks(CHUNK):
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def store_attachment(
    *,
    work: Work,
    kind: str,
    uploaded: UploadedFile,
    rule: FileRule,
    user: object,
    episode: Episode | None = None,
    sha256: str | None = None,
) -> Attachment:
    """Check and keep one uploaded file; the previous file of the slot is kept as superseded.

    A video's predecessor is superseded later, when the new video's check has finished.
    `sha256` is the digest when the caller already hashed the bytes as they arrived
    (a resumable upload): reading a gigabyte again only to hash it would double the wait.
    """
    size = uploaded.size or 0
    if size == 0:
        raise UploadRefused(_("「%(label)s」是空文件（0 字节），请检查后重新选择。") % {"label": rule.label})
    if size > rule.max_bytes:
        raise UploadRefused(
            _("「%(label)s」文件过大：%(size)s，上限为 %(limit)s。")
            % {"label": rule.label, "size": human_size(size), "limit": human_size(rule.max_bytes)}
        )
    sniffed = sniff_stream(uploaded)
    if sniffed.format not in rule.formats:
        wanted = pgettext("list separator", "、").join(
            str(FORMAT_LABELS.get(f, f.upper())) for f in rule.formats
        )
        found = str(FORMAT_LABELS.get(sniffed.format, sniffed.format))
        raise UploadRefused(
            _("「%(label)s」的文件内容是 %(found)s，不是要求的 %(wanted)s（只改扩展名不能改变文件格式）。")
            % {"label": rule.label, "found": found, "wanted": wanted}
        )
    if sniffed.problem:
        raise UploadRefused(
            _("「%(label)s」：%(problem)s") % {"label": rule.label, "problem": sniffed.problem}
        )
    original_name = safe_original_name(uploaded.name)
    digest = sha256 or _sha256(uploaded)
    attachment = Attachment(
        work=work,
        episode=episode,
        kind=kind,
        original_name=original_name,
        size=size,
        sha256=digest,
        content_type=sniffed.content_type,
        detected_format=sniffed.format,
        uploaded_by=user,
    )
    attachment.file.save(original_name, uploaded, save=False)
    try:
        with transaction.atomic():
            # Two uploads into one slot at once: the lock orders them, the later one stays current.
            Work.objects.select_for_update().filter(pk=work.pk).first()
            # A new video takes over only once its check is done (checking.promote): until
            # then the previous one stays current, for the organiser and for handing in.
            if kind != Attachment.VIDEO:
                previous = Attachment.objects.filter(
                    work=work, kind=kind, episode=episode, superseded_at__isnull=True
                )
                previous.update(superseded_at=timezone.now())
            attachment.save()
            Work.objects.filter(pk=work.pk).update(updated_at=timezone.now())
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment
