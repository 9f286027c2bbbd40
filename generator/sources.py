"""What of the site folder may reach the output: the rules every stage that reads files obeys.

- A symbolic link in content/, templates/, themes/ or static/ must lead to a place inside the
  site folder: otherwise `ln -s /etc/passwd static/x` would publish the machine's files.
- Only regular files are read (a FIFO blocks a reader forever, /dev/zero never ends).
- Hidden files and folders (a name starting with a dot) are never published, except the
  `.well-known/` folder that domain verification needs: `static/.git/` holds tokens.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import Problem

SOURCE_DIRS = ("content", "templates", "themes", "static")
PUBLISHED_DOT_DIRS = (".well-known",)  # top level of static/ only


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def link_problems(site_root: Path) -> list[Problem]:
    """A located problem for every symlink leading outside the site folder and every entry
    that is neither a regular file nor a folder (FIFO, device, socket), hidden ones included."""
    root = os.path.realpath(site_root)
    problems: list[Problem] = []
    for name in SOURCE_DIRS:
        top = os.path.join(root, name)
        if os.path.islink(top):
            problems += _check(root, top)
            if problems:
                continue
        problems += _walk(root, top)
    return problems


def _walk(root: str, folder: str) -> list[Problem]:
    """_check every entry below folder in os.walk's order, not descending into linked folders.
    The type the folder listing gives (no system call) clears regular files and folders; only
    the rest are looked at."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []  # gone, or not a folder
    folders: list[os.DirEntry] = []
    files: list[os.DirEntry] = []
    for entry in entries:
        try:
            (folders if entry.is_dir() else files).append(entry)
        except OSError:
            files.append(entry)
    problems: list[Problem] = []
    for entry in (*folders, *files):
        try:
            plain = not entry.is_symlink() and (entry.is_file(follow_symlinks=False) or entry.is_dir(follow_symlinks=False))
        except OSError:
            plain = False
        if not plain:
            problems += _check(root, entry.path)
    for entry in folders:
        if not entry.is_symlink():
            problems += _walk(root, entry.path)
    return problems


def _check(root: str, path: str) -> list[Problem]:
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    try:
        st = os.lstat(path)
    except OSError:
        return []  # gone while walking
    if stat.S_ISLNK(st.st_mode):
        target = os.path.realpath(path)
        if not _inside(target, root):
            return [
                Problem(rel, 1, "file", f"symbolic link leads outside the site folder (to {target}); copy the file into the site instead")
            ]
        try:
            st = os.stat(path)
        except OSError:
            return []  # a dangling link inside the site: nothing to read
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        return [Problem(rel, 1, "file", "not a regular file")]
    return []


def is_published(rel: str) -> bool:
    """Whether a path below static/ is copied into the output: no dot-names but .well-known/."""
    parts = rel.split("/")
    return not any(part.startswith(".") and not (i == 0 and part in PUBLISHED_DOT_DIRS and len(parts) > 1) for i, part in enumerate(parts))


def static_files(folder: Path) -> dict[str, Path]:
    """Output path -> source of every published regular file under a static/ folder."""
    if not folder.is_dir():
        return {}
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(folder):  # linked folders are not entered, as before
        rel_dir = Path(dirpath).relative_to(folder).as_posix()
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirnames[:] = sorted(d for d in dirnames if is_published(f"{prefix}{d}/x"))
        for name in filenames:
            rel = prefix + name
            path = Path(dirpath, name)
            if is_published(rel) and path.is_file():
                found[rel] = path
    return dict(sorted(found.items()))
