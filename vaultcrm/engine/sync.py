"""Bring the index in line with the vault: a diff of a sorted walk against stored stamps.

Work is proportional to what changed: ``stat`` first, hash only when mtime or size moved,
parse only when the hash moved. One writer and one commit per run. A missing, foreign
or unreadable index is rebuilt with a one-line notice. ``watch`` calls the same code
with the paths it saw change.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import (
    IndexCorruptError,
    IndexFailure,
    IndexLockedError,
    IndexWriteError,
    VaultcrmError,
)
from ..model.notes import Note, Problem, skipped_note
from ..store.vault import FileStamp, Vault, ensure_state_dir
from ..store.writes import lock_timeout
from .api import Progress, SyncResult
from .forked import can_fork, die_with_parent
from .whoosh.files import Entry, IndexFiles, Stamp

if TYPE_CHECKING:
    from .whoosh.index import NoteIndex


@contextmanager
def index_lock(vault: Vault, timeout: float | None = None) -> Iterator[None]:
    """One writer at a time across processes; released even when the process dies."""
    from filelock import FileLock, Timeout

    from ..store.writes import check_own_file

    wait = lock_timeout() if timeout is None else timeout
    try:
        ensure_state_dir(vault)
        check_own_file(vault.state_dir / "index.lock")
        lock = FileLock(str(vault.state_dir / "index.lock"))
        lock.acquire(timeout=wait)
    except Timeout:  # before OSError: filelock's Timeout is a TimeoutError
        raise IndexLockedError(
            f"another vaultcrm process has held the index lock for {wait:g}s; "
            "try again when it has finished",
            vault.state_dir / "index.lock",
        ) from None
    except OSError as exc:  # a full disk, a read-only vault: the user's to fix, no traceback
        raise IndexWriteError(
            f"cannot write vaultcrm's state folder: {exc.strerror or exc}", vault.state_dir
        ) from None
    try:
        yield
    finally:
        lock.release()


def index_for(vault: Vault) -> NoteIndex:
    """The vault's index, named after every setting that shapes it (languages, people_dirs,
    size cap), so a change of settings is seen as a foreign index and rebuilt.

    Refuses (``ForeignPathError``) an index folder that is a symlink or lies behind one:
    a rebuild deletes files there."""
    from .whoosh.index import NoteIndex  # Whoosh is imported only when the index is

    return NoteIndex(vault.index_dir, *_index_settings(vault))


def files_for(vault: Vault) -> IndexFiles:
    """The vault's index files, without opening the index (or importing Whoosh)."""
    return IndexFiles(vault.index_dir, *_index_settings(vault))


def _index_settings(vault: Vault) -> tuple[tuple[str, ...], tuple[str, ...]]:
    from ..store.writes import check_own

    check_own(vault.index_dir, vault.root)
    config = vault.config
    return config.languages, (*config.people_dirs, f"max_file_size={config.max_file_size}")


def hash_bytes(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


# A note deleted, renamed or replaced by a folder between the walk and the read is gone,
# not unreadable: it must leave the index, not enter it as a problem.
_GONE = (FileNotFoundError, NotADirectoryError, IsADirectoryError)


def read_for_index(vault: Vault, stamp: FileStamp) -> tuple[Note, Stamp] | None:
    """Read and parse one note with the stamp to store; big files are not even read.
    None when the note is gone since the walk (an editor's rename, a ``git checkout``)."""
    try:
        full = vault.path_of(stamp.path)
        if stamp.size > vault.config.max_file_size:
            if not full.is_file():
                return None
            note = vault.read_note(stamp.path)
            return note, Stamp(stamp.mtime_ns, stamp.size, f"size:{stamp.size}")
        raw = full.read_bytes()
    except (*_GONE, VaultcrmError):  # VaultcrmError: a symlink now pointing out of the vault
        return None
    except OSError as exc:
        note = skipped_note(stamp.path, f"cannot be read: {exc.strerror or exc}")
        return note, Stamp(stamp.mtime_ns, stamp.size, "unreadable")
    from ..model.notes import parse_note

    return parse_note(stamp.path, raw, vault.config.people_dirs), Stamp(
        stamp.mtime_ns, stamp.size, hash_bytes(raw)
    )


def _walk_digest(walk: list[FileStamp]) -> str:
    """One hash for a whole walk: every path with its mtime and size (a path has no NUL).
    The paths are joined and the numbers packed in C, column by column: formatting each
    stamp as text was an eighth of a no-op sync on 10,000 notes."""
    from array import array

    digest = hashlib.blake2b(digest_size=16)
    if walk:
        paths, mtimes, sizes = zip(*walk, strict=True)
        digest.update("\0".join(paths).encode("utf-8", "surrogateescape"))
        try:
            digest.update(array("q", mtimes).tobytes() + array("q", sizes).tobytes())
        except OverflowError:  # a file dated past 2262 (or before 1678): as text
            digest.update(repr((mtimes, sizes)).encode())
    return digest.hexdigest()


def _content_hash(vault: Vault, stamp: FileStamp) -> str | None:
    if stamp.size > vault.config.max_file_size:
        return f"size:{stamp.size}"
    try:
        return hash_bytes(vault.read_bytes(stamp.path))
    except (OSError, VaultcrmError):
        return None


def open_index(vault: Vault, progress: Progress | None = None) -> tuple[NoteIndex, SyncResult]:
    """The vault's index, brought up to date first, as every reading command wants it."""
    result = sync_or_stale(vault, progress)
    idx = index_for(vault)
    try:
        return idx.open(), result
    except IndexCorruptError as exc:  # damaged between the sync and now: once more, from scratch
        return idx.open(), rebuild_after(vault, exc, progress)


def sync_or_stale(vault: Vault, progress: Progress | None = None) -> SyncResult:
    """Sync for a reading command; when the index cannot be written (a read-only vault,
    a full disk) but the last good one can be read, answer from that one, with a notice
    that it may be stale, rather than fail: the README promises it keeps working."""
    try:
        return sync_vault(vault, progress=progress)
    except IndexWriteError as exc:
        if index_for(vault).state() != "ok":
            raise
        why = exc.message.split(": ", 1)[-1]
        return SyncResult(
            notice=f"Could not update the index ({why}): answering from the last good one, "
            "which may be stale."
        )


def rebuild_after(vault: Vault, damage: IndexCorruptError, progress: Progress | None) -> SyncResult:
    """Rebuild an index found damaged while reading, with the one-line notice saying so."""
    result = sync_vault(vault, rebuild=True, progress=progress)
    return dataclasses.replace(result, notice=_unreadable_notice(damage))


def _unreadable_notice(exc: IndexCorruptError) -> str:
    why = exc.message.split("(", 1)[-1].rstrip(")") if "(" in exc.message else exc.message
    return f"The index was unreadable ({why}): rebuilding it."


@dataclass
class _Plan:
    fresh: list[FileStamp] = field(default_factory=list)  # not in the index
    changed: list[FileStamp] = field(default_factory=list)  # stamp moved and hash moved
    touched: list[FileStamp] = field(default_factory=list)  # stamp moved, same content
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.fresh or self.changed or self.touched or self.removed)


def _plan(
    vault: Vault, walk: Iterable[FileStamp], stamps: dict[str, Stamp], scope: Iterable[str] | None
) -> _Plan:
    plan = _Plan()
    seen: set[str] = set()
    for stamp in walk:
        seen.add(stamp.path)
        old = stamps.get(stamp.path)
        if old is None:
            plan.fresh.append(stamp)
        elif (old.mtime_ns, old.size) == (stamp.mtime_ns, stamp.size):
            # A scoped (watcher) sync was told this file changed: trust the content, not
            # the stamp, which a same-size rewrite within one mtime tick leaves unchanged
            # (coarse-timestamp kernels, FAT/SMB with 1-2 s granularity).
            if scope is not None and _content_hash(vault, stamp) != old.sha:
                plan.changed.append(stamp)
            else:
                plan.unchanged += 1
        elif _content_hash(vault, stamp) == old.sha:
            plan.touched.append(stamp)
        else:
            plan.changed.append(stamp)
    if scope is None:
        plan.removed = sorted(stamps.keys() - seen)
    else:
        plan.removed = sorted(p for p in scope if p in stamps and p not in seen)
    return plan


def _scoped_walk(vault: Vault, paths: Iterable[str]) -> list[FileStamp]:
    out = []
    for rel in sorted(set(paths)):
        if not vault.is_note_path(rel):
            continue
        try:
            full = vault.path_of(rel)
            st = full.stat()
        except Exception:  # vanished, unreadable, or a link out of the vault
            continue
        if full.is_file():
            out.append(FileStamp(rel, st.st_mtime_ns, st.st_size))
    return out


def sync_vault(
    vault: Vault,
    *,
    rebuild: bool = False,
    paths: Iterable[str] | None = None,
    progress: Progress | None = None,
    merge: bool = True,
    tidy: bool = False,
) -> SyncResult:
    """Make the index match the vault (or only ``paths`` of it, for the watcher).

    ``merge=False`` commits without merging index segments (see ``merge_index``).
    ``tidy=True`` (the ``index`` command) leaves no trace of a deleted or changed note
    in the index files (see ``tidy_index``): the run's one commit does it when the run
    changes anything; a run that changes nothing tidies only when something is left to
    tidy (asked of the files at no cost), in one commit of its own."""
    started = time.perf_counter()
    result = _sync(vault, rebuild, paths, progress, merge, tidy, started)
    if tidy and not result.changed and not result.rebuilt:
        try:
            tidy_index(vault)
        except IndexWriteError as exc:  # a read-only vault: the index itself is up to date
            why = exc.message.split(": ", 1)[-1]
            notice = f"Could not tidy the index ({why}): deleted notes may linger in its files."
            return dataclasses.replace(result, notice=notice)
        result = dataclasses.replace(result, seconds=time.perf_counter() - started)
    return result


def _sync(
    vault: Vault,
    rebuild: bool,
    paths: Iterable[str] | None,
    progress: Progress | None,
    merge: bool,
    tidy: bool,
    started: float,
) -> SyncResult:
    walk: list[FileStamp] | None = None
    if not rebuild and paths is None:  # the common case, a no-op: one walk, one small read
        files = files_for(vault)
        generation = files.generation()
        if generation is not None:
            walk = list(vault.walk())
            if files.walk_seen(_walk_digest(walk), generation):
                return SyncResult(unchanged=len(walk), seconds=time.perf_counter() - started)
    idx = index_for(vault)
    seen = None
    if not rebuild and idx.state() == "ok":
        try:  # no lock needed to find out what changed
            idx.open()
            generation = idx.ix.latest_generation()
            scoped = None if paths is None else _expand_scope(idx, paths)
            if scoped is not None or walk is None:
                walk = list(vault.walk() if scoped is None else _scoped_walk(vault, scoped))
            digest = _walk_digest(walk) if scoped is None else None
            if digest and idx.walk_seen(digest):
                return SyncResult(unchanged=len(walk), seconds=time.perf_counter() - started)
            stamps = idx.stamps() if scoped is None else idx.stamps_for(scoped)
            plan = _plan(vault, walk, stamps, scoped)
            if plan.empty:
                if digest:
                    idx.remember_walk(digest)
                return SyncResult(unchanged=plan.unchanged, seconds=time.perf_counter() - started)
            seen = _Seen(generation, stamps, plan)
        except IndexCorruptError:
            pass
        finally:
            idx.close()
    with index_lock(vault):
        return _sync_locked(vault, idx, rebuild, paths, progress, started, seen, merge, tidy)


@dataclass(frozen=True)
class _Seen:
    """What the lock-free look found; still true under the lock if no commit came between
    (then walking and diffing again, as long as the no-op itself, is skipped)."""

    generation: int
    stamps: dict[str, Stamp]
    plan: _Plan


def tidy_index(
    vault: Vault, *, small: bool = False, stop: Callable[[], bool] | None = None
) -> bool:
    """Remove what the index files still hold of notes deleted or changed since they
    were indexed, when anything is left: Whoosh keeps a deleted document's words and
    stored note in its segment until the segment is merged, and the side tables keep a
    removed path in older deltas (see ``NoteIndex.tidy``). After it, the index folder
    holds the vault's notes as they are now and nothing of what was there before.

    Asks the index files first (a few stats, no Whoosh), so it costs nothing when there
    is nothing to tidy. ``small`` also merges the small segments the watcher's batches
    left (``merge_index``). ``stop`` is asked during the merge: when it says so, the
    tidy is given up (nothing changed) and False returned, to be tried again later.
    True: the index is tidy."""
    from .whoosh.segments import Interrupted

    files = files_for(vault)
    if not small and not files.untidy():
        return True
    idx = index_for(vault)
    if idx.state() != "ok":
        return True  # nothing to tidy: the next sync builds the index
    with index_lock(vault):
        try:
            idx.open()
            idx.tidy(small=small, stop=stop)
        except IndexCorruptError:
            return True  # the next sync rebuilds it
        except Interrupted:
            return False
        finally:
            idx.close()
    return True


def purge_index(vault: Vault, progress: Progress | None = None) -> SyncResult:
    """Throw the index away and build it anew from the vault as it is now, and remove
    the note lock files nobody holds and the calendar cache (which holds attendees'
    names): what ``forget`` calls after deleting a person's notes.

    Guarantees, once it returns: no file under ``.vaultcrm/`` holds anything of a note
    that is not in the vault now, or of text changed since (its name, path, words,
    stored fields or brief). The whole index folder goes (segments and TOCs of every
    generation, version and setting; stamp and brief tables; seals, walk digests,
    writers' temp folders with spilled postings), under the index's lock, before the
    new index is built from the vault as it is; and ``locks/`` keeps only the lock files
    held at that moment (a lock's name is a hash of a note's path, which would confirm
    a guessed name). config.toml and templates are the user's and stay. Files are
    unlinked, not overwritten: the freed blocks are the file system's, as with any
    deleted file. Costs a full build (on 10,000 notes, ~15 s of CPU); ``index`` and the
    watcher's idle tidy (``tidy_index``) reach the same state for the index files
    without one."""
    import shutil

    from ..store.calendar_cache import remove_cache
    from ..store.writes import check_own, remove_idle_locks

    folder = vault.index_dir
    check_own(folder, vault.root)
    with index_lock(vault):
        if folder.exists():
            try:
                shutil.rmtree(folder)
            except OSError as exc:
                raise IndexWriteError(
                    f"cannot remove the index: {exc.strerror or exc}", folder
                ) from None
        remove_cache(vault.state_dir)
    result = sync_vault(vault, rebuild=True, progress=progress)
    remove_idle_locks(vault.state_dir)
    return result


def merge_index(vault: Vault) -> None:
    """Merge the small index segments that ``merge=False`` syncs left behind.

    The watcher commits each batch unmerged, so a save never waits for Whoosh to merge
    segments, and calls this at a quiet moment: an empty commit that merges the small
    segments by size tier (see index._merge_small_segments).
    """
    idx = index_for(vault)
    if idx.state() != "ok":
        return  # nothing to tidy: the next sync builds the index
    with index_lock(vault):
        try:
            idx.open()
            idx.write((), (), tidy=True)
        except IndexCorruptError:
            return  # the next sync rebuilds it
        finally:
            idx.close()


def _expand_scope(idx: NoteIndex, paths: Iterable[str]) -> list[str]:
    """Dirty paths plus every indexed note under a dirty folder (renamed or deleted folders)."""
    out = set()
    for rel in paths:
        out.add(rel)
        if not rel.endswith(".md"):
            out.update(idx.paths_under(rel.rstrip("/") + "/"))
    return sorted(out)


def _sync_locked(
    vault,
    idx: NoteIndex,
    rebuild,
    paths,
    progress,
    started,
    seen: _Seen | None = None,
    merge: bool = True,
    tidy: bool = False,
) -> SyncResult:
    notice = None
    state = idx.state()
    stamps: dict[str, Stamp] = {}
    plan: _Plan | None = None
    if rebuild:
        idx.create()
    elif state == "missing":
        idx.create()
        notice = "No index yet: building it from the vault."
    elif state == "other":
        idx.create()
        notice = "The index was made by another vaultcrm version or other settings: rebuilding it."
    elif state == "corrupt":
        idx.create()
        notice = "The index was unreadable (damaged table of contents): rebuilding it."
    else:
        try:
            idx.open()
            if seen is not None and idx.ix.latest_generation() == seen.generation:
                stamps, plan = seen.stamps, seen.plan
            else:
                scoped = None if paths is None else _expand_scope(idx, paths)
                stamps = idx.stamps() if scoped is None else idx.stamps_for(scoped)
        except IndexCorruptError as exc:
            idx.create()
            notice = _unreadable_notice(exc)
    rebuilding = rebuild or notice is not None
    if plan is None or rebuilding:
        scoped = None if (paths is None or rebuilding) else _expand_scope(idx, paths)
        walk = vault.walk() if scoped is None else _scoped_walk(vault, scoped)
        plan = _plan(vault, walk, stamps, scoped)
    todo = plan.fresh + plan.changed + plan.touched
    problems: list[Problem] = []
    deletions = list(plan.removed)  # grows while reading: ``write`` deletes after upserting
    gone: set[str] = set()
    # A second process may index any note the index holds no copy of: all of a rebuild,
    # the new notes of any other sync (an import's, a folder copied in).
    helper = _Helper.start(vault, idx, todo, todo if rebuilding else plan.fresh)
    shared = {s.path for s in helper.todo} if helper else set()
    mine = [s for s in todo if s.path not in shared] if helper else todo

    def upserts() -> Iterator[tuple[Note, Stamp]]:
        for done, stamp in enumerate(mine, start=1):
            read = read_for_index(vault, stamp)
            if progress:
                progress(done + (helper.done.value if helper else 0), len(todo))
            if read is None:
                gone.add(stamp.path)
                if stamp.path in stamps:
                    deletions.append(stamp.path)
                continue
            note, new_stamp = read
            problems.extend(note.problems)
            yield note, new_stamp

    def helped() -> tuple[list, dict[str, Entry]]:
        segments, entries, more_problems, more_gone = helper.result()
        problems.extend(more_problems)
        gone.update(more_gone)
        if progress:
            progress(len(todo), len(todo))
        return segments, entries

    try:
        if todo or plan.removed:
            more = helped if helper else None
            purge = tidy and not rebuilding  # a fresh index holds nothing deleted
            new = {s.path for s in plan.fresh}
            idx.write(
                upserts(), deletions, fresh=rebuilding, new=new, merge=merge, purge=purge, more=more
            )
    except BaseException:
        if helper:  # its segment, unused now, may have been written after write() swept
            helper.stop()
            helper = None
            idx.sweep_unfinished()
        raise
    finally:
        if helper:
            helper.stop()
        idx.close()
    return SyncResult(
        added=tuple(s.path for s in plan.fresh if s.path not in gone),
        updated=tuple(s.path for s in plan.changed if s.path not in gone),
        removed=tuple(sorted(deletions)),
        unchanged=plan.unchanged + sum(s.path not in gone for s in plan.touched),
        problems=tuple(problems),
        notice=notice,
        seconds=time.perf_counter() - started,
        rebuilt=rebuilding,
    )


# A sync with at least this many notes the index holds no copy of (a rebuild's, or the new
# notes of an import) splits them with a second process (where there is a core for it).
# Measured on two cores, alternating runs: 1,000 new people indexed into a vault of 200
# or of 10,000 notes in about 35% less time; 120 in about 30% less; at 60 the two ways
# are even, as starting the process and committing two segments eat the gain.
PARALLEL_FROM = 200


class _Helper:
    """A forked process (see forked.py) that reads, parses and indexes a share of a
    sync's notes, those the index holds no copy of, into a segment of its own, which the
    parent's commit then adds (one commit, as always). The child dies with its parent
    (PR_SET_PDEATHSIG), so a killed build leaves no writer behind.
    """

    def __init__(self, todo: list[FileStamp], process, receive, done) -> None:
        self.todo, self._process, self._receive, self.done = todo, process, receive, done

    @classmethod
    def start(
        cls, vault: Vault, idx: NoteIndex, todo: list[FileStamp], spare: list[FileStamp]
    ) -> _Helper | None:
        """Start on a share of ``spare``, the part of ``todo`` with no older copy in the
        index (the child only adds; replacing is the parent's writer's)."""
        if len(spare) < PARALLEL_FROM or not can_fork():
            return None
        import multiprocessing

        ctx = multiprocessing.get_context("fork")
        part = _share(todo, spare)
        done = ctx.Value("q", 0, lock=False)
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(
            target=_help,
            args=(vault, idx, part, send, done, os.getpid()),
            name="vaultcrm-index",
            daemon=True,
        )
        try:
            process.start()
        except OSError:  # no memory or process slots left: build alone
            receive.close()
            send.close()
            return None
        send.close()
        return cls(part, process, receive, done)

    def result(self) -> tuple[list, dict[str, Entry], list[Problem], list[str]]:
        """Wait for the child's segment; ``IndexFailure`` if it failed or died."""
        try:
            outcome = self._receive.recv()
        except (EOFError, OSError):
            outcome = ("failed", f"it ended with exit code {self._process.exitcode}")
        if outcome[0] != "ok":
            raise IndexFailure(f"the second indexing process failed: {outcome[1]}")
        return outcome[1:]

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._receive.close()


def _share(todo: list[FileStamp], spare: list[FileStamp]) -> list[FileStamp]:
    """The second process's share: the end of ``spare`` holding about half of ``todo``'s
    bytes (work follows the text, and notes differ: a vault's meeting notes are longer
    than its daily notes), or all of ``spare`` when that is less. The parent keeps at
    least one note; a vault of empty notes splits n-1 / 1: unbalanced, and as cheap."""
    half, total, start = sum(s.size for s in todo) / 2, 0, len(spare)
    while start > 1 and (total < half or start == len(spare)):
        start -= 1
        total += spare[start].size
    return spare[start:]


def _help(vault: Vault, idx: NoteIndex, todo: list[FileStamp], send, done, parent: int) -> None:
    """The child's side of ``_Helper``: report one outcome, whatever happens."""
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    problems: list[Problem] = []
    gone: list[str] = []

    def upserts() -> Iterator[tuple[Note, Stamp]]:
        for stamp in todo:
            read = read_for_index(vault, stamp)
            done.value += 1
            if read is None:
                gone.append(stamp.path)
                continue
            problems.extend(read[0].problems)
            yield read

    try:
        segment, stamps = idx.write_segment(upserts())
        send.send(("ok", [segment], stamps, problems, gone))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        with contextlib.suppress(Exception):
            send.send(("failed", f"{type(exc).__name__}: {exc}"[:200]))
    finally:
        send.close()
