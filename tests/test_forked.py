"""Work done ahead by a forked child: the same results as in-process, whatever the child
does. The child runs only on Linux with a second core and no other thread (CI has them);
elsewhere the tests that need it are skipped."""

from __future__ import annotations

import os
import signal

import pytest

import vaultcrm.engine.forked as forked
from vaultcrm.engine.forked import can_fork, mapped_ahead

ITEMS = list(range(forked.AHEAD_FROM * 3 + 7))  # several batches, the last one short


def square_and_where(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


@pytest.fixture
def needs_fork() -> None:
    if not can_fork():
        pytest.skip("needs Linux, a second core and no other threads")


def test_the_results_come_in_order_and_from_the_child(needs_fork) -> None:
    results = list(mapped_ahead(square_and_where, ITEMS))
    assert [r for r, _ in results] == [n * n for n in ITEMS]
    assert {pid for _, pid in results} - {os.getpid()}  # computed elsewhere


def test_few_items_are_done_here(needs_fork) -> None:
    few = ITEMS[: forked.AHEAD_FROM - 1]
    results = list(mapped_ahead(square_and_where, few))
    assert results == [(n * n, os.getpid()) for n in few]


def test_what_a_killed_child_did_not_deliver_is_done_here(needs_fork) -> None:
    parent = os.getpid()

    def dies_at_250(n: int) -> tuple[int, int]:
        if n == 250 and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return square_and_where(n)

    results = list(mapped_ahead(dies_at_250, ITEMS))
    assert [r for r, _ in results] == [n * n for n in ITEMS]
    assert results[250][1] == parent  # the child died there: the rest is the parent's
    assert results[0][1] != parent


def test_an_error_is_raised_here_where_it_happens(needs_fork) -> None:
    def fails_at_123(n: int) -> int:
        if n == 123:
            raise ValueError("not this one")
        return n

    got: list[int] = []
    with pytest.raises(ValueError, match="not this one"):
        got.extend(mapped_ahead(fails_at_123, ITEMS))
    assert got == ITEMS[:123]  # every result before it, as map would give


def test_a_caller_that_stops_early_leaves_no_child(needs_fork) -> None:
    results = mapped_ahead(square_and_where, ITEMS)
    _, child = next(results)
    results.close()
    with pytest.raises(ChildProcessError):  # killed and reaped: not our child any more
        os.waitpid(child, os.WNOHANG)


def test_without_a_second_core_it_is_map(monkeypatch) -> None:
    monkeypatch.setattr(forked, "can_fork", lambda: False)
    assert list(mapped_ahead(square_and_where, ITEMS)) == [(n * n, os.getpid()) for n in ITEMS]
