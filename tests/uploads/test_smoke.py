from guangying.submissions.models import Attachment
from guangying.uploads.models import Upload

from .conftest import sha256


def test_smoke(tus, work, video_bytes):
    url = tus.send(work, video_bytes, chunk=10000)
    a = Attachment.objects.get()
    assert a.sha256 == sha256(video_bytes)
    assert Upload.objects.get().state == "complete"
    r = tus.head(url)
    assert r["Upload-Offset"] == str(len(video_bytes))
