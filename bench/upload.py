"""Resumable-upload throughput against a plain `cp` of the same file, measured in one run.

Makes a 1 GiB file once (a real MP4 head, then random bytes; kept under
var/bench/), starts a real gunicorn server (one worker, as in the demo) on a
free loopback port with its own SQLite database, and sends the file through
the tus endpoint in PATCHes of --chunk MB. Each of --rounds rounds copies the
file with cp and uploads it once, both copies kept until the round ends so that
both write into the same kind of page cache (a file written over pages just
freed is written several times faster than one that needs new memory; comparing
a kept upload with a deleted cp flatters cp). Prints the median cp throughput,
the median tus throughput (creation to attachment: includes the SHA-256 of the
whole file and the move into storage), their ratio, and the worker's peak RSS
(VmHWM). Targets: ≥ 0.5× cp, server peak RSS < 200 MB. The figures are printed
as measured, met or not.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.uploads.realserver import RealServer  # noqa: E402

SAMPLE = ROOT / "var" / "bench" / "upload-1GiB.bin"
MiB = 1024 * 1024


def make_sample(path: Path, size: int) -> Path:
    if path.exists() and path.stat().st_size == size:
        return path
    from guangying.demo.media import make_video

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        head = make_video(Path(folder) / "head.mp4", seconds=1).read_bytes()
    rng = random.Random(1)
    with path.open("wb") as out:
        out.write(head)
        left = size - len(head)
        while left:
            block = rng.randbytes(min(16 * MiB, left))
            out.write(block)
            left -= len(block)
    return path


def vm(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def pieces(path: Path, start: int, length: int):
    with path.open("rb") as source:
        source.seek(start)
        while length:
            block = source.read(min(MiB, length))
            if not block:
                return
            length -= len(block)
            yield block


def send(server: RealServer, path: Path, chunk: int, checksum: bool, work_index: int = 0) -> float:
    client = server.client()
    work, episode = server.fixture["works"][work_index]
    size = path.stat().st_size
    begun = time.perf_counter()
    url = client.create(work, episode, size, filename="bench.mp4")
    offset = 0
    with path.open("rb") as source:
        while offset < size:
            length = min(chunk, size - offset)
            headers = {}
            if checksum:
                source.seek(offset)
                digest = hashlib.sha256()
                left = length
                while left:
                    block = source.read(min(MiB, left))
                    digest.update(block)
                    left -= len(block)
                headers["Upload-Checksum"] = "sha256 " + base64.b64encode(digest.digest()).decode()
            response = client.request("PATCH", url, body=pieces(path, offset, length), headers={
                "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset),
                "Content-Length": str(length), **headers}, timeout=600)
            if response.status != 204:
                raise SystemExit(f"PATCH at {offset} answered {response.status}")
            offset = int(response.getheader("Upload-Offset"))
    return time.perf_counter() - begun


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--chunk", type=int, default=64, help="MB per PATCH")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--checksum", action="store_true", help="send Upload-Checksum (sha256) too")
    args = parser.parse_args()
    size = args.size_mb * MiB
    path = make_sample(SAMPLE if args.size_mb == 1024 else SAMPLE.with_name(f"upload-{args.size_mb}MiB.bin"),
                       size)
    work_dir = Path(tempfile.mkdtemp(prefix="bench-upload-", dir=ROOT / "var" / "bench"))
    cp_times: list[float] = []
    tus_times: list[float] = []
    try:
        server = RealServer(work_dir / "server", kind=args.server, works=args.rounds,
                            env={"GUANGYING_MAX_VIDEO_MB": str(args.size_mb + 1)}).start()
        try:
            pid = server.worker_pid()
            idle = vm(pid, "VmRSS")
            for round_ in range(args.rounds):
                target = work_dir / "copy.bin"
                begun = time.perf_counter()
                subprocess.run(["cp", str(path), str(target)], check=True)
                cp_times.append(time.perf_counter() - begun)
                tus_times.append(send(server, path, args.chunk * MiB, args.checksum, work_index=round_))
                target.unlink()
                for stored_file in (work_dir / "server").rglob("*.mp4"):
                    stored_file.unlink()  # the round's upload, so the next round starts alike
            peak = vm(pid, "VmHWM")
            stored = server.query("SELECT file, sha256, size FROM submissions_attachment")
        finally:
            server.stop()
        assert len(stored) == args.rounds and all(row[2] == size for row in stored), stored
        mb = size / MiB
        cp_seconds = statistics.median(cp_times)
        tus_seconds = statistics.median(tus_times)
        print(f"file                      {mb:.0f} MiB, {args.chunk} MiB per PATCH, {args.rounds} rounds"
              f"{', Upload-Checksum sha256' if args.checksum else ''}")
        print(f"cp                        {cp_seconds:6.2f} s   {mb / cp_seconds:7.0f} MiB/s   (median of "
              + ", ".join(f"{t:.2f}" for t in cp_times) + ")")
        print(f"tus over loopback         {tus_seconds:6.2f} s   {mb / tus_seconds:7.0f} MiB/s   (median of "
              + ", ".join(f"{t:.2f}" for t in tus_times) + ")")
        print("                          (creation → attachment: SHA-256 and move into storage included)")
        ratio = cp_seconds / tus_seconds
        verdict = "met" if ratio >= 0.5 else "NOT met"
        print(f"ratio tus / cp            {ratio:6.2f}×   target ≥ 0.5×  {verdict}")
        print(f"server worker RSS         idle {idle / MiB:.0f} MB, peak (VmHWM) {peak / MiB:.0f} MB"
              f"   target < 200 MB  {'met' if peak < 200 * MiB else 'NOT met'}")
        print(f"stored SHA-256            {stored[0][1][:16]}…")
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
