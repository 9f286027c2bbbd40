"""Shared fixtures: tiny sites written from a dict, and the repository's example site."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from generator.pipeline import BuildOptions, build

REPO = Path(__file__).resolve().parent.parent

PROFILE = """\
---
name: Ada Lovelace
headline: Analyst
---
Writes about engines.
"""

PAPER = """\
---
title: A Paper
authors:
  - Ada Lovelace
  - Charles Babbage
date: 2023-05-01
category: CV
---
An abstract.
"""


@pytest.fixture(autouse=True, scope="session")
def _private_cache_key(tmp_path_factory):
    """The build cache's signing key goes to a test folder, not the user's ~/.cache."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path):
    """make_site({'content/papers/x.md': '...'}) -> a site folder with a profile and site.yaml."""

    def make(files: dict[str, str | bytes] | None = None, *, with_defaults: bool = True) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        base = {"site.yaml": "title: Test Site\n", "content/profile.md": PROFILE} if with_defaults else {}
        return write_files(root, base | (files or {}))

    return make


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The example site in content/, built once into a temp folder (the checkout stays clean)."""
    out = tmp_path_factory.mktemp("example") / "output"
    build(BuildOptions(REPO, out, cache=False))  # no build cache in the checkout
    return out


@pytest.fixture
def example_copy(tmp_path) -> Path:
    """A private copy of the example site that a test may edit."""
    root = tmp_path / "example"
    root.mkdir()
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    return root


class ServeProcess:
    """`cvsite serve` running as a real process on a free port."""

    def __init__(self, site: Path, tmp: Path, *args: str):
        import os
        import socket
        import subprocess
        import sys

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.tmp = tmp
        tmp.mkdir(exist_ok=True)
        env = dict(os.environ, PYTHONPATH=str(REPO), TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--site", str(site), "--port", str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        line = self._first_line(timeout=60)
        assert "Serving" in line, line + self.process.stderr.read()
        self.url = line.split(" at ", 1)[1].split(" ", 1)[0]
        self.origin = f"http://127.0.0.1:{self.port}"

    def _first_line(self, timeout: float) -> str:
        """The line the server prints with its address; a server that hangs at start fails the test."""
        import threading

        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not lines:
            self.process.kill()
            raise AssertionError(f"cvsite serve printed nothing in {timeout} s")
        return lines[0]

    def get(self, path: str, timeout: float = 10):
        """(status, headers, body text) of a GET, errors included."""
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(self.origin + path, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode("utf-8", "replace")

    def status(self) -> dict:
        import json

        return json.loads(self.get("/__cvsite/status")[2])

    def wait_for(self, predicate, timeout: float = 20.0):
        """Poll until predicate() is truthy; bounded, no fixed sleeps."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("condition not met in time")

    def stop(self, sig=None) -> int:
        import signal
        import subprocess

        if self.process.poll() is None:
            self.process.send_signal(sig or signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture
def serve(example_copy, tmp_path):
    """serve(*args) starts `cvsite serve` on a copy of the example site; stopped after the test."""
    started = []

    def start(*args: str) -> ServeProcess:
        proc = ServeProcess(example_copy, tmp_path / f"tmp{len(started)}", *args)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def edit():
    """edit(path, old, new): change a source file the way an editor would, checking old is there."""

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        path.write_text(text.replace(old, new), encoding="utf-8")

    return replace
