"""Technical rules in words, as an entrant reads them on the campaign page and in reports.

The same sentences serve the web page and the command line, so a unit
sees the rule worded the same way wherever it meets it.
"""

from __future__ import annotations

import re

from guangying.rulesets.schema import TechnicalRule

CHECK_LABELS: dict[str, str] = {
    "duration": "时长",
    "container": "封装格式",
    "video_codec": "视频编码",
    "audio_codec": "音频编码",
    "resolution": "分辨率",
    "aspect_ratio": "画面比例",
    "frame_rate": "帧率",
    "subtitles": "字幕",
    "end_credits": "片尾署名",
    "picture_quality": "画面质量",
    "loudness": "声音响度",
    "watermark": "水印与台标",
    "advertising": "商业广告",
    "ai_label": "人工智能生成合成内容",
}

SEVERITY_LABELS = {"hard": "必须符合", "warn": "提示", "review": "人工复核"}

_CONTAINERS = {"mp4": "MP4", "mov": "MOV", "mpeg": "MPG/MPEG"}
_CODECS = {"h264": "H.264", "hevc": "H.265/HEVC", "h265": "H.265/HEVC", "aac": "AAC"}
_SCRIPTS = {"simplified": "简体中文", "traditional": "繁体中文", "any": "中文"}
_ORIENTATION = {"landscape": "横屏", "portrait": "竖屏", "any": "横屏或竖屏"}


def _seconds(value: float) -> str:
    value = float(value)
    minutes, seconds = divmod(round(value), 60)
    if minutes and not seconds:
        return f"{minutes} 分钟"
    if minutes:
        return f"{minutes} 分 {seconds} 秒"
    return f"{seconds} 秒"


def _codecs(names: list[str]) -> str:
    return "、".join(_CODECS.get(n, n.upper()) for n in names)


def _standard(text: str) -> str:
    """「《办法》；GB 45438-2025」 reads as a list inside a sentence, and needs a space before 予以."""
    text = text.strip().replace("；", "、").replace(";", "、")
    return text + " " if text and text[-1].isascii() and text[-1].isalnum() else text


def describe(rule: TechnicalRule) -> str:
    """One sentence saying what the rule asks."""
    check = rule.check
    if check == "duration":
        scope = "每集" if rule.per == "episode" else "作品"
        if rule.min_s is not None and rule.max_s is not None:
            return f"{scope}时长 {_seconds(rule.min_s)}—{_seconds(rule.max_s)}"
        if rule.max_s is not None:
            return f"{scope}时长不超过 {_seconds(rule.max_s)}"
        return f"{scope}时长不少于 {_seconds(rule.min_s)}"
    if check == "container":
        return "、".join(_CONTAINERS[c] for c in rule.allowed) + (
            f"（扩展名 {'、'.join('.' + e for e in rule.extensions)}）" if rule.extensions else ""
        )
    if check in ("video_codec", "audio_codec"):
        return _codecs(rule.allowed)
    if check == "resolution":
        if rule.exact is not None:
            return f"{rule.exact[0]}×{rule.exact[1]}"
        return f"不低于 {rule.min_short_side}P（短边不少于 {rule.min_short_side} 像素）"
    if check == "aspect_ratio":
        return f"{_ORIENTATION[rule.orientation]}，" + "、".join(rule.allowed)
    if check == "frame_rate":
        text = f"不低于 {rule.min_fps:g} 帧/秒"
        return text + (f"，不高于 {rule.max_fps:g} 帧/秒" if rule.max_fps else "")
    if check == "subtitles":
        script = _SCRIPTS[rule.script]
        return f"须配{script}字幕" if rule.required else f"字幕如有，应为{script}"
    if check == "end_credits":
        return f"片尾（最后 {rule.window_s:g} 秒内）标注报送单位名称" if rule.must_name_entrant else "—"
    if check == "picture_quality":
        parts = [p for p, on in (("画面清晰", rule.clear), ("画面稳定", rule.stable)) if on]
        return "、".join(parts) or "—"
    if check == "loudness":
        return (
            f"节目响度 {rule.target_lkfs:g} LKFS ± {rule.tolerance_lu:g} LU，"
            f"真峰值不高于 {rule.max_true_peak_dbtp:g} dBTP（GY/T 282-2014）"
        )
    if check == "watermark":
        if rule.allowed:
            return "允许水印"
        return "不得有水印" + ("（本单位台标除外）" if rule.allow_entrant_logo else "")
    if check == "advertising":
        return "允许商业广告" if rule.allowed else "不得植入商业广告"
    if check == "ai_label":
        if not rule.ai_allowed:
            return "不得使用人工智能生成合成内容"
        if rule.label_required_when_ai:
            kinds = "、".join(k for k, on in (("显式标识", rule.explicit), ("隐式标识", rule.implicit)) if on)
            text = f"可使用人工智能生成合成内容，须按{_standard(rule.standard)}予以标识"
            return text + (f"（{kinds}）" if kinds else "")
        return "可合理使用人工智能技术"
    return check


CHECK_LABELS_EN: dict[str, str] = {
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
}

_SCRIPTS_EN = {"simplified": "Simplified Chinese", "traditional": "Traditional Chinese", "any": "Chinese"}
_ORIENTATION_EN = {"landscape": "landscape", "portrait": "portrait", "any": "landscape or portrait"}
_STANDARD_CODE = re.compile(r"\b[A-Z]{1,4}(?:/[A-Z])?\s?\d+(?:[.\-]\d+)*")


def _seconds_en(value: float) -> str:
    minutes, seconds = divmod(round(float(value)), 60)
    if minutes and not seconds:
        return f"{minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


def _standard_en(text: str) -> str:
    """The notice names its standards in Chinese; their codes (GB 45438-2025) read in any language."""
    codes = _STANDARD_CODE.findall(text)
    return "the national labelling rules" + (f" ({', '.join(codes)})" if codes else "")


def describe_en(rule: TechnicalRule) -> str:
    """`describe` in English, for reports asked for with --lang en: same facts, same order."""
    check = rule.check
    if check == "duration":
        scope = "episode length" if rule.per == "episode" else "length"
        if rule.min_s is not None and rule.max_s is not None:
            return f"{scope} {_seconds_en(rule.min_s)}–{_seconds_en(rule.max_s)}"
        if rule.max_s is not None:
            return f"{scope} at most {_seconds_en(rule.max_s)}"
        return f"{scope} at least {_seconds_en(rule.min_s)}"
    if check == "container":
        extensions = ", ".join("." + e for e in rule.extensions)
        plural = "s" if len(rule.extensions) > 1 else ""
        return ", ".join(_CONTAINERS[c] for c in rule.allowed) + (
            f" (extension{plural} {extensions})" if rule.extensions else ""
        )
    if check in ("video_codec", "audio_codec"):
        return ", ".join(_CODECS.get(n, n.upper()) for n in rule.allowed)
    if check == "resolution":
        if rule.exact is not None:
            return f"{rule.exact[0]}×{rule.exact[1]}"
        return f"at least {rule.min_short_side}p (shorter side at least {rule.min_short_side} pixels)"
    if check == "aspect_ratio":
        return f"{_ORIENTATION_EN[rule.orientation]}, " + ", ".join(rule.allowed)
    if check == "frame_rate":
        text = f"at least {rule.min_fps:g} fps"
        return text + (f", at most {rule.max_fps:g} fps" if rule.max_fps else "")
    if check == "subtitles":
        script = _SCRIPTS_EN[rule.script]
        return f"{script} subtitles required" if rule.required else f"subtitles, if any, in {script}"
    if check == "end_credits":
        if not rule.must_name_entrant:
            return "—"
        return f"the entrant named in the end credits (last {rule.window_s:g} s)"
    if check == "picture_quality":
        parts = [p for p, on in (("clear picture", rule.clear), ("steady picture", rule.stable)) if on]
        return ", ".join(parts) or "—"
    if check == "loudness":
        return (
            f"programme loudness {rule.target_lkfs:g} LKFS ± {rule.tolerance_lu:g} LU, "
            f"true peak at most {rule.max_true_peak_dbtp:g} dBTP (GY/T 282-2014)"
        )
    if check == "watermark":
        if rule.allowed:
            return "watermarks allowed"
        return "no watermarks" + (" (the entrant's own logo excepted)" if rule.allow_entrant_logo else "")
    if check == "advertising":
        return "advertising allowed" if rule.allowed else "no advertising or product placement"
    if check == "ai_label":
        if not rule.ai_allowed:
            return "no AI-generated content"
        if rule.label_required_when_ai:
            marks = (("visible", rule.explicit), ("embedded", rule.implicit))
            kinds = " and ".join(k for k, on in marks if on)
            text = f"AI-generated content allowed, labelled as {_standard_en(rule.standard)} require"
            return text + (f" ({kinds} labels)" if kinds else "")
        return "reasonable use of AI allowed"
    return check


def technical_rows(rules: object) -> list[dict[str, str]]:
    """The rule set's technical rules as rows for a table: label, requirement, severity, source."""
    return [
        {
            "check": rule.check,
            "label": CHECK_LABELS.get(rule.check, rule.check),
            "text": describe(rule),
            "severity": rule.severity,
            "severity_label": SEVERITY_LABELS.get(rule.severity, rule.severity),
            "source": rule.source,
        }
        for rule in rules.technical
    ]
