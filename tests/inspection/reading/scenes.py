"""Labelled test videos with text in the picture: subtitles, credits, AI labels, logos, watermarks.

A scene is a recipe (plain data): a moving background, texts drawn with real
Chinese fonts (WenQuanYi Micro Hei, Noto Sans/Serif CJK from Debian), logos,
speech-like sound where people "talk", and container metadata such as an AIGC
label. Each text layer is drawn once with Pillow and blended into every frame
with numpy, so a 20-second 720p scene takes a few seconds to make. Files are
cached under var/test-media/reading/ keyed by the recipe, made safely when
several test processes want the same one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from tests.inspection.corpus import CACHE as MEDIA_CACHE
from tests.inspection.samples import ASS_HEADER

CACHE = MEDIA_CACHE / "reading"
RATE = 48000
VERSION = 1

FONTS = {
    "wqy": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "sans": "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "sans-bold": "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "serif": "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
}


@dataclass
class Text:
    """Text on screen from `start` to `end` seconds.

    `where`: "bottom", "top", "center", "top-left", "top-right", "bottom-left",
    "bottom-right", or [x, y] as shares of the picture (the text's centre).
    `size`: the height of a line as a share of the picture's shorter side.
    `scroll`: credits that move up, in shares of the picture height per second.
    """

    text: str
    start: float = 0.0
    end: float = 1e9
    where: str | list[float] = "bottom"
    size: float = 0.05
    colour: tuple[int, int, int] = (255, 255, 255)
    outline: tuple[int, int, int] | None = (0, 0, 0)
    outline_px: int = 2
    font: str = "wqy"
    opacity: float = 1.0
    strip: bool = False  # a dark half-transparent strip behind the text
    scroll: float | None = None


@dataclass
class Logo:
    """A station-style logo: a ring with an emblem, and optionally a name beside it."""

    corner: str = "top-right"
    size: float = 0.12  # share of the picture's shorter side
    text: str = ""
    opacity: float = 1.0
    start: float = 0.0
    end: float = 1e9
    colour: tuple[int, int, int] = (230, 40, 40)


@dataclass
class Scene:
    seconds: float = 8.0
    width: int = 1280
    height: int = 720
    fps: int = 25
    # "moving" texture, "pan" (camera pan over a scene), "dark", "still" (a static shot), "black"
    background: str = "moving"
    texts: list[Text] = field(default_factory=list)
    logos: list[Logo] = field(default_factory=list)
    speech: list[tuple[float, float]] = field(default_factory=list)  # where someone talks
    music: bool = True  # a quiet music bed under everything
    metadata: dict[str, str] = field(default_factory=dict)
    rotation: int | None = None
    crf: int = 23
    seed: int = 1
    # More container tags, keys may repeat (two AIGC labels in one file): MP4 keeps one value per
    # key name, so each is written under a stand-in key of the same length, renamed in the file.
    extra_tags: list[tuple[str, str]] = field(default_factory=list)
    # A soft subtitle track (mov_text, language chi): (start, end, text) cues.
    soft_subtitles: list[tuple[float, float, str]] = field(default_factory=list)

    def key(self) -> str:
        data = asdict(self)
        for name in _ADDED:  # fields added later leave the keys of the older recipes as they were
            if data[name] == _ADDED[name]:
                del data[name]
        recipe = json.dumps({"v": VERSION, **data}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(recipe.encode()).hexdigest()[:14]


_ADDED: dict[str, object] = {"extra_tags": [], "soft_subtitles": []}


def make(scene: Scene, name: str = "scene") -> Path:
    """The path of the cached file for this scene; made on first use."""
    CACHE.mkdir(parents=True, exist_ok=True)
    key = scene.key()
    path = CACHE / f"{name}-{key}.mp4"
    if path.exists():
        return path
    with open(CACHE / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            partial = CACHE / f".{key}.{os.getpid()}-{uuid.uuid4().hex[:8]}.part.mp4"
            try:
                _encode(scene, partial)
                _rename_tags(scene, partial)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
    return path


# ---- pictures -----------------------------------------------------------------------------

def _background(scene: Scene) -> np.ndarray:
    rng = np.random.default_rng(scene.seed)
    h, w = scene.height + 256, scene.width + 512
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([
        90 + 50 * np.sin(x / 83.0 + 1) * np.cos(y / 57.0),
        110 + 60 * np.sin(x / 131.0) * np.sin(y / 71.0 + 2),
        100 + 40 * np.cos(x / 47.0 + y / 90.0),
    ], axis=-1)
    for _ in range(400):  # shapes with edges, like things in a scene
        cy, cx = rng.integers(0, h - 60), rng.integers(0, w - 60)
        sh, sw = rng.integers(10, 60), rng.integers(10, 60)
        base[cy:cy + sh, cx:cx + sw] = rng.integers(20, 235, 3)
    if scene.background == "dark":
        base *= 0.25
    elif scene.background == "black":
        base *= 0.0
    return np.clip(base, 0, 255).astype(np.uint8)


def _font(name: str, px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONTS[name], max(6, px))


def _text_layer(text: Text, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """The text drawn once: RGB and alpha, the size of the picture (scrolling text: taller)."""
    short = min(width, height)
    px = round(text.size * short / 1.15)  # the font's em is a little taller than its glyphs
    font = _font(text.font, px)
    lines = text.text.split("\n")
    gap = round(px * 0.45)
    widths = [font.getbbox(line, stroke_width=text.outline_px)[2] for line in lines]
    block_w, block_h = max(widths), len(lines) * px + (len(lines) - 1) * gap
    canvas_h = height if text.scroll is None else height * 2 + block_h
    layer = Image.new("RGBA", (width, canvas_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    margin = round(short * 0.05)
    where = text.where
    if isinstance(where, list):
        cx, cy = where[0] * width, where[1] * height
    else:
        cx = {"left": margin + block_w / 2, "right": width - margin - block_w / 2}.get(
            where.split("-")[-1] if "-" in where else "", width / 2)
        cy = {"top": margin + block_h / 2, "bottom": height - margin * 1.6 - block_h / 2,
              "center": height / 2}[where.split("-")[0]]
    if text.scroll is not None:
        cy = height + block_h / 2  # starts below the picture
    top = cy - block_h / 2
    if text.strip:
        draw.rectangle([cx - block_w / 2 - px * 0.5, top - px * 0.3, cx + block_w / 2 + px * 0.5,
                        top + block_h + px * 0.3], fill=(0, 0, 0, 140))
    for i, line in enumerate(lines):
        y = top + i * (px + gap)
        x = cx - widths[i] / 2
        kwargs = {"stroke_width": text.outline_px, "stroke_fill": (*text.outline, 255)} \
            if text.outline is not None else {}
        draw.text((x, y), line, font=font, fill=(*text.colour, 255), **kwargs)
    rgba = np.asarray(layer)
    alpha = rgba[:, :, 3:4].astype(np.float32) / 255.0 * text.opacity
    return rgba[:, :, :3].astype(np.float32), alpha


def _logo_layer(logo: Logo, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    short = min(width, height)
    d = round(logo.size * short)
    font = _font("sans-bold", round(d * 0.42))
    name_w = font.getbbox(logo.text)[2] + d // 4 if logo.text else 0
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    margin = round(short * 0.04)
    left = margin if logo.corner.endswith("left") else width - margin - d - name_w
    top = margin if logo.corner.startswith("top") else height - margin - d
    colour = (*logo.colour, 255)
    draw.ellipse([left, top, left + d, top + d], outline=colour, width=max(2, d // 10))
    draw.polygon([(left + d * 0.5, top + d * 0.2), (left + d * 0.78, top + d * 0.75),
                  (left + d * 0.22, top + d * 0.75)], fill=(255, 215, 0, 255))
    if logo.text:
        draw.text((left + d + d // 4, top + d * 0.22), logo.text, font=font, fill=(255, 255, 255, 255),
                  stroke_width=2, stroke_fill=(0, 0, 0, 255))
    rgba = np.asarray(layer)
    return rgba[:, :, :3].astype(np.float32), rgba[:, :, 3:4].astype(np.float32) / 255.0 * logo.opacity


def _frames(scene: Scene):
    background = _background(scene)
    texts = [(t, *_text_layer(t, scene.width, scene.height)) for t in scene.texts]
    logos = [(lg, *_logo_layer(lg, scene.width, scene.height)) for lg in scene.logos]
    for index in range(round(scene.seconds * scene.fps)):
        t = index / scene.fps
        if scene.background == "pan":
            dx, dy = int(t * 40) % 512, int(abs(np.sin(t / 3)) * 200)
        elif scene.background == "still":
            dx, dy = 0, 0
        else:
            dx, dy = (index * 3) % 512, (index * 2) % 256
        frame = background[dy:dy + scene.height, dx:dx + scene.width].astype(np.float32)
        for text, rgb, alpha in texts:
            if not text.start <= t < text.end:
                continue
            if text.scroll is not None:
                shift = int((t - text.start) * text.scroll * scene.height)
                rgb_view = rgb[shift:shift + scene.height]
                alpha_view = alpha[shift:shift + scene.height]
                if rgb_view.shape[0] < scene.height:
                    continue
            else:
                rgb_view, alpha_view = rgb, alpha
            frame = frame * (1 - alpha_view) + rgb_view * alpha_view
        for logo, rgb, alpha in logos:
            if logo.start <= t < logo.end:
                frame = frame * (1 - alpha) + rgb * alpha
        yield index, np.clip(frame, 0, 255).astype(np.uint8)


# ---- sound ------------------------------------------------------------------------------

def _sound(scene: Scene) -> np.ndarray:
    """Stereo float32: a quiet music bed, and voice-like bursts (4 syllables a second) where people talk."""
    n = round(scene.seconds * RATE)
    t = np.arange(n) / RATE
    rng = np.random.default_rng(scene.seed)
    out = np.zeros(n, np.float32)
    if scene.music:
        out += 0.01 * (np.sin(2 * np.pi * 110 * t) + 0.5 * np.sin(2 * np.pi * 165 * t)).astype(np.float32)
    for start, end in scene.speech:
        a, b = round(start * RATE), min(n, round(end * RATE))
        if b <= a:
            continue
        seg_t = t[a:b]
        pitch = 140 + 30 * np.sin(2 * np.pi * 0.7 * seg_t)
        phase = 2 * np.cumsum(np.pi * pitch / RATE)
        voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
        syllables = np.clip(np.sin(2 * np.pi * 4 * seg_t), 0, None) ** 0.6
        noise = rng.normal(0, 0.05, b - a)
        out[a:b] += (0.12 * voiced * syllables + noise * syllables * 0.3).astype(np.float32)
    return np.stack([out, out])


def _stand_in(key: str, index: int) -> str:
    return f"{key[:-2]}{index:02d}" if len(key) >= 3 else key


def _rename_tags(scene: Scene, path: Path) -> None:
    if not scene.extra_tags:
        return
    data = path.read_bytes()
    for index, (key, _value) in enumerate(scene.extra_tags):
        stand_in = f"mdta{_stand_in(key, index)}".encode()
        assert data.count(stand_in) == 1, f"stand-in tag {stand_in!r} not unique in the file"
        data = data.replace(stand_in, f"mdta{key}".encode())
    path.write_bytes(data)


def _encode(scene: Scene, path: Path) -> None:
    # MP4 keeps only its own tag names unless told to keep the others (an AIGC label is one).
    options = {"movflags": "use_metadata_tags"} if scene.metadata or scene.extra_tags else {}
    with av.open(str(path), "w", options=options) as container:
        video = container.add_stream("libx264", rate=scene.fps)
        video.width, video.height, video.pix_fmt = scene.width, scene.height, "yuv420p"
        video.options = {"preset": "veryfast", "crf": str(scene.crf), "g": str(scene.fps * 2)}
        if scene.rotation is not None:
            video.set_display_rotation(scene.rotation)
        for key, value in scene.metadata.items():
            container.metadata[key] = value
        for index, (key, value) in enumerate(scene.extra_tags):
            container.metadata[_stand_in(key, index)] = value
        sound = container.add_stream("aac", rate=RATE)
        sound.layout = "stereo"
        cues = None
        if scene.soft_subtitles:
            cues = container.add_stream("mov_text")
            cues.metadata["language"] = "chi"
            cues.codec_context.subtitle_header = ASS_HEADER
            cues.codec_context.time_base = Fraction(1, 1000)
        for index, rgb in _frames(scene):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, scene.fps)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        samples = _sound(scene)
        size = sound.codec_context.frame_size or 1024
        for start in range(0, samples.shape[1], size):
            chunk = np.ascontiguousarray(samples[:, start:start + size])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
            for packet in sound.encode(frame):
                container.mux(packet)
        for packet in sound.encode():
            container.mux(packet)
        for start, end, text in scene.soft_subtitles if cues is not None else []:
            event = ("0,0,Default,,0,0,0,," + text).encode()
            cue = av.subtitles.subtitle.SubtitleSet.create(event, 0, round((end - start) * 1000),
                                                           pts=round(start * 1000))
            packet = cues.codec_context.encode_subtitle(cue)
            packet.stream, packet.time_base = cues, Fraction(1, 1000)
            packet.pts = packet.dts = round(start * 1000)
            container.mux(packet)




def subtitle_track(lines: list[str], *, every: float = 3.0, gap: float = 0.3, start: float = 0.5,
                   **style: object) -> tuple[list[Text], list[tuple[float, float]]]:
    """Subtitles one after another with the speech they transcribe: texts and speech spans."""
    texts, speech = [], []
    t = start
    for line in lines:
        texts.append(Text(line, start=t, end=t + every - gap, **style))  # type: ignore[arg-type]
        speech.append((t + 0.1, t + every - gap - 0.1))
        t += every
    return texts, speech
