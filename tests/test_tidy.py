"""A deleted note, or words edited out of one, leaves nothing in ``.vaultcrm/`` once the
index is tidied: by the next ``index`` run or ``purge_index`` (the watcher's idle tidy:
tests/test_watch.py).

Every check reads the raw bytes of every file under ``.vaultcrm/``, and also every zlib
stream in them (tests/traces.py): Whoosh stores a note's fields compressed, so a plain
grep would miss them there (``test_the_trace_finder_sees_compressed_stored_notes``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from traces import traces as find_traces

import vaultcrm.engine.sync
from vaultcrm.engine.sync import files_for, index_for, purge_index, sync_vault, tidy_index
from vaultcrm.store.vault import Vault
from vaultcrm.store.writes import lock_path_for, update_file

SECRET = "people/Zanthe Quillomb.md"
SECRET_TEXT = (
    "---\nname: Zanthe Quillomb\nteam: Vlimtrax\n---\n"
    "Zanthe collects XyloFrobnik figurines.\n"
    "- [ ] bring the QwyxZorb 📅 2026-12-01\n"
)
# Each word as the index may keep it: stemmed (zanthe → zanth), lowercased or as written.
TRACES = ("zanth", "quillomb", "vlimtrax", "xylofrobnik", "qwyxzorb")
FILES = {
    "people/Henk de Vries.md": "---\nname: Henk de Vries\nteam: Klantenservice\n---\njazz\n",
    "people/Zoë Bakker.md": "---\nname: Zoë Bakker\ncadence: 14d\n---\nwielrennen\n",
    "meetings/2026-11-10 overleg.md": "Met [[Henk de Vries]] over de release.\n",
    SECRET: SECRET_TEXT,
}


def traces(root: Path, words=TRACES, *, case: bool = False) -> dict[str, set[str]]:
    """Which of ``words`` each file under .vaultcrm/ holds, raw or compressed."""
    return find_traces(root, words, case=case)


def generation(vault: Vault) -> int:
    return files_for(vault).generation()


@pytest.fixture
def vault(make_vault) -> Vault:
    root = make_vault(FILES, config='languages = ["nl", "en"]\n')
    vault = Vault(root)
    sync_vault(vault)
    assert traces(root)  # indexed: the words are there to be removed
    return vault


def delete_secret(vault: Vault) -> None:
    (vault.root / SECRET).unlink()
    result = sync_vault(vault)  # as any reading command (search, prep) syncs: no tidy
    assert str(result) == "+0 ~0 -1"


# ---------------------------------------------------------------- the finder


def test_the_trace_finder_sees_compressed_stored_notes(vault: Vault) -> None:
    # 'QwyxZorb' as written is only in the stored note (the terms are lowercase), which
    # Whoosh compresses: only the inflated streams show it.
    raw = [p for p in (vault.index_dir).glob("*.seg") if b"QwyxZorb" in p.read_bytes()]
    assert raw == []
    assert any(p.endswith(".seg") for p in traces(vault.root, ["QwyxZorb"], case=True))


# ---------------------------------------------------------------- index


def test_without_a_tidy_a_deleted_note_stays_in_the_index_files(vault: Vault) -> None:
    """Why a tidy is needed: Whoosh only marks the document deleted."""
    delete_secret(vault)
    assert any(p.endswith(".seg") for p in traces(vault.root))
    assert files_for(vault).untidy()


def test_index_after_a_reading_command_removes_every_trace(vault: Vault) -> None:
    delete_secret(vault)
    before = generation(vault)
    result = sync_vault(vault, tidy=True)
    assert str(result) == "+0 ~0 -0"
    assert traces(vault.root) == {}
    assert generation(vault) == before + 1  # one commit: the tidy's
    assert not files_for(vault).untidy()


def test_the_index_command_removes_a_deleted_note_in_its_one_commit(vault: Vault, run) -> None:
    (vault.root / SECRET).unlink()
    before = generation(vault)
    result = run(vault.root, "index")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("+0 ~0 -1 ")
    assert generation(vault) == before + 1
    assert traces(vault.root) == {}
    # and everything else still works from the tidied index
    assert "people/Henk de Vries.md" in run(vault.root, "search", "jazz").output
    assert run(vault.root, "search", "xylofrobnik").exit_code == 1
    assert "Klantenservice" in run(vault.root, "prep", "Henk").output
    agenda = run(vault.root, "agenda")
    assert agenda.exit_code == 0 and "Zoë Bakker" in agenda.output


def test_words_edited_out_of_a_note_are_gone_from_the_index(vault: Vault, run) -> None:
    note = vault.root / SECRET
    note.write_text(
        "---\nname: Zanthe Quillomb\n---\nZanthe now collects stamps.\n", encoding="utf-8"
    )
    result = run(vault.root, "index")
    assert result.output.startswith("+0 ~1 -0 "), result.output
    assert traces(vault.root, ("vlimtrax", "xylofrobnik", "qwyxzorb", "figurine")) == {}
    assert SECRET in run(vault.root, "search", "stamps").output


def test_a_no_op_index_with_nothing_to_tidy_costs_nothing(vault: Vault, monkeypatch) -> None:
    sync_vault(vault, tidy=True)
    assert not files_for(vault).untidy()
    before = generation(vault)

    def no_index(*args, **kwargs):
        raise AssertionError("a no-op index with nothing to tidy must not open the index")

    monkeypatch.setattr(vaultcrm.engine.sync, "index_lock", no_index)
    monkeypatch.setattr(vaultcrm.engine.sync, "index_for", no_index)
    assert str(sync_vault(vault, tidy=True)) == "+0 ~0 -0"
    assert generation(vault) == before


def test_a_tidy_without_deleted_documents_compacts_the_tables_in_place(vault: Vault) -> None:
    (vault.root / "people/New.md").write_text("nieuw\n", encoding="utf-8")
    assert str(sync_vault(vault)) == "+1 ~0 -0"  # a delta on the stamp table
    assert list(vault.index_dir.glob("stamps-*-*-1.pickle"))
    before = generation(vault)
    assert str(sync_vault(vault, tidy=True)) == "+0 ~0 -0"
    assert generation(vault) == before  # no commit was needed
    assert [p.name.rsplit("-", 1)[1] for p in vault.index_dir.glob("stamps-*")] == ["0.pickle"]
    assert not files_for(vault).untidy()


def test_a_tidy_removes_what_no_table_of_contents_uses(vault: Vault) -> None:
    (vault.root / "people/New.md").write_text("nieuw\n", encoding="utf-8")
    sync_vault(vault)
    name, index = index_for(vault).name, vault.index_dir
    gen = generation(vault)
    leftovers = [
        index / f"_{name}_{gen - 1}.toc",  # an older generation's
        index / f"{name}_0123456789abcdef.seg",  # an unfinished commit's segment
        index / f"_{name}_{gen}.toc.1234",  # a TOC's temp file
        index / f"{name}.999999999.tmp" / "pool0.run",  # a dead writer's spilled postings
        index / f"briefs-{name}-{gen - 1}-0.pickle",  # a table of an older generation
    ]
    for path in leftovers:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"Zanthe Quillomb qwyxzorb")
    (index / "README.txt").write_bytes(b"not vaultcrm's: quillomb")
    assert files_for(vault).untidy()
    (vault.root / SECRET).unlink()
    assert str(sync_vault(vault, tidy=True)) == "+0 ~0 -1"
    assert traces(vault.root) == {".vaultcrm/index/README.txt": {"quillomb"}}
    assert not any(p.exists() for p in leftovers)
    assert not (index / f"{name}.999999999.tmp").exists()


def test_a_seal_of_the_first_format_is_counted_once_without_a_commit(vault: Vault) -> None:
    sync_vault(vault, tidy=True)
    seal = files_for(vault).seal_path(generation(vault))
    files = files_for(vault).read_seal(generation(vault))[0]
    seal.write_text(
        "{" + ", ".join(f'"{k}": [{s}, {m}]' for k, (s, m) in files.items()) + "}",
        encoding="utf-8",
    )
    assert files_for(vault).read_seal(generation(vault)) == (files, None)
    assert files_for(vault).untidy()  # unknown: maybe
    before = generation(vault)
    assert str(sync_vault(vault, tidy=True)) == "+0 ~0 -0"
    assert generation(vault) == before
    assert files_for(vault).read_seal(before) == (files, 0)
    assert not files_for(vault).untidy()


def test_an_interrupted_tidy_changes_nothing_and_is_done_later(vault: Vault) -> None:
    delete_secret(vault)
    before = generation(vault)
    assert tidy_index(vault, stop=lambda: True) is False
    assert generation(vault) == before
    assert [p for p in vault.index_dir.iterdir() if p.name.endswith(".tmp")] == []
    assert str(sync_vault(vault)) == "+0 ~0 -0"
    assert files_for(vault).untidy()
    assert tidy_index(vault) is True
    assert traces(vault.root) == {}


def test_a_tidy_drops_a_segment_of_nothing_but_deleted_notes(vault: Vault) -> None:
    (vault.root / "people/Brief.md").write_text("kort\n", encoding="utf-8")
    sync_vault(vault, merge=False)  # its own one-document segment
    (vault.root / "people/Brief.md").unlink()
    sync_vault(vault, merge=False)
    tidy_index(vault)
    idx = index_for(vault).open()
    try:
        counts = [s.doc_count_all() for s in idx.ix._segments()]
    finally:
        idx.close()
    assert 0 not in counts and sum(counts) == len(FILES)


# ---------------------------------------------------------------- purge_index


def test_purge_index_leaves_no_trace_and_no_idle_lock(vault: Vault) -> None:
    from filelock import FileLock

    secret = vault.root / SECRET
    update_file(secret, lambda raw: raw + b"\nmore\n", vault.state_dir)  # leaves its lock file
    idle_lock = lock_path_for(vault.state_dir, secret)
    held_lock = lock_path_for(vault.state_dir, vault.root / "people/Henk de Vries.md")
    assert idle_lock.exists()
    secret.unlink()
    held = FileLock(str(held_lock))
    held.acquire()
    try:
        result = purge_index(vault)
    finally:
        held.release()
    assert result.rebuilt and not result.removed
    assert traces(vault.root) == {}
    assert not idle_lock.exists()
    assert held_lock.exists()  # in use at that moment: left alone
    assert str(sync_vault(vault)) == "+0 ~0 -0"
    idx = index_for(vault).open()
    try:
        assert sorted(n.path for n in idx.notes()) == sorted(p for p in FILES if p != SECRET)
    finally:
        idx.close()


def test_a_no_op_index_imports_no_whoosh(vault: Vault) -> None:
    import subprocess
    import sys

    sync_vault(vault, tidy=True)
    code = (
        "import sys; from click.testing import CliRunner; from vaultcrm.cli import cli; "
        f"r = CliRunner().invoke(cli, ['--vault', {str(vault.root)!r}, 'index']); "
        "print(r.output.split('  ')[0], 'whoosh' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "+0 ~0 -0 False", done.stderr


def test_a_tidy_that_cannot_write_is_a_notice_not_a_failure(vault: Vault, monkeypatch) -> None:
    from vaultcrm.errors import IndexWriteError

    delete_secret(vault)

    def read_only(*args, **kwargs):
        raise IndexWriteError("cannot write vaultcrm's state folder: Read-only file system")

    monkeypatch.setattr(vaultcrm.engine.sync, "index_lock", read_only)
    result = sync_vault(vault, tidy=True)
    assert str(result) == "+0 ~0 -0"
    assert result.notice == (
        "Could not tidy the index (Read-only file system): deleted notes may linger in its files."
    )
