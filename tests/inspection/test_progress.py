"""The full pass tells how far it is through the file, as the decode advances."""

from guangying.inspection import engine
from guangying.inspection.sandbox import ProgressReader, run_inspection_child
from guangying.rulesets import load_preset

from .samples import make_video


def test_progress_rises_to_one_during_the_full_pass(tmp_path):
    path = make_video(tmp_path / "clip.mp4", frames=100)
    heard: list[float] = []
    report = engine.inspect(path, load_preset("hubei-2026-weiguang"), mode="full",
                            on_progress=heard.append)
    assert report.lines
    assert len(heard) >= 5
    assert heard == sorted(heard)
    assert heard[-1] == 1.0
    assert 0.0 <= heard[0] < 0.5


def test_the_metadata_mode_never_calls_the_listener(tmp_path):
    path = make_video(tmp_path / "clip.mp4")
    heard: list[float] = []
    run_inspection_child(str(path), mode="metadata", on_progress=heard.append)
    assert heard == []


def test_a_file_that_cannot_be_read_ends_without_progress_and_with_a_reason(tmp_path):
    path = tmp_path / "not-a-video.mp4"
    path.write_bytes(b"\x00" * 4096)
    heard: list[float] = []
    findings = run_inspection_child(str(path), mode="full", on_progress=heard.append)
    assert findings.problem
    assert heard == []


def test_the_reader_joins_split_lines_and_ignores_chatter_and_steps_back():
    heard: list[float] = []
    reader = ProgressReader(heard.append)
    reader.feed(b"[h264] some chatter\nprogr")
    reader.feed(b"ess 0.250\nprogress 0.1\nprogress nonsense\nprogress 7\n")
    reader.feed(b"progress 0.500\n")
    assert heard == [0.25, 0.5]


def test_a_failing_listener_does_not_cost_the_inspection(tmp_path):
    path = make_video(tmp_path / "clip.mp4", frames=50)

    def broken(fraction: float) -> None:
        raise RuntimeError("listener broke")

    findings = run_inspection_child(str(path), mode="full", on_progress=broken)
    assert findings.problem is None
    assert findings.picture is not None
