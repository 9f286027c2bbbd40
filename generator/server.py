"""cvsite serve: build into a private folder, serve it on 127.0.0.1 as GitHub Pages would, and
rebuild and reload open pages whenever a source changes.

Only files inside that folder are served (percent-decoding, '..', backslashes, NUL and symlinks
leading out are all refused). A build that fails keeps the last good site online and shows its
errors over every page until a later build succeeds.
"""

from __future__ import annotations

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
import socket
import sys
import tempfile
import threading
from dataclasses import replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from .errors import ContentError
from .memo import Memo
from .pipeline import BuildOptions, render_site

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
    """The served site: a private folder kept in step with the sources, a build epoch, the errors."""

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
        self._written: dict[str, str] = {}  # served path -> digest of what is on disk
        self._copied: dict[str, tuple] = {}  # served path -> (source, mtime, size) it was copied from
        self._swap = threading.Lock()  # held while files change, so no half-updated site is served
        self.changed = threading.Condition()

    def rebuild(self) -> bool:
        """Build and bring the served folder in step; on failure keep it as it was and record why.

        Open pages are told (a new epoch) when a served file or the errors changed."""
        self.builds += 1
        try:
            rendered = render_site(self.options, self.memo, lambda rel, sha: self._written.get(rel) == sha)
            wanted, stamps = self._contents(rendered)
            self.rendered = rendered.rendered
            self.warnings = [str(p) for p in rendered.warnings]
        except ContentError as exc:
            self.warnings = [str(p) for p in exc.warnings]
            return self._publish([str(p) for p in exc.problems], changed=False)
        except Exception as exc:  # a broken template, theme or static file must not stop the server either
            return self._publish([f"cvsite: {type(exc).__name__}: {exc}"], changed=False)
        changed = False
        with self._swap:
            for rel in set(self._written) - set(wanted):
                (self.root / rel).unlink(missing_ok=True)
                del self._written[rel]
                changed = True
            for rel, (data, digest) in wanted.items():
                if self._written.get(rel) != digest:
                    target = self.root / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    self._written[rel] = digest
                    changed = True
            self._copied = stamps
            self.has_site = True
            return self._publish([], changed)  # still holding the swap: no new page with an old version

    def _contents(self, rendered) -> tuple[dict[str, tuple[bytes, str]], dict[str, tuple]]:
        """Served path -> (bytes, digest), and the stamps of the static files; a page that was
        not rendered again is already on disk, and an unchanged static file is not read again."""
        wanted = {rel: (rendered.files.get(rel, b""), sha) for rel, sha in rendered.digests.items()}
        stamps = {}
        for rel, source in rendered.copies.items():
            st = os.stat(source)
            stamps[rel] = (str(source), st.st_mtime_ns, st.st_size)
            if self._copied.get(rel) == stamps[rel]:
                wanted[rel] = (b"", self._written[rel])
            else:
                data = Path(source).read_bytes()
                wanted[rel] = (data, hashlib.sha256(data).hexdigest())
        return wanted, stamps

    def _publish(self, errors: list[str], changed: bool = True) -> bool:
        with self.changed:
            if changed or errors != self.errors:
                self.errors = errors
                self.epoch += 1
                self.changed.notify_all()
        return not errors

    @property
    def version(self) -> str:
        """What open pages compare with their own to know they are out of date."""
        return f"{self.instance}-{self.epoch}"

    def reading(self):
        return self._swap

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def overlay(errors: list[str]) -> str:
    items = "".join(f"<li>{html.escape(e)}</li>" for e in errors)
    return (
        '<div id="cvsite-errors" role="alert" style="position:fixed;left:0;right:0;bottom:0;z-index:2147483647;'
        "max-height:60vh;overflow:auto;margin:0;padding:1rem 1.25rem;background:#3b0a0a;color:#fff;"
        'font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 -4px 16px rgba(0,0,0,.4)">'
        "<strong>cvsite could not rebuild the site; you are seeing the last good version.</strong>"
        f'<ul style="margin:.5rem 0 0;padding-left:1.25rem">{items}</ul></div>'
    )


def inject(page: bytes, version: str, errors: list[str], live: bool = True) -> bytes:
    """Add the reload script (and the error overlay) to a served HTML page, never to the files."""
    snippet = overlay(errors) if errors else ""
    if live:
        snippet += f'<script src="{RESERVED}livereload.js" data-version="{html.escape(version)}"></script>'
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
            data = inject(data, preview.version, preview.errors, preview.live)
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
        self.send_body(HTTPStatus.NOT_FOUND, TYPES[".html"], inject(data, preview.version, preview.errors, preview.live), head)

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
                    epoch, version = preview.epoch, preview.version
                if epoch != sent:
                    self.wfile.write(f"data: {version}\n\n".encode())
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
