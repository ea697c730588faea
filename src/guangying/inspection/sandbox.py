"""Running the inspection of an untrusted file in a child process with limits.

FFmpeg parses hostile bytes in C. A crafted file can make a demuxer or a
decoder loop, allocate without bound or crash; none of that may take the web
worker with it or hold a background worker forever. So the file is only ever
opened in `python -m guangying.inspection.child`, with an address-space
limit, a CPU-time limit, no right to write files, a wall-clock limit enforced
from here, no standard input and an environment that carries nothing of the
parent's secrets. Whatever goes wrong in there comes back as a Findings with
a reason a person can act on, never as an exception or a hang.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from guangying.inspection.media import Findings, findings_from_dict

logger = logging.getLogger(__name__)

MODES = ("metadata", "full")
KEPT_ENVIRONMENT = ("PATH", "PYTHONPATH", "HOME", "LANG")
STDERR_KEPT = 64 * 1024  # the tail of the child's log, for the reason and for the server log


@dataclass(frozen=True)
class Limits:
    """What one inspection may use; None means the default for the mode."""

    memory_mb: int = 1536
    cpu_s: int | None = None
    wall_s: float | None = None
    max_output_mb: int = 64  # the JSON, evidence frames included

    def wall_for(self, mode: str) -> float:
        if self.wall_s is not None:
            return float(self.wall_s)
        return 20.0 if mode == "metadata" else 600.0

    def cpu_for(self, mode: str) -> int:
        """CPU seconds count every decoder thread, so the cap is a multiple of the wall clock."""
        if self.cpu_s is not None:
            return int(self.cpu_s)
        return max(10, int(self.wall_for(mode) * (1 if mode == "metadata" else 4)))

    @classmethod
    def for_duration(cls, duration_s: float | None, **overrides: object) -> Limits:
        """Limits for a full inspection of a file this long: time in proportion, with a floor."""
        if duration_s is None or duration_s <= 0:
            return replace(cls(), **overrides)  # type: ignore[arg-type]
        wall = min(3600.0, max(120.0, 60.0 + 2.0 * duration_s))
        return replace(cls(wall_s=wall), **overrides)  # type: ignore[arg-type]


def _failure(zh: str, en: str, elapsed: float = 0.0) -> Findings:
    return Findings(media=None, problem=zh, problem_en=en, elapsed_s=round(elapsed, 4))


def child_environment() -> dict[str, str]:
    """A clean environment: no database URL, no secret key, no cloud credentials.

    The package's own location goes first on PYTHONPATH so the child runs the same
    code as the parent, installed or not. One thread for numerical libraries and two
    malloc arenas keep the address space of the child close to what it really uses:
    the memory limit counts reserved space, not touched pages.
    """
    env = {key: os.environ[key] for key in KEPT_ENVIRONMENT if key in os.environ}
    package_root = str(Path(__file__).resolve().parent.parent.parent)
    paths = [package_root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env.setdefault("PATH", "/usr/bin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    env["MALLOC_ARENA_MAX"] = "2"
    env["OMP_NUM_THREADS"] = "1"
    env["OPENBLAS_NUM_THREADS"] = "1"
    return env


def _kill(process: subprocess.Popen[bytes]) -> None:
    """The child runs in its own session: end its whole process group, and only it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.kill()
    except ProcessLookupError:
        pass


class ProgressReader:
    """Finds the child's 'progress 0.42' lines in its standard error as the bytes arrive.

    A line may be split across reads, so the unfinished tail is kept until its end comes;
    a listener that fails must not cost the inspection, so its errors are logged only.
    """

    PREFIX = b"progress "

    def __init__(self, listener: Callable[[float], None] | None) -> None:
        self.listener = listener
        self.pending = b""
        self.last = -1.0

    def feed(self, chunk: bytes) -> None:
        if self.listener is None:
            return
        lines = (self.pending + chunk).split(b"\n")
        self.pending = lines.pop()[-256:]
        for line in lines:
            line = line.strip()
            if not line.startswith(self.PREFIX):
                continue
            try:
                fraction = float(line[len(self.PREFIX):])
            except ValueError:
                continue
            if not 0.0 <= fraction <= 1.0 or fraction < self.last:
                continue  # garbage or a step back: the bar only moves forward
            self.last = fraction
            try:
                self.listener(fraction)
            except Exception:
                logger.exception("progress listener failed")


def _collect(
    process: subprocess.Popen[bytes], deadline: float, max_output: int,
    progress: ProgressReader | None = None,
) -> tuple[bytes, bytes, str | None]:
    """Read both pipes until the child closes them, the clock runs out or it says too much."""
    assert process.stdout is not None and process.stderr is not None
    out = bytearray()
    err = bytearray()
    why = None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ, out)
    selector.register(process.stderr, selectors.EVENT_READ, err)
    try:
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                why = "timeout"
                break
            for key, _events in selector.select(timeout=min(remaining, 1.0)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                buffer: bytearray = key.data
                buffer += chunk
                if buffer is err and progress is not None:
                    progress.feed(chunk)
                if buffer is err and len(err) > 4 * STDERR_KEPT:
                    del err[: len(err) - STDERR_KEPT]
                if len(out) > max_output:
                    why = "output"
                    break
            if why:
                break
        if why is None:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                why = "timeout"
    finally:
        selector.close()
        if why is not None:
            _kill(process)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.wait()
        process.stdout.close()
        process.stderr.close()
    return bytes(out), bytes(err[-STDERR_KEPT:]), why


def _parse(out: bytes) -> Findings | None:
    text = out.decode("utf-8", "replace").strip()
    if not text:
        return None
    candidates = [text] + [line for line in reversed(text.splitlines()) if line.startswith("{")]
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if not isinstance(data, dict) or "media" not in data:
            continue
        try:
            return findings_from_dict(data)
        except (TypeError, ValueError, KeyError, AttributeError):
            continue
    return None


def _memory_in(err: bytes) -> bool:
    text = err.decode("utf-8", "replace")
    return any(
        marker in text
        for marker in ("MemoryError", "Cannot allocate memory", "out of memory", "std::bad_alloc",
                       "failed to map segment",
                       "failed to allocate", "Out of memory")
    )


def _explain(returncode: int, err: bytes, mode: str, limits: Limits, elapsed: float) -> Findings:
    """A child that ended without a result: say which limit it hit, or that it broke down."""
    if returncode < 0:
        number = -returncode
        if number == signal.SIGXCPU:
            seconds = limits.cpu_for(mode)
            return _failure(
                f"检查所需处理器时间超过上限（{seconds} 秒）",
                f"The check needed more processor time than allowed ({seconds} s)",
                elapsed,
            )
        if _memory_in(err):
            return _failure(
                "解码所需内存超过上限", "Reading the file needs more memory than allowed", elapsed
            )
        if number == signal.SIGKILL:
            return _failure(
                "检查进程被系统终止（可能内存不足）",
                "The check was ended by the system (possibly out of memory)",
                elapsed,
            )
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return _failure(
            f"文件无法解析：解码程序异常退出（{name}），文件可能已损坏",
            f"The file cannot be read: the decoder crashed ({name}); the file may be damaged",
            elapsed,
        )
    if _memory_in(err):
        return _failure("解码所需内存超过上限", "Reading the file needs more memory than allowed", elapsed)
    if returncode != 0:
        return _failure(
            f"检查程序异常退出（退出码 {returncode}），无法检查此文件",
            f"The checker exited abnormally (status {returncode}); the file could not be checked",
            elapsed,
        )
    return _failure(
        "检查程序的输出无法识别，无法检查此文件",
        "The checker's output was not understood; the file could not be checked",
        elapsed,
    )


def child_command(
    path: str, mode: str, limits: Limits, evidence: bool = True, progress: bool = False,
    reading: str | None = None,
) -> list[str]:
    # An absolute path can never be taken for an option, whatever the file is called.
    command = [
        sys.executable,
        "-m",
        "guangying.inspection.child",
        os.path.abspath(path),
        "--mode",
        mode,
        "--memory-mb",
        str(int(limits.memory_mb)),
        "--cpu-s",
        str(limits.cpu_for(mode)),
    ]
    if not evidence:
        command.append("--no-evidence")
    if progress:
        command.append("--progress")
    if reading:
        command.extend(["--reading", reading])
    return command


def run_inspection_child(
    path: str,
    *,
    mode: str = "full",
    limits: Limits | None = None,
    evidence: bool = True,
    on_progress: Callable[[float], None] | None = None,
    reading: str | None = None,
) -> Findings:
    """Inspect a file in a limited child process; never raises for anything the file does.

    mode "metadata" reads the headers only (a fraction of a second); "full" also
    decodes the picture and the sound (quality.analyse). `on_progress(fraction)` is
    called in this process, from the reading loop, as the decode pass advances
    through the file's duration; 1.0 comes once the pass has ended.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    limits = limits or Limits()
    wall = limits.wall_for(mode)
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            child_command(path, mode, limits, evidence, progress=on_progress is not None,
                          reading=reading),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_environment(),
            cwd="/",
            close_fds=True,
            start_new_session=True,
        )
    except OSError as error:
        return _failure("无法启动检查程序", f"The checker could not be started ({error})")
    reader = ProgressReader(on_progress) if on_progress is not None else None
    out, err, why = _collect(process, started + wall, limits.max_output_mb * 1024 * 1024, reader)
    elapsed = time.monotonic() - started
    if why == "timeout":
        shown = f"{wall:g}"
        return _failure(f"检查超时（{shown} 秒）", f"The check timed out ({shown} s)", elapsed)
    if why == "output":
        return _failure(
            "检查程序的输出过大，无法检查此文件",
            "The checker produced too much output; the file could not be checked",
            elapsed,
        )
    findings = _parse(out) if process.returncode == 0 else None
    if findings is None:
        logger.warning(
            "inspection child for %s ended with status %s: %s",
            path,
            process.returncode,
            err.decode("utf-8", "replace")[-4000:],
        )
        return _explain(process.returncode, err, mode, limits, elapsed)
    return findings
