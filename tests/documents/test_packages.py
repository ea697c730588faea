"""An entrant's package: current videos renamed by the campaign's template, forms, scans, a manifest.

Real uploads into real storage (local disk, and S3 through moto's server),
real Word documents from ``word``; each package is opened again with zipfile.
"""

import csv
import hashlib
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from django.utils import timezone

from guangying.campaigns.models import Entrant
from guangying.demo.media import make_video, pdf_bytes, png_bytes
from guangying.documents import word
from guangying.documents.naming import MAX_PATH_BYTES, utf8_len
from guangying.documents.packages import MANIFEST_NAME, entrant_package, package_file_name
from guangying.submissions.checking import promote
from guangying.submissions.models import CloudLink, Episode, WorkState
from tests.factories import EntrantFactory, UserFactory, WorkFactory, member_of
from tests.submissions.helpers import complete_form, docx_bytes, upload


@pytest.fixture(scope="session", name="clips")
def clips_fixture(tmp_path_factory) -> dict[str, bytes]:
    """Two different one-second videos, so that a replaced video is told from the current one."""
    folder = tmp_path_factory.mktemp("package-videos")
    return {
        "first": make_video(folder / "first.mp4", seconds=1).read_bytes(),
        "second": make_video(folder / "second.mp4", seconds=2).read_bytes(),
        "large": make_video(folder / "large.mp4", seconds=4, width=640, height=360).read_bytes(),
    }


@pytest.fixture(autouse=True, name="media_root")
def media_root_fixture(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def open_package(package) -> tuple[zipfile.ZipFile, bytes]:
    data = b"".join(package)
    assert package.size == len(data), "the announced length is the archive's"
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive, data


def manifest(archive: zipfile.ZipFile, root: str) -> list[dict[str, str]]:
    text = archive.read(f"{root}/{MANIFEST_NAME}").decode("utf-8")
    assert text.startswith("\ufeff"), "Excel on Chinese Windows needs the byte-order mark"
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture(name="hubei_work")
def hubei_work_fixture(work, member, clips):
    complete_form(work)
    upload(work, "video", "我的视频 final.MP4", clips["first"], member, episode=work.episodes.first())
    upload(work, "copyright_pledge", "扫描件001.pdf", pdf_bytes("stamped pledge"), member)
    return work


def test_a_hubei_units_package_holds_the_renamed_video_the_forms_and_the_scan(unit, hubei_work, clips):
    archive, _ = open_package(entrant_package(unit))
    names = archive.namelist()
    root = "长川市委统战部"
    assert all(name.startswith(root + "/") for name in names)
    video = f"{root}/一封家书/长川市委统战部-一封家书.mp4"  # 「报送单位-作品名称」, the preset's template
    assert archive.read(video) == clips["first"]
    assert archive.getinfo(video).compress_type == zipfile.ZIP_STORED
    pledge = f"{root}/一封家书/版权承诺书.pdf"
    assert archive.read(pledge) == pdf_bytes("stamped pledge")
    assert archive.getinfo(pledge).compress_type == zipfile.ZIP_DEFLATED
    generated = word.work_documents(hubei_work)
    assert generated, "Hubei has a 作品信息表 and a pledge to print"
    for document in generated:
        path = next(n for n in names if n.startswith(f"{root}/一封家书/") and n.endswith(document.file_name))
        content = archive.read(path)
        assert docx.Document(io.BytesIO(content)).paragraphs is not None
    rows = {row["包内文件"]: row for row in manifest(archive, root)}
    assert set(rows) == set(names) - {f"{root}/{MANIFEST_NAME}"}
    assert rows[video]["原文件名"] == "我的视频 final.MP4"
    assert rows[video]["大小（字节）"] == str(len(clips["first"]))
    assert rows[video]["SHA-256"] == hashlib.sha256(clips["first"]).hexdigest()
    assert rows[pledge]["原文件名"] == "扫描件001.pdf" and rows[pledge]["材料"] == "版权承诺书"
    for path, row in rows.items():
        assert row["SHA-256"] == hashlib.sha256(archive.read(path)).hexdigest()


def test_the_package_is_named_after_the_campaign_and_the_entrant(unit):
    assert package_file_name(unit) == "微光映同心-长川市委统战部-材料包.zip"


@pytest.fixture
def individual(chongqing):
    person = EntrantFactory(campaign=chongqing, kind=Entrant.Kind.INDIVIDUAL, name="李四",
                            affiliation="示例中学")
    member_of(person, UserFactory(name="李四"))
    return person


def test_an_individuals_series_is_named_with_their_unit_and_each_episode_in_order(individual, clips):
    user = individual.memberships.get().user
    series = WorkFactory(entrant=individual, title="山城/记忆", episodes=3)
    complete_form(series)
    for number, clip in ((2, "second"), (1, "first"), (3, "second")):
        upload(series, "video", f"ep{number}.mov.mp4", clips[clip], user,
               episode=series.episodes.get(number=number))
    script = docx_bytes("最终文稿")
    upload(series, "final_script", "文稿.docx", script, user)
    upload(series, "copyright_pledge", "承诺书.png", png_bytes(), user)
    single = WorkFactory(entrant=individual, title="红岩家书")
    complete_form(single)
    upload(single, "video", "a.mp4", clips["first"], user, episode=single.episodes.first())

    archive, _ = open_package(entrant_package(individual))
    root = "李四（示例中学）"
    names = archive.namelist()
    videos = [n for n in names if n.endswith(".mp4")]
    assert videos == [  # 「报送人（单位）+作品名称」, episodes in order, a single video without 「（第1集）」
        f"{root}/山城／记忆/李四（示例中学）+山城／记忆（第1集）.mp4",
        f"{root}/山城／记忆/李四（示例中学）+山城／记忆（第2集）.mp4",
        f"{root}/山城／记忆/李四（示例中学）+山城／记忆（第3集）.mp4",
        f"{root}/红岩家书/李四（示例中学）+红岩家书.mp4",
    ]
    assert archive.read(videos[0]) == clips["first"] and archive.read(videos[1]) == clips["second"]
    assert archive.read(f"{root}/山城／记忆/最终视频文稿.docx") == script
    assert archive.read(f"{root}/山城／记忆/版权承诺书.png") == png_bytes()
    summary = word.entrant_documents(individual)
    assert summary, "Chongqing's 作品汇总表 is one per entrant"
    for document in summary:
        assert f"{root}/{document.file_name}" in names  # at the top, beside the manifest
    assert names.index(f"{root}/{MANIFEST_NAME}") < names.index(videos[0])
    kinds = [row["材料"] for row in manifest(archive, root) if row["作品名称"] == "山城/记忆"]
    assert kinds[:3] == ["视频（第1集）", "视频（第2集）", "视频（第3集）"]


def test_withdrawn_works_superseded_files_and_videos_waiting_for_their_check_stay_out(
    unit, hubei_work, member, clips
):
    withdrawn = WorkFactory(entrant=unit, title="撤销的作品")
    withdrawn.state = WorkState.WITHDRAWN
    withdrawn.save()
    upload(withdrawn, "video", "w.mp4", clips["first"], member, episode=withdrawn.episodes.first())
    rejected = WorkFactory(entrant=unit, title="不予受理的作品")
    rejected.state = WorkState.REJECTED
    rejected.save()
    upload(hubei_work, "copyright_pledge", "重新盖章.pdf", pdf_bytes("stamped again"), member)
    waiting = upload(hubei_work, "video", "新版.mp4", clips["second"], member,
                     episode=hubei_work.episodes.first())

    archive, _ = open_package(entrant_package(unit))
    folders = {name.split("/")[1] for name in archive.namelist() if name.count("/") >= 2}
    assert folders == {"一封家书", "不予受理的作品"}
    root = "长川市委统战部/一封家书"
    assert archive.read(f"{root}/版权承诺书.pdf") == pdf_bytes("stamped again")
    assert archive.read(f"{root}/长川市委统战部-一封家书.mp4") == clips["first"]  # not yet checked
    pledges = [n for n in archive.namelist() if n.startswith(root) and n.endswith(".pdf")]
    assert pledges == [f"{root}/版权承诺书.pdf"]

    promote(waiting)
    archive, _ = open_package(entrant_package(unit))
    assert archive.read(f"{root}/长川市委统战部-一封家书.mp4") == clips["second"]


@pytest.mark.parametrize("title", ["../../etc/passwd", "CON", "微光:照见/初心?", "  . 隐藏 .  ", "题" * 200])
def test_hostile_and_long_titles_give_safe_folders_inside_the_entrants_folder(unit, member, clips, title):
    hostile = WorkFactory(entrant=unit, title=title)
    upload(hostile, "video", "v.mp4", clips["first"], member, episode=hostile.episodes.first())
    archive, _ = open_package(entrant_package(unit))
    for name in archive.namelist():
        parts = name.split("/")
        assert parts[0] == "长川市委统战部" and ".." not in parts and all(p.strip(". ") == p for p in parts)
        assert utf8_len(name) <= MAX_PATH_BYTES
        assert not set('<>:"\\|?*') & set(name)
    video = next(n for n in archive.namelist() if n.endswith(".mp4"))
    assert archive.read(video) == clips["first"]


def test_works_of_one_title_get_folders_numbered_as_copies(unit, member, clips):
    for _ in range(2):
        same = WorkFactory(entrant=unit, title="一封家书")
        upload(same, "video", "v.mp4", clips["first"], member, episode=same.episodes.first())
    archive, _ = open_package(entrant_package(unit))
    videos = sorted(n for n in archive.namelist() if n.endswith(".mp4"))
    assert videos == [
        "长川市委统战部/一封家书/长川市委统战部-一封家书.mp4",
        "长川市委统战部/一封家书（2）/长川市委统战部-一封家书.mp4",
    ]


def test_what_the_package_lacks_is_listed_with_the_reason(chongqing, clips):
    school = EntrantFactory(campaign=chongqing, name="示例区委党校")
    user = member_of(school)
    series = WorkFactory(entrant=school, title="未完成的系列", episodes=3)
    first = upload(series, "video", "1.mp4", clips["first"], user, episode=series.episodes.get(number=1))
    CloudLink.objects.create(work=series, episode=series.episodes.get(number=2), url="https://pan.baidu.com/s/1demo",
                             code="ab12", provider="百度网盘", valid_until=date.today() + timedelta(days=40))
    first.file.storage.delete(first.file.name)  # lost from storage after the upload

    archive, _ = open_package(entrant_package(school))
    assert not [n for n in archive.namelist() if n.endswith(".mp4")]
    rows = [r for r in manifest(archive, "示例区委党校") if r["作品名称"] == "未完成的系列"][:3]
    assert rows[0]["包内文件"] == "" and "找不到" in rows[0]["说明"] and rows[0]["原文件名"] == "1.mp4"
    assert "https://pan.baidu.com/s/1demo" in rows[1]["说明"] and "ab12" in rows[1]["说明"]
    assert "尚未上传" in rows[2]["说明"]


def test_a_title_that_would_be_a_spreadsheet_formula_stays_text_in_the_manifest(unit, member, clips):
    formula = WorkFactory(entrant=unit, title='=HYPERLINK("http://example.org","点我")')
    upload(formula, "video", "v.mp4", clips["first"], member, episode=formula.episodes.first())
    archive, _ = open_package(entrant_package(unit))
    rows = manifest(archive, "长川市委统战部")
    assert all(not row["作品名称"].startswith("=") for row in rows)
    assert any(row["作品名称"].startswith("'=HYPERLINK") for row in rows)


def test_an_entrant_without_works_gets_a_package_with_its_manifest(other_unit):
    archive, _ = open_package(entrant_package(other_unit))
    assert archive.namelist() == [f"明德大学党委统战部/{MANIFEST_NAME}"]


def test_episodes_keep_their_own_numbers_across_a_gap(chongqing, clips):
    school = EntrantFactory(campaign=chongqing, name="示例区委党校")
    user = member_of(school)
    series = WorkFactory(entrant=school, title="系列", episodes=1)
    Episode.objects.create(work=series, number=3)
    for episode in series.episodes.all():
        upload(series, "video", "v.mp4", clips["first"], user, episode=episode)
    archive, _ = open_package(entrant_package(school))
    assert sorted(n.rsplit("/", 1)[1] for n in archive.namelist() if n.endswith(".mp4")) == [
        "示例区委党校+系列（第1集）.mp4", "示例区委党校+系列（第3集）.mp4",
    ]


# -- videos in S3-compatible storage ---------------------------------------------------------

from tests.playback.test_storage import in_s3, s3_endpoint  # noqa: E402, F401  (moto's real server)


@pytest.mark.usefixtures("in_s3")
def test_videos_in_s3_stream_from_the_bucket_in_pieces(unit, member, clips, tmp_path):
    s3_work = WorkFactory(entrant=unit, title="对象存储里的作品")
    big = clips["large"]
    assert len(big) > 256 * 1024  # more than one ranged read's piece
    upload(s3_work, "video", "v.mp4", big, member, episode=s3_work.episodes.first())
    attachment = s3_work.current_attachments().get()
    assert not (tmp_path / "media" / attachment.file.name).exists()
    package = entrant_package(unit)
    member_video = next(m for m in package.members if m.name.endswith(".mp4"))
    assert callable(member_video.source), "read from the bucket, not from a local path"
    assert len(list(member_video.source())) > 1
    pieces = list(package)
    assert max(len(p) for p in pieces) <= 1024 * 1024
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    video = "长川市委统战部/对象存储里的作品/长川市委统战部-对象存储里的作品.mp4"
    assert archive.read(video) == big
    assert package.size == sum(map(len, pieces))


def test_the_package_is_made_from_the_database_state_at_the_start(unit, hubei_work, member, clips):
    """Files uploaded while a package streams go into the next one, not half into this one."""
    package = entrant_package(unit, now=timezone.now())
    pieces = iter(package)
    first = next(pieces)
    upload(hubei_work, "copyright_pledge", "更新.pdf", pdf_bytes("newer"), member)
    archive = zipfile.ZipFile(io.BytesIO(first + b"".join(pieces)))
    assert archive.testzip() is None
    assert archive.read("长川市委统战部/一封家书/版权承诺书.pdf") == pdf_bytes("stamped pledge")
