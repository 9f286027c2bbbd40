"""The build cache on disk (memo.save / memo.load): what a build saves, the next reads back as it
was, and a part of the store changed by one byte is never unpickled."""

from __future__ import annotations

import pytest

from generator import memo


@pytest.fixture(autouse=True)
def own_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def saved(folder, results: dict[tuple[str, str], object]) -> None:
    made = memo.Memo()
    for (stage, key), value in results.items():
        made.get(stage, key, lambda value=value: value)
    made.finish()
    memo.save(folder, "salt", made)


RESULTS = {
    **{("entry", f"content/papers/p{i}.md\0{i}"): {"title": f"Paper {i}", "abstract": "word " * 300} for i in range(200)},
    **{("item", f"shared\0content/papers/p{i}.md\0{i}\0{depth}"): f"<li>{i} at {depth}</li>" for i in range(200) for depth in range(3)},
    ("page", "home"): "0123abcd",
}


def test_a_saved_store_reads_back_as_it_was(tmp_path):
    saved(tmp_path, RESULTS)
    loaded, notes = memo.load(tmp_path, "salt")
    assert notes == []
    for (stage, key), value in RESULTS.items():
        assert loaded.peek(stage, key) == value


def test_a_part_changed_by_one_byte_is_discarded_with_a_note(tmp_path):
    saved(tmp_path, RESULTS)
    part = tmp_path / memo.STORE_FILE
    blob = bytearray(part.read_bytes())
    blob[len(blob) // 2] ^= 1
    part.write_bytes(bytes(blob))
    loaded, notes = memo.load(tmp_path, "salt")
    found = {slot: loaded.peek(*slot) for slot in RESULTS}
    assert any(value is None for value in found.values())  # that part's results are made again
    assert all(value in (None, RESULTS[slot]) for slot, value in found.items())
    assert len(notes) == 1 and "damaged" in notes[0]
    assert 0 in loaded.dirty  # and written again


def test_a_cache_in_the_format_before_is_discarded_with_a_note_naming_the_upgrade(tmp_path):
    """The cache a cvsite of store format 2 left (its index and store files start with its own
    format line) is never read after an upgrade, and the note says why: another cvsite wrote it,
    not that the folder holds something that is no build cache at all."""
    saved(tmp_path, RESULTS)
    for name in (memo.CACHE_FILE, memo.STORE_FILE):
        blob = (tmp_path / name).read_bytes()
        assert blob.startswith(memo.MAGIC)
        (tmp_path / name).write_bytes(b"cvsite-cache 2\n" + blob[len(memo.MAGIC) :])
    loaded, notes = memo.load(tmp_path, "salt")
    assert all(loaded.peek(stage, key) is None for stage, key in RESULTS)
    assert len(notes) == 1 and "another cvsite version" in notes[0] and "not a cvsite build cache" not in notes[0]


def test_every_result_made_from_one_edited_record_lands_in_one_part(example_copy, edit, monkeypatch):
    """An edit of one paper remakes its parse, validation, entry and exports: all in one part of
    the store, so a build after it writes that part again, not a part per kind of result (each
    result's key is hashed: the part comes from the record's path). The CV's citations and
    resume.json's papers are kept a block of papers at a time (paper_blocks.py), each block in
    the part of its first paper: the edited paper's blocks add at most one part each."""
    from generator.pipeline import BuildOptions, render_site

    store = memo.Memo()
    render_site(BuildOptions(example_copy, jobs=1), store)  # it starts and finishes the memo
    rel = "content/papers/prototype-rectification-for-few-shot-learning.md"
    keys: dict[tuple[str, object], str] = {}
    slot_of = memo.slot_of

    def spy(stage: str, key: str):
        slot = slot_of(stage, key)
        keys[slot] = key
        return slot

    changed: list[tuple[str, object]] = []
    mark = memo.Memo._changed
    monkeypatch.setattr(memo, "slot_of", spy)
    monkeypatch.setattr(memo.Memo, "_changed", lambda self, slot: (changed.append(slot), mark(self, slot)))
    edit(example_copy / rel, "title: Prototype Rectification", "title: Prototype Rectification Revisited")
    render_site(BuildOptions(example_copy, jobs=1), store)
    assert 0 < store.computed.get("entry", 0) < len(list((example_copy / "content/papers").iterdir()))  # the edit's, not all
    mine = [slot for slot in changed if rel + "\0" in keys[slot]]
    assert {"parse", "paper", "entry", "export"} <= {stage for stage, _ in mine}
    assert len({memo.shard(slot) for slot in mine}) == 1
    blocks = [slot for slot in changed if slot[0] in ("items", "resume")]
    assert {stage for stage, _ in blocks} == {"items", "resume"}  # the edited paper's block of each
    for slot in blocks:  # in the part of its first paper's own results
        first = keys[slot].split("\0", 1)[0]
        assert first.startswith("content/papers/") and memo.shard(slot) == memo.shard_of("entry", f"{first}\0")


def test_a_result_is_found_only_under_the_stage_it_was_kept_under(tmp_path):
    """Slots hash the key alone, beside the stage's name: the same key under two stages is two
    results, in memory and read back from disk, and a third stage finds neither."""
    made = memo.Memo()
    made.put("entry", "content/papers/p.md\0k", "an entry")
    made.get("export", "content/papers/p.md\0k", lambda: "an export")
    made.finish()
    memo.save(tmp_path, "salt", made)
    loaded, _ = memo.load(tmp_path, "salt")
    for found in (made, loaded):
        assert found.peek("entry", "content/papers/p.md\0k") == "an entry"
        assert found.peek("export", "content/papers/p.md\0k") == "an export"
        assert found.peek("item", "content/papers/p.md\0k") is None
