"""A large rebuild is split with a second process: same index, same report, clean failures.

``PARALLEL_FROM`` is lowered so a small vault takes the two-process path (it needs Linux
and a second core, which CI has; elsewhere these tests are skipped).
"""

from __future__ import annotations

import os
import shutil
import signal

import pytest

import vaultcrm.engine.sync
import vaultcrm.engine.whoosh.segments
from vaultcrm.engine.forked import can_fork
from vaultcrm.engine.sync import index_for, sync_vault
from vaultcrm.errors import IndexFailure
from vaultcrm.store.vault import Vault

FILES = {
    **{
        f"people/Person {i:02}.md": f"---\nname: Person {i:02}\nteam: T{i % 3}\n---\n"
        f"Houdt van jazz en zeilen; dochter heeft tentamens. Nummer {i}.\n"
        for i in range(24)
    },
    **{
        f"meetings/2026-11-{d:02} overleg.md": f"Met [[Person {d:02}]] over de release {d}.\n"
        for d in range(1, 25)
    },
    "people/Kapot.md": "---\nname: [unclosed\n---\ntekst\n",
    "meetings/zz Kapot.md": "---\nteam: {\n---\nook kapot\n",
}


@pytest.fixture(autouse=True)
def _needs_fork() -> None:
    # Checked per test, not at import: can_fork() also refuses while threads run.
    if not can_fork():
        pytest.skip("needs Linux, a second core and no other threads")


@pytest.fixture
def two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vaultcrm.engine.sync, "PARALLEL_FROM", 2)


def _segments(vault: Vault) -> int:
    idx = index_for(vault).open()
    try:
        return len(idx.ix._read_toc().segments)
    finally:
        idx.close()


def _everything(vault: Vault) -> tuple:
    idx = index_for(vault).open()
    try:
        notes = [(n.path, n.title, n.text) for n in idx.notes()]
        searches = {
            q: [(h.path, round(h.score, 6)) for h in idx.search(q, limit=None)]
            for q in ("jazz", "tentamen", "team:t1", '"de release"', "Person")
        }
        return notes, searches, idx.stamps()
    finally:
        idx.close()


def test_a_two_process_rebuild_equals_a_one_process_one(make_vault, monkeypatch) -> None:
    vault = Vault(make_vault(FILES))
    one = sync_vault(vault, rebuild=True)
    alone = _everything(vault)
    monkeypatch.setattr(vaultcrm.engine.sync, "PARALLEL_FROM", 2)
    seen: list[tuple[int, int]] = []
    two = sync_vault(vault, rebuild=True, progress=lambda d, t: seen.append((d, t)))
    assert _segments(vault) == 2
    assert _everything(vault) == alone
    assert (two.added, two.problems) == (one.added, one.problems)
    assert len(two.problems) == 2  # one bad note in each half, both reported, in path order
    assert [p.path for p in two.problems] == sorted(p.path for p in two.problems)
    assert seen[-1] == (len(one.added), len(one.added))


def test_the_index_works_on_after_a_two_process_rebuild(make_vault, two_processes) -> None:
    root = make_vault(FILES)
    vault = Vault(root)
    sync_vault(vault, rebuild=True)
    assert _segments(vault) == 2
    (root / "people/Person 03.md").write_text("---\nname: Person 03\n---\nnu cello\n")
    (root / "meetings/2026-11-20 overleg.md").unlink()
    result = sync_vault(vault)
    assert (result.updated, result.removed) == (
        ("people/Person 03.md",),
        ("meetings/2026-11-20 overleg.md",),
    )
    idx = index_for(vault).open()
    try:
        assert [h.path for h in idx.search("cello")] == ["people/Person 03.md"]
        assert "people/Person 03.md" not in [h.path for h in idx.search("jazz", limit=None)]
    finally:
        idx.close()


def test_a_failing_second_process_fails_the_rebuild_cleanly(make_vault, two_processes) -> None:
    vault = Vault(make_vault(FILES))
    sync_vault(vault)

    def broken(self, upserts):
        raise MemoryError("no room")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vaultcrm.engine.whoosh.index.NoteIndex, "write_segment", broken)
        with pytest.raises(IndexFailure, match="second indexing process failed: MemoryError"):
            sync_vault(vault, rebuild=True)
    # Nothing half-built was committed: the next sync finds an empty index and adds all.
    assert len(sync_vault(vault).added) == len(FILES)


def test_a_second_process_killed_midway_fails_the_rebuild_cleanly(
    make_vault, two_processes
) -> None:
    vault = Vault(make_vault(FILES))
    parent = os.getpid()
    spill = vaultcrm.engine.whoosh.segments._TermPool._spill

    def spill_then_die(self):  # killed with a spilled run in its temporary folder
        spill(self)
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vaultcrm.engine.whoosh.segments, "WRITER_MB", 0)  # spill after every note
        mp.setattr(vaultcrm.engine.whoosh.segments._TermPool, "_spill", spill_then_die)
        with pytest.raises(IndexFailure, match="exit code -9"):
            sync_vault(vault, rebuild=True)
    temp = [p for p in vault.index_dir.iterdir() if p.name.endswith(".tmp")]
    assert temp and any(any(p.iterdir()) for p in temp)  # the child's runs, left behind
    assert len(sync_vault(vault).added) == len(FILES)
    assert [p for p in vault.index_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_new_notes_of_an_ordinary_sync_are_shared_with_a_second_process(
    make_vault, tmp_path, monkeypatch
) -> None:
    """Not only rebuilds: the notes a sync finds new (an import's, a folder copied in)
    have no older copy to replace, so a child may index them too. The index, the report
    and the next sync are as after a one-process sync."""
    half = dict(list(FILES.items())[:10])
    rest = {path: text for path, text in FILES.items() if path not in half}
    root = make_vault(half)
    shutil.copytree(root, tmp_path / "two")
    one, two = Vault(root), Vault(tmp_path / "two")
    for vault in (one, two):
        sync_vault(vault)
        for path, text in rest.items():
            (vault.root / path).parent.mkdir(parents=True, exist_ok=True)
            (vault.root / path).write_text(text, encoding="utf-8")
    (two.root / "people/Person 01.md").write_text("---\nname: Person 01\n---\nnu cello\n")
    (one.root / "people/Person 01.md").write_text("---\nname: Person 01\n---\nnu cello\n")
    alone = sync_vault(one)
    before = _segments(two)
    monkeypatch.setattr(vaultcrm.engine.sync, "PARALLEL_FROM", 2)
    shared = sync_vault(two)
    assert _segments(one) == before + 1
    assert _segments(two) == before + 2  # the child's segment joined the commit
    assert (shared.added, shared.updated, shared.problems) == (
        alone.added,
        alone.updated,
        alone.problems,
    )
    (notes, searches, stamps), (notes_one, searches_one, stamps_one) = map(_everything, (two, one))
    assert (notes, searches) == (notes_one, searches_one)
    assert {p: s.sha for p, s in stamps.items()} == {p: s.sha for p, s in stamps_one.items()}
    assert sync_vault(two).unchanged == len(FILES)
