"""Real files through the whole engine (child process included), one fault at a time.

For each preset: one file that passes, and for each rule a file that
fails that rule only. Faults the headers show are judged headers-only
(as the portal's first verdict is); faults in the picture or the sound go
through the full decode pass.
"""

import pytest

from guangying.inspection.engine import inspect
from guangying.inspection.report import Outcome
from guangying.rulesets import load_preset

from . import corpus

HUBEI = load_preset("hubei-2026-weiguang")
CHONGQING = load_preset("chongqing-2026-hongse")
TWO_MINUTES = 121.0  # Hubei's rule is 2–5 minutes: shorter files fail on duration alone


def by_check(report) -> dict[str, Outcome]:
    return {line.check: line.outcome for line in report.lines}


def failing(report) -> set[str]:
    return {line.check for line in report.lines if line.outcome == Outcome.FAIL}


def test_a_compliant_hubei_file_passes_every_rule_a_machine_can_judge():
    report = inspect(corpus.video("hubei-pass", seconds=2, loop_to=TWO_MINUTES), HUBEI)
    outcomes = by_check(report)
    machine = {k: v for k, v in outcomes.items() if v != Outcome.REVIEW}
    assert machine and all(v == Outcome.PASS for v in machine.values()), machine
    assert {"duration", "container", "video_codec", "audio_codec", "resolution", "aspect_ratio",
            "loudness.integrated", "picture_quality.black", "picture_quality.upscaled"} <= set(machine)
    assert report.exit_status() == 0
    assert report.facts["media"]["video"][0]["codec"] == "h264"


def test_a_compliant_chongqing_file_passes():
    report = inspect(corpus.video("cq-pass", seconds=4), CHONGQING)
    assert failing(report) == set()
    assert by_check(report)["frame_rate"] == Outcome.PASS
    assert report.exit_status() == 0


HUBEI_FAULTS = [
    ("hevc", {"vcodec": "libx265"}, {"video_codec"}),
    ("mpeg4-part2", {"vcodec": "mpeg4"}, {"video_codec"}),
    ("hd720", {"width": 1280, "height": 720}, {"resolution"}),
    ("quicktime", {"extension": "mov", "container_format": "mov"}, {"container"}),
    ("no-audio", {"acodec": None}, {"audio_codec"}),
    ("portrait-by-rotation", {"rotation": -90}, {"aspect_ratio", "resolution"}),
    ("four-three", {"width": 1440, "height": 1080}, {"aspect_ratio", "resolution"}),
]


@pytest.mark.parametrize(("name", "recipe", "expected"), HUBEI_FAULTS, ids=[f[0] for f in HUBEI_FAULTS])
def test_each_hubei_header_fault_fails_its_rule_only(name, recipe, expected):
    path = corpus.video(f"hubei-{name}", seconds=2, loop_to=TWO_MINUTES, **recipe)
    report = inspect(path, HUBEI, mode="metadata")
    assert failing(report) == expected
    assert report.exit_status() == 1


@pytest.mark.parametrize(("seconds", "too"), [(110.0, "短"), (310.0, "长")], ids=["1m50s", "5m10s"])
def test_hubei_duration_outside_two_to_five_minutes(seconds, too):
    report = inspect(corpus.video(f"hubei-{seconds:.0f}s", seconds=2, loop_to=seconds), HUBEI,
                     mode="metadata")
    assert failing(report) == {"duration"}
    line = next(line for line in report.lines if line.check == "duration")
    assert too in line.message


CHONGQING_FAULTS = [
    ("fps24", {"fps": 24}, {"frame_rate"}),
    ("hd720", {"width": 1280, "height": 720}, {"resolution"}),
    ("cinema-21-9", {"width": 2560, "height": 1080}, {"aspect_ratio"}),
    ("mkv", {"extension": "mkv", "container_format": "matroska"}, {"container"}),
]


@pytest.mark.parametrize(("name", "recipe", "expected"), CHONGQING_FAULTS,
                         ids=[f[0] for f in CHONGQING_FAULTS])
def test_each_chongqing_header_fault_fails_its_rule_only(name, recipe, expected):
    report = inspect(corpus.video(f"cq-{name}", seconds=2, **recipe), CHONGQING, mode="metadata")
    assert failing(report) == expected


def test_chongqing_episode_over_five_minutes():
    report = inspect(corpus.video("cq-310s", seconds=2, loop_to=310.0), CHONGQING, mode="metadata")
    assert failing(report) == {"duration"}


@pytest.mark.parametrize(("name", "recipe"), [
    ("portrait", {"rotation": -90}),
    ("four-three", {"width": 1440, "height": 1080}),
    ("mpeg-ps", {"extension": "mpg", "container_format": "mpeg", "vcodec": "mpeg2video",
                 "acodec": "mp2"}),
], ids=["portrait-by-rotation", "4:3", "mpeg-program-stream"])
def test_chongqing_accepts_portrait_four_three_and_mpeg(name, recipe):
    report = inspect(corpus.video(f"cq-ok-{name}", seconds=2, **recipe), CHONGQING, mode="metadata")
    assert failing(report) == set()


def test_portrait_by_rotation_is_measured_as_the_viewer_sees_it():
    report = inspect(corpus.video("cq-ok-portrait", seconds=2, rotation=-90), CHONGQING,
                     mode="metadata")
    resolution = next(line for line in report.lines if line.check == "resolution")
    assert resolution.actual.startswith("1080×1920")
    assert "1920×1080" in resolution.actual  # stored size, named


@pytest.mark.parametrize(("name", "lkfs", "check"), [
    ("too-loud", -10.0, "loudness.integrated"),
    ("too-quiet", -40.0, "loudness.integrated"),
])
def test_loudness_outside_gy_t_282_is_a_warning(name, lkfs, check):
    report = inspect(corpus.video(f"cq-{name}", seconds=4, lkfs=lkfs), CHONGQING)
    assert by_check(report)[check] == Outcome.WARN
    assert failing(report) == set()
    assert report.exit_status() == 0
    line = next(line for line in report.lines if line.check == check)
    assert abs(float(line.actual.split()[0]) - lkfs) < 1.0


def test_black_opening_is_found_with_its_time_and_a_frame():
    report = inspect(corpus.video("cq-black-opening", seconds=5, picture="black_opening"), CHONGQING)
    line = next(line for line in report.lines if line.check == "picture_quality.black")
    assert line.outcome == Outcome.REVIEW
    assert line.evidence and line.evidence[0].time_s < 0.2
    assert 1.6 <= line.evidence[0].end_s <= 2.4
    assert line.evidence[0].jpeg_base64


def test_frozen_middle_is_found():
    report = inspect(corpus.video("cq-frozen", seconds=7, picture="frozen_middle"), CHONGQING)
    line = next(line for line in report.lines if line.check == "picture_quality.frozen")
    assert line.outcome == Outcome.REVIEW
    assert 1.5 <= line.evidence[0].time_s <= 2.5
    assert 4.5 <= line.evidence[0].end_s <= 5.5
    assert by_check(report)["picture_quality.black"] == Outcome.PASS


def test_pillarboxed_upscale_is_found():
    report = inspect(corpus.video("cq-pillarbox", seconds=3, picture="pillarboxed_upscale"),
                     CHONGQING)
    outcomes = by_check(report)
    assert outcomes["picture_quality.bars"] == Outcome.REVIEW
    assert outcomes["picture_quality.upscaled"] == Outcome.REVIEW
    bars = next(line for line in report.lines if line.check == "picture_quality.bars")
    assert "1440" in bars.actual


def test_no_audio_is_named_in_the_full_pass_too():
    report = inspect(corpus.video("cq-silent-file", seconds=3, acodec=None), CHONGQING)
    assert by_check(report)["loudness.missing"] == Outcome.WARN


def test_the_report_round_trips_through_json():
    from guangying.inspection.report import Report

    report = inspect(corpus.video("cq-pass", seconds=4), CHONGQING)
    again = Report.from_dict(__import__("json").loads(report.to_json()))
    assert again.outcome == report.outcome
    assert [line.check for line in again.lines] == [line.check for line in report.lines]
