"""Duplicates: one paper from several sources becomes one record; a paper the site has is found.

A paper is the same paper when it has the same DOI, the same arXiv id (any version), or the same
normalized title and year. Nothing here reads or writes files.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from . import Imported
from .common import arxiv_id, bare_doi

_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+|\\.")
_NOT_WORD = re.compile(r"[\W_]+")  # also accents, which NFKD split off as combining marks


def normal_title(title: str) -> str:
    """Case, accents, LaTeX markup, spacing and punctuation do not make a different title."""
    text = unicodedata.normalize("NFKD", _LATEX_COMMAND.sub("", str(title)).casefold())
    return _NOT_WORD.sub("", text)


def identities(fields: dict) -> set[str]:
    """Every key that names this paper: doi:…, arxiv:…, title:…|year."""
    links = fields.get("links") or {}
    found = set()
    if not isinstance(links, dict):
        links = {}
    doi = bare_doi(str(links.get("doi", "")))
    arxiv = arxiv_id(str(links.get("arxiv", ""))) or (arxiv_id(doi) if doi else "")
    if doi and not arxiv_id(doi):
        found.add("doi:" + doi.lower())
    if arxiv:
        found.add("arxiv:" + arxiv.lower())
    title, date = normal_title(fields.get("title") or ""), str(fields.get("date") or "")[:4]
    if title and date:
        found.add(f"title:{title}|{date}")
    return found


def union(first: dict, other: dict) -> dict:
    """first's fields, plus what other has and first lacks (links and tags item by item)."""
    merged = dict(first)
    for key, value in other.items():
        if key not in merged or merged[key] in ("", [], {}, None):
            merged[key] = value
        elif key == "links":
            merged[key] = {**merged[key], **{k: v for k, v in value.items() if k not in merged[key]}}
        elif key == "tags":
            merged[key] = merged[key] + [t for t in value if t not in merged[key]]
        elif key == "citations":
            merged[key] = max(merged[key], value)  # counts only grow; the newest source has the most
    return merged


@dataclass
class Group:
    """Entries of one run that are the same paper, and the record they make together."""

    entries: list[Imported]
    fields: dict
    keys: set[str] = field(default_factory=set)

    @property
    def first(self) -> Imported:
        return self.entries[0]


def group_entries(entries: list[Imported]) -> list[Group]:
    """Same paper in two sources (or twice in one) -> one group, in order of first appearance."""
    groups: list[Group] = []
    owner: dict[str, Group] = {}
    for entry in entries:
        keys = identities(entry.fields)
        hits = []
        for key in keys:
            group = owner.get(key)
            if group is not None and all(group is not h for h in hits):
                hits.append(group)
        if not hits:
            target = Group([entry], dict(entry.fields), set(keys))
            groups.append(target)
        else:
            target = min(hits, key=groups.index)
            for extra_group in hits:
                if extra_group is not target:  # this entry joins two groups into one
                    target.entries += extra_group.entries
                    target.fields = union(target.fields, extra_group.fields)
                    target.keys |= extra_group.keys
                    groups.remove(extra_group)
            target.entries.append(entry)
            target.fields = union(target.fields, entry.fields)
            target.keys |= keys
        for key in target.keys:
            owner[key] = target
    return groups


@dataclass(frozen=True)
class Existing:
    """A record already in the site, as far as finding duplicates needs it."""

    path: str
    data: dict


def find_existing(fields: dict, index: dict[str, Existing]) -> Existing | None:
    for key in sorted(identities(fields)):  # arxiv:, doi:, title: — any one is enough
        if key in index:
            return index[key]
    return None


def index_existing(records: list[Existing]) -> dict[str, Existing]:
    index: dict[str, Existing] = {}
    for record in records:
        data = dict(record.data)
        if "date" in data:
            data["date"] = str(data["date"])
        for key in identities(data):
            index.setdefault(key, record)
    return index
