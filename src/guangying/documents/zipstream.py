"""A ZIP archive written as it is sent: gigabytes of video, never a whole file in memory.

A unit's package holds its works' original videos, often several gigabytes in
all. The archive is produced piece by piece while the response goes out;
nothing is staged on disk and each stored byte is read once.

Why the structures are written here rather than with ``zipfile``: the
response announces its length (Content-Length, so the browser shows how much
is left of a 5 GB download), which needs the archive's exact size before the
first byte. ``zipfile`` decides ZIP64 and data descriptors per member by its
own guesses, which differ between Python versions; the few records below are
laid out by one rule, so :attr:`ZipStream.size` is known in advance and
matches what is sent.

How the CRC-32 is found:

* a video is streamed once and its CRC-32 follows in a data descriptor
  (general purpose bit 3). Reading it twice, once for the CRC and once to
  send it, would double the time before a large package finishes and the
  traffic from object storage; the sizes are still known in advance, so the
  length is too;
* a small compressed member (``deflate=True``, known size up to
  ``precompute_limit``) is read twice: once to learn its CRC and compressed
  size, once to send it, so the archive's length stays computable. If the
  second reading differs from the first, the stream stops with
  :class:`ZipStreamError` rather than send a damaged archive;
* a member given as bytes is already in memory: compressed once, sent as is.

Names are written in UTF-8 with general purpose bit 11 set, so Windows
Explorer, macOS and Info-ZIP's unzip show Chinese names as they are. Sizes or
offsets past 4 GiB use ZIP64 records.

No Django here: :class:`ZipStream` is an iterable of ``bytes``, which is what
``StreamingHttpResponse`` takes.
"""

from __future__ import annotations

import contextlib
import os
import struct
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

Source = bytes | str | os.PathLike | Callable[[], Iterable[bytes]]

LIMIT32 = 0xFFFFFFFF
LIMIT16 = 0xFFFF
CHUNK = 1024 * 1024
PRECOMPUTE_LIMIT = 64 * 1024 * 1024

_UTF8_FLAG = 1 << 11
_DESCRIPTOR_FLAG = 1 << 3
_STORED, _DEFLATED = 0, 8
_MADE_BY = (3 << 8) | 45  # Unix, so the permissions below apply; APPNOTE 4.5
_FILE_MODE = (0o100644 << 16)
_DIR_MODE = (0o040755 << 16) | 0x10  # and MS-DOS's directory attribute


class ZipStreamError(Exception):
    """A member's bytes were not what was announced; the archive being sent is incomplete."""


@dataclass(frozen=True)
class Member:
    """One file of the archive.

    ``source`` is the content as bytes, a path on local disk, or a function
    returning an iterable of byte chunks (called again for each reading, e.g.
    a ranged read from object storage). ``size`` is the number of bytes the
    source yields, when known; a wrong size stops the stream. A name ending in
    「/」 is a folder with no content. ``modified`` is written as wall-clock
    time, as ZIP keeps it.
    """

    name: str
    source: Source = b""
    size: int | None = None
    deflate: bool = False
    modified: datetime | None = None


@dataclass
class _Entry:
    member: Member
    name: bytes
    flags: int
    method: int
    dos_time: int
    dos_date: int
    external: int
    data: bytes | None = None  # the member's bytes as sent, when held in memory
    size: int | None = None
    compressed: int | None = None
    crc: int | None = None
    descriptor: bool = False
    zip64_local: bool = False
    offset: int = 0
    sent: dict = field(default_factory=dict)


def _dos(when: datetime) -> tuple[int, int]:
    if when.year < 1980:
        return 0, (1 << 5) | 1
    year = min(when.year, 2107)
    return (
        (when.hour << 11) | (when.minute << 5) | (when.second // 2),
        ((year - 1980) << 9) | (when.month << 5) | when.day,
    )


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not name or name in ("/",):
        raise ValueError(f"invalid member name {name!r}")
    if name.startswith("/") or "\\" in name or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError(f"invalid member name {name!r}")
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ValueError(f"invalid member name {name!r}")
    if len(name.encode("utf-8")) > LIMIT16:
        raise ValueError("member name too long")


def _deflater() -> zlib._Compress:
    return zlib.compressobj(6, zlib.DEFLATED, -15)


def _deflate_bound(size: int) -> int:
    """The most deflate may produce from ``size`` bytes (zlib's compressBound)."""
    return size + (size >> 12) + (size >> 14) + (size >> 25) + 13


def _read(source: Source, chunk_size: int) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield bytes(source)
        return
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            while chunk := handle.read(chunk_size):
                yield chunk
        return
    chunks = source()
    try:
        for chunk in chunks:
            if chunk:
                yield bytes(chunk)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


class ZipStream:
    """An archive of ``members``, produced while it is iterated; iterate it again to send it again.

    ``size`` is the archive's exact length, or None when a member's size is
    unknown or a large member is compressed.
    """

    def __init__(
        self,
        members: Iterable[Member],
        *,
        chunk_size: int = CHUNK,
        precompute_limit: int = PRECOMPUTE_LIMIT,
        now: datetime | None = None,
    ) -> None:
        self.chunk_size = chunk_size
        self.precompute_limit = precompute_limit
        now = now or datetime.now()
        self._entries: list[_Entry] = []
        seen: set[str] = set()
        for member in members:
            _check_name(member.name)
            key = member.name.rstrip("/").casefold()
            if key in seen:
                raise ValueError(f"two members named {member.name!r}")
            seen.add(key)
            self._entries.append(self._prepare(member, now))
        self._size = self._layout()

    @property
    def size(self) -> int | None:
        return self._size

    def __len__(self) -> int:
        return len(self._entries)

    def _prepare(self, member: Member, now: datetime) -> _Entry:
        encoded = member.name.encode("utf-8")
        flags = 0 if member.name.isascii() else _UTF8_FLAG
        dos_time, dos_date = _dos(member.modified or now)
        folder = member.name.endswith("/")
        entry = _Entry(
            member=member, name=encoded, flags=flags, dos_time=dos_time, dos_date=dos_date,
            method=_DEFLATED if member.deflate and not folder else _STORED,
            external=_DIR_MODE if folder else _FILE_MODE,
        )
        if folder:
            entry.data, entry.size, entry.compressed, entry.crc = b"", 0, 0, 0
        elif isinstance(member.source, bytes | bytearray | memoryview):
            raw = bytes(member.source)
            if member.size is not None and member.size != len(raw):
                raise ValueError(f"{member.name}: size {member.size} given for {len(raw)} bytes")
            entry.size, entry.crc = len(raw), zlib.crc32(raw)
            if entry.method == _DEFLATED:
                deflater = _deflater()
                raw = deflater.compress(raw) + deflater.flush()
            entry.data, entry.compressed = raw, len(raw)
        elif entry.method == _DEFLATED and member.size is not None and member.size <= self.precompute_limit:
            entry.size = member.size
            entry.crc, entry.compressed = self._measure(member)
        else:
            entry.size = member.size
            entry.compressed = member.size if entry.method == _STORED else None
            entry.descriptor = True
            entry.flags |= _DESCRIPTOR_FLAG
        largest = entry.compressed if entry.compressed is not None else (
            None if entry.size is None else _deflate_bound(entry.size)
        )
        entry.zip64_local = largest is None or max(largest, entry.size or 0) >= LIMIT32
        return entry

    def _measure(self, member: Member) -> tuple[int, int]:
        """CRC-32 and compressed size of a small member, from a first reading."""
        crc, size, compressed = 0, 0, 0
        deflater = _deflater()
        for chunk in _read(member.source, self.chunk_size):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            compressed += len(deflater.compress(chunk))
        compressed += len(deflater.flush())
        if size != member.size:
            raise ZipStreamError(f"{member.name}: {size} bytes read, {member.size} announced")
        return crc, compressed

    # -- records ------------------------------------------------------------------------------

    @staticmethod
    def _version(zip64: bool) -> int:
        return 45 if zip64 else 20

    def _local_header(self, entry: _Entry) -> bytes:
        if entry.descriptor:
            crc, compressed, size = 0, 0, 0
        else:
            crc, compressed, size = entry.crc, entry.compressed, entry.size
        extra = b""
        if entry.zip64_local:
            extra = struct.pack("<HHQQ", 1, 16, size, compressed)
            compressed = size = LIMIT32
        return struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, self._version(entry.zip64_local), entry.flags, entry.method,
            entry.dos_time, entry.dos_date, crc, compressed, size, len(entry.name), len(extra),
        ) + entry.name + extra

    @staticmethod
    def _descriptor(entry: _Entry, crc: int, compressed: int, size: int) -> bytes:
        if entry.zip64_local:
            return struct.pack("<IIQQ", 0x08074B50, crc, compressed, size)
        return struct.pack("<IIII", 0x08074B50, crc, compressed, size)

    def _central_header(self, entry: _Entry, crc: int, compressed: int, size: int) -> bytes:
        values, fields = [size, compressed, entry.offset], []
        for index, value in enumerate(values):
            if value >= LIMIT32:
                fields.append(value)
                values[index] = LIMIT32
        extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if fields else b""
        zip64 = bool(fields) or entry.zip64_local
        return struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, _MADE_BY, self._version(zip64), entry.flags, entry.method,
            entry.dos_time, entry.dos_date, crc, values[1], values[0], len(entry.name), len(extra), 0, 0, 0,
            entry.external, values[2],
        ) + entry.name + extra

    @staticmethod
    def _end(count: int, directory_size: int, directory_offset: int) -> bytes:
        tail = b""
        if count >= LIMIT16 or directory_size >= LIMIT32 or directory_offset >= LIMIT32:
            record_offset = directory_offset + directory_size
            tail = struct.pack(
                "<IQHHIIQQQQ", 0x06064B50, 44, _MADE_BY, 45, 0, 0, count, count, directory_size,
                directory_offset,
            ) + struct.pack("<IIQI", 0x07064B50, 0, record_offset, 1)
        return tail + struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, min(count, LIMIT16), min(count, LIMIT16),
            min(directory_size, LIMIT32), min(directory_offset, LIMIT32), 0,
        )

    def _layout(self) -> int | None:
        """The archive's length, laid out exactly as :meth:`__iter__` writes it."""
        offset, central = 0, 0
        for entry in self._entries:
            if entry.compressed is None or entry.size is None:
                return None
            entry.offset = offset
            offset += len(self._local_header(entry)) + entry.compressed
            if entry.descriptor:
                offset += len(self._descriptor(entry, 0, entry.compressed, entry.size))
            central += len(self._central_header(entry, 0, entry.compressed, entry.size))
        return offset + central + len(self._end(len(self._entries), central, offset))

    # -- streaming ----------------------------------------------------------------------------

    def _body(self, entry: _Entry) -> Iterator[bytes]:
        """The member's data as sent; records what was actually read in ``entry.sent``."""
        member = entry.member
        if entry.data is not None:
            entry.sent = {"crc": entry.crc, "compressed": entry.compressed, "size": entry.size}
            yield entry.data
            return
        crc, size, compressed = 0, 0, 0
        deflater = _deflater() if entry.method == _DEFLATED else None
        for chunk in _read(member.source, self.chunk_size):
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            if member.size is not None and size > member.size:
                raise ZipStreamError(f"{member.name}: more than the {member.size} bytes announced")
            if deflater is not None:
                chunk = deflater.compress(chunk)
                if not chunk:
                    continue
            compressed += len(chunk)
            yield chunk
        if deflater is not None:
            tail = deflater.flush()
            compressed += len(tail)
            yield tail
        if member.size is not None and size != member.size:
            raise ZipStreamError(f"{member.name}: {size} bytes read, {member.size} announced")
        if not entry.descriptor and (crc, compressed) != (entry.crc, entry.compressed):
            raise ZipStreamError(f"{member.name}: changed between its two readings")
        if not entry.zip64_local and max(size, compressed) >= LIMIT32:
            raise ZipStreamError(f"{member.name}: larger than 4 GiB without ZIP64")
        entry.sent = {"crc": crc, "compressed": compressed, "size": size}

    def _pieces(self) -> Iterator[bytes]:
        offset = 0
        directory: list[bytes] = []
        for entry in self._entries:
            entry.offset = offset
            header = self._local_header(entry)
            yield header
            offset += len(header)
            for chunk in self._body(entry):
                offset += len(chunk)
                yield chunk
            sent = entry.sent
            if entry.descriptor:
                descriptor = self._descriptor(entry, sent["crc"], sent["compressed"], sent["size"])
                yield descriptor
                offset += len(descriptor)
            directory.append(self._central_header(entry, sent["crc"], sent["compressed"], sent["size"]))
        central = b"".join(directory)
        yield central
        yield self._end(len(self._entries), len(central), offset)

    def __iter__(self) -> Iterator[bytes]:
        """Pieces of about ``chunk_size`` bytes: small records are joined, large reads pass through."""
        pending = bytearray()
        pieces = self._pieces()
        with contextlib.closing(pieces):
            for piece in pieces:
                if len(piece) >= self.chunk_size:
                    if pending:
                        yield bytes(pending)
                        pending.clear()
                    yield piece
                    continue
                pending += piece
                if len(pending) >= self.chunk_size:
                    yield bytes(pending)
                    pending.clear()
        if pending:
            yield bytes(pending)
