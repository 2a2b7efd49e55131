"""Concurrency: notes that change while vaultcrm reads them, and a watcher, repeated
``index`` runs, parallel ``search``/``prep`` and a process editing, renaming and deleting
notes, all at once. Zero errors, and the index that is left equals a fresh rebuild.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from faultkit import (
    VAULTCRM,
    assert_no_crash,
    index_view,
    rebuilt_view,
    spawn,
    vaultcrm,
    wait_for,
    write_corpus,
)

from vaultcrm.engine import sync
from vaultcrm.engine.sync import index_for, sync_vault
from vaultcrm.store.vault import Vault

FILES = {
    "people/Henk de Vries.md": "---\nname: Henk de Vries\n---\njazz\n",
    "meetings/a.md": "Met [[Henk de Vries]] over jazz.\n",
    "meetings/b.md": "Nog een overleg over jazz.\n",
}


def indexed(vault: Vault) -> dict[str, str]:
    idx = index_for(vault).open()
    try:
        return {path: stamp.sha for path, stamp in idx.stamps().items()}
    finally:
        idx.close()


def _before_reading(monkeypatch, act) -> None:
    """Change the vault after the sync has walked it, right before it reads the first note."""
    real = sync.read_for_index
    done = []

    def read_for_index(vault, stamp):
        if not done:
            done.append(act(vault.root))
        return real(vault, stamp)

    monkeypatch.setattr(sync, "read_for_index", read_for_index)


def test_a_new_note_deleted_between_the_walk_and_the_read_is_not_indexed(
    make_vault, monkeypatch
) -> None:
    root = make_vault(FILES)
    sync_vault(Vault(root))
    (root / "meetings/c.md").write_text("vluchtig\n", encoding="utf-8")
    _before_reading(monkeypatch, lambda r: (r / "meetings/c.md").unlink())
    result = sync_vault(Vault(root))
    assert (str(result), result.problems) == ("+0 ~0 -0", ())
    assert sorted(indexed(Vault(root))) == sorted(FILES)


def test_an_edited_note_deleted_before_it_is_read_leaves_the_index(make_vault, monkeypatch) -> None:
    root = make_vault(FILES)
    sync_vault(Vault(root))
    (root / "meetings/b.md").write_text("Langer overleg over jazz en meer.\n", encoding="utf-8")
    _before_reading(monkeypatch, lambda r: (r / "meetings/b.md").rename(r / "meetings/d.md"))
    result = sync_vault(Vault(root))
    assert (result.removed, result.problems) == (("meetings/b.md",), ())
    monkeypatch.undo()
    assert str(sync_vault(Vault(root))) == "+1 ~0 -0"  # the next run finds it under its new name
    assert sorted(indexed(Vault(root))) == [
        "meetings/a.md",
        "meetings/d.md",
        "people/Henk de Vries.md",
    ]


def test_a_folder_renamed_during_a_build_leaves_no_ghosts(make_vault, monkeypatch) -> None:
    root = make_vault(FILES)
    _before_reading(monkeypatch, lambda r: (r / "meetings").rename(r / "overleg"))
    result = sync_vault(Vault(root))
    assert (str(result), result.problems) == ("+1 ~0 -0", ())
    monkeypatch.undo()
    assert str(sync_vault(Vault(root))) == "+2 ~0 -0"
    assert sorted(indexed(Vault(root))) == [
        "overleg/a.md",
        "overleg/b.md",
        "people/Henk de Vries.md",
    ]


def test_a_note_replaced_by_a_folder_is_gone_not_unreadable(make_vault, monkeypatch) -> None:
    root = make_vault(FILES)

    def swap(r: Path) -> None:
        (r / "meetings/b.md").unlink()
        (r / "meetings/b.md").mkdir()

    _before_reading(monkeypatch, swap)
    result = sync_vault(Vault(root))
    assert (str(result), result.problems) == ("+2 ~0 -0", ())


def test_a_scoped_sync_of_a_vanishing_note_is_quiet(make_vault, monkeypatch) -> None:
    root = make_vault(FILES)
    sync_vault(Vault(root))
    (root / "meetings/a.md").write_text("Met [[Henk de Vries]] over de release.\n")
    _before_reading(monkeypatch, lambda r: (r / "meetings/a.md").unlink())
    result = sync_vault(Vault(root), paths=["meetings/a.md"])
    assert (result.removed, result.problems) == (("meetings/a.md",), ())


# ---------------------------------------------------------------- everything at once

MUTATOR = """
import random, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from faultkit import mutate
root, seconds, seed = Path(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
rng, end, rounds = random.Random(seed), time.monotonic() + seconds, 0
while time.monotonic() < end:
    mutate(root, rng, 3)
    rounds += 1
    time.sleep(rng.uniform(0, 0.1))
print(rounds)
"""


class _Loop(threading.Thread):
    """Run one vaultcrm command again and again until the deadline; keep what went wrong."""

    def __init__(self, vault: Path, args: tuple[str, ...], deadline: float, allowed=(0,)):
        super().__init__(daemon=True)
        self.vault, self.args, self.deadline, self.allowed = vault, args, deadline, allowed
        self.runs = 0
        self.errors: list[str] = []

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            done = vaultcrm(self.vault, *self.args)
            self.runs += 1
            bad = [
                line
                for line in done.stderr.splitlines()
                if line.startswith(("vaultcrm:", "Traceback", "The index", "No index"))
                or "Error" in line
            ]
            if done.returncode not in self.allowed or bad:
                self.errors.append(f"{self.args}: exit {done.returncode}\n{done.stderr}")


def _everything_at_once(tmp_path: Path, seconds: float, notes: int, seed: int) -> None:
    vault = tmp_path / "vault"
    written = write_corpus(vault, notes, seed=seed)
    person = Path(sorted(p for p in written if p.startswith("people/"))[0]).stem
    assert_no_crash(vaultcrm(vault, "index"))
    watcher = spawn(vault, "watch")
    assert watcher.stdout.readline(), "the watcher started"
    deadline = time.monotonic() + seconds
    mutator = subprocess.Popen(
        [
            sys.executable,
            "-c",
            MUTATOR,
            str(Path(__file__).parent),
            str(vault),
            str(seconds),
            str(seed),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    loops = [
        _Loop(vault, ("index",), deadline),
        _Loop(vault, ("search", "jazz OR tentamen"), deadline, allowed=(0, 1)),
        _Loop(vault, ("search", "--people", "fietsen"), deadline, allowed=(0, 1)),
        _Loop(vault, ("prep", person), deadline),
        _Loop(vault, ("people",), deadline),
        _Loop(vault, ("check",), deadline),
    ]
    for loop in loops:
        loop.start()
    out, err = mutator.communicate(timeout=seconds + 60)
    assert mutator.returncode == 0 and "Traceback" not in err, err
    for loop in loops:
        loop.join(timeout=120)
    errors = [e for loop in loops for e in loop.errors]
    assert errors == [], "\n".join(errors[:5])
    assert all(loop.runs for loop in loops), [(loop.args, loop.runs) for loop in loops]

    # The watcher catches up on its own; the index it keeps equals a fresh rebuild.
    want = rebuilt_view(vault, tmp_path / "rebuilt")
    wait_for(lambda: _view_or_none(vault) == want, "the watcher to catch up", timeout=60)
    watcher.send_signal(signal.SIGINT)
    _, stderr = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, stderr
    assert "Traceback" not in stderr and "vaultcrm:" not in stderr, stderr
    assert index_view(vault) == want


def _view_or_none(vault: Path):
    try:
        return index_view(vault)
    except Exception:  # mid-commit: try again
        return None


@pytest.mark.timeout(240)
@pytest.mark.skipif(not VAULTCRM.exists(), reason="vaultcrm is not installed")
def test_watch_index_search_prep_and_an_editor_all_at_once(tmp_path) -> None:
    _everything_at_once(tmp_path, seconds=10, notes=100, seed=1)


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.skipif(not VAULTCRM.exists(), reason="vaultcrm is not installed")
@pytest.mark.parametrize("seed", [2, 3])
def test_everything_at_once_for_minutes(tmp_path, seed) -> None:
    _everything_at_once(tmp_path, seconds=180, notes=600, seed=seed)
