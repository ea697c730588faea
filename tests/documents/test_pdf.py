"""LibreOffice prints the forms: one page where the notice says so, every row kept, fonts embedded.

The conversions are made once for the module, two at a time (as two requests would), each in
its own LibreOffice profile.
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from guangying.documents import pdf, word
from tests.submissions.helpers import CHONGQING_FORM, HUBEI_FORM

from .helpers import (
    CHONGQING_REGISTRATION_LABELS,
    HUBEI_INFO_LABELS,
    maximal_chongqing_form,
    unsaved_campaign,
    unsaved_work,
)

SCENE = "第{n}场：清晨的实验室，研究员调试光纤设备，旁白讲述二十年的坚守。\n"
LONG_SCRIPT = "".join(SCENE.format(n=n) for n in range(1, 400))  # about 13 000 of the 20 000 allowed
LONG_SCRIPT += "剧终。"


def _documents() -> dict[str, bytes]:
    chongqing = unsaved_campaign("chongqing-2026-hongse")
    hubei = unsaved_campaign("hubei-2026-weiguang")
    registration = chongqing.rules.document("registration_form")
    maximal_unit = unsaved_work(chongqing, title="红" * 200, form=maximal_chongqing_form(),
                                name="重" * 200)
    maximal_person = unsaved_work(chongqing, title="岩" * 200, form=maximal_chongqing_form(),
                                  kind="individual", name="赵" * 200, affiliation="校" * 200)
    newlines = unsaved_work(chongqing, title="百行", form={
        **maximal_chongqing_form(), "synopsis": "\n".join("行" for _ in range(150)),
        "team": "\n".join("队" for _ in range(100))})
    typical = unsaved_work(chongqing, title="红岩家书 🎬", name="重庆市示例局", form={
        **CHONGQING_FORM, "team": "导演：赵一 <script>alert(1)</script>\n摄像：钱二 👨‍👩‍👧"})
    script = unsaved_work(hubei, title="光谷里的微光", form={**HUBEI_FORM, "script": LONG_SCRIPT},
                          name="长川市委统战部")
    return {
        "maximal_unit": word.form_document(maximal_unit, registration),
        "maximal_person": word.form_document(maximal_person, registration),
        "newlines": word.form_document(newlines, registration),
        "typical": word.form_document(typical, registration),
        "long_script": word.form_document(script, hubei.rules.document("info_sheet")),
    }


@pytest.fixture(scope="module")
def converted() -> dict[str, bytes]:
    documents = _documents()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(documents, pool.map(pdf.to_pdf, documents.values()), strict=True))
    return results


@pytest.mark.parametrize("name", ["maximal_unit", "maximal_person", "newlines", "typical"])
def test_the_chongqing_registration_prints_on_one_page(converted, name):
    assert pdf.page_count(converted[name]) == 1
    text = pdf.pdf_text(converted[name])
    compact = "".join(text.split())
    for label in CHONGQING_REGISTRATION_LABELS:
        assert "".join(label.split()) in compact, label
    assert "本表格单页打印，不加页。" in compact


def test_maximal_data_is_all_on_the_page(converted):
    compact = "".join(pdf.pdf_text(converted["maximal_person"]).split())
    assert compact.count("岩") >= 200
    assert "W" * 100 in compact  # the link, broken over lines but all there
    assert "个人（姓名）及单位:" + "赵" * 20 in compact.replace("：", ":")


def test_the_hubei_info_sheet_runs_over_pages_and_keeps_every_row(converted):
    result = converted["long_script"]
    assert pdf.page_count(result) > 1
    compact = "".join(pdf.pdf_text(result).split())
    for label in HUBEI_INFO_LABELS:
        assert "".join(label.split()) in compact, label
    assert "第1场" in compact and "第399场" in compact and "剧终。" in compact
    assert "填写说明" in compact


def test_fonts_are_embedded_and_chinese_is_extractable(converted):
    for result in converted.values():
        fonts = pdf.pdf_fonts(result)
        assert fonts and all(font.embedded for font in fonts), fonts
        assert any("CJK" in font.name or "WenQuanYi" in font.name for font in fonts), fonts
    typical = "".join(pdf.pdf_text(converted["typical"]).split())
    assert "“红色光影英雄重庆”党史短视频征集展播活动作品登记表" in typical
    assert "红岩家书" in typical and "<script>alert(1)</script>" in typical  # text, as typed


# ---------------------------------------------------------------- bad input, missing LibreOffice


def test_what_is_not_a_word_document_is_refused():
    with pytest.raises(pdf.PdfError, match="没有可转换的文档"):
        pdf.to_pdf(b"")
    with pytest.raises(pdf.PdfError, match="不是 Word"):
        pdf.to_pdf(b"%PDF-1.4 not a docx")
    with pytest.raises(pdf.PdfError, match="文档过大"):
        pdf.to_pdf(b"PK" + b"\0" * pdf.MAX_DOCX_BYTES)


def test_a_missing_libreoffice_is_said_plainly(monkeypatch):
    monkeypatch.setenv("GUANGYING_SOFFICE", "/nonexistent/soffice")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(pdf, "_CANDIDATES", ())
    assert pdf.find_soffice() is None
    with pytest.raises(pdf.SofficeMissing, match="没有安装 LibreOffice"):
        pdf.to_pdf(b"PK\x03\x04")
    with pytest.raises(pdf.SofficeMissing, match="无法启动 LibreOffice"):
        pdf.to_pdf(b"PK\x03\x04", soffice="/nonexistent/soffice")


def _reads(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # the process ended meanwhile
        return b""


def test_a_conversion_over_its_time_is_killed(tmp_path):
    # A stand-in that never answers, as a hung LibreOffice would not.
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\nsleep 31.7 &\nwait\n")
    script.chmod(0o755)
    started = time.monotonic()
    with pytest.raises(pdf.PdfError, match="超时"):
        pdf.to_pdf(b"PK\x03\x04", soffice=str(script), timeout_s=0.5)
    assert time.monotonic() - started < 10
    time.sleep(0.2)
    assert not [p for p in Path("/proc").glob("[0-9]*/cmdline") if _reads(p) == b"sleep\x0031.7\x00"]


def test_a_failed_conversion_says_so(tmp_path):
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 1\n")
    script.chmod(0o755)
    with pytest.raises(pdf.PdfError, match=r"未能把文档转换为 PDF.*could not be loaded"):
        pdf.to_pdf(b"PK\x03\x04", soffice=str(script))


def test_a_broken_pdf_cannot_be_read():
    with pytest.raises(pdf.PdfError):
        pdf.page_count(b"%PDF-1.4\nnonsense")
    with pytest.raises(pdf.PdfError):
        pdf.page_count(b"")


def test_the_private_font_aliases_include_the_system_configuration(tmp_path):
    path = pdf.fontconfig_file(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert "<family>宋体</family><prefer><family>Noto Serif CJK SC</family>" in text
    assert "/etc/fonts/fonts.conf" in text or os.environ.get("FONTCONFIG_FILE", "") in text
    assert Path(path).parent == tmp_path
