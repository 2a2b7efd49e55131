"""Crash safety: ``vaultcrm index`` killed with SIGKILL at random moments of a build and of an
incremental sync. Each time the next command succeeds without the user doing anything, and
the index it leaves equals a clean rebuild made in a separate copy of the vault.

The short forms run in CI; ``-m slow`` runs the long ones (more kills, a bigger vault).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from faultkit import (
    VAULTCRM,
    assert_no_crash,
    assert_same_index,
    kill_after,
    mutate,
    note_snapshot,
    spawn,
    vaultcrm,
    write_corpus,
)

pytestmark = pytest.mark.skipif(not VAULTCRM.exists(), reason="vaultcrm is not installed")

# The command that comes after a crash: each must repair the index on its own.
NEXT = (("index",), ("search", "jazz"), ("people",), ("check",), ("agenda",))


def _timed(vault: Path, *args: str) -> float:
    started = time.monotonic()
    assert_no_crash(vaultcrm(vault, *args))
    return time.monotonic() - started


def _kill_builds(tmp_path: Path, notes: int, kills: int, seed: int) -> None:
    vault = tmp_path / "vault"
    write_corpus(vault, notes, seed=seed)
    before = note_snapshot(vault)
    took = _timed(vault, "index", "--rebuild")
    rng = random.Random(seed)
    killed = 0
    for attempt in range(kills):
        # Mostly inside the build, some just after start-up or near the commit.
        moment = rng.uniform(0.05, took * 1.1)
        args = ("index", "--rebuild") if attempt % 2 else ("index",)
        if attempt % 2 == 0:  # a first build: no index at all
            _remove_index(vault)
        killed += kill_after(spawn(vault, *args), moment)
        if attempt % 3 == 2:
            continue  # crash again on top of the wreck before anyone repairs it
        after = NEXT[attempt % len(NEXT)]
        assert_no_crash(vaultcrm(vault, *after), what=f"{after} after a kill at {moment:.2f}s")
        assert_same_index(vault, tmp_path / "rebuilt", f"build killed at {moment:.2f}s")
    assert_no_crash(vaultcrm(vault, "index"))
    assert_same_index(vault, tmp_path / "rebuilt", "after the last kill")
    assert killed >= kills // 2, "most runs were really killed mid-way"
    assert note_snapshot(vault) == before, "indexing never touches a note"


def _kill_syncs(tmp_path: Path, notes: int, kills: int, seed: int) -> None:
    vault = tmp_path / "vault"
    write_corpus(vault, notes, seed=seed)
    assert_no_crash(vaultcrm(vault, "index"))
    rng = random.Random(seed)
    killed = 0
    for attempt in range(kills):
        mutate(vault, rng, count=max(5, notes // 4))
        before = note_snapshot(vault)
        took = _timed_copy(vault, tmp_path / "probe")
        moment = rng.uniform(0.05, took * 1.1)
        killed += kill_after(spawn(vault, "index"), moment)
        if attempt % 3 == 2:
            continue
        after = NEXT[attempt % len(NEXT)]
        assert_no_crash(vaultcrm(vault, *after), what=f"{after} after a kill at {moment:.2f}s")
        assert_same_index(vault, tmp_path / "rebuilt", f"sync killed at {moment:.2f}s")
        assert note_snapshot(vault) == before, "indexing never touches a note"
    assert_no_crash(vaultcrm(vault, "index"))
    assert_same_index(vault, tmp_path / "rebuilt", "after the last kill")
    assert killed >= kills // 2, "most runs were really killed mid-way"


def _kill_watchers(tmp_path: Path, notes: int, kills: int, seed: int) -> None:
    """``watch`` killed while it indexes a burst of edits, renames and deletes."""
    vault = tmp_path / "vault"
    write_corpus(vault, notes, seed=seed)
    assert_no_crash(vaultcrm(vault, "index"))
    rng = random.Random(seed)
    for attempt in range(kills):
        watcher = spawn(vault, "watch")
        started = watcher.stdout.readline()  # the start sync's line: the observer is running
        assert " +0 ~0 -0 " in started or started.split()[1:2] == ["+0"], started
        mutate(vault, rng, count=max(10, notes // 3))
        before = note_snapshot(vault)
        moment = rng.uniform(0.0, 1.5)  # events coalesce for ~0.2 s, then one batch commits
        assert kill_after(watcher, moment), "the watcher runs until it is stopped"
        after = NEXT[attempt % len(NEXT)]
        assert_no_crash(
            vaultcrm(vault, *after), what=f"{after} after watch killed at {moment:.2f}s"
        )
        assert_same_index(vault, tmp_path / "rebuilt", f"watch killed at {moment:.2f}s")
        assert note_snapshot(vault) == before, "indexing never touches a note"


def _timed_copy(vault: Path, probe: Path) -> float:
    """How long this incremental sync takes, measured on a copy (so the vault's own sync
    is still to do when it is killed)."""
    import shutil

    if probe.exists():
        shutil.rmtree(probe)
    shutil.copytree(vault, probe, ignore=shutil.ignore_patterns("*.lock", "locks"))
    return _timed(probe, "index")


def _remove_index(vault: Path) -> None:
    import shutil

    shutil.rmtree(vault / ".vaultcrm" / "index", ignore_errors=True)


@pytest.mark.timeout(120)
def test_a_build_killed_at_random_moments_is_repaired_by_the_next_command(tmp_path) -> None:
    _kill_builds(tmp_path, notes=120, kills=5, seed=1)


@pytest.mark.timeout(120)
def test_an_incremental_sync_killed_at_random_moments_is_repaired(tmp_path) -> None:
    _kill_syncs(tmp_path, notes=120, kills=5, seed=2)


@pytest.mark.timeout(120)
def test_a_watcher_killed_mid_batch_leaves_an_index_the_next_command_repairs(tmp_path) -> None:
    _kill_watchers(tmp_path, notes=100, kills=3, seed=3)


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("seed", [31, 32])
def test_many_killed_watchers(tmp_path, seed) -> None:
    _kill_watchers(tmp_path, notes=600, kills=30, seed=seed)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_killed_bulk_builds(tmp_path) -> None:
    """A rebuild big enough to be split with a second process (sync.PARALLEL_FROM): a kill
    of the parent must take the forked child with it and leave a repairable index."""
    _kill_builds(tmp_path, notes=2500, kills=10, seed=13)


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("seed", [11, 12])
def test_many_killed_builds(tmp_path, seed) -> None:
    _kill_builds(tmp_path, notes=600, kills=40, seed=seed)


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.parametrize("seed", [21, 22])
def test_many_killed_syncs(tmp_path, seed) -> None:
    _kill_syncs(tmp_path, notes=600, kills=40, seed=seed)
