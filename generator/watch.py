"""Watching a site for changes: which paths matter, and turning bursts of events into one rebuild.

An editor's save (write a temp file, rename, touch a backup) or a `git checkout` produces many
events; the Debouncer waits until the events have been quiet for `delay` seconds and then hands
over everything that changed as one batch (or after `max_wait` seconds, if they never stop). A
save is a few events within milliseconds, so `delay` is short; once a batch has more events than
a save makes (a checkout, a script), it waits for BURST_DELAY of quiet instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch
from watchdog.observers.polling import PollingObserver

from .config import builtin_dir

DEFAULT_DELAY = 0.01  # seconds of quiet before a rebuild: an editor's save is a few events within a millisecond or two
BURST = 8  # more events than a save makes: a checkout or a script; then wait for BURST_DELAY of quiet
BURST_DELAY = 0.2
DEFAULT_MAX_WAIT = 2.0  # seconds: a file rewritten without pause still gets rebuilds
SOURCE_DIRS = ("content", "templates", "themes", "static")  # watched recursively, under the site root
EDITOR_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".bak", ".part", ".crdownload", ".kate-swp", "___jb_tmp___", "___jb_old___")
IGNORED_DIRS = {"__pycache__", "node_modules", ".git"}


def is_ignored(path: Path, ignore_under: Iterable[Path] = (), roots: Iterable[Path] = ()) -> bool:
    """Editor droppings, hidden files and anything under the output folder never trigger a rebuild.

    Only the part of the path below the watched folder holding it (the deepest of roots) is
    looked at, so a site that lives in a hidden folder (~/.cv/) is still watched."""
    if any(path == folder or folder in path.parents for folder in ignore_under):
        return True
    holders = [root for root in roots if root in path.parents]
    parts = path.relative_to(max(holders, key=lambda r: len(r.parts))).parts if holders else path.parts
    if any(part.startswith(".") or part in IGNORED_DIRS for part in parts):
        return True
    name = path.name
    return name.endswith(EDITOR_SUFFIXES) or (name.startswith("#") and name.endswith("#")) or name == "4913"


def watched_paths(site_root: Path) -> list[tuple[Path, bool]]:
    """(path, recursive) pairs: content, templates, themes, static, site.yaml, and the built-in
    templates and themes when cvsite runs from a checkout (an installed copy never changes)."""
    found: list[tuple[Path, bool]] = [(site_root, False)]  # site.yaml
    for name in SOURCE_DIRS:
        found.append((site_root / name, True))
    for name in ("templates", "themes"):
        builtin = builtin_dir(name)
        if "_builtin" not in builtin.parts:
            found.append((builtin, True))
    unique: dict[Path, bool] = {}
    for path, recursive in found:
        path = path.resolve()
        if path.is_dir() and not any(r and (path == p or p in path.parents) for p, r in unique.items() if p != path):
            unique[path] = unique.get(path, False) or recursive
    return sorted(unique.items())


class Debouncer:
    """Collects changed paths; `take` returns them once no event came for `delay` seconds, or
    once the oldest has waited `max_wait` seconds. The clock can be replaced in tests."""

    def __init__(self, delay: float = DEFAULT_DELAY, clock: Callable[[], float] = time.monotonic, max_wait: float = DEFAULT_MAX_WAIT):
        self.delay = delay
        self.max_wait = max(max_wait, delay)
        self.clock = clock
        self._pending: set[Path] = set()
        self._events = 0  # in the pending batch
        self._first = self._last = 0.0
        self._changed = threading.Condition()

    def add(self, path: Path) -> None:
        with self._changed:
            now = self.clock()
            if not self._pending:
                self._first = now
                self._events = 0
            self._pending.add(path)
            self._events += 1
            self._last = now
            self._changed.notify_all()

    def _due_in(self) -> float:
        """Seconds until the pending batch is due (<= 0: now); call with the lock held."""
        now = self.clock()
        quiet = self.delay if self._events <= BURST else max(self.delay, BURST_DELAY)
        return min(quiet - (now - self._last), self.max_wait - (now - self._first))

    def take(self) -> set[Path] | None:
        """The batch, if it is due; else None (nothing is lost)."""
        with self._changed:
            if self._pending and self._due_in() <= 0:
                batch, self._pending = self._pending, set()
                return batch
            return None

    def wait(self, stop: threading.Event, idle: float = 0.5) -> set[Path] | None:
        """Block until a batch is due or stop is set (checked at least every `idle` seconds)."""
        while not stop.is_set():
            batch = self.take()
            if batch:
                return batch
            with self._changed:
                self._changed.wait(max(self._due_in(), 0.01) if self._pending else idle)
        return None


class _Handler(FileSystemEventHandler):
    """Passes the paths of relevant events to the debouncer. At the site root only site.yaml and
    the source folders count; a source folder created (or recreated) while serving is watched
    from then on through `on_new_folder`."""

    def __init__(
        self,
        debouncer: Debouncer,
        ignore_under: list[Path],
        site_root: Path,
        roots: list[Path],
        on_new_folder: Callable[[Path], None] = lambda path: None,
    ):
        self.debouncer = debouncer
        self.ignore_under = ignore_under
        self.site_root = site_root
        self.roots = roots
        self.on_new_folder = on_new_folder

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(raw if isinstance(raw, str) else raw.decode())
            if path.parent == self.site_root:
                if path.name in SOURCE_DIRS:
                    if event.is_directory and event.event_type in ("created", "moved") and path.is_dir():
                        self.on_new_folder(path)
                elif path.name != "site.yaml":
                    continue
            if not is_ignored(path, self.ignore_under, self.roots):
                self.debouncer.add(path)


def start_watching(site_root: Path, debouncer: Debouncer, ignore_under: list[Path], poll: bool = False):
    """Start a watchdog observer (PollingObserver with poll=True, for network and container mounts)."""
    observer = PollingObserver(timeout=0.5) if poll else Observer()
    site_root = site_root.resolve()
    watched = watched_paths(site_root)
    watches: dict[Path, ObservedWatch] = {}

    def watch(path: Path, recursive: bool = True) -> None:
        if path in watches:  # recreated: its old watch ended with the folder it watched
            try:
                observer.unschedule(watches[path])
            except KeyError:
                pass
        watches[path] = observer.schedule(handler, str(path), recursive=recursive)

    handler = _Handler(
        debouncer,
        [p.resolve() for p in ignore_under],
        site_root,
        [path for path, _ in watched] + [site_root / name for name in SOURCE_DIRS],
        watch,
    )
    for path, recursive in watched:
        watch(path, recursive)
    observer.daemon = True
    observer.start()
    return observer
