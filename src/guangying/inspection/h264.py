"""What an H.264 stream's sequence parameter set says: picture size, pixel format, aspect.

Opening a file, FFmpeg decodes several H.264 pictures only to learn facts
that the parameter set in the MP4's avcC record already states; on a
1080p file that is most of the time a headers-only verdict takes. The
probe therefore opens H.264 tracks without decoding and reads these facts
here (ITU-T H.264, 7.3.2.1.1 and E.1.1). Anything this reader cannot
follow gives None, and the probe opens the file the slow way instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

# Profiles whose parameter set carries chroma format, bit depths and scaling lists.
_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}
_CHROMA_NAMES = {0: "gray", 1: "yuv420p", 2: "yuv422p", 3: "yuv444p"}
# Table E-1: sample aspect ratios by aspect_ratio_idc.
_ASPECTS = {
    1: (1, 1), 2: (12, 11), 3: (10, 11), 4: (16, 11), 5: (40, 33), 6: (24, 11), 7: (20, 11),
    8: (32, 11), 9: (80, 33), 10: (18, 11), 11: (15, 11), 12: (64, 33), 13: (160, 99),
    14: (4, 3), 15: (3, 2), 16: (2, 1),
}
_EXTENDED_SAR = 255
_MAX_MBS = 1024  # 16384 pixels: beyond any size the probe believes


@dataclass(frozen=True)
class SequenceFacts:
    width: int  # after cropping: the pictures the decoder hands out
    height: int
    pix_fmt: str  # FFmpeg's name
    bit_depth: int
    sample_aspect: Fraction | None  # None when the stream does not state one
    progressive: bool  # frame_mbs_only_flag: no field coding at all


class _Bits:
    """Big-endian reader for the fixed-length and Exp-Golomb fields of a parameter set."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def bit(self) -> int:
        byte, offset = divmod(self.position, 8)
        if byte >= len(self.data):
            raise ValueError("the parameter set ends early")
        self.position += 1
        return (self.data[byte] >> (7 - offset)) & 1

    def bits(self, count: int) -> int:
        value = 0
        for _ in range(count):
            value = value << 1 | self.bit()
        return value

    def ue(self) -> int:
        zeros = 0
        while self.bit() == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("an Exp-Golomb code longer than 32 bits")
        return (1 << zeros) - 1 + self.bits(zeros)

    def se(self) -> int:
        code = self.ue()
        return (code + 1) // 2 if code % 2 else -(code // 2)


def first_sps(avcc: bytes) -> bytes | None:
    """The first sequence parameter set of an avcC record, emulation-prevention bytes removed."""
    if len(avcc) < 8 or avcc[0] != 1 or not avcc[5] & 0x1F:
        return None
    length = int.from_bytes(avcc[6:8], "big")
    nal = avcc[8 : 8 + length]
    if len(nal) != length or length < 4 or nal[0] & 0x1F != 7:
        return None
    return nal[1:].replace(b"\x00\x00\x03", b"\x00\x00")


def _skip_scaling_list(reader: _Bits, size: int) -> None:
    last = following = 8
    for _ in range(size):
        if following:
            following = (last + reader.se() + 256) % 256
        last = following or last


def read_sps(rbsp: bytes) -> SequenceFacts | None:
    """The facts of one parameter set; None when it is damaged or uses what we do not follow."""
    reader = _Bits(rbsp)
    try:
        profile = reader.bits(8)
        reader.bits(16)  # constraint flags and level
        reader.ue()  # seq_parameter_set_id
        chroma, separate_planes, depth = 1, False, 8
        if profile in _HIGH_PROFILES:
            chroma = reader.ue()
            if chroma == 3:
                separate_planes = bool(reader.bit())
            depth = reader.ue() + 8
            reader.ue()  # bit_depth_chroma_minus8
            reader.bit()  # qpprime_y_zero_transform_bypass_flag
            if reader.bit():  # seq_scaling_matrix_present_flag
                for index in range(8 if chroma != 3 else 12):
                    if reader.bit():
                        _skip_scaling_list(reader, 16 if index < 6 else 64)
        reader.ue()  # log2_max_frame_num_minus4
        order_type = reader.ue()
        if order_type == 0:
            reader.ue()
        elif order_type == 1:
            reader.bit()
            reader.se()
            reader.se()
            cycle = reader.ue()
            if cycle > 255:
                return None
            for _ in range(cycle):
                reader.se()
        elif order_type != 2:
            return None
        reader.ue()  # max_num_ref_frames
        reader.bit()  # gaps_in_frame_num_value_allowed_flag
        width_mbs = reader.ue() + 1
        height_units = reader.ue() + 1
        frames_only = reader.bit()
        if not frames_only:
            reader.bit()  # mb_adaptive_frame_field_flag
        reader.bit()  # direct_8x8_inference_flag
        crop = (reader.ue(), reader.ue(), reader.ue(), reader.ue()) if reader.bit() else (0, 0, 0, 0)
        sample_aspect = None
        if reader.bit() and reader.bit():  # vui_parameters_present, aspect_ratio_info_present
            idc = reader.bits(8)
            if idc == _EXTENDED_SAR:
                numerator, denominator = reader.bits(16), reader.bits(16)
                if numerator and denominator:
                    sample_aspect = Fraction(numerator, denominator)
            elif idc in _ASPECTS:
                sample_aspect = Fraction(*_ASPECTS[idc])
    except ValueError:
        return None
    if chroma not in _CHROMA_NAMES or not 8 <= depth <= 14 or width_mbs > _MAX_MBS:
        return None
    height_mbs = height_units * (2 - frames_only)
    if height_mbs > _MAX_MBS:
        return None
    array_type = 0 if separate_planes else chroma
    unit_x = 1 if array_type == 0 else (2 if chroma in (1, 2) else 1)
    unit_y = (1 if array_type == 0 else (2 if chroma == 1 else 1)) * (2 - frames_only)
    width = width_mbs * 16 - unit_x * (crop[0] + crop[1])
    height = height_mbs * 16 - unit_y * (crop[2] + crop[3])
    if width <= 0 or height <= 0:
        return None
    name = _CHROMA_NAMES[chroma]
    return SequenceFacts(
        width=width,
        height=height,
        pix_fmt=name if depth == 8 else f"{name}{depth}le",
        bit_depth=depth,
        sample_aspect=sample_aspect,
        progressive=bool(frames_only),
    )


def sequence_facts(avcc: bytes) -> SequenceFacts | None:
    """The facts of an avcC record's first parameter set, or None."""
    rbsp = first_sps(avcc)
    return read_sps(rbsp) if rbsp is not None else None
