"""Judging findings against both presets, rule by rule, from data alone.

The files themselves are exercised in test_engine.py; here each rule's
logic is pinned down with findings built by hand, one fault at a time.
"""

from dataclasses import replace

import pytest

from guangying.inspection.checks import Judge
from guangying.inspection.media import (
    AudioStream,
    Findings,
    MediaInfo,
    PictureFindings,
    Segment,
    SoundFindings,
    VideoStream,
)
from guangying.inspection.report import Outcome
from guangying.rulesets import load_preset

HUBEI = load_preset("hubei-2026-weiguang")
CHONGQING = load_preset("chongqing-2026-hongse")


def video(**changes) -> VideoStream:
    base = VideoStream(
        index=0,
        codec="h264",
        profile="High",
        pix_fmt="yuv420p",
        bit_depth=8,
        coded_width=1920,
        coded_height=1080,
        sample_aspect="1:1",
        rotation=0,
        display_width=1920,
        display_height=1080,
        avg_fps=25.0,
        nominal_fps=25.0,
        variable_frame_rate=False,
        field_order="progressive",
        duration_s=180.0,
        frame_count=4500,
        bit_rate=8_000_000,
    )
    return replace(base, **changes)


def audio(**changes) -> AudioStream:
    base = AudioStream(
        index=1,
        codec="aac",
        profile="LC",
        channels=2,
        layout="stereo",
        sample_rate=48000,
        duration_s=180.0,
        bit_rate=192_000,
    )
    return replace(base, **changes)


def media(*, streams=None, sound=True, **changes) -> MediaInfo:
    base = MediaInfo(
        path="/tmp/作品.mp4",
        size=200_000_000,
        extension="mp4",
        sniffed_format="mp4",
        container="mov,mp4,m4a,3gp,3g2,mj2",
        major_brand="isom",
        compatible_brands=["isom", "mp41"],
        duration_s=180.0,
        bit_rate=8_200_000,
        video=[streams or video()],
        audio=[audio()] if sound else [],
    )
    return replace(base, **changes)


def findings(info=None, *, picture=None, sound=None) -> Findings:
    info = info or media()
    return Findings(
        media=info,
        picture=picture
        or PictureFindings(frames_decoded=4500, frames_analysed=1500, sharpness=120.0, last_time_s=179.96),
        sound=sound
        if sound is not None
        else (
            SoundFindings(integrated_lkfs=-23.5, true_peak_dbtp=-3.0, last_time_s=180.0)
            if info.audio
            else None
        ),
    )


def outcomes(rules, found, **kwargs) -> dict[str, Outcome]:
    return {line.check: line.outcome for line in Judge(rules, found, **kwargs).lines()}


def test_a_compliant_hubei_file_passes_every_machine_rule():
    result = outcomes(HUBEI, findings())
    machine = {k: v for k, v in result.items() if v != Outcome.REVIEW}
    assert machine and all(v == Outcome.PASS for v in machine.values()), machine
    assert set(machine) >= {
        "duration",
        "container",
        "video_codec",
        "audio_codec",
        "resolution",
        "aspect_ratio",
        "loudness.integrated",
        "loudness.true_peak",
        "picture_quality.black",
    }


def test_a_compliant_chongqing_portrait_file_passes():
    portrait = video(
        coded_width=1920, coded_height=1080, rotation=90, display_width=1080, display_height=1920
    )
    result = outcomes(CHONGQING, findings(media(streams=portrait)))
    assert result["resolution"] == Outcome.PASS
    assert result["aspect_ratio"] == Outcome.PASS
    assert result["frame_rate"] == Outcome.PASS


@pytest.mark.parametrize(
    ("info", "check"),
    [
        (media(duration_s=110.0), "duration"),
        (media(duration_s=310.0), "duration"),
        (media(streams=video(codec="hevc")), "video_codec"),
        (media(streams=video(codec="mpeg4", profile="Simple Profile")), "video_codec"),
        (
            media(streams=video(coded_width=1280, coded_height=720, display_width=1280, display_height=720)),
            "resolution",
        ),
        (media(major_brand="qt", extension="mov", sniffed_format="mov"), "container"),
        (media(streams=video(rotation=90, display_width=1080, display_height=1920)), "aspect_ratio"),
        (media(audio=[audio(codec="mp3")]), "audio_codec"),
    ],
)
def test_each_hubei_rule_fails_on_its_own_fault(info, check):
    result = outcomes(HUBEI, findings(info))
    assert result[check] == Outcome.FAIL
    others = {k: v for k, v in result.items() if k != check and v == Outcome.FAIL}
    if check == "resolution":
        others.pop("aspect_ratio", None)  # 1280×720 is still 16:9: nothing else fails
    assert others == {} or check == "aspect_ratio", others


@pytest.mark.parametrize(
    ("info", "check"),
    [
        (media(duration_s=310.0, streams=video(duration_s=310.0)), "duration"),
        (media(streams=video(avg_fps=24.0, nominal_fps=24.0)), "frame_rate"),
        (media(streams=video(avg_fps=23.976, nominal_fps=23.976)), "frame_rate"),
        (
            media(streams=video(coded_width=1280, coded_height=720, display_width=1280, display_height=720)),
            "resolution",
        ),
        (
            media(
                streams=video(coded_width=2560, coded_height=1080, display_width=2560, display_height=1080)
            ),
            "aspect_ratio",
        ),
        (media(sniffed_format="mkv", extension="mp4", major_brand=None), "container"),
    ],
)
def test_each_chongqing_rule_fails_on_its_own_fault(info, check):
    assert outcomes(CHONGQING, findings(info))[check] == Outcome.FAIL


def test_four_by_three_is_allowed_in_chongqing_but_not_in_hubei():
    four_three = media(
        streams=video(coded_width=1440, coded_height=1080, display_width=1440, display_height=1080)
    )
    assert outcomes(CHONGQING, findings(four_three))["aspect_ratio"] == Outcome.PASS
    hubei = outcomes(HUBEI, findings(four_three))
    assert hubei["aspect_ratio"] == Outcome.FAIL
    assert hubei["resolution"] == Outcome.FAIL


def test_an_mp4_renamed_mov_is_the_right_format_with_the_wrong_name():
    line = next(
        line for line in Judge(HUBEI, findings(media(extension="mov"))).lines() if line.check == "container"
    )
    assert line.outcome == Outcome.WARN
    assert ".mp4" in line.message


def test_a_mov_renamed_mp4_fails_hubei_and_says_renaming_is_not_enough():
    line = next(
        line for line in Judge(HUBEI, findings(media(major_brand="qt"))).lines() if line.check == "container"
    )
    assert line.outcome == Outcome.FAIL
    assert "MOV" in line.actual and "只改扩展名无效" in line.message


def test_loudness_faults_are_warnings_not_failures():
    loud = SoundFindings(
        integrated_lkfs=-12.0,
        true_peak_dbtp=-0.1,
        clipped_samples=5000,
        clipped_ratio=0.01,
        last_time_s=180.0,
    )
    result = outcomes(HUBEI, findings(sound=loud))
    assert result["loudness.integrated"] == Outcome.WARN
    assert result["loudness.true_peak"] == Outcome.WARN
    assert result["loudness.clipping"] == Outcome.WARN
    quiet = SoundFindings(
        integrated_lkfs=-40.0, true_peak_dbtp=-20.0, last_time_s=180.0, silence=[Segment(60.0, 75.0)]
    )
    result = outcomes(HUBEI, findings(sound=quiet))
    assert result["loudness.integrated"] == Outcome.WARN
    assert result["loudness.silence"] == Outcome.WARN
    assert result["loudness.true_peak"] == Outcome.PASS


def test_missing_audio_fails_the_codec_rule_and_warns_about_sound():
    result = outcomes(HUBEI, findings(media(sound=False)))
    assert result["audio_codec"] == Outcome.FAIL
    assert result["loudness.missing"] == Outcome.WARN


def test_sound_and_picture_of_different_lengths():
    short = SoundFindings(integrated_lkfs=-24.0, true_peak_dbtp=-3.0, last_time_s=150.0)
    line = next(
        line for line in Judge(HUBEI, findings(sound=short)).lines() if line.check == "loudness.length"
    )
    assert line.outcome == Outcome.WARN
    assert "30.0" in line.message


def test_picture_faults_go_to_a_person_in_the_presets():
    picture = PictureFindings(
        frames_decoded=4500,
        frames_analysed=1500,
        black=[Segment(0.0, 3.0)],
        frozen=[Segment(60.0, 66.0)],
        active_box=(240, 0, 1440, 1080),
        pillarbox=True,
        effective_height=720,
        last_time_s=179.9,
    )
    result = outcomes(HUBEI, findings(picture=picture))
    for check in (
        "picture_quality.black",
        "picture_quality.frozen",
        "picture_quality.bars",
        "picture_quality.upscaled",
    ):
        assert result[check] == Outcome.REVIEW, check
    line = next(
        line
        for line in Judge(HUBEI, findings(picture=picture)).lines()
        if line.check == "picture_quality.black"
    )
    assert line.evidence[0].time_s == 0.0 and line.evidence[0].end_s == 3.0


def test_an_unreadable_file_is_could_not_check_on_every_rule():
    broken = Findings(media=None, problem="文件无法解析：不是视频文件", problem_en="not a video")
    lines = Judge(HUBEI, broken).lines()
    assert len(lines) == len(HUBEI.technical)
    assert all(line.outcome == Outcome.ERROR for line in lines)
    assert all("不是视频文件" in line.message for line in lines)


def test_the_file_name_must_carry_the_unit_and_title_when_given():
    good = findings(media(path="/tmp/长川市委统战部-一封家书.mp4"))
    kwargs = {"entrant": "长川市委统战部", "title": "一封家书"}
    ok = Judge(HUBEI, good, file_name="长川市委统战部-一封家书.mp4", **kwargs).lines()
    assert next(line for line in ok if line.check == "file_name").outcome == Outcome.PASS
    bad = Judge(HUBEI, good, file_name="final_v3.mp4", **kwargs).lines()
    line = next(line for line in bad if line.check == "file_name")
    assert line.outcome == Outcome.FAIL
    assert "报送单位" in line.message and "作品名称" in line.message


def test_no_rule_is_judged_by_the_campaigns_name():
    renamed = HUBEI.model_copy(update={"title": "另一个活动", "short_title": "另一个"})
    assert outcomes(renamed, findings()) == outcomes(HUBEI, findings())


def test_a_readers_fault_costs_what_the_rules_severity_says():
    """Hubei leaves the watermark to the organiser (review); a campaign that makes it hard refuses it."""
    from guangying.inspection.reading.findings import Overlay, TextFindings

    text = TextFindings(width=1920, height=1080, duration_s=180.0, overlay_motion=0.6, overlays=[
        Overlay(box=(1700, 40, 160, 80), start_s=0.0, end_s=179.0, share=0.95, kind="text",
                text="抖音号：abc123", position="top-right")])
    found = findings(picture=PictureFindings(frames_decoded=4500, frames_analysed=1500, sharpness=120.0,
                                             last_time_s=179.96, text=text))
    assert outcomes(HUBEI, found)["watermark"] == Outcome.REVIEW
    hard = HUBEI.model_copy(update={"technical": [
        r.model_copy(update={"severity": "hard"}) if r.check == "watermark" else r for r in HUBEI.technical]})
    assert outcomes(hard, found)["watermark"] == Outcome.FAIL
