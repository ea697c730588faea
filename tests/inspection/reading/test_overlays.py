"""Watermarks and logos, read from real videos: what stays put while the picture moves, and what does not."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from functools import cache
from types import SimpleNamespace

import av
import cv2
import pytest

from guangying.inspection.engine import inspect
from guangying.inspection.probe import probe
from guangying.inspection.quality import analyse
from guangying.inspection.reading import ReadingPlan
from guangying.inspection.reading.findings import Overlay, TextFindings, text_findings_from_dict
from guangying.inspection.reading.look import Look
from guangying.inspection.reading.overlays import OverlayReader, judge_watermark
from guangying.rulesets import load_preset
from guangying.rulesets.schema import WatermarkRule

from .scenes import Logo, Scene, Text, make, subtitle_track

W, H = 960, 540
STATION = "长川广播电视台"
LINES = ["一九二一年七月，党的一大召开", "从此，中国革命的面貌焕然一新", "无数先辈前赴后继",
         "他们用青春和热血书写忠诚"]

SCENES: dict[str, Scene] = {
    **{f"logo-{corner}": Scene(seconds=6, width=W, height=H, logos=[Logo(corner=corner)])
       for corner in ("top-left", "top-right", "bottom-left", "bottom-right")},
    "semi-0.3": Scene(seconds=6, width=W, height=H, logos=[Logo(corner="bottom-right", opacity=0.3)]),
    "semi-0.5": Scene(seconds=8, width=W, height=H, background="pan",
                      logos=[Logo(corner="top-left", opacity=0.5)]),
    "douyin": Scene(seconds=6, width=W, height=H,
                    texts=[Text("抖音号：12345678", where="top-right", size=0.05)]),
    "second-half": Scene(seconds=8, width=W, height=H, logos=[Logo(corner="top-left", start=4.0)]),
    "station": Scene(seconds=6, width=W, height=H, logos=[Logo(corner="top-left", text=STATION)]),
    "small-720p": Scene(seconds=6, logos=[Logo(corner="top-right", size=0.07)]),
    "portrait-kuaishou": Scene(seconds=6, width=540, height=960,
                               texts=[Text("快手号：kw886655", where="bottom-right", size=0.04)]),
    "clean": Scene(seconds=6, width=W, height=H),
    "clean-pan": Scene(seconds=8, width=W, height=H, background="pan"),
    "clean-dark": Scene(seconds=6, width=W, height=H, background="dark"),
    "subtitles": Scene(seconds=12, width=W, height=H, texts=subtitle_track(LINES)[0]),
    "subtitles-strip": Scene(seconds=12, width=W, height=H, texts=subtitle_track(LINES, strip=True)[0]),
    "subtitles-beside": Scene(seconds=12, width=W, height=H, texts=[
        *subtitle_track(LINES)[0],
        Text("西瓜视频 @长川故事", where="bottom-right", size=0.04, opacity=0.35, outline=None)]),
    "still": Scene(seconds=6, width=W, height=H, background="still"),
    "still-logo": Scene(seconds=6, width=W, height=H, background="still", logos=[Logo()]),
    "black": Scene(seconds=4, width=640, height=360, background="black", logos=[Logo(size=0.08)]),
    # One picture is refused by the probe as a still image; two are the shortest video.
    "two-frames": Scene(seconds=0.08, width=640, height=360, logos=[Logo()]),
}

NOT_ALLOWED = WatermarkRule(check="watermark", severity="review", allowed=False)
OWN_ALLOWED = WatermarkRule(check="watermark", severity="review", allowed=False, allow_entrant_logo=True)
ALLOWED = WatermarkRule(check="watermark", severity="review", allowed=True)


@cache
def read(name: str) -> TextFindings:
    path = make(SCENES[name], f"overlay-{name}")
    picture, _sound = analyse(str(path), probe(path), reading=ReadingPlan(overlays=True))
    assert picture is not None and picture.text is not None
    return picture.text


def outcome(name: str, rule: WatermarkRule = NOT_ALLOWED, entrant: str | None = None) -> str:
    verdicts = judge_watermark(rule, read(name), entrant)
    assert len(verdicts) == 1
    return verdicts[0].outcome


@pytest.mark.parametrize("corner", ["top-left", "top-right", "bottom-left", "bottom-right"])
def test_an_opaque_logo_is_found_in_each_corner(corner: str) -> None:
    found = read(f"logo-{corner}")
    assert len(found.overlays) == 1
    logo = found.overlays[0]
    assert logo.position == corner and logo.kind == "logo" and not logo.weak
    assert logo.share >= 0.9 and logo.start_s <= 0.5 and logo.end_s >= 5.5
    assert logo.opacity is not None and logo.opacity >= 0.8
    left, top, width, height = logo.box  # the scene draws a 65-pixel ring 22 pixels from the edges
    assert 50 <= width <= 110 and 50 <= height <= 110
    assert (left < W / 4) == corner.endswith("left") and (top < H / 4) == corner.startswith("top")
    verdict = judge_watermark(NOT_ALLOWED, found, None)[0]
    assert verdict.outcome == "fail"
    assert verdict.evidence and verdict.evidence[0].jpeg_base64
    assert base64.b64decode(verdict.evidence[0].jpeg_base64)[:2] == b"\xff\xd8"
    assert verdict.evidence[0].time_s <= 0.5 and verdict.evidence[0].end_s >= 5.5


@pytest.mark.parametrize("name", ["semi-0.3", "semi-0.5"])
def test_a_semi_transparent_logo_is_found(name: str) -> None:
    found = read(name)
    assert len(found.overlays) == 1
    logo = found.overlays[0]
    assert not logo.weak and logo.share >= 0.7
    assert logo.opacity is not None and logo.opacity < 0.8
    verdict = judge_watermark(NOT_ALLOWED, found, None)[0]
    assert verdict.outcome == "fail" and "半透明" in verdict.actual


def test_a_platform_id_in_a_corner_is_a_text_watermark() -> None:
    found = read("douyin")
    assert len(found.overlays) == 1
    mark = found.overlays[0]
    assert mark.kind == "text" and mark.position == "top-right"
    assert "抖音号" in mark.text and "12345678" in mark.text
    verdict = judge_watermark(NOT_ALLOWED, found, None)[0]
    assert verdict.outcome == "fail"
    assert "平台水印" in verdict.message and "platform watermark" in verdict.message_en
    assert "抖音号" in verdict.actual and "抖音号" in verdict.evidence[0].note


def test_a_platform_id_in_a_portrait_video() -> None:
    found = read("portrait-kuaishou")
    assert [o.kind for o in found.overlays] == ["text"]
    assert "快手" in found.overlays[0].text and found.overlays[0].position == "bottom-right"
    assert outcome("portrait-kuaishou") == "fail"


def test_a_watermark_in_the_second_half_only_gives_its_time_span() -> None:
    found = read("second-half")
    assert len(found.overlays) == 1
    logo = found.overlays[0]
    assert 3.5 <= logo.start_s <= 4.8 and logo.end_s >= 7.5
    assert 0.4 <= logo.share <= 0.65
    assert outcome("second-half") == "fail"


def test_a_small_logo_in_720p() -> None:
    found = read("small-720p")
    assert [o.position for o in found.overlays] == ["top-right"]
    assert outcome("small-720p") == "fail"


def test_the_units_own_station_logo_is_allowed_only_where_the_rule_allows_it() -> None:
    found = read("station")
    assert len(found.overlays) == 1
    assert found.overlays[0].kind == "logo" and STATION in found.overlays[0].text
    assert outcome("station", OWN_ALLOWED, entrant=STATION) == "pass"
    assert outcome("station", OWN_ALLOWED, entrant="中共长川市委统战部") == "fail"  # another unit's logo
    assert outcome("station", NOT_ALLOWED, entrant=STATION) == "fail"
    verdict = judge_watermark(OWN_ALLOWED, found, STATION)[0]
    assert "本单位台标" in verdict.actual and verdict.evidence


def test_a_platform_watermark_is_never_the_units_logo() -> None:
    assert outcome("douyin", OWN_ALLOWED, entrant="抖音号") == "fail"


def test_watermarks_allowed_pass_but_are_reported() -> None:
    verdict = judge_watermark(ALLOWED, read("douyin"), None)[0]
    assert verdict.outcome == "pass" and "抖音号" in verdict.actual


@pytest.mark.parametrize("name", ["clean", "clean-pan", "clean-dark"])
def test_no_watermark_on_a_moving_background_passes(name: str) -> None:
    found = read(name)
    assert found.overlays == []
    assert found.overlay_motion is not None and found.overlay_motion >= 0.5
    verdict = judge_watermark(NOT_ALLOWED, found, None)[0]
    assert verdict.outcome == "pass" and verdict.actual == "未发现水印或台标"


@pytest.mark.parametrize("name", ["subtitles", "subtitles-strip"])
def test_changing_subtitles_are_not_a_watermark(name: str) -> None:
    assert read(name).overlays == []
    assert outcome(name) == "pass"


@cache
def read_with_subtitles(name: str) -> TextFindings:
    path = make(SCENES[name], f"overlay-{name}")
    plan = ReadingPlan(overlays=True, subtitles=True)
    picture, _sound = analyse(str(path), probe(path), reading=plan)
    assert picture is not None and picture.text is not None
    return picture.text


def test_a_faint_watermark_on_the_subtitles_row_is_found_beside_them() -> None:
    # The band's strokes join the watermark into one box as wide as the band; without the lines
    # the subtitle reader found, the watermark is left.
    found = read_with_subtitles("subtitles-beside")
    assert found.captions
    [overlay] = found.overlays
    assert overlay.position == "bottom-right" and overlay.box[0] > W * 0.6
    assert judge_watermark(NOT_ALLOWED, found, None)[0].outcome == "fail"


def test_the_strip_behind_subtitles_is_not_a_watermark_either() -> None:
    found = read_with_subtitles("subtitles-strip")
    assert found.captions and found.overlays == []


@pytest.mark.parametrize("name", ["still", "still-logo"])
def test_a_static_shot_cannot_tell_and_claims_nothing(name: str) -> None:
    found = read(name)
    assert found.overlays == []
    assert found.overlay_motion is not None and found.overlay_motion < 0.05
    verdict = judge_watermark(NOT_ALLOWED, found, None)[0]
    assert verdict.outcome == "review" and "无法判断" in verdict.actual


@pytest.mark.parametrize("name", ["black", "two-frames"])
def test_black_pictures_and_a_blink_of_a_video_go_to_a_person(name: str) -> None:
    found = read(name)
    assert found.overlays == []
    assert outcome(name) == "review"


def test_a_single_picture_given_to_the_reader_claims_nothing() -> None:
    with av.open(str(make(SCENES["logo-top-left"], "overlay-logo-top-left"))) as container:
        frame = next(container.decode(video=0))
    luma = frame.to_ndarray(format="gray")
    small = cv2.resize(luma, (480, 270), interpolation=cv2.INTER_AREA)
    reader = OverlayReader(SimpleNamespace(evidence=True, duration_s=0.04))
    reader.look(Look(t=0.0, luma=luma, small=small, is_black=False))
    found = TextFindings(width=W, height=H)
    reader.finish(found)
    assert found.overlays == [] and found.overlay_motion == 0.0
    assert judge_watermark(NOT_ALLOWED, found, None)[0].outcome == "review"


def test_nothing_read_leaves_the_rule_to_a_person() -> None:
    assert judge_watermark(NOT_ALLOWED, None, None) == []
    unread = TextFindings(width=W, height=H)  # the plan did not ask for overlays
    assert judge_watermark(NOT_ALLOWED, unread, None) == []
    failed = TextFindings(width=W, height=H, overlay_motion=0.9,
                          problems=["OverlayReader: ValueError: broken"])
    assert judge_watermark(NOT_ALLOWED, failed, None) == []


def test_a_weak_candidate_goes_to_a_person() -> None:
    maybe = Overlay(box=(10, 10, 60, 60), start_s=1.0, end_s=3.0, share=0.25, position="top-left",
                    weak=True)
    found = TextFindings(width=W, height=H, overlays=[maybe], overlay_motion=0.9)
    verdict = judge_watermark(NOT_ALLOWED, found, None)[0]
    assert verdict.outcome == "review" and verdict.evidence and "疑似" in verdict.actual


def test_findings_cross_the_json_boundary() -> None:
    found = read("douyin")
    again = text_findings_from_dict(json.loads(json.dumps(asdict(found))))
    assert again is not None and again.overlay_motion == found.overlay_motion
    assert again.overlays[0].position == "top-right" and again.overlays[0].text == found.overlays[0].text
    assert judge_watermark(NOT_ALLOWED, again, None)[0].outcome == "fail"


# ---- through the real engine: the Hubei preset allows no watermark

HUBEI = load_preset("hubei-2026-weiguang")


# The preset makes the watermark a review rule: a watermark found goes to the organiser, with its
# evidence, where a hard rule would refuse the work.
@pytest.mark.parametrize(("name", "expected", "found"), [
    ("logo-top-right", "review", True), ("douyin", "review", True), ("clean", "pass", False),
    ("still", "review", False)])
def test_the_engine_judges_the_hubei_watermark_rule(name: str, expected: str, found: bool) -> None:
    path = make(SCENES[name], f"overlay-{name}")
    report = inspect(path, HUBEI, entrant="中共长川市委统战部", title="一封家书", mode="full")
    line = next(line for line in report.lines if line.check == "watermark")
    assert line.outcome == expected, line.actual
    assert line.actual.startswith("发现") == found
    if found:
        assert line.evidence and line.evidence[0].jpeg_base64
        assert line.actual_en and line.message_en
