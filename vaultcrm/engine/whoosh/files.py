"""The index's files, without Whoosh: its name, its newest generation, and what vaultcrm
keeps beside each generation.

Nothing here imports Whoosh, so a command that needs only these (``agenda``, ``people``
and ``calendar`` after a no-op sync) never pays for importing and opening the index.

Tables kept beside each generation of the index: what a command needs of every note
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
import datetime as dt
import hashlib
import json
import os
import pickle
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

# The version of the index's schema and terms (bump when fields or stemming change), and
# of the records it stores: a hash of every field of the model they hold, which
# ``engine.records.derived_version()`` computes. It is written here rather than computed
# at each start (that would import the whole model for a search); tests/test_records.py
# fails, naming the new value, when the model changes and this does not. Both are part of
# the index's name, so an index of another version is rebuilt with a one-line notice.
SCHEMA_VERSION = 6
RECORD_VERSION = "5ad22fa3"

# The names vaultcrm writes in its index folder, for any index it ever made (another
# version, other languages or settings): Whoosh's TOCs (``_NAME_GEN.toc`` and their
# ``.toc.TIME`` temp files), segment files (``NAME_SEGID.ext``), its WRITELOCK, the
# writers' temporary folders (``NAME.PID.tmp``), and vaultcrm's own stamp and brief
# tables, walk digests and seals with their temp files. Only these are ever deleted.
_INDEX_NAME = r"vaultcrm\d+(?:r[0-9a-f]{8})?(?:_[a-z]{2})+(?:_[0-9a-f]{8})?"
_OWN_FILE = re.compile(
    rf"^(?:_?{_INDEX_NAME}[_.][A-Za-z0-9_.]+|\.?(?:stamps|briefs|walk|seal)-{_INDEX_NAME}-[A-Za-z0-9_.-]+)$"
)


class Stamp(NamedTuple):
    """What the index knows of a note's file; a NamedTuple, as a sync makes one per note."""

    mtime_ns: int
    size: int
    sha: str


# What a commit records of each note it writes: its stamp and its brief, for the tables.
Entry = tuple[tuple[int, int, str], tuple]


def is_own_file(name: str) -> bool:
    """Whether a name in the index folder is one vaultcrm writes (see ``_OWN_FILE``)."""
    return _OWN_FILE.match(name) is not None


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


def shared(table: dict) -> dict:
    """``table`` with equal strings and dates made one object. Pickle writes an object
    once and refers back to it after, and a vault's briefs repeat the same few hundred
    days and the same names (links, teams, relations) thousands of times: shared, the
    brief table of 10,000 people is half the bytes and loads in half the time (3.2 MB
    in 38 ms, against 6.4 MB in 78 ms), and its making pays for itself in the dump."""
    seen: dict = {}
    keep = seen.setdefault

    def share(value: Any) -> Any:
        kind = type(value)
        if kind is str or kind is dt.date:
            return keep(value, value)
        if kind is tuple:
            return tuple([share(v) for v in value])
        if kind is list:
            return [share(v) for v in value]
        if kind is dict:
            return {k: share(v) for k, v in value.items()}
        return value

    return {key: share(value) for key, value in table.items()}


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
        """Generation → (depth, file) of each table; of two files of one generation (a
        compaction's moment), the shallower, which needs no other to be read."""
        found: dict[int, tuple[int, Path]] = {}
        for generation, depth, path in self._listing():
            if generation not in found or depth < found[generation][0]:
                found[generation] = (depth, path)
        return found

    def _listing(self) -> list[tuple[int, int, Path]]:
        found = []
        with contextlib.suppress(OSError):
            for path in self.directory.glob(f"{self.prefix}*.pickle"):
                generation, _, depth = path.name[len(self.prefix) : -len(".pickle")].partition("-")
                if generation.isdigit() and depth.isdigit():
                    found.append((int(generation), int(depth), path))
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
        write_beside(path, pickle.dumps(shared(part), protocol=pickle.HIGHEST_PROTOCOL))
        if toc is not None and self._toc_identity(generation) != toc:
            path.unlink(missing_ok=True)

    def record(self, generation: int, changes: dict, fresh: bool, whole: bool = False) -> None:
        """Save the table of a new generation: a delta when the chain is short, else whole.
        ``changes`` maps each path the commit touched to its new value, or None.

        ``whole``: saved whole even when a delta would do, and every older file removed,
        so that no path the commit removed (nor an older value of one it replaced) is
        left in any file: a tidy's promise (see ``NoteIndex.tidy``). When the whole
        table cannot be made, no table is left at all; the next reader makes one."""
        cached = self.cached
        base = cached if cached and cached[0] == generation - 1 else None
        if fresh:
            base = (generation - 1, -1, {})
        elif base is None:
            known = self.files().get(generation - 1)
            if known is None:  # no table for the previous generation: the next reader makes one
                if whole:
                    self.drop()
                return
            if whole or known[0] + 1 > CHAIN:
                base = self.load(generation - 1)
                if base is None:
                    if whole:
                        self.drop()
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
        if depth + 1 <= CHAIN and not fresh and not whole:
            depth += 1
            self.save(generation, depth, changes)
        else:
            depth = 0
            self.save(generation, 0, table)
        self.remember(
            (generation, depth, table) if table is not None else None,
            self._toc_identity(generation),
        )
        self._keep_only(generation, depth)

    def compact(self, generation: int) -> None:
        """Save ``generation``'s table whole in place of its chain of deltas, and remove
        every other file of this kind (a writer, holding the index lock): afterwards no
        file holds a path or value the table no longer has. A table that cannot be
        loaded is removed instead; the next reader makes it from the stored notes."""
        loaded = self.load(generation)
        if loaded is None:
            self.drop()
            return
        if loaded[1] > 0:
            self.save(generation, 0, loaded[2])
        self.remember((generation, 0, loaded[2]), self._toc_identity(generation))
        self._keep_only(generation, 0)

    def drop(self) -> None:
        """Remove every table of this kind (and temp files): the next reader makes one."""
        self._keep_only(-1, 0)
        self.remember(None, None)

    def stale(self, generation: int) -> bool:
        """Whether a file of this kind may hold what ``generation``'s table does not: a
        delta over an older table (a path removed since, or its old value), a table of
        another generation, or a temp file left by a crash."""
        if any((g, d) != (generation, 0) for g, d, _ in self._listing()):
            return True
        with contextlib.suppress(OSError):
            return any(True for _ in self.directory.glob(f"{self.prefix}*.tmp"))
        return False

    def _keep_only(self, generation: int, depth: int) -> None:
        """Remove the files of this kind outside ``generation``'s chain, and temp files."""
        for g, d, path in self._listing():
            if g < generation - depth or g > generation or (g == generation and d != depth):
                with contextlib.suppress(OSError):
                    path.unlink()
        for temp in self.directory.glob(f"{self.prefix}*.tmp"):  # left by a crash
            with contextlib.suppress(OSError):
                temp.unlink()


class IndexFiles:
    """One index's files in its folder: what can be known of it without opening it."""

    def __init__(self, directory: Path, languages: Iterable[str], reading: Iterable[str] = ()):
        self.directory = directory
        self.languages = tuple(languages)
        self.name = f"vaultcrm{SCHEMA_VERSION}r{RECORD_VERSION}_{'_'.join(self.languages)}"
        # Settings that change how a note is parsed (people_dirs, the size cap) are part of
        # the name too: changing them makes the stored notes stale, so the index is rebuilt.
        reading = tuple(reading)
        if reading:
            digest = hashlib.blake2b("\0".join(reading).encode(), digest_size=4).hexdigest()
            self.name += f"_{digest}"
        self.stamps = SideTable(directory, self.name, "stamps", self.toc_identity)
        self.briefs = SideTable(directory, self.name, "briefs", self.toc_identity)
        name = re.escape(self.name)
        self._toc = re.compile(rf"^_{name}_(\d+)\.toc$")
        # Whoosh's names: a TOC's temp file, a segment's files (``NAME_SEGID.ext``, as
        # whoosh.index.TOC._segment_pattern) and a writer's temp folder (``NAME.PID.tmp``).
        self._toc_temp = re.compile(rf"^_{name}_\d+\.toc\..+$")
        self._segment = re.compile(rf"^({name}_[0-9a-z]+)\.[A-Za-z0-9_.]+$")
        self._writer_temp = re.compile(rf"^{name}\.\d+\.tmp$")

    def generation(self) -> int | None:
        """The newest generation, by its table of contents' file name (as Whoosh finds
        it); None when there is none."""
        found = None
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.directory):
                m = self._toc.match(entry.name)
                if m and (found is None or int(m[1]) > found):
                    found = int(m[1])
        return found

    def toc_identity(self, generation: int) -> tuple[int, int, int] | None:
        """The TOC file of ``generation`` (inode, mtime, size). A rebuild starts again at
        generation 1: this tells the new index's TOCs from the old one's."""
        try:
            st = os.stat(self.directory / f"_{self.name}_{generation}.toc")
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def is_writer_temp(self, name: str) -> bool:
        """Whether ``name`` is a writer's temp folder of this index (``NAME.PID.tmp``)."""
        return self._writer_temp.match(name) is not None

    # ------------------------------------------------------------ seals

    # Each commit seals its generation (see NoteIndex._seal): the size and mtime of its
    # segment files, and how many documents its segments hold marked deleted (a deleted
    # or replaced note, whose words and stored data are in the files until a merge).

    def seal_path(self, generation: int) -> Path:
        return self.directory / f"seal-{self.name}-{generation}.json"

    def read_seal(self, generation: int) -> tuple[dict[str, tuple[int, int]], int | None] | None:
        """(segment file → (size, mtime_ns), documents marked deleted) as sealed; the count
        is None in a seal written before it was kept. None: no readable seal."""
        try:
            data = json.loads(self.seal_path(generation).read_text(encoding="utf-8"))
            if "files" in data:
                files, deleted = data["files"], int(data["deleted"])
            else:  # the first format: the files alone
                files, deleted = data, None
            return {str(k): (int(v[0]), int(v[1])) for k, v in files.items()}, deleted
        except Exception:  # missing, or not as written: nothing is known
            return None

    def untidy(self, generation: int | None = None) -> bool:
        """Whether a file of this index may still hold something of a note deleted or
        changed since (its words, stored fields, path or brief), which a tidy removes:
        documents its segments hold marked deleted, a side table that is a delta or of
        another generation, or files no table of contents uses (another generation's TOC,
        an unfinished commit's segment or TOC, a writer's temp folder). Unknown counts as
        untidy: a seal missing or from before deletions were counted. A few stats and one
        small read, so a no-op ``index`` can ask at no cost."""
        generation = self.generation() if generation is None else generation
        if generation is None:
            return False
        sealed = self.read_seal(generation)
        if sealed is None or sealed[1] is None or sealed[1] > 0:
            return True
        if self.stamps.stale(generation) or self.briefs.stale(generation):
            return True
        used = {name.split(".", 1)[0] for name in sealed[0]}
        try:
            with os.scandir(self.directory) as entries:
                for entry in entries:
                    name = entry.name
                    toc = self._toc.match(name)
                    segment = self._segment.match(name)
                    if (
                        (toc and int(toc[1]) != generation)
                        or (segment and segment[1] not in used)
                        or self._toc_temp.match(name)
                        or self._writer_temp.match(name)
                    ):
                        return True
        except OSError:
            return True
        return False

    # A no-op sync that walked the vault and found every note in line with generation g
    # leaves ``walk-<index name>-<g>.digest``, the hash of that walk (paths, mtimes,
    # sizes). The next sync that walks to the same hash while g is still the newest
    # generation knows nothing changed without loading the stamps or diffing them.

    def _digest_path(self, generation: int) -> Path:
        return self.directory / f"walk-{self.name}-{generation}.digest"

    def walk_seen(self, digest: str, generation: int | None = None) -> bool:
        """Whether a no-op sync already found a walk with this digest in line with the
        newest generation of the index."""
        generation = self.generation() if generation is None else generation
        if generation is None:
            return False
        try:
            return self._digest_path(generation).read_text(encoding="ascii") == digest
        except (OSError, ValueError):
            return False

    def remember_walk(self, digest: str) -> None:
        """Record that a walk with this digest matched the stamps last loaded."""
        loaded, toc = self.stamps.cached, self.stamps.toc
        if loaded is None or toc is None:
            return
        generation = loaded[0]
        path = self._digest_path(generation)
        if not write_beside(path, digest.encode("ascii")):
            return
        if self.toc_identity(generation) != toc:  # as in SideTable.save
            path.unlink(missing_ok=True)
            return
        for old in self.directory.glob(f"walk-{self.name}-*.digest"):
            if old != path:
                old.unlink(missing_ok=True)

    def table(self, side: SideTable) -> dict | None:
        """The table ``side`` of the newest generation; None when it is missing."""
        generation = self.generation()
        loaded = side.load(generation) if generation is not None else None
        if loaded is None:
            return None
        side.remember(loaded, self.toc_identity(loaded[0]))
        return loaded[2]
