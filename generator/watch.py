"""Watching a site for changes: which paths matter, and turning bursts of events into one rebuild.

An editor's save (write a temp file, rename, touch a backup) or a `git checkout` produces many
events; the Debouncer waits until the events have been quiet for `delay` seconds and then hands
over everything that changed as one batch.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .config import builtin_dir

DEFAULT_DELAY = 0.2  # seconds of quiet before a rebuild
EDITOR_SUFFIXES = ("~", ".swp", ".swx", ".swo", ".tmp", ".bak", ".part", ".crdownload")
IGNORED_DIRS = {"__pycache__", "node_modules", ".git"}


def is_ignored(path: Path, ignore_under: Iterable[Path] = ()) -> bool:
    """Editor droppings, hidden files and anything under the output folder never trigger a rebuild."""
    name = path.name
    if any(part.startswith(".") or part in IGNORED_DIRS for part in path.parts[-4:]):
        return True
    if name.endswith(EDITOR_SUFFIXES) or (name.startswith("#") and name.endswith("#")) or name == "4913":
        return True
    return any(path == folder or folder in path.parents for folder in ignore_under)


def watched_paths(site_root: Path) -> list[tuple[Path, bool]]:
    """(path, recursive) pairs: content, templates, themes, static, site.yaml, and the built-in
    templates and themes when cvsite runs from a checkout (an installed copy never changes)."""
    found: list[tuple[Path, bool]] = [(site_root, False)]  # site.yaml
    for name in ("content", "templates", "themes", "static"):
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
    """Collects changed paths; `take` returns them once no event came for `delay` seconds."""

    def __init__(self, delay: float = DEFAULT_DELAY, clock: Callable[[], float] = time.monotonic):
        self.delay = delay
        self.clock = clock
        self._pending: set[Path] = set()
        self._last = 0.0
        self._changed = threading.Condition()

    def add(self, path: Path) -> None:
        with self._changed:
            self._pending.add(path)
            self._last = self.clock()
            self._changed.notify_all()

    def take(self) -> set[Path] | None:
        """The batch, if events have been quiet long enough; else None (nothing is lost)."""
        with self._changed:
            if self._pending and self.clock() - self._last >= self.delay:
                batch, self._pending = self._pending, set()
                return batch
            return None

    def wait(self, stop: threading.Event) -> set[Path] | None:
        """Block until a batch is due or stop is set."""
        while not stop.is_set():
            batch = self.take()
            if batch:
                return batch
            with self._changed:
                remaining = self.delay - (self.clock() - self._last) if self._pending else 0.5
                self._changed.wait(max(remaining, 0.01))
        return None


class _Handler(FileSystemEventHandler):
    def __init__(self, debouncer: Debouncer, ignore_under: list[Path], site_root: Path):
        self.debouncer = debouncer
        self.ignore_under = ignore_under
        self.site_root = site_root

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            path = Path(raw if isinstance(raw, str) else raw.decode())
            if path.parent == self.site_root and path.name != "site.yaml":
                continue  # the site root is watched only for site.yaml
            if not is_ignored(path, self.ignore_under):
                self.debouncer.add(path)


def start_watching(site_root: Path, debouncer: Debouncer, ignore_under: list[Path], poll: bool = False):
    """Start a watchdog observer (PollingObserver with poll=True, for network and container mounts)."""
    observer = PollingObserver(timeout=0.5) if poll else Observer()
    handler = _Handler(debouncer, [p.resolve() for p in ignore_under], site_root.resolve())
    for path, recursive in watched_paths(site_root):
        observer.schedule(handler, str(path), recursive=recursive)
    observer.daemon = True
    observer.start()
    return observer
