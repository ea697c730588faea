"""A demo mailbox: two e-mails' worth of submissions for the Chongqing campaign, as units send them.

The notice asks for everything 「统一打包发送至电子邮箱」; this is what an
organiser finds after saving the attachments of two such e-mails, one folder
each: videos named by the notice's convention (with the usual variations), the
作品登记表 filled in Word in the notice's own table, a scanned pledge, a
script, and the 汇总表 that the platform makes itself. ``import-folder`` reads
it. Every name, unit and number in it is invented.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from guangying.demo.media import make_video, pdf_bytes, png_bytes

CAMPAIGN_SLUG = "chongqing-2026"


def _box(paragraph, ticked: bool) -> None:
    """The notice's box, drawn with the Wingdings font as Word's Insert ▸ Symbol does."""
    run = paragraph.add_run()
    symbol = OxmlElement("w:sym")
    symbol.set(qn("w:font"), "Wingdings")
    symbol.set(qn("w:char"), "F0FE" if ticked else "F0A8")
    run._r.append(symbol)


def _cell_lines(cell, *lines: str) -> None:
    cell.text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def registration_form(*, title: str, duration: str, unit: str = "", person: str = "", aired: bool = False,
                      place: str = "", contact: str, phone: str, team: str, synopsis: str) -> bytes:
    """附件1 作品登记表 as a unit fills it: the notice's table, typed into in Word."""
    document = docx.Document()
    for line in ("附件1", "“红色光影 英雄重庆”党史短视频", "征集展播活动作品登记表"):
        document.add_paragraph(line)
    table = document.add_table(rows=7, cols=4)
    table.style = "Table Grid"
    _cell_lines(table.cell(0, 0), "作品名称")
    _cell_lines(table.cell(0, 1), title)
    _cell_lines(table.cell(0, 2), "作品时长")
    _cell_lines(table.cell(0, 3), duration)
    table.cell(1, 0).merge(table.cell(2, 0)).text = "参赛主体"
    table.cell(1, 1).merge(table.cell(1, 3)).text = f"单位（名称）: {unit}"
    table.cell(2, 1).merge(table.cell(2, 3)).text = f"个人（姓名）及单位: {person}"
    table.cell(3, 0).text = "播出情况"
    boxes = table.cell(3, 1)
    _box(boxes.paragraphs[0], aired)
    boxes.paragraphs[0].add_run("已播出")
    second = boxes.add_paragraph()
    _box(second, not aired)
    second.add_run("未播出")
    _cell_lines(table.cell(3, 2), "播出平台", "及链接")
    if place:
        _cell_lines(table.cell(3, 3), *place.split("\n"))
    table.cell(4, 0).text = "联系人"
    table.cell(4, 1).text = contact
    table.cell(4, 2).text = "联系电话"
    table.cell(4, 3).text = phone
    table.cell(5, 0).text = "作品创作团队情况（100字以内）"
    table.cell(5, 1).merge(table.cell(5, 3)).text = team
    _cell_lines(table.cell(6, 0), "作品简介", "（150字以内）")
    table.cell(6, 1).merge(table.cell(6, 3)).text = synopsis
    document.add_paragraph("本表格单页打印，不加页。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _script(title: str, lines: list[str]) -> bytes:
    document = docx.Document()
    document.add_paragraph(f"《{title}》视频文稿")
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _summary_sheet() -> bytes:
    document = docx.Document()
    document.add_paragraph("附件3 征集展播活动作品汇总表")
    table = document.add_table(rows=2, cols=6)
    for index, label in enumerate(("序号", "作品名称", "时长", "作者", "单位", "播出情况")):
        table.cell(0, index).text = label
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_mailbox(folder: Path, *, width: int = 1920, height: int = 1080) -> Path:
    """Write the demo mailbox under ``folder`` (replacing an earlier one) and return it.

    Each video is made on the spot and differs from the others: the same file
    sent twice would, rightly, be imported once.
    """
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    first = folder / "2026-11-18 两江示范学院 报送作品"
    second = folder / "2026-11-20 钱晓雨 投稿"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as scratch:
        videos = [make_video(Path(scratch) / f"{index}.mp4", seconds=seconds, width=width, height=height)
                  for index, seconds in enumerate((2.2, 2.6, 3.0))]  # none the same as the demo's own
        # A series from a unit already in the campaign: two episodes, full-width brackets and all.
        for number in (1, 2):
            shutil.copyfile(videos[number - 1], first / f"两江示范学院+山城的灯塔（第{number}集）.mp4")
        (first / "作品登记表-山城的灯塔.docx").write_bytes(registration_form(
            title="山城的灯塔", duration="第1集4分30秒；第2集4分10秒", unit="两江示范学院",
            contact="周子涵", phone="138 0000 1201",
            team="导演：王志刚（两江示范学院）；摄像：林晓婷；后期：马俊杰。",
            synopsis="系列微纪录片，讲述江边灯塔守护人与重庆地方党组织百年历史的故事。",
        ))
        (first / "承诺书 山城的灯塔.pdf").write_bytes(pdf_bytes("Copyright commitment (demo, stamped)"))
        (first / "山城的灯塔 文稿.docx").write_bytes(_script("山城的灯塔", [
            "（画面：清晨的江面）", "解说：一百年前，江边亮起了第一盏灯……"]))
        (first / "作品汇总表.docx").write_bytes(_summary_sheet())
        # An individual new to the campaign, with the unit the notice asks individuals to name.
        shutil.copyfile(videos[2], second / "钱晓雨 + 朝天门的早晨.mp4")
        (second / "登记表（朝天门的早晨）.docx").write_bytes(registration_form(
            title="《朝天门的早晨》", duration="4′30″", person="钱晓雨，朝天门示范小学", aired=True,
            place="示例视频平台\nhttps://video.example.org/watch/2026", contact="钱晓雨",
            phone="13800001299", team="编导、摄像、后期：钱晓雨（朝天门示范小学）。",
            synopsis="一位小学教师用镜头记录朝天门码头的清晨，讲述身边党员的故事。",
        ))
        (second / "版权承诺书-朝天门的早晨.png").write_bytes(png_bytes(240, 320, (250, 250, 245)))
        script = "（画面：码头的台阶）\n旁白：天还没亮，码头已经醒了。\n"
        (second / "朝天门的早晨-文稿.txt").write_text(script, encoding="utf-8")
    return folder
