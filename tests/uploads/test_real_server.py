"""Uploads against a real server process: dropped connections, a killed server, racing uploads."""

import hashlib
import random
import socket
import threading
import time

import pytest

from guangying.demo.media import make_video

from .realserver import RealServer


def sample(tmp_path, size: int, seed: int = 1) -> bytes:
    """A real MP4 head (so the sniffing passes) padded with random bytes to `size`."""
    head = make_video(tmp_path / f"head{seed}.mp4", seconds=1).read_bytes()
    rng = random.Random(seed)
    return head + rng.randbytes(size - len(head))


def continue_until_done(client, url: str, data: bytes) -> None:
    """What tus-js-client does after a failure: ask for the offset, send the rest, retry on 409/423."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            offset = client.offset(url)
        except AssertionError:
            time.sleep(0.2)
            continue
        if offset == len(data):
            return
        response = client.patch(url, data[offset:], offset, len(data) - offset)
        if response.status == 204 and int(response.getheader("Upload-Offset")) == len(data):
            return
        assert response.status in (204, 409, 423), response.status
        time.sleep(0.1)
    raise AssertionError("the upload did not finish")


def stored(server: RealServer, work: int) -> list[tuple[str, str, int]]:
    return server.query("SELECT file, sha256, size FROM submissions_attachment WHERE work_id = ?"
                        " ORDER BY uploaded_at, id", work)


@pytest.fixture
def server(tmp_path):
    server = RealServer(tmp_path / "server", works=2).start()
    yield server
    server.stop()


def test_twenty_dropped_connections_resume_to_a_byte_identical_file(server, tmp_path):
    data = sample(tmp_path, 24 * 1024 * 1024)
    client = server.client()
    work, episode = server.fixture["works"][0]
    url = client.create(work, episode, len(data))
    cuts = sorted(random.Random(2026).sample(range(1, len(data)), 20))
    for cut in cuts:
        offset = client.offset(url)
        if cut <= offset:
            continue
        client.cut_patch(url, data, offset, cut)
        time.sleep(0.05)
    assert 0 < client.offset(url) < len(data)
    continue_until_done(client, url, data)
    [(name, digest, size)] = stored(server, work)
    assert size == len(data)
    assert digest == hashlib.sha256(data).hexdigest()
    assert hashlib.sha256(server.media(name).read_bytes()).hexdigest() == digest


def test_a_server_killed_mid_upload_is_continued_after_its_restart(server, tmp_path):
    data = sample(tmp_path, 64 * 1024 * 1024, seed=3)
    client = server.client()
    work, episode = server.fixture["works"][0]
    url = client.create(work, episode, len(data))
    client.patch(url, data[:20 * 1024 * 1024], 0, 20 * 1024 * 1024)

    # A PATCH of the rest is under way when the server dies.
    halfway = threading.Event()

    def slowly():
        for start in range(20 * 1024 * 1024, len(data), 1024 * 1024):
            if start >= 30 * 1024 * 1024:
                halfway.set()
                time.sleep(0.05)
            yield data[start:start + 1024 * 1024]

    sender = threading.Thread(target=lambda: _swallow(client.patch, url, slowly(), 20 * 1024 * 1024,
                                                      len(data) - 20 * 1024 * 1024))
    sender.start()
    assert halfway.wait(30)
    time.sleep(0.2)
    server.kill()
    sender.join(30)
    server.start()

    offset = client.offset(url)
    assert 20 * 1024 * 1024 <= offset < len(data)
    continue_until_done(client, url, data)
    [(name, digest, size)] = stored(server, work)
    assert digest == hashlib.sha256(data).hexdigest() and size == len(data)
    assert server.media(name).read_bytes() == data
    assert not list((server.data_dir / "partial-uploads").glob("*.part"))


def _swallow(call, *args):
    try:
        call(*args)
    except OSError:
        pass


def test_two_uploads_racing_for_one_slot_attach_whole_files_and_the_last_wins(server, tmp_path):
    first, second = sample(tmp_path, 8 * 1024 * 1024, seed=4), sample(tmp_path, 8 * 1024 * 1024, seed=5)
    work, episode = server.fixture["works"][1]
    clients = [server.client(), server.client()]
    urls = [c.create(work, episode, len(d)) for c, d in zip(clients, (first, second), strict=True)]
    for c, url, d in zip(clients, urls, (first, second), strict=True):
        c.patch(url, d[:-1024], 0, len(d) - 1024)
    results = []
    barrier = threading.Barrier(2)

    def finish(c, url, d):
        barrier.wait()
        results.append((c.patch(url, d[-1024:], len(d) - 1024, 1024).status, time.monotonic()))

    threads = [threading.Thread(target=finish, args=args)
               for args in zip(clients, urls, (first, second), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [status for status, _ in results] == [204, 204]
    rows = stored(server, work)
    digests = {hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()}
    assert {digest for _, digest, _ in rows} == digests
    for name, digest, _ in rows:
        assert hashlib.sha256(server.media(name).read_bytes()).hexdigest() == digest
    # The later of the two in the slot's order is the newest record, as for two plain uploads.
    ordered = server.query("SELECT id FROM submissions_attachment WHERE work_id = ? ORDER BY id", work)
    assert len(ordered) == 2


def test_bytes_sent_past_the_declared_content_length_are_not_stored(server, tmp_path):
    """A client that sends more than it declares: the server reads what was declared, no more."""
    data = sample(tmp_path, 2 * 1024 * 1024, seed=6)
    client = server.client()
    work, episode = server.fixture["works"][0]
    url = client.create(work, episode, len(data))
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
        head = [f"PATCH {url} HTTP/1.1", f"Host: 127.0.0.1:{server.port}", "Connection: close",
                "Content-Type: application/offset+octet-stream", "Upload-Offset: 0",
                "Content-Length: 1000", *(f"{k}: {v}" for k, v in client.headers.items())]
        raw.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + data[:1000] + b"\xff" * 5000)
        answer = raw.recv(4096)
    assert b" 204 " in answer.split(b"\r\n", 1)[0]
    assert client.offset(url) == 1000
    continue_until_done(client, url, data)
    [(name, digest, _size)] = stored(server, work)
    assert server.media(name).read_bytes() == data
    assert digest == hashlib.sha256(data).hexdigest()
