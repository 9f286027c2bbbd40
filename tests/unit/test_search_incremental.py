"""The search index is kept in the build cache in blocks of papers, and each search file is keyed
by its part of every block (search.shows). After any edit, the index made from the cached blocks
must be byte for byte the index made from nothing, and exactly the files whose bytes changed must
get a new key: a file whose key stayed while its bytes changed would be left stale on disk, and a
key that moved without a change renders and writes the file for nothing."""

from __future__ import annotations

import base64
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
REAL = {"BLOCK": search.BLOCK, "CHUNK": search.CHUNK, "SHARD_PAPERS": urls.SEARCH_SHARD_PAPERS}  # before small_parts
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


def with_code(text: str) -> str:
    return text.replace("score: 1.5\n", "score: 1.5\nlinks:\n  code: https://example.org/code\n")


SITE_EDITS = {
    # result lines show dates and "et al." in the site's language, and its own strings
    "language": lambda root: (root / "site.yaml").write_text("title: Test Site\nlanguage: zh\ncategories: {QC: Quantum}\n"),
    "strings": lambda root: (root / "site.yaml").write_text("title: Test Site\nstrings: {et_al: and others}\ncategories: {QC: Quantum}\n"),
    # the filters show each category's label, and which papers have code
    "category relabelled": lambda root: (root / "site.yaml").write_text("title: Test Site\ncategories: {QC: Quantum Things}\n"),
    "code link added": lambda root: paper_file(root, 45).write_text(with_code(record(45)), encoding="utf-8"),
    "code link removed": lambda root: paper_file(root, 7).write_text(record(7), encoding="utf-8"),
}


@pytest.mark.parametrize("name", SITE_EDITS)
def test_after_a_site_edit_or_a_code_link_the_index_is_the_index_from_nothing(site, name):
    """Changes outside a paper's words (site.yaml's language, strings and category labels) or in
    a paper's facts for the filters: the index made from cached blocks and from the files of the
    index before equals one made from nothing, and every file whose bytes changed has a new key."""
    (site / "site.yaml").write_text("title: Test Site\ncategories: {QC: Quantum}\n")
    for i in range(0, PAPERS, 9):
        paper_file(site, i).write_text(record(i).replace("category: CV", "category: QC"), encoding="utf-8")
    etal = record(3, authors=["Ada Lovelace", "Grace Hopper"]).replace("score: 1.5", "score: 1.5\net_al: true")  # "… et al."
    paper_file(site, 3).write_text(etal, encoding="utf-8")
    paper_file(site, 7).write_text(with_code(record(7)), encoding="utf-8")
    memo = Memo()
    before = index(site, memo)
    SITE_EDITS[name](site)
    after = index(site, memo)  # blocks from the cache, files carried from the index before
    clean = index(site, None, clean=True)
    assert {url: data for url, (_, data) in after.items()} == {url: data for url, (_, data) in clean.items()}
    changed = {url for url in after if after[url][1] != before[url][1]}
    assert changed and changed <= {url for url in after if after[url][0] != before[url][0]}


def test_a_word_in_every_paper_of_full_blocks(make_site, monkeypatch):
    """Blocks of the real size: a word in all of a block's papers is that many one-byte numbers,
    and a paper past a block's end starts the next; a cached and a clean index agree at 0, 1,
    a block, a block and one, and two blocks of papers."""
    monkeypatch.setattr(search, "BLOCK", REAL["BLOCK"])
    monkeypatch.setattr(search, "CHUNK", REAL["CHUNK"])
    monkeypatch.setattr(urls, "SEARCH_CHUNK", REAL["CHUNK"])
    monkeypatch.setattr(urls, "SEARCH_SHARD_PAPERS", REAL["SHARD_PAPERS"])
    block = search.BLOCK
    root = make_site()
    (root / "content" / "papers").mkdir(parents=True)
    memo = Memo()
    for count in (0, 1, block, block + 1, 2 * block):
        for i in range(count):
            paper_file(root, i).write_text(record(i, abstract=f"Ubiquitous Straße İstanbul ΣΟΦΟΣ w{i}."), encoding="utf-8")
        cached = index(root, memo)
        clean = index(root, None, clean=True)
        assert cached == clean, count
        words = {w: papers for url, (_, data) in clean.items() if "/words-" in url for w, papers in json.loads(data)}
        everyone = list(range(count))
        assert (decode(words["ubiquitous"]) if count else []) == everyone
        if count:
            assert decode(words["straße"]) == decode(words["σοφος"]) == everyone


def decode(papers: list[int] | str) -> list[int]:
    """Paper numbers from gaps, or from a base64 bitmap of every paper (as site.js reads them)."""
    if isinstance(papers, str):
        bits = base64.b64decode(papers)
        return [n for n in range(len(bits) * 8) if bits[n >> 3] >> (n & 7) & 1]
    return [sum(papers[: k + 1]) for k in range(len(papers))]


def test_blocks_made_by_forked_workers_give_the_same_index_and_are_kept(site, monkeypatch):
    """A build makes the missing blocks on every core (search.prepare): the files must be those
    made in one process, and the blocks must reach the build cache, so the next build makes none."""
    from generator import parallel

    monkeypatch.setattr(search, "FORK_BLOCKS", 2)
    serial = index(site, None, clean=True)
    memo = Memo()
    search._last[:] = [None, None]
    with using(memo):
        memo.start()
        model = build_model(validate_site(load_site(site)))
        forks = []
        real_fork_map = parallel.fork_map
        monkeypatch.setattr(parallel, "fork_map", lambda *a, **k: forks.append(len(a[1])) or real_fork_map(*a, **k))
        search.prepare(model, 2)
        parallel_files = {url: (search.shows(url, model), search.search_file(url, model)) for url in urls.search_data_urls(PAPERS)}
        memo.finish()
    assert forks == [12]  # every block, in workers
    assert parallel_files == serial
    assert index(site, memo, clean=True) == serial
    assert memo.computed.get("search", 0) == 0  # all 12 blocks found in the cache
