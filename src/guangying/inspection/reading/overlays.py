"""Watermarks and logos: what stays put over most of the programme while the picture changes.

A logo or a platform watermark is drawn at the same pixels of every picture,
so its edges survive in the temporal mean of the pictures while a moving
background averages out; a semi-transparent logo keeps its edges in the mean
too, only fainter. The reader keeps fixed-size running statistics of the small
grey pictures (sum, sum of squares, gradient energy, how often each pixel is on
an edge) and, per picture, its edge map and which blocks changed against the
picture about a second earlier, as bits; the history is halved whenever it
grows past a bound, so memory stays flat for any length.

At the end, compact regions near the corners and edges whose edges are stable
across time are the candidates; each is then tested picture by picture
against its own template (are its edge pixels on an edge while the rest of
its box is not?) to give when it was present. A picture whose surroundings
did not change proves nothing: a static shot has stable edges everywhere. Only
pictures where the blocks around a candidate changed count, and when too few
did, the reader says it could not tell instead of claiming an overlay. OCR on a
full-resolution crop (a few pictures are kept for this) tells a text
watermark (「抖音号」, an id, a URL) from a picture logo, and text that reads
differently at two times is a subtitle, not an overlay.
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from .findings import Box, Overlay, TextFindings, TextLine, Verdict
from .look import Look, crop, jpeg

log = logging.getLogger(__name__)

# Pictures closer than this to the last one used add little an overlay would show; a long file
# is sampled more sparsely (about MAX_STEPS pictures are plenty to see what stays put).
STEP_S = 0.15
MAX_STEPS = 600
REF_S = 1.0  # a picture is compared with the one about this long before it
BLOCK = 8  # pixels of the small picture per block of the change map
EDGE = 16.0  # grey levels of a step that count as an edge (Sobel L1 magnitude / 8)
BLOCK_CHANGE = 5.0  # mean absolute difference of a block that counts as a change
HISTORY = 1600  # per-picture bit maps kept at most; past this every other one is dropped
KEEP = 8  # full-resolution pictures kept at most, spread over the programme
KEEP_WIDTH = 960  # they are kept at most this wide (OCR detects at 960 anyway)
MAX_CANDIDATES = 6

# Candidate pixels: on an edge in this share of the pictures, with the mean's edge this strong
# against the mean of the pictures' edges (1 where the edge never moves, near 0 where it does).
MIN_EDGE_SHARE = 0.3
MIN_RATIO = 0.45
MIN_MEAN_EDGE = 6.0

# A picture in which the blocks around a candidate changed this much can prove it present.
RING_CHANGE = 0.3
MIN_JUDGED = 3  # pictures in which the surroundings changed, to judge a candidate at all
PRESENT_HIT = 0.35  # share of the template's edge pixels on an edge in the picture
PRESENT_LIFT = 0.2  # … above the rest of its box and surroundings
SMOOTH = 5  # pictures of the running majority that fills a moment the background hid an outline
STRONG_SHARE = 0.4  # present in this share of the judged pictures: an overlay (half the programme is one)
WEAK_SHARE = 0.2  # … this much: a candidate for a person to look at (a logo on the opening alone is not)
# Text centred at the top or bottom that comes and goes is the subtitle band: only what stays
# there for much of the programme is claimed, never a faint maybe.
BANDS = ("top", "bottom")
MIN_MOTION = 0.15  # share of judged pictures below which the reader cannot tell

PLATFORM = re.compile(
    r"抖音|抖音号|快手|快手号|小红书|视频号|微视|西瓜视频|今日头条|头条号|好看视频|火山|哔哩|B站|bilibili|微博|"
    r"douyin|tiktok|kuaishou|kwai|weibo|youku|优酷|爱奇艺|iqiyi|腾讯视频|美拍|秒拍|"
    r"https?://|www\.|\.com|\.cn|\.net|@|ID[:：]?\s*\d|\d{6,}",
    re.IGNORECASE,
)


@dataclass(eq=False)  # compared by identity: its fields hold arrays
class _Picture:
    t: float
    edges: np.ndarray  # packed bits of the small picture's edge map
    changed: np.ndarray | None  # packed bits of the blocks that changed; None: nothing to compare


@dataclass(eq=False)  # compared by identity: its fields hold arrays
class _Candidate:
    box: Box  # in the small picture
    template: np.ndarray  # bool, the box's stable edge pixels
    strength: float
    present: list[bool] = field(default_factory=list)
    judged: list[bool] = field(default_factory=list)
    hits: list[float] = field(default_factory=list)


class OverlayReader:
    def __init__(self, context: Any) -> None:
        self.context = context
        self.shape: tuple[int, int] | None = None
        self.n = 0
        self.black = 0
        self.last_t: float | None = None
        self.recent: list[tuple[float, np.ndarray]] = []  # pictures of the last second, to compare
        self.history: list[_Picture] = []
        self.history_every = 1
        self.history_seen = 0
        self.kept: list[tuple[float, np.ndarray]] = []
        self.kept_every = 1
        self.kept_seen = 0
        self.full_size: tuple[int, int] | None = None  # luma's height, width
        duration = getattr(context, "duration_s", None) or 0.0
        self.step = min(1.0, max(STEP_S, duration / MAX_STEPS))

    # ---- per picture: fixed-size sums and bits

    def _start(self, small: np.ndarray) -> None:
        h, w = small.shape
        self.shape = (h, w)
        # Integers where they are exact: 36,000 pictures of 255² still fit in 32 bits.
        self.sum = np.zeros((h, w), np.uint32)
        self.squares = np.zeros((h, w), np.uint32)
        self.gradient = np.zeros((h, w), np.uint32)
        self.edge_count = np.zeros((h, w), np.uint16)
        self.blocks = (h // BLOCK, w // BLOCK)
        self.block_changes = np.zeros(self.blocks, np.int32)
        self.compared = 0

    def look(self, look: Look) -> None:
        if look.is_black:
            self.black += 1
            return
        if self.last_t is not None and look.t - self.last_t < self.step * 0.9:
            return
        small = look.small
        if self.shape is None:
            self._start(small)
            self.full_size = look.luma.shape[:2]
        if small.shape != self.shape:
            return
        self.last_t = look.t
        self.n += 1
        magnitude = _magnitude_u8(small)
        edges = magnitude >= EDGE
        self.sum += small
        wide = small.astype(np.uint32)
        self.squares += wide * wide
        self.gradient += magnitude
        self.edge_count += edges

        reference = None
        for t, picture in self.recent:
            if look.t - t >= REF_S * 0.9:
                reference = picture
        self.recent = [(t, p) for t, p in self.recent if look.t - t < REF_S * 1.6]
        self.recent.append((look.t, small.copy()))
        changed = None
        if reference is not None:
            bh, bw = self.blocks
            diff = cv2.absdiff(small, reference)[:bh * BLOCK, :bw * BLOCK]
            block_diff = cv2.resize(diff, (bw, bh), interpolation=cv2.INTER_AREA)
            changed_blocks = block_diff >= BLOCK_CHANGE
            self.block_changes += changed_blocks
            self.compared += 1
            changed = np.packbits(changed_blocks)

        if self.history_seen % self.history_every == 0:
            self.history.append(_Picture(look.t, np.packbits(edges), changed))
            if len(self.history) > HISTORY:
                self.history = self.history[::2]
                self.history_every *= 2
        self.history_seen += 1

        if self.kept_seen % self.kept_every == 0:
            self.kept.append((look.t, _keep(look.luma)))
            if len(self.kept) > KEEP:
                self.kept = self.kept[::2]
                self.kept_every *= 2
        self.kept_seen += 1

    # ---- at the end: candidates, their presence, OCR

    def finish(self, findings: TextFindings) -> None:
        findings.overlay_pictures = self.n
        if self.shape is None or self.n < MIN_JUDGED or self.compared == 0:
            findings.overlay_motion = 0.0
            return
        h, w = self.shape
        motion = self.block_changes / max(1, self.compared)
        zone = _zone_blocks(self.blocks)
        findings.overlay_motion = round(float(motion[zone].mean()), 3)
        captions = [c.box for c in getattr(findings, "captions", [])]
        scale = self.full_size[1] / w if self.full_size else 1.0
        candidates = self._candidates([_scale_box(c, 1 / scale, self.shape) for c in captions])
        if not candidates:
            return
        self._presence(candidates)
        jobs: list[tuple[_Candidate, Overlay, list[Future]]] = []
        for cand in candidates:
            judged = sum(cand.judged)
            if judged < MIN_JUDGED:
                continue
            present = [p and j for p, j in zip(cand.present, cand.judged, strict=True)]
            share = sum(present) / judged
            position = _position(cand.box, w, h)
            if share < WEAK_SHARE or (position in BANDS and share < STRONG_SHARE):
                continue
            times = [pic.t for pic, p in zip(self.history, cand.present, strict=True) if p]
            full_box = _scale_box(cand.box, scale, self.full_size)
            if any(_inside(full_box, c) for c in captions):
                continue
            overlay = Overlay(box=full_box, start_s=round(times[0], 2), end_s=round(times[-1], 2),
                              share=round(share, 3), kind="logo", opacity=self._opacity(cand))
            overlay.position = position
            overlay.weak = share < STRONG_SHARE or cand.strength < 0.5
            futures = []
            for picture in self._pictures_for(cand, count=2):
                crop_img = self._crop(picture, full_box)
                if crop_img is None:
                    continue
                if not futures and self.context.evidence:
                    overlay.jpeg_base64 = jpeg(crop_img, max_width=480)
                futures.append(self.context.submit(_read, self.context.ocr, crop_img))
            jobs.append((cand, overlay, futures))
        for _cand, overlay, futures in jobs:
            reads = [f.result() for f in futures]
            texts = [" ".join(line.text for line in lines) for lines in reads]
            if len(texts) == 2 and texts[0] and texts[1] and _similarity(texts[0], texts[1]) < 0.5:
                continue  # text that changes is a subtitle or a caption, not a watermark
            best = max(reads, key=lambda lines: sum(len(line.text) for line in lines), default=[])
            overlay.text = " ".join(line.text for line in best)
            overlay.kind = _kind(overlay, best)
            findings.overlays.append(overlay)
        findings.overlays.sort(key=lambda o: (o.weak, -o.share))

    def _candidates(self, captions: list[Box]) -> list[_Candidate]:
        h, w = self.shape
        n = self.n
        mean = (self.sum / n).astype(np.float32)
        mean_edge = _magnitude(mean)
        ratio = mean_edge / (self.gradient / n + 1.0).astype(np.float32)
        share = self.edge_count / n
        zone = _zone_pixels(h, w)
        stable = (share >= MIN_EDGE_SHARE) & (ratio >= MIN_RATIO) & (mean_edge >= MIN_MEAN_EDGE) & zone
        if not stable.any():
            return []
        out = []
        for left, top, bw, bh in self._regions(stable, captions):
            cx, cy = (left + bw / 2) / w, (top + bh / 2) / h
            if 0.25 < cx < 0.75 and 0.25 < cy < 0.75:
                continue
            template = stable[top:top + bh, left:left + bw].copy()
            pixels = int(template.sum())
            if pixels < 20:
                continue
            # The pixels most often on an edge make the template: an emblem's outline against a
            # background of about its own brightness is an edge only now and then.
            shares = share[top:top + bh, left:left + bw]
            reliable = template & (shares >= np.percentile(shares[template], 50))
            if reliable.sum() >= 12:
                template = reliable
            strength = float(np.median(ratio[top:top + bh, left:left + bw][template]))
            out.append(_Candidate(box=(left, top, bw, bh), template=template, strength=strength))
        out.sort(key=lambda c: -c.strength * c.template.sum())
        return out[:MAX_CANDIDATES]

    def _regions(self, stable: np.ndarray, captions: list[Box]) -> list[Box]:
        """Boxes of stable edges of an overlay's size; the subtitle band's lines are taken out of one too big.

        A watermark beside the subtitles shares their row, and the band's strokes, on screen a
        while each, are stable enough to join it into one box as wide as the band. Without the
        lines the subtitle reader found, what stays put all along is left.
        """
        h, w = stable.shape
        out = []
        for box in _boxes(stable, gap=max(4, w // 60)):
            left, top, bw, bh = box
            if bw < 5 or bh < 5:
                continue
            if bw <= 0.5 * w and bh <= 0.35 * h:
                out.append(box)
                continue
            if not captions:
                continue
            inner = np.zeros_like(stable)
            inner[top:top + bh, left:left + bw] = stable[top:top + bh, left:left + bw]
            for x, y, cw, ch in captions:
                # With what the band draws around a line: a strip behind it, its outline.
                dx, dy = max(2, ch), max(2, ch // 2)
                inner[max(0, y - dy):y + ch + dy, max(0, x - dx):x + cw + dx] = False
            for part in _boxes(inner, gap=max(4, w // 60)):
                if 5 <= part[2] <= 0.5 * w and 5 <= part[3] <= 0.35 * h:
                    out.append(part)
        return out

    def _presence(self, candidates: list[_Candidate]) -> None:
        h, w = self.shape
        bh, bw = self.blocks
        rings = []
        for cand in candidates:
            left, top, cw, ch = cand.box
            x0, y0, x1, y1 = _around(cand.box, w, h)
            around = np.ones((y1 - y0, x1 - x0), bool)
            grown = cv2.dilate(cand.template.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
            around[top - y0:top - y0 + ch, left - x0:left - x0 + cw] &= ~grown
            ring_blocks = np.zeros((bh, bw), bool)
            bx0, by0 = (left - 2 * BLOCK) // BLOCK, (top - 2 * BLOCK) // BLOCK
            bx1, by1 = (left + cw + 2 * BLOCK) // BLOCK + 1, (top + ch + 2 * BLOCK) // BLOCK + 1
            ring_blocks[max(0, by0):by1, max(0, bx0):bx1] = True
            ring_blocks[max(0, top // BLOCK):(top + ch) // BLOCK + 1,
                        max(0, left // BLOCK):(left + cw) // BLOCK + 1] = False
            rings.append(((x0, y0, x1, y1), around, ring_blocks))
        first_changed = next((p.changed for p in self.history if p.changed is not None), None)
        for picture in self.history:
            edges = np.unpackbits(picture.edges, count=h * w).reshape(h, w).astype(bool)
            changed_bits = picture.changed if picture.changed is not None else first_changed
            changed = None if changed_bits is None else \
                np.unpackbits(changed_bits, count=bh * bw).reshape(bh, bw).astype(bool)
            for cand, ((x0, y0, x1, y1), around, ring_blocks) in zip(candidates, rings, strict=True):
                left, top, cw, ch = cand.box
                hit = float(edges[top:top + ch, left:left + cw][cand.template].mean())
                base = float(edges[y0:y1, x0:x1][around].mean()) if around.any() else 0.0
                cand.hits.append(hit)
                cand.present.append(hit >= PRESENT_HIT and hit - base >= PRESENT_LIFT)
                judged = changed is not None and ring_blocks.any() and \
                    float(changed[ring_blocks].mean()) >= RING_CHANGE
                cand.judged.append(bool(judged))
        for cand in candidates:
            cand.present = _majority(cand.present, SMOOTH)

    def _opacity(self, cand: _Candidate) -> float | None:
        """1 − how much of the background's movement shows through the box's stillest pixels."""
        h, w = self.shape
        n = self.n
        left, top, cw, ch = cand.box
        x0, y0, x1, y1 = _around(cand.box, w, h)
        var = np.maximum(self.squares[y0:y1, x0:x1] / n - (self.sum[y0:y1, x0:x1] / n) ** 2, 0)
        std = np.sqrt(var)
        inside = np.zeros_like(std, bool)
        inside[top - y0:top - y0 + ch, left - x0:left - x0 + cw] = True
        if not (~inside).any():
            return None
        around = float(np.median(std[~inside]))
        if around < 3:
            return None
        still = float(np.percentile(std[inside], 10))
        return round(float(np.clip(1 - still / around, 0, 1)), 2)

    def _pictures_for(self, cand: _Candidate, count: int) -> list[np.ndarray]:
        """Kept full-resolution pictures in which the candidate was present, far apart in time."""
        times = np.array([p.t for p in self.history])
        good = []
        for t, picture in self.kept:
            i = int(np.argmin(np.abs(times - t)))
            if cand.present[i]:
                good.append((cand.hits[i], t, picture))
        if not good:
            return []
        best = max(good, key=lambda g: g[0])
        out = [best[2]]
        others = [g for g in good if g[1] != best[1]]
        if count > 1 and others:
            out.append(max(others, key=lambda g: abs(g[1] - best[1]))[2])
        return out

    def _crop(self, picture: np.ndarray, full_box: Box) -> np.ndarray | None:
        if self.full_size is None:
            return None
        factor = picture.shape[1] / self.full_size[1]
        box = _scale_box(full_box, factor, picture.shape[:2])
        margin = max(4, round(0.15 * min(box[2], box[3])))
        out = crop(picture, box, margin=margin)
        if out.size == 0:
            return None
        if out.shape[0] < 48:  # the recogniser wants lines a few dozen pixels high
            f = 48 / out.shape[0]
            out = cv2.resize(out, (round(out.shape[1] * f), 48), interpolation=cv2.INTER_CUBIC)
        return np.ascontiguousarray(out)


# ---- helpers

def _magnitude(picture: np.ndarray) -> np.ndarray:
    """Gradient magnitude in grey levels of a step (Sobel L1 / 8)."""
    depth = cv2.CV_32F
    gx = cv2.Sobel(picture, depth, 1, 0, ksize=3)
    gy = cv2.Sobel(picture, depth, 0, 1, ksize=3)
    return (np.abs(gx) + np.abs(gy)) * 0.125


def _majority(flags: list[bool], window: int) -> list[bool]:
    if len(flags) < window:
        return flags
    values = np.array(flags, np.float32)
    padded = np.pad(values, window // 2, mode="edge")
    mean = np.convolve(padded, np.ones(window) / window, mode="valid")
    return [bool(v > 0.5) for v in mean]


def _magnitude_u8(picture: np.ndarray) -> np.ndarray:
    """The same on a uint8 picture, in uint8 (saturating): the per-picture path, kept cheap."""
    gx = cv2.Sobel(picture, cv2.CV_16S, 1, 0, ksize=3)
    gy = cv2.Sobel(picture, cv2.CV_16S, 0, 1, ksize=3)
    return cv2.add(cv2.convertScaleAbs(gx, alpha=0.125), cv2.convertScaleAbs(gy, alpha=0.125))


def _keep(luma: np.ndarray) -> np.ndarray:
    h, w = luma.shape[:2]
    if w <= KEEP_WIDTH:
        return luma.copy()
    return cv2.resize(luma, (KEEP_WIDTH, max(1, round(h * KEEP_WIDTH / w))), interpolation=cv2.INTER_AREA)


def _zone_pixels(h: int, w: int) -> np.ndarray:
    """Everywhere but the middle of the picture: overlays sit by the corners and edges."""
    zone = np.ones((h, w), bool)
    zone[round(0.25 * h):round(0.75 * h), round(0.25 * w):round(0.75 * w)] = False
    return zone


def _zone_blocks(blocks: tuple[int, int]) -> np.ndarray:
    bh, bw = blocks
    return _zone_pixels(bh, bw) if bh and bw else np.zeros(blocks, bool)


def _boxes(mask: np.ndarray, gap: int) -> list[Box]:
    """Compact regions of a mask, neighbours merged (a logo's emblem and its name are one)."""
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((7, 7), np.uint8))
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    return _merge([tuple(int(v) for v in stats[i, :4]) for i in range(1, count)], gap=gap)


def _merge(boxes: list[tuple[int, ...]], gap: int) -> list[tuple[int, int, int, int]]:
    """Boxes that touch or nearly touch become one (a logo's emblem and its name)."""
    boxes = [tuple(b) for b in boxes]
    merged = True
    while merged:
        merged = False
        out: list[tuple[int, ...]] = []
        for box in boxes:
            for i, other in enumerate(out):
                if _near(box, other, gap):
                    out[i] = _union(box, other)
                    merged = True
                    break
            else:
                out.append(box)
        boxes = out
    return [tuple(int(v) for v in b) for b in boxes]  # type: ignore[misc]


def _near(a: tuple[int, ...], b: tuple[int, ...], gap: int) -> bool:
    return not (a[0] > b[0] + b[2] + gap or b[0] > a[0] + a[2] + gap
                or a[1] > b[1] + b[3] + gap or b[1] > a[1] + a[3] + gap)


def _union(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, int, int, int]:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def _around(box: Box, w: int, h: int) -> tuple[int, int, int, int]:
    """The box with a margin of half its shorter side: its surroundings, clipped to the picture."""
    left, top, cw, ch = box
    pad = max(6, round(0.5 * min(cw, ch)))
    return max(0, left - pad), max(0, top - pad), min(w, left + cw + pad), min(h, top + ch + pad)


def _scale_box(box: Box, factor: float, size: tuple[int, int] | None) -> Box:
    left, top, w, h = (round(v * factor) for v in box)
    if size is not None:
        left, top = min(left, size[1] - 1), min(top, size[0] - 1)
        w, h = min(w, size[1] - left), min(h, size[0] - top)
    return (left, top, max(1, w), max(1, h))


def _inside(box: Box, outer: Box) -> bool:
    """Most of `box` lies within `outer`."""
    x0, y0 = max(box[0], outer[0]), max(box[1], outer[1])
    x1, y1 = min(box[0] + box[2], outer[0] + outer[2]), min(box[1] + box[3], outer[1] + outer[3])
    overlap = max(0, x1 - x0) * max(0, y1 - y0)
    return overlap >= 0.6 * box[2] * box[3]


def _position(box: Box, w: int, h: int) -> str:
    cx, cy = (box[0] + box[2] / 2) / w, (box[1] + box[3] / 2) / h
    row = "top" if cy < 1 / 3 else "bottom" if cy > 2 / 3 else ""
    col = "left" if cx < 1 / 3 else "right" if cx > 2 / 3 else ""
    return "-".join(p for p in (row, col) if p) or "middle"


def _read(ocr: Any, picture: np.ndarray) -> list[TextLine]:
    """Lines worth reporting: an emblem's shapes read as one odd character are not text."""
    return [line for line in ocr.read(picture) if line.score >= 0.7 and len(_plain(line.text)) >= 2]


def _similarity(a: str, b: str) -> float:
    a, b = _plain(a), _plain(b)
    if not a or not b:
        return 0.0
    common = sum(min(a.count(ch), b.count(ch)) for ch in set(a))
    return 2 * common / (len(a) + len(b))


def _plain(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKC", text).upper()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _kind(overlay: Overlay, lines: list[TextLine]) -> str:
    """"text" when the box is text (a platform id, a URL), "logo" when there is a picture in it."""
    text = overlay.text
    if not text:
        return "logo"
    if PLATFORM.search(text):
        return "text"
    width = sum(line.box[2] for line in lines)
    total = max((line.box[0] + line.box[2] for line in lines), default=0)
    filled = total and width >= 0.75 * total and len(_plain(text)) >= 2 and _mostly_text(lines)
    return "text" if filled else "logo"


def _mostly_text(lines: list[TextLine]) -> bool:
    left = min(line.box[0] for line in lines)
    return left < 0.2 * max(line.box[0] + line.box[2] for line in lines)


# ---- the judge

POSITION_ZH = {
    "top-left": "左上角", "top-right": "右上角", "bottom-left": "左下角", "bottom-right": "右下角",
    "top": "上方", "bottom": "下方", "left": "左侧", "right": "右侧", "middle": "画面中部",
}
POSITION_EN = {
    "top-left": "top left", "top-right": "top right", "bottom-left": "bottom left",
    "bottom-right": "bottom right", "top": "top", "bottom": "bottom", "left": "left side",
    "right": "right side", "middle": "middle",
}


def _is_entrant(text: str, entrant: str | None) -> bool:
    if not text or not entrant:
        return False
    try:
        from .names import find_name
    except ImportError:  # pragma: no cover - the fuller matcher is optional
        find_name = None
    if find_name is not None:
        try:
            if find_name(entrant, text) is not None:
                return True
        except Exception:  # a matcher's fault must not decide the rule
            log.exception("name matching failed")
    name, seen = _plain(entrant), _plain(text)
    return bool(name) and (name in seen or (len(seen) >= 4 and seen in name))


def _fmt_time(s: float) -> str:
    return f"{int(s // 60)}:{s % 60:04.1f}"


def _describe(o: Overlay) -> tuple[str, str]:
    pos = o.position
    what_zh = "文字水印" if o.kind == "text" else "台标/图标"
    what_en = "text watermark" if o.kind == "text" else "logo"
    zh = f"{POSITION_ZH.get(pos, pos)}{what_zh}，{_fmt_time(o.start_s)}–{_fmt_time(o.end_s)}，" \
         f"出现在 {o.share:.0%} 的画面中"
    en = f"{what_en} at the {POSITION_EN.get(pos, pos)}, {_fmt_time(o.start_s)}–{_fmt_time(o.end_s)}, " \
         f"in {o.share:.0%} of the pictures"
    if o.opacity is not None and o.opacity < 0.8:
        zh += "，半透明"
        en += ", semi-transparent"
    if o.text:
        zh += f"，识别文字「{o.text[:30]}」"
        en += f", text read: “{o.text[:30]}”"
    return zh, en


def _evidence(o: Overlay) -> Any:
    from ..report import Evidence

    zh, en = _describe(o)
    return Evidence(time_s=o.start_s, end_s=o.end_s, note=zh, note_en=en, jpeg_base64=o.jpeg_base64)


def judge_watermark(rule: Any, text: TextFindings | None, entrant: str | None) -> list[Verdict]:
    """The rule's lines; an empty list leaves the rule to a person (text not read)."""
    if text is None or getattr(text, "overlay_motion", None) is None:
        return []
    if any(p.startswith("OverlayReader") for p in text.problems):
        return []
    overlays = list(text.overlays)
    params = {"overlays": [
        {"box": list(o.box), "start_s": o.start_s, "end_s": o.end_s, "share": o.share, "kind": o.kind,
         "text": o.text, "position": o.position, "weak": o.weak}
        for o in overlays[:6]
    ], "motion": text.overlay_motion}
    if rule.allowed:
        if not overlays:
            return [Verdict("pass", "允许水印", "watermarks allowed", params=params)]
        zh, en = _describe(overlays[0])
        return [Verdict("pass", f"允许水印；发现{zh}", f"watermarks allowed; found a {en}",
                        evidence=[_evidence(o) for o in overlays[:3]], params=params)]

    own = [o for o in overlays
           if rule.allow_entrant_logo and o.kind == "logo" and _is_entrant(o.text, entrant)]
    others = [o for o in overlays if o not in own]
    strong = [o for o in others if not o.weak]
    weak = [o for o in others if o.weak]
    if strong:
        first_zh, first_en = _describe(strong[0])
        more = len(strong) - 1
        actual = f"发现{first_zh}" + (f"，另有 {more} 处" if more else "")
        actual_en = f"found a {first_en}" + (f", and {more} more" if more else "")
        platform = any(o.kind == "text" and PLATFORM.search(o.text or "") for o in strong)
        if platform:
            message = "画面上有平台水印，请使用无水印的原始文件重新提交。"
            message_en = "The picture carries a platform watermark; submit the original file without it."
        else:
            message = "画面上有固定的水印或标识，作品要求无水印，请去除后重新提交。"
            message_en = ("A watermark or logo stays on the picture; the rule asks for none. "
                          "Remove it and submit again.")
        return [Verdict("fail", actual, actual_en, message, message_en,
                        evidence=[_evidence(o) for o in strong[:4]], params=params)]
    motion = text.overlay_motion or 0.0
    if weak:
        zh, en = _describe(weak[0])
        return [Verdict("review", f"疑似{zh}", f"possibly a {en}",
                        "画面角落可能有水印或标识，请人工核对。",
                        "A corner of the picture may carry a watermark or logo; check it.",
                        evidence=[_evidence(o) for o in weak[:4]], params=params)]
    if motion < MIN_MOTION:
        return [Verdict("review", "画面变化太少，无法判断是否有水印",
                        "too little movement in the picture to tell whether it carries a watermark",
                        "画面几乎静止，固定的水印与画面内容无法区分，请人工核对。",
                        "The picture barely moves, so a fixed watermark cannot be told from the scene; "
                        "check it.",
                        params=params)]
    if own:
        zh, en = _describe(own[0])
        return [Verdict("pass", f"仅有本单位台标：{zh}", f"only the entrant's own logo: {en}",
                        evidence=[_evidence(o) for o in own[:2]], params=params)]
    return [Verdict("pass", "未发现水印或台标", "no watermark or logo found", params=params)]
