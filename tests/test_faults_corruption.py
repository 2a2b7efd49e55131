"""Corruption: an index damaged on disk (truncated or deleted segment, missing or garbled
table of contents, garbage bytes, stale locks of a dead process, another schema version)
is detected and rebuilt with a one-line notice, never a traceback, by every command that
reads it: index, search, check, people, agenda and prep. The index left behind equals a
clean rebuild.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from faultkit import VAULTCRM, IndexView, assert_no_crash, index_view, rebuilt_view, vaultcrm

from vaultcrm.engine.sync import index_for, sync_vault
from vaultcrm.engine.whoosh import files as index_module
from vaultcrm.store.vault import Vault

COMMANDS = {
    "index": ("index",),
    "search": ("search", "jazz"),
    "check": ("check",),
    "people": ("people",),
    "agenda": ("agenda",),
    "prep": ("prep", "henk"),
}
NOTICE = re.compile(
    r"^(No index yet: building it from the vault\."
    r"|The index was made by another vaultcrm version or other settings: rebuilding it\."
    r"|The index was unreadable \(.{1,80}\): rebuilding it\.)$"
)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, example_vault_source) -> tuple[Path, IndexView]:
    """The example vault, indexed once, and the view of its clean rebuild."""
    root = tmp_path_factory.mktemp("pristine") / "vault"
    shutil.copytree(
        example_vault_source, root, ignore=shutil.ignore_patterns("index", "*.lock", "locks")
    )
    sync_vault(Vault(root))
    return root, rebuilt_view(root, tmp_path_factory.mktemp("rebuilt") / "vault")


@pytest.fixture(scope="module")
def example_vault_source() -> Path:
    return Path(__file__).resolve().parent.parent / "example_vault"


@pytest.fixture
def vault(pristine, tmp_path) -> Path:
    """A private copy of the indexed example vault, to damage."""
    root = tmp_path / "vault"
    shutil.copytree(pristine[0], root, ignore=shutil.ignore_patterns("*.lock", "locks"))
    return root


def index_dir(root: Path) -> Path:
    return root / ".vaultcrm" / "index"


def segments(root: Path) -> list[Path]:
    found = sorted(index_dir(root).glob("*.seg"))
    assert found, "the index has segment files"
    return found


def tocs(root: Path) -> list[Path]:
    found = sorted(index_dir(root).glob("*.toc"))
    assert found, "the index has a table of contents"
    return found


# ---------------------------------------------------------------- the damage


def truncate_segment(root: Path) -> None:
    for seg in segments(root):
        seg.write_bytes(seg.read_bytes()[: seg.stat().st_size // 2])


def chop_segment_tail(root: Path) -> None:
    for seg in segments(root):
        seg.write_bytes(seg.read_bytes()[:-100])


def empty_segment(root: Path) -> None:
    for seg in segments(root):
        seg.write_bytes(b"")


def delete_segment(root: Path) -> None:
    for seg in segments(root):
        seg.unlink()


def garbage_in_segment(root: Path) -> None:
    """Same size, a few bytes overwritten in the middle: the sneakiest damage."""
    rng = random.Random(7)
    for seg in segments(root):
        data = bytearray(seg.read_bytes())
        for _ in range(4):
            at = rng.randrange(len(data) - 64)
            data[at : at + 64] = rng.randbytes(64)
        seg.write_bytes(bytes(data))


def zeroed_segment(root: Path) -> None:
    for seg in segments(root):
        seg.write_bytes(bytes(seg.stat().st_size))


def delete_toc(root: Path) -> None:
    for toc in tocs(root):
        toc.unlink()


def truncate_toc(root: Path) -> None:
    for toc in tocs(root):
        toc.write_bytes(toc.read_bytes()[:40])


def garbage_toc(root: Path) -> None:
    for toc in tocs(root):
        toc.write_bytes(random.Random(3).randbytes(toc.stat().st_size))


def newer_garbage_toc(root: Path) -> None:
    """A half-written table of contents of a later generation, as a crash might leave."""
    toc = tocs(root)[-1]
    stem, _ = toc.name.rsplit("_", 1)
    (toc.parent / f"{stem}_999.toc").write_bytes(toc.read_bytes()[:60])


def index_is_a_file(root: Path) -> None:
    shutil.rmtree(index_dir(root))
    index_dir(root).write_bytes(b"not an index\n")


def index_folder_gone(root: Path) -> None:
    shutil.rmtree(index_dir(root))


def other_schema_version(root: Path) -> None:
    """The index an older vaultcrm made (another SCHEMA_VERSION)."""
    shutil.rmtree(index_dir(root))
    real = index_module.SCHEMA_VERSION
    index_module.SCHEMA_VERSION = real - 1
    try:
        sync_vault(Vault(root))
    finally:
        index_module.SCHEMA_VERSION = real
    assert index_for(Vault(root)).state() != "ok"


def stray_files(root: Path) -> None:
    """Leftovers of a crash: a temp TOC, an orphan segment and a folder."""
    folder = index_dir(root)
    (folder / "_junk_1.toc.1700000000.0").write_bytes(b"\x00" * 10)
    (folder / f"{index_for(Vault(root)).name}_orphan0000.seg").write_bytes(b"junk")
    (folder / "subfolder").mkdir()


DAMAGE = {
    "truncated-segment": truncate_segment,
    "segment-tail-cut": chop_segment_tail,
    "empty-segment": empty_segment,
    "deleted-segment": delete_segment,
    "garbage-in-segment": garbage_in_segment,
    "zeroed-segment": zeroed_segment,
    "missing-toc": delete_toc,
    "truncated-toc": truncate_toc,
    "garbage-toc": garbage_toc,
    "newer-garbage-toc": newer_garbage_toc,
    "index-is-a-file": index_is_a_file,
    "index-folder-gone": index_folder_gone,
    "other-schema-version": other_schema_version,
}


def assert_repaired(root: Path, done, want: IndexView, expect_notice: bool = True) -> None:
    stderr = done.stderr if isinstance(done.stderr, str) else ""
    assert "Traceback" not in stderr
    assert done.exit_code == 0 if hasattr(done, "exit_code") else done.returncode == 0, stderr
    notices = [line for line in stderr.splitlines() if "index" in line.lower()]
    if expect_notice:
        assert len(notices) == 1, f"one notice line, got: {stderr!r}"
        assert NOTICE.match(notices[0]), f"an unexpected notice: {notices[0]!r}"
    else:
        assert notices == [], f"no notice expected, got: {stderr!r}"
    assert index_view(root) == want, "the repaired index equals a clean rebuild"


# The short form damages the index once per kind and repairs it with one command each
# (every kind and every command is covered); the slow form runs the whole matrix.
_SHORT = [(name, list(COMMANDS)[i % len(COMMANDS)]) for i, name in enumerate(DAMAGE)]
_FULL = [(d, c) for d in DAMAGE for c in COMMANDS if (d, c) not in _SHORT]


@pytest.mark.parametrize("damage, command", _SHORT)
def test_damage_is_repaired_with_a_notice(vault, pristine, run, damage, command) -> None:
    DAMAGE[damage](vault)
    done = run(vault, *COMMANDS[command])
    assert_repaired(vault, done, pristine[1])
    again = run(vault, *COMMANDS[command])
    assert (again.exit_code, again.stderr.count("index")) == (0, 0), "repaired once, for good"


@pytest.mark.slow
@pytest.mark.parametrize("damage, command", _FULL)
def test_every_damage_with_every_command(vault, pristine, run, damage, command) -> None:
    DAMAGE[damage](vault)
    assert_repaired(vault, run(vault, *COMMANDS[command]), pristine[1])


@pytest.mark.skipif(not VAULTCRM.exists(), reason="vaultcrm is not installed")
@pytest.mark.parametrize(
    "damage",
    [
        "garbage-in-segment",
        pytest.param("deleted-segment", marks=pytest.mark.slow),
        pytest.param("index-is-a-file", marks=pytest.mark.slow),
    ],
)
def test_damage_is_repaired_by_the_installed_command(vault, pristine, damage) -> None:
    DAMAGE[damage](vault)
    done = vaultcrm(vault, "search", "jazz")
    assert_no_crash(done)
    notices = [line for line in done.stderr.splitlines() if "index" in line.lower()]
    assert len(notices) == 1 and NOTICE.match(notices[0]), done.stderr
    assert index_view(vault) == pristine[1]


# ---------------------------------------------------------------- stale locks

HOLD_AND_DIE = textwrap.dedent(
    """
    import os, signal, sys
    from filelock import FileLock
    from whoosh.filedb.filestore import FileStorage
    state, index_name = sys.argv[1], sys.argv[2]
    ours = FileLock(os.path.join(state, "index.lock"))
    ours.acquire()
    theirs = FileStorage(os.path.join(state, "index")).lock(index_name + "_WRITELOCK")
    assert theirs.acquire()
    print("held", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def die_holding_the_locks(root: Path) -> None:
    """A vaultcrm writer killed while it held both locks: its lock files stay behind."""
    name = index_for(Vault(root)).name
    done = subprocess.run(
        [sys.executable, "-c", HOLD_AND_DIE, str(root / ".vaultcrm"), name],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout == "held\n" and done.returncode == -9, done.stderr
    assert (root / ".vaultcrm" / "index.lock").exists()
    assert (index_dir(root) / f"{name}_WRITELOCK").exists()


@pytest.mark.parametrize(
    "command",
    [c if c in ("index", "search") else pytest.param(c, marks=pytest.mark.slow) for c in COMMANDS],
)
def test_locks_left_by_a_dead_process_are_no_obstacle(
    vault, pristine, run, monkeypatch, command
) -> None:
    die_holding_the_locks(vault)
    monkeypatch.setenv("VAULTCRM_LOCK_TIMEOUT", "5")  # fails rather than hangs
    note = vault / "people" / "Henk de Vries.md"
    original = note.read_bytes()
    note.write_bytes(original + b"\nEen nieuwe regel over jazz.\n")  # so a writer must lock
    done = run(vault, *COMMANDS[command])
    assert done.exit_code == 0, done.output
    assert "index" not in done.stderr.lower(), "a stale lock is not damage: no notice"
    note.write_bytes(original)
    sync_vault(Vault(vault))
    assert index_view(vault) == pristine[1]


def test_lock_files_of_the_wrong_kind_are_no_obstacle(vault, pristine, run) -> None:
    """Lock files garbled or left as folders by a sync tool: still usable."""
    name = index_for(Vault(vault)).name
    (vault / ".vaultcrm" / "index.lock").write_bytes(os.urandom(64))
    (index_dir(vault) / f"{name}_WRITELOCK").write_bytes(os.urandom(64))
    (vault / "people" / "New Person.md").write_text("---\nname: New Person\n---\n", "utf-8")
    done = run(vault, "index")
    assert (done.exit_code, done.stderr) == (0, "")
    (vault / "people" / "New Person.md").unlink()
    assert run(vault, "index").exit_code == 0
    assert index_view(vault) == pristine[1]


# ---------------------------------------------------------------- bit rot


def bit_rot(root: Path, seed: int) -> None:
    """Bytes garbled in place with the file's mtime kept: a failing disk, not a program.
    The seals cannot see it, so it shows (if at all) only while a command reads."""
    rng = random.Random(seed)
    for seg in segments(root):
        st = seg.stat()
        data = bytearray(seg.read_bytes())
        at = rng.randrange(len(data) - 256)
        data[at : at + 256] = rng.randbytes(256)
        seg.write_bytes(bytes(data))
        os.utime(seg, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize(
    "seed", [*range(6), *(pytest.param(s, marks=pytest.mark.slow) for s in range(6, 40))]
)
def test_bit_rot_found_while_reading_is_rebuilt_too(vault, pristine, run, seed) -> None:
    bit_rot(vault, seed)
    command = list(COMMANDS)[seed % len(COMMANDS)]
    done = run(vault, *COMMANDS[command])
    assert done.exit_code == 0, done.output
    notices = [line for line in done.stderr.splitlines() if "index" in line.lower()]
    assert len(notices) <= 1 and all(NOTICE.match(n) for n in notices), done.stderr
    if notices:  # found: rebuilt, and so equal to a clean rebuild
        assert index_view(vault) == pristine[1]
