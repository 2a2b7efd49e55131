"""A failed commit: the disk fills up while the index is written. The error is clear
(exit 3, one line, no traceback), both locks are released, the next run succeeds and
equals a clean rebuild, and no note is touched.

The disk is "filled" in-process: every file Whoosh creates accepts only a budget of
bytes, then raises ``OSError(ENOSPC)``, at many different points of a build and of an
incremental update.
"""

from __future__ import annotations

import errno
import random
from pathlib import Path

import pytest
import whoosh.filedb.filestore
from faultkit import (
    assert_same_index,
    index_view,
    mutate,
    note_snapshot,
    write_corpus,
)
from whoosh.filedb.filestore import FileStorage

from vaultcrm.engine.sync import index_for, index_lock
from vaultcrm.store.vault import Vault

DISK_FULL = "No space left on device"


class _Budget:
    """Bytes left on the simulated disk, shared by every file opened while it is full."""

    def __init__(self, left: int):
        self.left = left
        self.hit = False


class _FullFile:
    """A file object whose writes fail once the budget is spent, as on a full disk."""

    def __init__(self, handle, budget: _Budget):
        self._handle = handle
        self._budget = budget

    def write(self, data) -> int:
        size = len(data)
        if size > self._budget.left:
            self._budget.hit = True
            raise OSError(errno.ENOSPC, DISK_FULL)
        self._budget.left -= size
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)


@pytest.fixture
def fill_disk(monkeypatch):
    """``fill_disk(n)``: from now on Whoosh may write ``n`` more bytes; returns the budget."""

    def fill(left: int) -> _Budget:
        budget = _Budget(left)
        real = FileStorage.create_file

        def create_file(self, name, *args, **kwargs):
            created = real(self, name, *args, **kwargs)
            created.file = _FullFile(created.file, budget)
            return created

        monkeypatch.setattr(whoosh.filedb.filestore.FileStorage, "create_file", create_file)
        return budget

    return fill


def assert_unlocked(vault: Path) -> None:
    """Our lock and Whoosh's WRITELOCK are both free: taken at once, without waiting."""
    with index_lock(Vault(vault), timeout=0):
        pass
    name = index_for(Vault(vault)).name
    lock = FileStorage(str(vault / ".vaultcrm" / "index")).lock(f"{name}_WRITELOCK")
    assert lock.acquire(), "Whoosh's write lock was released"
    lock.release()


def assert_failed_cleanly(result, vault: Path) -> None:
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[-1].startswith(f"vaultcrm: {vault / '.vaultcrm' / 'index'}: ")
    assert lines[-1].endswith(f": {DISK_FULL}"), lines
    assert len(lines) <= 2, "at most the rebuild notice and the error"


@pytest.mark.parametrize("budget", [0, 300, 3_000, 30_000, 120_000, 10**9])
def test_a_build_that_fills_the_disk(tmp_path, run, fill_disk, monkeypatch, budget) -> None:
    vault = tmp_path / "vault"
    write_corpus(vault, 40, seed=5)
    before = note_snapshot(vault)
    spent = fill_disk(budget)
    result = run(vault, "index")
    if spent.hit:
        assert_failed_cleanly(result, vault)
    else:
        assert result.exit_code == 0, result.output
    monkeypatch.undo()
    assert_unlocked(vault)
    again = run(vault, "index")
    assert again.exit_code == 0, again.output
    assert_same_index(vault, tmp_path / "rebuilt", f"after a disk full at {budget} bytes")
    assert note_snapshot(vault) == before, "indexing never touches a note"


@pytest.mark.parametrize("command", ["index", "search", "people"])
def test_an_update_that_fills_the_disk(tmp_path, run, fill_disk, monkeypatch, command) -> None:
    vault = tmp_path / "vault"
    write_corpus(vault, 40, seed=6)
    assert run(vault, "index").exit_code == 0
    mutate(vault, random.Random(6), 8)
    before = note_snapshot(vault)
    fill_disk(2_000)
    args = {"index": ("index",), "search": ("search", "jazz"), "people": ("people",)}[command]
    if command == "index":
        assert_failed_cleanly(run(vault, *args), vault)
    else:  # a reading command answers from the last good index and says it may be stale
        stale = run(vault, *args)
        assert stale.exit_code == 0, stale.output
        assert stale.stdout.strip()
        (notice,) = stale.stderr.splitlines()
        assert DISK_FULL in notice and "stale" in notice
    monkeypatch.undo()
    assert_unlocked(vault)
    again = run(vault, *args)
    assert again.exit_code == 0, again.output
    assert_same_index(vault, tmp_path / "rebuilt", "after a failed update")
    assert note_snapshot(vault) == before


def test_the_index_before_a_failed_update_is_still_there(tmp_path, run, fill_disk) -> None:
    """A failed commit changes nothing: the last good index still answers."""
    vault = tmp_path / "vault"
    write_corpus(vault, 30, seed=8)
    assert run(vault, "index").exit_code == 0
    good = index_view(vault)
    mutate(vault, random.Random(8), 6)
    fill_disk(1_000)
    assert run(vault, "index").exit_code == 3
    assert index_view(vault) == good


def test_a_full_disk_when_the_state_folder_is_made(tmp_path, run, monkeypatch) -> None:
    """The very first write (.vaultcrm/.gitignore) failing is an error, not a traceback."""
    vault = tmp_path / "vault"
    write_corpus(vault, 5, seed=9)
    real = Path.write_text

    def write_text(self, *args, **kwargs):
        if self.name == ".gitignore":
            raise OSError(errno.ENOSPC, DISK_FULL)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    result = run(vault, "index")
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("vaultcrm: ") and DISK_FULL in result.stderr
    monkeypatch.undo()
    assert run(vault, "index").exit_code == 0


@pytest.mark.timeout(90)
def test_a_watcher_survives_a_full_disk_and_catches_up(tmp_path, fill_disk, monkeypatch) -> None:
    """The disk fills while ``watch`` runs: it says so once, keeps running, and once space
    is freed its retry brings the index in line; no lock is left held."""
    import threading

    from faultkit import wait_for

    import vaultcrm.engine.watch
    from vaultcrm.engine.sync import sync_vault
    from vaultcrm.engine.watch import VaultWatcher

    monkeypatch.setattr(vaultcrm.engine.watch, "RETRY_AFTER", 0.3)
    vault = tmp_path / "vault"
    write_corpus(vault, 20, seed=10)
    sync_vault(Vault(vault))
    notices: list[str] = []
    watcher = VaultWatcher(Vault(vault), poll=True, poll_interval=0.1, on_notice=notices.append)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_for(watcher.ready.is_set, "the watcher to start")
        budget = fill_disk(0)
        mutate(vault, random.Random(10), 5)
        wait_for(lambda: any(DISK_FULL in n for n in notices), "the disk-full notice")
        assert budget.hit
        budget.left = 10**12  # space freed
        want = rebuilt_view_of(vault, tmp_path / "rebuilt")
        wait_for(lambda: _view(vault) == want, "the watcher to catch up", timeout=30)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert [n for n in notices if DISK_FULL in n] == [notices[0]], "said once"
    assert_unlocked(vault)


def rebuilt_view_of(vault: Path, scratch: Path):
    from faultkit import rebuilt_view

    return rebuilt_view(vault, scratch)


def _view(vault: Path):
    try:
        return index_view(vault)
    except Exception:
        return None
