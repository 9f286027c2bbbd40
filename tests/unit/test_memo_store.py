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
