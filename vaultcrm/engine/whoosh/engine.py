"""The engine (engine/api.py) with Whoosh: the vault's index, read with care.

Damage that shows only while reading (bytes garbled on disk with their mtime kept,
which the seals of ``index.py`` cannot see) is handled like damage found at open: after
one plain retry (a concurrent commit may have swapped segments away) the index is
rebuilt from the vault, with the one-line notice, and the question is asked again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from ...errors import IndexCorruptError
from ...model.brief import Brief
from ...model.notes import Note
from ...store.vault import Vault
from ..api import Engine, Progress, RawHit, SyncResult
from ..sync import index_for, open_index, rebuild_after
from .index import NoteIndex
from .schema import field_name

T = TypeVar("T")


class WhooshEngine(Engine):
    def __init__(self, vault: Vault, index: NoteIndex, result: SyncResult):
        super().__init__(vault, result)
        self._index = index
        self._briefs: list[Brief] | None = None

    def _read(self, use: Callable[[NoteIndex], T]) -> T:
        damage: IndexCorruptError | None = None
        for attempt in range(3):
            try:
                return use(self._index)
            except IndexCorruptError as exc:
                damage = exc
                self._index.close()
                if attempt == 0:
                    self._index, _ = open_index(self.vault)
                else:
                    self.result = rebuild_after(self.vault, exc, None)
                    self._index = index_for(self.vault).open()
        assert damage is not None
        raise damage

    def briefs(self) -> list[Brief]:
        if self._briefs is None:
            self._briefs = self._read(lambda idx: idx.briefs())
        return self._briefs

    def notes(self, kind: str | None = None) -> list[Note]:
        return self._read(lambda idx: idx.notes(kind))

    def note(self, path: str) -> Note | None:
        return self._read(lambda idx: idx.note(path))

    def about(self, names: Iterable[str], phrases: Iterable[str] = ()) -> list[Note]:
        names, phrases = tuple(names), tuple(phrases)
        return self._read(lambda idx: idx.linking(names, phrases))

    def search(self, query: str, limit: int | None = 20) -> list[RawHit]:
        return self._read(lambda idx: idx.search(query, limit))

    def spans(self, line: str, terms: Iterable[tuple[str, str]]) -> list[tuple[int, int]]:
        return self._index.spans(line, terms)

    def field_of(self, key: str) -> str | None:
        return field_name(key)

    def close(self) -> None:
        self._index.close()


def open_whoosh(vault: Vault, progress: Progress | None = None) -> WhooshEngine:
    """The vault's index, brought up to date, as an engine."""
    index, result = open_index(vault, progress)
    return WhooshEngine(vault, index, result)
