"""`import-folder` as the organiser runs it: a dry run, then --yes, then again."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from guangying.__main__ import _command_name
from guangying.campaigns.models import Campaign, Entrant
from guangying.demo.media import make_video, pdf_bytes
from guangying.submissions.models import Attachment, Inspection, Work, WorkHistory, WorkState
from tests.documents.test_reading import filled_hubei
from tests.factories import EntrantFactory, UserFactory


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("folder-clips")
    return [make_video(folder / f"clip{i}.mp4", seconds=1 + i / 10, width=160, height=90) for i in range(3)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    # The checks are queued, not run: these tests are about what is queued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return root


def mailbox(root: Path, clips: list[Path]) -> Path:
    """Two e-mails to the Hubei campaign, one per sub-folder, and a stray file in each."""
    first = root / "来信1 长川市委统战部"
    second = root / "来信2"
    for folder in (first, second):
        folder.mkdir(parents=True)
    (first / "长川市委统战部-一封家书.mp4").write_bytes(clips[0].read_bytes())
    (first / "作品信息表-一封家书.docx").write_bytes(filled_hubei(title="一封家书"))
    (first / "承诺书 一封家书.pdf").write_bytes(pdf_bytes("stamped 1"))
    (first / "邮件正文.txt").write_text("", encoding="utf-8")
    (second / "青川县委统战部+老街上的统战记忆.mp4").write_bytes(clips[1].read_bytes())
    (second / "作品信息表（老街上的统战记忆）.docx").write_bytes(filled_hubei(
        title="老街上的统战记忆", unit="青川县委统战部", contact="联系人: 赵联络 联系电话: 0710-1234567"))
    (second / "作品汇总.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    return root


def run(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("import_folder", *args, stdout=out, **options)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return (Work.objects.count(), Entrant.objects.count(), Attachment.objects.count(),
            Inspection.objects.count(), WorkHistory.objects.count())


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_dry_run_shows_the_plan_and_writes_nothing(hubei, unit, clips, tmp_path, media) -> None:
    box = mailbox(tmp_path / "box", clips)
    before = counts()
    out = run(str(box), "--campaign", "hubei")
    assert counts() == before and files_in(media) == []
    assert "导入预览：“微光映同心”微视频专题宣传活动" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("#  报送主体"))
    assert "作品信息表" in header and "版权承诺书" in header and "导入后" in header
    assert any(line.startswith("1  长川市委统战部") and "已提交" in line for line in lines)
    assert any(line.startswith("2  青川县委统战部") and "草稿" in line for line in lines)
    assert "[2] 青川县委统战部（新建单位） ·《老街上的统战记忆》" in out
    assert "缺：版权承诺书 → 导入为草稿" in out
    assert "未能归入作品的文件（2 个）" in out
    assert "来信1 长川市委统战部/邮件正文.txt" in out and "空文件（0 字节）" in out
    assert "来信2/作品汇总.xlsx" in out
    assert "将新建 2 件作品（其中已提交 1 件、草稿 1 件）、1 个报送主体" in out
    assert out.rstrip().endswith("这是预演，没有写入任何内容。确认无误后加 --yes 执行导入。")
    assert "这是预演" in run(str(box), "--campaign", "hubei", "--dry-run", "--yes")
    assert counts() == before


def test_yes_imports_the_works_and_queues_their_checks(hubei, unit, clips, tmp_path, media,
                                                      django_capture_on_commit_callbacks) -> None:
    box = mailbox(tmp_path / "box", clips)
    organiser = UserFactory(email="organiser@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        out = run(str(box), "--campaign", "hubei", "--yes", "--user", "organiser@example.org",
                  "--received", "2026-07-20 18:30")
    assert "已导入：长川市委统战部 ·《一封家书》（已提交）" in out
    assert "已导入：青川县委统战部 ·《老街上的统战记忆》（草稿）" in out
    assert "共导入 2 件作品，新建 1 个报送主体；0 件失败" in out
    first = Work.objects.get(title="一封家书")
    assert first.entrant == unit and first.state == WorkState.SUBMITTED and first.created_by == organiser
    assert first.submitted_at.isoformat() == "2026-07-20T10:30:00+00:00"
    second = Work.objects.get(title="老街上的统战记忆")
    assert second.state == WorkState.DRAFT
    assert (second.entrant.name, second.entrant.contact_phone) == ("青川县委统战部", "0710-1234567")
    for work, clip in ((first, clips[0]), (second, clips[1])):
        video = work.attachments.get(kind="video")
        assert video.sha256 == hashlib.sha256(clip.read_bytes()).hexdigest()
        # Checked as any upload is: the quick check at once, the full check queued for the worker.
        modes = dict(video.inspections.values_list("mode", "status"))
        assert modes == {Inspection.Mode.METADATA: Inspection.Status.DONE,
                         Inspection.Mode.FULL: Inspection.Status.QUEUED}
    assert len(files_in(media)) == Attachment.objects.count() == 5


def test_a_second_run_imports_nothing(hubei, unit, clips, tmp_path, media) -> None:
    box = mailbox(tmp_path / "box", clips)
    run(str(box), "--campaign", "hubei", "--yes")
    before, stored = counts(), files_in(media)
    out = run(str(box), "--campaign", "hubei", "--yes")
    assert counts() == before and files_in(media) == stored
    assert out.count("已存在（") == 2 and "跳过" in out
    assert "平台上已有这件作品（状态：已提交），不重复导入，也不改动。" in out
    assert "没有需要导入的作品，未写入任何内容。" in out


def test_the_campaign_by_its_number_and_at_a_terminal(hubei, unit, clips, tmp_path) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    box = mailbox(tmp_path / "box", clips)
    out = run(str(box), "--campaign", str(hubei.pk), stdin=Terminal("n\n"))
    assert "确认导入？[y/N] 已取消，没有写入任何内容。" in out
    assert Work.objects.count() == 0
    out = run(str(box), "--campaign", str(hubei.pk), stdin=Terminal("y\n"))
    assert Work.objects.count() == 2 and "共导入 2 件作品" in out


def test_what_stops_the_import_before_it_starts(hubei, tmp_path) -> None:
    with pytest.raises(CommandError, match="文件夹不存在"):
        run(str(tmp_path / "nowhere"), "--campaign", "hubei")
    (tmp_path / "file.mp4").write_bytes(b"\0")
    with pytest.raises(CommandError, match="不是文件夹"):
        run(str(tmp_path / "file.mp4"), "--campaign", "hubei")
    with pytest.raises(CommandError, match=r"没有找到活动「no-such」.*现有活动：hubei"):
        run(str(tmp_path), "--campaign", "no-such")
    with pytest.raises(CommandError, match="没有找到活动「999」"):
        run(str(tmp_path), "--campaign", "999")
    with pytest.raises(CommandError, match=r"没有电子邮箱为「nobody@example\.org」的用户"):
        run(str(tmp_path), "--campaign", "hubei", "--user", "nobody@example.org")
    with pytest.raises(CommandError, match="收到时间「昨天」格式不对"):
        run(str(tmp_path), "--campaign", "hubei", "--received", "昨天")
    (tmp_path / "empty").mkdir()
    out = run(str(tmp_path / "empty"), "--campaign", "hubei", "--yes")
    assert "没有找到可以导入的作品。" in out and "没有需要导入的作品，未写入任何内容。" in out


def test_late_mail_and_hostile_files_are_listed_and_left_out(hubei, unit, clips, tmp_path) -> None:
    box = mailbox(tmp_path / "box", clips)
    (tmp_path / "outside.mp4").write_bytes(clips[2].read_bytes())
    os.symlink(tmp_path / "outside.mp4", box / "来信2" / "长川市委统战部-外链.mp4")
    (box / "来信2" / "..\\..\\长川市委统战部-越界.mp4").write_bytes(clips[2].read_bytes())
    late = hubei.submission_closes_at.astimezone(hubei.rules.zone).date().replace(year=2099).isoformat()
    out = run(str(box), "--campaign", "hubei", "--yes", "--received", late)
    assert "符号链接，指向导入文件夹以外的位置，已拒绝" in out
    assert "文件名含路径分隔符" in out
    assert out.count("不导入：收到时间") == 2
    assert Work.objects.count() == 0


def test_a_failed_work_makes_the_command_fail_after_the_others_are_in(hubei, unit, clips, tmp_path,
                                                                       monkeypatch) -> None:
    from guangying.documents import importing

    box = mailbox(tmp_path / "box", clips)
    real = importing._store

    def failing(work, item, rules, user, episode):
        if "老街" in item.name:
            raise OSError(5, "磁盘读取错误")
        return real(work, item, rules, user, episode)

    monkeypatch.setattr(importing, "_store", failing)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 件作品导入失败"):
        call_command("import_folder", str(box), "--campaign", "hubei", "--yes", stdout=out)
    assert "导入失败：《老街上的统战记忆》：磁盘读取错误（其他作品不受影响）" in out.getvalue()
    assert list(Work.objects.values_list("title", flat=True)) == ["一封家书"]
    assert not Entrant.objects.filter(name="青川县委统战部").exists()  # rolled back with its work


def test_the_hyphenated_name_works_from_the_command_line(tmp_path) -> None:
    assert _command_name(["import-folder", "x", "--campaign", "a-b"]) == ["import_folder", "x", "--campaign",
                                                                          "a-b"]
    assert _command_name(["--help"]) == ["--help"] and _command_name([]) == []
    env = {**os.environ, "GUANGYING_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "guangying.settings"}
    done = subprocess.run([sys.executable, "-m", "guangying", "import-folder", "--help"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--campaign" in done.stdout and "--yes" in done.stdout


def test_the_demo_mailbox_imports_into_the_demo_campaign(db, settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    folder = tmp_path / "data" / "mailbox"
    assert f"import-folder {folder} --campaign chongqing-2026" in out.getvalue()
    assert len(list(folder.iterdir())) == 2  # two e-mails
    campaign = Campaign.objects.get(slug="chongqing-2026")
    before = campaign.works.count()
    result = run(str(folder), "--campaign", "chongqing-2026", "--yes")
    assert "共导入 2 件作品，新建 1 个报送主体；0 件失败" in result
    lighthouse = campaign.works.get(title="山城的灯塔")
    assert lighthouse.entrant.name == "两江示范学院" and lighthouse.episodes.count() == 2
    assert lighthouse.state == WorkState.SUBMITTED
    morning = campaign.works.get(title="朝天门的早晨")
    assert (morning.entrant.kind, morning.entrant.affiliation) == ("individual", "朝天门示范小学")
    assert morning.form_data["broadcast"] == {"status": "aired", "platform": "示例视频平台",
                                              "link": "https://video.example.org/watch/2026"}
    assert campaign.works.count() == before + 2
    # Seeding again keeps the mailbox as it is, and importing it again adds nothing.
    call_command("seed_demo", stdout=io.StringIO())
    assert "没有需要导入的作品" in run(str(folder), "--campaign", "chongqing-2026", "--yes")


def test_an_existing_entrant_of_another_kind_is_not_taken_for_a_unit(chongqing, clips, tmp_path) -> None:
    EntrantFactory(campaign=chongqing, kind=Entrant.Kind.INDIVIDUAL, name="两江示范学院",
                   affiliation="某单位")
    box = tmp_path / "box"
    box.mkdir()
    (box / "两江示范学院+一封家书.mp4").write_bytes(clips[0].read_bytes())
    from tests.documents.test_reading import filled_chongqing

    (box / "作品登记表-一封家书.docx").write_bytes(filled_chongqing())
    out = run(str(box), "--campaign", "chongqing", "--yes")
    assert "新建 1 个报送主体" in out
    assert Entrant.objects.get(kind="unit").name == "两江示范学院"
