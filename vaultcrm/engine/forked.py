"""Work done ahead by a forked second process, where the machine has a core for it.

vaultcrm's slow jobs are pure Python, so a second thread would only wait for the first
one's lock; a second process runs beside it. Two jobs use one: a sync with many new
notes indexes half of them in a child (``sync._Helper``), and ``import`` has an
address book's cards parsed by a child while it plans the contacts before them
(``mapped_ahead``).

Fork, not spawn: the child needs nothing pickled but its results, and starts in
milliseconds. Only on Linux, with a second usable core, and only from a process with
no other thread (forking a threaded one, such as ``watch`` with its observer, can
deadlock). A child dies with its parent, so a killed command leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Fewer items than this are done in-process: starting the child (~5 ms) would cost more
# than it saves. Results come back this many at a time.
AHEAD_FROM = 100
BATCH = 50


def can_fork() -> bool:
    """Whether a second process may be forked here and has a core to run on."""
    import sys
    import threading

    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except OSError:
        return False


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (best effort)."""
    import ctypes
    import signal

    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def mapped_ahead(fn: Callable[[T], R], items: Sequence[T]) -> Iterator[R]:
    """``fn`` of each of ``items``, in order, like ``map``; computed ahead by a forked
    child while the caller works on the results it already has.

    The results are the same either way, only sooner: without a second core, with few
    items, or when the child fails or is killed, the caller computes what the child did
    not deliver itself. So ``fn`` must be pure (it runs in either process, and what it
    changes in the child is lost) and its results must pickle. A caller that stops
    early takes the child down with it."""
    if len(items) < AHEAD_FROM or not can_fork():
        yield from map(fn, items)
        return
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no memory or process slots left: do it all here
        os.close(read)
        os.close(write)
        yield from map(fn, items)
        return
    if pid == 0:  # the child
        os.close(read)
        _compute(fn, items, write, os.getppid())
    os.close(write)
    done = 0
    try:
        with os.fdopen(read, "rb") as results:
            while done < len(items):
                try:
                    batch = pickle.load(results)
                except Exception:  # noqa: BLE001 - the child ended, whole batches or not
                    break
                done += len(batch)
                yield from batch
        yield from map(fn, items[done:])
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, 9)  # SIGKILL: finished already, or no longer wanted
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)


def _compute(fn: Callable[[T], R], items: Sequence[T], write: int, parent: int) -> None:
    """The child's side of ``mapped_ahead``; it never returns into the caller's code."""
    code = 1
    try:
        die_with_parent()
        if os.getppid() == parent:  # else the parent died before the line above took hold
            with contextlib.suppress(OSError):  # room for more batches in the pipe
                import fcntl

                fcntl.fcntl(write, 1031, 1 << 20)  # F_SETPIPE_SZ
            with os.fdopen(write, "wb") as out:
                for start in range(0, len(items), BATCH):
                    batch = [fn(item) for item in items[start : start + BATCH]]
                    pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
                    out.flush()
            code = 0
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
