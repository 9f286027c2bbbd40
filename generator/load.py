"""Stage 1: read the site's files once and parse them into line-aware documents."""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem
from .memo import active, cached
from .sources import link_problems

if TYPE_CHECKING:
    from .yamlio import Document

CONFIG_FILE = "site.yaml"
PROFILE_FILE = "content/profile.md"
CV_FILE = "content/cv.yaml"  # optional: education, positions, awards, ... (see cv_records.py)
PAPERS_DIR = "content/papers"
PAPER_SUFFIXES = (".md", ".yaml", ".yml")
MAX_RECORD_BYTES = 10 * 1024 * 1024  # far beyond any real record; bounds what one file can cost


@dataclass(frozen=True)
class RawRecord:
    path: str  # relative to the site root, with forward slashes
    doc: Document
    body: str = ""  # Markdown body of a .md record, without the blank space around it
    digest: str = ""  # sha256 of the file's bytes: what caches compare, never the parsed data
    body_line: int = 0  # line of the file where the Markdown body's text begins

    def __eq__(self, other: object) -> bool:  # (a record read back from the cache equals the one parsed)
        if not isinstance(other, RawRecord):
            return NotImplemented
        return (self.path, self.digest, self.doc, self.body, self.body_line) == (
            other.path,
            other.digest,
            other.doc,
            other.body,
            other.body_line,
        )

    def release(self) -> None:
        """Keep only what the record needs to be pickled (see _StoredRecord.release); a record
        parsed here keeps its content, which pickling packs."""

    def __reduce__(self):
        """Pickled (into the build cache) as its path, digest and body beside the rest of its
        parsed content packed in bytes of its own: a build that finds the file unchanged needs
        only the first two (validate keys the paper by them), and unpacks the rest only if
        something reads it (a warning's line, a record validated again): at 10,000 papers, a
        tenth of the store's reading time. The body stays a string of its own because it is the
        very string the paper holds as its abstract (validate): pickled beside the paper, in the
        same part of the store, it is kept once, in the file and in memory."""
        return _stored(self.path, self.digest, self.body, _pack(self))


def _pack(record: RawRecord) -> bytes:
    return pickle.dumps((record.doc, record.body_line), pickle.HIGHEST_PROTOCOL)


class _StoredRecord(RawRecord):
    """A RawRecord read back from the build cache, its parsed content but the body unpacked on
    first use (the bytes came from the cache's signed file: they are trusted as it is)."""

    def __init__(
        self, path: str, doc: Document, body: str = "", digest: str = "", body_line: int = 0
    ):  # (as dataclasses.replace makes one)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "digest", digest)
        object.__setattr__(self, "_body", body)
        object.__setattr__(self, "_content", (doc, body_line))

    def _unpacked(self) -> tuple[Document, int]:
        content = self.__dict__.get("_content")
        if content is None:
            content = pickle.loads(self.__dict__["_packed"])
            object.__setattr__(self, "_content", content)
        return content

    @property
    def doc(self) -> Document:
        return self._unpacked()[0]

    @property
    def body(self) -> str:
        return self.__dict__["_body"]

    @property
    def body_line(self) -> int:
        return self._unpacked()[1]

    def release(self) -> None:
        """Forget the unpacked content, when the packed bytes are kept (it is unpacked again if
        read): a record parsed by a worker came back packed, and once validated its content is
        what the paper holds (a cold build would otherwise hold every record twice)."""
        if "_packed" in self.__dict__:
            self.__dict__.pop("_content", None)

    def __reduce__(self):
        packed = self.__dict__.get("_packed")  # kept: saving an unchanged record again packs nothing
        return _stored(self.path, self.digest, self.body, packed if packed is not None else _pack(self))


def _stored(path: str, digest: str, body: str, packed: bytes) -> tuple:
    """How a record is pickled: a _StoredRecord made and given its attributes by the unpickler
    itself (no Python call per record: with one, records took five times as long to read back)."""
    return object.__new__, (_StoredRecord,), {"path": path, "digest": digest, "_body": body, "_packed": packed}


@dataclass(frozen=True)
class RawSite:
    config: RawRecord | None
    profile: RawRecord | None
    papers: tuple[RawRecord, ...]
    problems: tuple[Problem, ...]
    # path -> sha256 of every file read: what the pages showing it are keyed by
    digests: dict[str, str] = field(default_factory=dict)
    cv: RawRecord | None = None  # content/cv.yaml, when the site has one


class _NotReadable(Exception):
    def __init__(self, message: str):
        self.message = message


def _read_bytes(path: Path) -> bytes:
    """A regular file of at most MAX_RECORD_BYTES. Opened without blocking and checked once
    open, so a FIFO (which would block forever) or a device (/dev/zero never ends) is refused."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as file:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _NotReadable("not a regular file")
        # what the file holds and a byte more (to see that it grew): a read of the most a record
        # may hold set aside and gave back 10 MB of memory for each file, 60% of reading one
        data = file.read(min(st.st_size, MAX_RECORD_BYTES) + 1)
        if len(data) > st.st_size:  # it grew since: on to the limit
            data += file.read(MAX_RECORD_BYTES + 1 - len(data))
    if len(data) > MAX_RECORD_BYTES:
        raise _NotReadable(f"file is larger than {MAX_RECORD_BYTES // 2**20} MB, the most one record may hold")
    return data


def _check_characters(text: str, body_line: int = 0, body_field: str = "file") -> None:
    """Raw control characters (YAML escapes such as "\\x01" are checked by the parser)."""
    from .yamlio import YamlProblem, bad_character_message, find_bad_character

    bad = find_bad_character(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise YamlProblem(line, bad_character_message(bad.group()), body_field if body_line and line >= body_line else "file")


def _decode(data: bytes) -> str:
    from .yamlio import YamlProblem

    if not data.strip():
        raise YamlProblem(1, "file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlProblem(line, f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8") from None


def parse_record(rel: str, data: bytes, digest: str = "") -> RawRecord:
    """Parse one .md (front matter + body) or .yaml record; raises YamlProblem."""
    from .yamlio import YamlProblem, parse_mapping, split_front_matter

    text = _decode(data)
    if rel.endswith(".md"):
        parts = split_front_matter(text)
        if parts is None:
            raise YamlProblem(1, "no front matter: start the file with a '---' line, the YAML fields, then '---'")
        front, body, offset = parts
        body_line = offset + front.count("\n") + 2
        _check_characters(text, body_line, "bio" if rel == PROFILE_FILE else "abstract")
        # kept stripped, as the record uses it (validate's strip() then returns this very string,
        # not a second copy of every abstract); body_line is then the line its text begins on
        stripped = body.strip()
        body_line += body.count("\n", 0, len(body) - len(body.lstrip()))
        return RawRecord(rel, parse_mapping(front, offset), stripped, digest, body_line)
    _check_characters(text)
    return RawRecord(rel, parse_mapping(text), digest=digest)


def _parse(rel: str, data: bytes, digest: str) -> RawRecord | Problem:
    from .yamlio import YamlProblem

    try:
        return parse_record(rel, data, digest)
    except YamlProblem as issue:
        return Problem(rel, issue.line, issue.field, issue.message)


def paper_files(root: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root / PAPERS_DIR):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        rel = Path(dirpath).relative_to(root).as_posix()
        found += [f"{rel}/{name}" for name in filenames if name.endswith(PAPER_SUFFIXES) and not name.startswith(".")]
    return sorted(found)


def _parse_apart(root: Path, todo: list[str], jobs: int | None) -> dict[str, tuple[str, RawRecord | Problem]]:
    """rel -> (digest, parse) of the record files in todo (those whose parse the memo lacks), each
    read and parsed by `jobs` processes at once (None: one per core): YAML is most of a cold
    build's first second or two. A file that cannot be read is left out, for load_site to report."""
    from . import parallel

    if jobs == 1 or len(todo) < parallel.MIN_ITEMS:
        return {}

    def parse(rel: str) -> tuple[str, RawRecord | Problem] | None:
        try:
            data = _read_bytes(root / rel)
        except (OSError, _NotReadable):
            return None
        digest = hashlib.sha256(data).hexdigest()
        return digest, _parse(rel, data, digest)

    return {rel: made for rel, made in zip(todo, parallel.fork_map(parse, todo, jobs)) if made is not None}


def load_site(root: Path, known: Mapping[str, str | None] | None = None, jobs: int | None = 1) -> RawSite:
    """Every file is read; one whose bytes were parsed before (see memo.py) is not parsed again,
    and the others are parsed by `jobs` processes (None: one per core) when there are many.
    known: digests already taken of files (filestamps.py): a file whose parse under its digest is
    in the memo is not read at all."""
    problems: list[Problem] = link_problems(root)
    digests: dict[str, str] = {}
    memo = active()
    records = paper_files(root)

    def kept(rel: str) -> RawRecord | Problem | None:
        """rel's parse kept in the memo under its known digest (marked used), if any."""
        sha = known.get(rel) if known is not None else None
        return memo.find("parse", f"{rel}\0{sha}") if sha is not None and memo is not None else None

    found = {rel: kept(rel) for rel in records}  # one look-up per record file (each hashes its key)
    apart = _parse_apart(root, [rel for rel, made in found.items() if made is None], jobs)

    def read(rel: str) -> RawRecord | None:
        result = found[rel] if rel in found else kept(rel)
        if result is not None:  # kept under its known digest (kept() finds nothing without one)
            sha = known.get(rel) if known is not None else None
            assert sha is not None
            digests[rel] = sha
        elif rel in apart:  # read and parsed by a worker
            digest, made = apart.pop(rel)
            digests[rel] = digest
            result = cached("parse", f"{rel}\0{digest}", lambda: made)
        else:
            try:
                data = _read_bytes(root / rel)
            except _NotReadable as exc:
                problems.append(Problem(rel, 1, "file", exc.message))
                return None
            except OSError as exc:
                problems.append(Problem(rel, 1, "file", f"cannot read: {exc.strerror}"))
                return None
            digest = digests[rel] = hashlib.sha256(data).hexdigest()
            result = cached("parse", f"{rel}\0{digest}", lambda: _parse(rel, data, digest))
        if isinstance(result, Problem):
            problems.append(result)
            return None
        return result

    def present(rel: str) -> bool:  # a FIFO or a dangling link is there, and reported when read
        return os.path.lexists(root / rel) and not (root / rel).is_dir()

    config = read(CONFIG_FILE) if present(CONFIG_FILE) else None
    profile = None
    if present(PROFILE_FILE):
        profile = read(PROFILE_FILE)
    else:
        problems.append(Problem(PROFILE_FILE, 1, "file", "missing: every site needs a profile (name and bio)"))
    papers = tuple(r for rel in records if (r := read(rel)))
    cv = read(CV_FILE) if present(CV_FILE) else None
    return RawSite(config, profile, papers, tuple(problems), digests, cv)
