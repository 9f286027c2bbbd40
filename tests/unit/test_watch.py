"""Which file events matter, and bursts of them becoming one rebuild (with a fake clock)."""

from __future__ import annotations

from pathlib import Path

from generator.watch import Debouncer, is_ignored, watched_paths


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_editor_droppings_hidden_files_and_output_are_ignored(tmp_path):
    output = tmp_path / "output"
    for name in ("paper.md~", ".paper.md.swp", "#paper.md#", "4913", ".git/index", "x.tmp"):
        assert is_ignored(tmp_path / "content" / name), name
    assert is_ignored(output / "index.html", [output])
    assert not is_ignored(tmp_path / "content/papers/paper.md", [output])
    assert not is_ignored(tmp_path / "site.yaml", [output])


def test_burst_of_events_becomes_one_batch_after_quiet():
    clock = FakeClock()
    debouncer = Debouncer(delay=0.2, clock=clock)
    for i in range(200):
        debouncer.add(Path(f"content/papers/p{i % 20}.md"))
        clock.now += 0.001
        assert debouncer.take() is None  # still busy
    clock.now += 0.1
    assert debouncer.take() is None  # not quiet long enough yet
    clock.now += 0.15
    batch = debouncer.take()
    assert batch is not None and len(batch) == 20
    assert debouncer.take() is None  # nothing left over


def test_events_after_a_batch_start_a_new_one():
    clock = FakeClock()
    debouncer = Debouncer(delay=0.2, clock=clock)
    debouncer.add(Path("a.md"))
    clock.now += 0.3
    assert debouncer.take() == {Path("a.md")}
    debouncer.add(Path("b.md"))
    clock.now += 0.3
    assert debouncer.take() == {Path("b.md")}


def test_watched_paths_cover_the_site_sources(make_site):
    root = make_site({"templates/x.html": "", "static/me.jpg": ""}).resolve()
    watched = dict(watched_paths(root))
    assert watched[root] is False  # only site.yaml at the top level
    for name in ("content", "templates", "static"):
        assert watched[root / name] is True
    assert root / "output" not in watched
