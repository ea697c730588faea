"""The streamed ZIP opens in Python's zipfile, Info-ZIP's unzip and 7-Zip, byte for byte and CRC for CRC.

The large test streams three sparse 1.5 GiB videos (4.5 GiB, past ZIP64's
4 GiB line) and measures the process's peak memory while it does: reading
holes of a sparse file costs no disk, so it takes seconds.
"""

import io
import os
import shutil
import struct
import subprocess
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import pytest

from guangying.documents.naming import Tree
from guangying.documents.zipstream import LIMIT32, Member, ZipStream, ZipStreamError

UTF8_FLAG = 1 << 11
DESCRIPTOR_FLAG = 1 << 3
SEVEN_ZIP = next((shutil.which(n) for n in ("7z", "7zz", "7za") if shutil.which(n)), None)
UNZIP = shutil.which("unzip")
needs_unzip = pytest.mark.skipif(UNZIP is None, reason="Debian's unzip is missing (./run test installs it)")
needs_7z = pytest.mark.skipif(SEVEN_ZIP is None, reason="7-Zip is not installed (./run test installs 7zip)")
UTF8_ENV = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}


def chunks_of(data: bytes, size: int = 100_000):
    def source():
        for start in range(0, len(data), size):
            yield data[start:start + size]
    return source


def write(stream: ZipStream, path: Path) -> bytes:
    data = b"".join(stream)
    path.write_bytes(data)
    return data


@pytest.fixture
def contents(tmp_path) -> dict[str, bytes]:
    """Every kind of member: stored and deflated, from bytes, a path and a function, sizes known or not."""
    random = os.urandom(1_500_000)
    (tmp_path / "video.bin").write_bytes(random)
    return {
        "报送单位/一封家书/报送单位-一封家书.mp4": random,
        "报送单位/一封家书/作品信息表.docx": "作品信息表".encode() * 3000,
        "报送单位/一封家书/版权承诺书.pdf": b"%PDF-1.7\n" + os.urandom(50_000),
        "报送单位/一封家书/未知大小.bin": os.urandom(300_000),
        "报送单位/一封家书/压缩未知大小.txt": "视频文稿".encode() * 50_000,
        "报送单位/🎬 emoji 片名👨‍👩‍👧/说明.txt": "说明".encode(),
        "报送单位/空文件.txt": b"",
        "ascii/readme.txt": b"plain ascii name",
    }


@pytest.fixture
def members(contents, tmp_path) -> list[Member]:
    names = list(contents)
    when = datetime(2026, 7, 30, 16, 45, 31)
    return [
        Member(names[0], tmp_path / "video.bin", size=len(contents[names[0]]), modified=when),
        Member(names[1], contents[names[1]], deflate=True, modified=when),
        Member(names[2], chunks_of(contents[names[2]]), size=len(contents[names[2]]), deflate=True),
        Member(names[3], chunks_of(contents[names[3]])),
        Member(names[4], chunks_of(contents[names[4]]), deflate=True),
        Member(names[5], contents[names[5]]),
        Member(names[6], b"", deflate=True),
        Member(names[7], chunks_of(contents[names[7]]), size=len(contents[names[7]])),
        Member("报送单位/空文件夹/"),
    ]


def test_every_member_reads_back_with_its_crc_in_pythons_zipfile(members, contents, tmp_path):
    data = write(ZipStream(members), tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.testzip() is None
        infos = {i.filename: i for i in archive.infolist()}
        assert list(infos) == [*contents, "报送单位/空文件夹/"]
        for name, content in contents.items():
            info = infos[name]
            assert archive.read(name) == content
            assert info.CRC == zlib.crc32(content)
            assert info.file_size == len(content)
            assert bool(info.flag_bits & UTF8_FLAG) == (not name.isascii())
        assert infos["报送单位/空文件夹/"].is_dir()
        assert infos["报送单位/一封家书/报送单位-一封家书.mp4"].compress_type == zipfile.ZIP_STORED
        assert infos["报送单位/一封家书/报送单位-一封家书.mp4"].date_time == (2026, 7, 30, 16, 45, 30)
        assert infos["报送单位/一封家书/作品信息表.docx"].compress_type == zipfile.ZIP_DEFLATED
        assert infos["报送单位/一封家书/作品信息表.docx"].compress_size < 2000
    assert data[:4] == b"PK\x03\x04"


def test_the_announced_size_is_exact_when_every_size_is_known(members, contents, tmp_path):
    known = [m for m in members if m.size is not None or isinstance(m.source, bytes)]
    stream = ZipStream(known)
    assert stream.size == len(b"".join(stream))
    # A stored stream of unknown size, or a compressed one, leaves the length unknown.
    assert ZipStream(members).size is None
    large = Member("a", chunks_of(b"x" * 10), size=10, deflate=True)
    assert ZipStream([large], precompute_limit=5).size is None


def test_a_second_iteration_sends_the_same_bytes(members):
    stream = ZipStream(members, now=datetime(2026, 1, 2, 3, 4, 5))
    assert b"".join(stream) == b"".join(stream)


def test_videos_stream_in_pieces_without_joining_whole_files(tmp_path):
    (tmp_path / "v.bin").write_bytes(os.urandom(5 * 1024 * 1024 + 17))
    video = Member("v.mp4", tmp_path / "v.bin", size=5 * 1024 * 1024 + 17)
    stream = ZipStream([video], chunk_size=256 * 1024)
    pieces = list(stream)
    assert len(pieces) > 15
    assert max(len(p) for p in pieces) <= 256 * 1024
    assert sum(map(len, pieces)) == stream.size


@needs_unzip
def test_unzip_tests_the_archive_and_lists_the_chinese_names(members, contents, tmp_path):
    write(ZipStream(members), tmp_path / "a.zip")
    tested = subprocess.run([UNZIP, "-t", str(tmp_path / "a.zip")], capture_output=True, env=UTF8_ENV)
    assert tested.returncode == 0, (tested.stdout + tested.stderr).decode(errors="replace")
    assert b"No errors detected" in tested.stdout
    listed = subprocess.run([UNZIP, "-Z1", str(tmp_path / "a.zip")], capture_output=True, env=UTF8_ENV,
                            check=True)
    assert listed.stdout.decode("utf-8").splitlines() == [*contents, "报送单位/空文件夹/"]
    out = tmp_path / "out"
    subprocess.run([UNZIP, "-q", str(tmp_path / "a.zip"), "-d", str(out)], check=True, env=UTF8_ENV)
    for name, content in contents.items():
        assert (out / name).read_bytes() == content


@needs_7z
def test_7zip_tests_the_archive_and_reads_the_names(members, contents, tmp_path):
    write(ZipStream(members), tmp_path / "a.zip")
    tested = subprocess.run([SEVEN_ZIP, "t", str(tmp_path / "a.zip")], capture_output=True, env=UTF8_ENV)
    assert tested.returncode == 0, tested.stdout.decode(errors="replace")
    assert b"Everything is Ok" in tested.stdout
    listed = subprocess.run([SEVEN_ZIP, "l", "-slt", "-sccUTF-8", str(tmp_path / "a.zip")],
                            capture_output=True, env=UTF8_ENV, check=True).stdout.decode("utf-8")
    paths = [line[len("Path = "):] for line in listed.splitlines() if line.startswith("Path = ")]
    assert set(contents) <= set(paths[1:])


def test_names_made_safe_with_chinese_emoji_reserved_and_identical_titles_open_everywhere(tmp_path):
    tree = Tree()
    top = tree.folder("", "重庆市某区委党校")
    titles = ["红岩/家书", "红岩/家书", "CON", "aux.mp4", "🏮灯火👍🏽", "…", "a" * 300, "家书."]
    files = {}
    for index, title in enumerate(titles):
        folder = tree.folder(top, title)
        files[tree.file(folder, f"{title}.mp4")] = f"第{index}件".encode()
        files[tree.file(folder, f"{title}.mp4")] = f"第{index}件（副本）".encode()
    stream = ZipStream([Member(name, content) for name, content in files.items()])
    write(stream, tmp_path / "n.zip")
    with zipfile.ZipFile(tmp_path / "n.zip") as archive:
        assert archive.testzip() is None
        assert {i.filename: archive.read(i) for i in archive.infolist()} == files
    folders = sorted({name.split("/")[1] for name in files})
    assert "红岩／家书" in folders and "红岩／家书（2）" in folders and "CON_" in folders
    assert "aux_.mp4" in folders
    if UNZIP:
        tested = subprocess.run([UNZIP, "-t", str(tmp_path / "n.zip")], capture_output=True, env=UTF8_ENV)
        assert tested.returncode == 0
    if SEVEN_ZIP:
        assert subprocess.run([SEVEN_ZIP, "t", str(tmp_path / "n.zip")], capture_output=True).returncode == 0


@pytest.mark.parametrize("name", ["", "/abs.txt", "../up.txt", "a/../b", "a//b", "a\\b.txt", "a/./b",
                                  "tab\there", "nul\x00"])
def test_member_names_that_would_escape_or_break_the_folder_are_refused(name):
    with pytest.raises(ValueError):
        ZipStream([Member(name, b"x")])


def test_two_members_one_file_system_would_take_for_one_are_refused():
    with pytest.raises(ValueError, match="two members"):
        ZipStream([Member("单位/家书.mp4", b"1"), Member("单位/家书.MP4", b"2")])


def test_a_source_shorter_than_announced_stops_the_stream():
    stream = ZipStream([Member("v.mp4", chunks_of(b"x" * 100), size=150)])
    with pytest.raises(ZipStreamError, match="100 bytes read, 150 announced"):
        b"".join(stream)


def test_a_source_longer_than_announced_stops_the_stream():
    stream = ZipStream([Member("v.mp4", chunks_of(b"x" * 200, 50), size=150)])
    with pytest.raises(ZipStreamError, match="more than the 150 bytes"):
        b"".join(stream)


def test_a_document_that_changes_between_its_two_readings_stops_the_stream():
    readings = iter([b"first version " * 100, b"other version " * 100])

    def source():
        yield next(readings)

    stream = ZipStream([Member("文稿.txt", source, size=1400, deflate=True)])
    with pytest.raises(ZipStreamError, match="changed between"):
        b"".join(stream)


def test_bytes_of_the_wrong_size_are_refused_at_once():
    with pytest.raises(ValueError, match="size 5"):
        ZipStream([Member("a.txt", b"abc", size=5)])


def test_a_download_stopped_half_way_closes_the_file_being_read():
    closed = []

    def source():
        try:
            for _ in range(100):
                yield b"x" * 1024 * 1024
        finally:
            closed.append(True)

    pieces = iter(ZipStream([Member("v.mp4", source, size=100 * 1024 * 1024)]))
    next(pieces)
    next(pieces)
    pieces.close()
    assert closed == [True]


def test_more_than_65535_members_get_a_zip64_end_record(tmp_path):
    stream = ZipStream([Member(f"f/{i}.txt", b"") for i in range(70_000)], now=datetime(2026, 1, 1))
    data = write(stream, tmp_path / "many.zip")
    assert stream.size == len(data)
    assert struct.pack("<I", 0x06064B50) in data[-200:]
    with zipfile.ZipFile(tmp_path / "many.zip") as archive:
        assert len(archive.infolist()) == 70_000
        assert archive.infolist()[-1].filename == "f/69999.txt"
    if UNZIP:
        listed = subprocess.run([UNZIP, "-l", str(tmp_path / "many.zip")], capture_output=True, env=UTF8_ENV)
        assert listed.returncode == 0 and b"70000 files" in listed.stdout


def test_a_stream_of_unknown_size_is_written_as_zip64_and_still_reads(tmp_path):
    content = os.urandom(10_000)
    data = write(ZipStream([Member("未知.bin", chunks_of(content, 999))]), tmp_path / "u.zip")
    header = data[:30]
    assert struct.unpack("<H", header[6:8])[0] & DESCRIPTOR_FLAG
    assert struct.unpack("<II", header[18:26]) == (LIMIT32, LIMIT32)  # sizes in the ZIP64 extra field
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("未知.bin") == content


# -- several gigabytes -----------------------------------------------------------------------

GIB = 1024**3
VIDEO_SIZE = GIB * 3 // 2
MARKERS = (0, VIDEO_SIZE // 2, VIDEO_SIZE - 16)


def _marker(index: int, offset: int) -> bytes:
    return f"视频{index}@{offset}".encode()[:16].ljust(16, b".")


def _sparse_video(path: Path, index: int, size: int = VIDEO_SIZE) -> Path:
    with open(path, "wb") as handle:
        handle.truncate(size)
        for offset in (0, size // 2, size - 16):
            handle.seek(offset)
            handle.write(_marker(index, offset))
    return path


def _write_sparse(stream: ZipStream, path: Path) -> int:
    """The archive on disk with its runs of zeros skipped, as fast as it would go to a socket."""
    zero = bytes(stream.chunk_size)
    written = 0
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        for piece in stream:
            if piece != zero[: len(piece)]:
                os.pwrite(descriptor, piece, written)
            written += len(piece)
        os.ftruncate(descriptor, written)
    finally:
        os.close(descriptor)
    return written


def _data_start(raw, info: zipfile.ZipInfo) -> int:
    raw.seek(info.header_offset)
    local = raw.read(30)
    return info.header_offset + 30 + sum(struct.unpack("<HH", local[26:30]))


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def _file_crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            crc = zlib.crc32(chunk, crc)
    return crc


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's /proc for memory")
def test_several_gigabytes_stream_in_flat_memory_and_open_as_zip64(tmp_path):
    if shutil.disk_usage(tmp_path).free < 2 * GIB:
        pytest.skip("needs room for sparse files")
    videos = [_sparse_video(tmp_path / f"video{i}.mp4", i) for i in range(3)]
    manifest = "清单：三个视频".encode()
    members = [Member(f"某单位/作品{i}/某单位-作品{i}.mp4", path, size=VIDEO_SIZE)
               for i, path in enumerate(videos)]
    members.append(Member("某单位/清单.txt", manifest, deflate=True))
    stream = ZipStream(members)
    assert stream.size is not None and stream.size > 3 * VIDEO_SIZE > LIMIT32

    Path("/proc/self/clear_refs").write_text("5")  # the peak resident size starts again from here
    before = _status("VmRSS")
    written = _write_sparse(stream, tmp_path / "package.zip")
    growth = _status("VmHWM") - before
    assert growth < 64 * 1024 * 1024, f"memory grew by {growth / 1024 / 1024:.0f} MB"
    assert written == stream.size

    with zipfile.ZipFile(tmp_path / "package.zip") as archive, open(tmp_path / "package.zip", "rb") as raw:
        infos = archive.infolist()
        assert [i.file_size for i in infos] == [VIDEO_SIZE] * 3 + [len(manifest)]
        assert infos[3].header_offset > LIMIT32
        assert archive.read("某单位/清单.txt") == manifest  # past 4 GiB: found through ZIP64 records
        for index, info in enumerate(infos[:3]):
            if not SEVEN_ZIP:  # 7-Zip, below, checks every member's CRC against its bytes
                assert info.CRC == _file_crc(videos[index])
            assert info.compress_type == zipfile.ZIP_STORED
            start = _data_start(raw, info)
            for offset in MARKERS:
                raw.seek(start + offset)
                assert raw.read(16) == _marker(index, offset)
    if UNZIP:
        # Testing one member past 4 GiB reads the ZIP64 directory; all 4.5 GiB take unzip half a minute.
        tested = subprocess.run([UNZIP, "-tq", str(tmp_path / "package.zip"), "某单位/清单.txt"],
                                capture_output=True, env=UTF8_ENV)
        assert tested.returncode == 0, tested.stdout + tested.stderr
    if SEVEN_ZIP:
        tested = subprocess.run([SEVEN_ZIP, "t", str(tmp_path / "package.zip")], capture_output=True)
        assert tested.returncode == 0 and b"Everything is Ok" in tested.stdout


def test_a_video_larger_than_4_gib_gets_zip64_sizes(tmp_path):
    if shutil.disk_usage(tmp_path).free < 2 * GIB:
        pytest.skip("needs room for sparse files")
    size = LIMIT32 + 1024 * 1024
    video = _sparse_video(tmp_path / "big.mov", 7, size)
    stream = ZipStream([Member("单位/超长纪录片.mov", video, size=size),
                        Member("单位/后记.txt", "后记".encode())])
    assert _write_sparse(stream, tmp_path / "big.zip") == stream.size
    with zipfile.ZipFile(tmp_path / "big.zip") as archive, open(tmp_path / "big.zip", "rb") as raw:
        big, after = archive.infolist()
        assert big.file_size == big.compress_size == size
        # The CRC of gigabytes streamed is checked by the test above; here the ZIP64 fields are.
        assert after.header_offset > LIMIT32 and archive.read(after) == "后记".encode()
        raw.seek(_data_start(raw, big) + size - 16)
        assert raw.read(16) == _marker(7, size - 16)
    if UNZIP:
        listed = subprocess.run([UNZIP, "-l", str(tmp_path / "big.zip")], capture_output=True, env=UTF8_ENV)
        assert listed.returncode == 0 and str(size).encode() in listed.stdout
    if SEVEN_ZIP:
        listed = subprocess.run([SEVEN_ZIP, "l", "-slt", str(tmp_path / "big.zip")], capture_output=True)
        assert listed.returncode == 0 and f"Size = {size}".encode() in listed.stdout
