"""A build parses the record files its cache lacks on every core: the site it reads, and every
problem found in it, must be what reading them one after the other gives."""

from __future__ import annotations

import os

from generator import parallel
from generator.load import load_site
from generator.memo import Memo, using
from tests.conftest import PAPER


def test_records_parsed_by_workers_equal_those_parsed_here(make_site, monkeypatch):
    files = {f"content/papers/p{i:02d}.md": PAPER.replace("A Paper", f"Paper {i}") for i in range(12)}
    files["content/papers/broken.md"] = "---\ntitle: [unclosed\n---\nText.\n"
    root = make_site(files)
    os.mkfifo(root / "content" / "papers" / "pipe.md")  # never readable: reported, never waited for
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    forked: list[int] = []
    fork_map = parallel.fork_map
    monkeypatch.setattr(parallel, "fork_map", lambda task, items, *a, **k: forked.append(len(items)) or fork_map(task, items, *a, **k))

    def read(jobs: int):
        memo = Memo()
        with using(memo):
            memo.start()
            return load_site(root, jobs=jobs), memo

    (here, _), (apart, memo) = read(1), read(2)
    assert forked == [14]  # every record file went to the workers
    assert [str(p) for p in apart.problems] == [str(p) for p in here.problems]
    assert any(p.path.endswith("broken.md") and p.line == 2 for p in apart.problems)
    assert any(p.path.endswith("pipe.md") for p in apart.problems)
    assert [(r.path, r.digest, r.doc.data, r.body) for r in apart.papers] == [(r.path, r.digest, r.doc.data, r.body) for r in here.papers]
    assert apart.digests == here.digests
    for record in apart.papers:  # the workers' parses are kept in the cache
        assert memo.peek("parse", f"{record.path}\0{record.digest}") is not None


def test_a_record_is_read_whole_up_to_the_limit_and_refused_beyond_it(tmp_path):
    # each file is read for the size it has; one at the limit is whole, one byte more is refused
    import pytest

    from generator.load import MAX_RECORD_BYTES, _NotReadable, _read_bytes

    path = tmp_path / "p.yaml"
    for size in (0, 1, 4096, MAX_RECORD_BYTES):
        data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        path.write_bytes(data)
        assert _read_bytes(path) == data
    path.write_bytes(b"x" * (MAX_RECORD_BYTES + 1))
    with pytest.raises(_NotReadable, match="larger than 10 MB"):
        _read_bytes(path)


def test_a_record_that_grows_while_it_is_read_is_read_to_its_end(tmp_path, monkeypatch):
    # the size taken when the file was opened is a hint: bytes written since are read too
    import os

    from generator import load

    path = tmp_path / "p.yaml"
    path.write_bytes(b"title: x\n")
    fstat = os.fstat

    def grown(fd):
        st = fstat(fd)
        with open(path, "ab") as more:
            more.write(b"abstract: y\n")
        return st

    monkeypatch.setattr(load.os, "fstat", grown)
    assert load._read_bytes(path) == b"title: x\nabstract: y\n"
