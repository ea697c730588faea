"""HTTP Range requests (RFC 9110 §14), for seeking in a video without fetching it whole.

One range is answered with 206; a range no byte of the file satisfies with
416; a header that is not a valid byte-range set is ignored (the whole file,
200), as the RFC allows; several ranges are answered with the whole file
too, which the RFC permits and every player accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class Unsatisfiable(Exception):
    """Valid ranges, none of which overlaps the file: 416."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The one range to send, or None for the whole file; raises Unsatisfiable for 416."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        return None  # another unit or no set at all: ignored
    parts = spec.split(",")
    ranges: list[ByteRange] = []
    for part in parts:
        match = _SPEC.match(part)
        if not match or not (match.group(1) or match.group(2)):
            return None  # not a byte-range set: ignored
        first, last = match.group(1), match.group(2)
        if first:
            start = int(first)
            end = int(last) if last else size - 1
            if last and end < start:
                return None  # "500-100" is invalid syntax, not an empty range
            if start >= size:
                continue
            ranges.append(ByteRange(start, min(end, size - 1)))
        else:
            suffix = int(last)
            if suffix == 0 or size == 0:
                continue
            ranges.append(ByteRange(max(0, size - suffix), size - 1))
    if not ranges:
        raise Unsatisfiable
    if len(parts) > 1:
        return None  # several ranges: the whole file
    return ranges[0]
