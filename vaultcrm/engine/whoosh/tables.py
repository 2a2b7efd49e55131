"""Tables kept beside each generation of the index: what a command needs of every note
without reading the stored notes.

Two kinds, one mechanism: ``stamps`` (path → mtime, size, content hash: what a sync
diffs the vault against) and ``briefs`` (path → the note's brief record: what
``people``, ``agenda`` and finding a NAME need). Each generation's table is saved whole
or as the changes since the previous generation, named
``<kind>-<index name>-<generation>-<depth>.pickle``; depth 0 is a whole table, depth n
a delta on generation - 1. A generation of a Whoosh index never changes, so its table
can never be stale; anything odd about the files just means "no table", and the index
is read instead (and the table saved for the next command).
"""

from __future__ import annotations

import contextlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path

CHAIN = 32  # small per-commit deltas stacked before a writer saves the table whole

Loaded = tuple[int, int, dict]  # (generation, depth, table)


def write_beside(path: Path, data: bytes) -> bool:
    """Write a file of the index's own atomically (temp + rename); False if it failed."""
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        write_own(temp, data)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
        return False
    return True


def write_own(temp: Path, data: bytes) -> None:
    """Write a temp file of the index's own, never through a link left in its place."""
    temp.unlink(missing_ok=True)  # a stale one (or a link): ours by its name
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


class SideTable:
    """One kind of table beside an index's generations."""

    def __init__(
        self,
        directory: Path,
        index_name: str,
        kind: str,
        toc_identity: Callable[[int], tuple[int, int, int] | None],
    ):
        self.directory = directory
        self.prefix = f"{kind}-{index_name}-"
        self._toc_identity = toc_identity
        self.cached: Loaded | None = None  # the last table loaded or written
        self.toc: tuple[int, int, int] | None = None  # the TOC ``cached`` belongs to

    def files(self) -> dict[int, tuple[int, Path]]:
        found: dict[int, tuple[int, Path]] = {}
        with contextlib.suppress(OSError):
            for path in self.directory.glob(f"{self.prefix}*.pickle"):
                generation, _, depth = path.name[len(self.prefix) : -len(".pickle")].partition("-")
                if generation.isdigit() and depth.isdigit():
                    found[int(generation)] = (int(depth), path)
        return found

    def load(self, generation: int) -> Loaded | None:
        """The table of ``generation``, its deltas applied; None when there is none."""
        files = self.files()
        if generation not in files:
            return None
        depth = files[generation][0]
        chain = [files.get(g, (None, None)) for g in range(generation - depth, generation + 1)]
        if [d for d, _ in chain] != list(range(depth + 1)):
            return None
        try:
            table: dict = {}
            for _, path in chain:
                part = pickle.loads(path.read_bytes())
                if not isinstance(part, dict):
                    return None
                for key, value in part.items():
                    if value is None:
                        table.pop(key, None)
                    else:
                        table[key] = value
        except Exception:  # vanished under a concurrent commit, or damaged: read the index
            return None
        return generation, depth, table

    def remember(self, loaded: Loaded | None, toc: tuple[int, int, int] | None) -> None:
        self.cached, self.toc = loaded, toc

    def save(self, generation: int, depth: int, part: dict, toc: tuple | None = None) -> None:
        """Best effort, atomic: a table that cannot be written is only slower next time.

        A writer holds the index lock. A reader (``toc``: the TOC it read) does not, so a
        rebuild may have wiped the folder under it: a table that lands beside another TOC
        than the one it was read from is taken back at once (a wipe after that removes it).
        """
        path = self.directory / f"{self.prefix}{generation}-{depth}.pickle"
        write_beside(path, pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
        if toc is not None and self._toc_identity(generation) != toc:
            path.unlink(missing_ok=True)

    def record(self, generation: int, changes: dict, fresh: bool) -> None:
        """Save the table of a new generation: a delta when the chain is short, else whole.
        ``changes`` maps each path the commit touched to its new value, or None."""
        cached = self.cached
        base = cached if cached and cached[0] == generation - 1 else None
        if fresh:
            base = (generation - 1, -1, {})
        elif base is None:
            known = self.files().get(generation - 1)
            if known is None:
                return  # no table for the previous generation: the next reader makes one
            if known[0] + 1 > CHAIN:
                base = self.load(generation - 1)
                if base is None:
                    return
            else:
                base = (generation - 1, known[0], None)
        _, depth, table = base
        if table is not None:
            table = dict(table)
            for key, value in changes.items():
                if value is None:
                    table.pop(key, None)
                else:
                    table[key] = value
        if depth + 1 <= CHAIN and not fresh:
            depth += 1
            self.save(generation, depth, changes)
        else:
            depth = 0
            self.save(generation, 0, table)
        self.remember(
            (generation, depth, table) if table is not None else None,
            self._toc_identity(generation),
        )
        for g, (_, path) in self.files().items():
            if g < generation - depth or g > generation:
                with contextlib.suppress(OSError):
                    path.unlink()
        for temp in self.directory.glob(f"{self.prefix}*.tmp"):  # left by a crash
            with contextlib.suppress(OSError):
                temp.unlink()
