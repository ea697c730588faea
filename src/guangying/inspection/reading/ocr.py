"""RapidOCR behind two calls: read a picture (find and recognise lines), or recognise one line.

Finding text (the detection model) costs five to ten times recognising a line,
and far more on a wide strip if the picture is scaled up to the model's
preferred size; pictures are therefore only ever scaled down, to at most
DET_MAX_SIDE pixels on their longer side. The engine is made on first use: a
file whose rules read no text never loads the models. They ship inside the
rapidocr wheel, so nothing is downloaded at run time.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import numpy as np

from .findings import TextLine

DET_MAX_SIDE = 960
MIN_SCORE = 0.5


def _without_spinning() -> None:
    """onnxruntime's worker threads spin while they wait for work, by default.

    Beside a decoder that keeps both cores busy, spinning OCR threads take the cores from it and
    from each other: the same file took a fifth to a third longer to check. The sessions RapidOCR
    makes are told not to spin; RapidOCR makes them on first use of each model, so its session
    options are wrapped once, before any is made.
    """
    try:
        from rapidocr.inference_engine.onnxruntime.main import OrtInferSession
    except ImportError:  # pragma: no cover - another engine layout: threads spin, results are the same
        return
    options = OrtInferSession.__dict__.get("_init_sess_opts")
    if options is None or getattr(options, "guangying_no_spin", False):
        return
    made = options.__func__ if isinstance(options, staticmethod) else options

    def without_spinning(cfg: Any) -> Any:
        session_options = made(cfg)
        session_options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session_options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return session_options

    wrapped = staticmethod(without_spinning)
    wrapped.guangying_no_spin = True  # type: ignore[attr-defined]
    OrtInferSession._init_sess_opts = wrapped  # type: ignore[method-assign]


class TextReader:
    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._engine: Any = None
        self._lock = threading.Lock()
        self.calls = 0
        self.seconds = 0.0

    def _get(self) -> Any:
        if self._engine is None:
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
            _without_spinning()
            from rapidocr import RapidOCR

            self._engine = RapidOCR(params={
                "Global.log_level": "error",
                "Det.limit_type": "max",
                "Det.limit_side_len": DET_MAX_SIDE,
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            })
            logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        return self._engine

    @staticmethod
    def _colour(image: np.ndarray) -> np.ndarray:
        if image.ndim == 2:
            image = np.repeat(image[:, :, None], 3, axis=2)
        return np.ascontiguousarray(image)

    def _run(self, image: np.ndarray, det_max_side: int = DET_MAX_SIDE, **kwargs: bool) -> Any:
        with self._lock:
            engine = self._get()
            detector = engine._load_det_model() if kwargs.get("use_det") else None
            if detector is not None:
                detector.limit_side_len = det_max_side  # read by each call's preprocessing
            started = time.perf_counter()
            try:
                return engine(self._colour(image), **kwargs)
            finally:
                if detector is not None:
                    detector.limit_side_len = DET_MAX_SIDE
                self.calls += 1
                self.seconds += time.perf_counter() - started

    def read(self, image: np.ndarray, min_score: float = MIN_SCORE,
             det_max_side: int = DET_MAX_SIDE) -> list[TextLine]:
        """Every line of text in `image` (grey or BGR), top to bottom, with boxes in its pixels.

        `det_max_side` bounds the picture the lines are found in (they are then recognised in
        `image` itself): text known to be large is found as well in a smaller picture, for less.
        """
        if image.size == 0 or min(image.shape[:2]) < 8:
            return []
        result = self._run(image, det_max_side, use_det=True, use_cls=False, use_rec=True)
        if result is None or result.boxes is None or result.txts is None:
            return []
        out = []
        for box, text, score in zip(result.boxes, result.txts, result.scores, strict=False):
            if not text or score < min_score:
                continue
            xs, ys = box[:, 0], box[:, 1]
            left, top = int(max(0, xs.min())), int(max(0, ys.min()))
            out.append(TextLine(text=str(text), score=round(float(score), 4),
                                box=(left, top, int(xs.max()) - left, int(ys.max()) - top)))
        out.sort(key=lambda line: (line.box[1], line.box[0]))
        return out

    def read_line(self, image: np.ndarray, min_score: float = MIN_SCORE) -> TextLine | None:
        """The one line of text that fills `image` (a crop around a known line), or None."""
        if image.size == 0 or min(image.shape[:2]) < 8:
            return None
        result = self._run(image, use_det=False, use_cls=False, use_rec=True)
        if result is None or not result.txts:
            return None
        text, score = str(result.txts[0]), float(result.scores[0])
        if not text or score < min_score:
            return None
        h, w = image.shape[:2]
        return TextLine(text=text, score=round(score, 4), box=(0, 0, w, h))
