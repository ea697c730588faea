"""Sorting e-mailed files into works, and creating them: real folders, real videos, real SQLite."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from guangying.campaigns.models import Entrant
from guangying.demo.media import make_video, pdf_bytes, png_bytes
from guangying.documents.importing import (
    SCRIPT_WORDS,
    ImportRefused,
    _Slots,
    apply_import,
    name_parts,
    parse_received,
    plan_import,
    pop_episode,
    render_plan,
    same_title,
    scan_folder,
    table,
    width,
)
from guangying.rulesets import load_preset
from guangying.submissions.models import Attachment, Work, WorkHistory, WorkState
from tests.documents.test_reading import filled_chongqing, filled_hubei
from tests.factories import WorkFactory
from tests.submissions.helpers import docx_bytes

HUBEI = load_preset("hubei-2026-weiguang")


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> list[Path]:
    """Small real videos, each different from the others (the import tells files apart by SHA-256)."""
    folder = tmp_path_factory.mktemp("clips")
    return [make_video(folder / f"clip{i}.mp4", seconds=1 + i / 10, width=160, height=90) for i in range(5)]


@pytest.fixture(scope="session")
def mkv(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("mkv") / "clip.mkv", seconds=1, width=160, height=90)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return root


def write(folder: Path, files: dict[str, bytes | Path]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, path)
        else:
            path.write_bytes(content)
    return folder


def stored(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def hubei_mail(clip: Path, title: str = "一封家书", unit: str = "长川市委统战部", **form: str) -> dict:
    return {
        f"{unit}-{title}.mp4": clip,
        f"作品信息表-{title}.docx": filled_hubei(title=title, unit=unit, **form),
        f"承诺书 {title}.pdf": pdf_bytes("stamped " + hashlib.sha256(title.encode()).hexdigest()),
    }


# --------------------------------------------------------------------------
# Names


WORDS = _Slots.of(HUBEI).all_words()
KNOWN = ["长川市委统战部", "明德大学党委统战部"]


@pytest.mark.parametrize(("name", "entrant", "title", "episode"), [
    ("长川市委统战部-一封家书.mp4", "长川市委统战部", "一封家书", None),
    ("长川市委统战部+一封家书（第2集）.mp4", "长川市委统战部", "一封家书", 2),
    ("作品信息表-一封家书.docx", "", "一封家书", None),
    ("承诺书 一封家书.pdf", "", "一封家书", None),
    ("一封家书 文稿.docx", "", "一封家书", None),
    ("一封家书文稿.docx", "", "一封家书", None),
    ("【作品信息表】一封家书.docx", "", "一封家书", None),
    ("中共长川市委统一战线工作部－一封家书．ＭＰ４", "中共长川市委统一战线工作部", "一封家书", None),
    ("长川市委统战部一封家书.mp4", "长川市委统战部", "一封家书", None),
    ("长川市委统占部 - 一封家书 .mp4", "长川市委统占部", "一封家书", None),  # a typo in the unit
    ("一封家书（第二集）.mp4", "", "一封家书", 2),
    ("一封家书 EP03.mp4", "", "一封家书", 3),
    ("《一封家书》.mp4", "", "一封家书", None),
    ("一封家书.mp4", "", "一封家书", None),
])
def test_entrant_title_and_episode_from_file_names(name: str, entrant: str, title: str,
                                                    episode: int | None) -> None:
    parts = name_parts(name, WORDS, KNOWN)
    assert (parts.entrant, parts.title, parts.episode) == (entrant, title, episode)
    assert not parts.entrant_guessed


def test_an_unknown_unit_before_the_separator_is_a_guess() -> None:
    parts = name_parts("示例新单位-一封家书.mp4", WORDS, KNOWN)
    assert (parts.entrant, parts.title, parts.entrant_guessed) == ("示例新单位", "一封家书", True)
    # A space is no separator between unit and title: titles have spaces too.
    assert name_parts("重走 同心路.mp4", WORDS, KNOWN).title == "重走 同心路"


def test_episodes_and_titles_compared_as_units_type_them() -> None:
    assert pop_episode("山城的灯塔(上)") == (1, "山城的灯塔")
    assert pop_episode("山城的灯塔（下）") == (2, "山城的灯塔")
    assert pop_episode("第十二集 山城的灯塔") == (12, "山城的灯塔")
    assert same_title("一封家书", "一封家书 ")
    assert same_title("《一封家书里的同心路》", "一封家书里的同心路")
    assert same_title("一封家书里的同心路", "一封家书里的同心陆")  # one typo in a long title
    assert not same_title("第一课", "第二课")  # too short for a typo to be told from another title
    assert not same_title("一封家书", "一封家书里的同心路")
    assert "文稿" in SCRIPT_WORDS


# --------------------------------------------------------------------------
# Planning and importing


def test_a_complete_hubei_email_becomes_a_submitted_work_of_the_existing_unit(
        hubei, unit, clips, tmp_path, media) -> None:
    folder = write(tmp_path / "mail", hubei_mail(clips[0]))
    received = timezone.now() - timedelta(days=2)
    plan = plan_import(folder, hubei, received=received)
    assert [(w.entrant.existing, w.title, w.state) for w in plan.works] == [
        (unit, "一封家书", WorkState.SUBMITTED)]
    assert plan.unmatched == []
    assert Work.objects.count() == 0 and stored(media) == []  # planning writes nothing

    result = apply_import(plan)
    work = Work.objects.get()
    assert result.created == [work] and result.failed == [] and result.entrants_created == []
    assert (work.entrant, work.title, work.state) == (unit, "一封家书", WorkState.SUBMITTED)
    assert work.submitted_at == received
    assert work.form_data["creators"][0] == {"name": "张小明", "post": "导演", "contact": "13800000001"}
    assert work.form_data["contact_phone"] == "027-12345678"
    assert list(work.history.values_list("action", "to_state")) == [
        ("create", "draft"), ("submit", "submitted")]
    assert "由电子邮件报送" in work.history.last().reason
    files = {a.kind: a for a in work.current_attachments()}
    assert set(files) == {"video", "info_sheet", "copyright_pledge"}
    video = files["video"]
    assert video.episode == work.episodes.get(number=1)
    assert video.sha256 == hashlib.sha256(clips[0].read_bytes()).hexdigest()
    assert video.original_name == "长川市委统战部-一封家书.mp4"
    assert video.detected_format == "mp4" and files["copyright_pledge"].detected_format == "pdf"
    assert len(stored(media)) == 3 and all(p.name != "长川市委统战部-一封家书.mp4" for p in stored(media))


def test_the_forms_unit_name_in_its_long_form_is_the_same_unit(hubei, unit, clips, tmp_path) -> None:
    folder = write(tmp_path / "mail", {
        "中共长川市委统一战线工作部+一封家书.mp4": clips[0],
        "一封家书 信息表.docx": filled_hubei(title="一封家书", unit="中共长川市委统一战线工作部"),
        "一封家书 承诺书.png": png_bytes(),
    })
    plan = plan_import(folder, hubei)
    assert plan.works[0].entrant.existing == unit
    apply_import(plan)
    assert Entrant.objects.filter(campaign=hubei).count() == 1
    assert Work.objects.get().entrant == unit


def test_a_flat_folder_with_two_units_works_sorted_by_title(hubei, unit, other_unit, clips, tmp_path) -> None:
    """Everything saved into one folder: titles and unit names in the file names sort it out."""
    folder = write(tmp_path / "all", {
        "长川市委统战部-一封家苏.mp4": clips[0],  # a typo in the title
        "明德大学党委统战部 - 石榴花开.mp4": clips[1],
        "作品信息表-一封家书.docx": filled_hubei(title="一封家书"),
        "作品信息表-石榴花开.docx": filled_hubei(title="石榴花开", unit="明德大学党委统战部"),
        "承诺书 一封家书.pdf": pdf_bytes("stamped one"),
        "明德大学党委统战部-承诺书-石榴花开.pdf": pdf_bytes("stamped two"),
    })
    plan = plan_import(folder, hubei)
    assert plan.unmatched == []
    sorted_out = {(w.entrant.existing, w.title): (sorted(f.name for f in w.files()), w.state)
                  for w in plan.works}
    assert sorted_out == {
        (unit, "一封家书"): (["作品信息表-一封家书.docx", "承诺书 一封家书.pdf",
                            "长川市委统战部-一封家苏.mp4"], WorkState.SUBMITTED),
        (other_unit, "石榴花开"): (["作品信息表-石榴花开.docx", "明德大学党委统战部 - 石榴花开.mp4",
                                 "明德大学党委统战部-承诺书-石榴花开.pdf"], WorkState.SUBMITTED),
    }


def test_a_unit_new_to_the_campaign_is_created_from_its_form(hubei, clips, tmp_path) -> None:
    folder = write(tmp_path / "mail", hubei_mail(clips[0], unit="青川县委统战部"))
    plan = plan_import(folder, hubei)
    assert plan.works[0].entrant.existing is None
    assert "新建单位" in render_plan(plan)
    result = apply_import(plan)
    entrant = Entrant.objects.get(name="青川县委统战部")
    assert result.entrants_created == [entrant]
    assert (entrant.kind, entrant.contact_name, entrant.contact_phone) == ("unit", "李联络", "027-12345678")


def test_an_individual_and_a_series_in_chongqing(chongqing, clips, tmp_path) -> None:
    def individual(document) -> None:
        from tests.documents.test_reading import cell_right_of, replace, type_after

        replace(cell_right_of(document, "参赛主体"), "单位（名称）:")
        type_after(cell_right_of(document, "参赛主体", row_offset=1), "赵书航（山城示范中学）")

    from tests.documents.test_reading import fill

    form = fill(filled_chongqing(title="山城的灯塔", unit=""), individual)
    folder = write(tmp_path / "mail", {
        "赵书航+山城的灯塔（第2集）.mp4": clips[1],
        "赵书航+山城的灯塔（第1集）.mp4": clips[0],
        "作品登记表 山城的灯塔.docx": form,
        "版权承诺书 山城的灯塔.jpg": b"\xff\xd8\xff\xe0" + b"\0" * 100 + b"\xff\xd9",
        "山城的灯塔 最终视频文稿.txt": "解说：一百年前……".encode(),
    })
    plan = plan_import(folder, chongqing)
    planned = plan.works[0]
    assert (planned.entrant.kind, planned.entrant.name, planned.entrant.unit) == (
        "individual", "赵书航", "山城示范中学")
    apply_import(plan)
    work = Work.objects.get()
    assert work.entrant.kind == Entrant.Kind.INDIVIDUAL and work.entrant.affiliation == "山城示范中学"
    assert work.state == WorkState.SUBMITTED
    by_episode = {a.episode.number: a.original_name for a in work.attachments.filter(kind="video")}
    assert by_episode == {1: "赵书航+山城的灯塔（第1集）.mp4", 2: "赵书航+山城的灯塔（第2集）.mp4"}
    assert set(work.current_attachments().values_list("kind", flat=True)) == {
        "video", "registration_form", "copyright_pledge", "final_script"}


def test_an_incomplete_work_comes_in_as_a_draft_with_what_is_missing(hubei, unit, clips, tmp_path) -> None:
    mail = hubei_mail(clips[0], synopsis="讲述光谷故事。" * 40)
    del mail["承诺书 一封家书.pdf"]
    plan = plan_import(write(tmp_path / "mail", mail), hubei)
    work = plan.works[0]
    assert work.state == WorkState.DRAFT
    assert "版权承诺书" in work.missing
    assert any("作品简介" in m for m in work.missing)  # over its limit: read whole, reported, not cut
    shown = render_plan(plan)
    assert "缺：" in shown and "导入为草稿" in shown and "超过 200 字的限制" in shown
    apply_import(plan)
    assert Work.objects.get().state == WorkState.DRAFT
    assert Work.objects.get().form_data["synopsis"] == "讲述光谷故事。" * 40


def test_a_hubei_script_file_fills_the_forms_script_row(hubei, unit, clips, tmp_path) -> None:
    mail = hubei_mail(clips[0], script="")
    mail["一封家书 脚本.docx"] = docx_bytes("第一场：清晨的江面。\n第二场：老屋。")
    plan = plan_import(write(tmp_path / "mail", mail), hubei)
    assert plan.works[0].form_data["script"] == "第一场：清晨的江面。\n第二场：老屋。"
    assert plan.works[0].state == WorkState.SUBMITTED


def test_works_over_the_quota_are_reported_not_created(hubei, unit, clips, tmp_path) -> None:
    for number in range(7):
        WorkFactory(entrant=unit, title=f"已有作品{number}")
    folder = tmp_path / "box"
    write(folder / "mail1", hubei_mail(clips[0], title="一封家书"))
    write(folder / "mail2", hubei_mail(clips[1], title="老街上的统战记忆"))
    plan = plan_import(folder, hubei)
    refused = [w for w in plan.works if w.refused]
    assert len(plan.to_create) == 1 and len(refused) == 1
    assert "超出报送数量上限：每个报送主体最多 8 件作品" in refused[0].refused
    assert "不导入：超出报送数量上限" in render_plan(plan)
    apply_import(plan)
    assert Work.objects.filter(entrant=unit).count() == 8


def test_a_mail_received_after_the_deadline_is_not_imported(hubei, unit, clips, tmp_path) -> None:
    folder = write(tmp_path / "mail", hubei_mail(clips[0]))
    late = hubei.submission_closes_at + timedelta(minutes=1)
    plan = plan_import(folder, hubei, received=late)
    assert plan.to_create == []
    assert "晚于报送截止时间" in plan.works[0].refused
    on_time = parse_received(hubei.submission_closes_at.astimezone(hubei.rules.zone).strftime("%Y-%m-%d"),
                             hubei)
    assert plan_import(folder, hubei, received=on_time).to_create
    with pytest.raises(ImportRefused, match="格式不对"):
        parse_received("11月20日", hubei)


def test_running_twice_imports_nothing_twice(hubei, unit, clips, tmp_path, media) -> None:
    folder = write(tmp_path / "mail", hubei_mail(clips[0]))
    apply_import(plan_import(folder, hubei))
    files = stored(media)
    again = plan_import(folder, hubei)
    assert again.to_create == []
    assert again.works[0].existing == Work.objects.get()
    assert "已存在（已提交），跳过" in render_plan(again)
    result = apply_import(again)
    assert result.created == [] and len(result.skipped) == 1
    assert Work.objects.count() == 1 and Attachment.objects.count() == 3 and stored(media) == files


def test_a_new_file_for_a_work_already_there_is_listed_not_added(hubei, unit, clips, tmp_path) -> None:
    folder = write(tmp_path / "mail", hubei_mail(clips[0]))
    apply_import(plan_import(folder, hubei))
    (folder / "承诺书 一封家书.pdf").write_bytes(pdf_bytes("stamped again"))
    plan = plan_import(folder, hubei)
    reasons = {u.shown: u.reason for u in plan.unmatched}
    assert "已在平台上" in reasons["承诺书 一封家书.pdf"]
    assert Attachment.objects.filter(kind="copyright_pledge").count() == 1


def test_a_file_already_stored_for_another_work_is_not_stored_again(hubei, unit, clips, tmp_path) -> None:
    apply_import(plan_import(write(tmp_path / "one", hubei_mail(clips[0])), hubei))
    plan = plan_import(write(tmp_path / "two", hubei_mail(clips[0], title="老街上的统战记忆")), hubei)
    reasons = {u.shown: u.reason for u in plan.unmatched}
    assert reasons["长川市委统战部-老街上的统战记忆.mp4"] == "已导入过（与作品「一封家书」中的文件内容相同）"
    assert plan.works[0].videos == [] and plan.works[0].state == WorkState.DRAFT


def test_the_same_plan_confirmed_twice_at_once_creates_each_work_once(hubei, unit, clips, tmp_path) -> None:
    folder = write(tmp_path / "mail", hubei_mail(clips[0]))
    first, second = plan_import(folder, hubei), plan_import(folder, hubei)
    assert len(apply_import(first).created) == 1
    result = apply_import(second)
    assert result.created == [] and len(result.skipped) == 1 and result.failed == []
    assert Work.objects.count() == 1


def test_a_failure_in_one_work_keeps_the_others(hubei, unit, clips, tmp_path, media) -> None:
    folder = tmp_path / "box"
    write(folder / "mail1", hubei_mail(clips[0], title="一封家书"))
    write(folder / "mail2", hubei_mail(clips[1], title="老街上的统战记忆"))
    write(folder / "mail3", hubei_mail(clips[2], title="光谷里的党外专家"))
    plan = plan_import(folder, hubei)
    assert len(plan.to_create) == 3
    (folder / "mail2" / "长川市委统战部-老街上的统战记忆.mp4").unlink()  # gone between preview and import
    (folder / "mail3" / "承诺书 光谷里的党外专家.pdf").write_bytes(pdf_bytes("changed after the preview"))
    result = apply_import(plan)
    assert sorted(w.title for w in result.created) == ["一封家书"]
    failed = dict((w.title, message) for w, message in result.failed)
    assert set(failed) == {"老街上的统战记忆", "光谷里的党外专家"}
    assert "预演之后被改动过" in failed["光谷里的党外专家"]
    assert list(Work.objects.values_list("title", flat=True)) == ["一封家书"]
    assert len(stored(media)) == Attachment.objects.count() == 3  # nothing left behind by the failures
    assert WorkHistory.objects.count() == 2


# --------------------------------------------------------------------------
# Files that fit nowhere, and hostile ones


def test_files_that_fit_nowhere_are_listed_with_the_reason(hubei, unit, clips, mkv, tmp_path) -> None:
    mail = hubei_mail(clips[0])
    mail.update({
        "作品信息表-一封家书（扫描）.pdf": pdf_bytes("a scan of the form"),
        "作品信息表-老街.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "承诺书-老街.docx": docx_bytes("版权承诺书"),
        "长川市委统战部-老街.mkv": mkv,
        "附件.zip": b"PK\x05\x06" + b"\0" * 18,
        "说明.txt": b"",
        "合影.jpg": b"\xff\xd8\xff\xe0" + b"\0" * 100 + b"\xff\xd9",
    })
    plan = plan_import(write(tmp_path / "mail", mail), hubei)
    reasons = {u.shown: u.reason for u in plan.unmatched}
    assert "须为 Word（.docx）文件才能读出表中内容" in reasons["作品信息表-一封家书（扫描）.pdf"]
    assert "另存为 .docx" in reasons["作品信息表-老街.doc"]
    assert reasons["承诺书-老街.docx"] == "「版权承诺书」须为 PDF、JPG、PNG，此文件是 Word（.docx）"
    assert reasons["长川市委统战部-老街.mkv"] == "视频格式为 MKV，本活动只接受 MP4"
    assert "压缩包" in reasons["附件.zip"]
    assert reasons["说明.txt"] == "空文件（0 字节）"
    # A photo without a word in its name, in an e-mail that already has its pledge.
    assert "无法判断是哪份材料" in reasons["合影.jpg"]
    assert plan.works[0].state == WorkState.SUBMITTED  # the rest of the e-mail is unaffected
    shown = render_plan(plan)
    assert "未能归入作品的文件（7 个）" in shown


def test_the_only_scan_of_a_one_work_email_is_its_pledge(hubei, unit, clips, tmp_path) -> None:
    mail = hubei_mail(clips[0])
    del mail["承诺书 一封家书.pdf"]
    mail["扫描件001.jpg"] = b"\xff\xd8\xff\xe0" + b"\0" * 100 + b"\xff\xd9"
    plan = plan_import(write(tmp_path / "mail", mail), hubei)
    pledge = plan.works[0].documents["copyright_pledge"]
    assert pledge.name == "扫描件001.jpg" and "唯一的扫描件" in pledge.note


def test_two_forms_for_one_work_and_the_same_file_twice(hubei, unit, clips, tmp_path) -> None:
    mail = hubei_mail(clips[0])
    mail["作品信息表-一封家书（修改）.docx"] = filled_hubei(title="一封家书", synopsis="改过的简介。")
    mail["长川市委统战部-一封家书(1).mp4"] = clips[0]
    plan = plan_import(write(tmp_path / "mail", mail), hubei)
    reasons = {u.shown: u.reason for u in plan.unmatched}
    assert reasons["作品信息表-一封家书（修改）.docx"].startswith("作品「一封家书」已有一份作品信息表")
    assert reasons["长川市委统战部-一封家书.mp4"].startswith("与「长川市委统战部-一封家书(1).mp4」内容相同")
    assert len(plan.works) == 1


def test_a_work_whose_entrant_cannot_be_told(hubei, clips, tmp_path) -> None:
    plan = plan_import(write(tmp_path / "mail", {"一封家书.mp4": clips[0]}), hubei)
    assert plan.to_create == [] and "无法确定报送主体" in plan.works[0].refused


def test_hostile_names_and_links_in_the_folder_are_refused(hubei, unit, clips, tmp_path) -> None:
    folder = write(tmp_path / "mail", hubei_mail(clips[0]))
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(pdf_bytes("not for import"))
    (folder / "承诺书-外链.pdf").symlink_to(outside)
    (folder / "视频-内链.mp4").symlink_to(folder / "长川市委统战部-一封家书.mp4")
    (folder / "linked-folder").symlink_to(tmp_path, target_is_directory=True)
    (folder / "..\\..\\etc\\长川市委统战部-一封家书.mp4").write_bytes(clips[1].read_bytes())
    (folder / "长川市委统战部-一封家书\u202e4pm.exe").write_bytes(b"MZ")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (folder / "~$作品信息表-一封家书.docx").write_bytes(b"\x0bowner")
    os.mkfifo(folder / "管道.mp4")
    not_utf8 = os.fsdecode("一封家书".encode("gb18030") + b".mp4")
    (folder / not_utf8).write_bytes(clips[2].read_bytes())
    files, unmatched = scan_folder(folder)
    reasons = {u.shown: u.reason for u in unmatched}
    assert "导入文件夹以外" in reasons["承诺书-外链.pdf"]
    assert "符号链接" in reasons["视频-内链.mp4"] and "已跳过" in reasons["视频-内链.mp4"]
    assert "导入文件夹以外" in reasons["linked-folder"]
    assert "路径分隔符" in reasons["..\\..\\etc\\长川市委统战部-一封家书.mp4"]
    assert "控制字符" in reasons["长川市委统战部-一封家书\u202e4pm.exe"]
    assert "隐藏文件" in reasons[".DS_Store"] and "隐藏文件" in reasons["~$作品信息表-一封家书.docx"]
    assert "不是普通文件" in reasons["管道.mp4"]
    assert "不是 UTF-8 编码" in reasons[not_utf8]
    assert sorted(f.name for f in files) == sorted(hubei_mail(clips[0]))
    plan = plan_import(folder, hubei)
    assert [w.title for w in plan.to_create] == ["一封家书"]
    apply_import(plan)
    assert Attachment.objects.filter(kind="copyright_pledge").get().original_name == "承诺书 一封家书.pdf"


def test_an_unpublished_campaign_takes_works_as_drafts(hubei, unit, clips, tmp_path) -> None:
    hubei.is_published = False
    hubei.save()
    plan = plan_import(write(tmp_path / "mail", hubei_mail(clips[0])), hubei)
    assert plan.works[0].state == WorkState.DRAFT and "活动尚未发布，暂不能提交" in plan.works[0].missing


def test_an_empty_folder_and_one_that_is_not_there(hubei, tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    plan = plan_import(tmp_path / "empty", hubei)
    assert plan.works == [] and plan.unmatched == []
    assert "没有找到可以导入的作品" in render_plan(plan)
    with pytest.raises(ImportRefused, match="文件夹不存在"):
        plan_import(tmp_path / "nowhere", hubei)
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(ImportRefused, match="不是文件夹"):
        plan_import(tmp_path / "a-file", hubei)


def test_the_preview_table_is_aligned_by_display_width() -> None:
    lines = table(["#", "报送主体", "作品名称"], [
        ["1", "长川市委统战部", "一封家书"],
        ["12", "Mingde University", "Light（光）"],
    ])
    header, rule, *rows = lines
    starts = [width(header[: header.index("作品名称")])]
    starts += [width(row[: row.index(title)]) for row, title in zip(rows, ["一封家书", "Light（光）"],
                                                                     strict=True)]
    assert len(set(starts)) == 1
    assert width(rule) >= width(max(lines, key=width)) - 1
    assert width("长川") == 4 and width("ab") == 2


def test_dates_in_the_preview_are_beijing_time(hubei, tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    moment = datetime(2026, 7, 20, 1, 30, tzinfo=timezone.get_fixed_timezone(0))
    assert "2026年7月20日 09:30" in render_plan(plan_import(tmp_path / "empty", hubei, received=moment))
