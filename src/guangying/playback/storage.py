"""Files in whichever storage holds them, read in pieces.

A video can be several gigabytes and live on local disk or in S3. The
rendition child needs a path on local disk, so a file elsewhere is streamed
to a temporary file first (refused when the disk lacks room) and removed
afterwards. The player reads byte ranges: from S3 with a ranged GET, from
anything else by seeking, never the whole file at once.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage

CHUNK = 256 * 1024
DISK_MARGIN = 512 * 1024 * 1024  # left free on the temporary disk after a copy


class NoRoom(Exception):
    """The temporary disk cannot take a copy of the file."""


def _s3_object(storage: Storage, name: str) -> Any:
    try:
        from storages.backends.s3 import S3Storage
        from storages.utils import clean_name
    except ImportError:
        return None
    if not isinstance(storage, S3Storage):
        return None
    return storage.bucket.Object(storage._normalize_name(clean_name(name)))


def local_path(storage: Storage, name: str) -> str | None:
    """The file's own path when the storage is the local disk."""
    try:
        return storage.path(name)
    except NotImplementedError:
        return None


def temp_dir() -> str:
    folder = getattr(settings, "GUANGYING_WORK_TEMP_DIR", None) or tempfile.gettempdir()
    os.makedirs(folder, exist_ok=True)
    return folder


@contextlib.contextmanager
def local_copy(storage: Storage, name: str, size: int | None = None) -> Iterator[str]:
    """A path on local disk for the file: its own, or a temporary copy removed afterwards."""
    path = local_path(storage, name)
    if path is not None:
        yield path
        return
    folder = temp_dir()
    size = storage.size(name) if size is None else size
    if shutil.disk_usage(folder).free < size + DISK_MARGIN:
        raise NoRoom(folder)
    suffix = Path(name).suffix[:10]
    handle, copy = tempfile.mkstemp(prefix="guangying-", suffix=suffix, dir=folder)
    try:
        with os.fdopen(handle, "wb") as target:
            for chunk in iter_range(storage, name, 0, size - 1 if size else None):
                target.write(chunk)
        yield copy
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(copy)


def iter_range(storage: Storage, name: str, start: int, end: int | None) -> Iterator[bytes]:
    """Bytes start..end (inclusive; None: to the end) of a stored file, in pieces."""
    remaining = None if end is None else end - start + 1
    if remaining is not None and remaining <= 0:
        return
    s3 = _s3_object(storage, name)
    if s3 is not None:
        wanted = f"bytes={start}-" + ("" if end is None else str(end))
        body = s3.get(Range=wanted)["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()
        return
    with storage.open(name, "rb") as handle:
        handle.seek(start)
        while remaining is None or remaining > 0:
            chunk = handle.read(CHUNK if remaining is None else min(CHUNK, remaining))
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk
