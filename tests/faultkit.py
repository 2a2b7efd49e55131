"""Helpers for the fault suites (tests/test_faults_*.py): a real ``vaultcrm`` process,
a deterministic vault to torture, snapshots of the user's notes and of the index, and
the clean rebuild every damaged or interrupted index is compared against.

Not a test module: the fault tests import it (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

VAULTCRM = Path(sys.executable).parent / "vaultcrm"
TODAY = "2026-11-23"
CONFIG = 'languages = ["nl", "en"]\npeople_dirs = ["people"]\n'
QUERIES = (
    "jazz",
    "tentamen",
    "team:klantenservice",
    "tag:mentor",
    '"release planning"',
    "wielren*",
    "henk OR zoe",
    "kind:person AND fietsen",
)
STATE = ".vaultcrm"


# ---------------------------------------------------------------- the real command


def cli_env(**extra: str) -> dict[str, str]:
    """The user's environment without any VAULTCRM_* leaking in, a fixed today, no colour."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VAULTCRM_")}
    environ.update({"VAULTCRM_TODAY": TODAY, "NO_COLOR": "1", "VAULTCRM_LOCK_TIMEOUT": "60"})
    environ.update(extra)
    return environ


def vaultcrm(vault: Path, *args: str, timeout: float = 120, **env: str):
    """Run the installed entry point to completion: a CompletedProcess with text output."""
    return subprocess.run(
        [str(VAULTCRM), "--vault", str(vault), *args],
        capture_output=True,
        text=True,
        env=cli_env(**env),
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def spawn(vault: Path, *args: str, **env: str) -> subprocess.Popen:
    """Start the installed entry point without waiting (its output goes to pipes)."""
    return subprocess.Popen(
        [str(VAULTCRM), "--vault", str(vault), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=cli_env(**env),
    )


def kill_after(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL ``proc`` after ``seconds`` (if it still runs); True when it was killed."""
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        return True
    proc.communicate()
    return False


def assert_no_crash(done, allowed: Iterable[int] = (0,), what: str = "") -> None:
    """A process that ended the way SPEC §3 allows, with no Python traceback."""
    code = done.returncode
    out = done.stderr or ""
    label = what or " ".join(map(str, getattr(done, "args", [])[3:]))
    assert "Traceback" not in out, f"{label}: traceback\n{out}"
    assert code in tuple(allowed), f"{label}: exit {code}\nstdout:\n{done.stdout}\nstderr:\n{out}"


# ---------------------------------------------------------------- a vault to torture

_FIRST = [
    "Henk",
    "Zoë",
    "Daan",
    "Sanne",
    "Anouk",
    "Bram",
    "Fatima",
    "Ingrid",
    "Joost",
    "Lucas",
    "Noor",
    "Pieter",
    "Sander",
]
_LAST = [
    "de Vries",
    "Bakker",
    "Visser",
    "Peters",
    "Mulder",
    "El Amrani",
    "Haugen",
    "Willems",
    "Meijer",
    "Smit",
    "Vos",
]
_TEAMS = ["Klantenservice", "Finance", "HR", "Sales", "Engineering"]
_WORDS = [
    "jazz",
    "wielrennen",
    "fietsen",
    "tentamen",
    "release",
    "planning",
    "budget",
    "roadmap",
    "klant",
    "offerte",
    "vakantie",
    "verhuizing",
    "marathon",
    "gitaar",
    "schaken",
    "koken",
    "review",
    "sprint",
    "incident",
    "factuur",
    "mentor",
    "coaching",
    "promotie",
    "cursus",
    "Spaans",
    "teamuitje",
    "kwartaal",
    "migratie",
    "backlog",
]


def _people(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    for first in _FIRST:
        for last in _LAST:
            names.append(f"{first} {last}")
    rng.shuffle(names)
    return names[:count]


def person_text(name: str, rng: random.Random) -> str:
    words = rng.sample(_WORDS, 6)
    tags = rng.sample(["mentor", "klantenservice", "nieuw", "remote"], 2)
    return (
        f"---\nname: {name}\nrole: Engineer\nteam: {rng.choice(_TEAMS)}\nrelation: report\n"
        f"cadence: 14d\nbirthday: 19{rng.randint(60, 99)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n"
        f"interests: [{words[0]}, {words[1]}]\ntags: [{', '.join(tags)}]\n---\n"
        f"# {name}\n\n{' '.join(words)}.\n\n## Log\n"
        f"- 2026-1{rng.randint(0, 1)}-0{rng.randint(1, 9)}: sprak over {words[2]} en {words[3]}\n"
        f"- [ ] vragen naar {words[4]} \U0001f4c5 2026-11-{rng.randint(10, 30)}\n\n"
        f"## Wins\n- {words[5]} afgerond\n"
    )


def meeting_text(people: list[str], rng: random.Random, serial: int) -> str:
    who = rng.sample(people, min(3, len(people)))
    words = " ".join(rng.choice(_WORDS) for _ in range(40))
    links = ", ".join(f"[[{n}]]" for n in who)
    return (
        f"---\ndate: 2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}\n---\n"
        f"# Overleg {serial}\n\nMet {links}. #overleg\n\n{words}\n\n"
        f"- [ ] {rng.choice(_WORDS)} opvolgen\n"
    )


def write_corpus(root: Path, notes: int = 200, seed: int = 0) -> list[str]:
    """A deterministic vault of ``notes`` notes (a tenth people, the rest meetings that
    link them); returns the vault-relative paths written."""
    rng = random.Random(seed)
    (root / STATE).mkdir(parents=True, exist_ok=True)
    (root / STATE / "config.toml").write_text(CONFIG, encoding="utf-8")
    people = _people(max(3, notes // 10), rng)
    written = []
    for name in people:
        rel = f"people/{name}.md"
        _write(root / rel, person_text(name, rng))
        written.append(rel)
    for serial in range(notes - len(people)):
        rel = f"meetings/{serial // 50:02d}/2026-11-{serial % 28 + 1:02d} overleg {serial}.md"
        _write(root / rel, meeting_text(people, rng, serial))
        written.append(rel)
    return written


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def mutate(root: Path, rng: random.Random, count: int) -> None:
    """Edit, add, rename and delete ``count`` notes the way a user (or git pull) would."""
    notes = sorted(p for p in (root / "meetings").rglob("*.md"))
    people = sorted(p.stem for p in (root / "people").glob("*.md"))
    for step in range(count):
        action = rng.choice(("edit", "edit", "add", "rename", "delete"))
        if not notes:
            action = "add"
        if action == "add":
            serial = rng.randint(10_000, 99_999)
            path = root / f"meetings/new/{serial}.md"
            _write(path, meeting_text(people, rng, serial))
            notes.append(path)
            continue
        path = notes.pop(rng.randrange(len(notes)))
        if not path.exists():
            continue
        if action == "edit":
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"\nextra {rng.choice(_WORDS)} {step}\n")
            notes.append(path)
        elif action == "rename":
            target = path.with_name(f"renamed {rng.randint(0, 10**9)}.md")
            path.rename(target)
            notes.append(target)
        else:
            path.unlink()


# ---------------------------------------------------------------- what must never change


def note_snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file the user owns (all but .vaultcrm/): its content hash and mtime."""
    found: dict[str, tuple[str, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir.parts[:1] == (STATE,):
            dirnames[:] = []
            continue
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            st = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[(rel_dir / name).as_posix()] = (digest, st.st_mtime_ns)
    return found


# ---------------------------------------------------------------- the index, compared


@dataclass(frozen=True)
class IndexView:
    """What a user gets from an index: which notes at which content, parsed how, and
    which notes each query finds (as a set: scores may differ with segment layout)."""

    stamps: frozenset[tuple[str, str]]
    notes: tuple
    searches: tuple[tuple[str, frozenset[str]], ...]


def index_view(root: Path, queries: Iterable[str] = QUERIES) -> IndexView:
    """Read the index as it is on disk, without syncing first."""
    from vaultcrm.engine.sync import index_for
    from vaultcrm.store.vault import Vault

    idx = index_for(Vault(root)).open()
    try:
        stamps = frozenset((path, stamp.sha) for path, stamp in idx.stamps().items())
        notes = tuple(idx.notes())
        searches = tuple((q, frozenset(h.path for h in idx.search(q, limit=None))) for q in queries)
    finally:
        idx.close()
    return IndexView(stamps, notes, searches)


def rebuilt_view(root: Path, scratch: Path, queries: Iterable[str] = QUERIES) -> IndexView:
    """The view of a clean rebuild of ``root``'s notes, made in a separate copy."""
    from vaultcrm.engine.sync import sync_vault
    from vaultcrm.store.vault import Vault

    if scratch.exists():
        shutil.rmtree(scratch)
    shutil.copytree(
        root, scratch, symlinks=True, ignore=shutil.ignore_patterns("index", "locks", "*.lock")
    )
    sync_vault(Vault(scratch), rebuild=True)
    return index_view(scratch, queries)


def assert_same_index(root: Path, scratch: Path, context: str = "") -> None:
    got, want = index_view(root), rebuilt_view(root, scratch)
    assert got.stamps == want.stamps, f"{context}: indexed (path, sha) differ from a rebuild"
    assert got.notes == want.notes, f"{context}: stored notes differ from a rebuild"
    assert got.searches == want.searches, f"{context}: search results differ from a rebuild"


def wait_for(predicate, what: str, timeout: float = 20.0, step: float = 0.05):
    """Poll ``predicate`` until truthy or fail after ``timeout`` seconds (no fixed sleeps)."""
    end = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(step)
