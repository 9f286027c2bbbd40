"""`cvsite serve` under load: concurrent readers, slow and silent clients, clients that vanish
and a flood of connections while the site is being edited. Every real request must succeed and
the process must stay within bounded threads and file descriptors (read from /proc)."""

from __future__ import annotations

import http.client
import os
import socket
import sys
import threading
from pathlib import Path

import pytest

from generator.server import PreviewServer

PAPER = "content/papers/prototype-rectification-for-few-shot-learning.md"
PAGES = [
    "/",
    "/categories/",
    "/years/",
    "/papers/prototype-rectification-for-few-shot-learning/",
    "/__cvsite/status",
    "/nope/",
    "/__cvsite/livereload.js",
]

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")


def usage(pid: int) -> tuple[int, int]:
    return len(os.listdir(f"/proc/{pid}/task")), len(os.listdir(f"/proc/{pid}/fd"))


def reader(port: int, rounds: int, failures: list, done: threading.Event) -> None:
    """A browser-like client: one kept-alive connection, every page in turn."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for _ in range(rounds):
            for path in PAGES:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status not in (200, 404) or (path != "/nope/" and response.status != 200):
                    failures.append((path, response.status))
    except Exception as exc:  # noqa: BLE001 - any error is a failure the test reports
        failures.append(("exception", repr(exc)))
    finally:
        conn.close()
        done.set()


def slow_clients(port: int, count: int) -> list[socket.socket]:
    """Half-sent requests, silent connections and readers that never read: each used to hold a thread."""
    held = []
    for i in range(count):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        sock.connect(("127.0.0.1", port))
        if i % 3 == 0:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        elif i % 3 == 1:
            sock.sendall(b"GET /years/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 20)  # pipelined, never read
        held.append(sock)
    return held


def vanishing_clients(port: int, count: int) -> None:
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET /categories/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()  # reset mid-answer


def test_readers_slow_clients_floods_and_edits_together(serve, example_copy, edit):
    server = serve()
    pid, port = server.process.pid, server.port
    baseline_threads, baseline_fds = usage(pid)
    failures: list = []
    readers = [threading.Event() for _ in range(6)]
    for done in readers:
        threading.Thread(target=reader, args=(port, 8, failures, done), daemon=True).start()
    held = slow_clients(port, 12)
    vanishing_clients(port, 40)
    flood = []
    try:
        for _ in range(400):  # more than the server takes at once: the rest are closed, not threaded
            try:
                flood.append(socket.create_connection(("127.0.0.1", port), timeout=5))
            except OSError:
                break
        peak = usage(pid)
        for sock in flood:
            sock.close()
        flood.clear()
        title = "title: Prototype Rectification"
        for n in range(3):  # edits while all of the above is going on
            new = f"title: Prototype Rectification v{n}"
            edit(example_copy / PAPER, title, new)
            title = new
            server.wait_for(lambda n=n: f"Prototype Rectification v{n}" in server.get(PAGES[3], timeout=60)[2], timeout=60)
            peak = max(peak, usage(pid))
        for done in readers:
            assert done.wait(120), "a reader never finished"
        peak = max(peak, usage(pid))
    finally:
        for sock in held + flood:
            sock.close()
    assert failures == []
    threads, fds = peak
    assert threads <= baseline_threads + PreviewServer.max_workers, peak
    assert fds <= baseline_fds + PreviewServer.max_connections + 8, peak
    assert server.get("/")[0] == 200 and server.status()["errors"] == []
    server.stop()
    err = server.process.stderr.read()
    assert "Traceback" not in err and "Error" not in err, err
    assert sys.platform == "linux"
