"""Stage 5: write the whole site aside, then swap it in, so a failed build changes nothing.

cvsite writes only inside the output folder, and refuses output folders whose replacement
would destroy sources (the site itself, its content, the home folder, the root).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from itertools import groupby
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Mapping

from .errors import UsageError

MANIFEST = ".cvsite-manifest.json"
# File creation is latency-bound (the GIL is released in the syscalls): threads overlap it.
IO_THREADS = 8
SOURCE_DIRS = ("content", "templates", "themes", "static")
RETAINED = (".git",)  # kept from the previous output: not cvsite's to delete


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_dir(output: Path, site_root: Path) -> Path:
    """Resolve the output folder and refuse one whose replacement would lose anything."""
    out = output.expanduser().resolve()
    root = site_root.resolve()
    home = Path.home().resolve()
    if out == Path(out.anchor) or out == home:
        raise UsageError(f"refusing to use {out} as the output folder: it is the {'home' if out == home else 'root'} folder")
    if _inside(root, out):
        raise UsageError(f"refusing to use {out} as the output folder: it holds the site itself ({root})")
    for name in SOURCE_DIRS:
        if _inside(out, root / name):
            raise UsageError(f"refusing to use {out} as the output folder: it is inside the site's {name}/ folder")
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(f"output folder {out} is not empty and was not made by cvsite; empty it or choose another")
    return out


def _safe_rel(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"output path escapes the output folder: {rel!r}")
    return path


def _in_threads(fn: Callable, items: Iterable) -> None:
    with ThreadPoolExecutor(IO_THREADS) as pool:
        for _ in pool.map(fn, items):
            pass


def _make_dirs(root: Path, rels: Iterable[PurePosixPath]) -> None:
    """Create every parent folder, shallow levels first, each level in parallel."""
    folders = sorted({p for rel in rels for p in rel.parents if p.parts}, key=lambda p: (len(p.parts), p))
    for _, level in groupby(folders, key=lambda p: len(p.parts)):
        _in_threads(lambda p: (root / p).mkdir(exist_ok=True), list(level))


def remove_tree(root: Path) -> None:
    """shutil.rmtree, with the unlinks and rmdirs of each level overlapped."""
    files, folders = [], []
    for folder, dirnames, filenames in os.walk(root):
        files += [os.path.join(folder, f) for f in filenames]
        folders += [os.path.join(folder, d) for d in dirnames]
    try:
        _in_threads(os.unlink, files)
        for _, level in groupby(sorted(folders, key=lambda f: -f.count(os.sep)), key=lambda f: f.count(os.sep)):
            _in_threads(os.rmdir, list(level))
    except OSError:
        pass
    shutil.rmtree(root, ignore_errors=True)


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    kept = [name for name in RETAINED if (out / name).exists() and not (staging / name).exists()]
    for name in kept:  # e.g. a gh-pages worktree's .git survives every build
        (out / name).rename(staging / name)
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    try:
        staging.rename(out)
    except OSError:
        old.rename(out)
        for name in kept:
            (staging / name).rename(out / name)
        raise
    remove_tree(old)


def write_site(out: Path, files: Mapping[str, bytes], copies: Mapping[str, Path]) -> int:
    """Write rendered files and copied assets into a fresh folder and swap it for out.

    out must have passed check_output_dir. Returns the number of files written.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        items = {_safe_rel(rel): rel for rel in (*copies, *files)}
        _make_dirs(staging, items)

        def write_one(path: PurePosixPath) -> tuple[str, str]:
            rel = items[path]
            data = files[rel] if rel in files else Path(copies[rel]).read_bytes()
            (staging / path).write_bytes(data)
            return rel, hashlib.sha256(data).hexdigest()

        with ThreadPoolExecutor(IO_THREADS) as pool:
            digests = dict(pool.map(write_one, items))
        manifest = json.dumps(dict(sorted(digests.items())), indent=0, sort_keys=True) + "\n"
        (staging / MANIFEST).write_text(manifest, encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; a served site must be readable
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(digests)
