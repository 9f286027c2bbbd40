"""Stage 1: read the site's files once and parse them into line-aware documents."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem
from .yamlio import Document, YamlProblem, parse_mapping, split_front_matter

CONFIG_FILE = "site.yaml"
PROFILE_FILE = "content/profile.md"
CV_FILE = "content/cv.yaml"  # optional: education, positions, awards, ... (see cv_records.py)
PAPERS_DIR = "content/papers"
PAPER_SUFFIXES = (".md", ".yaml", ".yml")


@dataclass(frozen=True)
class RawRecord:
    path: str  # relative to the site root, with forward slashes
    doc: Document
    body: str = ""  # Markdown body of a .md record


@dataclass(frozen=True)
class RawSite:
    config: RawRecord | None
    profile: RawRecord | None
    papers: tuple[RawRecord, ...]
    problems: tuple[Problem, ...]
    # path -> (mtime_ns, size, inode) of every file read: what incremental rebuilds compare
    stamps: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    cv: RawRecord | None = None  # content/cv.yaml, when the site has one


@dataclass
class RecordCache:
    """Parsed files kept between builds of one process (cvsite serve): unchanged files are not re-read."""

    parsed: dict[str, tuple[tuple[int, int, int], RawRecord | Problem]] = field(default_factory=dict)


def _read_text(root: Path, rel: str) -> str:
    data = (root / rel).read_bytes()
    if not data.strip():
        raise YamlProblem(1, "file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlProblem(line, f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8") from None


def read_record(root: Path, rel: str) -> RawRecord:
    """Parse one .md (front matter + body) or .yaml record; raises YamlProblem."""
    text = _read_text(root, rel)
    if rel.endswith(".md"):
        parts = split_front_matter(text)
        if parts is None:
            raise YamlProblem(1, "no front matter: start the file with a '---' line, the YAML fields, then '---'")
        front, body, offset = parts
        return RawRecord(rel, parse_mapping(front, offset), body)
    return RawRecord(rel, parse_mapping(text))


def _parse(root: Path, rel: str) -> RawRecord | Problem:
    try:
        return read_record(root, rel)
    except YamlProblem as issue:
        return Problem(rel, issue.line, "file", issue.message)
    except OSError as exc:
        return Problem(rel, 1, "file", f"cannot read: {exc.strerror}")


def _stamp(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def paper_files(root: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root / PAPERS_DIR):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        rel = Path(dirpath).relative_to(root).as_posix()
        found += [f"{rel}/{name}" for name in filenames
                  if name.endswith(PAPER_SUFFIXES) and not name.startswith(".")]
    return sorted(found)


def load_site(root: Path, cache: RecordCache | None = None) -> RawSite:
    cache = cache if cache is not None else RecordCache()
    problems: list[Problem] = []
    stamps: dict[str, tuple[int, int, int]] = {}

    def read(rel: str) -> RawRecord | None:
        try:
            stamp = _stamp(root / rel)
        except OSError as exc:
            problems.append(Problem(rel, 1, "file", f"cannot read: {exc.strerror}"))
            return None
        stamps[rel] = stamp
        cached = cache.parsed.get(rel)
        result = cached[1] if cached and cached[0] == stamp else _parse(root, rel)
        cache.parsed[rel] = (stamp, result)
        if isinstance(result, Problem):
            problems.append(result)
            return None
        return result

    config = read(CONFIG_FILE) if (root / CONFIG_FILE).is_file() else None
    profile = None
    if (root / PROFILE_FILE).is_file():
        profile = read(PROFILE_FILE)
    else:
        problems.append(Problem(PROFILE_FILE, 1, "file", "missing: every site needs a profile (name and bio)"))
    papers = tuple(r for rel in paper_files(root) if (r := read(rel)))
    cv = read(CV_FILE) if (root / CV_FILE).is_file() else None
    for gone in set(cache.parsed) - set(stamps):
        del cache.parsed[gone]
    return RawSite(config, profile, papers, tuple(problems), stamps, cv)
