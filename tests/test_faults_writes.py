"""Writes under fire: ``new``, ``log``, ``prep --save`` and ``--out`` refuse to write outside
the vault or over an existing file (exit 2); a note replaced or deleted on disk while a
write is under way is not clobbered; a full disk leaves the note as it was and no temp
file behind. Every test compares every file of the vault before and after.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from faultkit import note_snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vaultcrm.features.journal
import vaultcrm.store.writes
from vaultcrm.cli import cli

HENK = "people/Henk de Vries.md"
SAVED = "meetings/2026-11-23 Henk de Vries.md"


def changed(before: dict, after: dict) -> set[str]:
    """Files added, removed or changed (content or mtime) between two snapshots."""
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the vault that must stay empty."""
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


def assert_refused(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


# ---------------------------------------------------------------- out of the vault


def test_new_refuses_a_people_folder_that_leads_out(example_vault, outside, run) -> None:
    shutil.rmtree(example_vault / "people")
    os.symlink(outside, example_vault / "people")
    before = note_snapshot(example_vault)
    assert_refused(run(example_vault, "new", "Eve Evil"), "leads out of the vault")
    assert list(outside.iterdir()) == []
    assert changed(before, note_snapshot(example_vault)) == set()


@pytest.mark.parametrize(
    "config",
    ['people_dirs = ["../outside"]\n', 'people_dirs = ["people/../../outside"]\n'],
    ids=["dotdot", "nested-dotdot"],
)
def test_new_refuses_a_configured_people_folder_outside(
    example_vault, outside, run, config
) -> None:
    (example_vault / ".vaultcrm" / "config.toml").write_text(config, encoding="utf-8")
    result = run(example_vault, "new", "Eve Evil")
    # issue 12: such a setting is refused as soon as config.toml is read, at its line
    assert result.exit_code == 3, result.output
    assert "config.toml:1: 'people_dirs'" in result.stderr
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        "../Eve",
        "../../outside/Eve",
        "a/b",
        "..",
        ".",
        ".hidden",
        "Eve\x00",
        "Eve\x1b[2J",
        "\u202eEve",
    ],
)
def test_new_refuses_names_that_are_paths_or_hide(example_vault, outside, run, name) -> None:
    before = note_snapshot(example_vault)
    assert_refused(run(example_vault, "new", name))
    assert changed(before, note_snapshot(example_vault)) == set()
    assert list(outside.iterdir()) == []


@given(name=st.text(min_size=1, max_size=30))
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_new_with_any_name_creates_one_note_in_people_or_refuses(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        vault = Path(tmp) / "vault"
        (vault / ".vaultcrm").mkdir(parents=True)
        (vault / "people").mkdir()
        (vault / "people" / "Henk de Vries.md").write_text("---\naliases: [Henk]\n---\n")
        before = note_snapshot(vault)
        outside_before = sorted(os.listdir(tmp))
        # After "--", as a user gives a name that starts with a dash ("-h" is help)
        result = CliRunner().invoke(cli, ["--vault", str(vault), "new", "--", name])
        assert "Traceback" not in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)
        made = changed(before, note_snapshot(vault))
        if result.exit_code == 0:
            (path,) = made
            assert path.startswith("people/") and path.count("/") == 1 and path.endswith(".md")
            assert not path.split("/")[1].startswith(".")
        else:
            assert result.exit_code == 2, result.output
            assert made == set()
        assert sorted(os.listdir(tmp)) == outside_before


def test_prep_save_refuses_a_meetings_folder_that_leads_out(example_vault, outside, run) -> None:
    shutil.rmtree(example_vault / "meetings")
    os.symlink(outside, example_vault / "meetings")
    before = note_snapshot(example_vault)
    result = run(example_vault, "prep", "henk", "--save")
    assert_refused(result, "out of the vault")
    assert list(outside.iterdir()) == []
    assert changed(before, note_snapshot(example_vault)) == set()


def test_prep_save_of_a_person_named_like_a_path_stays_in_meetings(
    example_vault, outside, run
) -> None:
    (example_vault / "people" / "Tricky.md").write_text(
        '---\nname: "../../outside/x\\u0007y"\naliases: [Tricky]\n---\nbody\n', encoding="utf-8"
    )
    before = note_snapshot(example_vault)
    result = run(example_vault, "prep", "tricky", "--save")
    assert result.exit_code == 0, result.output
    (made,) = changed(before, note_snapshot(example_vault))
    assert made.startswith("meetings/2026-11-23 ") and made.count("/") == 1
    assert not any(ord(c) < 32 for c in made)
    assert list(outside.iterdir()) == []


def test_log_never_writes_through_a_link_out_of_the_vault(example_vault, outside, run) -> None:
    target = outside / "Eve Evil.md"
    target.write_text("---\nname: Eve Evil\n---\n## Log\n", encoding="utf-8")
    os.symlink(target, example_vault / "people" / "Eve Evil.md")
    result = run(example_vault, "log", "Eve Evil", "sneaky")
    assert result.exit_code == 1, result.output  # not in the vault: nobody by that name
    assert target.read_text(encoding="utf-8") == "---\nname: Eve Evil\n---\n## Log\n"


# ---------------------------------------------------------------- never over a file


@pytest.mark.parametrize(
    "args",
    [
        ("prep", "henk", "--share", "--out", "{vault}/" + HENK),
        ("prep", "henk", "--format", "html", "--out", "{outside}/sheet.html"),
        ("calendar", "--out", "{outside}/sheet.html"),
        ("prep", "henk", "--out", "{outside}/dangling"),
    ],
    ids=["out-over-a-note", "out-over-a-file", "calendar-out", "out-over-a-dangling-link"],
)
def test_out_never_replaces_a_file_without_force(example_vault, outside, run, args) -> None:
    (outside / "sheet.html").write_text("mine\n", encoding="utf-8")
    os.symlink(outside / "nowhere", outside / "dangling")
    args = [a.format(vault=example_vault, outside=outside) for a in args]
    before = note_snapshot(example_vault)
    result = run(example_vault, *args)
    assert_refused(result, "never replaces a note" if "--share" in args else "already exists")
    assert (outside / "sheet.html").read_text(encoding="utf-8") == "mine\n"
    assert not (outside / "nowhere").exists()
    assert changed(before, note_snapshot(example_vault)) == set()


def test_new_never_replaces_a_note_that_appears_at_the_last_moment(
    example_vault, run, monkeypatch
) -> None:
    """Another program creates people/NAME.md between vaultcrm's check and its write."""
    target = example_vault / "people" / "Eve Early.md"
    real = vaultcrm.store.writes._temp_with

    def temp_then_race(folder, data, mode):
        tmp = real(folder, data, mode)
        target.write_text("the other program's note\n", encoding="utf-8")
        return tmp

    monkeypatch.setattr(vaultcrm.store.writes, "_temp_with", temp_then_race)
    assert_refused(run(example_vault, "new", "Eve Early"), "already exists")
    assert target.read_text(encoding="utf-8") == "the other program's note\n"
    assert [p.name for p in target.parent.iterdir() if p.name.startswith(".vaultcrm-")] == []


def test_prep_save_takes_the_next_name_when_one_appears_at_the_last_moment(
    example_vault, run, monkeypatch
) -> None:
    racer = example_vault / SAVED
    real = vaultcrm.store.writes._temp_with

    def temp_then_race(folder, data, mode):
        tmp = real(folder, data, mode)
        if not racer.exists():
            racer.write_text("written by hand meanwhile\n", encoding="utf-8")
        return tmp

    monkeypatch.setattr(vaultcrm.store.writes, "_temp_with", temp_then_race)
    result = run(example_vault, "prep", "henk", "--save")
    assert result.exit_code == 0, result.output
    assert "Saved meetings/2026-11-23 Henk de Vries (2).md (" in result.stderr
    assert racer.read_text(encoding="utf-8") == "written by hand meanwhile\n"


# ---------------------------------------------------------------- a note that moves under us


def _during_the_write(monkeypatch, act) -> None:
    """Run ``act`` (an editor saving, a sync client deleting) the first time ``log``
    computes its change: after vaultcrm read the note, before it renames its copy in."""
    real = vaultcrm.features.journal.add_log_entry
    done: list[bool] = []

    def add_log_entry(raw, *args, **kwargs):
        if not done:
            done.append(True)
            act()
        return real(raw, *args, **kwargs)

    monkeypatch.setattr(vaultcrm.features.journal, "add_log_entry", add_log_entry)


def test_a_note_saved_by_an_editor_during_log_keeps_the_edit(example_vault, run, monkeypatch):
    note = example_vault / HENK

    def editor_saves() -> None:  # the temp-file-and-rename save of most editors
        temp = note.with_name(".Henk.md.swp")
        temp.write_bytes(note.read_bytes().replace(b"## Log", b"Edited in the editor.\n\n## Log"))
        os.replace(temp, note)

    _during_the_write(monkeypatch, editor_saves)
    result = run(example_vault, "log", "henk", "belde over de release")
    assert result.exit_code == 0, result.output
    text = note.read_text(encoding="utf-8")
    assert "Edited in the editor." in text
    assert ": belde over de release" in text


def test_a_note_deleted_during_log_is_not_recreated(example_vault, run, monkeypatch) -> None:
    note = example_vault / HENK
    _during_the_write(monkeypatch, note.unlink)
    result = run(example_vault, "log", "henk", "belde")
    assert_refused(result, "the note is gone")
    assert not note.exists()


def test_a_note_replaced_by_a_link_out_of_the_vault_during_log(
    example_vault, outside, run, monkeypatch
) -> None:
    note = example_vault / HENK
    victim = outside / "victim.md"
    victim.write_text("not yours\n", encoding="utf-8")

    def swap() -> None:
        note.unlink()
        os.symlink(victim, note)

    _during_the_write(monkeypatch, swap)
    result = run(example_vault, "log", "henk", "belde")
    assert_refused(result, "replaced by a link")
    assert victim.read_text(encoding="utf-8") == "not yours\n"
    assert note.is_symlink(), "the link put there meanwhile is left as it is"


# ---------------------------------------------------------------- a full disk


class _FullDisk:
    def __init__(self, handle):
        self._handle = handle

    def write(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


@pytest.mark.parametrize(
    "args",
    [("log", "henk", "belde"), ("new", "Eve Evil"), ("prep", "henk", "--save")],
    ids=["log", "new", "prep-save"],
)
def test_a_full_disk_leaves_every_note_as_it_was(example_vault, run, monkeypatch, args) -> None:
    before = note_snapshot(example_vault)
    real = os.fdopen
    monkeypatch.setattr(
        vaultcrm.store.writes.os, "fdopen", lambda *a, **k: _FullDisk(real(*a, **k))
    )
    result = run(example_vault, *args)
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("vaultcrm: ")
    assert result.stderr.rstrip().endswith("cannot write: No space left on device")
    monkeypatch.undo()
    assert changed(before, note_snapshot(example_vault)) == set(), "no note touched, no temp left"
