"""One caching layer around the pure stages: a stage's result is kept under the hash of its inputs.

A stage asks `cached(stage, key, compute)`; the pipeline decides which store is active (none: every
call computes). `cvsite serve` keeps one store in memory for its whole run; `cvsite build` loads one
from `.cvsite-cache/` in the site and saves it back, so a second build does almost nothing.

The file on disk is a pickle, which must never be loaded from an untrusted source: it is signed
with an HMAC whose key lives in the user's own cache folder, so a cache copied from another
machine or user, written by another cvsite, truncated or edited is discarded, never unpickled.
"""

from __future__ import annotations

import contextlib
import contextvars
import copyreg
import gc
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

from . import __version__

CACHE_DIR = ".cvsite-cache"
CACHE_FILE = "index.cache"  # what a build with nothing changed needs: small, always read
STORE_FILE = "store-00.cache"  # every stage's results, in SHARDS files: read only when something has to be made
INDEX_STAGES = ("site", "output", "page", "stat", "joined")  # small results, always read (pages: written again after every edit)
MAGIC_NAME = b"cvsite-cache "  # every format's files start so, then the format's version
MAGIC = MAGIC_NAME + b"5\n"  # 5: records kept with their parsed content but the body packed apart (load.RawRecord)
TRANSIENT = ("environment",)  # kept in memory only (compiled templates do not pickle)


def read_only(mapping: dict) -> MappingProxyType:
    """How a read-only mapping in a record (extra fields) is rebuilt from the cache."""
    return MappingProxyType(mapping)


copyreg.pickle(MappingProxyType, lambda proxy: (read_only, (dict(proxy),)))


def digest(*parts: Any) -> str:
    """A stable hash of plain values (str, bytes, numbers, tuples of them)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def code_version() -> str:
    """cvsite's version, plus its own source files' sizes and times (a checkout changes without a new version)."""
    package = Path(__file__).resolve().parent
    stamps = []
    for path in sorted(package.glob("*.py")):
        st = path.stat()
        stamps.append((path.name, st.st_size, st.st_mtime_ns))
    return digest(__version__, stamps)


SHARDS = 32  # the store is split so that a build writes again only the parts it changed
_PART = [bytes((n,)) for n in range(SHARDS)]  # the first byte of a slot's key: its part
RECORDS = b"content/"  # how the path of a record file starts (load.py): keys of per-record results hold it
_INDEX = frozenset(INDEX_STAGES)
_blake2b = hashlib.blake2b
_crc32 = zlib.crc32


def shard_of(stage: str, key: str) -> int:
    """The part of the store a result is kept in. Every result made from one record file (its
    parse, validation, entry, exports, listing items, parts of the CV files) shares a part: an
    edit of one paper rewrites one part, and a part pickles what its results share (the paper in
    its entry and in its validation) once."""
    return slot_of(stage, key)[1][0]


def slot_of(stage: str, key: str) -> tuple[str, Any]:
    """Where a result is kept: a stage of the store keys it by its part (one byte: the crc32 of the
    record path the key holds, up to the next NUL, else of the stage and key) and the blake2b of
    its key, 17 bytes in all. The keys spell out what a result is made of (a record's path and
    digest, the category table, the author, the templates...): kept whole, they were a tenth of
    the store, in memory and on disk. The small index keeps its keys as they are.
    Called for every look-up (over 100,000 in a build at 10,000 papers): one encoding, no split."""
    if stage in _INDEX:
        return stage, key
    data = key.encode("utf-8", "surrogatepass")
    at = data.find(RECORDS)
    if at >= 0:
        end = data.find(b"\0", at)
        part = _crc32(data[at:end] if end >= 0 else data[at:])
    else:
        part = _crc32(data, _crc32(stage.encode() + b"\0"))  # = the crc32 of stage NUL key
    return stage, _PART[part % SHARDS] + _blake2b(data, digest_size=16).digest()


def shard(slot: tuple[str, Any]) -> int:
    """The part of the store holding a slot (see slot_of)."""
    return slot[1][0]


class Memo:
    """Results by (stage, key). Results no longer used stay until the memo has doubled since its
    live part was last measured, then only what the last build used is kept: stale entries cost
    only room (every key is the hash of its inputs), and dropping them rarely keeps saves small.
    Results of TRANSIENT stages live in memory only: the latest of each stage, beside the rest."""

    def __init__(self, entries: dict | None = None, store: Callable[[], None] | None = None):
        self.entries: dict[tuple[str, Any], Any] = entries or {}
        self.used: dict[tuple[str, Any], Any] = {}
        self.added = 0  # how many slots in used are not in entries (what finish adds)
        self.fresh: dict[tuple[str, Any], Any] = {}  # what this build made or changed: what finish writes into entries
        self.computed: dict[str, int] = {}  # stage -> how many results were computed, not reused
        self.changed = False  # whether anything differs from what was loaded
        self._store = store  # reads the results of the other stages into entries, on their first use
        self.dirty: set[int] = set() if store is not None else set(range(SHARDS))  # shards to write
        self.transient: dict[str, tuple[str, Any]] = {}  # stage -> (key, result) of TRANSIENT stages

    def _need(self, stage: str) -> None:
        if self._store is not None and stage not in _INDEX:
            read, self._store = self._store, None
            read()

    def _slot(self, stage: str, key: str) -> tuple[str, Any]:
        """key's slot (slot_of), the store read first when the stage lives there."""
        if self._store is not None:
            self._need(stage)
        return slot_of(stage, key)

    @property
    def store_loaded(self) -> bool:
        return self._store is None

    def _changed(self, slot: tuple[str, Any]) -> None:
        self.changed = True
        if slot[0] not in _INDEX:
            self.dirty.add(shard(slot))

    def get(self, stage: str, key: str, compute: Callable[[], Any]) -> Any:
        if stage in TRANSIENT:
            return self._transient(stage, key, compute)
        slot = self._slot(stage, key)
        value = self.used.get(slot, _ABSENT)
        if value is not _ABSENT:
            return value
        value = self.entries.get(slot, _ABSENT)
        if value is _ABSENT:
            value = compute()
            self.computed[stage] = self.computed.get(stage, 0) + 1
            self.added += 1
            self._changed(slot)
            self.fresh[slot] = value
        self.used[slot] = value
        return value

    def find(self, stage: str, key: str) -> Any:
        """The result kept under key (None if there is none), marked used like get's: one
        look-up where peek, then get, took two."""
        slot = self._slot(stage, key)
        value = self.used.get(slot)
        if value is None:
            value = self.entries.get(slot)
            if value is not None:
                self.used[slot] = value
        return value

    def peek(self, stage: str, key: str) -> Any:
        if stage in TRANSIENT:
            kept = self.transient.get(stage)
            return kept[1] if kept is not None and kept[0] == key else None
        slot = self._slot(stage, key)
        return self.used.get(slot, self.entries.get(slot))

    def put(self, stage: str, key: str, value: Any) -> None:
        if stage in TRANSIENT:
            self.transient[stage] = (key, value)
            return
        slot = self._slot(stage, key)
        if slot not in self.entries:
            self.added += slot not in self.used
            self._changed(slot)
            self.fresh[slot] = value
        elif self.entries[slot] != value:
            self._changed(slot)
            self.fresh[slot] = value
        self.used[slot] = value

    def made(self, stage: str, key: str, value: Any) -> None:
        """A result made elsewhere (in a worker) for a key find did not find: kept as put keeps
        it, and counted as computed, as get counts what it computes."""
        self.put(stage, key, value)
        self.computed[stage] = self.computed.get(stage, 0) + 1

    def _transient(self, stage: str, key: str, compute: Callable[[], Any]) -> Any:
        """A result kept in memory only (compiled templates do not pickle): it neither reads the
        store nor makes a part of it be written again."""
        kept = self.transient.get(stage)
        if kept is not None and kept[0] == key:
            return kept[1]
        value = compute()
        self.computed[stage] = self.computed.get(stage, 0) + 1
        self.transient[stage] = (key, value)
        return value

    def start(self) -> None:
        """A new build."""
        self.used = {}
        self.added = 0
        self.fresh = {}
        self.computed = {}
        self.changed = False

    def finish(self) -> None:
        """The build succeeded: keep what it made (a failed build leaves the memo as it was)."""
        if self.changed and len(self.entries) + self.added > 2 * len(self.used) + 256:
            self._need("")  # (before it is read, used holds only the index's slots: added still holds)
            if len(self.entries) + self.added > 2 * len(self.used) + 256:
                self.entries = {}  # mostly stale: keep only what this build used
                self.dirty = set(range(SHARDS))
        # what the build found is in entries already: only what it made goes in (at 10,000
        # papers, ten results instead of a hundred thousand)
        self.entries.update(self.fresh if self.entries else self.used)
        self.used = {}
        self.added = 0
        self.fresh = {}

    def keep(self) -> None:
        """An edit remade a few results (incremental.edit_papers): keep them, dropping nothing, for
        the few results it used say nothing about which others are stale."""
        self.entries.update(self.fresh)
        self.used = {}
        self.added = 0
        self.fresh = {}


_ABSENT = object()


_active: contextvars.ContextVar[Memo | None] = contextvars.ContextVar("cvsite_memo", default=None)


def cached(stage: str, key: str, compute: Callable[[], Any]) -> Any:
    memo = _active.get()
    return compute() if memo is None else memo.get(stage, key, compute)


def active() -> Memo | None:
    return _active.get()


@contextlib.contextmanager
def using(memo: Memo | None):
    token = _active.set(memo)
    try:
        yield memo
    finally:
        _active.reset(token)


# ---------------------------------------------------------------- on disk


def user_folder() -> Path:
    """cvsite's folder in this user's cache ($XDG_CACHE_HOME or ~/.cache): the signing key, and
    the compiled templates every site shares (template_cache.py)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cvsite"


def _key_file() -> Path:
    return user_folder() / "cache-key"


def _signing_key() -> bytes:
    """This user's secret (made on first use): only caches signed with it are ever unpickled."""
    path = _key_file()
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, key, mode=0o600)
    return path.read_bytes()  # another process may have won the race: use what is there


def _atomic_write(path: Path, data: bytes | tuple[bytes, ...] | Callable[[BinaryIO], None], mode: int = 0o644) -> None:
    """Write beside, then rename: a reader sees the old file or the new one, never half of one.
    data may come in parts, written one after the other, or be a function writing into the open file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            if callable(data):
                data(file)
            else:
                for part in data if isinstance(data, tuple) else (data,):
                    file.write(part)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _read(path: Path, salt: str) -> tuple[Any, str | None]:
    """What is signed in path for salt, or None and why not (None: no file). Call it inside
    _unpickling(): unpickling makes hundreds of thousands of objects, none garbage, and
    collecting as they came took 80% of the time. (Reading the store's parts on a thread while
    the parts before were unpickled made its reading slower, not faster: the two compete for the
    memory bus and the GIL.)"""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read the build cache {path} ({exc.strerror}); building from nothing"
    mac_size = hashlib.sha256().digest_size
    head, body = blob[: len(MAGIC) + mac_size], memoryview(blob)[len(MAGIC) + mac_size :]  # a view: the store is large
    if not head.startswith(MAGIC) or len(head) < len(MAGIC) + mac_size:
        if head.startswith(MAGIC_NAME) and not head.startswith(MAGIC):  # another format: the cvsite before an upgrade
            return None, f"{path} was written by another cvsite version; ignoring it and building from nothing"
        return None, f"{path} is not a cvsite build cache; ignoring it and building from nothing"
    if not hmac.compare_digest(head[len(MAGIC) :], _mac(salt, body)):
        return None, (f"{path} was written by another cvsite version or user, or is damaged; ignoring it and building from nothing")
    try:
        found = pickle.loads(body)
    except Exception:  # noqa: BLE001  signed by us, yet unreadable: a class it names has changed
        return None, f"{path} could not be read; ignoring it and building from nothing"
    return (found, None) if isinstance(found, dict) else (None, f"{path} could not be read; building from nothing")


@contextlib.contextmanager
def _unpickling(freeze: bool = False):
    """The garbage collector off while the cache is read. With freeze, what was read is frozen
    before it is on again (the store: it lives to the end of the build, so no collection need
    look at it, and the first allocation after would have collected the youngest generation,
    which holds all of it: at 10,000 papers, a tenth of the store's reading time)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if collecting:
            gc.enable()


def _shard_file(n: int) -> str:
    return f"store-{n:02d}.cache"


def load(folder: Path, salt: str) -> tuple[Memo, list[str]]:
    """The memo saved in folder for this salt (its store is read when first needed), and notes
    saying why a part of it was discarded (appended to when the store turns out unusable)."""
    notes: list[str] = []
    with _unpickling():
        index, note = _read(folder / CACHE_FILE, salt)
    if index is None:
        notes += [note] if note else []
        return Memo(), notes
    memo = Memo(index)

    def store() -> None:
        entries = memo.entries
        with _unpickling(freeze=True):
            for n in range(SHARDS):
                found, problem = _read(folder / _shard_file(n), salt)
                if found is None:  # that part is made again, and written again
                    memo.dirty.add(n)
                    if not any(line.startswith("the build cache store") for line in notes):
                        notes.append(
                            f"the build cache store in {folder} is incomplete or damaged; "
                            f"what it lacks is made again ({problem or _shard_file(n) + ' is missing'})"
                        )
                else:
                    entries.update(found)

    memo._store = store
    memo.dirty = set()  # nothing to write again until something is made
    return memo, notes


def _signer(salt: str) -> hmac.HMAC:
    """What signs a cache file for salt (fed the file's body in parts: joining them would copy it)."""
    return hmac.new(_signing_key(), salt.encode() + b"\0", "sha256")


def _mac(salt: str, body: bytes | memoryview) -> bytes:
    """The signature of body for salt."""
    mac = _signer(salt)
    mac.update(body)
    return mac.digest()


def sign(salt: str, body: bytes) -> bytes:
    """body's signature with this user's key: other caches of the user's (template_cache.py) are
    trusted on the same terms as the build cache."""
    return _mac(salt, body)


write_atomically = _atomic_write


class _Signing:
    """A file the pickle is written into as it is made, signed on the way: a part of the store
    pickles to megabytes, which need not be held whole."""

    def __init__(self, file: BinaryIO, salt: str):
        self.file = file
        self.mac = _signer(salt)

    def write(self, data) -> int:
        self.mac.update(data)
        return self.file.write(data)


def _write(path: Path, salt: str, entries: dict) -> None:
    def write(file: BinaryIO) -> None:
        file.write(MAGIC + bytes(hashlib.sha256().digest_size))  # the signature's place, filled in last
        signing = _Signing(file, salt)
        pickle.Pickler(signing, protocol=pickle.HIGHEST_PROTOCOL).dump(entries)
        file.seek(len(MAGIC))
        file.write(signing.mac.digest())

    _atomic_write(path, write)


def save(folder: Path, salt: str, memo: Memo) -> None:
    """Write the memo (unless it is what was loaded): the index, and the store's changed parts,
    each file atomically: two builds at once leave whole files, and since every entry is keyed by
    its inputs, any mix of them is right."""
    if not memo.changed and (folder / CACHE_FILE).is_file():
        return
    save_store(folder, salt, memo)
    entries = memo.entries
    index = {slot: entries[slot] for slot in entries if slot[0] in _INDEX}
    _write(folder / CACHE_FILE, salt, index)


def save_store(folder: Path, salt: str, memo: Memo) -> None:
    """Write the parts of the store that changed (save writes them too, and then the index)."""
    folder.mkdir(exist_ok=True)
    entries = memo.entries
    if memo.store_loaded and memo.dirty:
        parts: dict[int, dict] = {n: {} for n in memo.dirty}  # the results of each part to write
        for slot, value in entries.items():
            key = slot[1]
            if type(key) is bytes:  # a slot of the store (the index keeps its keys as str)
                part = parts.get(key[0])
                if part is not None:
                    part[slot] = value
        for n, results in parts.items():  # one part at a time: each pickles to megabytes
            _write(folder / _shard_file(n), salt, results)
            results.clear()
    memo.dirty = set()
