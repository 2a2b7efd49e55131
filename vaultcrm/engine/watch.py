"""Keep the index following the vault as the user types (SPEC §3 ``watch``).

The watcher is only an adapter: watchdog's file-system events become *dirty*
vault-relative paths, and a batch of them goes to the same ``sync_vault(paths=...)``
every other command uses. At flush time the file's current state decides (gone: removed;
same content: skipped; else re-indexed), so the watcher never has to understand an
editor's save dance: truncate-and-write, temp file + rename, vim's ``4913`` probe and
``file~`` backup, renames, moves in and out of the vault and whole folders all reduce to
"these paths and folders may have changed".

Coalescing. A path is flushed once it has been quiet for ``quiet`` seconds, or ``settle``
seconds after a close-after-write or a rename onto it (the file is complete then), and
never held longer than ``max_hold`` seconds after its first event, even while it keeps
changing. One batch is one writer, one commit and one short hold of the index lock;
the lock is never held between batches, so ``index``, ``search`` and friends run beside
the watcher. Batches commit without Whoosh's segment merge (up to ~1.5 s on 10,000
notes, which would stall the save that triggered it); ``merge_index`` tidies the small
segments once nothing has been pending for ``merge_idle`` seconds, or in the batch after
``merge_every`` unmerged ones, and at stop.

Idle tidy. A deleted note, or the old copy of a changed one, stays in the index files
(its words in a segment, its path in the stamp tables) until a merge rewrites them.
Once nothing has changed for ``tidy_idle`` seconds after a batch, ``tidy_index``
rewrites the segments that hold such documents and compacts the tables, so nothing of
them is left in ``.vaultcrm/`` (on 10,000 notes a few seconds of work, as it rewrites a
segment of thousands). A save during the tidy gives it up at once (its batch must not
wait for the index lock); it is tried again at the next quiet moment.

Never silently missing a change. watchdog's inotify backend swallows a failed watch on a
sub-folder (the ``fs.inotify.max_user_watches`` limit) and only logs a kernel queue
overflow. We hook its ``InotifyFD`` (watchdog 7) to hear both: a watch-limit failure
switches to polling, an overflow triggers a full reconcile; either is said once. An
observer that cannot start at all falls back to polling too. The vault is reconciled
against the disk at start and every ``reconcile_every`` seconds, the safety net for
anything the platform still loses.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..errors import VaultcrmError
from ..store.vault import Vault, is_ignored_name
from .api import SyncResult
from .sync import merge_index, sync_vault, tidy_index

QUIET = 0.2  # seconds a path must be still before it is flushed
SETTLE = 0.03  # ... after a close-after-write or a rename onto it
MAX_HOLD = 2.0  # the longest a changing path waits for its batch
RECONCILE_EVERY = 300.0  # full re-read of the vault against the index
POLL_INTERVAL = 1.0  # seconds between snapshots when polling
MERGE_IDLE = 1.0  # seconds with nothing pending before the batches' segments are merged
MERGE_EVERY = 30  # batches committed unmerged before one merges regardless
TIDY_IDLE = 5.0  # seconds without a batch before deleted notes are purged from the index
RETRY_AFTER = 5.0  # a failed batch (lock timeout, disk full) is retried this much later
_TICK = 0.2  # the longest the loop sleeps, so a stop request is seen promptly

# What watchdog would log (an overflow, a race at stop) this module reports itself, as one
# notice; a NullHandler only keeps Python's last-resort handler from printing it raw.
logging.getLogger("watchdog").addHandler(logging.NullHandler())

LIMIT_HINT = (
    "raise it with: sudo sysctl fs.inotify.max_user_watches=524288 "
    "(add it to /etc/sysctl.conf to keep it)"
)


@dataclass(frozen=True)
class WatchBatch:
    """One index update the watcher made: what changed, why, and when it was committed."""

    at: datetime
    reason: str  # "start" (first sync), "change" (events), "reconcile" (full), "final" (at stop)
    result: SyncResult

    @property
    def paths(self) -> tuple[str, ...]:
        """Every note the batch added, updated or removed, sorted."""
        r = self.result
        return tuple(sorted({*r.added, *r.updated, *r.removed}))


@dataclass(frozen=True)
class WatchSummary:
    """What a watch session did after its start sync, for the goodbye line."""

    batches: int
    added: int
    updated: int
    removed: int
    mode: str  # "inotify" (or the platform's native observer) or "polling"


@dataclass
class _Pending:
    first: float
    last: float
    settled: bool


@dataclass
class _Dirty:
    """Paths waiting for their batch, filled by watchdog's thread, drained by the loop."""

    quiet: float
    settle: float
    max_hold: float
    _items: dict[tuple[str, bool], _Pending] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    wake: threading.Event = field(default_factory=threading.Event)

    def add(self, rel: str, is_dir: bool = False, settled: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            item = self._items.get((rel, is_dir))
            if item is None:
                self._items[(rel, is_dir)] = _Pending(now, now, settled)
            else:
                item.last, item.settled = now, settled
        self.wake.set()

    def _due_at(self, item: _Pending) -> float:
        still = self.settle if item.settled else self.quiet
        return min(item.first + self.max_hold, item.last + still)

    def next_due(self) -> float | None:
        with self._lock:
            return min((self._due_at(i) for i in self._items.values()), default=None)

    def take_due(self, now: float) -> tuple[list[str], list[str]] | None:
        """Once any path is due, take it and every other path that has settled too:
        a batch is being written anyway, and the current state on disk decides."""
        with self._lock:
            if not any(self._due_at(i) <= now for i in self._items.values()):
                return None
            keys = [
                k
                for k, i in self._items.items()
                if self._due_at(i) <= now or i.last + self.settle <= now
            ]
            for k in keys:
                del self._items[k]
        return [r for r, d in keys if not d], [r for r, d in keys if d]

    def take_all(self) -> tuple[list[str], list[str]]:
        with self._lock:
            keys = list(self._items)
            self._items.clear()
        return [r for r, d in keys if not d], [r for r, d in keys if d]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class _Handler:
    """watchdog events → dirty paths. Runs on watchdog's thread, so it must never raise."""

    def __init__(self, vault: Vault, dirty: _Dirty, on_error: Callable[[], None]):
        self.vault = vault
        self.dirty = dirty
        self.on_error = on_error

    def dispatch(self, event) -> None:  # watchdog's FileSystemEventHandler protocol
        try:
            self._dispatch(event)
        except Exception:  # a lost event must not go unnoticed: reconcile instead
            self.on_error()

    def _dispatch(self, event) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write"):
            return  # reading a note changes nothing
        if event.is_directory:
            if kind in ("modified", "attrib"):
                return  # a folder's own mtime moves with every child event we already get
            for path in (event.src_path, getattr(event, "dest_path", "")):
                rel = self._relative(path)
                if rel and not any(is_ignored_name(p) for p in rel.split("/")):
                    self.dirty.add(rel, is_dir=True)
            return
        src = self._relative(event.src_path)
        if kind == "moved":
            dest = self._relative(event.dest_path)
            if src and self.vault.is_note_path(src):
                self.dirty.add(src)
            if dest and self.vault.is_note_path(dest):
                self.dirty.add(dest, settled=True)  # a rename lands a complete file
            return
        if src and self.vault.is_note_path(src):
            self.dirty.add(src, settled=kind == "closed")

    def _relative(self, path: str | bytes) -> str | None:
        if not path:
            return None
        rel = self.vault.relative(os.fsdecode(path))
        return None if rel in (None, ".", "") else rel


def _notes_on_disk(vault: Vault, rel_dir: str) -> list[str]:
    """Notes now below a folder that appeared or moved: their own events may predate
    the folder's watch, so the disk is asked directly."""
    found: list[str] = []
    stack = [rel_dir]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(vault.root / here) as entries:
                listing = list(entries)
        except OSError:
            continue
        for entry in listing:
            if is_ignored_name(entry.name):
                continue
            rel = f"{here}/{entry.name}"
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(rel)
                elif vault.is_note_path(rel):
                    found.append(rel)
            except OSError:
                continue
    return found


def _listdir_visible(path: str) -> list[os.DirEntry]:
    """The polling observer's listdir: hidden folders (.git, .vaultcrm) are never walked."""
    with os.scandir(path) as entries:
        return [e for e in entries if not is_ignored_name(e.name)]


class VaultWatcher:
    """Watch one vault until ``stop`` is set; see the module docstring for the design.

    ``on_batch`` receives every batch that changed the index (and the start sync, always);
    ``on_notice`` receives one-line warnings (a fallback to polling, a reconcile after
    lost events, a failed batch being retried). Neither is called with a lock held.
    ``ready`` is set once the observer runs and the start sync is committed.
    """

    def __init__(
        self,
        vault: Vault,
        *,
        poll: bool = False,
        on_batch: Callable[[WatchBatch], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        quiet: float = QUIET,
        settle: float = SETTLE,
        max_hold: float = MAX_HOLD,
        reconcile_every: float = RECONCILE_EVERY,
        poll_interval: float = POLL_INTERVAL,
        merge_idle: float = MERGE_IDLE,
        merge_every: int = MERGE_EVERY,
        tidy_idle: float = TIDY_IDLE,
    ):
        self.vault = vault
        self.force_poll = poll
        self.on_batch = on_batch or (lambda batch: None)
        self.on_notice = on_notice or (lambda text: None)
        self.reconcile_every = reconcile_every
        self.poll_interval = poll_interval
        self.ready = threading.Event()
        self.mode = ""
        self._dirty = _Dirty(quiet, settle, max_hold)
        self._observer = None
        self._limit_hit = threading.Event()
        self._overflowed = threading.Event()
        self._lost = threading.Event()  # an event could not be handled: reconcile
        self._said: set[str] = set()
        self._busy = False
        self._counts = [0, 0, 0, 0]  # batches, added, updated, removed
        self.merge_idle = merge_idle
        self.merge_every = merge_every
        self._unmerged = 0  # batches committed without merging segments
        self._last_batch = 0.0
        self.tidy_idle = tidy_idle
        self._untidy = True  # a batch changed the index since the last tidy (or none yet)
        self._stopping: threading.Event | None = None

    # ------------------------------------------------------------ public

    def idle(self) -> bool:
        """No event queued, no path waiting and no batch being written: the index reflects
        every event delivered so far (watchdog may still hold a rename for pairing)."""
        observer = self._observer
        queued = observer.event_queue.unfinished_tasks if observer is not None else 0
        return self.ready.is_set() and not self._busy and not queued and not len(self._dirty)

    def run(self, stop: threading.Event) -> WatchSummary:
        """Sync, then follow the vault until ``stop`` is set; the last batch is committed
        and every lock released before this returns."""
        self._stopping = stop
        self._start_observer()
        try:
            self._batch("start", None, always=True)
            self.ready.set()
            next_reconcile = time.monotonic() + self.reconcile_every
            while not stop.is_set():
                next_reconcile = self._step(next_reconcile)
            files, dirs = self._dirty.take_all()
            if files or dirs:
                self._batch("final", self._scope(files, dirs), retry=False)
            elif self._unmerged:
                self._merge()  # a tidy that fails is said, never fails the stop
        finally:
            self._stop_observer()
        batches, added, updated, removed = self._counts
        return WatchSummary(batches, added, updated, removed, self.mode)

    # ------------------------------------------------------------ the loop

    def _step(self, next_reconcile: float) -> float:
        if self._limit_hit.is_set() and self.mode != "polling":
            self._say(
                "limit",
                "the inotify watch limit is reached, so some folders cannot be watched; "
                f"polling the vault every {self.poll_interval:g}s instead ({LIMIT_HINT})",
            )
            self._switch_to_polling()
            return self._reconcile()
        if self._overflowed.is_set() or self._lost.is_set():
            if self._overflowed.is_set():
                self._say(
                    "overflow",
                    "the kernel dropped file events (inotify queue overflow); "
                    "re-reading the whole vault to catch up",
                )
            self._overflowed.clear()
            self._lost.clear()
            return self._reconcile()
        if not self._observer_alive():
            if not self.vault.root.is_dir():
                raise VaultcrmError("the vault folder is gone; stopped watching", self.vault.root)
            self._say("died", "the file watcher stopped unexpectedly; polling the vault instead")
            self._switch_to_polling()
            return self._reconcile()
        self._dirty.wake.clear()  # before looking, so an event from now on wakes the wait
        now = time.monotonic()
        self._busy = True
        try:
            due = self._dirty.take_due(now)
            if due is not None:
                self._batch("change", self._scope(*due))
                return next_reconcile
        finally:
            self._busy = False
        if now >= next_reconcile:
            return self._reconcile()
        if self._unmerged and not len(self._dirty) and now - self._last_batch >= self.merge_idle:
            self._merge()
            return next_reconcile
        if self._untidy and not len(self._dirty) and now - self._last_batch >= self.tidy_idle:
            self._tidy()
            return next_reconcile
        wait = next_reconcile - now
        if self._unmerged:
            wait = min(wait, self._last_batch + self.merge_idle - now)
        if self._untidy:
            wait = min(wait, self._last_batch + self.tidy_idle - now)
        next_due = self._dirty.next_due()
        if next_due is not None:
            wait = min(wait, next_due - now)
        self._dirty.wake.wait(max(0.0, min(wait, _TICK)))
        return next_reconcile

    def _scope(self, files: Iterable[str], dirs: Iterable[str]) -> list[str]:
        """Dirty notes, dirty folders (sync expands them to the notes indexed below) and
        the notes now on disk below those folders."""
        paths = set(files)
        for rel in dirs:
            paths.add(rel)
            paths.update(_notes_on_disk(self.vault, rel))
        return sorted(paths)

    def _reconcile(self) -> float:
        self._busy = True
        try:
            self._batch("reconcile", None)
        finally:
            self._busy = False
        return time.monotonic() + self.reconcile_every

    def _merge(self) -> None:
        """Merge the segments the batches left, while nobody is saving."""
        self._busy = True
        try:
            merge_index(self.vault)
            self._unmerged = 0
        except VaultcrmError as exc:
            self._say(f"failed:{exc}", f"could not tidy the index ({exc}); will retry")
            self._last_batch = time.monotonic()
        finally:
            self._busy = False

    def _tidy(self) -> None:
        """Purge deleted notes from the index files (``tidy_index``), given up as soon
        as anything needs the watcher: a save, lost events, the stop."""
        self._busy = True
        try:
            if tidy_index(self.vault, small=bool(self._unmerged), stop=self._wanted):
                self._untidy = False
                self._unmerged = 0
            else:
                self._last_batch = time.monotonic()  # given up: wait for the next quiet
        except VaultcrmError as exc:
            self._say(f"failed:{exc}", f"could not tidy the index ({exc}); will retry")
            self._last_batch = time.monotonic()
        finally:
            self._busy = False

    def _wanted(self) -> bool:
        """Whether the watcher has something more urgent than a tidy."""
        stopping = self._stopping
        return bool(
            len(self._dirty)
            or (stopping is not None and stopping.is_set())
            or self._lost.is_set()
            or self._overflowed.is_set()
            or self._limit_hit.is_set()
        )

    def _batch(
        self, reason: str, paths: list[str] | None, always: bool = False, retry: bool = True
    ) -> None:
        # A change batch commits without merging Whoosh's segments: a merge costs up to
        # ~1.5 s on 10,000 notes, and the save that happened to trigger it would wait.
        # Merging waits for a quiet moment instead (or every ``merge_every`` batches).
        merge = reason != "change" or self._unmerged + 1 >= self.merge_every
        try:
            result = sync_vault(self.vault, paths=paths, merge=merge)
        except VaultcrmError as exc:
            if reason == "start" or not retry:
                raise
            self._say(f"failed:{exc}", f"could not update the index ({exc}); will retry")
            self._retry_later(paths)
            return
        self._unmerged = 0 if merge else self._unmerged + 1
        self._last_batch = time.monotonic()
        self._untidy = self._untidy or result.changed
        if result.changed and reason != "start":
            self._counts[0] += 1
            self._counts[1] += len(result.added)
            self._counts[2] += len(result.updated)
            self._counts[3] += len(result.removed)
        if always or result.changed:
            self.on_batch(WatchBatch(datetime.now(), reason, result))

    def _retry_later(self, paths: list[str] | None) -> None:
        def again() -> None:
            if paths is None:
                self._lost.set()
            for rel in paths or ():
                self._dirty.add(rel, is_dir=not rel.endswith(".md"))

        timer = threading.Timer(RETRY_AFTER, again)
        timer.daemon = True
        timer.start()

    def _say(self, key: str, text: str) -> None:
        """Each kind of trouble is reported once per session."""
        if key not in self._said:
            self._said.add(key)
            self.on_notice(text)

    # ------------------------------------------------------------ observers

    def _start_observer(self) -> None:
        if self.force_poll:
            self._start_polling()
            return
        try:
            self._start_native()
        except Exception as exc:  # no inotify instance left, root not watchable, no backend
            self._stop_observer()
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            hint = f"; {LIMIT_HINT}" if getattr(exc, "errno", None) == errno.ENOSPC else ""
            self._say(
                "nostart",
                f"cannot watch the vault for changes ({reason}); "
                f"polling it every {self.poll_interval:g}s instead{hint}",
            )
            self._start_polling()

    def _start_native(self) -> None:
        from watchdog.observers import Observer

        # watchdog 7 re-registers a moved folder's watch and warns about it; harmless
        # noise that would otherwise reach the terminal on every folder rename.
        warnings.filterwarnings(
            "ignore", message=r"Callback with id .* already exists", category=RuntimeWarning
        )
        observer = Observer()
        self._observer = observer
        self._instrument(observer)
        observer.schedule(self._handler(), str(self.vault.root), recursive=True)
        observer.start()
        self.mode = "inotify" if hasattr(observer, "_inotify_fd") else "native"

    def _instrument(self, observer) -> None:
        """Hear what watchdog 7's inotify backend otherwise swallows: a sub-folder it could
        not watch (watch limit) and a kernel queue overflow (events lost)."""
        fd = getattr(observer, "_inotify_fd", None)
        if fd is None:
            return
        add_callback, handle_event = fd.add_callback, fd.handle_event

        def checked_add(path, mask, callback, id_):
            try:
                return add_callback(path, mask, callback, id_)
            except OSError as exc:
                if exc.errno in (errno.ENOSPC, errno.ENOMEM):
                    self._limit_hit.set()
                    self._dirty.wake.set()
                raise

        def checked_handle(event) -> None:
            if event.is_queue_overflow:
                self._overflowed.set()
                self._dirty.wake.set()
            handle_event(event)

        fd.add_callback = checked_add
        fd.handle_event = checked_handle

    def _start_polling(self) -> None:
        from watchdog.observers.polling import PollingObserverVFS

        observer = PollingObserverVFS(
            os.stat, _listdir_visible, polling_interval=self.poll_interval
        )
        self._observer = observer
        try:
            observer.schedule(self._handler(), str(self.vault.root), recursive=True)
            observer.start()
        except OSError as exc:
            self._stop_observer()
            raise VaultcrmError(
                f"cannot watch the vault: {exc.strerror or exc}", self.vault.root
            ) from None
        self.mode = "polling"

    def _switch_to_polling(self) -> None:
        self._stop_observer()
        self._start_polling()

    def _handler(self) -> _Handler:
        return _Handler(self.vault, self._dirty, self._lost.set)

    def _observer_alive(self) -> bool:
        observer = self._observer
        return (
            observer is not None
            and observer.is_alive()
            and all(e.is_alive() for e in list(observer.emitters))
        )

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is None:
            return
        with contextlib.suppress(Exception):
            observer.stop()
        with contextlib.suppress(Exception):
            observer.join(timeout=5)


def watch_vault(
    vault: Vault,
    stop: threading.Event,
    *,
    poll: bool = False,
    on_batch: Callable[[WatchBatch], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
    reconcile_every: float = RECONCILE_EVERY,
    poll_interval: float = POLL_INTERVAL,
) -> WatchSummary:
    """Keep ``vault``'s index fresh until ``stop`` is set (the ``watch`` command's one call)."""
    watcher = VaultWatcher(
        vault,
        poll=poll,
        on_batch=on_batch,
        on_notice=on_notice,
        reconcile_every=reconcile_every,
        poll_interval=poll_interval,
    )
    return watcher.run(stop)
