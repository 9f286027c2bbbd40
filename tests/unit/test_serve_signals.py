"""SIGTERM stops `cvsite serve` as Ctrl-C does; a process forked from it (a build's worker pool,
which stops its workers with SIGTERM) exits quietly instead of printing a traceback over the
preview's output."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from generator.cli import _stop_on_term


def test_sigterm_in_the_serving_process_is_a_keyboard_interrupt():
    handler = _stop_on_term(os.getpid())
    with pytest.raises(KeyboardInterrupt):
        handler(signal.SIGTERM, None)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_sigterm_in_a_forked_worker_exits_without_a_traceback():
    handler = _stop_on_term(os.getpid())
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: what it prints goes to the pipe
        os.dup2(write, 2)
        try:
            handler(signal.SIGTERM, None)
        except BaseException as exc:  # noqa: BLE001 - the failure the test looks for
            sys.stderr.write(f"raised {type(exc).__name__}")
            sys.stderr.flush()
        os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as pipe:
        printed = pipe.read()
    assert os.waitstatus_to_exitcode(status) == 128 + signal.SIGTERM
    assert printed == b""
