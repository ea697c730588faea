"""Burned-in subtitles: where the band is, what it says and when, and how much of the speech it covers.

Finding the band costs a few morphological operations on the small grey
picture, never OCR: text strokes are strong, thin edges, and a subtitle's
strokes stay put from one analysed picture to the next while the scene
behind them moves. Strong edges present at the same place in two pictures
in a row, with the same brightness, are joined along the line into blobs;
a blob the shape of a line of text is a candidate line. Each candidate is
followed through the pictures as a state (one text on screen): while its
stroke mask stays the same, the state goes on; when it changes, a new state
begins. A state that has lasted STABLE_S is cropped from the full-resolution
luma and recognised once (`read_line`, the cheap call, with `read` on the
crop as a fallback when the line does not fill the box); a state whose mask
matches one already read (the same line shown again) reuses that result.

Not every steady text is a subtitle: a logo or a title that stays for long
stretches is left to the overlays reader (states longer than MAX_STATE_S),
and where a band of changing lines exists, one-off texts elsewhere (a title
card, a label) are not counted as subtitles either.
"""

from __future__ import annotations

import itertools
import re
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from .findings import Box, Caption, ReadFrame, TextFindings, TextLine, Verdict
from .look import Look, crop, jpeg

EDGE = 56  # 3×3 morphological gradient on the small picture that counts as a stroke edge
STEADY_DIFF = 18  # the same pixel between two analysed pictures, in grey levels
MIN_LINE_PX = 5  # a line of text at least this tall in the small picture
MAX_LINE_SHARE = 0.16  # and at most this share of the picture's height
MIN_ROW_PIXELS = 10  # steady stroke pixels in a row that a line of text may cross
CHANGE_OVERLAP_S = 0.5  # a new line may show this long before the last one is seen to go
ROW_GAP = 2.0  # line heights between two pieces of one line, at most
MIN_DENSITY = 0.14  # share of steady stroke pixels in a line's box
DIFFERENT_GREY = 48  # grey levels between two pictures of a stroke pixel that is not the same
SAME_LINE = 0.12  # at most this share of shared stroke pixels differ in two pictures of one line
SAME_STRETCH = 0.18  # and at most this share in any stretch a character wide
STABLE_S = 0.35  # a state lasting this long is read
MAX_STATE_S = 10.0  # a text steady for longer is a title or a logo, not a subtitle
PERSISTENT = 0.7  # nor is a text on screen for this share of a programme of PERSISTENT_MIN_S or more
PERSISTENT_MIN_S = 6.0
MISS_S = 0.3  # a state unseen for longer has ended
MAX_EXAMPLES = 6  # band pictures kept for the report
SAMPLE_EVERY_S = 10.0  # band pictures kept anyway, for showing speech without subtitles
MAX_SAMPLES = 12
MAX_CACHE = 400
GOOD_LINE = 0.8  # below this, `read_line` is retried with detection
MAX_ROWS = 4  # a box of more rows than this goes to detection whole

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(eq=False)  # compared by identity: its fields hold arrays
class _Line:
    """A candidate line in one small picture."""

    box: Box  # in small-picture pixels
    mask: np.ndarray  # steady stroke pixels inside the box
    grey: np.ndarray  # the small picture inside the box
    several: bool = False  # more than one line of text in the box


@dataclass(eq=False)  # compared by identity: its fields hold arrays
class _State:
    line: _Line  # the widest view
    extent: Box  # all the views of the line together: one view may miss a faint character
    first_s: float
    last_s: float
    future: Future | None = None
    read_box: Box | None = None  # the extent when it was read
    reads: int = 0
    jpeg_base64: str | None = None


@dataclass(eq=False)  # compared by identity: its fields hold arrays
class _Read:
    line: _Line
    extent: Box
    future: Future
    ink: np.ndarray  # the glyphs at full resolution, scaled to INK_HEIGHT


INK_HEIGHT = 32  # pixels: glyphs that look alike in the small picture differ at this size
SAME_INK = 0.7  # Dice of the glyph pixels, in every stretch a character wide, of one text read twice


def _ink(luma: np.ndarray, box: Box, scale: float) -> np.ndarray:
    """Where the glyphs are in the full-resolution line: bright text, or dark text where there is none."""
    x, y, w, h = box
    picture = crop(luma, (round(x * scale), round(y * scale), round(w * scale), round(h * scale)))
    if picture.size == 0:
        return np.zeros((INK_HEIGHT, 1), bool)
    width = max(1, round(picture.shape[1] * INK_HEIGHT / picture.shape[0]))
    small = cv2.resize(picture, (width, INK_HEIGHT), interpolation=cv2.INTER_AREA)
    bright = small >= 200
    return bright if np.count_nonzero(bright) >= 0.03 * bright.size else small <= 60


def _same_ink(ink: np.ndarray, other: np.ndarray) -> bool:
    """The same text at full resolution: the check a cached reading must pass before it is reused."""
    if abs(ink.shape[1] - other.shape[1]) > max(4, 0.1 * max(ink.shape[1], other.shape[1])):
        return False
    if other.shape != ink.shape:
        other = cv2.resize(other.astype(np.uint8), (ink.shape[1], ink.shape[0]),
                           interpolation=cv2.INTER_NEAREST).astype(bool)
    for start in range(0, ink.shape[1], INK_HEIGHT):
        a, b = ink[:, start:start + INK_HEIGHT], other[:, start:start + INK_HEIGHT]
        total = np.count_nonzero(a) + np.count_nonzero(b)
        if total >= 20 and 2 * np.count_nonzero(a & b) / total < SAME_INK:
            return False
    return True


def _join(box: Box, other: Box) -> Box:
    x0, y0 = min(box[0], other[0]), min(box[1], other[1])
    x1, y1 = max(box[0] + box[2], other[0] + other[2]), max(box[1] + box[3], other[1] + other[3])
    return (x0, y0, x1 - x0, y1 - y0)


@dataclass
class _Result:
    lines: list[TextLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(line.text.strip() for line in self.lines).strip()

    @property
    def score(self) -> float:
        if not self.lines:
            return 0.0
        weights = [max(1, len(line.text)) for line in self.lines]
        return sum(line.score * w for line, w in zip(self.lines, weights, strict=True)) / sum(weights)


def _disagree(line: _Line, other: _Line) -> float:
    """Share of the stroke pixels two lines share that differ in brightness (boxes where they are).

    Stroke masks alone do not tell two lines apart (at this size the strokes of any line fill most
    of its box); the brightness under them does: white glyph against black outline. Two lines
    that differ in one word only must not pass for one: the share is taken over each stretch
    about a character wide, and the worst stretch counts (scaled to compare with SAME_LINE).
    """
    box, other_box = line.box, other.box
    x0, y0 = min(box[0], other_box[0]), min(box[1], other_box[1])
    x1 = max(box[0] + box[2], other_box[0] + other_box[2])
    y1 = max(box[1] + box[3], other_box[1] + other_box[3])
    shape = (y1 - y0, x1 - x0)
    a, b = np.zeros(shape, np.int16), np.zeros(shape, np.int16)
    mask_a, mask_b = np.zeros(shape, bool), np.zeros(shape, bool)
    for grey, mask, target, target_mask, (x, y, w, h) in (
            (line.grey, line.mask, a, mask_a, box), (other.grey, other.mask, b, mask_b, other_box)):
        target[y - y0:y - y0 + h, x - x0:x - x0 + w] = grey
        target_mask[y - y0:y - y0 + h, x - x0:x - x0 + w] = mask
    both = mask_a & mask_b
    shared = np.count_nonzero(both)
    if shared < 0.3 * min(np.count_nonzero(mask_a), np.count_nonzero(mask_b)):
        return 1.0
    differ = (np.abs(a - b) > DIFFERENT_GREY) & both
    overall = float(np.count_nonzero(differ)) / shared
    width = max(4, min(box[3], other_box[3]))
    starts = np.arange(0, shape[1], width)
    shared_cols = np.add.reduceat(np.count_nonzero(both, axis=0), starts)
    differ_cols = np.add.reduceat(np.count_nonzero(differ, axis=0), starts)
    counted = shared_cols >= max(6, 0.1 * width * min(box[3], other_box[3]))
    if not counted.any():
        return overall
    worst = float((differ_cols[counted] / shared_cols[counted]).max())
    return max(overall, worst * SAME_LINE / SAME_STRETCH)


def _same_place(box: Box, other: Box) -> bool:
    top, bottom = max(box[1], other[1]), min(box[1] + box[3], other[1] + other[3])
    if bottom - top < 0.5 * min(box[3], other[3]):
        return False
    left, right = max(box[0], other[0]), min(box[0] + box[2], other[0] + other[2])
    return right - left > 0.5 * min(box[2], other[2])


def _similar(line: _Line, other: _Line) -> bool:
    """Views of one text: in the same place, and the strokes both show equally bright.

    The boxes need not agree: a faint character at either end may be missed in one view, and a
    line may show in two pieces where the gap between two words is wide.
    """
    if not _same_place(line.box, other.box):
        return False
    return _disagree(line, other) <= SAME_LINE


def _same_width(box: Box, other: Box) -> bool:
    return abs(box[2] - other[2]) <= max(4, 0.1 * max(box[2], other[2]))


def stroke_edges(small: np.ndarray) -> np.ndarray:
    """Strong edges of the small picture (kept from one look to the next: each is computed once)."""
    return cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) >= EDGE


def find_lines(small: np.ndarray, previous: np.ndarray, edges: np.ndarray | None = None,
               before: np.ndarray | None = None) -> list[_Line]:
    """Candidate lines of text steady between two small pictures: boxes and their stroke masks."""
    edges = stroke_edges(small) if edges is None else edges
    before = stroke_edges(previous) if before is None else before
    steady = edges & before & (cv2.absdiff(small, previous) <= STEADY_DIFF)
    height = small.shape[0]
    # Rows a line of text crosses hold many steady stroke pixels; elsewhere a few stray ones
    # would only make connected components to look at and drop.
    rows = np.count_nonzero(steady, axis=1) >= MIN_ROW_PIXELS
    rows = cv2.dilate(rows.astype(np.uint8)[:, None], np.ones((5, 1), np.uint8))[:, 0].astype(bool)
    if not rows.any():
        return []
    steady_u8 = steady.astype(np.uint8)
    steady_u8[~rows] = 0
    # Characters of a line sit a fraction of their height apart: join them along the line only.
    join = max(7, round(small.shape[1] / 40))
    blobs = cv2.morphologyEx(steady_u8, cv2.MORPH_CLOSE, np.ones((3, join), np.uint8))
    blobs = cv2.morphologyEx(blobs, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    # The outlines' bounding boxes: OpenCV's component statistics cost ten times as much here.
    contours, _ = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    max_h = max(MIN_LINE_PX + 1, round(MAX_LINE_SHARE * max(height, small.shape[1] * 9 / 16)))
    boxes = []
    for contour in contours:
        box = tuple(int(v) for v in cv2.boundingRect(contour))
        if not MIN_LINE_PX <= box[3] <= max_h or box[2] < 1.8 * box[3]:
            continue
        mask = steady[box[1]:box[1] + box[3], box[0]:box[0] + box[2]]
        if np.count_nonzero(mask) < MIN_DENSITY * box[2] * box[3]:
            continue
        # Strokes spread along the line, not one long edge (the side of a shape in a pan).
        columns, rows_lit = np.count_nonzero(mask.any(axis=0)), np.count_nonzero(mask.any(axis=1))
        if columns < 0.6 * box[2] or rows_lit < 0.6 * box[3]:
            continue
        boxes.append(box)
    out = []
    for box in _rows(boxes):
        mask = steady[box[1]:box[1] + box[3], box[0]:box[0] + box[2]]
        out.append(_Line(box, mask.copy(), small[box[1]:box[1] + box[3], box[0]:box[0] + box[2]].copy(),
                         several=_several_rows(mask)))
    return out


def _rows(boxes: list[Box]) -> list[Box]:
    """Pieces of one line side by side joined: a full-width comma or a space leaves an em between words."""
    out: list[Box] = []
    for box in sorted(boxes):
        for i, other in enumerate(out):
            top, bottom = max(box[1], other[1]), min(box[1] + box[3], other[1] + other[3])
            gap = box[0] - (other[0] + other[2])
            if bottom - top >= 0.6 * min(box[3], other[3]) and gap <= ROW_GAP * max(box[3], other[3]):
                out[i] = _join(other, box)
                break
        else:
            out.append(box)
    return out


def _several_rows(mask: np.ndarray) -> bool:
    """Two lines of text in one box: the strokes thin out to nearly nothing between them."""
    height = mask.shape[0]
    if height < 2 * MIN_LINE_PX + 2:
        return False
    profile = np.count_nonzero(mask, axis=1)
    inside = profile[height // 4: height - height // 4]
    return bool(inside.size) and int(inside.min()) < 0.15 * int(profile.max())


def text_rows(mask: np.ndarray) -> list[tuple[int, int]]:
    """The rows of text in a box of several lines, (top, bottom) in its pixels: where strokes thin out
    to nearly nothing between two lines, one ends and the next begins."""
    profile = np.count_nonzero(mask, axis=1)
    if not profile.size or not profile.max():
        return []
    lit = profile >= 0.15 * int(profile.max())
    rows, start = [], None
    for y, on in enumerate([*lit.tolist(), False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            if y - start >= MIN_LINE_PX - 1:
                rows.append((start, y))
            start = None
    return rows


def _recognise(ocr: Any, picture: np.ndarray, several: bool = False,
               rows: list[np.ndarray] | None = None) -> _Result:
    """Recognition of the line; detection on the same crop where the line does not fill it well.

    A box of several lines is cut into its rows, each recognised alone: recognition of the whole
    reads such a crop as one line of nonsense, sometimes with confidence. Where a row does not
    read well, or the rows could not be told apart, detection on the crop finds the lines itself
    (at five to ten times the cost of recognising them).
    """
    if several:
        if rows and len(rows) <= MAX_ROWS:
            lines = [ocr.read_line(row) for row in rows]
            if all(line is not None and line.score >= GOOD_LINE for line in lines):
                return _Result(lines)  # type: ignore[arg-type]
        return _Result(ocr.read(picture))
    line = ocr.read_line(picture)
    if line is not None and line.score >= GOOD_LINE:
        return _Result([line])
    found = ocr.read(picture)
    if found and (line is None or _Result(found).score > line.score):
        return _Result(found)
    return _Result([line] if line is not None else [])


class SubtitleReader:
    def __init__(self, context: Any) -> None:
        self.context = context
        self.previous: np.ndarray | None = None
        self.previous_edges: np.ndarray | None = None
        self.previous_s: float | None = None
        self.active: list[_State] = []
        self.done: list[_State] = []
        self.reads: list[_Read] = []
        self.steps: list[float] = []
        self.examples = 0
        self.samples: list[ReadFrame] = []
        self.last_sample_s: float | None = None

    # ---- the decode pass

    def look(self, look: Look) -> None:
        small = look.small
        if self.previous_s is not None:
            self.steps.append(look.t - self.previous_s)
        edges = stroke_edges(small)
        if look.is_black or self.previous is None or self.previous.shape != small.shape:
            lines: list[_Line] = []
        else:
            lines = find_lines(small, self.previous, edges, self.previous_edges)
        prior = self.previous_s if self.previous_s is not None else look.t
        self.previous, self.previous_edges = small.copy(), edges
        self.previous_s = look.t
        seen: set[int] = set()
        for line in lines:
            views = [s for s in self.active if _similar(line, s.line)]
            state = views[0] if views else None
            for other in views[1:]:  # pieces of one line seen apart at first: one state
                state.extent = _join(state.extent, other.extent)
                state.first_s = min(state.first_s, other.first_s)
                state.reads = min(state.reads, other.reads)
                if other.line.box[2] > state.line.box[2]:
                    state.line = other.line
                self.active.remove(other)
            if state is None:
                # Steady since the previous picture: the text was already there then.
                state = _State(line=line, extent=line.box, first_s=prior, last_s=look.t)
                self.active.append(state)
            else:
                # The widest view stays the state's likeness: at a change of text, the strokes the
                # old and the new line happen to share are a steady piece that agrees with both.
                if line.box[2] >= state.line.box[2]:
                    state.line = line
                state.extent = _join(state.extent, line.box) if _same_place(state.extent, line.box) \
                    else state.extent
                state.last_s = look.t
            seen.add(id(state))
        for state in self.active:
            if id(state) in seen and look.t - state.first_s >= STABLE_S and self._wants_read(state):
                self._read(state, look)
        for state in list(self.active):
            if id(state) not in seen and look.t - state.last_s > MISS_S:
                self.active.remove(state)
                self.done.append(state)
        self._sample(look)

    @staticmethod
    def _wants_read(state: _State) -> bool:
        """Not read yet, or read when part of the line was missing (it has grown since)."""
        if state.read_box is None:
            return True
        return state.reads < 2 and state.extent[2] > 1.15 * state.read_box[2]

    def _read(self, state: _State, look: Look) -> None:
        state.read_box, state.reads = state.extent, state.reads + 1
        scale = look.scale
        ink = _ink(look.luma, state.extent, scale)
        for known in reversed(self.reads):
            if _same_width(state.extent, known.extent) and _similar(state.line, known.line) \
                    and _same_ink(ink, known.ink):
                state.future = known.future
                return
        x, y, w, h = state.extent
        margin_y, margin_x = 0.3 * h, 0.6 * h
        full: Box = (round((x - margin_x) * scale), round((y - margin_y) * scale),
                     round((w + 2 * margin_x) * scale), round((h + 2 * margin_y) * scale))
        picture = crop(look.luma, full).copy()
        rows = self._rows(state, look) if state.line.several else None
        state.future = self.context.submit(_recognise, self.context.ocr, picture, state.line.several, rows)
        self.reads.append(_Read(state.line, state.extent, state.future, ink))
        del self.reads[:-MAX_CACHE]
        if self.context.evidence and (state.jpeg_base64 is not None or self.examples < MAX_EXAMPLES):
            self.examples += state.jpeg_base64 is None
            state.jpeg_base64 = jpeg(self._band(look, full))

    @staticmethod
    def _rows(state: _State, look: Look) -> list[np.ndarray]:
        """Full-resolution crops of each row of a box of several lines, as wide as the state."""
        scale = look.scale
        x, _y, w, _h = state.extent
        top = state.line.box[1]
        out = []
        for start, end in text_rows(state.line.mask):
            h = end - start
            margin_y, margin_x = 0.3 * h, 0.6 * h
            box: Box = (round((x - margin_x) * scale), round((top + start - margin_y) * scale),
                        round((w + 2 * margin_x) * scale), round((h + 2 * margin_y) * scale))
            out.append(crop(look.luma, box).copy())
        return out

    @staticmethod
    def _band(look: Look, box: Box) -> np.ndarray:
        """The full width of the picture around a line, so the example shows where it sits."""
        _x, y, _w, h = box
        return crop(look.luma, (0, y - h, look.luma.shape[1], 3 * h))

    def _sample(self, look: Look) -> None:
        """Now and then the small picture, to show speech that has no subtitles."""
        if not self.context.evidence or look.is_black or len(self.samples) >= MAX_SAMPLES:
            return
        if self.last_sample_s is not None and look.t - self.last_sample_s < SAMPLE_EVERY_S:
            return
        self.last_sample_s = look.t
        self.samples.append(ReadFrame(time_s=round(look.t, 2), jpeg_base64=jpeg(look.small, max_width=480)))

    # ---- the end

    def finish(self, findings: TextFindings) -> None:
        states = self.done + self.active
        self.active, self.done = [], []
        step = float(np.median(self.steps)) if self.steps else 0.2
        end_of_video = findings.duration_s
        captions: list[tuple[_State, Caption]] = []
        failed = 0
        for state in sorted(states, key=lambda s: s.first_s):
            if state.future is None:
                continue
            try:
                result: _Result = state.future.result()
            except Exception as error:  # one line the OCR could not read must not cost the others
                failed += 1
                if failed == 1:
                    problem = f"SubtitleReader: OCR: {type(error).__name__}: {error}"
                    self.context.problems.append(problem[:200])
                continue
            start = max(0.0, state.first_s - step / 2)
            end = state.last_s + step / 2
            if end_of_video:
                end = min(end, end_of_video)
            box = self._full_box(state.extent)
            # Subtitles sit across the middle; a text in a corner all along is a watermark's,
            # however short the programme.
            off_centre = abs(box[0] + box[2] / 2 - self.context.width / 2) > 0.25 * self.context.width
            persistent = bool(end_of_video and (end_of_video >= PERSISTENT_MIN_S or off_centre)
                              and end - start > PERSISTENT * end_of_video)
            if not result.text or end - start > MAX_STATE_S or persistent or is_stroke_noise(result.text):
                continue
            captions.append((state, Caption(start_s=round(start, 2), end_s=round(end, 2), text=result.text,
                                            score=round(result.score, 4), box=self._full_box(state.extent),
                                            jpeg_base64=state.jpeg_base64)))
        joined = _rejoin(_pieces([c for _s, c in _bands(captions)]))
        width = self.context.width
        findings.captions = [
            c for c in joined
            if not (end_of_video and c.end_s - c.start_s > PERSISTENT * end_of_video
                    and abs(c.box[0] + c.box[2] / 2 - width / 2) > 0.25 * width)
        ]
        findings.subtitle_samples = self.samples

    def _full_box(self, box: Box) -> Box:
        scale = self.context.width / self.previous.shape[1] if self.previous is not None else 1.0
        return tuple(round(v * scale) for v in box)  # type: ignore[return-value]


def _bands(captions: list[tuple[_State, Caption]]) -> list[tuple[_State, Caption]]:
    """The captions in bands of changing lines; where there are such, one-off texts are not subtitles."""
    bands: list[list[tuple[_State, Caption]]] = []
    for item in captions:
        box = item[0].extent
        band = next((b for b in bands if any(_row_overlap(box, other[0].extent) for other in b)), None)
        if band is None:
            bands.append([item])
        else:
            band.append(item)
    changing = [b for b in bands if _changes(b)]
    kept = [item for b in (changing or bands) for item in b]
    return sorted(kept, key=lambda item: item[1].start_s)


def _changes(band: list[tuple[_State, Caption]]) -> bool:
    """One text after another in the band, not several at once (the lines of a block of credits)."""
    ordered = sorted((c for _s, c in band), key=lambda c: c.start_s)
    return any(cur.text != prev.text and cur.start_s >= prev.end_s - CHANGE_OVERLAP_S
               for prev, cur in itertools.pairwise(ordered))


def _pieces(captions: list[Caption]) -> list[Caption]:
    """A piece of a line read on its own while the whole line was on screen is not a caption."""
    out: list[Caption] = []
    for caption in captions:
        whole = next((c for c in captions if c is not caption and caption.text in c.text
                      and len(c.text) > len(caption.text) and _row_overlap(c.box, caption.box)
                      and c.start_s < caption.end_s and caption.start_s < c.end_s), None)
        if whole is None:
            out.append(caption)
        else:
            whole.start_s, whole.end_s = min(whole.start_s, caption.start_s), max(whole.end_s, caption.end_s)
    return out


def _rejoin(captions: list[Caption]) -> list[Caption]:
    """One line seen as two states (a picture in between lost it) is one caption."""
    out: list[Caption] = []
    for caption in sorted(captions, key=lambda c: c.start_s):
        before = next((c for c in reversed(out) if c.text == caption.text and _row_overlap(c.box, caption.box)
                       and caption.start_s <= c.end_s + CHANGE_OVERLAP_S), None)
        if before is None:
            out.append(caption)
        else:
            before.end_s = max(before.end_s, caption.end_s)
            before.jpeg_base64 = before.jpeg_base64 or caption.jpeg_base64
    return out


def _row_overlap(box: Box, other: Box) -> bool:
    top, bottom = max(box[1], other[1]), min(box[1] + box[3], other[1] + other[3])
    return bottom - top >= 0.5 * min(box[3], other[3])


# ---- judging

MIN_SPEECH_S = 2.0  # less speech than this: subtitles are judged on being there at all
MIN_SCORE = 0.7  # mean recogniser confidence below which the reading goes to a person
GAP_S = 1.0  # stretches of speech without subtitles shorter than this are not listed
MAX_GAPS = 3


def _union(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _minus(spans: list[tuple[float, float]], cut: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out = []
    for start, end in spans:
        pieces = [(start, end)]
        for c0, c1 in cut:
            pieces = [p for a, b in pieces for p in ((a, min(b, c0)), (max(a, c1), b)) if p[1] - p[0] > 1e-6]
        out.extend(pieces)
    return out


def _length(spans: list[tuple[float, float]]) -> float:
    return sum(b - a for a, b in spans)


# Glyphs the recogniser reads from lines, bars and boxes in a busy picture: a "line" of only
# these (「一」「二」「口」) is texture, not a subtitle.
STROKE_GLYPHS = frozenset("一二三丨十丁口日曰囗工土亠丶丿乙|-_=~.·。，,、:：;；!！?？")


def is_stroke_noise(text: str) -> bool:
    """Too little to be a subtitle: at most two characters, all of them stroke-like."""
    shown = [c for c in text if not c.isspace()]
    return len(shown) <= 2 and all(c in STROKE_GLYPHS for c in shown)


def is_chinese(text: str) -> bool:
    """Mostly Chinese characters among the letters (a bilingual line counts)."""
    han = len(_CJK.findall(text))
    letters = sum(1 for c in text if c.isalpha())
    return han > 0 and han >= 0.3 * letters


def soft_cues(media: Any) -> list[tuple[float, float, str]]:
    """The cues of the soft subtitle tracks whose text is Chinese."""
    out = []
    for track in getattr(media, "subtitles", None) or []:
        cues = [(float(a), float(b), str(t)) for a, b, t in track.text if str(t).strip()]
        if cues and sum(is_chinese(t) for _a, _b, t in cues) >= 0.5 * len(cues):
            out.extend(cues)
    return out


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def judge_subtitles(rule: Any, text: TextFindings | None, media: Any) -> list[Verdict]:
    """The rule's lines; an empty list leaves the rule to a person (text not read)."""
    if text is None:
        return []
    from ..report import Evidence
    from .script import judge_script

    required = bool(rule.required)
    min_coverage = float(getattr(rule, "min_coverage", 0.6))
    read_captions = [c for c in text.captions if c.text.strip()]
    # Like a soft track, a burned-in line counts when it is Chinese (a bilingual line is).
    captions = [c for c in read_captions if is_chinese(c.text)]
    foreign = len(read_captions) - len(captions)
    soft = soft_cues(media)
    shown = _union([(c.start_s, c.end_s) for c in captions] + [(a, b) for a, b, _t in soft])
    speech = _union([(s.start_s, s.end_s) for s in text.speech])
    speech_s = _length(speech)
    missing = _minus(speech, shown)
    covered_s = speech_s - _length(missing)
    coverage = covered_s / speech_s if speech_s > 0 else None
    gaps = sorted((g for g in missing if g[1] - g[0] >= GAP_S), key=lambda g: g[0] - g[1])[:MAX_GAPS]
    weights = [max(0.1, c.end_s - c.start_s) for c in captions]
    mean_score = (sum(c.score * w for c, w in zip(captions, weights, strict=True)) / sum(weights)
                  if captions else None)
    reliable = mean_score is None or mean_score >= MIN_SCORE
    trouble = [p for p in text.problems if p.startswith("SubtitleReader")]
    params = {"coverage": round(coverage, 3) if coverage is not None else None,
              "speech_s": round(speech_s, 1), "captions": len(captions), "soft_cues": len(soft),
              "mean_score": round(mean_score, 3) if mean_score is not None else None,
              "min_coverage": min_coverage}

    evidence = [Evidence(time_s=c.start_s, end_s=c.end_s, note=c.text[:40], note_en=c.text[:40],
                         jpeg_base64=c.jpeg_base64) for c in captions if c.jpeg_base64][:3]
    for g0, g1 in gaps:
        frame = next((f for f in text.subtitle_samples if g0 - 0.5 <= f.time_s <= g1 + 0.5), None)
        evidence.append(Evidence(time_s=round(g0, 2), end_s=round(g1, 2), note="有对白，无字幕",
                                 note_en="speech without subtitles",
                                 jpeg_base64=frame.jpeg_base64 if frame else None))
    count = f"字幕 {len(captions)} 条" + (f"、软字幕 {len(soft)} 条" if soft else "")
    count_en = f"{len(captions)} subtitle line(s)" + (f", {len(soft)} soft subtitle cue(s)" if soft else "")
    gap_text = "；".join(f"{_clock(a)}–{_clock(b)}（{b - a:.1f} 秒）" for a, b in gaps)
    gap_text_en = "; ".join(f"{_clock(a)}–{_clock(b)} ({b - a:.1f} s)" for a, b in gaps)

    def verdict(outcome: str, actual: str, actual_en: str, message: str = "",
                message_en: str = "") -> Verdict:
        return Verdict(outcome, actual, actual_en, message, message_en, evidence=evidence, params=params)

    out: list[Verdict] = []
    if trouble:
        out.append(verdict("review", "字幕读取出错", "the subtitles could not be read",
                           "字幕识别过程出错，请人工核对。" + trouble[0],
                           "Reading the subtitles failed: check them. " + trouble[0]))
    elif not captions and not soft:
        if not required:
            out.append(verdict("pass", "无字幕，本活动不要求", "no subtitles; not required for this call")
                       if not foreign else
                       verdict("pass", f"无中文字幕（有 {foreign} 条非中文字幕），本活动不要求配字幕",
                               f"no Chinese subtitles ({foreign} non-Chinese line(s)); not required"))
        elif foreign:
            shown_lines = read_captions[:3]
            out.append(verdict("fail", f"字幕不是中文（{foreign} 条）",
                               f"the subtitles are not Chinese ({foreign})",
                               "本活动要求配中文字幕，画面中的字幕不含汉字。例如："
                               + "；".join(f"「{c.text[:30]}」" for c in shown_lines),
                               "Chinese subtitles are required; the subtitles on screen hold no Chinese "
                               "characters, e.g. " + "; ".join(f"“{c.text[:30]}”" for c in shown_lines)))
        elif speech_s >= MIN_SPEECH_S:
            out.append(verdict("fail", f"未发现字幕（对白约 {speech_s:.0f} 秒）",
                               f"no subtitles found ({speech_s:.0f} s of speech)",
                               "本活动要求配字幕，画面中未发现随对白变化的字幕，也没有中文软字幕轨。"
                               + (f"无字幕的对白例如：{gap_text}。" if gaps else ""),
                               "Subtitles are required; no burned-in subtitles that change with the speech "
                               "and no Chinese soft subtitle track were found."
                               + (f" Speech without subtitles, e.g. {gap_text_en}." if gaps else "")))
        else:
            out.append(verdict("review", "未发现字幕，也未听出对白", "no subtitles found and no speech heard",
                               "本活动要求配字幕；未发现字幕，声音中也未检测到对白，请人工确认作品是否有对白。",
                               "Subtitles are required; none were found and no speech was detected in the "
                               "sound: check whether the work has dialogue."))
    elif not reliable and not soft:
        out.append(verdict("review", f"{count}，识别把握不大", f"{count_en}, read with low confidence",
                           f"字幕文字识别的平均置信度为 {mean_score:.2f}，请人工核对字幕。",
                           f"The mean recognition confidence was {mean_score:.2f}: check the subtitles."))
    elif coverage is None or speech_s < MIN_SPEECH_S:
        out.append(verdict("pass", f"有字幕（{count}；未检测到对白，按有无判断）",
                           f"subtitles present ({count_en}; no speech detected, judged on presence)"))
    else:
        actual = f"对白字幕覆盖率 {coverage:.0%}（{count}，对白约 {speech_s:.0f} 秒）"
        actual_en = f"{coverage:.0%} of the speech has subtitles ({count_en}, {speech_s:.0f} s of speech)"
        gaps_message = f"无字幕的对白最长的几段：{gap_text}。" if gaps else ""
        gaps_message_en = f"Longest speech without subtitles: {gap_text_en}." if gaps else ""
        if coverage >= min_coverage or not required:
            out.append(verdict("pass", actual, actual_en, gaps_message, gaps_message_en))
        else:
            out.append(verdict("fail", actual, actual_en,
                               f"本活动要求配字幕，覆盖率低于 {min_coverage:.0%}。" + gaps_message,
                               f"Subtitles are required on at least {min_coverage:.0%} of the speech. "
                               + gaps_message_en))

    lines = [(c.start_s, c.text) for c in read_captions] + [(None, t) for _a, _b, t in soft]
    examples = [e for e in evidence if e.note != "有对白，无字幕"]
    script = judge_script(lines, rule.script, reliable=reliable and not trouble, evidence=examples)
    if script is not None:
        out.append(script)
    return out
