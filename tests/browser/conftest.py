"""Playwright driving Debian's Chromium (/usr/bin/chromium); browsers are never downloaded.

Outside CI the browser tests skip when Chromium or Playwright is missing; with CI=true they fail.
"""

from __future__ import annotations

import os
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CVSITE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def serve_dir():
    """serve_dir(folder, prefix='/repo/') -> base URL; the folder is served under prefix as on GitHub Pages."""
    servers = []
    mounts = []

    def start(folder: Path, prefix: str = "/") -> str:
        import tempfile

        mount = Path(tempfile.mkdtemp())
        target = mount / prefix.strip("/") if prefix.strip("/") else mount
        target.parent.mkdir(parents=True, exist_ok=True)
        if target == mount:
            mount.rmdir()
            mount = folder
        else:
            mounts.append(mount)
            target.symlink_to(Path(folder).resolve(), target_is_directory=True)
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(mount)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{prefix}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
    for mount in mounts:
        shutil.rmtree(mount, ignore_errors=True)


@pytest.fixture(scope="session")
def published(tmp_path_factory, serve_dir):
    """published(site, theme) -> (output folder, base URL): one of tests/e2e/sites.py's sites built in
    a theme for https://user.github.io/repo/ (as the Pages workflow builds it: canonical URLs,
    feeds, OpenGraph) and served under /repo/; each built once per session, for every module."""
    from e2e.sites import write_site

    from generator.pipeline import BuildOptions, build

    built: dict[tuple[str, str], tuple[Path, str]] = {}

    def get(site: str, theme: str = "default") -> tuple[Path, str]:
        if (site, theme) not in built:
            root = tmp_path_factory.mktemp(f"{site}-{theme}")
            out = root / "output"
            build(BuildOptions(write_site(site, root / "site", theme), out, base_url="https://user.github.io/repo/", cache=False))
            built[(site, theme)] = out, serve_dir(out, "/repo/")
        return built[(site, theme)]

    return get
