"""Blocks of papers for the files that cache their parts a block at a time (resume.json, the CV)."""

from __future__ import annotations

from types import SimpleNamespace

from generator.paper_blocks import blocks


def entries(names):
    return tuple(SimpleNamespace(key=f"content/papers/{name}.md\0digest-of-{name}") for name in names)


def keys(found) -> list[str]:
    return [key for _, key in found]


def test_every_paper_is_in_one_block_in_order():
    papers = entries(range(1000))
    found = [block for block, _ in blocks(papers)]
    assert [e for block in found for e in block] == list(papers)
    assert 5 < len(found) < 50 and all(found)  # about 64 papers each, none empty
    assert blocks(()) == []


def test_a_new_first_paper_or_a_removed_one_changes_only_its_own_block():
    papers = entries(range(1000))
    before = set(keys(blocks(papers)))
    added = keys(blocks(entries(["new"]) + papers))
    assert len(set(added) - before) == 1 and len(added) in (len(before), len(before) + 1)
    removed = keys(blocks(papers[:500] + papers[501:]))
    assert len(set(removed) - before) == 1


def test_a_block_with_a_paper_without_key_is_not_cached():
    papers = entries(range(200))
    without = papers[:100] + (SimpleNamespace(key=""),) + papers[100:]
    found = blocks(without)
    assert [key for block, key in found if without[100] in block] == [""]
    assert sum(1 for _, key in found if not key) == 1  # the others are cached as they were
    for block, key in found:  # kept with its first paper's results
        assert key == "" or key.startswith(block[0].key + "\0")
