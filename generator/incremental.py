"""What a page is keyed by in the build cache: a page is rendered again only when the hash of
its inputs (templates, config, profile, the site's shape, and the content of its declared
record files) differs from the one its bytes were rendered from."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from .memo import digest

if TYPE_CHECKING:
    from .model import Page, SiteModel


def tree_digest(folders: list[Path]) -> str:
    """The content of every file under the folders (templates): changes when any of them does."""
    h = hashlib.sha256()
    for folder in folders:
        for dirpath, dirnames, filenames in sorted(os.walk(folder)):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                with open(path, "rb") as file:
                    data = file.read()
                h.update(f"{os.path.relpath(path, folder)}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
                h.update(data)
            h.update(b"\1")
        h.update(f"\2{folder}".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def site_shape(model: SiteModel) -> tuple:
    """What every page may show of the whole site (counts, category and year lists)."""
    return (
        model.paper_count,
        tuple((g.url, g.label, len(g.entries)) for g in model.by_category),
        tuple((g.url, len(g.entries)) for g in model.by_year),
        # papers per year and category: the charts on the home and years pages
        tuple(sorted(Counter((e.paper.date.year, e.paper.category.short) for e in model.entries).items())),
    )


def page_key(page: Page, shared: str, digests: dict[str, str]) -> str:
    inputs = "\0".join(f"{src}\1{digests.get(src)}" for src in page.inputs)
    return digest(shared, page.url, page.template, page.kind, page.key, inputs)
