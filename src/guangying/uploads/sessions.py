"""Resumable uploads as business: who may start one, how bytes are appended, when it ends.

The partial file on disk and the row in the database are kept in step: the
row's offset only ever counts bytes that were written (and, with a
checksum, verified), and every PATCH first cuts the file back to that
offset, so a server killed mid-request loses at most the bytes it had not
yet recorded. A non-blocking lock on the partial file keeps two requests
from writing one upload at once, without holding a database transaction
(and SQLite's write lock) open while gigabytes arrive.
"""

import fcntl
import hashlib
import logging
import os
import queue
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guangying.accounts.models import User
from guangying.submissions.models import Attachment, Episode, Work
from guangying.submissions.readiness import document_rule, video_rule
from guangying.submissions.sniffing import FORMAT_LABELS, HEAD_BYTES, sniff_head
from guangying.submissions.uploads import (
    FileRule,
    UploadRefused,
    human_size,
    safe_original_name,
    store_attachment,
)

from .models import Upload, partial_dir
from .protocol import CHECKSUM_MISMATCH, ProtocolError

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024
# Without a checksum, bytes that arrived are recorded every so often, so that a
# request cut off after 3 GB resumes near 3 GB, not at the offset it started from.
COMMIT_EVERY = 16 * 1024 * 1024


def expiry_hours() -> float:
    return float(getattr(settings, "GUANGYING_UPLOAD_EXPIRY_HOURS", 24))


def parallel_limit() -> int:
    return int(getattr(settings, "GUANGYING_UPLOAD_MAX_PARALLEL", 3))


def max_size() -> int:
    """The largest upload any slot may take, advertised as Tus-Max-Size."""
    return settings.GUANGYING_MAX_VIDEO_MB * 1024 * 1024


def _new_expiry() -> datetime:
    return timezone.now() + timedelta(hours=expiry_hours())


def slot_target(work: Work, slot: str) -> tuple[str, Episode | None, FileRule]:
    """The slot names of the plain upload view: `video-<episode id>` or a document's key."""
    rules = work.campaign.rules
    if slot.startswith("video-"):
        number = slot.removeprefix("video-")
        episode = Episode.objects.filter(pk=int(number), work=work).first() if number.isdigit() else None
        if episode is None:
            raise ProtocolError(404, _("找不到要上传的分集。"))
        return Attachment.VIDEO, episode, video_rule(rules)
    rule = document_rule(rules, slot)
    if rule is None:
        raise ProtocolError(404, _("本作品没有名为「%(slot)s」的材料。") % {"slot": slot[:60]})
    return slot, None, rule


def _rule_for(upload: Upload) -> FileRule:
    rules = upload.work.campaign.rules
    if upload.kind == Attachment.VIDEO:
        return video_rule(rules)
    rule = document_rule(rules, upload.kind)
    if rule is None:
        raise ProtocolError(410, _("这份材料已不在活动要求之列，上传已取消。"))
    return rule


def _may_edit(user: User, work: Work) -> None:
    if not user.has_perm("submissions.view_work", work):
        raise ProtocolError(404, _("找不到该作品。"))
    if not user.has_perm("submissions.change_work", work):
        raise ProtocolError(403, _("作品当前不能修改（已提交、已审查或已过截止时间），上传未被接受。"))


def _too_large(rule: FileRule, size: int) -> ProtocolError:
    return ProtocolError(413, _("「%(label)s」文件过大：%(size)s，上限为 %(limit)s。") % {
        "label": rule.label, "size": human_size(size), "limit": human_size(rule.max_bytes)})


def create_upload(user: User, metadata: dict[str, str], length: int) -> Upload:
    """Checks everything that can be known before the first byte, then reserves the upload."""
    sweep_expired()
    work_id = metadata.get("work", "")
    if not work_id.isdigit():
        raise ProtocolError(400, _("上传信息中缺少作品编号。"))
    work = Work.objects.select_related("campaign", "entrant").filter(pk=int(work_id)).first()
    if work is None:
        raise ProtocolError(404, _("找不到该作品。"))
    _may_edit(user, work)
    kind, episode, rule = slot_target(work, metadata.get("slot", ""))
    if length == 0:
        raise ProtocolError(400, _("「%(label)s」是空文件（0 字节），请检查后重新选择。") % {
            "label": rule.label})
    if length > rule.max_bytes:
        raise _too_large(rule, length)
    filename = safe_original_name(metadata.get("filename") or metadata.get("name"))
    with transaction.atomic():
        # The person's row orders their creations, so the limit holds for simultaneous clicks too.
        User.objects.select_for_update().filter(pk=user.pk).first()
        unfinished = Upload.objects.filter(
            user=user, state=Upload.State.RECEIVING, expires_at__gt=timezone.now()
        ).count()
        if unfinished >= parallel_limit():
            raise ProtocolError(429, _(
                "您已有 %(count)s 个文件正在上传，同时最多上传 %(limit)s 个。"
                "请等其中一个传完，或取消不需要的上传后再试。") % {
                "count": unfinished, "limit": parallel_limit()})
        upload = Upload.objects.create(
            user=user, work=work, episode=episode, kind=kind, filename=filename,
            filetype=(metadata.get("filetype") or "")[:100], length=length, expires_at=_new_expiry(),
        )
    folder = partial_dir()
    folder.mkdir(parents=True, exist_ok=True)
    upload.path.touch(mode=0o600)
    return upload


def get_upload(user: User, upload_id: Any) -> Upload:
    """Only the person who started an upload reaches it; to anyone else it does not exist."""
    upload = Upload.objects.select_related("work__campaign", "work__entrant").filter(
        pk=upload_id, user=user).first()
    if upload is None:
        raise ProtocolError(404, _("找不到这次上传，请重新选择文件上传。"))
    if upload.state == Upload.State.REFUSED:
        raise ProtocolError(410, upload.refusal or _("这次上传已被拒收，请重新选择文件上传。"))
    if upload.state == Upload.State.RECEIVING and upload.expires_at <= timezone.now():
        _discard(upload)
        raise ProtocolError(410, _("这次上传已过期（超过 %(hours)s 小时未继续），请重新上传。") % {
            "hours": f"{expiry_hours():g}"})
    return upload


def check_may_continue(user: User, upload: Upload) -> None:
    """Judged at every request: a work handed in or past its deadline takes no more bytes."""
    if upload.state == Upload.State.COMPLETE:
        return
    _may_edit(user, upload.work)
    rule = _rule_for(upload)
    if upload.length > rule.max_bytes:
        _refuse(upload, _too_large(rule, upload.length))


def _refuse(upload: Upload, error: ProtocolError) -> None:
    """The upload ends for good: its bytes are removed and later requests hear why."""
    Upload.objects.filter(pk=upload.pk).update(state=Upload.State.REFUSED, refusal=error.message)
    upload.path.unlink(missing_ok=True)
    raise error


def _check_format(upload: Upload, rule: FileRule, head: bytes) -> str:
    found = sniff_head(head)
    if found == "zip" and "docx" in rule.formats:
        return found  # told apart from a plain ZIP at completion, from the directory at the end
    if found not in rule.formats:
        wanted = pgettext("list separator", "、").join(
            str(FORMAT_LABELS.get(f, f.upper())) for f in rule.formats)
        _refuse(upload, ProtocolError(415, _(
            "「%(label)s」的文件内容是 %(found)s，不是要求的 %(wanted)s（只改扩展名不能改变文件格式）。") % {
            "label": rule.label, "found": str(FORMAT_LABELS.get(found, found)), "wanted": wanted}))
    return found


class _Lock:
    """An exclusive, non-blocking lock on the partial file, held for one request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = -1

    def __enter__(self) -> int:
        try:
            self.fd = os.open(self.path, os.O_RDWR)
        except FileNotFoundError:
            raise ProtocolError(410, _("这次上传的临时文件已不存在，请重新上传。")) from None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            raise ProtocolError(423, _("这个文件正在另一个窗口或请求中上传，请稍候。")) from None
        return self.fd

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


def _write_all(fd: int, data: bytes, position: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, position)
        view = view[written:]
        position += written


def append(
    user: User,
    upload: Upload,
    read: Callable[[int], bytes],
    *,
    offset: int,
    content_length: int,
    checksum: tuple[str, bytes] | None,
) -> Upload:
    """Appends one PATCH body at `offset`; the last byte turns the upload into an attachment."""
    if offset != upload.offset:
        raise ProtocolError(409, _("上传位置不一致（服务器已收到 %(have)s 字节），请刷新页面后继续。") % {
            "have": upload.offset})
    if upload.state == Upload.State.COMPLETE:
        if content_length:
            raise ProtocolError(413, _("文件已全部收到，不能再追加数据。"))
        return upload
    if offset + content_length > upload.length:
        raise ProtocolError(413, _("发送的数据超出了文件声明的大小（%(length)s 字节）。") % {
            "length": upload.length})
    rule = _rule_for(upload)
    with _Lock(upload.path) as fd:
        upload.refresh_from_db()
        if upload.state != Upload.State.RECEIVING:
            raise ProtocolError(409, _("这次上传已结束。"))
        if offset != upload.offset:
            raise ProtocolError(409, _("上传位置不一致（服务器已收到 %(have)s 字节），请刷新页面后继续。") % {
                "have": upload.offset})
        os.ftruncate(fd, offset)  # bytes past the recorded offset were never confirmed
        Upload.objects.filter(pk=upload.pk).update(expires_at=_new_expiry())
        position = _receive(upload, rule, fd, read, offset, content_length, checksum)
        upload.expires_at = _new_expiry()
        if position < upload.length:
            upload.offset = position
            Upload.objects.filter(pk=upload.pk).update(offset=position, expires_at=upload.expires_at)
        else:
            # The full offset is recorded with the attachment: a HEAD while the file is being
            # hashed and moved must not tell the client it is done.
            _finish(user, upload, rule, fd)
    return upload


class _Sink:
    """Consumes the body's chunks in a thread of its own while the request thread reads the socket.

    Reading a socket, writing a file and hashing each take a core's time; done in
    turn they divide the throughput of a multi-gigabyte body. The queue is short, so
    at most a few megabytes wait in memory whatever the body's size.
    """

    def __init__(self, consume: Callable[[int, bytes], None]) -> None:
        self.consume = consume
        self.queue: queue.Queue[tuple[int, bytes] | None] = queue.Queue(maxsize=4)
        self.done_to = -1
        self.error: OSError | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            try:
                if item is None:
                    return
                if self.error is None:
                    position, data = item
                    try:
                        self.consume(position, data)
                        self.done_to = position + len(data)
                    except OSError as error:
                        self.error = error
            finally:
                self.queue.task_done()

    def put(self, position: int, data: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((position, data))

    def drain(self) -> None:
        self.queue.join()
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()


class _RunningDigests:
    """The SHA-256 of each upload's bytes so far, kept by the process that received them.

    A hash state cannot be stored in the database, so the whole file used to be
    read again after its last byte. When the PATCHes of an upload reach the same
    process in order (the usual case), the digest is ready the moment the last byte
    is written. Any gap (a restart, another worker, a failed request) simply means
    no entry, and the file is hashed from disk as before. Bytes below an upload's
    recorded offset never change, so an entry for offset N stays true.
    """

    LIMIT = 64

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[Any, tuple[int, Any]] = {}

    def take(self, upload_id: Any, offset: int) -> Any | None:
        with self.lock:
            entry = self.entries.pop(upload_id, None)
        if entry is not None and entry[0] == offset:
            return entry[1]
        return hashlib.sha256() if offset == 0 else None

    def keep(self, upload_id: Any, offset: int, digest: Any) -> None:
        with self.lock:
            self.entries.pop(upload_id, None)
            while len(self.entries) >= self.LIMIT:
                self.entries.pop(next(iter(self.entries)))
            self.entries[upload_id] = (offset, digest)

    def forget(self, upload_id: Any) -> None:
        with self.lock:
            self.entries.pop(upload_id, None)


_running = _RunningDigests()


class _ClientGone(Exception):
    pass


def _receive(upload: Upload, rule: FileRule, fd: int, read: Callable[[int], bytes], offset: int,
             content_length: int, checksum: tuple[str, bytes] | None) -> int:
    hasher = hashlib.new(checksum[0]) if checksum else None
    running = _running.take(upload.pk, offset)
    position = recorded = offset
    sniffed = offset >= min(HEAD_BYTES, upload.length)
    writer = _Sink(lambda at, data: _write_all(fd, data, at))
    digester = _Sink(lambda at, data: running.update(data)) if running is not None else None
    sinks = [s for s in (writer, digester) if s is not None]
    try:
        while position < offset + content_length:
            try:
                chunk = read(min(CHUNK, offset + content_length - position))
            except OSError:
                raise _ClientGone from None
            if not chunk:
                break
            for sink in sinks:
                sink.put(position, chunk)
            position += len(chunk)
            if hasher is not None:
                hasher.update(chunk)
            if not sniffed and position >= min(HEAD_BYTES, upload.length):
                sniffed = True
                writer.drain()
                upload.detected_format = _check_format(upload, rule, os.pread(fd, HEAD_BYTES, 0))
            if (hasher is None and position - recorded >= COMMIT_EVERY
                    and recorded < writer.done_to < upload.length):
                recorded = writer.done_to
                Upload.objects.filter(pk=upload.pk).update(offset=recorded)
        for sink in sinks:
            sink.drain()
    except _ClientGone:
        # The client went away mid-body: keep what arrived unless it had to be verified.
        for sink in sinks:
            sink.drain()
        if hasher is None and position < upload.length:
            Upload.objects.filter(pk=upload.pk).update(offset=position)
            if running is not None:
                _running.keep(upload.pk, position, running)
        else:
            os.ftruncate(fd, offset)
        raise ProtocolError(400, _("连接中断，数据未收完整，可以稍后继续上传。")) from None
    except BaseException:
        # A refusal, a full disk or a server error: nothing of this request counts.
        for sink in sinks:
            sink.close()
        os.ftruncate(fd, recorded)
        raise
    finally:
        for sink in sinks:
            sink.close()
    if hasher is not None:
        if position != offset + content_length or hasher.digest() != checksum[1]:
            os.ftruncate(fd, offset)
            raise ProtocolError(CHECKSUM_MISMATCH,
                                _("数据校验失败（传输中可能出错），这一段未保存，请重试。"))
    if running is not None:
        _running.keep(upload.pk, position, running)
    return position


class _PartialFile(UploadedFile):
    """The finished partial file, offered to storage as a temporary file so it is moved, not copied."""

    def __init__(self, path: Path, name: str, size: int, content_type: str) -> None:
        super().__init__(path.open("rb"), name=name, content_type=content_type, size=size)
        self._path = path

    def temporary_file_path(self) -> str:
        return str(self._path)

    def close(self) -> None:
        try:
            self.file.close()
        except FileNotFoundError:
            pass


def _finish(user: User, upload: Upload, rule: FileRule, fd: int) -> None:
    size = os.fstat(fd).st_size
    if size != upload.length:
        raise ProtocolError(409, _("服务器收到的数据量与文件大小不符，请重新上传。"))
    head = os.pread(fd, HEAD_BYTES, 0)
    upload.detected_format = _check_format(upload, rule, head)
    partial = _PartialFile(upload.path, upload.filename, size, upload.filetype)
    running = _running.take(upload.pk, size)
    try:
        # Sniffs again with the whole file, hashes it, moves it into storage and supersedes
        # the slot's previous file under the work's row lock: the same path as a plain upload.
        attachment = store_attachment(work=upload.work, kind=upload.kind, uploaded=partial, rule=rule,
                                      user=user, episode=upload.episode,
                                      sha256=running.hexdigest() if running is not None else None)
    except UploadRefused as refusal:
        partial.close()
        _refuse(upload, ProtocolError(415, refusal.message))
    partial.close()
    upload.state = Upload.State.COMPLETE
    upload.attachment = attachment
    upload.offset = size
    upload.completed_at = timezone.now()
    Upload.objects.filter(pk=upload.pk).update(
        state=upload.state, attachment=attachment, completed_at=upload.completed_at, offset=size,
        detected_format=upload.detected_format, expires_at=upload.expires_at)


def _discard(upload: Upload) -> None:
    _running.forget(upload.pk)
    upload.path.unlink(missing_ok=True)
    Upload.objects.filter(pk=upload.pk).delete()


def terminate(upload: Upload) -> None:
    """The client gives up: the bytes go at once. A finished upload's attachment stays."""
    if upload.state == Upload.State.RECEIVING and upload.path.exists():
        with _Lock(upload.path):  # a PATCH under way answers 423 to the DELETE
            _discard(upload)
    else:
        _discard(upload)


def sweep_expired(now: datetime | None = None) -> int:
    """Removes uploads nobody continued within the expiry time, and stray partial files."""
    now = now or timezone.now()
    removed = 0
    for upload in Upload.objects.filter(expires_at__lte=now):
        path = upload.path
        if upload.state == Upload.State.RECEIVING and path.exists():
            try:
                with _Lock(path):
                    _discard(upload)
            except ProtocolError as busy:
                if busy.status == 423:
                    continue  # being written right now
                _discard(upload)
        else:
            _discard(upload)
        removed += 1
    folder = partial_dir()
    if folder.is_dir():
        known = {u.hex for u in Upload.objects.values_list("pk", flat=True)}
        limit = now.timestamp() - expiry_hours() * 3600
        for path in folder.glob("*.part"):
            try:
                if path.stem not in known and path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
    return removed
