"""`guangying check FILE... --campaign PRESET`: the engine for anyone preparing a submission.

Needs no database and no server: a unit can check its files on the
editing machine before sending them. Exit status: 0 every rule passes,
1 a rule fails, 2 a file could not be checked.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from guangying.rulesets import RuleSetError, list_presets, load_preset, parse_ruleset_text

from .report import render_text


def _rules(name: str):
    """A preset key, or the path of a rule-set file an organiser exported."""
    candidate = Path(name)
    if candidate.suffix.lower() in (".yaml", ".yml", ".json") and candidate.is_file():
        return parse_ruleset_text(candidate.read_text(encoding="utf-8"))
    return load_preset(name)


def build_parser() -> argparse.ArgumentParser:
    presets = "、".join(p.key for p in list_presets())
    parser = argparse.ArgumentParser(
        prog="guangying check",
        description="按活动规则检查视频文件 · check video files against a campaign's rules",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="要检查的视频文件")
    parser.add_argument(
        "--campaign",
        required=True,
        metavar="PRESET",
        help=f"活动规则：预置规则集（{presets}）或规则集 YAML 文件",
    )
    parser.add_argument("--unit", metavar="NAME", help="报送单位（或报送人）名称，用于核对文件名")
    parser.add_argument("--title", metavar="TITLE", help="作品名称，用于核对文件名")
    parser.add_argument("--json", action="store_true", help="输出 JSON 报告")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="报告语言")
    parser.add_argument(
        "--metadata-only", action="store_true", help="只读文件头信息（数秒内完成），不解码画面和声音"
    )
    parser.add_argument("--ai", action="store_true", help="作品使用了人工智能生成合成内容")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        rules = _rules(args.campaign)
    except RuleSetError as error:
        print("规则集有误：" + "；".join(error.messages), file=sys.stderr)
        return 2
    from .engine import inspect

    reports = [
        inspect(
            path,
            rules,
            entrant=args.unit,
            title=args.title,
            declares_ai=args.ai or None,
            mode="metadata" if args.metadata_only else "full",
        )
        for path in args.files
    ]
    if args.json:
        payload = [r.to_dict() for r in reports]
        print(json.dumps(payload if len(payload) > 1 else payload[0], ensure_ascii=False, indent=2))
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        print(f"{rules.title}\n")
        print("\n\n".join(render_text(r, lang=args.lang, color=color) for r in reports))
    return max(r.exit_status() for r in reports)


if __name__ == "__main__":
    sys.exit(main())
