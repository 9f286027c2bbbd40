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


def _missing() -> None:
    return None


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
    found = [memo.get(stage, key, _missing) if memo is not None else None for key in keys]  # a missing one: None, made below
    todo = [i for i, value in enumerate(found) if value is None]
    for i, sent in zip(todo, fork_map(make, todo, processes, min_items)):
        value = found[i] = received(i, sent) if received is not None else sent
        if memo is not None:
            memo.put(stage, keys[i], value)
    return found


def fork_map(task: Callable[[Any], Any], items: Sequence[Any], processes: int | None = None, min_items: int | None = None) -> list[Any]:
    """[task(item) for item in items], in forked workers when there are enough items (min_items,
    default MIN_ITEMS: fewer for longer tasks) and cores.

    The results come back in order. Where fork is unavailable (Windows, macOS defaults), or with
    one core, it runs in this process: the result is the same either way.
    """
    with forked_map(task, items, processes, min_items) as results:
        return results()


@contextlib.contextmanager
def forked_map(
    task: Callable[[Any], Any], items: Sequence[Any], processes: int | None = None, min_items: int | None = None
) -> Iterator[Callable[[], list[Any]]]:
    """fork_map that lets this process work meanwhile: the workers fork and start on entering,
    and the function yielded waits for their results (in order). Leaving stops any still at work
    (this process failed meanwhile). Without workers, the function runs every task here."""
    global _task
    processes = cores() if processes is None else processes
    if processes < 2 or len(items) < max(MIN_ITEMS if min_items is None else min_items, 2):
        yield lambda: [task(item) for item in items]
        return
    import multiprocessing  # imported when workers start: a small site never forks

    if "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: [task(item) for item in items]
        return
    size = max(1, min(64, len(items) // (4 * processes)))  # small chunks keep every core busy to the end
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    _task = task
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:  # leaving terminates the workers
            parts = pool.map_async(_run, chunks, chunksize=1)
            yield lambda: [result for part in parts.get() for result in part]
    finally:
        _task = None
