"""What a file is, as facts: the probe's and the quality pass's findings.

Plain dataclasses that cross the boundary between the child process that
touches untrusted bytes and the parent that judges them; every field is
JSON-friendly (numbers, strings, lists, dicts) so the child can hand them
over as text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class VideoStream:
    index: int
    codec: str  # FFmpeg's name: h264, hevc, mpeg4, mpeg2video, prores …
    profile: str | None
    pix_fmt: str | None
    bit_depth: int | None
    coded_width: int
    coded_height: int
    sample_aspect: str | None  # "1:1", "4:3" …; None when not stated
    rotation: int  # degrees clockwise a player turns the picture: 0, 90, 180, 270
    display_width: int  # as a viewer sees it: SAR applied, rotation applied
    display_height: int
    avg_fps: float | None
    nominal_fps: float | None  # r_frame_rate / the container's declared rate
    variable_frame_rate: bool | None  # None: not measured
    field_order: str | None  # progressive, tt, bb, tb, bt; None: unknown
    duration_s: float | None
    frame_count: int | None
    bit_rate: int | None


@dataclass
class AudioStream:
    index: int
    codec: str
    profile: str | None
    channels: int
    layout: str | None
    sample_rate: int
    duration_s: float | None
    bit_rate: int | None


@dataclass
class SubtitleStream:
    index: int
    codec: str
    language: str | None
    text: list[tuple[float, float, str]] = field(default_factory=list)  # start, end, text


@dataclass
class MediaInfo:
    """The probe: read from the container and stream headers (and packets, not pictures)."""

    path: str
    size: int
    extension: str  # lower case, without the dot
    sniffed_format: str  # from the bytes: mp4 mov mpeg ts mkv avi … unknown empty
    container: str | None  # FFmpeg's demuxer name
    major_brand: str | None
    compatible_brands: list[str]
    duration_s: float | None  # the container's
    bit_rate: int | None
    video: list[VideoStream] = field(default_factory=list)
    audio: list[AudioStream] = field(default_factory=list)
    subtitles: list[SubtitleStream] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)  # container metadata, raw
    stream_tags: dict[int, dict[str, str]] = field(default_factory=dict)
    aigc_labels: list[str] = field(default_factory=list)  # raw values of every AIGC tag found
    # Declared values the probe did not believe (kept out of the fields above, raw here) and
    # signs of damage: "code: detail", e.g. "video0.size: declared 100000x100000, out of range",
    # "truncated: mdat box at byte 40 declares … bytes, the file ends after …".
    anomalies: list[str] = field(default_factory=list)

    @property
    def main_video(self) -> VideoStream | None:
        return self.video[0] if self.video else None

    @property
    def main_audio(self) -> AudioStream | None:
        return self.audio[0] if self.audio else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MediaInfo:
        data = dict(data)
        data["video"] = [VideoStream(**v) for v in data.get("video", [])]
        data["audio"] = [AudioStream(**a) for a in data.get("audio", [])]
        data["subtitles"] = [
            SubtitleStream(**{**s, "text": [tuple(t) for t in s.get("text", [])]})
            for s in data.get("subtitles", [])
        ]
        data["stream_tags"] = {int(k): v for k, v in data.get("stream_tags", {}).items()}
        return cls(**data)


@dataclass
class Segment:
    start_s: float
    end_s: float

    @property
    def length_s(self) -> float:
        return self.end_s - self.start_s


@dataclass
class Frame:
    """A small picture kept as evidence: JPEG bytes, base64 in JSON."""

    time_s: float
    jpeg_base64: str
    note: str = ""


@dataclass
class PictureFindings:
    """The sampled decode of the video stream."""

    frames_decoded: int
    frames_analysed: int
    black: list[Segment] = field(default_factory=list)
    frozen: list[Segment] = field(default_factory=list)
    # Bars: the picture's active area inside the coded frame, in pixels of the coded frame.
    active_box: tuple[int, int, int, int] | None = None  # left, top, width, height
    letterbox: bool = False
    pillarbox: bool = False
    # Upscaling: the estimated true resolution of the content (height in lines), if lower.
    effective_height: int | None = None
    sharpness: float | None = None  # median detail measure, higher is sharper
    blurry: list[Segment] = field(default_factory=list)
    decode_errors: int = 0
    last_time_s: float | None = None  # the last picture's time stamp
    evidence: list[Frame] = field(default_factory=list)
    text: Any = None  # reading.findings.TextFindings, when the rules asked for the picture to be read


@dataclass
class SoundFindings:
    """The decode of the first audio stream."""

    integrated_lkfs: float | None
    true_peak_dbtp: float | None
    loudness_range_lu: float | None = None
    silence: list[Segment] = field(default_factory=list)
    clipped_samples: int = 0
    clipped_ratio: float = 0.0
    last_time_s: float | None = None
    decode_errors: int = 0


@dataclass
class Findings:
    """Everything the child process found; `problem` says why something could not be read."""

    media: MediaInfo | None
    picture: PictureFindings | None = None
    sound: SoundFindings | None = None
    problem: str | None = None  # a reason in Chinese when the file could not be read at all
    problem_en: str | None = None
    elapsed_s: float = 0.0
    peak_rss_mb: float | None = None


def findings_from_dict(data: dict[str, Any]) -> Findings:
    """The parent's side of the child's JSON: rebuild the dataclasses `asdict` flattened."""
    media = data.get("media")
    picture = data.get("picture")
    sound = data.get("sound")
    if picture is not None:
        picture = dict(picture)
        for key in ("black", "frozen", "blurry"):
            picture[key] = [Segment(**s) for s in picture.get(key, [])]
        picture["evidence"] = [Frame(**f) for f in picture.get("evidence", [])]
        if picture.get("active_box") is not None:
            picture["active_box"] = tuple(picture["active_box"])
        from .reading.findings import text_findings_from_dict

        picture["text"] = text_findings_from_dict(picture.get("text"))
        picture = PictureFindings(**picture)
    if sound is not None:
        sound = dict(sound)
        sound["silence"] = [Segment(**s) for s in sound.get("silence", [])]
        sound = SoundFindings(**sound)
    return Findings(
        media=MediaInfo.from_dict(media) if media is not None else None,
        picture=picture,
        sound=sound,
        problem=data.get("problem"),
        problem_en=data.get("problem_en"),
        elapsed_s=float(data.get("elapsed_s") or 0.0),
        peak_rss_mb=data.get("peak_rss_mb"),
    )
