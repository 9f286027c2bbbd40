"""Stage 5: write the whole site aside, then swap it in, so a failed build changes nothing.

cvsite writes only inside the output folder, and refuses output folders whose replacement
would destroy sources (the site itself, its content, the home folder, the root).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import groupby
from json.encoder import encode_basestring_ascii as _json_string  # what json.dumps writes a str as
from pathlib import Path, PurePosixPath
from types import ModuleType
from typing import TypeVar

from .errors import UsageError

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

MANIFEST = ".cvsite-manifest.json"
# File creation is latency-bound (the GIL is released in the syscalls): on a disk threads overlap
# it, when there are enough files to pay for starting them (a small site's 80 files are quicker in
# turn). Where each call takes microseconds (tmpfs, a fast SSD), threads only add their own cost:
# 10,000 folders took 0.7 s in threads against 0.05 s in turn. So the first PROBE calls are made
# in turn and timed, and threads take the rest only if those were slow.
IO_THREADS = 8
THREADED = 256
PROBE = 32
FAST_CALL = 50e-6  # seconds: a call quicker than this is not worth a thread
SOURCE_DIRS = ("content", "templates", "themes", "static")
RETAINED = (".git",)  # kept from the previous output: not cvsite's to delete
AT_FDCWD, RENAME_EXCHANGE = -100, 2  # from <fcntl.h> and <linux/fs.h>
# A mount point (a container volume) cannot be renamed: its contents are replaced instead, entry
# by entry, in steps that a later build can finish if this one is killed (see _recover_mounted).
MOUNT_STAGING, MOUNT_OLD = ".cvsite-staging-", ".cvsite-old-"
COMPLETE, CLEARED = ".cvsite-complete", ".cvsite-cleared"
UPDATING = ".cvsite-updating"  # in an output folder being updated in place (see update_site)
T = TypeVar("T")
R = TypeVar("R")


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
    leftover = (MOUNT_STAGING, MOUNT_OLD)  # of a build into a mount point that was killed
    if out.is_dir() and any(not p.name.startswith(leftover) for p in out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(f"output folder {out} is not empty and was not made by cvsite; empty it or choose another")
    return out


def _safe_rel(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"output path escapes the output folder: {rel!r}")
    if any(part in RETAINED or _own_entry(part) for part in path.parts):
        raise ValueError(f"output path is reserved (a kept .git or cvsite's own): {rel!r}")
    return path


def _each(fn: Callable[[T], R], items: Collection[T]) -> list[R]:
    """[fn(item) for item in items], the items after the first PROBE in IO_THREADS threads when
    there are many and the first took FAST_CALL or longer each (see above)."""
    items = list(items)
    if len(items) < THREADED:
        return [fn(item) for item in items]
    started = time.perf_counter()
    done = [fn(item) for item in items[:PROBE]]
    if time.perf_counter() - started < FAST_CALL * PROBE:
        return done + [fn(item) for item in items[PROBE:]]
    from concurrent.futures import ThreadPoolExecutor  # imported when used: a small build needs none

    with ThreadPoolExecutor(IO_THREADS) as pool:
        return done + list(pool.map(fn, items[PROBE:]))


def _make_dirs(root: Path, rels: Iterable[PurePosixPath]) -> None:
    """Create every parent folder, shallow levels first, each level in parallel. (Folders are
    gathered as strings: hashing 40,000 PurePosixPaths took a cold build half a second.)"""
    folders: set[str] = set()
    for rel in rels:
        folder = str(rel)
        while (cut := folder.rfind("/")) > 0 and (folder := folder[:cut]) not in folders:
            folders.add(folder)
    ordered = sorted(folders, key=lambda f: (f.count("/"), f))
    for _, level in groupby(ordered, key=lambda f: f.count("/")):
        _each(lambda f: (root / f).mkdir(exist_ok=True), list(level))


def remove_tree(root: Path) -> None:
    """shutil.rmtree, with the unlinks and rmdirs of each level overlapped."""
    files, folders = [], []
    for folder, dirnames, filenames in os.walk(root):
        files += [os.path.join(folder, f) for f in filenames]
        folders += [os.path.join(folder, d) for d in dirnames]
    try:
        _each(os.unlink, files)
        for _, level in groupby(sorted(folders, key=lambda f: -f.count(os.sep)), key=lambda f: f.count(os.sep)):
            _each(os.rmdir, list(level))
    except OSError:
        pass
    shutil.rmtree(root, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE): at every instant
    one of them is the output folder. False where the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library without it (glibc before 2.28, others)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _leftovers(out: Path) -> list[Path]:
    """Folders an interrupted build left beside the output folder (kill -9, power cut)."""
    return sorted(
        p
        for pattern in (f".{out.name}.staging-*", f".{out.name}.old-*")
        for p in out.parent.glob(pattern)
        if p.is_dir() and not p.is_symlink()
    )


def interrupted(out: Path) -> bool:
    """Whether a build into out left anything recover removes (killed), or holds its lock (under
    way): a marker of an update in place, a lock file, a staging or old folder beside or inside."""
    if (out / UPDATING).exists():
        return True
    beside = (f".{out.name}.staging-", f".{out.name}.old-", f".{out.name}.lock")
    try:
        return any(name.startswith(beside) for name in os.listdir(out.parent)) or any(
            name.startswith((MOUNT_STAGING, MOUNT_OLD)) for name in os.listdir(out)
        )
    except OSError:
        return True


def recover(out: Path) -> None:
    """Bring back what an interrupted build left: the old site if it was moved aside and never
    replaced, a .git folder caught in a staging folder; then remove the leftovers."""
    leftovers = _leftovers(out)
    if not os.path.lexists(out):
        olds = [p for p in leftovers if p.name.startswith(f".{out.name}.old-")]
        if olds:
            newest = max(olds, key=lambda p: p.stat().st_mtime_ns)
            newest.rename(out)
            leftovers.remove(newest)
    if out.is_dir() and not out.is_symlink():
        if os.path.ismount(out):
            _recover_mounted(out)
        if (out / UPDATING).exists():  # an update in place was killed: drop its temporary files
            for folder, _, names in os.walk(out):
                for name in names:
                    if name.startswith(".") and name.endswith(".cvsite-tmp"):
                        os.unlink(os.path.join(folder, name))
            (out / UPDATING).unlink()
        for name in RETAINED:
            caught = [p / name for p in leftovers if (p / name).exists()]
            if caught and not (out / name).exists():
                caught[0].rename(out / name)
    for leftover in leftovers:
        remove_tree(leftover)


@contextmanager
def build_lock(out: Path, on_wait: Callable[[], None] | None = None):
    """Only one build writes into an output folder at a time; the second waits (on_wait is
    called once so the caller can say why). The lock file beside the output folder exists only
    while a build holds it: after locking, it is checked to still be the file at that path."""
    if fcntl is None:  # Windows: no advisory locks; builds are not serialised
        yield
        return
    path = out.parent / f".{out.name}.lock"
    told = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None and not told:
                    on_wait()
                    told = True
                fcntl.flock(fd, fcntl.LOCK_EX)
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                break
        except FileNotFoundError:  # removed by the build that held it: lock the new one
            pass
        os.close(fd)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)  # while still holding it, so no one locks a removed file
        os.close(fd)


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    kept = [name for name in RETAINED if (out / name).exists()]
    for name in kept:  # e.g. a gh-pages worktree's .git survives every build
        (out / name).rename(staging / name)
    try:
        exchanged = _exchange(staging, out)
    except OSError:
        for name in kept:
            (staging / name).rename(out / name)
        raise
    if exchanged:  # staging now holds the old site
        remove_tree(staging)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)  # a kill here leaves only .old-*: recover() renames it back on the next build
    try:
        staging.rename(out)
    except OSError:
        old.rename(out)
        for name in kept:
            (staging / name).rename(out / name)
        raise
    remove_tree(old)


def _own_entry(name: str) -> bool:
    return name.startswith((MOUNT_STAGING, MOUNT_OLD)) or name in (*RETAINED, UPDATING)


def _replace_contents(out: Path, staging: Path) -> None:
    """staging (complete, inside out) becomes out's contents; out's own entries go aside first."""
    old = out / (MOUNT_OLD + staging.name[len(MOUNT_STAGING) :])
    if not (old / CLEARED).exists():
        old.mkdir(exist_ok=True)
        for entry in sorted(os.listdir(out)):
            if not _own_entry(entry):
                os.rename(out / entry, old / entry)
        (old / CLEARED).touch()
    for entry in sorted(os.listdir(staging)):
        if entry != COMPLETE:
            os.rename(staging / entry, out / entry)
    remove_tree(staging)
    remove_tree(old)


def _recover_mounted(out: Path) -> None:
    """Finish a replacement a killed build had started (its staging was complete), or drop a
    staging folder that was never finished; remove what is left aside."""
    for staging in sorted(out.glob(MOUNT_STAGING + "*")):
        if (staging / COMPLETE).exists():
            _replace_contents(out, staging)
        else:
            remove_tree(staging)
    for old in out.glob(MOUNT_OLD + "*"):
        remove_tree(old)


FileState = tuple[str, int, int]  # (sha256, size, mtime_ns) of a file as written: how the next build knows it is intact


# Pieces are joined into runs of about this many bytes before they are hashed and written: a
# file of every paper (the bibliography files, resume.json) is then some forty writes and hash
# updates instead of one each per paper, while no more than a run of it is held at once. (A
# bibliography file's pieces are some 900 KB each: as long as a run, each goes as it is.)
RUN = 1 << 19


def _runs(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The pieces joined into runs of at least RUN bytes (the last one, and one before a piece
    that long, may be shorter)."""
    run: list[bytes] = []
    size = 0
    for piece in pieces:
        if len(piece) >= RUN:  # a run of its own, not copied into one with the pieces before it
            if run:
                yield b"".join(run)
                run, size = [], 0
            yield piece
            continue
        run.append(piece)
        size += len(piece)
        if size >= RUN:
            yield b"".join(run)  # a run of one piece is that piece, not a copy
            run, size = [], 0
    if run:
        yield b"".join(run)


def _write_file(path: Path, data: bytes | Iterable[bytes], sha=None) -> tuple[int, int]:
    """Write data, which may come in pieces written as they come (sha: a hash fed each piece)."""
    try:
        with open(path, "wb") as file:
            for piece in (data,) if isinstance(data, bytes) else _runs(data):
                if sha is not None:
                    sha.update(piece)
                file.write(piece)
            file.flush()  # the write, not the close, sets the time the next build compares
            st = os.fstat(file.fileno())
    except OSError as exc:  # a full disk fails in write(), whose error carries no file name
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    return st.st_size, st.st_mtime_ns


def write_file(folder: Path, rel: str, data: bytes | Iterable[bytes], beside: bool = False) -> FileState:
    """Write one file below folder (beside its place, as .NAME.cvsite-tmp, when beside: the caller
    moves it in once every file is written); data may come in pieces. Returns its state."""
    path = folder / _safe_rel(rel)
    sha = hashlib.sha256()
    stat = _write_file(path.with_name(f".{path.name}{TMP_SUFFIX}") if beside else path, data, sha)
    return (sha.hexdigest(), *stat)


TMP_SUFFIX = ".cvsite-tmp"
# (paths, write(folder, beside) -> {path: state}): files rendered and written during the write;
# when updating in place, write may leave a file whose bytes are in place as it is, giving the
# very state previous holds for it. No paths: no write.
Later = tuple[Sequence[str], Callable[[Path, bool], dict[str, FileState]]]
NO_LATER: Later = ((), lambda folder, beside: {})


MANIFEST_PIECE = 2048  # files per piece of the manifest


def _manifest(state: Mapping[str, FileState]) -> Iterator[bytes]:
    """Each file's sha256 by its path, as json.dumps(..., indent=0, sort_keys=True) gives them, one
    a line, in UTF-8 pieces of MANIFEST_PIECE files: each string encoded by json's C encoder
    (json.dumps's indenting encoder is Python), and never the whole of it at once as lines, text
    and bytes (at 10,000 papers that was some 10 MB at the top of a build's memory)."""
    if not state:
        yield b"{}\n"
        return
    paths = sorted(state)
    yield b"{\n"
    for start in range(0, len(paths), MANIFEST_PIECE):
        lines = [
            f'{_json_string(rel)}: "{state[rel][0]}"' for rel in paths[start : start + MANIFEST_PIECE]
        ]  # a hex digest needs no escaping
        yield (",\n" if start else "").encode() + ",\n".join(lines).encode("utf-8")
    yield b"\n}\n"


def _file_sha256(path: Path) -> bytes | None:
    """The sha256 of the file's bytes (None: no file to read). Read in runs by hand:
    hashlib.file_digest needs Python 3.11."""
    sha = hashlib.sha256()
    try:
        with open(path, "rb") as file:
            while chunk := file.read(RUN):
                sha.update(chunk)
    except OSError:
        return None
    return sha.digest()


def write_site(
    out: Path, files: Mapping[str, bytes], copies: Mapping[str, Path], later: Later = NO_LATER, on_wait: Callable[[], None] | None = None
) -> dict[str, FileState]:
    """Write rendered files and copied assets into a fresh folder and swap it for out.

    out must have passed check_output_dir. Returns the state of every file written. later's
    files are written into the fresh folder by later's function, once their folders exist.
    Builds into one output folder take turns (on_wait: called if this one has to wait).
    """
    items = {_safe_rel(rel): rel for rel in (*copies, *files)}
    out.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(out, on_wait):
        recover(out)
        mounted = out.is_dir() and os.path.ismount(out)
        prefix = MOUNT_STAGING if mounted else f".{out.name}.staging-"
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=out if mounted else out.parent))
        try:
            _make_dirs(staging, [*items, *map(_safe_rel, later[0])])
            more = later[1](staging, False) if later[0] else {}

            def write_one(path: PurePosixPath) -> tuple[str, FileState]:
                rel = items[path]
                data = files[rel] if rel in files else Path(copies[rel]).read_bytes()
                return rel, (hashlib.sha256(data).hexdigest(), *_write_file(staging / path, data))

            state: dict[str, FileState] = dict(_each(write_one, list(items)))
            state.update(more)
            state = {rel: state[rel] for rel in sorted(state)}  # in the manifest's order (see update_in_place)
            _write_file(staging / MANIFEST, _manifest(state))
            os.chmod(staging, 0o755)  # mkdtemp makes it private; a served site must be readable
            if mounted:
                (staging / COMPLETE).touch()
                _replace_contents(out, staging)
            else:
                _swap_in(staging, out)
        except BaseException:
            if staging.exists() and not (staging / COMPLETE).exists():
                remove_tree(staging)
            raise
    return state


def _replace(path: Path, data: bytes | Iterable[bytes], unless_same: bool = False) -> tuple[int, int]:
    """Write beside, then rename over: a reader sees the old file or the new one, never half.
    unless_same: leave the file as it is when it holds these bytes already (data may then come
    in pieces: it is compared by hash, never held whole)."""
    tmp = path.with_name(f".{path.name}{TMP_SUFFIX}")
    sha = hashlib.sha256() if unless_same else None
    try:
        stat = _write_file(tmp, data, sha)
        if sha is not None and _file_sha256(path) == sha.digest():
            tmp.unlink()
        else:
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return stat


def update_site(
    out: Path,
    files: Mapping[str, bytes],
    digests: Mapping[str, str],
    copies: Mapping[str, Path],
    previous: Mapping[str, FileState],
    later: Later = NO_LATER,
    on_wait: Callable[[], None] | None = None,
) -> dict[str, FileState]:
    """update_in_place, taking its turn among the builds into out (see write_site)."""
    with build_lock(out, on_wait):
        recover(out)
        (out / UPDATING).touch()  # until the update is over: a killed one leaves its temporary files
        try:
            return update_in_place(out, files, digests, copies, previous, later)
        finally:
            (out / UPDATING).unlink(missing_ok=True)


def update_in_place(
    out: Path,
    files: Mapping[str, bytes],
    digests: Mapping[str, str],
    copies: Mapping[str, Path],
    previous: Mapping[str, FileState],
    later: Later = NO_LATER,
    manifest: bool = True,
) -> dict[str, FileState]:
    """Bring an output folder written by an earlier build in step, in place: only the files
    whose bytes changed are written (each replaced atomically), the ones no longer generated are
    removed. files holds the bytes of every rendered file, digests the sha256 of every generated
    one (the others are on disk as previous says). Returns the state of every file.

    `cvsite build` (with a cache) and `cvsite serve` both update their folder with this; the
    preview's private folder has no manifest (manifest=False): nothing but the server reads it."""
    # The files not rendered are on disk as previous says: at 10,000 papers all but a few of
    # 20,000, so previous is copied whole (set operations, not a loop over each); the states of
    # the few others are set below, in their places: previous lists the files in the manifest's
    # order (sorted by path), so sorting them for the manifest is a pass over a sorted list.
    state: dict[str, FileState] = dict(previous)
    made = (digests.keys() & files.keys()) | copies.keys() | set(later[0])  # rendered, copied, rendered during the write
    gone = previous.keys() - digests.keys() - made  # pages of deleted papers, removed static files
    writes: dict[PurePosixPath, bytes] = {}
    for rel, data in files.items():
        if rel not in digests:
            continue
        old = previous.get(rel)
        if old is None or old[0] != digests[rel] or not intact(out / rel, old):
            writes[_safe_rel(rel)] = data
        else:
            state[rel] = old
    for rel, source in copies.items():
        data = Path(source).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        old = previous.get(rel)
        if old is not None and old[0] == sha and intact(out / rel, old):
            state[rel] = old
        else:
            writes[_safe_rel(rel)] = data
    _make_dirs(out, [*writes, *map(_safe_rel, later[0])])
    if later[0]:  # written beside their places first: a worker failing leaves the site as it was
        try:
            more = later[1](out, True)
            for rel in later[0]:
                if more[rel] is not previous.get(rel):  # later's function leaves a file whose bytes are in place as it is
                    path = out / rel
                    os.replace(path.with_name(f".{path.name}{TMP_SUFFIX}"), path)
        except BaseException:  # or one cannot be moved in (a folder in its place): none is left beside
            for rel in later[0]:
                path = out / rel
                path.with_name(f".{path.name}{TMP_SUFFIX}").unlink(missing_ok=True)
            raise
        state.update(more)

    def write_one(path: PurePosixPath) -> tuple[str, FileState]:
        data = writes[path]
        return path.as_posix(), (hashlib.sha256(data).hexdigest(), *_replace(out / path, data))

    state.update(_each(write_one, list(writes)))
    for rel in sorted(gone):
        del state[rel]
        path = out / _safe_rel(rel)
        path.unlink(missing_ok=True)
        for folder in path.parents:
            if folder == out or any(folder.iterdir()):
                break
            folder.rmdir()
    if manifest:
        _replace(out / MANIFEST, _manifest(state), unless_same=True)
    return state


def replace_files(out: Path, files: Mapping[str, bytes]) -> dict[str, FileState]:
    """Write a few files into an output folder in place, each replaced atomically (a reader sees
    the old file or the new one): how the preview brings in the pages one edit changed."""
    _make_dirs(out, [_safe_rel(rel) for rel in files])
    return {rel: (hashlib.sha256(data).hexdigest(), *_replace(out / _safe_rel(rel), data)) for rel, data in files.items()}


def intact(path: Path, state: FileState) -> bool:
    """Whether the file at path is still as written (state: its size and time then)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == tuple(state[1:])
