"""cvsite serve: build into a private folder, serve it on 127.0.0.1 as GitHub Pages would, and
rebuild and reload open pages whenever a source changes.

Only files inside that folder are served (percent-decoding, '..', backslashes, NUL and symlinks
leading out are all refused). A build that fails keeps the last good site online and shows its
errors over every page until a later build succeeds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import html
import ipaddress
import json
import mimetypes
import os
import posixpath
import queue
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from . import cv_pdf, incremental, urls
from .errors import ContentError
from .memo import Memo
from .memo import using as _using
from .pipeline import BuildOptions, RenderedSite, render_site
from .render import render_page
from .write import FileState, replace_files, update_in_place

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from .model import Page

RESERVED = "/__cvsite/"
TEMP_PREFIX = "cvsite-serve-"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".bib": "text/plain; charset=utf-8",
    "": "application/octet-stream",
}


def content_type(path: str) -> str:
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in TYPES:
        return TYPES[suffix]
    return mimetypes.guess_type(path)[0] or TYPES[""]


LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")


def host_name(header: str) -> str:
    """'Example.org:8000' -> 'example.org'; '[::1]:8000' -> '::1'."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def host_allowed(header: str | None, allowed: frozenset[str] | None) -> bool:
    """DNS rebinding defence: a page on evil.example whose name now resolves to 127.0.0.1 sends
    Host: evil.example. Names must be allowed; an IP address in Host cannot be rebound, so it
    always is (it is how other machines reach a preview on --host 0.0.0.0). None allows all."""
    if allowed is None or header is None:  # no Host: an HTTP/1.0 tool, not a browser
        return True
    name = host_name(header)
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return name.rstrip(".") in allowed


def allowed_hosts(host: str, extra: str | None) -> frozenset[str] | None:
    """localhost, 127.0.0.1, ::1, the --host given and --allowed-hosts (comma-separated; 'all'
    turns the check off)."""
    names = {n.strip().lower().strip("[]").rstrip(".") for n in (extra or "").split(",") if n.strip()}
    if "all" in names:
        return None
    return frozenset(names | set(LOCAL_NAMES) | {host.lower().strip("[]")})


def normalise_prefix(value: str) -> str:
    """'/repo', 'repo/' or a full URL -> '/repo/'; '' -> '/'."""
    path = urlsplit(value).path if "://" in value else value
    path = "/" + path.strip("/")
    return path if path == "/" else path + "/"


class Preview:
    """The served site: a private folder kept in step with the sources, a build epoch, the errors.

    The folder is written by the build's own output layer (write.update_in_place, as a cached
    `cvsite build` updates its output folder; write.replace_files for the few pages of an edit),
    and everything the stages made is kept in memory between rebuilds, so that saving a paper
    costs what that paper feeds (incremental.edit_papers): its record is read and validated
    again; its own pages and the home page are rendered, written and announced first, then the
    other listings holding it; the pages showing every paper (CV, search data, bibliography
    files, feeds) are rendered by a process that follows the edits (Renderer), while the server
    goes on serving and watching. Every open page is told which files changed (changes), so a
    tab reloads only when its own page, or a file it uses, did."""

    # Every message carries the changes of the last HISTORY epochs (a page older than that
    # reloads); more than EVERYTHING files changed are sent as "every page", so a message stays
    # a few kilobytes whatever the size of the site.
    HISTORY = 16
    EVERYTHING = 500

    def __init__(self, options: BuildOptions, temp_root: str | None = None):
        self.options = options
        self.root = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=temp_root)).resolve()
        self.memo = Memo()  # every stage's results, kept for the whole run
        self.rendered = 0  # pages the last build rendered (the others were unchanged)
        self.instance = secrets.token_hex(4)  # a restarted server's epochs differ from this one's
        self.epoch = 0
        self.builds = 0
        self.errors: list[str] = []
        self.warnings: list[str] = []  # of the last build: printed by cvsite serve, never shown over pages
        self.has_site = False
        self.live = True  # inject the live-reload script (off with --no-reload)
        self.changes: list[tuple[int, list[str] | None]] = []  # (epoch, files it changed; None: every page)
        self._state: dict[str, FileState] = {}  # served path -> its file as written (write.py)
        self._site: RenderedSite | None = None  # the last good build: what an edit is remade from
        self._places: incremental.Places | None = None  # where each record is in _site
        # served path -> (the edit that left it, page) still to render for _site (see Renderer)
        self._later: dict[str, tuple[int, Page]] = {}
        self._renderer = Renderer(self.root)
        self._swap = threading.RLock()  # held while files change, so no half-updated site is served
        self.changed = threading.Condition()

    @property
    def pending(self) -> int:
        """Pages still being rendered after an edit (0: the folder equals a clean build)."""
        return len(self._later)

    def rebuild(self, changed: set[Path] | None = None) -> bool:
        """Build and bring the served folder in step; on failure keep it as it was and record why.
        changed: the paths saved since the last rebuild (None: unknown, build everything that is
        not known to be current, as `cvsite build` does with its cache).

        Open pages are told (a new epoch) when a served file or the errors changed."""
        self.builds += 1
        if changed is not None and self._site is not None and not self.errors:
            edit = self._edit(changed)
            if edit is not None:
                return self._apply(*edit)
        return self._rebuild_all()

    def _edit(self, changed: set[Path]):
        """The edit of the saved papers, the bytes it read, and its first pages rendered; None
        when it is more than an edit of papers (the whole build then makes and reports it)."""
        from .load import _read_bytes
        from .memo import using

        assert self._site is not None and self._places is not None
        records: dict[Path, bytes] = {}  # what the edit read: the renderer remakes it from the same bytes

        def read(path: Path) -> bytes:
            records[path] = data = _read_bytes(path)
            return data

        try:
            with using(self.memo):
                edit = incremental.edit_papers(self._site, self.options.site_root, changed, self._places, self.options.drafts, read)
                if edit is None or (self.options.strict and edit.rendered.warnings):
                    return None
                first = render_pages(edit.rendered, edit.first)
            self.memo.keep()
        except Exception:  # noqa: BLE001 - a template error: the whole build reports it, located
            return None
        return edit, records, first

    def _apply(self, edit: incremental.PaperEdit, records: dict[Path, bytes], first: dict[str, bytes]) -> bool:
        """Write and announce the edit's first pages (the paper's own, the home page), hand the
        edit to the renderer for the pages showing every paper, then write the other listings
        holding the papers. Nothing here forks or waits for another process."""
        with self._swap:
            self._site = edit.rendered
            self.warnings = [str(p) for p in edit.rendered.warnings]
            self._write(first)
        self.rendered = len(first)
        if not edit.now and not edit.later:
            return True  # saved unchanged
        with self._swap:  # before its answer can come (_done takes the lock too)
            generation = self._renderer.send(records)
            self._later.update((urls.output_path(page.url), (generation, page)) for page in edit.later)
        try:
            with _using(self.memo):
                rest = render_pages(edit.rendered, edit.next)
            self.memo.keep()
        except Exception:  # noqa: BLE001 - as above: the whole build reports it
            return self._rebuild_all()
        with self._swap:
            self._write(rest)
        self.rendered += len(rest)
        if not self._renderer.forks and edit.later:  # no renderer process (no fork): render them here
            self._render_here(generation)
        return True

    def _write(self, files: dict[str, bytes]) -> None:
        """Write the files whose bytes changed and announce them (the caller holds the swap lock)."""
        fresh = {rel: data for rel, data in files.items() if self._state.get(rel, ("",))[0] != hashlib.sha256(data).hexdigest()}
        written = replace_files(self.root, fresh)
        self._state.update(written)
        self._publish([], set(written))

    def _render_here(self, generation: int) -> None:
        assert self._site is not None
        folder = Path(tempfile.mkdtemp(prefix="cvsite-later-", dir=self.root.parent))
        try:
            made = answer(folder, {rel: page for rel, (_, page) in self._later.items()}, self._site)
            assert made is not None  # nothing stops it
            self._done(None, generation, folder, made)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _done(self, child: int | None, generation: int, folder: Path | None, made: dict[str, str] | str) -> None:
        """What the renderer made for the edits up to generation: moved into the served folder."""
        with self._swap:
            if child is not None and not self._renderer.is_current(child):
                return  # stopped for a whole build, which writes every page itself
            if isinstance(made, str):  # the next rebuild builds everything and says where
                self._publish([f"cvsite: {made}"], set())
                return
            assert folder is not None
            changed = set()
            for rel, sha in made.items():
                if self._state.get(rel, ("",))[0] != sha:
                    self._state.update(move_in(self.root, rel, folder / rel, sha))
                    changed.add(rel)
            # an answer may hold part of the pages (cv.pdf comes in one of its own)
            self._later = {rel: (gen, page) for rel, (gen, page) in self._later.items() if gen > generation or rel not in made}
            self._publish([], changed)

    def _rebuild_all(self) -> bool:
        self._renderer.stop()  # it follows the site of the last whole build: a new one is started below
        gc.unfreeze()  # what the last whole build made may be garbage now (see below)
        try:  # (cv.pdf compiles in a fresh process: Typst's memory is not kept by the server)
            rendered = render_site(self.options, self.memo, lambda rel, sha: self._state.get(rel, ("",))[0] == sha)
            self.rendered = rendered.rendered
            self.warnings = [str(p) for p in rendered.warnings]
        except ContentError as exc:
            self.warnings = [str(p) for p in exc.warnings]
            return self._publish([str(p) for p in exc.problems], set())
        except Exception as exc:  # a broken template, theme or static file must not stop the server either
            return self._publish([f"cvsite: {type(exc).__name__}: {exc}"], set())
        with self._swap:
            before = self._state
            try:
                self._state = update_in_place(self.root, rendered.files, rendered.digests, rendered.copies, before, manifest=False)
            except OSError as exc:
                self._state = {rel: state for rel, state in before.items() if (self.root / rel).is_file()}
                return self._publish([f"cvsite: cannot write the preview: {exc}"], set())
            changed = {rel for rel in before.keys() | self._state.keys() if before.get(rel, ("",))[0] != self._state.get(rel, ("",))[0]}
            # kept for edits, without the bytes of every page: the folder and _state have them
            self._site = dataclasses.replace(rendered, files={}, digests={}, copies={}, deferred={})
            self._places = incremental.places(rendered)
            self._later = {}
            self.has_site = True
            self._publish([], changed)  # still holding the swap: no new page with an old version
        if not self.live:  # --no-reload: nothing is watched, so no edit will come to render
            return True
        ready(self._site)  # before the fork: the renderer inherits it
        gc.freeze()  # what the build made lives on: later collections skip it (and the renderer shares it)
        self._renderer.start(self._site, self._places, self.options, self.memo, self._done)
        incremental.touch(self._site)
        return True

    def _publish(self, errors: list[str], changed: set[str]) -> bool:
        with self.changed:
            if changed or errors != self.errors:
                every = errors != self.errors or len(changed) > self.EVERYTHING  # the overlay is on every page
                self.errors = errors
                self.epoch += 1
                self.changes = [*self.changes[-self.HISTORY + 1 :], (self.epoch, None if every else sorted(changed))]
                self.changed.notify_all()
        return not errors

    def settle(self, timeout: float = 600) -> bool:
        """Wait until the pages left for later are rendered (tests, scripts); False on timeout."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self._later and time.monotonic() < deadline:
                self.changed.wait(0.05)
        return not self._later

    def message(self) -> str:
        """What the event stream sends: the version and the files the recent epochs changed."""
        with self.changed:
            changes = [[epoch, files] for epoch, files in self.changes]
            return json.dumps({"version": self.version, "changes": changes}, separators=(",", ":"))

    @property
    def version(self) -> str:
        """What open pages compare with their own to know they are out of date."""
        return f"{self.instance}-{self.epoch}"

    def reading(self):
        return self._swap

    def close(self) -> None:
        self._renderer.close()
        shutil.rmtree(self.root, ignore_errors=True)


def move_in(root: Path, rel: str, made: Path, sha: str) -> dict[str, FileState]:
    """A file rendered aside (Renderer) renamed into its place: readers see the old or the new."""
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(made, target)
    st = os.stat(target)
    return {rel: (sha, st.st_size, st.st_mtime_ns)}


def ready(site: RenderedSite) -> None:
    """Compile every template the site's pages use and draw the home page's chart, once per
    whole build, so that the first edit after it costs what the others do (a whole build may
    have rendered those pages in worker processes only)."""
    from . import charts

    env = site.env
    assert env is not None
    for template in sorted({page.template for page in site.model.pages if page.template}):
        env().get_template(template)
    charts.papers_per_year(site.model)


def render_pages(site: RenderedSite, pages) -> dict[str, bytes]:
    """Served path -> bytes of each page, from the site's model and templates."""
    env, model = site.env, site.model
    assert env is not None
    return {urls.output_path(page.url): render_page(page, model, env()) for page in pages}


def render_later(site: RenderedSite, page: Page) -> bytes:
    """A page showing every paper; the CV's PDF compiles in a fresh process (Typst's threads do
    not survive a fork)."""
    env, model = site.env, site.model
    assert env is not None
    if page.kind == "cv_pdf":
        loader = env().loader
        assert loader is not None
        return cv_pdf.render_pdf(model, loader.get_source(env(), "cv.typ")[0], cv_pdf.compile_apart)
    return render_page(page, model, env())


def answer(folder: Path, pages: dict[str, Page], site: RenderedSite, stop=lambda: False) -> dict[str, str] | str | None:
    """Served path -> sha256 of each page, written below folder; why they could not be made (a
    str); None when stop() said a newer edit came first."""
    made: dict[str, str] = {}
    try:
        for rel, page in sorted(pages.items()):
            if stop():
                return None
            made.update((rel, state[0]) for rel, state in replace_files(folder, {rel: render_later(site, page)}).items())
    except ContentError as exc:
        return "; ".join(str(p) for p in exc.problems)
    except Exception as exc:  # noqa: BLE001 - told to the preview, which shows it
        return f"{type(exc).__name__}: {exc}"
    return made


class Renderer:
    """Renders the pages showing every paper (the CV and its PDF, search data, bibliography
    files, feeds, sitemap) in a process of its own, at low priority, so they never delay the next
    edit. It is forked once per whole build and so starts with the same site in memory; each
    edit's saved records are sent to it and it remakes the same edit from the same bytes
    (incremental.edit_papers is a function of them), then renders every page the edits since its
    last answer left for later, starting over when a newer edit arrives. An edit never forks:
    forking a process of a large site copies its page tables while every thread waits, tens of
    milliseconds at 10,000 papers, and the pages it shares then fault when written.
    Without fork (Windows), the preview renders those pages itself (`forks` is False)."""

    forks = hasattr(os, "fork")

    def __init__(self, root: Path):
        self.parent = root.parent
        self.generation = 0  # of the last edit sent
        self._child: int | None = None
        self._outbox: queue.SimpleQueue | None = None  # edits for the renderer (see _send_all)
        self._waiters: list[threading.Thread] = []
        self._lock = threading.Lock()

    def is_current(self, child: int) -> bool:
        with self._lock:
            return child == self._child

    def start(self, site: RenderedSite, places: incremental.Places, options: BuildOptions, memo: Memo, done) -> None:
        """Fork the renderer of this site (call with no other renderer running); done(child,
        generation, folder, made) is called from a thread with each answer."""
        if not self.forks:
            return
        from multiprocessing import Pipe

        commands_in, commands_out = Pipe(duplex=False)
        answers_in, answers_out = Pipe(duplex=False)
        with self._lock:
            pid = os.fork()
            if pid == 0:  # the renderer: follow the edits until the preview closes the pipe or kills it
                code = 1
                try:
                    os.setpgid(0, 0)
                    os.nice(10)  # the preview's own work goes first
                    commands_out.close()
                    answers_in.close()
                    follow(commands_in, answers_out, site, places, options, memo, self.parent, self.generation)
                    code = 0
                finally:
                    os._exit(code)
            commands_in.close()
            answers_out.close()
            with contextlib.suppress(OSError):  # set on both sides: a stop at once still finds the group
                os.setpgid(pid, pid)
            self._child, self._outbox = pid, queue.SimpleQueue()
        waiter = threading.Thread(target=self._wait, args=(pid, answers_in, done), name="cvsite-renderer", daemon=True)
        sender = threading.Thread(target=self._send_all, args=(self._outbox, commands_out), name="cvsite-renderer-in", daemon=True)
        self._waiters = [w for w in self._waiters if w.is_alive()] + [waiter, sender]
        waiter.start()
        sender.start()

    @staticmethod
    def _send_all(outbox: queue.SimpleQueue, commands: Connection) -> None:
        """Edits go to the renderer from a thread of their own: while it compiles cv.pdf it reads
        none, and a full pipe must block this thread, never an edit."""
        try:
            while (edit := outbox.get()) is not None:
                commands.send(edit)
        except OSError:
            pass  # it died: its waiter says so
        finally:
            commands.close()

    def send(self, records: dict[Path, bytes]) -> int:
        """Hand an edit (the records it read) to the renderer; its generation."""
        with self._lock:
            self.generation += 1
            if self._outbox is not None:
                self._outbox.put((self.generation, records))
            return self.generation

    def _wait(self, pid: int, answers: Connection, done) -> None:
        try:
            while True:
                try:
                    generation, folder, made = answers.recv()
                except (EOFError, OSError):
                    break
                try:
                    done(pid, generation, Path(folder) if folder else None, made)
                except Exception as exc:  # noqa: BLE001 - one line, and the thread waits for the next answer
                    sys.stderr.write(f"cvsite: rendering in the background failed: {type(exc).__name__}: {exc}\n")
                finally:
                    if folder:  # none with an answer saying why nothing was made
                        shutil.rmtree(folder, ignore_errors=True)
        finally:
            answers.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            for folder in self.parent.glob(f"cvsite-later-{pid}-*"):  # what a killed renderer left
                shutil.rmtree(folder, ignore_errors=True)
            if self.is_current(pid):  # it ended on its own: the next rebuild builds everything
                done(pid, self.generation, None, "rendering in the background stopped; the next rebuild builds the whole site")

    def stop(self) -> None:
        with self._lock:
            pid, self._child = self._child, None
            outbox, self._outbox = self._outbox, None
        if pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # its own group: it and the compiler it started
        if outbox is not None:
            outbox.put(None)  # its sender closes the pipe

    def close(self) -> None:
        self.stop()
        for waiter in self._waiters:
            waiter.join(10)  # the killed renderer reaped and its folders removed


def follow(
    commands: Connection, answers: Connection, site: RenderedSite, places, options: BuildOptions, memo: Memo, parent: Path, generation: int
) -> None:
    """The renderer's loop: apply each edit as the preview did, render the pages left for later
    into a folder of their own and answer (generation, folder, served path -> sha256)."""
    from .memo import using

    pending: dict[str, Page] = {}
    while True:
        if not pending or commands.poll():
            try:
                message = commands.recv()
            except (EOFError, OSError):
                return  # the preview closed the pipe or ended
            generation, records = message
            with using(memo):
                edit = incremental.edit_papers(
                    site,
                    options.site_root,
                    set(records),
                    places,
                    options.drafts,
                    records.__getitem__,  # the bytes the preview read, whatever the file holds now
                )
            memo.keep()
            if edit is None:
                answers.send((generation, None, "the background renderer could not follow an edit; the next rebuild builds the whole site"))
                return
            site = edit.rendered
            pending.update((urls.output_path(page.url), page) for page in edit.later)
            continue
        # cv.pdf (seconds of Typst at 10,000 papers) comes last, in an answer of its own
        part = {rel: page for rel, page in pending.items() if page.kind != "cv_pdf"} or pending
        folder = Path(tempfile.mkdtemp(prefix=f"cvsite-later-{os.getpid()}-", dir=parent))
        with using(memo):  # the pages of every paper are joined from the per-paper parts it keeps
            made = answer(folder, part, site, commands.poll)
        if made is None:  # a newer edit: render everything again from it
            shutil.rmtree(folder, ignore_errors=True)
            continue
        answers.send((generation, str(folder), made))
        pending = {} if isinstance(made, str) else {rel: page for rel, page in pending.items() if rel not in part}


def overlay(errors: list[str]) -> str:
    items = "".join(f"<li>{html.escape(e)}</li>" for e in errors)
    return (
        '<div id="cvsite-errors" role="alert" style="position:fixed;left:0;right:0;bottom:0;z-index:2147483647;'
        "max-height:60vh;overflow:auto;margin:0;padding:1rem 1.25rem;background:#3b0a0a;color:#fff;"
        'font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 -4px 16px rgba(0,0,0,.4)">'
        "<strong>cvsite could not rebuild the site; you are seeing the last good version.</strong>"
        f'<ul style="margin:.5rem 0 0;padding-left:1.25rem">{items}</ul></div>'
    )


def inject(page: bytes, version: str, errors: list[str], live: bool = True, file: str = "", prefix: str = "/") -> bytes:
    """Add the reload script (and the error overlay) to a served HTML page, never to the files.
    file is the served file the page is (its path in the site), prefix the path the site is
    served under: the script reloads the page only when that file, or one it uses, changed."""
    snippet = overlay(errors) if errors else ""
    if live:
        attributes = f'data-version="{html.escape(version)}" data-file="{html.escape(file)}" data-prefix="{html.escape(prefix)}"'
        snippet += f'<script src="{RESERVED}livereload.js" {attributes}></script>'
    at = page.lower().rfind(b"</body>")  # bytes: a page in another encoding passes through intact
    at = at if at >= 0 else len(page)
    return page[:at] + snippet.encode("utf-8") + page[at:]


NO_SITE = b"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>cvsite</title></head><body></body></html>"


class Handler(BaseHTTPRequestHandler):
    server_version = "cvsite"
    protocol_version = "HTTP/1.1"
    preview: Preview
    prefix: str
    quiet: bool = True
    allowed: frozenset[str] | None = frozenset(LOCAL_NAMES)
    timeout = 10  # seconds a connection may stay silent (idle keep-alive, slow headers) holding a worker
    max_body = 64 * 1024  # a request body up to this is read and discarded; a larger one closes the connection
    server: PreviewServer

    def log_message(self, fmt, *args):
        if not self.quiet:
            sys.stderr.write(f"{self.address_string()} - {fmt % args}\n")

    def refused(self) -> bool:
        """Answer, and True, for a request that is not served: a Host not allowed. A request
        body is consumed first (or the connection closed), so it is never read as a request."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # chunked: not worth decoding to discard
        else:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > self.max_body:
                self.close_connection = True
            elif length:
                self.rfile.read(length)
        if not host_allowed(self.headers.get("Host"), self.allowed):
            self.close_connection = True
            self.send_plain(
                HTTPStatus.FORBIDDEN,
                "this preview answers only to localhost and the --host it listens on; add the name with --allowed-hosts",
            )
            return True
        return False

    def send_response(self, code, message=None):
        super().send_response(code, message)
        if self.close_connection:
            self.send_header("Connection", "close")

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head: bool = False):
        if self.refused():
            return
        target = self.path
        if not target.startswith("/"):  # absolute-form (http://host/...) or '*': not for a file server
            return self.send_plain(HTTPStatus.BAD_REQUEST, "bad request target")
        raw_path = target.split("?", 1)[0].split("#", 1)[0]
        if raw_path.startswith(RESERVED):
            return self.reserved(raw_path[len(RESERVED) :], head)
        path = unquote(raw_path)
        if "\x00" in path or "\\" in path:
            return self.not_found(head)
        segments = path.split("/")
        if ".." in segments or "." in segments or "" in segments[1:-1]:  # also '//': no absolute paths
            return self.not_found(head)
        if path + "/" == self.prefix or (path == "/" and self.prefix != "/"):
            return self.redirect(self.prefix)
        if not path.startswith(self.prefix):
            return self.not_found(head)
        self.serve_file(path[len(self.prefix) :], path, head)

    def do_POST(self):
        if self.refused():
            return
        self.send_plain(HTTPStatus.METHOD_NOT_ALLOWED, "method not allowed", extra={"Allow": "GET, HEAD"})

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    def serve_file(self, rel: str, path: str, head: bool) -> None:
        preview = self.preview
        with preview.reading():
            if not preview.has_site:
                return self.send_body(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    "text/html; charset=utf-8",
                    inject(NO_SITE, preview.version, preview.errors, preview.live),
                    head,
                )
            root = preview.root
            candidate = root / rel
            if candidate.is_dir() and rel and not rel.endswith("/"):
                return self.redirect(path + "/")
            if rel == "" or rel.endswith("/"):
                candidate = candidate / "index.html"
            real = Path(os.path.realpath(candidate))
            if real != root and root not in real.parents:
                return self.send_plain(HTTPStatus.FORBIDDEN, "forbidden")
            if not real.is_file():
                return self.not_found(head, locked=True)
            data = real.read_bytes()
        ctype = content_type(real.name)
        if ctype.startswith("text/html"):
            data = inject(data, preview.version, preview.errors, preview.live, real.relative_to(root).as_posix(), self.prefix)
        self.send_body(HTTPStatus.OK, ctype, data, head)

    def not_found(self, head: bool, locked: bool = False) -> None:
        """The site's own 404.html, with status 404 (locked: the caller holds the swap lock)."""
        page = self.preview.root / "404.html"
        if not locked:
            with self.preview.reading():
                data = page.read_bytes() if page.is_file() else None
        else:
            data = page.read_bytes() if page.is_file() else None
        if data is None:
            return self.send_plain(HTTPStatus.NOT_FOUND, "not found")
        preview = self.preview
        body = inject(data, preview.version, preview.errors, preview.live, "404.html", self.prefix)
        self.send_body(HTTPStatus.NOT_FOUND, TYPES[".html"], body, head)

    def reserved(self, name: str, head: bool) -> None:
        if name == "livereload.js":
            script = resources.files("generator").joinpath("livereload.js").read_bytes()
            return self.send_body(HTTPStatus.OK, TYPES[".js"], script, head)
        if name == "status":
            preview = self.preview
            status = {
                "epoch": preview.epoch,
                "version": preview.version,
                "builds": preview.builds,
                "errors": preview.errors,
                "warnings": preview.warnings,
                "pending": preview.pending,  # pages an edit changed that are still being rendered
            }
            return self.send_body(HTTPStatus.OK, TYPES[".json"], json.dumps(status).encode(), head)
        if name == "events":
            return self.events(head)
        self.send_plain(HTTPStatus.NOT_FOUND, "not found")

    def events(self, head: bool = False) -> None:
        """Server-Sent Events: the site's version now, then each new one; a comment keeps it alive."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if head:
            return
        preview, sent = self.preview, None
        try:
            while not self.server.stopping.is_set():
                with preview.changed:
                    if preview.epoch == sent:
                        preview.changed.wait(15)
                    epoch = preview.epoch
                if epoch != sent:
                    self.wfile.write(f"data: {preview.message()}\n\n".encode())
                    sent = epoch
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", quote(location))  # the path was decoded: headers are ASCII
        self.send_header("Content-Length", "0")
        self.end_headers()

    def send_plain(self, status: HTTPStatus, message: str, extra: dict | None = None) -> None:
        body = f"{status.value} {message}\n".encode()
        self.send_response(status)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", TYPES[".txt"])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_body(self, status: HTTPStatus, ctype: str, data: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(data)


class PreviewServer(HTTPServer):
    """Connections are served by a bounded pool of worker threads (started as needed); a
    connection beyond max_connections (served or waiting for a worker) is closed at once, so no
    number of clients can exhaust threads or file descriptors."""

    RequestHandlerClass: type[Handler]
    stopping: threading.Event
    allow_reuse_address = True
    request_queue_size = 64
    max_workers = 32
    max_connections = 256

    def __init__(self, address, preview: Preview, prefix: str, quiet: bool = True, allowed: frozenset[str] | None = frozenset(LOCAL_NAMES)):
        handler = type("BoundHandler", (Handler,), {"preview": preview, "prefix": prefix, "quiet": quiet, "allowed": allowed})
        self.stopping = threading.Event()
        self._slots = threading.BoundedSemaphore(self.max_connections)
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._pool_lock = threading.Lock()
        self._workers = self._idle = self._pending = 0
        if ":" in address[0]:  # --host ::1
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # over the cap: the client sees the connection closed
            return
        with self._pool_lock:
            self._pending += 1
            if self._pending > self._idle and self._workers < self.max_workers:
                self._workers += 1
                threading.Thread(target=self._work, name=f"cvsite-worker-{self._workers}", daemon=True).start()
        self._jobs.put((request, client_address))

    def _work(self) -> None:
        """Daemon threads: an open event stream never keeps the process alive."""
        while True:
            with self._pool_lock:
                self._idle += 1
            request, client_address = self._jobs.get()
            with self._pool_lock:
                self._idle -= 1
                self._pending -= 1
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 - as socketserver does: one failed request must not end a worker
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
                self._slots.release()

    def handle_error(self, request, client_address) -> None:
        """A client that went away (closed tab, timeout) is normal: nothing is printed. Anything
        else is one line, never a traceback."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        sys.stderr.write(f"cvsite: a request from {client_address[0]} failed: {type(exc).__name__}: {exc}\n")

    def serve_forever(self, poll_interval: float = 0.1) -> None:  # stop() returns sooner
        super().serve_forever(poll_interval)

    def stop(self) -> None:
        self.stopping.set()
        with self.RequestHandlerClass.preview.changed:
            self.RequestHandlerClass.preview.changed.notify_all()
        self.shutdown()
        self.server_close()


def preview_options(options: BuildOptions, host: str, port: int, prefix: str) -> BuildOptions:
    """Absolute URLs (404 page, feeds, canonical) point at the preview itself."""
    shown = f"[{host}]" if ":" in host else host
    return replace(options, base_url=f"http://{shown}:{port}{prefix}")
