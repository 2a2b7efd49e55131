"""Keeping the index in line with the vault: incremental work, rebuilds, and the writer lock."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import vaultcrm.engine.sync
import vaultcrm.engine.whoosh.files
import vaultcrm.engine.whoosh.index
from vaultcrm.engine.sync import index_for, index_lock, open_index, sync_vault
from vaultcrm.engine.whoosh.index import NoteIndex
from vaultcrm.errors import IndexFailure, IndexLockedError
from vaultcrm.store.vault import Vault

FILES = {
    "people/Henk de Vries.md": "---\nname: Henk de Vries\nteam: Klantenservice\n---\njazz\n",
    "people/Zoë Bakker.md": "---\nname: Zoë Bakker\n---\nwielrennen\n",
    "meetings/2026-11-10 overleg.md": "Met [[Henk de Vries]] over de release.\n",
}


@pytest.fixture
def vault(make_vault) -> Vault:
    root = make_vault(FILES)
    sync_vault(Vault(root))
    return Vault(root)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Record every note read and parsed for the index, and every content hash taken."""
    calls: dict[str, list[str]] = {"read": [], "hash": []}
    real_read, real_hash = vaultcrm.engine.sync.read_for_index, vaultcrm.engine.sync.hash_bytes

    def read_for_index(vault, stamp):
        calls["read"].append(stamp.path)
        return real_read(vault, stamp)

    def hash_bytes(raw):
        calls["hash"].append(raw[:20])
        return real_hash(raw)

    monkeypatch.setattr(vaultcrm.engine.sync, "read_for_index", read_for_index)
    monkeypatch.setattr(vaultcrm.engine.sync, "hash_bytes", hash_bytes)
    return calls


def bump_mtime(path: Path, seconds: int = 10) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + seconds * 1_000_000_000))


def indexed_paths(vault: Vault) -> list[str]:
    idx, _ = open_index(vault)
    try:
        return [n.path for n in idx.notes()]
    finally:
        idx.close()


# ---------------------------------------------------------------- incremental


def test_first_sync_builds_the_index_with_a_notice(make_vault) -> None:
    result = sync_vault(Vault(make_vault(FILES)))
    assert str(result) == "+3 ~0 -0"
    assert result.notice == "No index yet: building it from the vault."
    assert result.rebuilt


def test_a_no_op_sync_reads_and_hashes_nothing(vault: Vault, counted) -> None:
    result = sync_vault(vault)
    assert (str(result), result.unchanged, result.notice) == ("+0 ~0 -0", 3, None)
    assert counted == {"read": [], "hash": []}


def test_a_no_op_sync_takes_no_lock(vault: Vault, monkeypatch) -> None:
    def no_lock(*args, **kwargs):
        raise AssertionError("a no-op sync must not wait for the writer lock")

    monkeypatch.setattr(vaultcrm.engine.sync, "index_lock", no_lock)
    assert str(sync_vault(vault)) == "+0 ~0 -0"


def test_touch_without_change_hashes_that_file_once_and_shows_nothing(
    vault: Vault, counted
) -> None:
    bump_mtime(vault.root / "people/Henk de Vries.md")
    result = sync_vault(vault)
    assert (str(result), result.unchanged) == ("+0 ~0 -0", 3)
    assert counted["read"] == ["people/Henk de Vries.md"]  # to store the new stamp
    counted["read"].clear()
    counted["hash"].clear()
    assert str(sync_vault(vault)) == "+0 ~0 -0"
    assert counted == {"read": [], "hash": []}


def test_an_edit_reads_only_the_edited_note(vault: Vault, counted) -> None:
    path = vault.root / "people/Zoë Bakker.md"
    path.write_text("---\nname: Zoë Bakker\n---\nwielrennen en jazz\n", encoding="utf-8")
    bump_mtime(path)
    result = sync_vault(vault)
    assert (str(result), result.updated, result.unchanged) == (
        "+0 ~1 -0",
        ("people/Zoë Bakker.md",),
        2,
    )
    assert counted["read"] == ["people/Zoë Bakker.md"]


def test_same_size_edit_with_a_new_mtime_is_seen(vault: Vault) -> None:
    path = vault.root / "people/Zoë Bakker.md"
    path.write_text(path.read_text(encoding="utf-8").replace("wielrennen", "WIELRENNEN"))
    bump_mtime(path)
    assert str(sync_vault(vault)) == "+0 ~1 -0"


def test_new_renamed_and_deleted_notes(vault: Vault, counted) -> None:
    (vault.root / "people/Zoë Bakker.md").rename(vault.root / "people/Zoë de Boer.md")
    (vault.root / "meetings/2026-11-10 overleg.md").unlink()
    (vault.root / "people/Ali Yilmaz.md").write_text("Ali\n", encoding="utf-8")
    result = sync_vault(vault)
    assert str(result) == "+2 ~0 -2"
    assert result.added == ("people/Ali Yilmaz.md", "people/Zoë de Boer.md")
    assert result.removed == ("meetings/2026-11-10 overleg.md", "people/Zoë Bakker.md")
    assert sorted(counted["read"]) == ["people/Ali Yilmaz.md", "people/Zoë de Boer.md"]
    assert indexed_paths(vault) == [
        "people/Ali Yilmaz.md",
        "people/Henk de Vries.md",
        "people/Zoë de Boer.md",
    ]


def test_a_folder_that_becomes_ignored_leaves_the_index(vault: Vault) -> None:
    (vault.state_dir / "config.toml").write_text('ignore = ["meetings/**"]\n', encoding="utf-8")
    assert str(sync_vault(Vault(vault.root))) == "+0 ~0 -1"


def test_rebuild_reads_everything_again(vault: Vault, counted) -> None:
    result = sync_vault(vault, rebuild=True)
    assert (str(result), result.rebuilt, result.notice) == ("+3 ~0 -0", True, None)
    assert len(counted["read"]) == 3


def test_stamp_holds_mtime_size_and_content_hash(vault: Vault) -> None:
    idx = index_for(vault).open()
    try:
        stamp = idx.stamps()["people/Henk de Vries.md"]
    finally:
        idx.close()
    st = (vault.root / "people/Henk de Vries.md").stat()
    raw = (vault.root / "people/Henk de Vries.md").read_bytes()
    assert (stamp.mtime_ns, stamp.size, stamp.sha) == (
        st.st_mtime_ns,
        st.st_size,
        vaultcrm.engine.sync.hash_bytes(raw),
    )


def test_progress_is_reported_per_note_read(make_vault) -> None:
    seen: list[tuple[int, int]] = []
    sync_vault(Vault(make_vault(FILES)), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_problems_of_notes_read_are_returned(make_vault) -> None:
    root = make_vault({**FILES, "notes/bad.md": "---\nname: [x\n---\nbody\n"})
    result = sync_vault(Vault(root))
    assert [str(p) for p in result.problems] == [
        "notes/bad.md:3: front-matter is not valid YAML: a '[' is not closed with ']'"
    ]


# ---------------------------------------------------------------- rebuilds


def test_an_index_of_another_schema_version_is_rebuilt(vault: Vault, monkeypatch) -> None:
    monkeypatch.setattr(
        vaultcrm.engine.whoosh.files,
        "SCHEMA_VERSION",
        vaultcrm.engine.whoosh.files.SCHEMA_VERSION + 1,
    )
    result = sync_vault(vault)
    assert str(result) == "+3 ~0 -0"
    assert result.notice == (
        "The index was made by another vaultcrm version or other settings: rebuilding it."
    )
    assert [p.name for p in vault.index_dir.glob("*.toc")] == [f"_{index_for(vault).name}_1.toc"]
    assert sync_vault(vault).notice is None


def test_a_foreign_toc_file_means_rebuild(vault: Vault) -> None:
    for toc in vault.index_dir.glob("*.toc"):
        toc.rename(vault.index_dir / "_someoneelse_1.toc")
    result = sync_vault(vault)
    assert result.notice.startswith("The index was made by another vaultcrm version")
    assert str(result) == "+3 ~0 -0"


@pytest.mark.parametrize(
    "config",
    ['languages = ["nl", "en"]\n', 'people_dirs = ["meetings"]\n', "max_file_size = 1000\n"],
    ids=["languages", "people_dirs", "max_file_size"],
)
def test_changing_a_setting_that_shapes_the_index_rebuilds_it(vault: Vault, config: str) -> None:
    (vault.state_dir / "config.toml").write_text(config, encoding="utf-8")
    result = sync_vault(Vault(vault.root))
    assert result.notice == (
        "The index was made by another vaultcrm version or other settings: rebuilding it."
    )


def test_people_dirs_change_takes_effect_on_stored_notes(vault: Vault) -> None:
    (vault.state_dir / "config.toml").write_text('people_dirs = ["meetings"]\n', encoding="utf-8")
    changed = Vault(vault.root)
    idx, _ = open_index(changed)
    try:
        assert [n.path for n in idx.notes("person")] == ["meetings/2026-11-10 overleg.md"]
    finally:
        idx.close()


def _segments(vault: Vault) -> list[Path]:
    found = sorted(vault.index_dir.glob("*.seg"))
    assert found, "the index has segment files"
    return found


def _garble_segments(vault: Vault) -> None:
    for seg in _segments(vault):
        seg.write_bytes(b"\x00garbage\xff" * 50)


def _truncate_toc(vault: Vault) -> None:
    for toc in vault.index_dir.glob("*.toc"):
        toc.write_bytes(toc.read_bytes()[:20])


def _empty_toc(vault: Vault) -> None:
    for toc in vault.index_dir.glob("*.toc"):
        toc.write_bytes(b"")


def _delete_segments(vault: Vault) -> None:
    for seg in _segments(vault):
        seg.unlink()


def _delete_index(vault: Vault) -> None:
    import shutil

    shutil.rmtree(vault.index_dir)


@pytest.mark.parametrize(
    "damage",
    [_garble_segments, _truncate_toc, _empty_toc, _delete_segments, _delete_index],
    ids=["garbage-segments", "truncated-toc", "empty-toc", "deleted-segment", "missing-index"],
)
def test_a_damaged_or_missing_index_is_rebuilt_with_a_one_line_notice(vault: Vault, damage) -> None:
    damage(vault)
    result = sync_vault(vault)
    assert str(result) == "+3 ~0 -0"
    assert result.notice
    assert "\n" not in result.notice
    assert result.notice.endswith(("rebuilding it.", "building it from the vault."))
    assert indexed_paths(vault) == sorted(FILES)
    assert sync_vault(vault).notice is None


def test_open_index_after_damage_gives_a_working_index(vault: Vault) -> None:
    _garble_segments(vault)
    idx, result = open_index(vault)
    try:
        assert [h.path for h in idx.search("jazz")] == ["people/Henk de Vries.md"]
    finally:
        idx.close()
    assert result.notice.startswith("The index was unreadable (")


# ---------------------------------------------------------------- the writer lock

HOLDER = textwrap.dedent(
    """
    import sys, time
    from filelock import FileLock
    lock = FileLock(sys.argv[1])
    lock.acquire()
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    lock.release()
    """
)


def hold_lock(vault: Vault, seconds: float) -> subprocess.Popen:
    """Another process holding the vault's index lock for ``seconds``."""
    vault.state_dir.mkdir(exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(vault.state_dir / "index.lock"), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_writer_gives_up_after_the_lock_timeout_with_a_clear_error(
    vault: Vault, monkeypatch
) -> None:
    (vault.root / "people/New.md").write_text("new\n", encoding="utf-8")
    monkeypatch.setenv("VAULTCRM_LOCK_TIMEOUT", "0.3")
    holder = hold_lock(vault, 60)
    try:
        with pytest.raises(IndexLockedError) as caught:
            sync_vault(vault)
    finally:
        holder.kill()
        holder.wait()
    assert caught.value.exit_code == 3
    assert str(caught.value) == (
        f"{vault.state_dir / 'index.lock'}: another vaultcrm process has held the index lock "
        "for 0.3s; try again when it has finished"
    )
    assert str(sync_vault(vault)) == "+1 ~0 -0"


def test_a_writer_waits_for_another_writer_to_finish(vault: Vault) -> None:
    (vault.root / "people/New.md").write_text("new\n", encoding="utf-8")
    holder = hold_lock(vault, 1.0)
    try:
        result = sync_vault(vault)  # VAULTCRM_LOCK_TIMEOUT is 20 s in tests
    finally:
        holder.wait()
    assert str(result) == "+1 ~0 -0"


def test_a_failed_commit_leaves_no_lock_behind_and_the_next_run_succeeds(
    vault: Vault, monkeypatch
) -> None:
    import whoosh.writing

    def disk_full(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    (vault.root / "people/New.md").write_text("new\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(whoosh.writing.SegmentWriter, "commit", disk_full)
        with pytest.raises(IndexFailure) as caught:
            sync_vault(vault)
    assert caught.value.message == "could not write the index: No space left on device"
    with index_lock(vault, timeout=0):  # ours was released
        pass
    result = sync_vault(vault)
    assert (str(result), result.notice) == ("+1 ~0 -0", None)
    assert "people/New.md" in indexed_paths(vault)


def test_an_unexpected_error_while_reading_also_releases_both_locks(
    vault: Vault, monkeypatch
) -> None:
    (vault.root / "people/New.md").write_text("new\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(vaultcrm.engine.sync, "read_for_index", lambda v, s: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            sync_vault(vault)
    assert str(sync_vault(vault)) == "+1 ~0 -0"


def test_note_index_state_names_what_it_finds(tmp_path: Path) -> None:
    idx = NoteIndex(tmp_path / "index", ["en"])
    assert idx.state() == "missing"
    idx.create().close()
    assert idx.state() == "ok"
    assert NoteIndex(tmp_path / "index", ["nl"]).state() == "other"
    for toc in (tmp_path / "index").glob("*.toc"):
        toc.write_bytes(b"")
    assert idx.state() == "corrupt"


# ---------------------------------------------------------------- the stamp table and walk digest


def _stamps_from_notes(vault: Vault) -> dict[str, tuple]:
    """The stamps as the stored documents hold them: the truth the table must agree with."""
    idx = index_for(vault).open()
    try:
        with idx.ix.reader() as reader:
            return {f["vc_path"]: tuple(f["vc_stamp"]) for f in reader.all_stored_fields()}
    finally:
        idx.close()


def _stamps_from_table(vault: Vault) -> dict[str, tuple]:
    idx = index_for(vault).open()
    try:
        return {path: tuple(stamp) for path, stamp in idx.stamps().items()}
    finally:
        idx.close()


def test_a_saved_brief_table_reads_back_whole_with_equal_values_written_once(
    example_vault: Path,
) -> None:
    import datetime as dt
    import pickle

    from vaultcrm.engine.whoosh.files import shared

    vault = Vault(example_vault)
    sync_vault(vault)
    (saved,) = vault.index_dir.glob("briefs-*-0.pickle")
    table = pickle.loads(saved.read_bytes())
    idx = index_for(vault).open()
    try:
        vault.index_dir.joinpath(saved.name).unlink()  # so the records come from the notes
        idx.files.briefs.remember(None, None)
        assert table == idx.brief_records()
    finally:
        idx.close()
    values: dict = {}
    for record in table.values():
        _gather(record, values)
    # Each distinct text and day was written once: read back, it is one object
    assert max(len(same) for same in values.values()) > 5  # the example repeats some
    assert all(len({id(v) for v in same}) == 1 for same in values.values())
    assert shared({"a": ("x", dt.date(2026, 1, 1), [1, {"k": ("x",)}])}) == {
        "a": ("x", dt.date(2026, 1, 1), [1, {"k": ("x",)}])
    }


def _gather(value, into: dict) -> None:
    import datetime as dt

    if type(value) in (str, dt.date):
        into.setdefault((type(value), value), []).append(value)
    elif isinstance(value, tuple | list):
        for v in value:
            _gather(v, into)
    elif isinstance(value, dict):
        for v in value.values():
            _gather(v, into)


def test_the_stamp_table_follows_every_kind_of_commit(vault: Vault, monkeypatch) -> None:
    monkeypatch.setattr(vaultcrm.engine.whoosh.files, "CHAIN", 3)  # compaction happens here
    root = vault.root
    for n in range(9):
        note = root / f"meetings/2026-11-{n + 11:02d} m.md"
        note.write_text(f"Met [[Henk de Vries]] #{n}\n", encoding="utf-8")
        if n % 3 == 1:
            (root / "people/Zoë Bakker.md").write_text(f"zeilen {n}\n", encoding="utf-8")
            bump_mtime(root / "people/Zoë Bakker.md", n + 1)
        if n % 4 == 2:
            (root / f"meetings/2026-11-{n + 10:02d} m.md").unlink()
        if n % 2:
            sync_vault(vault, paths=[note.relative_to(root).as_posix()], merge=False)
        else:
            sync_vault(vault)
        assert _stamps_from_table(vault) == _stamps_from_notes(vault)
    vaultcrm.engine.sync.merge_index(vault)
    assert _stamps_from_table(vault) == _stamps_from_notes(vault)
    assert str(sync_vault(vault)) == "+0 ~0 -0"


@pytest.mark.parametrize(
    "damage", [b"", b"\x80garbage", b"\x80\x05N."], ids=["empty", "junk", "None"]
)
def test_a_damaged_stamp_table_is_read_from_the_index_instead(vault: Vault, damage: bytes) -> None:
    for table in vault.index_dir.glob("stamps-*.pickle"):
        table.write_bytes(damage)
    assert _stamps_from_table(vault) == _stamps_from_notes(vault)
    path = vault.root / "people/Henk de Vries.md"
    path.write_text("---\nname: Henk de Vries\n---\njazz en zeilen\n", encoding="utf-8")
    bump_mtime(path)
    assert str(sync_vault(vault)) == "+0 ~1 -0"
    assert _stamps_from_table(vault) == _stamps_from_notes(vault)


def test_a_no_op_remembered_by_its_walk_still_sees_the_next_edit(vault: Vault, counted) -> None:
    assert str(sync_vault(vault)) == "+0 ~0 -0"  # remembers this walk
    assert list(vault.index_dir.glob("walk-*.digest"))
    assert (str(sync_vault(vault)), counted["read"]) == ("+0 ~0 -0", [])
    path = vault.root / "people/Zoë Bakker.md"
    path.write_text("---\nname: Zoë Bakker\n---\nwielrennen!\n", encoding="utf-8")  # same size
    bump_mtime(path)
    assert str(sync_vault(vault)) == "+0 ~1 -0"
    (vault.root / "people/New.md").write_text("new\n", encoding="utf-8")
    assert str(sync_vault(vault)) == "+1 ~0 -0"


def test_a_note_dated_past_2262_is_walked_and_its_edit_seen(vault: Vault) -> None:
    # A walk's digest packs mtimes as 64-bit nanoseconds; a file touched to the year
    # 2300 does not fit, and is hashed as text instead of stopping the sync.
    path = vault.root / "people/Zoë Bakker.md"
    far = 330 * 366 * 86400 * 10**9  # about the year 2300, in ns: over 2**63
    try:
        os.utime(path, ns=(far, far))
    except (OverflowError, OSError):
        pytest.skip("this file system keeps no such date")
    assert str(sync_vault(vault)) == "+0 ~0 -0"  # touched, the same text
    assert str(sync_vault(vault)) == "+0 ~0 -0"  # and now remembered by its walk
    path.write_text("---\nname: Zoë Bakker\n---\nzeilen\n", encoding="utf-8")
    os.utime(path, ns=(far + 10**9, far + 10**9))
    assert str(sync_vault(vault)) == "+0 ~1 -0"


def test_a_table_or_walk_left_by_a_reader_of_an_older_index_is_taken_back(vault: Vault) -> None:
    # A reader holds no lock: a rebuild may wipe the folder under it, and generations
    # restart at 1. What it writes for a TOC that is no longer there must not stay.
    idx = index_for(vault).open()
    try:
        generation = idx.ix.latest_generation()
        stale = (0, 0, 0)  # the identity of a TOC that is gone
        idx._stamps.save(generation + 1, 0, {"people/Ghost.md": (1, 2, "x")}, toc=stale)
        assert not list(vault.index_dir.glob(f"stamps-*-{generation + 1}-0.pickle"))
        idx.stamps()
        idx._stamps.toc = stale
        idx.remember_walk("0" * 32)
        assert not list(vault.index_dir.glob("walk-*.digest"))
    finally:
        idx.close()
    assert str(sync_vault(vault)) == "+0 ~0 -0"
    assert list(vault.index_dir.glob("walk-*.digest"))  # an honest reader's walk is kept
