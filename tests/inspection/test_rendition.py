"""Posters, contact sheets and previews made from real files, opened again and measured."""

from pathlib import Path

import av
import pytest
from PIL import Image

from guangying.inspection.probe import probe
from guangying.inspection.rendition import (
    PREVIEW_NAME,
    RenditionResult,
    playability,
    render,
    run_rendition_child,
)
from tests.inspection.samples import make_video, top_boxes

MADE = {
    "h264_aac.mp4": {},
    "quicktime.mov": {"container_format": "mov"},
    "silent.mp4": {"audio": None},
    "mp3.mp4": {"audio": "libmp3lame"},
    "gray.mp4": {"pix_fmt": "gray", "audio": None},
    "program.mpg": {"codec": "mpeg2video", "container_format": "mpeg", "audio": "mp2", "frames": 50},
    "hevc.mp4": {"codec": "libx265", "audio": None, "frames": 50,
                 "options": {"x265-params": "log-level=error"}},
    "ten_bit.mp4": {"pix_fmt": "yuv420p10le", "audio": None},
    "four22.mp4": {"pix_fmt": "yuv422p", "audio": None},
    "matroska.mkv": {"frames": 50},
    "prores.mov": {"codec": "prores_ks", "pix_fmt": "yuv422p10le", "container_format": "mov",
                   "audio": "pcm_s16le"},
    "portrait_hevc.mp4": {"codec": "libx265", "width": 1920, "height": 1080, "frames": 25,
                          "rotation": -90, "audio": None, "options": {"x265-params": "log-level=error"}},
    "big_mpeg.mpg": {"codec": "mpeg2video", "container_format": "mpeg", "audio": "mp2",
                     "width": 1920, "height": 1080, "frames": 25},
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rendition-samples")

    def made(name: str) -> Path:
        path = folder / name
        if not path.exists():
            spec = MADE[name]
            if spec.get("codec") == "prores_ks" and "prores_ks" not in av.codecs_available:
                pytest.skip("this PyAV wheel has no ProRes encoder")
            make_video(path, **spec)
        return path

    return made


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _opened(path: Path) -> dict:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        return {
            "codec": video.codec_context.name,
            "pix_fmt": video.format.name,
            "size": (video.width, video.height),
            "audio": [a.codec_context.name for a in container.streams.audio],
            "duration": container.duration / 1e6,
        }


def _moov_first(path: Path) -> bool:
    kinds = [kind for kind, _offset, _size in top_boxes(path.read_bytes())]
    return kinds.index(b"moov") < kinds.index(b"mdat")


@pytest.mark.parametrize("name", ["h264_aac.mp4", "quicktime.mov", "silent.mp4", "mp3.mp4", "gray.mp4"])
def test_browser_playable_originals_are_served_as_they_are(sample, out, name):
    path = sample(name)
    assert playability(probe(str(path)))[0]
    result = render(str(path), out)
    assert result.playable and result.problem is None
    assert result.preview is None and not (out / PREVIEW_NAME).exists()
    assert (out / result.poster).exists() and (out / result.contact_sheet).exists()
    assert (result.width, result.height) == (320, 180)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("program.mpg", "MPEG"),
        ("hevc.mp4", "HEVC"),
        ("ten_bit.mp4", "yuv420p10le"),
        ("four22.mp4", "yuv422p"),
        ("matroska.mkv", "MKV"),
        ("prores.mov", "PRORES"),
    ],
)
def test_other_files_get_a_faststart_h264_preview(sample, out, name, why):
    path = sample(name)
    original = probe(str(path))
    result = render(str(path), out)
    assert result.problem is None, result.problem
    assert not result.playable and why in result.reason
    preview = out / result.preview
    facts = _opened(preview)
    assert facts["codec"] == "h264" and facts["pix_fmt"] == "yuv420p"
    assert facts["size"] == (320, 180)
    assert facts["audio"] == (["aac"] if original.audio else [])
    assert _moov_first(preview), "the preview's index must come before its data"
    assert facts["duration"] == pytest.approx(original.duration_s, abs=0.15)
    assert playability(probe(str(preview)))[0]


def test_a_portrait_phone_video_stays_portrait_and_is_at_most_720_lines(sample, out):
    result = render(str(sample("portrait_hevc.mp4")), out)
    assert result.problem is None
    facts = _opened(out / result.preview)
    assert facts["size"] == (404, 720)  # 1080×1920 as the phone shows it, to 720 even lines
    assert probe(str(out / result.preview)).main_video.rotation == 0  # turned, not flagged
    with Image.open(out / result.poster) as poster:
        assert poster.height > poster.width


def test_a_1080p_program_stream_is_brought_down_to_720_lines(sample, out):
    result = render(str(sample("big_mpeg.mpg")), out)
    assert result.problem is None
    facts = _opened(out / result.preview)
    assert facts["size"] == (1280, 720) and facts["audio"] == ["aac"]
    assert _moov_first(out / result.preview)


def test_the_contact_sheet_is_one_grid_of_twelve_pictures_with_times(sample, out):
    result = render(str(sample("program.mpg")), out)
    assert len(result.sheet_times) == 12
    assert result.sheet_times == sorted(result.sheet_times)
    assert result.sheet_times[-1] > result.duration_s * 0.7
    with Image.open(out / result.contact_sheet) as sheet:
        assert sheet.format == "JPEG"
        assert sheet.width > 4 * 300 and sheet.height > 3 * 170  # four columns, three rows
    with Image.open(out / result.poster) as poster:
        assert poster.format == "JPEG" and poster.size == (320, 180)


def test_a_broken_file_gives_a_reason_not_a_traceback(tmp_path, out):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 40)
    result = render(str(broken), out)
    assert isinstance(result, RenditionResult)
    assert result.problem and "文件" in result.problem and result.problem_en
    assert result.preview is None and list(out.iterdir()) == []


def test_a_file_cut_in_half_gives_a_reason(sample, tmp_path, out):
    data = sample("program.mpg").read_bytes()
    cut = tmp_path / "cut.mpg"
    cut.write_bytes(data[: len(data) // 2])
    result = run_rendition_child(str(cut), out)
    if result.problem is None:  # an MPEG stream cut short is still a (shorter) stream
        assert _opened(out / result.preview)["codec"] == "h264"
    else:
        assert result.problem_en


def test_the_child_makes_the_preview_within_its_limits(sample, out):
    result = run_rendition_child(str(sample("hevc.mp4")), out)
    assert result.problem is None and result.preview == PREVIEW_NAME
    assert _moov_first(out / PREVIEW_NAME)


def test_the_child_that_runs_out_of_time_says_so(sample, out):
    result = run_rendition_child(str(sample("hevc.mp4")), out, wall_s=0.01)
    assert result.problem and "超时" in result.problem


def test_the_child_cannot_write_past_its_limit(sample, out):
    result = run_rendition_child(str(sample("big_mpeg.mpg")), out, max_write_mb=0)
    assert result.problem is not None and result.preview is None
