"""Shared fixtures: tiny sites written from a dict, and the repository's example site."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from generator.pipeline import BuildOptions, build

REPO = Path(__file__).resolve().parent.parent

PROFILE = """\
---
name: Ada Lovelace
headline: Analyst
---
Writes about engines.
"""

PAPER = """\
---
title: A Paper
authors:
  - Ada Lovelace
  - Charles Babbage
date: 2023-05-01
category: CV
---
An abstract.
"""


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path):
    """make_site({'content/papers/x.md': '...'}) -> a site folder with a profile and site.yaml."""

    def make(files: dict[str, str | bytes] | None = None, *, with_defaults: bool = True) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        base = {"site.yaml": "title: Test Site\n", "content/profile.md": PROFILE} if with_defaults else {}
        return write_files(root, base | (files or {}))

    return make


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The example site in content/, built once into a temp folder (the checkout stays clean)."""
    out = tmp_path_factory.mktemp("example") / "output"
    build(BuildOptions(REPO, out))
    return out


@pytest.fixture
def example_copy(tmp_path) -> Path:
    """A private copy of the example site that a test may edit."""
    root = tmp_path / "example"
    root.mkdir()
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    return root
