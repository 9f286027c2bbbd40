"""Which file events matter, and bursts of them becoming one rebuild (with a fake clock)."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_a_save_is_taken_after_a_short_quiet_and_a_burst_after_a_longer_one():
    clock = FakeClock()
    debouncer = Debouncer(delay=0.03, clock=clock)
    for _ in range(3):  # modified, closed, the folder: one save
        debouncer.add(Path("content/papers/a.md"))
    clock.now += 0.031
    assert debouncer.take() == {Path("content/papers/a.md")}
    for i in range(40):  # a checkout: a pause of 0.03 s may come before it is over
        debouncer.add(Path(f"content/papers/p{i}.md"))
    clock.now += 0.05
    assert debouncer.take() is None
    clock.now += 0.2
    assert len(debouncer.take() or ()) == 40


def test_by_default_a_save_is_rebuilt_after_a_hundredth_of_a_second_and_a_checkout_is_still_one_batch():
    clock = FakeClock()
    debouncer = Debouncer(clock=clock)
    for _ in range(3):  # modified, modified, closed: an editor saving in place
        debouncer.add(Path("content/papers/a.md"))
    clock.now += 0.005
    assert debouncer.take() is None
    clock.now += 0.006
    assert debouncer.take() == {Path("content/papers/a.md")}
    for i in range(200):  # git checkout: an event every 2 ms, with one pause of 15 ms on the way
        debouncer.add(Path(f"content/papers/p{i}.md"))
        clock.now += 0.015 if i == 100 else 0.002
        assert debouncer.take() is None
    clock.now += 0.2
    assert len(debouncer.take() or ()) == 200


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


def test_a_stream_of_events_that_never_pauses_still_gets_a_batch_after_max_wait():
    clock = FakeClock()
    debouncer = Debouncer(delay=0.2, clock=clock, max_wait=2.0)
    for _ in range(15):  # an event every 0.125 s: never 0.2 s of quiet
        debouncer.add(Path("content/papers/p.md"))
        clock.now += 0.125
        assert debouncer.take() is None
    debouncer.add(Path("content/papers/p.md"))
    clock.now += 0.125  # 2 s after the first event
    assert debouncer.take() == {Path("content/papers/p.md")}


def test_wait_returns_the_batch_or_none_when_stopped():
    import threading

    debouncer = Debouncer(delay=0.01)
    stop = threading.Event()
    debouncer.add(Path("a.md"))
    assert debouncer.wait(stop) == {Path("a.md")}
    stop.set()
    assert debouncer.wait(stop) is None


def test_a_site_in_a_hidden_folder_is_still_watched(tmp_path):
    root = tmp_path / ".cv"
    assert not is_ignored(root / "content/papers/paper.md", [root / "output"], [root, root / "content"])
    assert is_ignored(root / "content/papers/.paper.md.swp", [root / "output"], [root, root / "content"])


class Recorder:
    def __init__(self):
        self.folders = []

    def __call__(self, path):
        self.folders.append(path)


def handler_for(root: Path):
    from generator.watch import _Handler

    debouncer = Debouncer(delay=0.2, clock=FakeClock())
    recorder = Recorder()
    handler = _Handler(debouncer, [root / "output"], root, [root, root / "content"], recorder)
    return handler, debouncer, recorder


def test_an_editor_save_dance_comes_down_to_the_saved_file(tmp_path):
    from watchdog.events import FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileOpenedEvent

    root = tmp_path
    paper = str(root / "content/papers/paper.md")
    handler, debouncer, _ = handler_for(root)
    for event in (  # vim's 'writebackup' save, then an atomic-rename save, then a plain write
        FileCreatedEvent(str(root / "content/papers/4913")),
        FileDeletedEvent(str(root / "content/papers/4913")),
        FileModifiedEvent(str(root / "content/papers/.paper.md.swp")),
        FileMovedEvent(paper, paper + "~"),
        FileCreatedEvent(paper),
        FileModifiedEvent(paper),
        FileDeletedEvent(paper + "~"),
        FileCreatedEvent(paper + ".tmp"),
        FileMovedEvent(paper + ".tmp", paper),
        FileOpenedEvent(paper),
        FileModifiedEvent(paper),
        FileClosedEvent(paper),
    ):
        handler.dispatch(event)
    debouncer.clock.now += 1
    assert debouncer.take() == {Path(paper)}


def test_at_the_site_root_only_site_yaml_and_source_folders_count(tmp_path):
    from watchdog.events import DirCreatedEvent, FileCreatedEvent, FileModifiedEvent

    root = tmp_path
    handler, debouncer, recorder = handler_for(root)
    for name in ("README.md", "output", "notes.txt"):
        handler.dispatch(FileModifiedEvent(str(root / name)))
    handler.dispatch(FileCreatedEvent(str(root / "output/index.html")))
    debouncer.clock.now += 1
    assert debouncer.take() is None

    handler.dispatch(FileModifiedEvent(str(root / "site.yaml")))
    (root / "static").mkdir()
    handler.dispatch(DirCreatedEvent(str(root / "static")))
    debouncer.clock.now += 1
    assert debouncer.take() == {root / "site.yaml", root / "static"}
    assert recorder.folders == [root / "static"]  # watched from now on


@pytest.mark.parametrize("poll", [False, True], ids=["native", "poll"])
def test_a_source_folder_created_while_watching_is_watched(make_site, poll):
    import shutil
    import threading

    from generator.watch import start_watching

    root = make_site().resolve()
    debouncer = Debouncer(delay=0.05)
    observer = start_watching(root, debouncer, [root / "output"], poll=poll)
    stop = threading.Event()
    timer = threading.Timer(10, stop.set)  # bounds every wait below
    timer.start()
    try:
        (root / "static").mkdir()
        assert root / "static" in (debouncer.wait(stop) or set())
        for round in range(2):  # created, then deleted and created again (a git checkout may do that)
            if round:
                shutil.rmtree(root / "static")
                assert debouncer.wait(stop)  # the watchers have seen it go
                (root / "static").mkdir()
                assert root / "static" in (debouncer.wait(stop) or set())
            (root / "static/me.txt").write_text(f"hello {round}")
            seen = set()
            while root / "static/me.txt" not in seen and not stop.is_set():
                seen |= debouncer.wait(stop) or set()
            assert root / "static/me.txt" in seen, round
    finally:
        timer.cancel()
        observer.stop()
        observer.join(5)


def test_a_site_outside_the_checkout_also_watches_the_builtin_templates_and_themes(make_site):
    from generator.config import builtin_dir

    watched = dict(watched_paths(make_site().resolve()))
    for name in ("templates", "themes"):
        builtin = builtin_dir(name).resolve()
        if "_builtin" in builtin.parts:  # an installed copy never changes: not watched
            assert builtin not in watched
        else:
            assert watched[builtin] is True
