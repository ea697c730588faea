"""The probe on real files written by PyAV in this session: what each field says for each kind."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from guangying.inspection.media import Findings, MediaInfo, findings_from_dict
from guangying.inspection.probe import _is_variable, probe, sniff_format
from tests.inspection.samples import AIGC_VALUE, Samples


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return Samples(tmp_path_factory.mktemp("probe-samples"))


def test_h264_aac_mp4(sample):
    media = probe(str(sample("h264_aac.mp4")))
    assert media.container == "mov,mp4,m4a,3gp,3g2,mj2"
    assert media.sniffed_format == "mp4"
    assert media.extension == "mp4"
    assert media.major_brand == "isom"
    assert "isom" in media.compatible_brands
    assert media.size == sample("h264_aac.mp4").stat().st_size
    assert media.duration_s == pytest.approx(1.0, abs=0.05)
    assert media.bit_rate and media.bit_rate > 0
    assert media.tags["major_brand"] == "isom"
    assert media.anomalies == []

    video = media.main_video
    assert video.codec == "h264"
    assert video.profile
    assert video.pix_fmt == "yuv420p"
    assert video.bit_depth == 8
    assert (video.coded_width, video.coded_height) == (320, 180)
    assert (video.display_width, video.display_height) == (320, 180)
    assert video.rotation == 0
    assert video.avg_fps == pytest.approx(25.0)
    assert video.nominal_fps == pytest.approx(25.0)
    assert video.variable_frame_rate is False
    assert video.field_order == "progressive"
    assert video.duration_s == pytest.approx(1.0, abs=0.05)
    assert video.frame_count == 25
    assert video.bit_rate and video.bit_rate > 0

    audio = media.main_audio
    assert audio.codec == "aac"
    assert audio.profile == "LC"
    assert audio.channels == 2
    assert audio.layout == "stereo"
    assert audio.sample_rate == 48000
    assert audio.duration_s == pytest.approx(1.0, abs=0.1)
    assert media.subtitles == []
    assert media.aigc_labels == []


def test_quicktime_mov_has_the_qt_brand(sample):
    media = probe(str(sample("quicktime.mov")))
    assert media.sniffed_format == "mov"
    assert media.extension == "mov"
    assert media.major_brand.strip() == "qt"
    assert media.main_video.codec == "h264"


def test_mpeg2_program_stream(sample):
    media = probe(str(sample("program.mpg")))
    assert media.container == "mpeg"
    assert media.sniffed_format == "mpeg"
    assert media.major_brand is None and media.compatible_brands == []
    video = media.main_video
    assert video.codec == "mpeg2video"
    assert (video.display_width, video.display_height) == (320, 180)
    assert video.avg_fps == pytest.approx(25.0)
    assert video.variable_frame_rate is False
    # No index in a program stream: the frames were counted by reading the packets.
    assert video.frame_count == 25
    assert media.main_audio.codec == "mp2"
    assert media.duration_s == pytest.approx(1.0, abs=0.1)


def test_hevc_mp4(sample):
    media = probe(str(sample("hevc.mp4")))
    assert media.main_video.codec == "hevc"
    assert media.main_video.profile == "Main"
    assert media.audio == []


def test_mpeg4_part2(sample):
    video = probe(str(sample("part2.mp4"))).main_video
    assert video.codec == "mpeg4"
    assert video.sample_aspect == "1:1"


def test_720p_at_24_fps(sample):
    video = probe(str(sample("hd720p24.mp4"))).main_video
    assert (video.coded_width, video.coded_height) == (1280, 720)
    assert (video.display_width, video.display_height) == (1280, 720)
    assert video.avg_fps == pytest.approx(24.0)
    assert video.nominal_fps == pytest.approx(24.0)


@pytest.mark.parametrize(
    ("name", "rotation"), [("portrait_cw90.mp4", 90), ("portrait_ccw90.mp4", 270)]
)
def test_portrait_by_rotation_is_shown_1080_wide(sample, name, rotation):
    """A phone stores portrait video as 1920×1080 and a display matrix; a viewer sees 1080×1920."""
    video = probe(str(sample(name))).main_video
    assert (video.coded_width, video.coded_height) == (1920, 1080)
    assert video.rotation == rotation
    assert (video.display_width, video.display_height) == (1080, 1920)


def test_rotation_agrees_with_ffmpeg_on_decoded_frames(sample):
    """Our reading of the tkhd matrix matches the display matrix FFmpeg attaches to pictures."""
    import av

    for name in ("portrait_cw90.mp4", "portrait_ccw90.mp4", "upside_down.mp4"):
        with av.open(str(sample(name))) as container:
            frame = next(container.decode(video=0))
            clockwise = -frame.rotation % 360  # PyAV reports the counter-clockwise angle
        assert probe(str(sample(name))).main_video.rotation == clockwise


def test_upside_down_keeps_its_size(sample):
    video = probe(str(sample("upside_down.mp4"))).main_video
    assert video.rotation == 180
    assert (video.display_width, video.display_height) == (320, 180)


@pytest.mark.parametrize("name", ["interlaced.mp4", "interlaced.mpg"])
def test_interlaced(sample, name):
    assert probe(str(sample(name))).main_video.field_order in ("tt", "bb", "tb", "bt")


def test_progressive_h264_says_so(sample):
    assert probe(str(sample("silent.mp4"))).main_video.field_order == "progressive"


@pytest.mark.parametrize("name", ["vfr.mp4", "vfr.mkv"])
def test_variable_frame_rate(sample, name):
    """MP4 from its index, Matroska from its packets: neither decodes a picture."""
    video = probe(str(sample(name))).main_video
    assert video.variable_frame_rate is True
    assert video.frame_count == 30


def test_ntsc_rate_in_a_millisecond_time_base_is_constant(sample):
    """30000/1001 in milliseconds gives 33, 33, 34 …: rounding, not a variable rate."""
    video = probe(str(sample("ntsc.mkv"))).main_video
    assert video.variable_frame_rate is False
    assert video.avg_fps == pytest.approx(29.97, abs=0.01)


def test_frame_interval_judgement():
    assert _is_variable([33, 33, 34] * 50) is False
    assert _is_variable([3003] * 100) is False
    assert _is_variable([40] * 100 + [80]) is False  # one dropped frame
    assert _is_variable([33, 50, 66, 40] * 20) is True
    assert _is_variable([40, 40]) is None


def test_no_audio(sample):
    media = probe(str(sample("silent.mp4")))
    assert media.audio == []
    assert media.main_video is not None


def test_audio_only(sample):
    media = probe(str(sample("audio_only.m4a")))
    assert media.video == []
    assert media.main_video is None
    assert media.main_audio.codec == "aac"
    assert media.extension == "m4a"


@pytest.mark.parametrize(("name", "codec"), [("subtitles.mp4", "mov_text"), ("subtitles.mkv", "subrip")])
def test_soft_subtitles_come_back_as_text(sample, name, codec):
    media = probe(str(sample(name)))
    assert len(media.subtitles) == 1
    subtitles = media.subtitles[0]
    assert subtitles.codec == codec
    assert subtitles.language == "chi"
    assert subtitles.text == [(0.0, 0.5, "第一句字幕"), (0.6, 0.9, "第二句 second")]


@pytest.mark.parametrize("name", ["aigc.mp4", "aigc.mov"])
def test_aigc_label_round_trips_through_mp4_metadata(sample, name):
    """FFmpeg writes it as an mdta key in moov/udta/meta when asked to keep custom tags."""
    data = sample(name).read_bytes()
    assert b"mdtaAIGC" in data
    media = probe(str(sample(name)))
    assert media.aigc_labels == [AIGC_VALUE]
    assert json.loads(media.aigc_labels[0])["Label"] == "1"


def test_aigc_in_matroska_container_and_stream_tags(sample):
    media = probe(str(sample("aigc.mkv")))
    assert media.aigc_labels == [AIGC_VALUE, "stream label"]


def test_two_aigc_keys_are_both_seen(sample):
    """FFmpeg keeps one value per key; the rule asks for exactly one label, so both must show."""
    media = probe(str(sample("two_keys.mp4")))
    assert len(media.aigc_labels) == 2
    assert AIGC_VALUE in media.aigc_labels


def test_transport_stream(sample):
    media = probe(str(sample("transport.ts")))
    assert media.container == "mpegts"
    assert media.sniffed_format == "ts"
    assert media.main_video.codec == "h264"


def test_media_info_survives_json(sample):
    media = probe(str(sample("subtitles.mp4")))
    again = MediaInfo.from_dict(json.loads(json.dumps(media.to_dict())))
    assert again == media
    findings = Findings(media=media, elapsed_s=0.5, peak_rss_mb=40.0)
    assert findings_from_dict(json.loads(json.dumps(asdict(findings)))) == findings


def test_metadata_probe_is_quick(sample):
    """Speed is for bench/; this only guards against the probe reading every picture."""
    path = str(sample("faststart.mp4"))
    probe(path)
    started = time.perf_counter()
    probe(path)
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"", "empty"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41", "mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", "mov"),
        (b"\x00\x00\x00\x08wide\x00\x00\x00\x10mdat", "mov"),
        (b"\x00\x00\x01\xba\x44\x00", "mpeg"),
        (b"\x1a\x45\xdf\xa3\x01", "mkv"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"),
        (b"\x89PNG\r\n\x1a\n\x00", "png"),
        (b"\xff\xd8\xff\xe0", "jpg"),
        (b"%PDF-1.7", "pdf"),
        ("作品说明，不是视频".encode(), "txt"),
        (bytes(range(256)) * 4, "unknown"),
    ],
)
def test_sniff_format(head, expected):
    assert sniff_format(head) == expected


def test_sniff_transport_stream():
    assert sniff_format((b"\x47" + b"\xff" * 187) * 3) == "ts"
    assert sniff_format((b"\x00\x00\x00\x00\x47" + b"\xff" * 187) * 3) == "ts"


def test_the_engine_side_imports_no_django():
    code = (
        "import sys\n"
        "import guangying.inspection.probe, guangying.inspection.sandbox, guangying.inspection.child\n"
        "import guangying.inspection.media\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')\n"
        "             or m.split('.')[:2] in (['guangying', 'campaigns'], ['guangying', 'submissions'],\n"
        "                                     ['guangying', 'accounts']))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


H264_KINDS = {
    "420": {"pix_fmt": "yuv420p"},
    "422": {"pix_fmt": "yuv422p"},
    "444": {"pix_fmt": "yuv444p"},
    "420-10bit": {"pix_fmt": "yuv420p10le"},
    "422-10bit": {"pix_fmt": "yuv422p10le"},
    "cropped-1080": {"width": 1920, "height": 1080},
    "odd-size": {"width": 322, "height": 178},
    "anamorphic-hdv": {"width": 1440, "height": 1080, "options": {"x264-params": "sar=4/3"}},
    "extended-sar": {"options": {"x264-params": "sar=37/23"}},
    "interlaced": {"width": 720, "height": 576, "options": {"x264-params": "interlaced=1:tff=1"}},
    "scaling-lists": {"options": {"x264-params": "cqm=jvt"}},
    "poc-type-2": {"options": {"x264-params": "bframes=0"}},
}


@pytest.mark.parametrize("kind", list(H264_KINDS), ids=list(H264_KINDS))
def test_h264_parameter_set_gives_what_the_decoder_gives(tmp_path, kind):
    """The probe opens H.264 without decoding; its facts must equal FFmpeg's decoded ones."""
    import av

    from tests.inspection.samples import make_video

    recipe = {"frames": 5, "audio": None, **H264_KINDS[kind]}
    path = make_video(tmp_path / f"{kind}.mp4", **recipe)
    with av.open(str(path)) as container:  # FFmpeg's own look-ahead decodes pictures
        stream = container.streams.video[0]
        context = stream.codec_context
        expected = (context.width, context.height, context.pix_fmt,
                    stream.sample_aspect_ratio or context.sample_aspect_ratio)
        frame = next(container.decode(video=0))
        assert (frame.width, frame.height, frame.format.name) == expected[:3]
    video = probe(str(path)).main_video
    sar = expected[3]
    assert (video.coded_width, video.coded_height, video.pix_fmt) == expected[:3]
    assert video.sample_aspect == (f"{sar.numerator}:{sar.denominator}" if sar else None)
    assert video.bit_depth == (10 if "10" in expected[2] else 8)


def test_a_doctored_sample_entry_size_does_not_change_the_picture_size(tmp_path):
    from tests.inspection.samples import make_video

    path = make_video(tmp_path / "small.mp4", width=640, height=360, frames=5, audio=None)
    data = bytearray(path.read_bytes())
    entry = data.index(b"avc1", data.index(b"stsd"))  # not the brand of the same name in ftyp
    data[entry + 28 : entry + 32] = (1920).to_bytes(2, "big") + (1080).to_bytes(2, "big")
    path.write_bytes(bytes(data))
    video = probe(str(path)).main_video
    assert (video.coded_width, video.coded_height) == (640, 360)


@pytest.mark.parametrize("record", [b"", b"\x01", b"\x00" * 16, b"\x01\x64\x00\x28\xff\xe1\x00\x04\x67\x64",
                                    b"\x01\x64\x00\x28\xff\xe1\x00\x10" + b"\x67" + b"\x00" * 15,
                                    b"\x01\x64\x00\x28\xff\xe1\xff\xff\x67\x64\x00\x28",
                                    b"\x01\x64\x00\x28\xff\xe1\x00\x05\x67\x64\x00\x28\xff"],
                         ids=["empty", "one-byte", "zeros", "cut-sps", "zero-sps", "length-past-end",
                              "ends-in-a-code"])
def test_a_damaged_avcc_record_gives_no_facts_rather_than_an_error(record):
    from guangying.inspection.h264 import sequence_facts

    assert sequence_facts(record) is None
