"""`guangying check FILE --campaign PRESET` on real files, as a unit would run it.

Most tests call `main(argv)` in this process (the engine still runs its
own child process per file); the ones about what a shell sees — exit
status, stderr, the `python -m guangying` dispatch, colour on a terminal —
start the command as a real subprocess.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from guangying.inspection.checks import Judge
from guangying.inspection.cli import main
from guangying.inspection.media import (
    Findings,
    Frame,
    PictureFindings,
    Segment,
    SoundFindings,
    SubtitleStream,
)
from guangying.inspection.report import Line, Outcome, Report, render_text
from guangying.rulesets import load_preset, preset_text

from . import corpus
from .test_checks import audio, findings, media, video

ROOT = Path(__file__).resolve().parents[2]
CQ = "chongqing-2026-hongse"
CQ_TITLE = load_preset(CQ).title
# Chinese characters and the full-width punctuation that goes with them.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
ANSI = "\x1b["


@pytest.fixture(scope="module")
def passing() -> Path:
    return corpus.video("cq-pass", seconds=4)


@pytest.fixture(scope="module")
def hd720() -> Path:
    return corpus.video("cq-hd720", seconds=2, width=1280, height=720)


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.mp4"
    path.write_text("这不是视频，只是改了扩展名的文本。\n" * 20, encoding="utf-8")
    return path


def run(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m guangying ARGS` with none of the test run's Django or guangying settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUANGYING_", "NO_COLOR"))}
    clean["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), clean.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "guangying", *map(str, args)],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=300, check=False,
    )


def check(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """`main(argv)` in this process: the exit status, stdout and stderr."""
    status = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def block(out: str, path: Path) -> list[str]:
    """The lines of one file's block in the text report, from its name to its verdict."""
    lines = out.splitlines()
    start = lines.index(str(path))
    end = next(i for i in range(start, len(lines)) if lines[i].strip().startswith(("结论：", "Verdict:")))
    return lines[start : end + 1]


# ---- one file, text report


def test_a_compliant_file_exits_0_with_a_tick_per_rule(capsys, passing):
    status, out, err = check(capsys, passing, "--campaign", CQ)
    assert status == 0, out + err
    lines = block(out, passing)
    for label in ("时长", "封装格式", "分辨率", "画面比例", "帧率", "画面黑场", "节目响度"):
        assert any(line.startswith(f"  ✓ {label}：") for line in lines), (label, out)
    assert "  ✓ 分辨率：1920×1080　要求：不低于 1080P" in out
    assert "✗" not in out
    # No subtitles where Chongqing does not require them, no AI label where no AI use is declared.
    assert lines[-1] == "  结论：全部符合"
    assert out.splitlines()[0] == f"规则集：{CQ_TITLE}"
    assert "汇总" not in out  # a summary is for several files
    assert err == ""


def test_a_720p_file_exits_1_and_shows_what_it_is(capsys, hd720):
    status, out, _ = check(capsys, hd720, "--campaign", CQ)
    assert status == 1
    assert "  ✗ 分辨率：1280×720　要求：不低于 1080P（短边不少于 1080 像素）" in out
    assert "      画面短边只有 720 像素，要求不低于 1080。" in out
    assert "  ✓ 时长：2.0 秒" in out  # only the resolution is wrong
    assert block(out, hd720)[-1] == "  结论：有不符合的项目"


def test_a_text_file_named_mp4_exits_2_and_gives_the_reason_once(text_file):
    result = run("check", text_file, "--campaign", CQ)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = block(result.stdout, text_file)
    reason = lines[1].removeprefix("  无法检查：")
    assert reason != lines[1] and "文本" in reason
    assert result.stdout.count(reason) == 1
    rules = lines[2:-1]
    assert "  ✗ 时长［无法检查］" in rules and "  ✗ 分辨率［无法检查］" in rules
    assert len(rules) == len(load_preset(CQ).technical)
    assert all(re.fullmatch(r"  ✗ \S+［无法检查］", line) for line in rules), rules
    assert lines[-1] == "  结论：无法完成检查"
    assert "Traceback" not in result.stderr


def test_the_reason_is_given_once_in_english_too(capsys, text_file):
    status, out, _ = check(capsys, text_file, "--campaign", CQ, "--lang", "en")
    assert status == 2
    lines = block(out, text_file)
    assert lines[1].startswith("  Could not check: ")
    reason = lines[1].removeprefix("  Could not check: ")
    assert out.count(reason) == 1
    assert "  ✗ Duration [could not check]" in lines


# ---- several files


def test_several_files_give_one_block_each_a_summary_and_the_worst_status(passing, hd720, text_file):
    result = run("check", passing, hd720, text_file, "--campaign", CQ, "--metadata-only")
    assert result.returncode == 2
    out = result.stdout
    assert out.count("结论：") == 3
    assert [line for line in out.splitlines() if line in map(str, (passing, hd720, text_file))] == [
        str(passing), str(hd720), str(text_file)]
    summary = out.splitlines()[-4:]
    assert summary == [
        "汇总（3 个文件）：",
        f"  ? {passing}：自动检查通过，部分项目需人工复核",
        f"  ✗ {hd720}：有不符合的项目",
        f"  ✗ {text_file}：无法完成检查",
    ]


def test_a_failing_file_among_passing_ones_exits_1(capsys, passing, hd720):
    status, out, _ = check(capsys, passing, hd720, passing, "--campaign", CQ, "--metadata-only")
    assert status == 1
    assert out.count("结论：") == 3
    assert out.splitlines()[-3:-1] == [
        f"  ? {passing}：自动检查通过，部分项目需人工复核", f"  ✗ {hd720}：有不符合的项目"]


# ---- JSON


def test_json_for_one_file_is_an_object_with_stable_ids(capsys, hd720):
    status, out, _ = check(capsys, hd720, "--campaign", CQ, "--json")
    assert status == 1
    data = json.loads(out)
    assert isinstance(data, dict)
    assert data["file"] == str(hd720) and data["ruleset"] == CQ_TITLE and data["outcome"] == "fail"
    lines = {line["check"]: line for line in data["lines"]}
    assert {"duration", "container", "resolution", "aspect_ratio", "frame_rate", "picture_quality.black",
            "picture_quality.upscaled", "loudness.integrated", "loudness.true_peak", "ai_label"} <= set(lines)
    resolution = lines["resolution"]
    assert resolution["outcome"] == "fail" and resolution["severity"] == "hard"
    assert resolution["params"] == {"exact": None, "min_short_side": 1080}
    assert resolution["actual"] == resolution["actual_en"] == "1280×720"
    assert resolution["requested"] == "不低于 1080P（短边不少于 1080 像素）"
    assert resolution["requested_en"] == "at least 1080p (shorter side at least 1080 pixels)"
    assert lines["duration"]["outcome"] == "pass" and lines["duration"]["params"]["max_s"] == 300
    assert lines["duration"]["actual_en"] == "2.0 s"
    # What the command printed reads back into the same report.
    assert Report.from_dict(data).to_dict() == data


def test_json_for_several_files_is_a_list_in_command_line_order(capsys, passing, hd720):
    status, out, _ = check(capsys, hd720, passing, "--campaign", CQ, "--json", "--metadata-only")
    assert status == 1
    data = json.loads(out)
    assert isinstance(data, list)
    assert [item["file"] for item in data] == [str(hd720), str(passing)]
    assert [item["outcome"] for item in data] == ["fail", "review"]
    for item in data:
        assert all(line["actual_en"] and line["requested_en"] for line in item["lines"]), item["file"]


def test_help_says_what_json_looks_like_for_one_file_and_for_several(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "一个文件时输出一个 JSON 对象，多个文件时输出由这些对象组成的列表" in out
    assert "several files give a list" in out
    assert "退出状态" in out


def test_reports_stored_before_english_values_existed_still_load_and_render():
    line = Line(check="resolution", label="分辨率", label_en="Resolution", outcome=Outcome.FAIL,
                requested="1920×1080", actual="1280×720", message="分辨率应为 1920×1080。")
    old = Report(file="a.mp4", ruleset="旧活动", lines=[line]).to_dict()
    for item in old["lines"]:
        del item["actual_en"], item["requested_en"]
    report = Report.from_dict(old)
    assert report.lines[0].actual_en == "" and report.outcome == Outcome.FAIL
    assert "✗ Resolution: 1280×720 — required: 1920×1080" in render_text(report, lang="en")


# ---- English


def test_english_reports_have_no_chinese_but_the_rule_set_title(capsys, hd720, text_file, tmp_path):
    named = tmp_path / "Unit+Film.mp4"
    shutil.copy(hd720, named)
    status, out, _ = check(capsys, hd720, named, text_file, "--campaign", CQ, "--lang", "en",
                           "--unit", "Unit", "--title", "Film")
    assert status == 2
    assert out.splitlines()[0] == f"Rule set: {CQ_TITLE}"
    rest = out.replace(CQ_TITLE, "")
    assert not CJK.findall(rest), [line for line in rest.splitlines() if CJK.search(line)]
    # Every kind of line was there to be looked at: passes, a failure, the picture read, the decode pass,
    # the file name, a file that could not be read, the summary.
    for text in ("✓ Duration: 2.0 s — required: episode length at most 5 min",
                 "✗ Resolution: 1280×720 — required: at least 1080p",
                 "✓ Subtitles: no subtitles; not required for this call",
                 "✓ Black frames: no black pictures",
                 "✓ Programme loudness: -24.0 LKFS",
                 "✓ File name: Unit+Film.mp4 — required: e.g. “Unit+Film”",
                 "✗ File name: " + hd720.name,
                 "The file name lacks the unit's name and the title.",
                 "Verdict: some rules fail",
                 "Verdict: could not be checked",
                 "Summary (3 files):"):
        assert text in out, text


FAULTY_PICTURE = PictureFindings(
    frames_decoded=4500, frames_analysed=1500, black=[Segment(0.0, 2.0)], frozen=[Segment(10.0, 14.0)],
    active_box=(240, 0, 1440, 1080), letterbox=True, pillarbox=True, effective_height=360,
    sharpness=3.0, blurry=[Segment(20.0, 30.0), Segment(40.0, 45.0)], decode_errors=3, last_time_s=170.0,
    evidence=[Frame(1.0, "", "bars"), Frame(5.0, "", "upscale")],
)
FAULTY_SOUND = SoundFindings(integrated_lkfs=-12.0, true_peak_dbtp=0.5, silence=[Segment(50.0, 60.0)],
                             clipped_samples=4800, clipped_ratio=0.01, last_time_s=180.0)
ODD_FILES = {
    "every fault of picture and sound": findings(picture=FAULTY_PICTURE, sound=FAULTY_SOUND),
    "no sound": findings(media(sound=False)),
    "sound not measurable": findings(sound=SoundFindings(integrated_lkfs=None, true_peak_dbtp=None)),
    "neither decoded": Findings(media=media(), picture=None, sound=None),
    "no video": findings(media(video=[])),
    "rotated, 4:3, variable rate": findings(media(streams=video(
        coded_width=1440, coded_height=1080, rotation=90, display_width=1080, display_height=1440,
        avg_fps=23.5, variable_frame_rate=True))),
    "no frame rate, no duration": findings(media(streams=video(avg_fps=None, nominal_fps=None,
                                                                 duration_s=None), duration_s=None)),
    "QuickTime": findings(media(major_brand="qt", extension="mov", sniffed_format="mov")),
    "unrecognised, no extension": findings(media(sniffed_format="unknown", extension="")),
    "right format, odd extension": findings(media(extension="m4v")),
    "other codecs": findings(media(streams=video(codec="vp9", profile=None), audio=[audio(codec="opus")])),
    "subtitles and AIGC labels": findings(media(
        subtitles=[SubtitleStream(2, "mov_text", "chi", [(0.0, 1.0, "第一句")])],
        aigc_labels=['{"Label":"1"}'])),
}
# The user's words and the file's own text may be Chinese in any report.
THEIRS = ("某台", "片名", "第一句")


def _without_theirs(text: str) -> str:
    for word in THEIRS:
        text = text.replace(word, "")
    return text


@pytest.mark.parametrize("preset", ["hubei-2026-weiguang", CQ])
@pytest.mark.parametrize("name", list(ODD_FILES))
def test_every_line_the_judge_makes_has_english(name, preset):
    """Branches the real files above do not reach, built as findings: each must say itself in English."""
    rules = load_preset(preset)
    lines = Judge(rules, ODD_FILES[name], entrant="某台", title="片名", file_name="x.mp4").lines()
    assert lines
    for line in lines:
        english = [line.label_en, line.actual_en, line.requested_en, line.message_en,
                   *(e.note_en for e in line.evidence)]
        assert line.actual_en and line.requested_en, line
        if line.message:
            assert line.message_en, line
        shown = _without_theirs(" ".join(english))
        assert not CJK.search(shown), (line.check, shown)
    text = render_text(Report(file="x.mp4", ruleset="", lines=lines), lang="en")
    assert not CJK.search(_without_theirs(text)), text


def test_the_same_run_in_chinese_does_have_chinese(capsys, hd720):
    """The English test above would pass on an empty report; this one shows the check sees text."""
    status, out, _ = check(capsys, hd720, "--campaign", CQ, "--metadata-only")
    assert status == 1
    assert CJK.search(out.replace(CQ_TITLE, ""))


# ---- file names


def test_unit_and_title_check_the_file_name_and_it_passes(capsys, passing, tmp_path):
    named = tmp_path / "某区融媒体中心+红岩精神.mp4"
    shutil.copy(passing, named)
    status, out, _ = check(capsys, named, "--campaign", CQ, "--metadata-only",
                           "--unit", "某区融媒体中心", "--title", "红岩精神")
    assert status == 0, out
    assert "  ✓ 文件命名：某区融媒体中心+红岩精神.mp4　要求：如「某区融媒体中心+红岩精神」" in out


def test_unit_and_title_check_the_file_name_and_it_fails(capsys, passing):
    status, out, _ = check(capsys, passing, "--campaign", CQ, "--metadata-only",
                           "--unit", "某区融媒体中心", "--title", "红岩精神")
    assert status == 1
    assert f"  ✗ 文件命名：{passing.name}" in out
    assert "      文件名中缺少报送单位、作品名称。" in out


def test_without_unit_or_title_there_is_no_file_name_line(capsys, passing):
    status, out, _ = check(capsys, passing, "--campaign", CQ, "--metadata-only")
    assert status == 0
    assert "文件命名" not in out


# ---- headers only


def test_metadata_only_says_so_and_leaves_the_picture_alone(capsys, passing):
    status, out, _ = check(capsys, passing, "--campaign", CQ, "--metadata-only")
    assert status == 0
    assert "  （只读取了文件头信息；画面与声音未解码检查）" in out
    assert "画面黑场" not in out and "节目响度" not in out

    status, out, _ = check(capsys, passing, "--campaign", CQ, "--metadata-only", "--json")
    checks = [line["check"] for line in json.loads(out)["lines"]]
    assert "resolution" in checks
    assert not [c for c in checks if c.startswith(("picture_quality", "loudness"))], checks


def test_the_full_pass_does_have_the_picture_lines(capsys, passing):
    status, out, _ = check(capsys, passing, "--campaign", CQ, "--json")
    assert status == 0
    checks = [line["check"] for line in json.loads(out)["lines"]]
    assert "picture_quality.black" in checks and "picture_quality.frozen" in checks


# ---- rule sets


def test_a_rule_set_file_is_accepted_as_campaign(capsys, hd720, tmp_path):
    text = preset_text(CQ)
    assert text.count("min_short_side: 1080") == 1
    rules = tmp_path / "本单位规则.yaml"
    rules.write_text(text.replace("min_short_side: 1080", "min_short_side: 720"), encoding="utf-8")
    status, out, _ = check(capsys, hd720, "--campaign", rules, "--metadata-only")
    assert status == 0, out  # the file's own rule, not the preset's, decided
    assert "  ✓ 分辨率：1280×720　要求：不低于 720P" in out


def test_a_broken_rule_set_file_is_explained_on_stderr(capsys, hd720, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(preset_text(CQ).replace("min_short_side: 1080", "min_short_side: 十"), encoding="utf-8")
    status, out, err = check(capsys, hd720, "--campaign", rules)
    assert status == 2
    assert out == ""
    assert err.startswith(f"规则集文件 {rules} 有误：")
    assert "min_short_side" in err and "应为整数" in err and "第 " in err


def test_a_rule_set_file_that_is_not_there(capsys, hd720, tmp_path):
    status, out, err = check(capsys, hd720, "--campaign", tmp_path / "gone.yaml")
    assert status == 2 and out == ""
    assert err.strip() == f"规则集文件不存在：{tmp_path / 'gone.yaml'}"


def test_an_unknown_preset_exits_2_and_lists_the_presets(hd720):
    result = run("check", hd720, "--campaign", "chongqing-2025")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[:2] == [
        "没有名为「chongqing-2025」的预置规则集。", "可用的预置规则集："]
    assert "  chongqing-2026-hongse  红色光影 英雄重庆" in result.stderr
    assert "  hubei-2026-weiguang" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_preset_in_english(capsys, hd720):
    status, _, err = check(capsys, hd720, "--campaign", "nope", "--lang", "en")
    assert status == 2
    assert err.startswith("There is no preset called “nope”.\nPresets available:\n")


def test_a_forgotten_campaign_is_explained_in_chinese(capsys, hd720):
    with pytest.raises(SystemExit) as exit_:
        main([str(hd720)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "请用 --campaign 指定活动规则" in err and "hubei-2026-weiguang" in err


# ---- files that are not there


def test_a_missing_file_exits_2_before_checking_anything(hd720, tmp_path):
    gone = tmp_path / "作品.mp4"
    result = run("check", hd720, gone, "--campaign", CQ)
    assert result.returncode == 2
    assert result.stderr.strip() == f"文件不存在：{gone}"
    assert result.stdout == ""  # the file that is there waits until the name is put right


def test_a_missing_file_and_an_unknown_preset_are_both_named(capsys, tmp_path):
    status, out, err = check(capsys, tmp_path / "a.mp4", "--campaign", "nope")
    assert status == 2 and out == ""
    assert "没有名为「nope」的预置规则集。" in err and f"文件不存在：{tmp_path / 'a.mp4'}" in err


# ---- python -m guangying check: two commands under one name


def test_check_without_files_is_still_djangos_system_check(tmp_path):
    result = run("check", GUANGYING_DATA_DIR=str(tmp_path), GUANGYING_DEBUG="0")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_with_files_is_the_video_check(passing, tmp_path):
    result = run("check", passing, "--campaign", CQ, "--metadata-only", GUANGYING_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check" not in result.stdout
    assert "  ✓ 分辨率：1920×1080" in result.stdout


def test_check_help_is_the_video_checks_and_points_to_djangos(tmp_path):
    ours = run("check", "--help")
    assert ours.returncode == 0
    assert "--campaign" in ours.stdout and "guangying help check" in ours.stdout
    django = run("help", "check", GUANGYING_DATA_DIR=str(tmp_path))
    assert django.returncode == 0
    assert "--deploy" in django.stdout and "--campaign" not in django.stdout


# ---- colour


def test_no_colour_when_the_output_is_not_a_terminal(hd720):
    result = run("check", hd720, "--campaign", CQ, "--metadata-only")
    assert result.returncode == 1
    assert "✗ 分辨率" in result.stdout
    assert ANSI not in result.stdout


def _on_a_terminal(*args: str | Path, **env: str) -> str:
    """Run the command with a pseudo-terminal as its stdout, as in an editor's shell window."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "GUANGYING_", "NO_COLOR"))}
    clean["PYTHONPATH"] = str(ROOT / "src")
    clean.update(env)
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "guangying", *map(str, args)], cwd=ROOT, env=clean,
                               stdout=follower, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=300) == 1
    return b"".join(chunks).decode("utf-8")


def test_a_terminal_gets_colour_unless_no_color_is_set(hd720):
    coloured = _on_a_terminal("check", hd720, "--campaign", CQ, "--metadata-only")
    assert "\x1b[31m✗\x1b[0m 分辨率" in coloured
    plain = _on_a_terminal("check", hd720, "--campaign", CQ, "--metadata-only", NO_COLOR="1")
    assert "✗ 分辨率" in plain
    assert ANSI not in plain


def test_no_color_in_process(capsys, monkeypatch, hd720):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, out, _ = check(capsys, hd720, "--campaign", CQ, "--metadata-only")
    assert ANSI in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = check(capsys, hd720, "--campaign", CQ, "--metadata-only")
    assert ANSI not in out
