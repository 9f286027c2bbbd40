"""The search index is kept in the build cache in blocks of papers, and each search file is keyed
by its part of every block (search.shows). After any edit, the index made from the cached blocks
must be byte for byte the index made from nothing, and exactly the files whose bytes changed must
get a new key: a file whose key stayed while its bytes changed would be left stale on disk, and a
key that moved without a change renders and writes the file for nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import search, urls
from generator.load import load_site
from generator.memo import Memo, using
from generator.model import build_model
from generator.validate import validate_site
from tests.conftest import REPO

PAPERS = 90
VOCABULARY = ["graph", "gradient", "grain", "neural", "network", "nerf", "video", "vision", "über", "3d", "x1", "zebra", "splat"]
NAMES = ["Ada Lovelace", "Charles Babbage", "Grace Hopper", "Alan Turing", "Emmy Noether", "Kurt Gödel"]


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    """Blocks of 8 papers, files of 40 result lines and a shard per 8 papers: at 90 papers, 12
    blocks, 3 files of result lines and 16 shards, so that edits cross their boundaries."""
    monkeypatch.setattr(search, "BLOCK", 8)
    monkeypatch.setattr(search, "CHUNK", 40)
    monkeypatch.setattr(urls, "SEARCH_CHUNK", 40)
    monkeypatch.setattr(urls, "SEARCH_SHARD_PAPERS", 8)


def record(i: int, title: str = "", abstract: str = "", authors: list[str] | None = None, day: str = "") -> str:
    title = title or " ".join(VOCABULARY[(i * 7 + k * 3) % len(VOCABULARY)] for k in range(1 + i % 4)) + f" P{i}"
    authors = authors or [NAMES[i % len(NAMES)], NAMES[(i * 5 + 1) % len(NAMES)]]
    abstract = abstract or f"Word{i % 13} {VOCABULARY[i % len(VOCABULARY)]} and {VOCABULARY[(i * 3) % len(VOCABULARY)]}."
    day = day or f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    return f"---\ntitle: '{title}'\nauthors: [{', '.join(authors)}]\ndate: {day}\ncategory: CV\nscore: 1.5\n---\n{abstract}\n"


@pytest.fixture
def site(make_site) -> Path:
    return make_site({f"content/papers/p{i:03d}.md": record(i) for i in range(PAPERS)})


def index(root: Path, memo: Memo | None, clean: bool = False) -> dict[str, tuple[str, bytes]]:
    """url -> (key, bytes) of every search file, with memo as the build cache (None: none). clean:
    from nothing, not even the files the index of the model before made."""
    if clean:
        search._last[:] = [None, None]
    with using(memo):
        if memo is not None:
            memo.start()
        model = build_model(validate_site(load_site(root)))
        found = {url: (search.shows(url, model), search.search_file(url, model)) for url in urls.search_data_urls(model.paper_count)}
        if memo is not None:
            memo.finish()
    return found


def paper_file(root: Path, i: int) -> Path:
    return root / "content" / "papers" / f"p{i:03d}.md"


EDITS = {
    # words added and words removed (the paper's own "p45" goes, so its two-letter start does too)
    "title": lambda root: paper_file(root, 45).write_text(record(45, title="Zygomorphic splat quandary"), encoding="utf-8"),
    "abstract": lambda root: paper_file(root, 45).write_text(record(45, abstract="Entirely other text: ozone, kelp."), encoding="utf-8"),
    "authors": lambda root: paper_file(root, 45).write_text(record(45, authors=["Hedy Lamarr", "Ada Lovelace"]), encoding="utf-8"),
    "nothing searched": lambda root: paper_file(root, 45).write_text(record(45).replace("score: 1.5", "score: 2.5"), encoding="utf-8"),
}
MOVES = {
    "deleted": lambda root: paper_file(root, 12).unlink(),
    "added": lambda root: paper_file(root, 200).write_text(record(200, title="A new arrival"), encoding="utf-8"),
    "moved by its date": lambda root: paper_file(root, 30).write_text(record(30, day="2031-01-01"), encoding="utf-8"),
}


@pytest.mark.parametrize("name", [*EDITS, *MOVES])
def test_after_an_edit_the_index_from_cached_blocks_is_the_index_from_nothing(site, name):
    memo = Memo()
    index(site, memo)
    (EDITS | MOVES)[name](site)
    cached = index(site, memo)
    clean = index(site, None, clean=True)
    assert {url: data for url, (_, data) in cached.items()} == {url: data for url, (_, data) in clean.items()}
    assert {url: key for url, (key, _) in cached.items()} == {url: key for url, (key, _) in clean.items()}


@pytest.mark.parametrize("name", EDITS)
def test_an_edit_in_place_remakes_one_block_and_keys_exactly_the_files_it_changed(site, name):
    memo = Memo()
    before = index(site, memo)
    EDITS[name](site)
    after = index(site, memo)
    changed_bytes = {url for url in after if after[url][1] != before[url][1]}
    changed_keys = {url for url in after if after[url][0] != before[url][0]}
    assert changed_keys == changed_bytes
    if name == "nothing searched":
        assert changed_keys == set()
    else:
        assert changed_keys and len(changed_keys) < len(after) // 2


def test_an_edit_remakes_only_the_block_of_its_paper(site):
    memo = Memo()
    index(site, memo)
    EDITS["title"](site)
    with using(memo):
        memo.start()
        model = build_model(validate_site(load_site(site)))
        search.shows("/search/facets.json", model)
        assert memo.computed["search"] == 1  # of 12 blocks


def test_a_deleted_paper_leaves_no_trace_and_an_added_one_is_found(site):
    memo = Memo()
    index(site, memo)
    MOVES["deleted"](site)
    MOVES["added"](site)
    found = index(site, memo)
    words = {word: papers for url, (_, data) in found.items() if "/words-" in url for word, papers in json.loads(data)}
    titles = [line[1] for url, (_, data) in sorted(found.items()) if "/papers-" in url for line in json.loads(data)]
    assert "p12" not in {t.split()[-1].lower() for t in titles} and "arrival" in words
    assert len(titles) == PAPERS == json.loads(found["/search/facets.json"][1])["count"]


def test_the_keys_are_the_same_in_every_process(site):
    """Words come out of sets, whose order changes with Python's hash seed: a block's parts are
    sorted, or a second build in a new process would key, render and write every file again."""
    script = (
        "import sys; from pathlib import Path; from generator import search, urls; "
        "from generator.load import load_site; from generator.model import build_model; from generator.validate import validate_site; "
        "search.BLOCK = 8; urls.SEARCH_SHARD_PAPERS = 8; "
        "m = build_model(validate_site(load_site(Path(sys.argv[1])))); "
        "print([search.shows(u, m) for u in urls.search_data_urls(m.paper_count)])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, str(site)],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1


def test_without_a_cache_the_index_after_an_edit_makes_only_the_files_it_changed(site, monkeypatch):
    """The preview's renderer makes every search file again after each edit, with no build cache
    to key them by: the index takes the files the one before made when they show the same."""
    before = index(site, None)
    EDITS["title"](site)
    made: list[str] = []
    make = search._Index._make

    def spy(self, url):
        made.append(url)
        return make(self, url)

    monkeypatch.setattr(search._Index, "_make", spy)
    after = index(site, None)
    assert set(made) == {url for url in after if after[url][1] != before[url][1]} != set()
    made.clear()
    assert after == index(site, None, clean=True) and len(made) == len(after)
