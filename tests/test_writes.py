"""Safe writes: atomic, never overwriting unless told, taking turns, never clobbering an edit."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from vaultcrm.errors import RefusedWriteError, VaultcrmError
from vaultcrm.store.writes import (
    LOCKS_DIR,
    lock_path_for,
    replace_file,
    update_file,
    write_new,
    write_new_many,
)


def append(line: bytes):
    return lambda raw: raw + line


# ---------------------------------------------------------------- write_new / replace_file


def test_write_new_creates_and_then_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "note.md"
    write_new(target, "first\n")
    with pytest.raises(RefusedWriteError, match="already exists"):
        write_new(target, "second\n")
    assert target.read_text() == "first\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["note.md"]  # no temp left


def test_replace_file_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "note.md"
    target.write_text("old")
    os.chmod(target, 0o600)
    replace_file(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.stat(target).st_mode & 0o777 == 0o600


def test_a_write_into_a_read_only_folder_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        with pytest.raises(VaultcrmError, match="cannot write"):
            write_new(folder / "x.md", "x")
    finally:
        os.chmod(folder, 0o700)


# ---------------------------------------------------------------- write_new_many


@pytest.fixture(params=["syncfs", "fsync each"])
def durable(request, monkeypatch) -> str:
    """Both ways write_new_many makes its temp files durable: one syncfs of the file
    system (Linux 5.8+), or an fsync per file where there is none."""
    import vaultcrm.store.writes as writes

    if request.param == "syncfs" and writes._syncfs() is None:
        pytest.skip("no syncfs here")
    if request.param == "fsync each":
        monkeypatch.setattr(writes, "_syncfs", lambda: None)
    return request.param


def test_write_new_many_makes_every_file_and_syncs_each_folder_once(
    tmp_path: Path, monkeypatch, durable
) -> None:
    import vaultcrm.store.writes as writes

    synced: list[Path] = []
    monkeypatch.setattr(writes, "_fsync_dir", synced.append)
    files = [(tmp_path / ("a" if n % 2 else "b") / f"{n}.md", f"note {n}\n") for n in range(40)]
    write_new_many(files)
    for path, text in files:
        assert path.read_text() == text
        assert os.stat(path).st_mode & 0o777 == 0o644 & ~_umask()
    assert sorted(synced) == [tmp_path / "a", tmp_path / "b"]
    assert len(os.listdir(tmp_path / "a")) == 20  # no temp left
    write_new_many([])  # nothing to do


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_write_new_many_refuses_an_existing_file_before_writing_any(
    tmp_path: Path, durable
) -> None:
    (tmp_path / "b.md").write_text("mine")
    with pytest.raises(RefusedWriteError, match="already exists"):
        write_new_many([(tmp_path / "a.md", "x"), (tmp_path / "b.md", "y")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.md"]
    assert (tmp_path / "b.md").read_text() == "mine"


def test_write_new_many_a_failed_write_makes_nothing(tmp_path: Path, monkeypatch, durable) -> None:
    import vaultcrm.store.writes as writes

    real = writes._temp_with

    def full(folder, data, mode, **how):
        if data == b"3":
            raise OSError(28, "No space left on device")
        return real(folder, data, mode, **how)

    monkeypatch.setattr(writes, "_temp_with", full)
    with pytest.raises(VaultcrmError, match="No space left"):
        write_new_many([(tmp_path / f"{n}.md", str(n)) for n in range(8)])
    assert list(tmp_path.iterdir()) == []  # every temp file removed, no note half there


def test_write_new_many_a_file_made_meanwhile_is_refused_and_kept(
    tmp_path: Path, monkeypatch, durable
) -> None:
    import vaultcrm.store.writes as writes

    real = writes._temp_with

    def race(folder, data, mode, **how):
        temp = real(folder, data, mode, **how)
        if data == b"c":
            (tmp_path / "c.md").write_text("theirs")  # an editor saves it meanwhile
        return temp

    monkeypatch.setattr(writes, "_temp_with", race)
    with pytest.raises(RefusedWriteError):
        write_new_many([(tmp_path / f"{n}.md", n) for n in "abcd"])
    assert (tmp_path / "c.md").read_text() == "theirs"
    assert (tmp_path / "a.md").read_text() == "a"  # linked before: whole, kept
    assert not list(tmp_path.glob(".vaultcrm-*"))


def test_write_new_many_links_no_file_before_every_temp_file_is_synced(
    tmp_path: Path, monkeypatch
) -> None:
    """The one syncfs comes after the last temp file is written and before the first
    note is linked in: a crash before it leaves no note, after it only whole ones."""
    import vaultcrm.store.writes as writes

    seen: list[tuple[list[str], list[str]]] = []

    def syncfs(fd: int) -> int:
        names = sorted(os.listdir(tmp_path / "people"))
        seen.append(([n for n in names if n.endswith(".md")], names))
        return 0

    monkeypatch.setattr(writes, "_syncfs", lambda: syncfs)
    monkeypatch.setattr(writes, "_temp_with", _never_fsynced(writes._temp_with))
    write_new_many([(tmp_path / "people" / f"{n}.md", f"note {n}\n") for n in range(30)])
    ((linked, names),) = seen  # once: one file system
    assert linked == [] and len(names) == 30  # every temp file there, no note yet
    assert len(os.listdir(tmp_path / "people")) == 30
    assert (tmp_path / "people" / "7.md").read_text() == "note 7\n"


def _never_fsynced(real):
    def temp_with(folder, data, mode, fsync=True):
        assert fsync is False  # the batch is synced at once instead
        return real(folder, data, mode, fsync=fsync)

    return temp_with


def test_write_new_many_a_failed_syncfs_makes_nothing(tmp_path: Path, monkeypatch) -> None:
    import ctypes

    import vaultcrm.store.writes as writes

    def syncfs(fd: int) -> int:
        ctypes.set_errno(5)  # EIO: the disk refused a write back
        return -1

    monkeypatch.setattr(writes, "_syncfs", lambda: syncfs)
    with pytest.raises(VaultcrmError, match="cannot write: Input/output error"):
        write_new_many([(tmp_path / f"{n}.md", str(n)) for n in range(8)])
    assert list(tmp_path.iterdir()) == []  # no note linked, every temp file removed


# ---------------------------------------------------------------- update_file


def test_update_changes_only_what_the_change_adds_and_keeps_mode(tmp_path: Path) -> None:
    note = tmp_path / "people" / "Henk.md"
    note.parent.mkdir()
    original = b"\xef\xbb\xbf---\r\nname: Henk  # kept\r\n---\r\nno final newline  "
    note.write_bytes(original)
    os.chmod(note, 0o640)
    update_file(note, append(b"\r\n- added"), tmp_path / ".vaultcrm")
    assert note.read_bytes() == original + b"\r\n- added"
    assert os.stat(note).st_mode & 0o777 == 0o640


def test_the_lock_file_lives_under_vaultcrm_locks_never_next_to_the_note(tmp_path: Path) -> None:
    note = tmp_path / "people" / "Henk.md"
    note.parent.mkdir()
    note.write_bytes(b"x\n")
    state = tmp_path / ".vaultcrm"
    update_file(note, append(b"y\n"), state)
    assert os.listdir(note.parent) == ["Henk.md"]
    assert lock_path_for(state, note).parent == state / LOCKS_DIR
    assert lock_path_for(state, note).exists()


def test_an_unchanged_result_writes_nothing(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"x\n")
    before = os.stat(note)
    update_file(note, lambda raw: raw, tmp_path / ".vaultcrm")
    assert os.stat(note).st_ino == before.st_ino


def test_an_edit_saved_between_read_and_write_is_not_clobbered(tmp_path: Path) -> None:
    """An editor saves while we work: our change is redone on the editor's version."""
    note = tmp_path / "n.md"
    note.write_bytes(b"line 1\n")
    calls = []

    def change(raw: bytes) -> bytes:
        calls.append(raw)
        if len(calls) == 1:  # the editor saves right after our read
            note.write_bytes(b"line 1\nfrom the editor\n")
        return raw + b"from vaultcrm\n"

    update_file(note, change, tmp_path / ".vaultcrm")
    assert note.read_bytes() == b"line 1\nfrom the editor\nfrom vaultcrm\n"
    assert calls == [b"line 1\n", b"line 1\nfrom the editor\n"]


def test_a_note_that_keeps_changing_is_refused_and_left_as_the_editor_wrote_it(
    tmp_path: Path,
) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"0\n")
    counter = iter(range(1, 100))

    def change(raw: bytes) -> bytes:
        note.write_bytes(f"{next(counter)}\n".encode())
        return raw + b"ours\n"

    with pytest.raises(RefusedWriteError, match="kept changing"):
        update_file(note, change, tmp_path / ".vaultcrm")
    assert b"ours" not in note.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_a_note_deleted_meanwhile_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RefusedWriteError, match="gone"):
        update_file(tmp_path / "missing.md", append(b"x"), tmp_path / ".vaultcrm")


def test_writers_take_turns_so_every_change_lands(tmp_path: Path) -> None:
    note = tmp_path / "n.md"
    note.write_bytes(b"## Log\n")
    state = tmp_path / ".vaultcrm"
    threads = [
        threading.Thread(target=update_file, args=(note, append(f"- {i}\n".encode()), state))
        for i in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    lines = note.read_bytes().decode().splitlines()
    assert sorted(lines[1:], key=lambda s: int(s[2:])) == [f"- {i}" for i in range(12)]


def test_a_held_lock_makes_the_second_writer_give_up_after_the_timeout(tmp_path: Path) -> None:
    from filelock import FileLock

    note = tmp_path / "n.md"
    note.write_bytes(b"x\n")
    state = tmp_path / ".vaultcrm"
    lock_path_for(state, note).parent.mkdir(parents=True)
    held = FileLock(str(lock_path_for(state, note)), thread_local=False)
    ready, done = threading.Event(), threading.Event()

    def hold() -> None:
        with held:
            ready.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    ready.wait(10)
    try:
        with pytest.raises(RefusedWriteError, match="another vaultcrm process"):
            update_file(note, append(b"y\n"), state, timeout=0.2)
    finally:
        done.set()
        holder.join()
    assert note.read_bytes() == b"x\n"


def test_a_symlinked_note_is_changed_where_it_points(tmp_path: Path) -> None:
    real = tmp_path / "archive" / "Henk.md"
    real.parent.mkdir()
    real.write_bytes(b"x\n")
    link = tmp_path / "people" / "Henk.md"
    link.parent.mkdir()
    link.symlink_to(real)
    update_file(link, append(b"y\n"), tmp_path / ".vaultcrm")
    assert link.is_symlink()
    assert real.read_bytes() == b"x\ny\n"
