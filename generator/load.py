"""Stage 1: read the site's files once and parse them into line-aware documents."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Problem
from .yamlio import Document, YamlProblem, parse_mapping, split_front_matter

CONFIG_FILE = "site.yaml"
PROFILE_FILE = "content/profile.md"
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


def _try_read(root: Path, rel: str, problems: list[Problem]) -> RawRecord | None:
    try:
        return read_record(root, rel)
    except YamlProblem as issue:
        problems.append(Problem(rel, issue.line, "file", issue.message))
    except OSError as exc:
        problems.append(Problem(rel, 1, "file", f"cannot read: {exc.strerror}"))
    return None


def paper_files(root: Path) -> list[str]:
    folder = root / PAPERS_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p.relative_to(root).as_posix()
        for p in folder.rglob("*")
        if p.suffix in PAPER_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


def load_site(root: Path) -> RawSite:
    problems: list[Problem] = []
    config = _try_read(root, CONFIG_FILE, problems) if (root / CONFIG_FILE).is_file() else None
    profile = None
    if (root / PROFILE_FILE).is_file():
        profile = _try_read(root, PROFILE_FILE, problems)
    else:
        problems.append(Problem(PROFILE_FILE, 1, "file", "missing: every site needs a profile (name and bio)"))
    papers = tuple(r for rel in paper_files(root) if (r := _try_read(root, rel, problems)))
    return RawSite(config, profile, papers, tuple(problems))
