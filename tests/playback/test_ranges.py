"""The Range header as RFC 9110 reads it, without a server."""

import pytest

from guangying.playback.ranges import ByteRange, Unsatisfiable, parse_range

SIZE = 10_000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=-500", ByteRange(9_500, 9_999)),
        ("bytes=500-", ByteRange(500, 9_999)),
        ("bytes=9999-", ByteRange(9_999, 9_999)),
        ("bytes=0-99999", ByteRange(0, 9_999)),
        ("bytes=-20000", ByteRange(0, 9_999)),
        ("BYTES=1-2", ByteRange(1, 2)),
    ],
)
def test_one_range(header, expected):
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize("header", [None, "", "bytes=", "bytes=a-b", "bytes=-", "bytes=5-1", "items=0-1",
                                    "bytes 0-1", "bytes=0-1-2", "bytes=0-1,zz"])
def test_what_is_not_a_byte_range_set_is_ignored(header):
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize("header", ["bytes=10000-", "bytes=20000-30000", "bytes=-0", "bytes=10000-,-0"])
def test_nothing_of_the_file_is_416(header):
    with pytest.raises(Unsatisfiable):
        parse_range(header, SIZE)


def test_several_ranges_get_the_whole_file_and_an_empty_file_has_no_range():
    assert parse_range("bytes=0-1,5-6", SIZE) is None
    assert parse_range("bytes=0-1,20000-", SIZE) is None  # one of them is satisfiable
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=0-0", 0)


def test_content_range():
    assert ByteRange(0, 99).content_range(SIZE) == "bytes 0-99/10000"
    assert ByteRange(0, 99).length == 100
