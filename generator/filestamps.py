"""Record files' digests, read again only when a file may have changed (git's index rule).

The build cache keeps, for every record file, its size, modification and change times, inode
and sha256. A file whose stat is unchanged keeps its stored sha256 without being read, unless its
times fall in the same second as (or after) the moment the table was made: a file written in
that second may have changed again without its times moving, on file systems that keep times
in whole seconds ("racy git"), so it is read again. The change time moves on every write and on
any restoring of the modification time (touch -d, os.utime), so an edit whose mtime was put back
is still seen. What keys the cache is always the content hash; the stat only saves reading.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass, field

MAX_BYTES = 10 * 2**20  # beyond load.MAX_RECORD_BYTES: such a file is not a record (load reports it)

Stamp = tuple[int, int, int, int, str]  # (size, mtime_ns, ctime_ns, inode, sha256)


@dataclass(frozen=True)
class Stamps:
    taken: int = 0  # time.time_ns() just before the files were looked at
    files: dict[str, Stamp] = field(default_factory=dict)


def file_sha256(path: str) -> str | None:
    """The digest of a regular file of at most MAX_BYTES; None for anything else (a FIFO would
    block, a device never end: load reports them)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as file:
            return hashlib.sha256(file.read()).hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)


def digests(root: str, rels: list[str], previous: Stamps | None) -> tuple[dict[str, str | None], Stamps, int]:
    """rel -> sha256 (None: not a readable regular file) of each file below root, the table the
    next build compares with, and how many files had to be read."""
    taken = time.time_ns()
    trusted_before = previous.taken // 10**9 * 10**9 if previous else 0  # the start of the second it was made in
    known = previous.files if previous else {}
    found: dict[str, str | None] = {}
    table: dict[str, Stamp] = {}
    read = 0
    prefix = os.path.join(root, "")
    for rel in rels:
        path = prefix + rel  # str concatenation: os.path.join costs more than the stat
        try:
            st = os.stat(path)
        except OSError:
            found[rel] = None
            continue
        now = _stat_part(st)
        old = known.get(rel)
        if old is not None and old[:4] == now and max(now[1], now[2]) < trusted_before and stat.S_ISREG(st.st_mode):
            sha: str | None = old[4]
        else:
            sha = file_sha256(path)  # the stat was taken first: a write after it moves the times
            read += 1
        found[rel] = sha
        if sha is not None:
            table[rel] = (*now, sha)
    return found, Stamps(taken, table), read


def stamps_of(root: str, found: dict[str, str | None], taken: int) -> Stamps:
    """The table digests would have made at `taken`, for files whose digests were taken since
    by reading them (a build with no table yet: load reads every record anyway). Each file's stat
    comes after its read: a write after `taken` leaves times the next build does not trust, so
    the file is read again then, as digests would have it."""
    table: dict[str, Stamp] = {}
    prefix = os.path.join(root, "")
    for rel, sha in found.items():
        if sha is None:
            continue
        try:
            st = os.stat(prefix + rel)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            table[rel] = (*_stat_part(st), sha)
    return Stamps(taken, table)


def _stat_part(st: os.stat_result) -> tuple[int, int, int, int]:
    """What a stamp keeps of a file's stat: size, modification and change times, inode."""
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino
