"""Small real media files made on the spot: videos with PyAV, a PDF and a PNG by hand.

The demo and the tests need files that are what they claim to be, without
shipping binaries in the repository. Videos are a few seconds of moving
colour with a tone, encoded by the FFmpeg inside PyAV's wheel.
"""

import math
import struct
import zlib
from fractions import Fraction
from pathlib import Path

import av


def make_video(
    path: Path | str,
    *,
    seconds: float = 2.0,
    width: int = 320,
    height: int = 180,
    fps: int = 25,
    codec: str = "libx264",
    audio: bool = True,
    container_format: str | None = None,
) -> Path:
    """An H.264/AAC clip (or another codec) of moving colour bars and a 440 Hz tone."""
    path = Path(path)
    frames = max(1, round(seconds * fps))
    with av.open(str(path), "w", format=container_format) as container:
        video = container.add_stream(codec, rate=fps)
        video.width, video.height = width, height
        video.pix_fmt = "yuv420p"
        if codec == "libx264":
            video.options = {"preset": "ultrafast", "crf": "30"}
        sound = None
        if audio:
            sound = container.add_stream("aac" if codec == "libx264" else "mp2", rate=48000)
            sound.layout = "stereo"
        for index in range(frames):
            frame = av.VideoFrame(width, height, "yuv420p")
            shade = (index * 7) % 200 + 30
            for plane_index, plane in enumerate(frame.planes):
                value = shade if plane_index == 0 else (90 + 40 * plane_index + index) % 255
                row = bytes(
                    (value + (x * 255 // max(1, plane.width))) % 256 for x in range(plane.width)
                ).ljust(plane.line_size, b"\0")
                plane.update(row * plane.height)
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
        if sound is not None:
            samples_per_frame = 1024
            total = int(seconds * 48000)
            for start in range(0, total, samples_per_frame):
                count = min(samples_per_frame, total - start)
                tone = [0.2 * math.sin(2 * math.pi * 440 * (start + i) / 48000) for i in range(count)]
                data = struct.pack(f"<{count}f", *tone)
                frame = av.AudioFrame(format="fltp", layout="stereo", samples=count)
                for plane in frame.planes:
                    plane.update(data.ljust(plane.buffer_size, b"\0"))
                frame.sample_rate = 48000
                frame.pts = start
                frame.time_base = Fraction(1, 48000)
                for packet in sound.encode(frame):
                    container.mux(packet)
            for packet in sound.encode():
                container.mux(packet)
    return path


def pdf_bytes(text: str = "Copyright commitment (demo)") -> bytes:
    """A one-page PDF with a line of text, valid enough for any reader."""
    safe = text.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 720 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def png_bytes(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A solid-colour PNG, as a phone photo of a stamped page would be (only smaller)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF
        )

    raw = b"".join(b"\0" + bytes(colour) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))
