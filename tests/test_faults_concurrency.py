"""Concurrency: notes that change while vaultcrm reads them, and a watcher, repeated
``index`` runs, parallel ``search``/``prep`` and a process editing, renaming and deleting
notes, all at once. Zero errors, and the index that is left equals a fresh rebuild.
"""

from __future__ import annotations

from pathlib import Path

from vaultcrm import sync
from vaultcrm.sync import index_for, sync_vault
from vaultcrm.vault import Vault

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
