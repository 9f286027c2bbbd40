"""Using every core: forked workers inherit what the parent has built (the model, the compiled
templates) instead of receiving it, and send back as little as possible.

Page workers write their own files and send back only digests: an earlier attempt that sent the
page bytes back to the parent spent as much time pickling them as the workers saved.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

MIN_ITEMS = 64  # below this, starting workers costs more than it saves

_task: Callable[[Any], Any] | None = None  # what forked workers inherit (set just before the fork)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _run(chunk: Sequence[Any]) -> list[Any]:
    assert _task is not None
    return [_task(item) for item in chunk]


def cached_map(
    stage: str,
    keys: Sequence[str],
    make: Callable[[int], Any],
    processes: int | None = None,
    min_items: int | None = None,
    received: Callable[[int, Any], Any] | None = None,
) -> list[Any]:
    """[memo.cached(stage, keys[i], lambda: make(i)) for each i], with one look-up per key (each
    hashes its key) and the results the build cache lacks made by forked workers at once
    (fork_map). received(i, sent) makes the result of what a worker sent back, when make leaves
    out what this process has already."""
    from .memo import active

    memo = active()
    found = [memo.find(stage, key) if memo is not None else None for key in keys]  # a missing one: None, made below
    todo = [i for i, value in enumerate(found) if value is None]
    for i, sent in zip(todo, fork_map(make, todo, processes, min_items)):
        value = found[i] = received(i, sent) if received is not None else sent
        if memo is not None:
            memo.made(stage, keys[i], value)
    return found


def fork_map(task: Callable[[Any], Any], items: Sequence[Any], processes: int | None = None, min_items: int | None = None) -> list[Any]:
    """[task(item) for item in items], in forked workers when there are enough items (min_items,
    default MIN_ITEMS: fewer for longer tasks) and cores.

    The results come back in order. Where fork is unavailable (Windows, macOS defaults), or with
    one core, it runs in this process: the result is the same either way.
    """
    with forked_map(task, items, processes, min_items) as results:
        return results()


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


class WorkerDied(RuntimeError):
    """A worker process ended without its results (killed: by the out-of-memory killer, say)."""


@contextlib.contextmanager
def forked_map(
    task: Callable[[Any], Any], items: Sequence[Any], processes: int | None = None, min_items: int | None = None
) -> Iterator[Callable[[], list[Any]]]:
    """fork_map that lets this process work meanwhile: the workers fork and start on entering,
    and the function yielded waits for their results (in order). A worker that dies raises
    WorkerDied rather than leaving the build waiting for ever; leaving early (this process failed
    meanwhile) stops the workers still at work. Without workers, the function runs every task here."""
    global _task
    processes = cores() if processes is None else processes
    few = processes < 2 or len(items) < max(MIN_ITEMS if min_items is None else min_items, 2)
    if few or not _can_fork():  # (few first: a small site never imports multiprocessing)
        yield lambda: [task(item) for item in items]
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    size = max(1, min(64, len(items) // (4 * processes)))  # small chunks keep every core busy to the end
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    others = set(multiprocessing.active_children())
    _task = task
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
    finished = False
    try:
        parts = pool.map(_run, chunks)  # every worker forks at the first task, inheriting _task

        def results() -> list[Any]:
            try:
                return [result for part in parts for result in part]
            except BrokenProcessPool:
                raise WorkerDied("a worker process died before it finished (killed, or out of memory?)") from None

        yield results
        finished = True
    finally:
        _task = None
        if not finished:  # stop the workers still at work: shutting down alone would wait for them
            for child in set(multiprocessing.active_children()) - others:
                child.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
