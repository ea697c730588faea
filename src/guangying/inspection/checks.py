"""Judging findings against a rule set: one report line per rule, from data alone.

Every branch here is keyed by a check id of the rule set, never by a
campaign: the Hubei and Chongqing presets differ only in the rules they
carry and their parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from guangying.rulesets import RuleSet
from guangying.rulesets.describe import CHECK_LABELS, CHECK_LABELS_EN, describe, describe_en

from .media import Findings, MediaInfo, PictureFindings, Segment, SoundFindings
from .report import Evidence, Line, Outcome

LABELS_EN = {**CHECK_LABELS_EN, "file_name": "File name"}

# 「video0.size: declared 65535x65535, out of range」: the probe's record of a size it refused.
_DECLARED_SIZE = re.compile(r"^video\d+\.size: declared (\d+)x(\d+)")
# 「video0 data ends at 0.360 s」, 「video0 packets end at 12.000 s」 in a truncated: anomaly.
_ENDS_AT = re.compile(r"\bends? at (\d+(?:\.\d+)?) s\b")

CONTAINER_NAMES = {
    "mp4": "MP4",
    "mov": "MOV",
    "mpeg": "MPEG/MPG",
    "ts": "MPEG-TS",
    "mkv": "MKV",
    "avi": "AVI",
    "flv": "FLV",
    "unknown": "无法识别",
    "empty": "空文件",
}
CONTAINER_NAMES_EN = {**CONTAINER_NAMES, "unknown": "unrecognised", "empty": "empty file"}
CODEC_NAMES = {
    "h264": "H.264",
    "hevc": "H.265/HEVC",
    "mpeg4": "MPEG-4 Part 2",
    "mpeg2video": "MPEG-2",
    "prores": "ProRes",
    "aac": "AAC",
    "mp3": "MP3",
    "mp2": "MPEG Audio Layer II",
    "ac3": "AC-3",
    "pcm_s16le": "PCM",
    "opus": "Opus",
    "vp9": "VP9",
    "av1": "AV1",
}

# What a detected problem becomes, by the rule's severity.
ON_PROBLEM = {"hard": Outcome.FAIL, "warn": Outcome.WARN, "review": Outcome.REVIEW}


def seconds_text(value: float | None) -> str:
    if value is None:
        return "未知"
    minutes, secs = divmod(round(value, 1), 60)
    return f"{int(minutes)} 分 {secs:.1f} 秒（{value:.1f} 秒）" if minutes else f"{secs:.1f} 秒"


def seconds_text_en(value: float | None) -> str:
    if value is None:
        return "unknown"
    minutes, secs = divmod(round(value, 1), 60)
    return f"{int(minutes)} min {secs:.1f} s ({value:.1f} s)" if minutes else f"{secs:.1f} s"


def _codec(name: str | None, unknown: str = "未知") -> str:
    return CODEC_NAMES.get(name or "", (name or unknown).upper() if name else unknown)


def _count(n: int, thing: str) -> str:
    """「3 段」 has no plural; English needs one."""
    return f"{n} {thing}" + ("" if n == 1 else "es" if thing.endswith(("s", "ch")) else "s")


def _sections_en(segments: list[Segment], thing: str) -> str:
    return f"{_count(len(segments), thing)}, {sum(s.length_s for s in segments):.1f} s in all"


def _container_of(media: MediaInfo) -> str:
    """Our name for what the bytes are: the brand tells MP4 from QuickTime."""
    sniffed = media.sniffed_format
    if sniffed in ("mp4", "mov"):
        brand = (media.major_brand or "").strip()
        if brand == "qt":
            return "mov"
        if brand:
            return "mp4"
        return sniffed
    return sniffed


def _segments(
    segments: list[Segment], picture: PictureFindings | None, note: str, note_en: str
) -> list[Evidence]:
    frames = picture.evidence if picture else []
    out = []
    for segment in segments[:10]:
        frame = next((f for f in frames if segment.start_s - 0.5 <= f.time_s <= segment.end_s), None)
        out.append(
            Evidence(
                time_s=segment.start_s,
                end_s=segment.end_s,
                note=note,
                note_en=note_en,
                jpeg_base64=frame.jpeg_base64 if frame else None,
            )
        )
    return out


class Judge:
    """Turns one file's findings into lines for each rule of a rule set."""

    def __init__(
        self,
        rules: RuleSet,
        findings: Findings,
        *,
        entrant: str | None = None,
        title: str | None = None,
        file_name: str | None = None,
        declares_ai: bool | None = None,
        mode: str = "full",
    ) -> None:
        self.rules = rules
        self.findings = findings
        self.media = findings.media
        self.entrant = entrant
        self.title = title
        self.file_name = file_name
        self.declares_ai = declares_ai
        # Headers only: the rules that need the decoded picture or sound wait for the full pass.
        self.decoded = mode == "full"

    def lines(self) -> list[Line]:
        out: list[Line] = []
        handlers: dict[str, Callable[[Any], list[Line]]] = {
            "duration": self.duration,
            "container": self.container,
            "video_codec": self.video_codec,
            "audio_codec": self.audio_codec,
            "resolution": self.resolution,
            "aspect_ratio": self.aspect_ratio,
            "frame_rate": self.frame_rate,
            "picture_quality": self.picture_quality,
            "loudness": self.loudness,
            "subtitles": self.subtitles,
            "end_credits": self.end_credits,
            "watermark": self.watermark,
            "ai_label": self.ai_label,
        }
        if self.media is not None:
            out.extend(self.integrity())
        for rule in self.rules.technical:
            if self.media is None:
                out.append(
                    self._line(
                        rule,
                        Outcome.ERROR,
                        "—",
                        self.findings.problem or "无法读取文件",
                        self.findings.problem_en or "the file could not be read",
                        actual_en="—",
                    )
                )
                continue
            if not self.decoded and rule.check == "picture_quality":
                continue
            if not self.decoded and rule.check == "loudness":
                if self.media.main_audio is None:
                    out.extend(self.loudness(rule))  # no audio is known from the headers
                continue
            handler = handlers.get(rule.check, self.by_person)
            out.extend(handler(rule))
        if self.media is not None and (self.entrant or self.title) and self.file_name:
            out.append(self.file_naming())
        return out

    # ---- helpers

    def _line(
        self,
        rule: Any,
        outcome: Outcome,
        actual: str,
        message: str = "",
        message_en: str = "",
        *,
        actual_en: str,
        check: str | None = None,
        label: str | None = None,
        label_en: str | None = None,
        requested: str | None = None,
        requested_en: str | None = None,
        evidence: list[Evidence] | None = None,
        params: dict | None = None,
    ) -> Line:
        """`actual_en` is required so that no line reaches an English report in Chinese only."""
        if (requested is None) != (requested_en is None):
            raise TypeError("requested and requested_en are given together")
        return Line(
            check=check or rule.check,
            label=label or CHECK_LABELS.get(rule.check, rule.check),
            label_en=label_en or LABELS_EN.get(rule.check, rule.check),
            outcome=outcome,
            requested=requested if requested is not None else describe(rule),
            actual=actual,
            message=message,
            message_en=message_en,
            requested_en=requested_en if requested_en is not None else describe_en(rule),
            actual_en=actual_en,
            params=params
            if params is not None
            else rule.model_dump(mode="json", exclude={"check", "severity", "source", "note"}),
            severity=rule.severity,
            source=rule.source,
            evidence=evidence or [],
        )

    def _unknown_size(self, rule: Any) -> list[Line] | None:
        """A size the probe did not believe is 0×0: say it cannot be read rather than judge 0 pixels
        (or divide by them)."""
        video = self.media.main_video
        if video.display_width > 0 and video.display_height > 0:
            return None
        found = next((m for a in self.media.anomalies if (m := _DECLARED_SIZE.search(a))), None)
        size = f" {found[1]}×{found[2]} " if found else ""
        return [
            self._line(
                rule,
                Outcome.ERROR,
                "未知",
                f"无法读出画面尺寸：文件声明的尺寸{size}不可信，文件可能已损坏。",
                "The picture size cannot be read: the size the file declares"
                + (f" ({found[1]}x{found[2]})" if found else "")
                + " is not credible; the file may be damaged.",
                actual_en="unknown",
            )
        ]

    def _no_video(self, rule: Any) -> list[Line]:
        return [
            self._line(
                rule,
                Outcome.ERROR,
                "没有视频流",
                "文件中没有视频画面，无法检查。",
                "The file has no video stream.",
                actual_en="no video stream",
            )
        ]

    # ---- container and streams

    def duration(self, rule: Any) -> list[Line]:
        media = self.media
        video = media.main_video
        # The container's duration is what players show; a stream's is the fallback.
        value = media.duration_s or (video.duration_s if video else None)
        if value is None or value <= 0:
            return [
                self._line(
                    rule,
                    Outcome.ERROR,
                    "未知",
                    "无法读出时长，文件可能不完整。",
                    "The duration cannot be read; the file may be incomplete.",
                    actual_en="unknown",
                )
            ]
        too_short = rule.min_s is not None and value < rule.min_s - 0.05
        too_long = rule.max_s is not None and value > rule.max_s + 0.05
        outcome = ON_PROBLEM[rule.severity] if (too_short or too_long) else Outcome.PASS
        message = message_en = ""
        if too_short:
            message = f"比要求短 {rule.min_s - value:.1f} 秒。"
            message_en = f"{rule.min_s - value:.1f} s shorter than required."
        elif too_long:
            message = f"比要求长 {value - rule.max_s:.1f} 秒，请剪短。"
            message_en = f"{value - rule.max_s:.1f} s longer than allowed."
        line = self._line(rule, outcome, seconds_text(value), message, message_en,
                          actual_en=seconds_text_en(value))
        line.params["actual_s"] = round(value, 3)
        return [line]

    def container(self, rule: Any) -> list[Line]:
        media = self.media
        found = _container_of(media)
        extension = media.extension
        actual = f"{CONTAINER_NAMES.get(found, found.upper())}（扩展名 .{extension or '无'}）"
        name_en = CONTAINER_NAMES_EN.get(found, found.upper())
        actual_en = f"{name_en} (extension .{extension})" if extension else f"{name_en} (no extension)"
        if found not in rule.allowed:
            wanted = "、".join(CONTAINER_NAMES.get(c, c) for c in rule.allowed)
            return [
                self._line(
                    rule,
                    ON_PROBLEM[rule.severity],
                    actual,
                    f"文件实际是 {CONTAINER_NAMES.get(found, found)}，要求 {wanted}；"
                    "请重新导出，只改扩展名无效。",
                    f"The file is really {name_en}; export again as required — renaming is not enough.",
                    actual_en=actual_en,
                )
            ]
        if rule.extensions and extension not in rule.extensions:
            wanted = "、".join("." + e for e in rule.extensions)
            return [
                self._line(
                    rule,
                    Outcome.WARN,
                    actual,
                    f"文件格式正确，但扩展名应为 {wanted}，请改名后再提交。",
                    f"The format is right but the extension should be {wanted.replace('、', ', ')}.",
                    actual_en=actual_en,
                )
            ]
        return [self._line(rule, Outcome.PASS, actual, actual_en=actual_en)]

    def video_codec(self, rule: Any) -> list[Line]:
        video = self.media.main_video
        if video is None:
            return self._no_video(rule)
        actual = _codec(video.codec) + (f"（{video.profile}）" if video.profile else "")
        actual_en = _codec(video.codec, "unknown") + (f" ({video.profile})" if video.profile else "")
        if video.codec in rule.allowed:
            return [self._line(rule, Outcome.PASS, actual, actual_en=actual_en)]
        return [
            self._line(
                rule,
                ON_PROBLEM[rule.severity],
                actual,
                f"视频编码应为 {'、'.join(_codec(c) for c in rule.allowed)}，请重新导出。",
                "Export again with the required video codec.",
                actual_en=actual_en,
            )
        ]

    def audio_codec(self, rule: Any) -> list[Line]:
        audio = self.media.main_audio
        if audio is None:
            return [
                self._line(
                    rule,
                    ON_PROBLEM[rule.severity],
                    "没有音轨",
                    "文件没有声音，要求 " + "、".join(_codec(c) for c in rule.allowed) + " 音频。",
                    "The file has no audio track.",
                    actual_en="no audio track",
                )
            ]
        actual = f"{_codec(audio.codec)}，{audio.channels} 声道，{audio.sample_rate} Hz"
        actual_en = (
            f"{_codec(audio.codec, 'unknown')}, {_count(audio.channels, 'channel')}, {audio.sample_rate} Hz"
        )
        if audio.codec in rule.allowed:
            return [self._line(rule, Outcome.PASS, actual, actual_en=actual_en)]
        return [
            self._line(
                rule,
                ON_PROBLEM[rule.severity],
                actual,
                f"音频编码应为 {'、'.join(_codec(c) for c in rule.allowed)}，请重新导出。",
                "Export again with the required audio codec.",
                actual_en=actual_en,
            )
        ]

    def _size_text(self) -> tuple[str, str]:
        """The size as seen, and the stored size when rotation or pixel shape makes them differ."""
        video = self.media.main_video
        text = text_en = f"{video.display_width}×{video.display_height}"
        if (video.display_width, video.display_height) != (video.coded_width, video.coded_height):
            stored = f"{video.coded_width}×{video.coded_height}"
            text += f"（存储为 {stored}" + (f"，旋转 {video.rotation}°）" if video.rotation else "）")
            text_en += f" (stored as {stored}" + (f", rotated {video.rotation}°)" if video.rotation else ")")
        return text, text_en

    def resolution(self, rule: Any) -> list[Line]:
        video = self.media.main_video
        if video is None:
            return self._no_video(rule)
        unknown = self._unknown_size(rule)
        if unknown:
            return unknown
        width, height = video.display_width, video.display_height
        if rule.exact is not None:
            ok = (width, height) == tuple(rule.exact)
            message = "" if ok else f"分辨率应为 {rule.exact[0]}×{rule.exact[1]}。"
            message_en = "" if ok else f"The resolution should be {rule.exact[0]}×{rule.exact[1]}."
        else:
            ok = min(width, height) >= rule.min_short_side
            message = (
                "" if ok else f"画面短边只有 {min(width, height)} 像素，要求不低于 {rule.min_short_side}。"
            )
            message_en = "" if ok else (
                f"The shorter side is {min(width, height)} pixels; at least {rule.min_short_side} required."
            )
        actual, actual_en = self._size_text()
        return [
            self._line(
                rule,
                Outcome.PASS if ok else ON_PROBLEM[rule.severity],
                actual,
                message,
                message_en,
                actual_en=actual_en,
            )
        ]

    def aspect_ratio(self, rule: Any) -> list[Line]:
        video = self.media.main_video
        if video is None:
            return self._no_video(rule)
        unknown = self._unknown_size(rule)
        if unknown:
            return unknown
        width, height = video.display_width, video.display_height
        matched = rule.match(width, height)
        orientation = "横屏" if width > height else "竖屏" if height > width else "方形"
        actual = f"{orientation} {width}:{height}" + (
            f"（{matched}）" if matched else f"（约 {width / height:.3f}）"
        )
        orientation_en = "landscape" if width > height else "portrait" if height > width else "square"
        actual_en = f"{orientation_en} {width}:{height}" + (
            f" ({matched})" if matched else f" (about {width / height:.3f})"
        )
        wrong_way = (rule.orientation == "landscape" and width <= height) or (
            rule.orientation == "portrait" and height <= width
        )
        if matched and not wrong_way:
            return [self._line(rule, Outcome.PASS, actual, actual_en=actual_en)]
        message = "画面方向不符合要求。" if wrong_way else "画面比例不在允许的范围内。"
        return [
            self._line(
                rule,
                ON_PROBLEM[rule.severity],
                actual,
                message,
                "The picture is the wrong way round."
                if wrong_way
                else "The picture's shape is not one the rule allows.",
                actual_en=actual_en,
            )
        ]

    def frame_rate(self, rule: Any) -> list[Line]:
        video = self.media.main_video
        if video is None:
            return self._no_video(rule)
        fps = video.avg_fps or video.nominal_fps
        if fps is None:
            return [
                self._line(
                    rule, Outcome.ERROR, "未知", "无法读出帧率。", "The frame rate cannot be read.",
                    actual_en="unknown",
                )
            ]
        actual = f"{fps:.3f} 帧/秒".replace(".000", "")
        actual_en = f"{fps:.3f} fps".replace(".000", "")
        if video.variable_frame_rate:
            actual += "（可变帧率）"
            actual_en += " (variable frame rate)"
        low = fps < rule.min_fps - 0.01
        high = rule.max_fps is not None and fps > rule.max_fps + 0.01
        if not (low or high):
            return [self._line(rule, Outcome.PASS, actual, actual_en=actual_en)]
        return [
            self._line(
                rule,
                ON_PROBLEM[rule.severity],
                actual,
                f"帧率低于 {rule.min_fps:g} 帧/秒。" if low else "帧率高于上限。",
                f"The frame rate is below {rule.min_fps:g} fps."
                if low
                else "The frame rate is above the limit.",
                actual_en=actual_en,
            )
        ]

    # ---- the decode pass

    def picture_quality(self, rule: Any) -> list[Line]:
        picture = self.findings.picture
        if self.media.main_video is None:
            return self._no_video(rule)
        if picture is None:
            return [
                self._line(
                    rule,
                    Outcome.ERROR,
                    "未检查",
                    "未能解码画面。",
                    "The picture was not decoded.",
                    actual_en="not checked",
                    check="picture_quality",
                )
            ]
        if picture.frames_decoded == 0:
            # Nothing decoded means nothing seen: no black, no freeze and no blur is not a pass.
            errors = f"（{picture.decode_errors} 处解码错误）" if picture.decode_errors else ""
            return [
                self._line(
                    rule,
                    Outcome.ERROR,
                    "未解出任何画面",
                    f"文件中的画面一帧也无法解码{errors}，文件可能已损坏或不完整。",
                    "Not one picture of the file could be decoded; it may be damaged or incomplete.",
                    actual_en="no picture decoded",
                    check="picture_quality",
                )
            ]
        problem = ON_PROBLEM[rule.severity]
        label = "画面"
        out = []
        black = [s for s in picture.black if s.length_s >= 0.5]
        out.append(
            self._line(
                rule,
                problem if black else Outcome.PASS,
                f"{len(black)} 段黑场，共 {sum(s.length_s for s in black):.1f} 秒" if black else "无黑场",
                "请确认黑场是有意为之（如转场），否则请剪去。" if black else "",
                "Check that the black pictures are intended." if black else "",
                actual_en=_sections_en(black, "black section") if black else "no black pictures",
                check="picture_quality.black",
                label=f"{label}黑场",
                label_en="Black frames",
                requested="无异常黑场",
                requested_en="no unintended black pictures",
                evidence=_segments(black, picture, "黑场", "black"),
            )
        )
        frozen = [s for s in picture.frozen if s.length_s >= 2]
        out.append(
            self._line(
                rule,
                problem if frozen else Outcome.PASS,
                f"{len(frozen)} 段静帧，共 {sum(s.length_s for s in frozen):.1f} 秒" if frozen else "无静帧",
                "画面长时间静止，请确认不是导出错误。" if frozen else "",
                "The picture stands still; check it is not an export error." if frozen else "",
                actual_en=_sections_en(frozen, "frozen section") if frozen else "no frozen pictures",
                check="picture_quality.frozen",
                label=f"{label}静帧",
                label_en="Frozen frames",
                requested="无异常静帧",
                requested_en="no unintended frozen pictures",
                evidence=_segments(frozen, picture, "静帧", "frozen"),
            )
        )
        bars = picture.letterbox or picture.pillarbox
        box = picture.active_box
        bar_text, bar_text_en = "无黑边", "no bars"
        if bars and box:
            kind = "上下黑边" if picture.letterbox else "左右黑边"
            kind_en = "bars above and below" if picture.letterbox else "bars at the sides"
            if picture.letterbox and picture.pillarbox:
                kind, kind_en = "四周黑边", "bars all round"
            bar_text = f"{kind}，有效画面 {box[2]}×{box[3]}"
            bar_text_en = f"{kind_en}, active picture {box[2]}×{box[3]}"
        out.append(
            self._line(
                rule,
                problem if bars else Outcome.PASS,
                bar_text,
                "画面带黑边，有效画面小于文件分辨率。" if bars else "",
                "The picture has bars; the active picture is smaller than the frame." if bars else "",
                actual_en=bar_text_en,
                check="picture_quality.bars",
                label=f"{label}黑边",
                label_en="Black bars",
                requested="画面充满",
                requested_en="the picture fills the frame",
                evidence=[
                    Evidence(note=bar_text, note_en=bar_text_en, jpeg_base64=f.jpeg_base64, time_s=f.time_s)
                    for f in picture.evidence
                    if "bars" in f.note
                ][:1],
            )
        )
        video = self.media.main_video
        lines_high = min(video.display_width, video.display_height)
        upscaled = picture.effective_height is not None and picture.effective_height < lines_high * 0.85
        out.append(
            self._line(
                rule,
                problem if upscaled else Outcome.PASS,
                f"约 {picture.effective_height} 线的画面放大到 {lines_high} 线"
                if upscaled
                else f"清晰度与 {lines_high} 线相符",
                "画面由低分辨率放大而来，清晰度达不到文件分辨率。" if upscaled else "",
                "The picture was upscaled from a lower resolution." if upscaled else "",
                actual_en=f"about {picture.effective_height} lines upscaled to {lines_high}"
                if upscaled
                else f"detail matches {lines_high} lines",
                check="picture_quality.upscaled",
                label=f"{label}放大",
                label_en="Upscaling",
                requested="原生分辨率",
                requested_en="native resolution",
                evidence=[
                    Evidence(note="放大", note_en="upscaled", jpeg_base64=f.jpeg_base64, time_s=f.time_s)
                    for f in picture.evidence
                    if "upscale" in f.note
                ][:1],
            )
        )
        blurry = [s for s in picture.blurry if s.length_s >= 2]
        out.append(
            self._line(
                rule,
                problem if blurry else Outcome.PASS,
                f"{len(blurry)} 段画面模糊" if blurry else "未见明显模糊",
                "画面细节明显不足，请检查对焦或导出码率。" if blurry else "",
                "Parts of the picture lack detail." if blurry else "",
                actual_en=_count(len(blurry), "blurred section") if blurry else "no marked blur",
                check="picture_quality.blur",
                label=f"{label}清晰度",
                label_en="Sharpness",
                requested="画面清晰",
                requested_en="a clear picture",
                evidence=_segments(blurry, picture, "模糊", "blurry"),
            )
        )
        if picture.decode_errors:
            out.append(
                self._line(
                    rule,
                    problem,
                    f"{picture.decode_errors} 处解码错误",
                    "文件有损坏的画面数据，请重新导出。",
                    "The file has damaged picture data.",
                    actual_en=_count(picture.decode_errors, "decoding error"),
                    check="picture_quality.decode",
                    label=f"{label}完整性",
                    label_en="Picture integrity",
                    requested="无解码错误",
                    requested_en="no decoding errors",
                )
            )
        return out

    def loudness(self, rule: Any) -> list[Line]:
        sound: SoundFindings | None = self.findings.sound
        problem = ON_PROBLEM[rule.severity]
        if self.media.main_audio is None:
            return [
                self._line(
                    rule,
                    problem,
                    "没有音轨",
                    "文件没有声音。",
                    "The file has no sound.",
                    actual_en="no audio track",
                    check="loudness.missing",
                    label="声音",
                    label_en="Sound",
                    requested="有声音",
                    requested_en="sound",
                )
            ]
        if sound is None:
            return [
                self._line(
                    rule, Outcome.ERROR, "未检查", "未能解码声音。", "The sound was not decoded.",
                    actual_en="not checked",
                )
            ]
        out = []
        low = rule.target_lkfs - rule.tolerance_lu
        high = rule.target_lkfs + rule.tolerance_lu
        value = sound.integrated_lkfs
        if value is None:
            damaged = sound.decode_errors > 0
            out.append(
                self._line(
                    rule,
                    Outcome.ERROR,
                    "无法测量",
                    f"声音数据有 {sound.decode_errors} 处无法解码，文件可能已损坏或不完整，无法测量响度。"
                    if damaged
                    else "声音太短或全为静音，无法测量响度。",
                    "The sound could not be decoded; loudness cannot be measured."
                    if damaged
                    else "Loudness cannot be measured.",
                    actual_en="cannot be measured",
                    check="loudness.integrated",
                    label="节目响度",
                    label_en="Programme loudness",
                )
            )
        else:
            off = value < low or value > high
            out.append(
                self._line(
                    rule,
                    problem if off else Outcome.PASS,
                    f"{value:.1f} LKFS",
                    ("偏响" if value > high else "偏轻")
                    + f"，应在 {low:g}—{high:g} LKFS 之间（GY/T 282-2014）。"
                    if off
                    else "",
                    ("Too loud" if value > high else "Too quiet")
                    + f": should be between {low:g} and {high:g} LKFS (GY/T 282-2014)."
                    if off
                    else "",
                    actual_en=f"{value:.1f} LKFS",
                    check="loudness.integrated",
                    label="节目响度",
                    label_en="Programme loudness",
                    requested=f"{rule.target_lkfs:g} LKFS ± {rule.tolerance_lu:g} LU",
                    requested_en=f"{rule.target_lkfs:g} LKFS ± {rule.tolerance_lu:g} LU",
                )
            )
        peak = sound.true_peak_dbtp
        if peak is not None:
            over = peak > rule.max_true_peak_dbtp + 0.05
            out.append(
                self._line(
                    rule,
                    problem if over else Outcome.PASS,
                    f"{peak:.1f} dBTP",
                    f"真峰值过高，应不高于 {rule.max_true_peak_dbtp:g} dBTP。" if over else "",
                    f"True peak above {rule.max_true_peak_dbtp:g} dBTP." if over else "",
                    actual_en=f"{peak:.1f} dBTP",
                    check="loudness.true_peak",
                    label="真峰值",
                    label_en="True peak",
                    requested=f"≤ {rule.max_true_peak_dbtp:g} dBTP",
                    requested_en=f"≤ {rule.max_true_peak_dbtp:g} dBTP",
                )
            )
        silent = [s for s in sound.silence if s.length_s >= 2]
        out.append(
            self._line(
                rule,
                problem if silent else Outcome.PASS,
                f"{len(silent)} 段静音，共 {sum(s.length_s for s in silent):.1f} 秒"
                if silent
                else "无长时间静音",
                "有长时间无声，请确认是有意为之。" if silent else "",
                "Long silences: check they are intended." if silent else "",
                actual_en=_sections_en(silent, "silent section") if silent else "no long silences",
                check="loudness.silence",
                label="静音",
                label_en="Silence",
                requested="无异常静音",
                requested_en="no unintended silences",
                evidence=[
                    Evidence(time_s=s.start_s, end_s=s.end_s, note="静音", note_en="silence")
                    for s in silent[:10]
                ],
            )
        )
        clipped = sound.clipped_ratio > 1e-4
        out.append(
            self._line(
                rule,
                problem if clipped else Outcome.PASS,
                f"{sound.clipped_samples} 个削波采样（{sound.clipped_ratio:.3%}）"
                if sound.clipped_samples
                else "无削波",
                "声音有削波失真，请降低音量后重新导出。" if clipped else "",
                "The sound is clipped; lower the level and export again." if clipped else "",
                actual_en=f"{_count(sound.clipped_samples, 'clipped sample')} ({sound.clipped_ratio:.3%})"
                if sound.clipped_samples
                else "no clipping",
                check="loudness.clipping",
                label="削波",
                label_en="Clipping",
                requested="无削波失真",
                requested_en="no clipping distortion",
            )
        )
        picture = self.findings.picture
        if picture and picture.last_time_s is not None and sound.last_time_s is not None:
            gap = abs(picture.last_time_s - sound.last_time_s)
            apart = gap > 1.0
            out.append(
                self._line(
                    rule,
                    problem if apart else Outcome.PASS,
                    f"画面 {picture.last_time_s:.1f} 秒，声音 {sound.last_time_s:.1f} 秒",
                    f"声音与画面长度相差 {gap:.1f} 秒。" if apart else "",
                    f"Sound and picture differ in length by {gap:.1f} s." if apart else "",
                    actual_en=f"picture {picture.last_time_s:.1f} s, sound {sound.last_time_s:.1f} s",
                    check="loudness.length",
                    label="声画长度",
                    label_en="Sound and picture length",
                    requested="声音与画面等长",
                    requested_en="sound as long as the picture",
                )
            )
        return out

    # ---- rules that read the picture's text (inspection.reading): what a reader could not
    # measure goes to a person, never a silent pass

    @property
    def text(self) -> Any:
        picture = self.findings.picture
        return picture.text if self.decoded and picture is not None else None

    def _from_verdicts(self, rule: Any, verdicts: list[Any]) -> list[Line]:
        """The readers' verdicts as report lines. A reader's "fail" says the work breaks the rule;
        what that costs is the rule's severity, as for every other check (a review rule's fault goes
        to the organiser, a warn rule's is a reminder), so the presets decide, not the readers."""
        lines = []
        for v in verdicts:
            requested = {"requested": v.requested, "requested_en": v.requested_en} \
                if v.requested is not None else {}
            outcome = ON_PROBLEM[rule.severity] if v.outcome == Outcome.FAIL else Outcome(v.outcome)
            line = self._line(rule, outcome, v.actual, v.message, v.message_en,
                              actual_en=v.actual_en, check=v.check, label=v.label, label_en=v.label_en,
                              evidence=v.evidence, **requested)
            line.params.update(v.params)
            lines.append(line)
        return lines

    def subtitles(self, rule: Any) -> list[Line]:
        from .reading.subtitles import judge_subtitles

        verdicts = judge_subtitles(rule, self.text, self.media)
        if verdicts:
            return self._from_verdicts(rule, verdicts)
        soft = [s for s in self.media.subtitles if s.text]
        if soft:
            sample = "；".join(t for _s, _e, t in soft[0].text[:3])
            return [
                self._line(
                    rule,
                    Outcome.REVIEW,
                    f"有 {len(soft)} 条软字幕轨，例如：{sample[:60]}",
                    "请核对字幕为简体中文。",
                    "Check that the subtitles are Simplified Chinese.",
                    actual_en=f"{_count(len(soft), 'subtitle track')}, e.g. “{sample[:60]}”",
                )
            ]
        return self.by_person(rule)

    def end_credits(self, rule: Any) -> list[Line]:
        from .reading.credits import judge_end_credits

        verdicts = judge_end_credits(rule, self.text, self.entrant)
        return self._from_verdicts(rule, verdicts) if verdicts else self.by_person(rule)

    def watermark(self, rule: Any) -> list[Line]:
        from .reading.overlays import judge_watermark

        verdicts = judge_watermark(rule, self.text, self.entrant)
        return self._from_verdicts(rule, verdicts) if verdicts else self.by_person(rule)

    def ai_label(self, rule: Any) -> list[Line]:
        from .reading.labels import judge_ai_label

        verdicts = judge_ai_label(rule, self.text, self.media, self.declares_ai, decoded=self.decoded)
        if verdicts:
            return self._from_verdicts(rule, verdicts)
        labels = self.media.aigc_labels
        actual = f"元数据中有 {len(labels)} 个 AIGC 隐式标识" if labels else "元数据中没有 AIGC 隐式标识"
        line = self.by_person(rule)[0]
        line.actual = actual
        line.actual_en = (
            f"{_count(len(labels), 'embedded AIGC label')} in the metadata"
            if labels
            else "no embedded AIGC label in the metadata"
        )
        line.params["aigc_labels"] = labels[:3]
        return [line]

    def by_person(self, rule: Any) -> list[Line]:
        return [
            self._line(
                rule,
                Outcome.REVIEW,
                "需人工核对",
                "此项需要看画面判断，请人工核对。",
                "This rule needs a person to look at the picture.",
                actual_en="to be checked by a person",
            )
        ]

    def integrity(self) -> list[Line]:
        """A file cut short, or whose pictures do not decode, cannot pass on what it claims.

        The probe keeps a partly readable file's facts (its headers are often intact) and notes
        a cut as a `truncated:` anomaly; the decode pass counts what it could decode. Without
        this line the declared duration and codecs would pass a file whose pictures stop
        half-way or never start, since the picture rules are only of review severity. No notice
        has such a rule: a file must be whole and readable to be checked at all, so the line is
        of hard severity and makes the report 「无法检查」.
        """
        line = Line(
            check="integrity",
            label="文件完整性",
            label_en="File integrity",
            outcome=Outcome.ERROR,
            requested="文件完整、可以解码",
            actual="",
            requested_en="a whole file that decodes",
            actual_en="",
            severity="hard",
        )
        cuts = [a.split(": ", 1)[1] for a in self.media.anomalies if a.startswith("truncated:")]
        if cuts:
            ends = [float(m[1]) for c in cuts if (m := _ENDS_AT.search(c))]
            where = f"数据在 {min(ends):.1f} 秒处中断，其后的内容缺失" if ends else "文件在数据结束之前中断"
            where_en = (
                f"the data stops at {min(ends):.1f} s" if ends else "the file ends before its data does"
            )
            line.actual, line.actual_en = "文件不完整", "incomplete"
            line.message = f"文件不完整：{where}；可能未上传完整，请重新上传完整的文件。"
            line.message_en = f"The file is incomplete: {where_en}; the upload may not have finished."
            line.params = {"anomalies": cuts[:5]}
            return [line]
        picture = self.findings.picture
        if self.decoded and self.media.main_video is not None and picture is not None and (
            picture.frames_decoded == 0
        ):
            line.actual, line.actual_en = "画面无法解码", "the pictures do not decode"
            line.message = (
                f"文件已损坏：画面一帧也无法解码（{picture.decode_errors} 处解码错误），请重新导出后上传。"
            )
            line.message_en = (
                f"The file is damaged: not one picture decodes ({picture.decode_errors} decoding errors)."
            )
            line.params = {"decode_errors": picture.decode_errors}
            return [line]
        return []

    def file_naming(self) -> Line:
        naming = self.rules.file_naming
        missing = naming.missing_parts(
            self.file_name or "", entrant=self.entrant or "", title=self.title or ""
        )
        wanted = [p for p in missing if (p == "entrant" and self.entrant) or (p == "title" and self.title)]
        names = {"entrant": "报送单位", "title": "作品名称"}
        names_en = {"entrant": "unit's name", "title": "title"}
        example = naming.render(entrant=self.entrant or "报送单位", title=self.title or "作品名称")
        example_en = naming.render(entrant=self.entrant or "UNIT", title=self.title or "TITLE")
        return Line(
            check="file_name",
            label="文件命名",
            label_en=LABELS_EN["file_name"],
            outcome=Outcome.FAIL if wanted else Outcome.PASS,
            requested=f"如「{example}」",
            actual=self.file_name or "",
            requested_en=f"e.g. “{example_en}”",
            actual_en=self.file_name or "",
            severity="hard",
            message="文件名中缺少" + "、".join(names[p] for p in wanted) + "。" if wanted else "",
            message_en="The file name lacks the " + " and the ".join(names_en[p] for p in wanted) + "."
            if wanted
            else "",
            params={"template": naming.template},
            source=naming.note,
        )
