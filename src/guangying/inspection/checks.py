"""Judging findings against a rule set: one report line per rule, from data alone.

Every branch here is keyed by a check id of the rule set, never by a
campaign: the Hubei and Chongqing presets differ only in the rules they
carry and their parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guangying.rulesets import RuleSet
from guangying.rulesets.describe import CHECK_LABELS, describe

from .media import Findings, MediaInfo, PictureFindings, Segment, SoundFindings
from .report import Evidence, Line, Outcome

LABELS_EN = {
    "duration": "Duration",
    "container": "Container",
    "video_codec": "Video codec",
    "audio_codec": "Audio codec",
    "resolution": "Resolution",
    "aspect_ratio": "Aspect ratio",
    "frame_rate": "Frame rate",
    "subtitles": "Subtitles",
    "end_credits": "End credits",
    "picture_quality": "Picture quality",
    "loudness": "Sound",
    "watermark": "Watermarks and logos",
    "advertising": "Advertising",
    "ai_label": "AI-generated content",
    "file_name": "File name",
}

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


def _codec(name: str | None) -> str:
    return CODEC_NAMES.get(name or "", (name or "未知").upper())


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
            "ai_label": self.ai_label,
        }
        for rule in self.rules.technical:
            if self.media is None:
                out.append(
                    self._line(
                        rule,
                        Outcome.ERROR,
                        "—",
                        self.findings.problem or "无法读取文件",
                        self.findings.problem_en or "the file could not be read",
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
        check: str | None = None,
        label: str | None = None,
        label_en: str | None = None,
        requested: str | None = None,
        evidence: list[Evidence] | None = None,
        params: dict | None = None,
    ) -> Line:
        return Line(
            check=check or rule.check,
            label=label or CHECK_LABELS.get(rule.check, rule.check),
            label_en=label_en or LABELS_EN.get(rule.check, rule.check),
            outcome=outcome,
            requested=requested if requested is not None else describe(rule),
            actual=actual,
            message=message,
            message_en=message_en,
            params=params
            if params is not None
            else rule.model_dump(mode="json", exclude={"check", "severity", "source", "note"}),
            severity=rule.severity,
            source=rule.source,
            evidence=evidence or [],
        )

    def _no_video(self, rule: Any) -> list[Line]:
        return [
            self._line(
                rule,
                Outcome.ERROR,
                "没有视频流",
                "文件中没有视频画面，无法检查。",
                "The file has no video stream.",
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
        line = self._line(rule, outcome, seconds_text(value), message, message_en)
        line.params["actual_s"] = round(value, 3)
        return [line]

    def container(self, rule: Any) -> list[Line]:
        media = self.media
        found = _container_of(media)
        extension = media.extension
        actual = f"{CONTAINER_NAMES.get(found, found.upper())}（扩展名 .{extension or '无'}）"
        if found not in rule.allowed:
            wanted = "、".join(CONTAINER_NAMES.get(c, c) for c in rule.allowed)
            return [
                self._line(
                    rule,
                    ON_PROBLEM[rule.severity],
                    actual,
                    f"文件实际是 {CONTAINER_NAMES.get(found, found)}，要求 {wanted}；"
                    "请重新导出，只改扩展名无效。",
                    f"The file is really {found.upper()}; export again as required — renaming is not enough.",
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
                    f"The format is right but the extension should be {wanted}.",
                )
            ]
        return [self._line(rule, Outcome.PASS, actual)]

    def video_codec(self, rule: Any) -> list[Line]:
        video = self.media.main_video
        if video is None:
            return self._no_video(rule)
        actual = _codec(video.codec) + (f"（{video.profile}）" if video.profile else "")
        if video.codec in rule.allowed:
            return [self._line(rule, Outcome.PASS, actual)]
        return [
            self._line(
                rule,
                ON_PROBLEM[rule.severity],
                actual,
                f"视频编码应为 {'、'.join(_codec(c) for c in rule.allowed)}，请重新导出。",
                "Export again with the required video codec.",
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
                )
            ]
        actual = f"{_codec(audio.codec)}，{audio.channels} 声道，{audio.sample_rate} Hz"
        if audio.codec in rule.allowed:
            return [self._line(rule, Outcome.PASS, actual)]
        return [
            self._line(
                rule,
                ON_PROBLEM[rule.severity],
                actual,
                f"音频编码应为 {'、'.join(_codec(c) for c in rule.allowed)}，请重新导出。",
                "Export again with the required audio codec.",
            )
        ]

    def _size_text(self) -> str:
        video = self.media.main_video
        text = f"{video.display_width}×{video.display_height}"
        if (video.display_width, video.display_height) != (video.coded_width, video.coded_height):
            text += f"（存储为 {video.coded_width}×{video.coded_height}"
            text += f"，旋转 {video.rotation}°）" if video.rotation else "）"
        return text

    def resolution(self, rule: Any) -> list[Line]:
        video = self.media.main_video
        if video is None:
            return self._no_video(rule)
        width, height = video.display_width, video.display_height
        if rule.exact is not None:
            ok = (width, height) == tuple(rule.exact)
            message = "" if ok else f"分辨率应为 {rule.exact[0]}×{rule.exact[1]}。"
        else:
            ok = min(width, height) >= rule.min_short_side
            message = (
                "" if ok else f"画面短边只有 {min(width, height)} 像素，要求不低于 {rule.min_short_side}。"
            )
        return [
            self._line(
                rule,
                Outcome.PASS if ok else ON_PROBLEM[rule.severity],
                self._size_text(),
                message,
                "" if ok else "The resolution does not meet the rule.",
            )
        ]

    def aspect_ratio(self, rule: Any) -> list[Line]:
        video = self.media.main_video
        if video is None:
            return self._no_video(rule)
        width, height = video.display_width, video.display_height
        matched = rule.match(width, height)
        orientation = "横屏" if width > height else "竖屏" if height > width else "方形"
        actual = f"{orientation} {width}:{height}" + (
            f"（{matched}）" if matched else f"（约 {width / height:.3f}）"
        )
        wrong_way = (rule.orientation == "landscape" and width <= height) or (
            rule.orientation == "portrait" and height <= width
        )
        if matched and not wrong_way:
            return [self._line(rule, Outcome.PASS, actual)]
        message = "画面方向不符合要求。" if wrong_way else "画面比例不在允许的范围内。"
        return [
            self._line(
                rule,
                ON_PROBLEM[rule.severity],
                actual,
                message,
                "The picture's shape is not one the rule allows.",
            )
        ]

    def frame_rate(self, rule: Any) -> list[Line]:
        video = self.media.main_video
        if video is None:
            return self._no_video(rule)
        fps = video.avg_fps or video.nominal_fps
        if fps is None:
            return [
                self._line(rule, Outcome.ERROR, "未知", "无法读出帧率。", "The frame rate cannot be read.")
            ]
        actual = f"{fps:.3f} 帧/秒".replace(".000", "")
        if video.variable_frame_rate:
            actual += "（可变帧率）"
        low = fps < rule.min_fps - 0.01
        high = rule.max_fps is not None and fps > rule.max_fps + 0.01
        if not (low or high):
            return [self._line(rule, Outcome.PASS, actual)]
        return [
            self._line(
                rule,
                ON_PROBLEM[rule.severity],
                actual,
                f"帧率低于 {rule.min_fps:g} 帧/秒。" if low else "帧率高于上限。",
                "The frame rate is outside the rule.",
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
                    check="picture_quality",
                )
            ]
        problem = ON_PROBLEM[rule.severity]
        label, label_en = "画面", "Picture"
        out = []
        black = [s for s in picture.black if s.length_s >= 0.5]
        out.append(
            self._line(
                rule,
                problem if black else Outcome.PASS,
                f"{len(black)} 段黑场，共 {sum(s.length_s for s in black):.1f} 秒" if black else "无黑场",
                "请确认黑场是有意为之（如转场），否则请剪去。" if black else "",
                "Check that the black pictures are intended." if black else "",
                check="picture_quality.black",
                label=f"{label}黑场",
                label_en=f"{label_en}: black",
                requested="无异常黑场",
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
                check="picture_quality.frozen",
                label=f"{label}静帧",
                label_en=f"{label_en}: frozen",
                requested="无异常静帧",
                evidence=_segments(frozen, picture, "静帧", "frozen"),
            )
        )
        bars = picture.letterbox or picture.pillarbox
        box = picture.active_box
        bar_text = "无黑边"
        if bars and box:
            kind = "上下黑边" if picture.letterbox else "左右黑边"
            if picture.letterbox and picture.pillarbox:
                kind = "四周黑边"
            bar_text = f"{kind}，有效画面 {box[2]}×{box[3]}"
        out.append(
            self._line(
                rule,
                problem if bars else Outcome.PASS,
                bar_text,
                "画面带黑边，有效画面小于文件分辨率。" if bars else "",
                "The picture has bars; the active picture is smaller than the frame." if bars else "",
                check="picture_quality.bars",
                label=f"{label}黑边",
                label_en=f"{label_en}: bars",
                requested="画面充满",
                evidence=[
                    Evidence(note=bar_text, jpeg_base64=f.jpeg_base64, time_s=f.time_s)
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
                check="picture_quality.upscaled",
                label=f"{label}放大",
                label_en=f"{label_en}: upscaled",
                requested="原生分辨率",
                evidence=[
                    Evidence(note="放大", jpeg_base64=f.jpeg_base64, time_s=f.time_s)
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
                check="picture_quality.blur",
                label=f"{label}清晰度",
                label_en=f"{label_en}: detail",
                requested="画面清晰",
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
                    check="picture_quality.decode",
                    label=f"{label}完整性",
                    label_en=f"{label_en}: integrity",
                    requested="无解码错误",
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
                    check="loudness.missing",
                    label="声音",
                    label_en="Sound",
                    requested="有声音",
                )
            ]
        if sound is None:
            return [self._line(rule, Outcome.ERROR, "未检查", "未能解码声音。", "The sound was not decoded.")]
        out = []
        low = rule.target_lkfs - rule.tolerance_lu
        high = rule.target_lkfs + rule.tolerance_lu
        value = sound.integrated_lkfs
        if value is None:
            out.append(
                self._line(
                    rule,
                    Outcome.ERROR,
                    "无法测量",
                    "声音太短或全为静音，无法测量响度。",
                    "Loudness cannot be measured.",
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
                    f"Should be between {low:g} and {high:g} LKFS." if off else "",
                    check="loudness.integrated",
                    label="节目响度",
                    label_en="Programme loudness",
                    requested=f"{rule.target_lkfs:g} LKFS ± {rule.tolerance_lu:g} LU",
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
                    check="loudness.true_peak",
                    label="真峰值",
                    label_en="True peak",
                    requested=f"≤ {rule.max_true_peak_dbtp:g} dBTP",
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
                "Long silences." if silent else "",
                check="loudness.silence",
                label="静音",
                label_en="Silence",
                requested="无异常静音",
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
                "The sound is clipped." if clipped else "",
                check="loudness.clipping",
                label="削波",
                label_en="Clipping",
                requested="无削波失真",
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
                    check="loudness.length",
                    label="声画长度",
                    label_en="Sound and picture length",
                    requested="声音与画面等长",
                )
            )
        return out

    # ---- rules that read the picture's text: a person checks them for now

    def subtitles(self, rule: Any) -> list[Line]:
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
                )
            ]
        return self.by_person(rule)

    def ai_label(self, rule: Any) -> list[Line]:
        labels = self.media.aigc_labels
        actual = f"元数据中有 {len(labels)} 个 AIGC 隐式标识" if labels else "元数据中没有 AIGC 隐式标识"
        line = self.by_person(rule)[0]
        line.actual = actual
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
            )
        ]

    def file_naming(self) -> Line:
        naming = self.rules.file_naming
        missing = naming.missing_parts(
            self.file_name or "", entrant=self.entrant or "", title=self.title or ""
        )
        wanted = [p for p in missing if (p == "entrant" and self.entrant) or (p == "title" and self.title)]
        names = {"entrant": "报送单位", "title": "作品名称"}
        example = naming.render(entrant=self.entrant or "报送单位", title=self.title or "作品名称")
        return Line(
            check="file_name",
            label="文件命名",
            label_en=LABELS_EN["file_name"],
            outcome=Outcome.FAIL if wanted else Outcome.PASS,
            requested=f"如「{example}」",
            actual=self.file_name or "",
            severity="hard",
            message="文件名中缺少" + "、".join(names[p] for p in wanted) + "。" if wanted else "",
            message_en="The file name lacks the " + " and ".join(wanted) + "." if wanted else "",
            params={"template": naming.template},
            source=naming.note,
        )
