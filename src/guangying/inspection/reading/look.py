"""One analysed picture as the readers see it, and the helpers they share."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from .findings import Box


@dataclass
class Look:
    """Valid only during the call that receives it: `luma` may point into the decoder's frame."""

    t: float
    luma: np.ndarray  # full-resolution luma of the upright picture (H×W uint8)
    small: np.ndarray  # the same picture in grey, about 480 pixels wide
    is_black: bool

    @property
    def scale(self) -> float:
        """Pixels of `luma` per pixel of `small`."""
        return self.luma.shape[1] / self.small.shape[1]


def upright(plane: np.ndarray, rotation: int) -> np.ndarray:
    """The picture turned as a player turns it (degrees clockwise); a view, not a copy."""
    turns = (rotation // 90) % 4
    return np.rot90(plane, k=-turns) if turns else plane


def jpeg(picture: np.ndarray, max_width: int = 640, quality: int = 75) -> str:
    """A small JPEG, base64, for the report: evidence must stay a few dozen KB."""
    image = Image.fromarray(np.ascontiguousarray(picture))
    if image.width > max_width:
        image = image.resize((max_width, max(1, round(image.height * max_width / image.width))))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def crop(picture: np.ndarray, box: Box, margin: int = 0) -> np.ndarray:
    left, top, width, height = box
    h, w = picture.shape[:2]
    x0, y0 = max(0, left - margin), max(0, top - margin)
    x1, y1 = min(w, left + width + margin), min(h, top + height + margin)
    return picture[y0:y1, x0:x1]


def downscaled(luma: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """A copy at most `max_side` on its longer side (the decoder reuses its buffer), and the scale back.

    The OCR would scale a larger picture down anyway; doing it here keeps the queued copies small.
    """
    h, w = luma.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    if scale >= 1.0:
        return np.array(luma, copy=True), 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(luma, size, interpolation=cv2.INTER_AREA), w / size[0]


def thumbnail(small: np.ndarray) -> np.ndarray:
    """64 pixels wide, signed: enough to tell a new picture from the last one read, for nothing."""
    h, w = small.shape[:2]
    return cv2.resize(small, (64, max(1, round(64 * h / w))), interpolation=cv2.INTER_AREA).astype(np.int16)
