"""Word documents printed to PDF by LibreOffice, and what a PDF's pages and fonts are.

A PDF is what the published list goes out as, and what shows that a one-page form prints
on one page. Each conversion runs in a user profile of its own, thrown away afterwards:
two LibreOffice processes sharing a profile would wait on each other's lock or hand the
document to the wrong process. No Django here: the module runs anywhere LibreOffice does.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

_CANDIDATES = ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
               "/opt/libreoffice/program/soffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice")
MAX_DOCX_BYTES = 50 * 1024 * 1024

# Office documents name Windows fonts. Without these aliases fontconfig would print 宋体 in a
# sans-serif face or in the Japanese forms of some characters; with them a form prints in a
# Song (serif) face with the Simplified Chinese glyphs, as it does on an office's computer.
_ALIASES = {
    "宋体": "Noto Serif CJK SC", "SimSun": "Noto Serif CJK SC", "新宋体": "Noto Serif CJK SC",
    "NSimSun": "Noto Serif CJK SC", "仿宋": "Noto Serif CJK SC", "FangSong": "Noto Serif CJK SC",
    "楷体": "Noto Serif CJK SC", "KaiTi": "Noto Serif CJK SC", "方正小标宋简体": "Noto Serif CJK SC",
    "黑体": "Noto Sans CJK SC", "SimHei": "Noto Sans CJK SC", "微软雅黑": "Noto Sans CJK SC",
    "Microsoft YaHei": "Noto Sans CJK SC",
    "Times New Roman": "Liberation Serif", "Arial": "Liberation Sans",
}
_FALLBACKS = {"Noto Serif CJK SC": ["WenQuanYi Micro Hei"], "Noto Sans CJK SC": ["WenQuanYi Micro Hei"],
              "Liberation Serif": ["Noto Serif CJK SC", "DejaVu Serif"],
              "Liberation Sans": ["Noto Sans CJK SC", "DejaVu Sans"]}


def fontconfig_file(folder: Path) -> Path:
    """A fontconfig file for one conversion: the system's, with the office fonts' aliases."""
    system = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    aliases = "".join(
        f'<alias binding="same"><family>{name}</family><prefer>'
        + "".join(f"<family>{family}</family>" for family in [target, *_FALLBACKS.get(target, [])])
        + "</prefer></alias>"
        for name, target in _ALIASES.items()
    )
    path = folder / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<include ignore_missing="yes">{system}</include>{aliases}</fontconfig>',
        encoding="utf-8",
    )
    return path


class PdfError(RuntimeError):
    """A conversion or a reading that did not work, with a message for the person who asked."""


class SofficeMissing(PdfError):
    pass


def find_soffice() -> str | None:
    """LibreOffice's command: $GUANGYING_SOFFICE, else on PATH, else where Debian and others put it."""
    configured = os.environ.get("GUANGYING_SOFFICE", "").strip()
    if configured:
        return configured if Path(configured).is_file() else shutil.which(configured)
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((c for c in _CANDIDATES if Path(c).is_file()), None)


def _kill(process: subprocess.Popen) -> None:
    # soffice starts soffice.bin; both are in the session started for it.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def to_pdf(docx: bytes, *, timeout_s: float = 60, soffice: str | None = None) -> bytes:
    """The document as LibreOffice prints it, with its fonts embedded."""
    if not docx:
        raise PdfError("没有可转换的文档（内容为空）。")
    if len(docx) > MAX_DOCX_BYTES:
        raise PdfError("文档过大，无法转换为 PDF。")
    if not docx.startswith(b"PK"):
        raise PdfError("不是 Word（.docx）文档，无法转换为 PDF。")
    command = soffice or find_soffice()
    if not command:
        raise SofficeMissing(
            "服务器上没有安装 LibreOffice，无法生成 PDF（Debian 上请安装 libreoffice-writer-nogui）。"
        )
    with tempfile.TemporaryDirectory(prefix="guangying-pdf-") as folder:
        root = Path(folder)
        source = root / "document.docx"
        source.write_bytes(docx)
        profile = (root / "profile").as_uri()
        env = {**os.environ, "HOME": folder, "TMPDIR": folder, "SAL_USE_VCLPLUGIN": "svp",
               "FONTCONFIG_FILE": str(fontconfig_file(root))}
        args = [command, f"-env:UserInstallation={profile}", "--headless", "--invisible", "--nologo",
                "--norestore", "--nodefault", "--nolockcheck", "--convert-to", "pdf:writer_pdf_Export",
                "--outdir", str(root / "out"), str(source)]
        try:
            process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, env=env, cwd=folder,
                                       start_new_session=True)
        except OSError as error:
            raise SofficeMissing(f"无法启动 LibreOffice（{command}）：{error.strerror or error}") from None
        try:
            _stdout, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise PdfError(f"生成 PDF 超时（超过 {timeout_s:g} 秒），请稍后再试。") from None
        result = root / "out" / "document.pdf"
        if process.returncode != 0 or not result.is_file() or result.stat().st_size == 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            tail = f"：{detail[-1][:200]}" if detail else ""
            raise PdfError(f"LibreOffice 未能把文档转换为 PDF（退出码 {process.returncode}）{tail}")
        return result.read_bytes()


def _reader(pdf: bytes) -> PdfReader:
    try:
        return PdfReader(io.BytesIO(pdf))
    except (PdfReadError, ValueError, OSError) as error:
        raise PdfError(f"无法读取 PDF：{error}") from None


def page_count(pdf: bytes) -> int:
    try:
        return len(_reader(pdf).pages)
    except (PdfReadError, ValueError, KeyError) as error:
        raise PdfError(f"无法读取 PDF 的页数：{error}") from None


def pdf_text(pdf: bytes) -> str:
    """The text a reader can copy out of the PDF, page after page."""
    return "\n".join(page.extract_text() or "" for page in _reader(pdf).pages)


@dataclass(frozen=True)
class PdfFont:
    name: str
    subtype: str
    embedded: bool


def _embedded(font: object) -> bool:
    descriptor = font.get("/FontDescriptor")  # type: ignore[attr-defined]
    if descriptor is not None:
        descriptor = descriptor.get_object()
        if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            return True
    if font.get("/Subtype") == "/Type3":  # type: ignore[attr-defined]
        return True  # drawn by the PDF's own procedures
    for descendant in font.get("/DescendantFonts") or []:  # type: ignore[attr-defined]
        if _embedded(descendant.get_object()):
            return True
    return False


def pdf_fonts(pdf: bytes) -> list[PdfFont]:
    """Every font the pages use and whether the PDF carries it, so it prints the same anywhere."""
    seen: dict[str, PdfFont] = {}
    for page in _reader(pdf).pages:
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        if fonts is None:
            continue
        for ref in fonts.get_object().values():
            font = ref.get_object()
            name = str(font.get("/BaseFont", "")).lstrip("/")
            if name not in seen:
                seen[name] = PdfFont(name=name, subtype=str(font.get("/Subtype", "")).lstrip("/"),
                                     embedded=_embedded(font))
    return list(seen.values())
