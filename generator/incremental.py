"""What lets a rebuild redo only what changed: a page is re-rendered only when its fingerprint
(templates, config, the site's shape, and the files of its declared inputs) differs from the
last build's. cvsite serve keeps one BuildCache for its whole run."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment

from .load import RecordCache
from .model import Page, SiteModel


@dataclass
class BuildCache:
    records: RecordCache = field(default_factory=RecordCache)
    validated: dict = field(default_factory=dict)  # path -> (raw record, category table, result)
    entries: dict = field(default_factory=dict)  # path -> (paper, author settings, PaperEntry)
    exports: dict = field(default_factory=dict)  # path -> (paper, (citation key, base URL), PaperExport)
    pages: dict[str, tuple[Any, bytes]] = field(default_factory=dict)  # url -> (fingerprint, bytes)
    environment: tuple[Any, Environment] | None = None  # (template stamp, env)
    rendered: int = 0  # pages rendered (not reused) by the last build


def folder_stamp(folders: list[Path]) -> tuple:
    """Name, mtime and size of every file under the folders: changes when any template does."""
    stamp = []
    for folder in folders:
        for dirpath, _, filenames in os.walk(folder):
            for name in filenames:
                st = os.stat(os.path.join(dirpath, name))
                stamp.append((dirpath, name, st.st_mtime_ns, st.st_size))
    return tuple(sorted(stamp))


def site_shape(model: SiteModel) -> tuple:
    """What every page may show of the whole site (counts, category and year lists)."""
    return (
        model.paper_count,
        tuple((g.url, g.label, len(g.entries)) for g in model.by_category),
        tuple((g.url, len(g.entries)) for g in model.by_year),
    )


def page_fingerprint(page: Page, shared: tuple, stamps: dict[str, tuple]) -> tuple:
    return (shared, page.template, page.kind, page.key, tuple((src, stamps.get(src)) for src in page.inputs))
