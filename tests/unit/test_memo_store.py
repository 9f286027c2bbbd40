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
    """The cache a cvsite of store format 3 left (its index and store files start with its own
    format line) is never read after an upgrade, and the note says why: another cvsite wrote it,
    not that the folder holds something that is no build cache at all."""
    saved(tmp_path, RESULTS)
    for name in (memo.CACHE_FILE, memo.STORE_FILE):
        blob = (tmp_path / name).read_bytes()
        assert blob.startswith(memo.MAGIC)
        (tmp_path / name).write_bytes(b"cvsite-cache 3\n" + blob[len(memo.MAGIC) :])
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
    mine = [slot for slot in changed if rel + "\0" in keys.get(slot, "")]  # (the index's slots are their keys: never hashed)
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


def test_compiled_templates_neither_read_the_store_nor_make_a_part_of_it_be_written(tmp_path):
    """The environment (compiled templates, which do not pickle) is kept in memory only: asking
    for it reads no part of the store and, once the build is saved, no part is written again."""
    saved(tmp_path, RESULTS)
    parts = {p: p.stat().st_mtime_ns for p in tmp_path.glob("store-*")}
    loaded, _ = memo.load(tmp_path, "salt")
    loaded.start()
    compiled = object()
    assert loaded.get("environment", "templates", lambda: compiled) is compiled
    assert not loaded.store_loaded and not loaded.dirty
    assert loaded.peek("entry", "content/papers/p1.md\x001") == RESULTS[("entry", "content/papers/p1.md\x001")]  # the store is read now
    assert loaded.get("environment", "templates", object) is compiled  # made once
    assert not loaded.dirty
    loaded.finish()
    memo.save(tmp_path, "salt", loaded)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.glob("store-*")} == parts
    assert loaded.get("environment", "templates 2", object) is not compiled  # other templates: made again


def test_find_marks_what_it_finds_used_and_makes_nothing(tmp_path):
    """load.py's one look-up per unchanged record: a result found is kept by the build (even when
    the memo is pruned to what the build used); one not there comes back None, and nothing is made."""
    saved(tmp_path, RESULTS)
    loaded, _ = memo.load(tmp_path, "salt")
    loaded.start()
    slot = ("entry", "content/papers/p7.md\x007")
    assert loaded.find(*slot) == RESULTS[slot]
    assert loaded.find("entry", "content/papers/none.md\x000") is None
    assert loaded.computed == {} and not loaded.dirty
    loaded.get("entry", "content/papers/new.md\x000", lambda: "made")  # a change, so that finish prunes what went unused
    loaded.finish()
    assert loaded.peek(*slot) == RESULTS[slot]
    assert loaded.peek("entry", "content/papers/p8.md\x008") is None  # not used by that build: dropped


def test_a_memo_mostly_used_by_a_build_keeps_what_it_did_not_use(tmp_path):
    saved(tmp_path, RESULTS)
    loaded, _ = memo.load(tmp_path, "salt")
    loaded.start()
    for stage, key in list(RESULTS)[:-10]:
        loaded.get(stage, key, lambda: None)
    loaded.put("entry", "content/papers/new.md\x000", "made")
    loaded.put("entry", "content/papers/p0.md\x000", "made again")  # a result the build changed
    loaded.finish()
    assert loaded.peek("entry", "content/papers/new.md\x000") == "made"
    assert loaded.peek("entry", "content/papers/p0.md\x000") == "made again"
    assert all(loaded.peek(stage, key) == value for (stage, key), value in RESULTS.items() if key != "content/papers/p0.md\x000")


def test_a_missing_part_is_made_again_while_the_others_are_read(tmp_path):
    saved(tmp_path, RESULTS)
    gone = {memo.shard(memo.slot_of(*slot)) for slot in RESULTS if slot[0] != "page"}.pop()
    (tmp_path / f"store-{gone:02d}.cache").unlink()
    loaded, notes = memo.load(tmp_path, "salt")
    found = {slot: loaded.peek(*slot) for slot in RESULTS}
    for slot, value in found.items():
        lost = slot[0] != "page" and memo.shard(memo.slot_of(*slot)) == gone
        assert value == (None if lost else RESULTS[slot])
    assert len(notes) == 1 and f"store-{gone:02d}.cache is missing" in notes[0]
    assert loaded.dirty == {gone}


def test_reading_the_store_runs_no_collection_over_what_it_read(tmp_path):
    """The store's results live to the end of the build: they are frozen before the collector is
    on again, so no collection walks them (the first allocation after reading used to collect
    the youngest generation, which held all of them)."""
    import gc

    many = {("entry", f"content/papers/p{i}.md\0{i}"): [f"entry {i}"] for i in range(2000)}  # more objects than a collection waits for
    saved(tmp_path, many)
    loaded, _ = memo.load(tmp_path, "salt")
    collections: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        assert loaded.peek("entry", "content/papers/p3.md\x003") == ["entry 3"]
        [[] for _ in range(10)]  # (allocations after: a collection due would run here)
        assert gc.isenabled() and collections == []
    finally:
        gc.callbacks.remove(seen)
        gc.unfreeze()
