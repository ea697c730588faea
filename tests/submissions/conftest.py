"""Small real videos, made once per test run."""

from pathlib import Path

import pytest

from guangying.demo.media import make_video

VIDEOS = {
    "mp4": ("clip.mp4", {}),
    "mov": ("clip.mov", {}),
    "mpeg": ("clip.mpg", {"codec": "mpeg2video", "container_format": "mpeg"}),
    "ts": ("clip.ts", {"container_format": "mpegts"}),
    "mkv": ("clip.mkv", {}),
    "avi": ("clip.avi", {"codec": "mpeg4"}),
}


@pytest.fixture(scope="session")
def videos(tmp_path_factory) -> dict[str, Path]:
    """One-second clips in every container the notices and entrants bring."""
    folder = tmp_path_factory.mktemp("videos")
    return {
        fmt: make_video(folder / name, seconds=1, width=320, height=180, **options)
        for fmt, (name, options) in VIDEOS.items()
    }


@pytest.fixture(scope="session")
def mp4_bytes(videos) -> bytes:
    return videos["mp4"].read_bytes()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Each test stores its files in a folder of its own, so what it stored can be counted."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root
