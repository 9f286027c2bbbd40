"""Forked workers: results in order whatever the split, and none left running when the build fails."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from generator import parallel


def test_forked_results_come_back_in_order_and_equal_those_made_here():
    items = list(range(300))
    with parallel.forked_map(lambda i: (i, os.getpid()), items, 2) as results:
        assert len(multiprocessing.active_children()) == 2  # at work already, while this process goes on
        made = results()
    assert [i for i, _ in made] == items
    assert {pid for _, pid in made} - {os.getpid()}  # made by workers, not here
    assert parallel.fork_map(lambda i: i * 2, items, 2) == parallel.fork_map(lambda i: i * 2, items, 1)


def test_workers_still_at_work_are_stopped_when_this_process_fails_meanwhile():
    read, write = os.pipe()  # never written: each task waits for ever
    try:
        with pytest.raises(RuntimeError, match="a page failed here"):
            with parallel.forked_map(lambda i: os.read(read, 1), list(range(100)), 2):
                assert len(multiprocessing.active_children()) == 2
                raise RuntimeError("a page failed here")
        assert multiprocessing.active_children() == []
    finally:
        os.close(read)
        os.close(write)


def test_without_enough_items_nothing_forks():
    with parallel.forked_map(lambda i: os.getpid(), list(range(3)), 2) as results:
        assert multiprocessing.active_children() == []
        assert results() == [os.getpid()] * 3


def test_the_preview_builds_a_large_site_without_forking(tmp_path, monkeypatch):
    """The preview process runs threads (the server, the watcher): a fork there could copy a lock
    another thread holds, so its whole builds make every stage here, the bibliography too."""
    from generator.pipeline import BuildOptions, render_site
    from tests.e2e.big_site import write_big_site

    def fork(*args, **kwargs):
        raise AssertionError("the preview forked")

    monkeypatch.setattr(parallel, "cores", lambda: 2)  # as on a machine with cores to fork for
    monkeypatch.setattr(parallel, "_can_fork", fork)
    site = write_big_site(tmp_path / "site", 2 * parallel.MIN_ITEMS)
    rendered = render_site(BuildOptions(site))  # as server.Preview calls it: no defer, no jobs
    assert rendered.model.paper_count == 2 * parallel.MIN_ITEMS
    assert len(rendered.model.exports) == 2 * parallel.MIN_ITEMS
