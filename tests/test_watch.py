"""The watcher on real observers and temp vaults: every save pattern ends as one correct
index update. Assertions read the watched index directly (never through a command that
would sync first) and poll with a deadline."""

from __future__ import annotations

import errno
import os
import random
import shutil
import threading
import time
from pathlib import Path

import faultkit
import pytest
from traces import traces

from vaultcrm.engine import sync
from vaultcrm.engine.watch import VaultWatcher, _Dirty
from vaultcrm.engine.whoosh.index import NoteIndex
from vaultcrm.store.vault import Vault

DEADLINE = 10.0
FAST_POLL = 0.1

HENK = "people/Henk de Vries.md"
ZOE = "people/Zoë Bakker.md"
FILES = {
    HENK: "---\nname: Henk de Vries\nteam: Klantenservice\n---\nHenk loves jazz.\n",
    ZOE: "---\nname: Zoë Bakker\n---\nZoë rides her racefiets.\n",
    "projects/alpha/plan.md": "# Alpha plan\nThe roadmap for alpha.\n",
    "projects/alpha/budget.md": "# Alpha budget\nThe budget spreadsheet.\n",
    "projects/alpha/deep/risks.md": "# Risks\nThe risk register.\n",
    "projects/beta.md": "# Beta\nNothing decided.\n",
}


def wait_for(predicate, what: str, timeout: float = DEADLINE):
    """faultkit's poll, at this file's deadline and a finer step (watch latency is ms)."""
    return faultkit.wait_for(predicate, what, timeout=timeout, step=0.02)


def open_index(vault: Vault) -> NoteIndex:
    make = getattr(sync, "index_for", None)
    idx = make(vault) if make else NoteIndex(vault.index_dir, vault.config.languages)
    return idx.open()


class Running:
    """One watcher on its own thread, recording what it reports."""

    def __init__(self, root: Path, **options):
        self.root = root
        self.vault = Vault(root)
        self.batches: list = []
        self.notices: list[str] = []
        self.watcher = VaultWatcher(
            self.vault, on_batch=self.batches.append, on_notice=self.notices.append, **options
        )
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.summary = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.summary = self.watcher.run(self.stop)
        except BaseException as exc:  # surfaced by the fixture
            self.error = exc

    def hits(self, query: str) -> set[str]:
        idx = open_index(self.vault)
        try:
            return {hit.path for hit in idx.search(query, limit=None)}
        finally:
            idx.close()

    def indexed(self) -> set[str]:
        idx = open_index(self.vault)
        try:
            return set(idx.stamps())
        finally:
            idx.close()

    def on_disk(self) -> set[str]:
        return {s.path for s in self.vault.walk()}

    def until(self, query: str, expected: set[str]) -> None:
        wait_for(lambda: self.hits(query) == expected, f"search {query!r} to give {expected}")

    def settle(self) -> None:
        """Wait until the index equals the vault on disk and the watcher has nothing left."""

        def settled() -> bool:
            before = len(self.batches)
            return (
                self.watcher.idle()
                and self.indexed() == self.on_disk()
                and self.watcher.idle()
                and len(self.batches) == before
            )

        wait_for(settled, "the index to match the vault")

    def reported(self) -> set[str]:
        return {p for b in self.batches if b.reason != "start" for p in b.paths}


@pytest.fixture
def watching():
    started: list[Running] = []

    def start(root: Path, **options) -> Running:
        running = Running(root, **options)
        running.thread.start()
        wait_for(lambda: running.watcher.ready.is_set() or running.error, "the watcher to start")
        if running.error:
            raise running.error
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop.set()
        running.thread.join(10)
        assert not running.thread.is_alive(), "the watcher did not stop"
        if running.error:
            raise running.error


@pytest.fixture(params=["native", "poll"])
def mode(request) -> dict:
    return {"poll": True, "poll_interval": FAST_POLL} if request.param == "poll" else {}


@pytest.fixture
def vault(make_vault) -> Path:
    return make_vault(FILES)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:  # truncate, write, close
        handle.write(text)


# ---------------------------------------------------------------- start


def test_start_syncs_the_vault_once_and_reports_it(vault, watching):
    w = watching(vault)
    assert [b.reason for b in w.batches] == ["start"]
    assert w.batches[0].result.added == tuple(sorted(FILES))
    assert w.hits("jazz") == {HENK}
    assert w.watcher.mode == "inotify"


def test_start_sync_is_incremental(vault, watching):
    sync.sync_vault(Vault(vault))
    write(vault / HENK, FILES[HENK].replace("jazz", "blues"))
    w = watching(vault)
    assert str(w.batches[0].result) == "+0 ~1 -0"
    assert w.hits("blues") == {HENK}


# ---------------------------------------------------------------- save patterns


def test_truncate_and_write_is_reindexed(vault, watching, mode):
    w = watching(vault, **mode)
    with open(vault / HENK, "r+", encoding="utf-8") as handle:  # VS Code, vim's default
        handle.truncate(0)
        handle.write(FILES[HENK].replace("jazz", "wielrennen"))
    w.until("wielrennen", {HENK})
    w.settle()
    assert w.hits("jazz") == set()
    assert HENK in w.reported()


@pytest.mark.parametrize(
    "temp_name",
    [".Henk de Vries.md.tmp4f2a", "Henk de Vries.md.tmp", ".syncthing.Henk de Vries.md.tmp"],
)
def test_temp_file_renamed_over_the_note(vault, watching, mode, temp_name):
    w = watching(vault, **mode)
    temp = vault / "people" / temp_name
    write(temp, FILES[HENK].replace("jazz", "salsa"))
    os.replace(temp, vault / HENK)
    w.until("salsa", {HENK})
    w.settle()
    assert not any(temp_name in p for p in w.reported())


def test_vim_backup_rename_save(vault, watching):
    w = watching(vault)
    probe = vault / "people" / "4913"  # vim checks it may create files in the folder
    write(probe, "")
    probe.unlink()
    backup = vault / "people" / "Henk de Vries.md~"
    os.rename(vault / HENK, backup)
    write(vault / HENK, FILES[HENK].replace("jazz", "opera"))
    backup.unlink()
    w.until("opera", {HENK})
    w.settle()
    assert not any("4913" in p or p.endswith("~") for p in w.reported())


def test_rename_to_a_new_name(vault, watching, mode):
    w = watching(vault, **mode)
    os.rename(vault / HENK, vault / "people" / "Henk Jansen.md")
    w.until("jazz", {"people/Henk Jansen.md"})
    w.settle()
    assert HENK not in w.indexed()


def test_touch_without_change_is_not_reindexed(vault, watching):
    w = watching(vault)
    later = time.time_ns() + 5_000_000_000
    os.utime(vault / HENK, ns=(later, later))
    write(vault / "projects/beta.md", "# Beta\nDecided: go.\n")  # a change after the touch
    w.until("decided", {"projects/beta.md"})
    w.settle()
    assert HENK not in w.reported()
    assert w.hits("jazz") == {HENK}


def test_delete(vault, watching, mode):
    w = watching(vault, **mode)
    (vault / HENK).unlink()
    w.until("jazz", set())
    w.settle()


def test_note_moved_in_from_outside_the_vault(vault, tmp_path, watching):
    outside = tmp_path / "Downloads" / "Lotte.md"
    write(outside, "---\nname: Lotte\n---\nLotte collects vinyl.\n")
    w = watching(vault)
    os.rename(outside, vault / "people" / "Lotte.md")
    w.until("vinyl", {"people/Lotte.md"})


def test_note_moved_out_of_the_vault(vault, tmp_path, watching):
    w = watching(vault)
    (tmp_path / "elsewhere").mkdir()
    os.rename(vault / HENK, tmp_path / "elsewhere" / "Henk.md")
    w.until("jazz", set())


def test_folder_renamed(vault, watching, mode):
    w = watching(vault, **mode)
    os.renames(vault / "projects" / "alpha", vault / "archive" / "alpha-2025")
    w.until("roadmap", {"archive/alpha-2025/plan.md"})
    w.settle()
    assert {p for p in w.indexed() if "alpha" in p} == {
        "archive/alpha-2025/plan.md",
        "archive/alpha-2025/budget.md",
        "archive/alpha-2025/deep/risks.md",
    }


@pytest.mark.parametrize("how", ["deleted", "moved out"])
def test_folder_deleted_or_moved_out(vault, tmp_path, watching, how):
    w = watching(vault)
    if how == "deleted":
        shutil.rmtree(vault / "projects")
    else:
        os.rename(vault / "projects", tmp_path / "projects-elsewhere")
    w.until("roadmap OR budget OR risk OR beta", set())
    w.settle()
    assert w.indexed() == {HENK, ZOE}


def test_folder_moved_in_with_nested_notes(vault, tmp_path, watching):
    outside = tmp_path / "import"
    write(outside / "team" / "Piet.md", "Piet plays chess.\n")
    write(outside / "team" / "sub" / "Anna.md", "Anna plays chess too.\n")
    w = watching(vault)
    os.rename(outside, vault / "imported")
    w.until("chess", {"imported/team/Piet.md", "imported/team/sub/Anna.md"})


def test_new_folder_then_notes_in_it(vault, watching):
    w = watching(vault)
    (vault / "meetings" / "2026").mkdir(parents=True)
    write(vault / "meetings" / "2026" / "2026-11-23 Henk.md", "Talked about [[Henk de Vries]].\n")
    w.until("talked", {"meetings/2026/2026-11-23 Henk.md"})


def test_editor_temp_swap_files_and_hidden_folders_are_ignored(vault, watching):
    w = watching(vault)
    for rel in (
        "people/.Henk de Vries.md.swp",
        "people/Henk de Vries.md~",
        "people/.#Henk de Vries.md",
        "people/draft.tmp",
        ".obsidian/workspace.md",
        ".trash/Old Person.md",
        "people/.hidden/Secret.md",
    ):
        write(vault / rel, "ignored words: quokka\n")
    write(vault / "people" / "Sentinel.md", "sentinel\n")
    w.until("sentinel", {"people/Sentinel.md"})
    w.settle()
    assert w.hits("quokka") == set()
    assert w.reported() == {"people/Sentinel.md"}


def test_one_batch_per_burst_of_saves(vault, watching):
    """Many saves of one note in a burst end as few batches, each one commit."""
    w = watching(vault)
    for n in range(30):
        write(vault / HENK, FILES[HENK].replace("jazz", f"take{n}"))
    w.until("take29", {HENK})
    w.settle()
    assert len([b for b in w.batches if b.reason == "change"]) < 30


def _segments(vault: Vault) -> int:
    idx = open_index(vault)
    try:
        with idx.ix.reader() as reader:
            return len(list(reader.leaf_readers()))
    finally:
        idx.close()


def test_saves_do_not_wait_for_merges_which_happen_when_quiet(vault, watching):
    w = watching(vault, merge_idle=0.5, merge_every=100)
    before = _segments(w.vault)
    for n in range(6):  # six separate saves, each its own unmerged commit
        write(vault / HENK, FILES[HENK].replace("jazz", f"song{n}"))
        w.until(f"song{n}", {HENK})
    piled = _segments(w.vault)
    assert piled >= before + 6
    wait_for(lambda: _segments(w.vault) < piled - 2, "the segments to be merged")
    assert w.hits("song5") == {HENK}


# ---------------------------------------------------------------- the idle tidy

SECRET = "people/Zanthe Quillomb.md"
SECRET_WORDS = ("zanth", "quillomb", "xylofrobnik")  # as the index keeps them


def secret_indexed(vault_root: Path) -> None:
    write(vault_root / SECRET, "---\nname: Zanthe Quillomb\n---\nZanthe's XyloFrobnik.\n")
    sync.sync_vault(Vault(vault_root))
    assert traces(vault_root, SECRET_WORDS)


def test_a_deleted_note_leaves_the_index_files_once_quiet(vault, watching):
    secret_indexed(vault)
    w = watching(vault, merge_idle=0.05, tidy_idle=0.3)
    (vault / SECRET).unlink()
    wait_for(lambda: SECRET in w.reported(), "the delete")
    wait_for(lambda: not traces(vault, SECRET_WORDS), "the idle tidy to purge it")
    assert not sync.files_for(w.vault).untidy()
    assert w.hits("jazz") == {HENK}


def test_a_save_during_the_idle_tidy_gives_it_up(vault, watching, monkeypatch):
    """The save's batch does not wait for the tidy; the tidy is done at the next pause."""
    from vaultcrm.engine import watch

    secret_indexed(vault)
    (vault / SECRET).unlink()
    assert str(sync.sync_vault(Vault(vault))) == "+0 ~0 -1"  # in the files until a tidy
    real, outcomes = watch.tidy_index, []

    def tidy(vault, *, small=False, stop=None):
        if not outcomes:  # the first tidy: a save arrives as it starts
            stop.__self__._dirty.add(HENK)  # stop is the watcher's own (bound) check
        outcomes.append(real(vault, small=small, stop=stop))
        return outcomes[-1]

    monkeypatch.setattr(watch, "tidy_index", tidy)
    watching(vault, merge_idle=0.05, tidy_idle=0.2)
    wait_for(lambda: not traces(vault, SECRET_WORDS), "the next, quiet tidy")
    assert outcomes[0] is False and outcomes[-1] is True


def test_stop_flushes_what_is_pending(vault, make_vault, watching):
    w = watching(vault, quiet=30.0, max_hold=60.0)  # nothing would flush on its own
    write(vault / "people" / "Late.md", "arrived late\n")
    wait_for(lambda: len(w.watcher._dirty) == 1, "the event to arrive")
    w.stop.set()
    w.thread.join(10)
    assert w.hits("late") == {"people/Late.md"}
    assert w.summary.added == 1


# ---------------------------------------------------------------- never silently miss


def test_watch_limit_falls_back_to_polling(vault, watching, monkeypatch):
    from watchdog.observers.inotify_c import InotifyFD

    real = InotifyFD._get_or_create_watch

    def limited(self, path, mask):
        if b"/projects" in path:  # the kernel refuses watches past the limit
            raise OSError(errno.ENOSPC, "inotify watch limit reached")
        return real(self, path, mask)

    monkeypatch.setattr(InotifyFD, "_get_or_create_watch", limited)
    w = watching(vault, poll_interval=FAST_POLL)
    wait_for(lambda: w.watcher.mode == "polling", "the switch to polling")
    assert len(w.notices) == 1
    assert w.notices[0].startswith(
        "the inotify watch limit is reached, so some folders cannot be watched; "
        "polling the vault every 0.1s instead (raise it with: sudo sysctl "
        "fs.inotify.max_user_watches=524288"
    )
    write(vault / "projects" / "alpha" / "deep" / "new.md", "kangaroo\n")
    w.until("kangaroo", {"projects/alpha/deep/new.md"})


def test_observer_that_cannot_start_falls_back_to_polling(vault, watching, monkeypatch):
    from watchdog.observers.inotify_c import InotifyFD

    def no_instances(cls):
        raise OSError(errno.EMFILE, "inotify instance limit reached")

    monkeypatch.setattr(InotifyFD, "_create_inotify_fd", classmethod(no_instances))
    w = watching(vault, poll_interval=FAST_POLL)
    assert w.watcher.mode == "polling"
    assert w.notices == [
        "cannot watch the vault for changes (inotify instance limit reached); "
        "polling it every 0.1s instead"
    ]
    write(vault / HENK, FILES[HENK].replace("jazz", "tango"))
    w.until("tango", {HENK})


def _lose_events_while(w: Running, change, last_mask: int) -> None:
    """Make the kernel 'lose' the events of ``change``: the reader drops them, up to and
    including the last one the change makes (``last_mask``)."""
    fd = w.watcher._observer._inotify_fd
    real, dropped = fd.handle_event, []
    fd.handle_event = dropped.append
    try:
        change()
        wait_for(lambda: any(e.mask & last_mask for e in dropped), "the events to be dropped")
    finally:
        fd.handle_event = real


def test_queue_overflow_reconciles_and_says_so_once(vault, watching):
    from watchdog.observers.inotify_c import InotifyConstants, InotifyEvent

    w = watching(vault)
    overflow = InotifyEvent(-1, InotifyConstants.IN_Q_OVERFLOW, 0, b"")
    for word in ("mambo", "rumba"):
        _lose_events_while(
            w, lambda word=word: write(vault / HENK, f"{word}\n"), InotifyConstants.IN_CLOSE_WRITE
        )
        assert w.hits(word) == set()  # the index missed it ...
        w.watcher._observer._inotify_fd.handle_event(overflow)  # ... and the kernel says so
        w.until(word, {HENK})
        w.settle()
    assert w.notices == [
        "the kernel dropped file events (inotify queue overflow); "
        "re-reading the whole vault to catch up"
    ]
    assert [b.reason for b in w.batches].count("reconcile") == 2


def test_periodic_reconcile_catches_what_no_event_told(vault, watching):
    from watchdog.observers.inotify_c import InotifyConstants

    w = watching(vault, reconcile_every=0.5)
    _lose_events_while(w, lambda: (vault / ZOE).unlink(), InotifyConstants.IN_DELETE)
    w.until("racefiets", set())
    w.settle()
    assert w.notices == []
    assert any(b.reason == "reconcile" and ZOE in b.result.removed for b in w.batches)


def test_a_failed_batch_is_said_and_retried(vault, watching, monkeypatch):
    import vaultcrm.engine.watch as watch_module
    from vaultcrm.errors import IndexLockedError

    real, calls = watch_module.sync_vault, []

    def flaky(vault_, **kwargs):
        calls.append(kwargs.get("paths"))
        if len(calls) == 2:  # the first batch after the start sync
            raise IndexLockedError("another vaultcrm process has held the index lock for 20s")
        return real(vault_, **kwargs)

    monkeypatch.setattr(watch_module, "sync_vault", flaky)
    monkeypatch.setattr(watch_module, "RETRY_AFTER", 0.2)
    w = watching(vault)
    write(vault / HENK, "bolero\n")
    w.until("bolero", {HENK})
    assert w.notices == [
        "could not update the index (another vaultcrm process has held the index lock "
        "for 20s); will retry"
    ]


def test_coalescing_bounds():
    """The documented bounds: quiet period, early flush when settled, a hard maximum."""
    dirty = _Dirty(quiet=0.2, settle=0.03, max_hold=2.0)
    dirty.add("a.md")
    first = time.monotonic()
    assert dirty.take_due(first + 0.1) is None
    assert dirty.take_due(first + 0.25) == (["a.md"], [])
    dirty.add("b.md", settled=True)
    assert dirty.take_due(time.monotonic() + 0.05) == (["b.md"], [])
    dirty.add("c.md")
    start = time.monotonic()
    dirty._items[("c.md", False)].first = start - 1.95  # kept busy for almost 2 s
    assert dirty.take_due(start + 0.06) == (["c.md"], [])


# ---------------------------------------------------------------- stress


def _stress(vault_root: Path, rebuilt_root: Path, watching, ops: int, seed: int) -> None:
    rng = random.Random(seed)
    folders = ["people", "meetings", "projects/a", "projects/b"]
    for folder in folders:
        for n in range(8):
            write(vault_root / folder / f"n{n}.md", f"# {folder} {n}\nword{n} start\n")
    w = watching(vault_root)
    counter = 0

    def notes() -> list[Path]:
        return [vault_root / s.path for s in w.vault.walk()]

    for _ in range(ops):
        counter += 1
        existing = notes()
        op = rng.random()
        target = rng.choice(existing) if existing else None
        folder = vault_root / rng.choice(folders)
        try:
            if target is None or op < 0.30:  # truncate-and-write, often the same size
                path = target or folder / f"c{counter}.md"
                write(path, f"# edit\nword{rng.randint(0, 9)} v{rng.randint(0, 9)}\n")
            elif op < 0.45:  # temp + rename over
                temp = target.parent / f".{target.name}.tmp{counter}"
                write(temp, f"# replaced\nrep{counter}\n")
                os.replace(temp, target)
            elif op < 0.58:  # rename, maybe to another folder
                folder.mkdir(parents=True, exist_ok=True)
                os.rename(target, folder / f"r{counter}.md")
            elif op < 0.68:
                target.unlink()
            elif op < 0.80:
                write(folder / f"c{counter}.md", f"# new\nnew{counter}\n")
            elif op < 0.88:
                os.utime(target)
            elif op < 0.94:  # vim
                backup = target.with_name(target.name + "~")
                os.rename(target, backup)
                write(target, f"# vim\nvim{counter}\n")
                backup.unlink()
            else:  # a whole folder renamed
                src = vault_root / rng.choice(folders)
                dst = vault_root / rng.choice(folders)
                if src.is_dir() and src != dst and not dst.exists() and dst.parent != src:
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    os.rename(src, dst)
        except FileNotFoundError:
            continue

    shutil.copytree(vault_root, rebuilt_root, ignore=shutil.ignore_patterns(".vaultcrm"))
    rebuilt_vault = Vault(rebuilt_root)
    sync.sync_vault(rebuilt_vault, rebuild=True)
    want = open_index(rebuilt_vault)
    expected = (want.stamps(), want.notes())
    want.close()

    def same() -> bool:
        got = open_index(w.vault)
        try:
            return (got.stamps(), got.notes()) == expected
        finally:
            got.close()

    wait_for(same, "the watched index to equal a fresh rebuild", timeout=30)
    assert w.notices == []


def test_stress_rapid_edits_renames_and_deletes(tmp_path, watching):
    _stress(tmp_path / "vault", tmp_path / "rebuilt", watching, ops=300, seed=7)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_stress_long(tmp_path, watching, seed):
    _stress(tmp_path / "vault", tmp_path / "rebuilt", watching, ops=2000, seed=seed)
