"""A member of a Hubei unit with a draft work, real small videos, and a tus client over Django's."""

import base64
import hashlib
from pathlib import Path

import pytest

from guangying.demo.media import make_video
from tests.factories import CampaignFactory

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Tus:
    """The requests tus-js-client makes, spelled out, through Django's test client."""

    def __init__(self, client) -> None:
        self.client = client

    def create(self, work, size: int, *, slot: str | None = None, filename: str = "作品.mp4",
               **headers):
        slot = slot or f"video-{work.episodes.first().pk}"
        meta = metadata(filename=filename, filetype="video/mp4", work=str(work.pk), slot=slot)
        headers = {"HTTP_UPLOAD_LENGTH": str(size), "HTTP_UPLOAD_METADATA": meta, **TUS, **headers}
        return self.client.post("/uploads/tus/", **headers)

    def start(self, work, size: int, **kwargs) -> str:
        response = self.create(work, size, **kwargs)
        assert response.status_code == 201, response.content.decode()
        return response["Location"]

    def patch(self, url: str, data: bytes, offset: int, *, content_type="application/offset+octet-stream",
              **headers):
        # Django's client leaves out both headers for an empty body; tus-js-client sends them.
        headers = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(data)), **TUS, **headers}
        return self.client.generic("PATCH", url, data=data, content_type=content_type,
                                   HTTP_UPLOAD_OFFSET=str(offset), **headers)

    def head(self, url: str, **headers):
        return self.client.head(url, **{**TUS, **headers})

    def delete(self, url: str):
        return self.client.delete(url, **TUS)

    def send(self, work, data: bytes, *, chunk: int = 1 << 20, **kwargs) -> str:
        url = self.start(work, len(data), **kwargs)
        for offset in range(0, len(data), chunk):
            response = self.patch(url, data[offset:offset + chunk], offset)
            assert response.status_code == 204, response.content.decode()
        return url


@pytest.fixture(autouse=True)
def folders(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GUANGYING_UPLOAD_DIR = str(tmp_path / "partial")
    settings.MEDIA_ROOT.mkdir()
    return tmp_path / "partial"


@pytest.fixture
def hubei(db):
    return CampaignFactory(preset="hubei-2026-weiguang", slug="hubei")


@pytest.fixture
def tus(client, member) -> Tus:
    client.force_login(member)
    return Tus(client)


@pytest.fixture(scope="session")
def video_bytes(tmp_path_factory) -> bytes:
    """A real one-second MP4 (H.264/AAC), a few dozen KB."""
    path = make_video(tmp_path_factory.mktemp("v") / "clip.mp4", seconds=1, width=320, height=180)
    return path.read_bytes()
