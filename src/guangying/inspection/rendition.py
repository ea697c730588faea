"""What a browser can play, and a preview for what it cannot.

Reviewers and the public watch in an ordinary browser: H.264 of 8 bits in
4:2:0 (or grey) with AAC or MP3 sound, in MP4 or QuickTime, plays everywhere
with HTTP Range requests, wherever the index sits. Anything else — ProRes,
MPEG-2 program streams, HEVC, 10-bit or 4:2:2 H.264, Matroska — gets a
preview: H.264/AAC MP4 of at most 720 lines with its index at the front, the
phone's rotation applied so a portrait video stays portrait. Every video also
gets a poster and a contact sheet of twelve pictures with their times, so a
reviewer sees the whole work at a glance.

This runs on untrusted bytes, so only inside the limited child process
(`python -m guangying.inspection.child PATH --mode rendition --out DIR`);
the parent's side is `sandbox.run_rendition_child`. No Django here.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from guangying.inspection.media import MediaInfo, VideoStream

MAX_LINES = 720
SHEET_FRAMES = 12
SHEET_COLUMNS = 4
THUMB_HEIGHT = 180
POSTER_AT = 0.1  # of the duration: past a fade-in from black, still the opening
PLAYABLE_CONTAINERS = ("mp4", "mov")
PLAYABLE_VIDEO = ("h264",)
PLAYABLE_PIX_FMTS = ("yuv420p", "yuvj420p", "gray")
PLAYABLE_AUDIO = ("aac", "mp3")
MAX_FPS = Fraction(60)
# A seek lands on the key picture before the time asked; decoding past this many pictures
# to reach the time means the index lies, and the nearest picture is taken instead.
MAX_FRAMES_PER_SEEK = 600
PREVIEW_NAME = "preview.mp4"
POSTER_NAME = "poster.jpg"
SHEET_NAME = "sheet.jpg"


@dataclass
class RenditionResult:
    """What the child made in its output folder; file fields are names inside that folder."""

    playable: bool = False
    reason: str = ""  # why the original is not served, in Chinese
    reason_en: str = ""
    preview: str | None = None
    poster: str | None = None
    contact_sheet: str | None = None
    width: int | None = None  # of the picture served: the original's display size or the preview's
    height: int | None = None
    duration_s: float | None = None
    sheet_times: list[float] = field(default_factory=list)
    problem: str | None = None  # why nothing could be made, in Chinese; None when it worked
    problem_en: str | None = None
    elapsed_s: float = 0.0


def playability(media: MediaInfo) -> tuple[bool, str, str]:
    """Whether browsers play this file as it is, and if not, why (Chinese, English)."""
    video = media.main_video
    if video is None:
        return False, "文件中没有视频画面", "The file has no video stream"
    if media.sniffed_format not in PLAYABLE_CONTAINERS:
        shown = (media.sniffed_format or media.container or "?").upper()
        return (False, f"封装格式 {shown} 浏览器无法直接播放，已生成预览",
                f"Browsers cannot play the {shown} container; a preview was made")
    if video.codec not in PLAYABLE_VIDEO:
        shown = video.codec.upper()
        return (False, f"视频编码 {shown} 浏览器无法直接播放，已生成预览",
                f"Browsers cannot play {shown} video; a preview was made")
    if video.pix_fmt not in PLAYABLE_PIX_FMTS or (video.bit_depth or 8) != 8:
        shown = video.pix_fmt or "?"
        return (False, f"像素格式 {shown}（位深或色度抽样）浏览器无法直接播放，已生成预览",
                f"Browsers cannot play the pixel format {shown}; a preview was made")
    for audio in media.audio:
        if audio.codec not in PLAYABLE_AUDIO:
            shown = audio.codec.upper()
            return (False, f"音频编码 {shown} 浏览器无法直接播放，已生成预览",
                    f"Browsers cannot play {shown} audio; a preview was made")
    return True, "", ""


def preview_size(video: VideoStream, max_lines: int = MAX_LINES) -> tuple[int, int]:
    """The display size scaled down to at most `max_lines` lines, even numbers for 4:2:0."""
    width, height = max(2, video.display_width), max(2, video.display_height)
    lines = min(max_lines, height)
    scaled = max(2, round(width * lines / height / 2) * 2)
    return scaled, max(2, lines - lines % 2)


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


class _Pictures:
    """Scale to square pixels of the served size, turn as the player would, to yuv420p."""

    def __init__(self, stream: Any, video: VideoStream, size: tuple[int, int]) -> None:
        import av.filter

        width, height = size
        turned = video.rotation in (90, 270)
        graph = av.filter.Graph()
        nodes = [graph.add_buffer(template=stream)]
        scale = f"{height}:{width}" if turned else f"{width}:{height}"
        nodes.append(graph.add("scale", scale))
        nodes.append(graph.add("setsar", "1"))
        if video.rotation == 90:
            nodes.append(graph.add("transpose", "clock"))
        elif video.rotation == 270:
            nodes.append(graph.add("transpose", "cclock"))
        elif video.rotation == 180:
            nodes.append(graph.add("hflip"))
            nodes.append(graph.add("vflip"))
        nodes.append(graph.add("format", "yuv420p"))
        nodes.append(graph.add("buffersink"))
        graph.link_nodes(*nodes).configure()
        self.graph = graph

    def __call__(self, frame: Any) -> list[Any]:
        import av

        self.graph.push(frame)
        out = []
        while True:
            try:
                out.append(self.graph.pull())
            except (av.BlockingIOError, av.EOFError):
                return out


class _Grabber:
    """Keeps, for each time asked for, the first picture at or after it, as a small image."""

    def __init__(self, times: list[float]) -> None:
        self.times = times
        self.images: list[Any] = [None] * len(times)
        self.next = 0

    @property
    def done(self) -> bool:
        return self.next >= len(self.times)

    def offer(self, frame: Any, at: float) -> None:
        while not self.done and at + 1e-3 >= self.times[self.next]:
            self.images[self.next] = (at, frame.to_image())
            self.next += 1

    def finish(self, last: tuple[float, Any] | None) -> None:
        """Times past the last picture (a duration that overstates) show the last picture."""
        for index in range(len(self.images)):
            if self.images[index] is None and last is not None:
                self.images[index] = last


def _targets(duration: float) -> tuple[float, list[float]]:
    poster = duration * POSTER_AT
    sheet = [duration * (index + 0.5) / SHEET_FRAMES for index in range(SHEET_FRAMES)]
    return poster, sheet


def _sheet_image(shots: list[tuple[float, Any]]) -> Any:
    from PIL import Image, ImageDraw, ImageFont

    first = shots[0][1]
    thumb_h = THUMB_HEIGHT if first.width >= first.height else THUMB_HEIGHT * 4 // 3
    thumb_w = max(2, round(first.width * thumb_h / first.height))
    gap = 4
    rows = (len(shots) + SHEET_COLUMNS - 1) // SHEET_COLUMNS
    sheet = Image.new("RGB", (SHEET_COLUMNS * (thumb_w + gap) + gap, rows * (thumb_h + gap) + gap),
                      (20, 20, 20))
    try:
        font: Any = ImageFont.load_default(size=16)
    except (TypeError, OSError):  # Pillow without FreeType: the bitmap font
        font = ImageFont.load_default()
    draw = ImageDraw.Draw(sheet)
    for index, (at, image) in enumerate(shots):
        x = gap + (index % SHEET_COLUMNS) * (thumb_w + gap)
        y = gap + (index // SHEET_COLUMNS) * (thumb_h + gap)
        sheet.paste(image.resize((thumb_w, thumb_h)), (x, y))
        label = _clock(at)
        box = draw.textbbox((0, 0), label, font=font)
        draw.rectangle((x, y + thumb_h - (box[3] - box[1]) - 8, x + box[2] - box[0] + 8, y + thumb_h),
                       fill=(0, 0, 0))
        draw.text((x + 4, y + thumb_h - (box[3] - box[1]) - 6 - box[1]), label, fill=(255, 255, 255),
                  font=font)
    return sheet


def _stills(out_dir: Path, poster: tuple[float, Any] | None, shots: list[Any],
            result: RenditionResult) -> None:
    kept = [shot for shot in shots if shot is not None]
    if poster is None and kept:
        poster = kept[0]
    if poster is not None:
        poster[1].save(out_dir / POSTER_NAME, "JPEG", quality=85)
        result.poster = POSTER_NAME
    if kept:
        _sheet_image(kept).save(out_dir / SHEET_NAME, "JPEG", quality=80)
        result.contact_sheet = SHEET_NAME
        result.sheet_times = [round(at, 3) for at, _image in kept]


def _frame_time(frame: Any, start: float) -> float:
    return (float(frame.pts * frame.time_base) if frame.pts is not None else 0.0) - start


def _start_of(container: Any, streams: list[Any]) -> float:
    starts = [float(s.start_time * s.time_base) for s in streams
              if s is not None and s.start_time is not None and s.time_base]
    return min(starts) if starts else 0.0


def _grab_by_seeking(path: str, media: MediaInfo, size: tuple[int, int], duration: float,
                     out_dir: Path, result: RenditionResult) -> None:
    """The original is served as it is: seek to each time rather than decode the whole file."""
    from guangying.inspection.probe import open_media

    poster_at, sheet_at = _targets(duration)
    times = sorted([poster_at, *sheet_at])
    container = open_media(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        pictures = _Pictures(stream, media.main_video, size)
        start = _start_of(container, [stream])
        grabbed: dict[float, tuple[float, Any]] = {}
        for target in times:
            if target in grabbed:
                continue
            offset = int((target + start) / stream.time_base) if stream.time_base else 0
            try:
                container.seek(offset, stream=stream, backward=True, any_frame=False)
            except Exception:  # an index that cannot be used: start from the top
                container.seek(0, stream=stream, backward=True, any_frame=False)
            grabber = _Grabber([target])
            seen: tuple[float, Any] | None = None
            decoded = 0
            for frame in container.decode(stream):
                for picture in pictures(frame):
                    seen = (_frame_time(picture, start), picture)
                    grabber.offer(picture, seen[0])
                decoded += 1
                if grabber.done or decoded > MAX_FRAMES_PER_SEEK:
                    break
            if grabber.images[0] is not None:
                grabbed[target] = grabber.images[0]
            elif seen is not None:  # past the last picture: the last one there is
                grabbed[target] = (seen[0], seen[1].to_image())
    finally:
        container.close()
    _stills(out_dir, grabbed.get(poster_at), [grabbed.get(t) for t in sheet_at], result)


def _transcode(path: str, media: MediaInfo, size: tuple[int, int], duration: float,
               out_dir: Path, result: RenditionResult) -> None:
    """One pass: decode, turn and scale, encode H.264/AAC; the stills are caught on the way."""
    import av

    from guangying.inspection.probe import open_media

    poster_at, sheet_at = _targets(duration)
    poster = _Grabber([poster_at])
    sheet = _Grabber(sheet_at)
    source = open_media(path)
    target = out_dir / PREVIEW_NAME
    output = av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"})
    try:
        in_video = source.streams.video[0]
        in_video.thread_type = "AUTO"
        in_audio = source.streams.audio[0] if media.audio and source.streams.audio else None
        start = _start_of(source, [in_video, in_audio])
        rate = in_video.average_rate or in_video.guessed_rate or Fraction(25)
        rate = min(Fraction(rate).limit_denominator(1001), MAX_FPS)
        video = output.add_stream("libx264", rate=rate)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        video.codec_context.time_base = in_video.time_base
        video.options = {"preset": "veryfast", "crf": "23", "profile": "high",
                         "g": str(max(1, round(float(rate) * 2)))}
        video.codec_context.thread_count = min(4, os.cpu_count() or 1)
        audio = resampler = fifo = None
        if in_audio is not None:
            audio = output.add_stream("aac", rate=48000)
            audio.layout = "stereo"
            audio.bit_rate = 128_000
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=48000)
            fifo = av.AudioFifo()
        pictures = _Pictures(in_video, media.main_video, size)
        last_pts: int | None = None
        last_picture: tuple[float, Any] | None = None
        offset = round(start / in_video.time_base)
        samples: int | None = None
        streams = [s for s in (in_video, in_audio) if s is not None]
        for packet in source.demux(*streams):
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                continue  # a damaged packet costs its pictures, not the preview
            for frame in frames:
                if packet.stream is in_video:
                    for picture in pictures(frame):
                        if picture.pts is None:
                            continue
                        pts = picture.pts - offset
                        if last_pts is not None and pts <= last_pts:
                            continue
                        last_pts = pts
                        picture.pts = pts
                        at = float(pts * in_video.time_base)
                        if not (poster.done and sheet.done):
                            poster.offer(picture, at)
                            sheet.offer(picture, at)
                        last_picture = (at, picture)
                        for out in video.encode(picture):
                            output.mux(out)
                else:
                    for chunk in resampler.resample(frame):
                        if samples is None:
                            samples = max(0, round((_frame_time(frame, 0.0) - start) * 48000))
                        chunk.pts, chunk.time_base = samples, Fraction(1, 48000)
                        samples += chunk.samples
                        fifo.write(chunk)
                    while fifo.samples >= 1024:
                        for out in audio.encode(fifo.read(1024)):
                            output.mux(out)
        for out in video.encode():
            output.mux(out)
        if audio is not None:
            for chunk in resampler.resample(None):
                fifo.write(chunk)
            rest = fifo.read()
            if rest is not None:
                for out in audio.encode(rest):
                    output.mux(out)
            for out in audio.encode():
                output.mux(out)
        if last_pts is None:
            raise RenditionError("文件中的画面无法解码", "No picture of the file could be decoded")
        last_image = (last_picture[0], last_picture[1].to_image()) if last_picture else None
        poster.finish(last_image)
        sheet.finish(last_image)
    finally:
        output.close()
        source.close()
    result.preview = PREVIEW_NAME
    _stills(out_dir, poster.images[0], sheet.images, result)


class RenditionError(Exception):
    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


def render(path: str, out_dir: str | Path, *, force_preview: bool = False) -> RenditionResult:
    """Probe, decide, and make the poster, the contact sheet and (when needed) the preview.

    Raises nothing a file can cause: a file that cannot be read comes back
    with `problem` set and no files.
    """
    from guangying.inspection.probe import ProbeError, probe

    started = time.monotonic()
    out = Path(out_dir)
    result = RenditionResult()
    try:
        media = probe(path)
        video = media.main_video
        if video is None or not video.display_width or not video.display_height:
            raise RenditionError("文件中没有可播放的视频画面", "The file has no video picture to play")
        duration = video.duration_s or media.duration_s or 0.0
        if duration <= 0:
            raise RenditionError("无法确定视频时长", "The video's duration cannot be determined")
        result.duration_s = round(duration, 3)
        playable, result.reason, result.reason_en = playability(media)
        if force_preview and playable:
            playable, result.reason, result.reason_en = False, "按要求生成预览", "A preview was asked for"
        result.playable = playable
        if playable:
            result.width, result.height = video.display_width, video.display_height
            _grab_by_seeking(path, media, preview_size(video), duration, out, result)
        else:
            result.width, result.height = preview_size(video)
            _transcode(path, media, (result.width, result.height), duration, out, result)
    except ProbeError as error:
        _fail(result, out, error.message, error.message_en)
    except RenditionError as error:
        _fail(result, out, error.message, error.message_en)
    except MemoryError:
        _fail(result, out, "生成预览所需内存超过上限", "Making the preview needs more memory than allowed")
    except Exception as error:
        if isinstance(error, OSError) and error.errno == 27:  # EFBIG: the write limit
            _fail(result, out, "预览文件超过大小上限", "The preview grew past its size limit")
        else:
            import traceback

            traceback.print_exc()
            _fail(result, out, "文件无法解码，未能生成预览：文件可能已损坏",
                  f"The file could not be decoded into a preview ({type(error).__name__}); "
                  "it may be damaged")
    result.elapsed_s = round(time.monotonic() - started, 3)
    return result


def _fail(result: RenditionResult, out: Path, message: str, message_en: str) -> None:
    """Nothing half-made is handed over: a preview cut short would play as if it were whole."""
    for name in (PREVIEW_NAME, POSTER_NAME, SHEET_NAME):
        try:
            (out / name).unlink()
        except FileNotFoundError:
            pass
    playable, reason, reason_en = result.playable, result.reason, result.reason_en
    result.__init__()  # type: ignore[misc]
    result.playable, result.reason, result.reason_en = playable, reason, reason_en
    result.problem, result.problem_en = message, message_en


# --- The parent's side ---------------------------------------------------------------------

RENDITION_WALL_S = 1800.0
RENDITION_MAX_WRITE_MB = 4096


def run_rendition_child(
    path: str,
    out_dir: str | Path,
    *,
    memory_mb: int = 1536,
    wall_s: float = RENDITION_WALL_S,
    max_write_mb: int = RENDITION_MAX_WRITE_MB,
    force_preview: bool = False,
) -> RenditionResult:
    """Make the poster, contact sheet and (if needed) preview in a limited child; never raises.

    The same child and limits as the inspection (sandbox.py): address space,
    CPU time, wall clock, a clean environment; and it may write files of at
    most `max_write_mb` each, which only `out_dir` is meant for. Whatever it
    left there is the caller's to keep or remove.
    """
    import json
    import subprocess
    import sys

    from guangying.inspection import sandbox

    command = [
        sys.executable, "-m", "guangying.inspection.child", os.path.abspath(path),
        "--mode", "rendition", "--memory-mb", str(int(memory_mb)),
        "--cpu-s", str(max(10, int(wall_s * 4))),
        "--out", os.path.abspath(out_dir), "--max-write-mb", str(int(max_write_mb)),
    ]
    if force_preview:
        command.append("--force-preview")
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=sandbox.child_environment(), cwd="/", close_fds=True, start_new_session=True,
        )
    except OSError as error:
        return RenditionResult(problem="无法启动预览生成程序",
                               problem_en=f"The preview maker could not be started ({error})")
    out, err, why = sandbox._collect(process, started + wall_s, 1024 * 1024)
    elapsed = round(time.monotonic() - started, 4)
    if why == "timeout":
        return RenditionResult(problem=f"生成预览超时（{wall_s:g} 秒）",
                               problem_en=f"Making the preview timed out ({wall_s:g} s)", elapsed_s=elapsed)
    if process.returncode == 0 and why is None:
        for line in reversed(out.decode("utf-8", "replace").splitlines()):
            try:
                return RenditionResult(**json.loads(line)["rendition"])
            except (ValueError, TypeError, KeyError):
                continue
    sandbox.logger.warning("rendition child for %s ended with status %s: %s", path, process.returncode,
                           err.decode("utf-8", "replace")[-4000:])
    limits = sandbox.Limits(memory_mb=memory_mb, wall_s=wall_s)
    failed = sandbox._explain(process.returncode, err, "full", limits, elapsed)
    return RenditionResult(problem=failed.problem, problem_en=failed.problem_en, elapsed_s=elapsed)
