"""Issue 12, second round of hostile testing: clean errors, read-only notes and vaults.

- Every command ends with a message and an exit code, never a traceback: on a
  read-only vault, with a file where .vaultcrm/locks belongs, with bytes that are not
  UTF-8 in a person's front-matter; and whatever vaultcrm did not foresee ends in one
  line naming the failure and the file (outside the vault) that holds the details.
- A note the user made read-only stays so unless ``log --force``.
- A read-only vault keeps answering from the last good index, saying it may be stale.

The tests run as root, whom permissions do not stop: a read-only note is one without
write bits (its mode is what vaultcrm checks), and a read-only vault is simulated in
process (``faultfs.make_read_only``: every write below it fails with EROFS).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from faultfs import make_read_only

COMMANDS = [
    ("index",),
    ("search", "jazz"),
    ("people",),
    ("agenda",),
    ("check",),
    ("calendar",),
    ("prep", "henk"),
    ("prep", "bad"),
    ("log", "bad", "koffie"),
    ("log", "bad", "vragen", "--follow-up"),
    ("new", "Nieuwe Collega"),
]


def files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".vaultcrm" not in p.parts
    }


def assert_clean(result, allowed: tuple[int, ...]) -> None:
    assert "Traceback" not in result.output, result.output
    assert result.exit_code in allowed, result.output


# ---------------------------------------------------------------- no traceback, ever


@pytest.mark.parametrize(
    "front",
    [
        b"name: Bad\xff Person\nrole: x\xfey\n",  # stray bytes in values
        b"name: Bad Person\n\xc3\x28: broken key\n",  # an invalid sequence in a key
        b"name: Bad Person\nfamily:\n  - {name: L\xe9a, relation: daughter}\n",  # Latin-1
    ],
    ids=["values", "key", "latin-1"],
)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_non_utf8_front_matter_never_gives_a_traceback(
    example_vault: Path, run, front: bytes, command: tuple[str, ...]
) -> None:
    note = example_vault / "people" / "Bad.md"
    note.write_bytes(b"---\n" + front + b"---\n# Bad\n\n## Log\n- 2026-11-01: first\n")
    result = run(example_vault, *command)
    assert_clean(result, (0, 1))
    if command[0] == "log":
        after = note.read_bytes()
        assert after.startswith(b"---\n" + front + b"---\n"), "the bytes it did not add are kept"


@pytest.mark.parametrize(
    "command", [("log", "henk", "zzkoffie"), ("log", "henk", "x", "--follow-up")], ids=" ".join
)
def test_a_file_where_the_locks_folder_belongs(example_vault: Path, run, command) -> None:
    (example_vault / ".vaultcrm" / "locks").write_text("not a folder", encoding="utf-8")
    before = files(example_vault)
    result = run(example_vault, *command)
    assert_clean(result, (3,))
    assert result.stderr.count("\n") == 1 and ".vaultcrm/locks" in result.stderr
    assert files(example_vault) == before
    assert run(example_vault, "search", "jazz").exit_code == 0, "reading needs no locks"


@pytest.mark.parametrize(
    "command",
    [("log", "henk", "zzkoffie"), ("new", "Eva Dekker"), ("prep", "henk", "--save")],
    ids=" ".join,
)
def test_writing_into_a_read_only_vault_is_an_error_not_a_traceback(
    example_vault: Path, run, monkeypatch, command
) -> None:
    assert run(example_vault, "index").exit_code == 0
    before = files(example_vault)
    make_read_only(monkeypatch, example_vault)
    result = run(example_vault, *command)
    monkeypatch.undo()
    assert_clean(result, (3,))
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert os.strerror(errno.EROFS) in result.stderr
    assert files(example_vault) == before


# ---------------------------------------------------------------- the last resort


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


@pytest.mark.parametrize(
    "failure",
    [
        RuntimeError("boom"),
        ValueError("a value\nover two lines"),
        OSError(errno.EIO, "Input/output error"),
        RecursionError("maximum recursion depth exceeded"),
        KeyError("vc_note"),
    ],
    ids=lambda e: type(e).__name__,
)
@pytest.mark.parametrize(
    "command, target",
    [
        (("search", "jazz"), "vaultcrm.features.search.search_vault"),
        (("prep", "henk"), "vaultcrm.features.prep.prep_sheets"),
        (("people",), "vaultcrm.features.people.list_people"),
        (("log", "henk", "x"), "vaultcrm.features.journal.log_contact"),
        (("index",), "vaultcrm.engine.sync.sync_vault"),
    ],
    ids=lambda v: v[0] if isinstance(v, tuple) else "",
)
def test_an_unforeseen_error_is_one_line_with_where_the_details_are(
    example_vault: Path, run, monkeypatch, cache: Path, failure, command, target
) -> None:
    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(target, fail)
    before = files(example_vault)
    result = run(example_vault, *command)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("vaultcrm: ") and type(failure).__name__ in line
    (report,) = list((cache / "vaultcrm").iterdir())
    assert str(report) in line
    assert "Traceback" in report.read_text(encoding="utf-8")
    assert report.stat().st_mode & 0o077 == 0, "readable by the user alone"
    assert files(example_vault) == before


def test_the_details_never_land_in_the_vault(example_vault: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(example_vault / "cache"))

    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("vaultcrm.features.search.search_vault", fail)
    result = run(example_vault, "search", "jazz")
    assert result.exit_code == 3
    assert not (example_vault / "cache").exists()
    where = result.stderr.split("details in ")[1].strip().rstrip(")")
    assert not Path(where).resolve().is_relative_to(example_vault.resolve())
    Path(where).unlink()


def test_click_and_interrupts_behave_as_before(example_vault: Path, run, monkeypatch) -> None:
    assert run(example_vault, "search", "--limit", "x", "jazz").exit_code == 2  # click's usage
    assert run(example_vault, "--help").exit_code == 0
    assert run(example_vault, "nosuchcommand").exit_code == 2

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("vaultcrm.features.search.search_vault", interrupt)
    result = run(example_vault, "search", "jazz")
    assert result.exit_code == 130 and "Interrupted" in result.stderr

    def leave(*args, **kwargs):
        raise SystemExit(7)

    monkeypatch.setattr("vaultcrm.features.search.search_vault", leave)
    assert run(example_vault, "search", "jazz").exit_code == 7


# ---------------------------------------------------------------- a read-only note


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o555, 0o464])
@pytest.mark.parametrize("follow_up", [False, True])
def test_a_read_only_note_is_refused_unless_forced(
    example_vault: Path, run, mode: int, follow_up: bool
) -> None:
    note = example_vault / "people" / "Henk de Vries.md"
    before = note.read_bytes()
    note.chmod(mode)
    extra = ("--follow-up",) if follow_up else ()
    refused = run(example_vault, "log", "henk", "zzkoffie", *extra)
    assert refused.exit_code == 2, refused.output
    assert "read-only" in refused.stderr and "--force" in refused.stderr
    assert note.read_bytes() == before
    forced = run(example_vault, "log", "henk", "zzkoffie", "--force", *extra)
    assert forced.exit_code == 0, forced.output
    assert b"zzkoffie" in note.read_bytes()
    assert note.stat().st_mode & 0o7777 == mode, "and it stays read-only"


def test_a_link_to_a_read_only_note_is_refused_too(example_vault: Path, run) -> None:
    real = example_vault / "people" / "Henk de Vries.md"
    real.rename(example_vault / "Henk.txt")
    real.symlink_to(example_vault / "Henk.txt")
    (example_vault / "Henk.txt").chmod(0o444)
    assert run(example_vault, "log", "henk", "zzkoffie").exit_code == 2
    assert b"zzkoffie" not in (example_vault / "Henk.txt").read_bytes()


def test_a_writable_note_is_logged_as_before(example_vault: Path, run) -> None:
    note = example_vault / "people" / "Henk de Vries.md"
    note.chmod(0o640)
    assert run(example_vault, "log", "henk", "zzkoffie").exit_code == 0
    assert note.stat().st_mode & 0o7777 == 0o640


# ---------------------------------------------------------------- a read-only vault


@pytest.mark.parametrize(
    "command, code",
    [
        (("search", "jazz"), 0),
        (("people",), 0),
        (("agenda",), 0),
        (("prep", "henk"), 0),
        (("calendar",), 0),
        (("check",), 0),
    ],
    ids=lambda v: v[0] if isinstance(v, tuple) else "",
)
def test_a_read_only_vault_answers_from_the_last_good_index(
    example_vault: Path, run, monkeypatch, command, code
) -> None:
    assert run(example_vault, "index").exit_code == 0
    note = example_vault / "people" / "Henk de Vries.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nnieuw woord: zeppelin\n", "utf-8")
    (example_vault / "people" / "New Person.md").write_text("# New\n", encoding="utf-8")
    make_read_only(monkeypatch, example_vault)
    result = run(example_vault, *command)
    assert_clean(result, (code,))
    assert result.stdout.strip() or command == ("check",)
    stale = [line for line in result.stderr.splitlines() if "stale" in line]
    assert len(stale) == 1 and os.strerror(errno.EROFS) in stale[0], result.stderr
    if command[0] == "search":
        assert run(example_vault, "search", "zeppelin").exit_code == 1, "the last good index"
    monkeypatch.undo()
    assert run(example_vault, "search", "zeppelin").exit_code == 0, "up to date once writable"


def test_a_read_only_vault_without_an_index_is_an_error(example_vault: Path, run, monkeypatch):
    make_read_only(monkeypatch, example_vault)
    for command in (("search", "jazz"), ("people",), ("index",)):
        result = run(example_vault, *command)
        assert_clean(result, (3,))
        assert len(result.stderr.splitlines()) == 1


def test_index_itself_still_fails_on_a_read_only_vault(example_vault: Path, run, monkeypatch):
    assert run(example_vault, "index").exit_code == 0
    note = example_vault / "people" / "Henk de Vries.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nzeppelin\n", "utf-8")
    make_read_only(monkeypatch, example_vault)
    result = run(example_vault, "index")
    assert_clean(result, (3,))
    assert os.strerror(errno.EROFS) in result.stderr
