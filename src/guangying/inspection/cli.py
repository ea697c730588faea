"""`guangying check FILE... --campaign PRESET`: the engine for anyone preparing a submission.

Needs no database and no server: a unit can check its files on the
editing machine before sending them. Exit status: 0 every rule passes,
1 a rule fails, 2 a file could not be checked; for several files, the worst.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from guangying.rulesets import (
    RuleSet,
    RuleSetError,
    UnknownPresetError,
    list_presets,
    load_preset,
    parse_ruleset_text,
)

from .report import Report, render_summary, render_text

EPILOG = """\
退出状态 / exit status:
  0  全部符合（提示与需人工复核的项目不影响）· every rule passes (warnings and reviews aside)
  1  有不符合的项目 · a rule fails
  2  有文件无法检查，或参数有误 · a file could not be checked, or the arguments are wrong
  检查多个文件时取最差的一个 · with several files, the worst of them

--json 输出 / output:
  一个文件时输出一个 JSON 对象，多个文件时输出由这些对象组成的列表（顺序同命令行）。
  One file gives one JSON object; several files give a list of them, in command-line order.
  每个对象的 lines 中，check 为稳定的检查项标识（如 resolution、picture_quality.black），
  另有 outcome、requested、actual、params、message 及其英文（*_en）。
  Each object's lines carry a stable check id, outcome, requested, actual, params and message,
  with English in the *_en fields.

设置 NO_COLOR 或输出不是终端时不使用颜色 · NO_COLOR, or output that is not a terminal, turns colour off.

不带文件的 `guangying check` 是 Django 的系统检查，其说明见 `guangying help check`。
Without files, `guangying check` is Django's system check; see `guangying help check`.
"""


def _preset_list(lang: str) -> str:
    """The shipped presets, one a line, so a mistyped name can be corrected by copying."""
    heading = "可用的预置规则集：" if lang == "zh" else "Presets available:"
    presets = list_presets()
    width = max((len(p.key) for p in presets), default=0)
    return "\n".join([heading, *(f"  {p.key.ljust(width)}  {p.short_title}" for p in presets)])


class _Parser(argparse.ArgumentParser):
    """argparse, but a forgotten --campaign is explained in Chinese with the presets to choose from."""

    def error(self, message: str) -> NoReturn:
        if "--campaign" in message and "required" in message:
            message = "请用 --campaign 指定活动规则（预置规则集名称或规则集 YAML 文件）。\n"
            message += _preset_list("zh")
        super().error(message)


def _rules(name: str, lang: str = "zh") -> RuleSet:
    """A preset key, or the path of a rule-set file an organiser exported.

    Raises RuleSetError with the whole message to show, in the language asked for.
    """
    zh = lang == "zh"
    candidate = Path(name)
    looks_like_file = candidate.suffix.lower() in (".yaml", ".yml", ".json") or os.sep in name
    if candidate.is_file():
        try:
            return parse_ruleset_text(candidate.read_bytes())
        except RuleSetError as error:
            heading = f"规则集文件 {name} 有误：" if zh else f"The rule-set file {name} has problems:"
            raise RuleSetError([heading, *(f"  {m}" for m in error.messages)]) from None
        except OSError as error:
            reason = error.strerror or str(error)
            zh_text = f"无法读取规则集文件 {name}：{reason}"
            raise RuleSetError(zh_text if zh else f"Cannot read the rule-set file {name}: {reason}") from None
    if looks_like_file:
        raise RuleSetError(f"规则集文件不存在：{name}" if zh else f"No such rule-set file: {name}")
    try:
        return load_preset(name)
    except UnknownPresetError:
        shown = name if len(name) <= 80 else name[:80] + "…"
        first = f"没有名为「{shown}」的预置规则集。" if zh else f"There is no preset called “{shown}”."
        raise RuleSetError([first, _preset_list(lang)]) from None


def build_parser() -> argparse.ArgumentParser:
    presets = "、".join(p.key for p in list_presets())
    parser = _Parser(
        prog="guangying check",
        description="按活动规则检查视频文件 · check video files against a campaign's rules",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="要检查的视频文件（可以多个）")
    parser.add_argument(
        "--campaign",
        required=True,
        metavar="PRESET",
        help=f"活动规则：预置规则集（{presets}）或规则集 YAML 文件的路径",
    )
    parser.add_argument("--unit", metavar="NAME", help="报送单位（或报送人）名称，用于核对文件名")
    parser.add_argument("--title", metavar="TITLE", help="作品名称，用于核对文件名")
    parser.add_argument(
        "--json", action="store_true", help="输出 JSON 报告：一个文件为对象，多个文件为列表（见下）"
    )
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="报告语言 · report language")
    parser.add_argument(
        "--metadata-only", action="store_true", help="只读文件头信息（数秒内完成），不解码画面和声音"
    )
    parser.add_argument("--ai", action="store_true", help="作品使用了人工智能生成合成内容")
    return parser


def _missing(files: Sequence[str], lang: str) -> list[str]:
    """Names that are not there, found before any decoding: a typo should not wait for the others."""
    missing = [name for name in files if not os.path.exists(name)]
    return [(f"文件不存在：{name}" if lang == "zh" else f"No such file: {name}") for name in missing]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the check; returns the exit status rather than exiting, so tests can call it in-process."""
    args = build_parser().parse_args(argv)
    problems = _missing(args.files, args.lang)
    rules: RuleSet | None = None
    try:
        rules = _rules(args.campaign, args.lang)
    except RuleSetError as error:
        problems[:0] = error.messages
    if problems or rules is None:
        print("\n".join(problems), file=sys.stderr)
        return 2

    from .engine import inspect

    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    zh = args.lang == "zh"
    reports: list[Report] = []
    if not args.json:
        print(("规则集：" if zh else "Rule set: ") + rules.title + "\n", flush=True)
    try:
        for path in args.files:
            report = inspect(
                path,
                rules,
                entrant=args.unit,
                title=args.title,
                declares_ai=args.ai or None,
                mode="metadata" if args.metadata_only else "full",
            )
            reports.append(report)
            if not args.json:
                # Each block as soon as its file is done: a full decode of a long film takes a while.
                if len(reports) > 1:
                    print()
                print(render_text(report, lang=args.lang, color=color), flush=True)
    except KeyboardInterrupt:
        print("\n已中断" if zh else "\ninterrupted", file=sys.stderr)
        return 130
    if args.json:
        payload = [r.to_dict() for r in reports]
        print(json.dumps(payload if len(payload) > 1 else payload[0], ensure_ascii=False, indent=2))
    elif len(reports) > 1:
        print("\n" + render_summary(reports, lang=args.lang, color=color))
    return max(r.exit_status() for r in reports)


if __name__ == "__main__":
    sys.exit(main())
