"""The child process: the only place untrusted media bytes are parsed and decoded.

`python -m guangying.inspection.child PATH --mode full` prints exactly one
JSON document (a Findings) on its standard output and nothing else. The
parent (sandbox.py) treats anything else — a crash, a kill, a timeout, stray
bytes — as a file that could not be checked, so this module's one duty
besides the work is never to let an exception or a library's chatter reach
standard output: file descriptor 1 is pointed at standard error for the whole
run and the real output is written once, at the end.

The limits are applied here, first thing, rather than in a `preexec_fn` of
the parent: the parent may be a threaded web worker, where forking code
between fork and exec can deadlock.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import resource
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from guangying.inspection.media import Findings

MEMORY_PROBLEM = ("解码所需内存超过上限", "Reading the file needs more memory than allowed")
INTERNAL_PROBLEM = ("检查程序出错，无法检查此文件", "The checker failed on this file")


def apply_limits(memory_mb: int | None, cpu_s: int | None, max_write_mb: int = 0) -> None:
    """Address space, CPU time, no files written (but a rendition's, up to a size), no core dumps."""
    if memory_mb:
        limit = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if cpu_s:
        # The soft limit sends SIGXCPU; the hard one a few seconds later is SIGKILL.
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_s), int(cpu_s) + 5))
    # A write to a file fails with EFBIG instead of killing the process with SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    written = int(max_write_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (written, written))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def is_out_of_memory(error: BaseException) -> bool:
    """The address-space limit shows up as MemoryError, ENOMEM, or a library that cannot be mapped."""
    if isinstance(error, MemoryError):
        return True
    if isinstance(error, OSError) and error.errno == errno.ENOMEM:
        return True
    text = str(error)
    return "failed to map segment" in text or "Cannot allocate memory" in text


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def _log(message: str) -> None:
    try:
        print(message, file=sys.stderr, flush=True)
    except Exception:  # a closed stderr must not turn a result into a crash
        pass


PROGRESS_PREFIX = "progress "


def report_progress(fraction: float) -> None:
    """One line per step on standard error, which the parent reads while the child works.

    Standard output carries only the final document, so progress cannot go there; a
    line of its own with a fixed prefix is easy to tell from FFmpeg's chatter.
    """
    _log(f"{PROGRESS_PREFIX}{fraction:.3f}")


def _analyse(path: str, media: Any, evidence: bool,
             progress: bool = False, reading: str | None = None) -> tuple[Any, Any, str | None]:
    """The decode pass, if quality.py is there; its failure costs the picture, not the probe."""
    try:
        from guangying.inspection import quality
    except ImportError as error:
        if is_out_of_memory(error):
            raise MemoryError(str(error)) from error
        _log(f"quality pass unavailable: {error}")
        return None, None, None
    try:
        from guangying.inspection.reading import ReadingPlan

        picture, sound = quality.analyse(
            path, media, evidence=evidence, on_progress=report_progress if progress else None,
            reading=ReadingPlan.from_json(reading),
        )
    except MemoryError:
        raise
    except Exception as error:
        if is_out_of_memory(error):
            raise MemoryError(str(error)) from error
        _log("quality pass failed:\n" + traceback.format_exc())
        return None, None, f"quality: failed: {type(error).__name__}: {error}"[:300]
    return picture, sound, None


def inspect_file(path: str, mode: str, evidence: bool = True, progress: bool = False,
                 reading: str | None = None) -> Findings:
    """Probe (and in full mode analyse) one file; every failure becomes a Findings with a problem."""
    from guangying.inspection.probe import ProbeError, probe

    media = None
    try:
        media = probe(path)
        if mode == "full":
            picture, sound, note = _analyse(path, media, evidence, progress, reading)
            if note:
                media.anomalies.append(note)
            return Findings(media=media, picture=picture, sound=sound)
        return Findings(media=media)
    except ProbeError as error:
        _log(f"probe: {error}")
        return Findings(media=None, problem=error.message, problem_en=error.message_en)
    except Exception as error:
        _log("inspection failed:\n" + traceback.format_exc())
        if is_out_of_memory(error):
            return Findings(media=media, problem=MEMORY_PROBLEM[0], problem_en=MEMORY_PROBLEM[1])
        return Findings(media=media, problem=INTERNAL_PROBLEM[0], problem_en=INTERNAL_PROBLEM[1])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m guangying.inspection.child")
    parser.add_argument("path")
    parser.add_argument("--mode", choices=["metadata", "full", "rendition"], default="full")
    parser.add_argument("--out", default=None, help="rendition: the folder the files are written to")
    parser.add_argument("--max-write-mb", type=int, default=0)
    parser.add_argument("--force-preview", action="store_true")
    parser.add_argument("--memory-mb", type=int, default=None)
    parser.add_argument("--cpu-s", type=int, default=None)
    parser.add_argument("--no-evidence", action="store_true")
    parser.add_argument("--reading", default=None,
                        help="what to read in the picture (a ReadingPlan as JSON), full mode only")
    parser.add_argument("--progress", action="store_true",
                        help="write 'progress 0.420' lines on standard error during the decode pass")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one inspection and print its Findings as JSON; the exit status is 0 whenever it printed."""
    started = time.perf_counter()
    # Keep the real standard output for the one JSON document; everything else written to
    # descriptor 1 (FFmpeg, a stray print) goes to standard error.
    sys.stdout.flush()
    out_fd = os.dup(1)
    os.dup2(2, 1)
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        os.close(out_fd)
        return int(exit_.code or 2)

    if args.mode == "rendition":
        return _render(args, out_fd, started)
    try:
        apply_limits(args.memory_mb, args.cpu_s)
        findings = inspect_file(args.path, args.mode, evidence=not args.no_evidence,
                                progress=args.progress, reading=args.reading)
    except BaseException as error:  # even SystemExit or KeyboardInterrupt ends in a JSON document
        _log("inspection failed:\n" + traceback.format_exc())
        problem = MEMORY_PROBLEM if is_out_of_memory(error) else INTERNAL_PROBLEM
        findings = Findings(media=None, problem=problem[0], problem_en=problem[1])
    findings.elapsed_s = round(time.perf_counter() - started, 4)
    findings.peak_rss_mb = _peak_rss_mb()

    # ASCII JSON: a file name that is not valid UTF-8 arrives here as lone surrogates
    # (surrogateescape), which no UTF-8 encoder accepts; as \udcff escapes they cross the pipe
    # and come back in the parent as the very same str, so the report names the file it checked.
    try:
        document = json.dumps(asdict(findings), ensure_ascii=True)
    except MemoryError:
        # Whatever was found is too large to hand over in the memory left.
        fallback = Findings(media=None, problem=MEMORY_PROBLEM[0], problem_en=MEMORY_PROBLEM[1])
        document = json.dumps(asdict(fallback), ensure_ascii=True)
    except Exception:
        _log("findings not serialisable:\n" + traceback.format_exc())
        fallback = Findings(media=None, problem=INTERNAL_PROBLEM[0], problem_en=INTERNAL_PROBLEM[1])
        document = json.dumps(asdict(fallback), ensure_ascii=True)
    data = (document + "\n").encode("ascii")
    view = memoryview(data)
    try:
        while view:
            written = os.write(out_fd, view)
            view = view[written:]
    except OSError as error:
        _log(f"could not write the findings: {error}")
        return 3
    finally:
        os.close(out_fd)
    return 0


def _render(args: argparse.Namespace, out_fd: int, started: float) -> int:
    """The rendition mode: files into --out, one RenditionResult as JSON on standard output."""
    from guangying.inspection.rendition import RenditionResult, render

    try:
        apply_limits(args.memory_mb, args.cpu_s, args.max_write_mb)
        result = render(args.path, args.out or ".", force_preview=args.force_preview)
    except BaseException as error:
        _log("rendition failed:\n" + traceback.format_exc())
        problem = MEMORY_PROBLEM if is_out_of_memory(error) else INTERNAL_PROBLEM
        result = RenditionResult(problem=problem[0], problem_en=problem[1])
    result.elapsed_s = round(time.perf_counter() - started, 4)
    data = (json.dumps({"rendition": asdict(result)}, ensure_ascii=True) + "\n").encode("ascii")
    try:
        os.write(out_fd, data)
    except OSError as error:
        _log(f"could not write the rendition result: {error}")
        return 3
    finally:
        os.close(out_fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
