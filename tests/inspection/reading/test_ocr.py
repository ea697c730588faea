"""The OCR behind the readers: what it finds where, and how it shares the cores with the decoder."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from guangying.inspection.reading.ocr import TextReader

from .scenes import _font


def picture(text: str, *, width: int = 960, height: int = 540, px: int = 48) -> np.ndarray:
    image = Image.new("L", (width, height), 40)
    ImageDraw.Draw(image).text((60, height // 2 - px // 2), text, font=_font("sans", px), fill=230)
    return np.asarray(image)


def test_lines_are_found_in_a_smaller_picture_and_read_in_the_given_one() -> None:
    reader = TextReader()
    big = picture("本视频含人工智能生成内容")
    [line] = reader.read(big, det_max_side=480)
    assert line.text == "本视频含人工智能生成内容"
    # The box is in the given picture's pixels, not the smaller one's.
    assert line.box[0] < 80 and line.box[2] > 400
    assert reader.read(big) and reader.calls == 2


def test_the_ocr_threads_do_not_spin_while_they_wait() -> None:
    reader = TextReader(threads=2)
    assert reader.read(picture("红色光影")) and reader.read_line(picture("英雄重庆")[230:310, 40:400])
    engine = reader._get()
    sessions = [engine.text_det.session.session, engine.text_rec.session.session]
    for session in sessions:
        options = session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_nothing_to_read() -> None:
    reader = TextReader()
    assert reader.read(np.zeros((4, 4), np.uint8)) == []
    assert reader.read_line(np.zeros((0, 10), np.uint8)) is None
    assert reader.read(np.full((200, 300), 128, np.uint8)) == []
