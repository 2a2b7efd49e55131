"""The engine (engine/api.py) with Whoosh: the vault's index, read with care.

Whoosh is imported and the index opened only when a question needs it (notes, search):
the briefs are a table beside the index (files.py), so ``agenda`` and ``people`` after a
no-op sync never import Whoosh at all.

Damage that shows only while reading (bytes garbled on disk with their mtime kept,
which the seals of ``index.py`` cannot see) is handled like damage found at open: after
one plain retry (a concurrent commit may have swapped segments away) the index is
rebuilt from the vault, with the one-line notice, and the question is asked again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from ...errors import IndexCorruptError
from ...model.notes import Note
from ...store.vault import Vault
from ..api import Engine, Progress, RawHit, SyncResult, no_gc
from ..sync import files_for, index_for, open_index, rebuild_after, sync_or_stale

if TYPE_CHECKING:  # the model's people and briefs are loaded when asked for, not to search
    from ...model.brief import Brief
    from ...model.people import Directory
    from .index import NoteIndex

T = TypeVar("T")


class WhooshEngine(Engine):
    def __init__(self, vault: Vault, result: SyncResult):
        super().__init__(vault, result)
        self._index: NoteIndex | None = None
        self._records: dict[str, tuple] | None = None
        self._briefs: list[Brief] | None = None

    def _read(self, use: Callable[[NoteIndex], T]) -> T:
        damage: IndexCorruptError | None = None
        for attempt in range(3):
            try:
                if self._index is None:
                    self._index = index_for(self.vault).open()
                return use(self._index)
            except IndexCorruptError as exc:
                damage = exc
                if self._index is not None:
                    self._index.close()
                if attempt == 0:
                    self._index, _ = open_index(self.vault)
                else:
                    self.result = rebuild_after(self.vault, exc, None)
                    self._index = index_for(self.vault).open()
                self._records = None
        assert damage is not None
        raise damage

    def _brief_records(self) -> dict[str, tuple]:
        """The brief table: from beside the index when it is there (no Whoosh), else made
        from the stored notes (and saved for the next command)."""
        if self._records is None:
            files = files_for(self.vault)
            self._records = files.table(files.briefs) if self._index is None else None
            if self._records is None:
                self._records = self._read(lambda idx: idx.brief_records())
        return self._records

    def briefs(self) -> list[Brief]:
        if self._briefs is None:
            from ..records import brief_from_record

            with no_gc():  # a brief, a person, their tasks and dates a note: no cycles
                records = self._brief_records()
                self._briefs = [brief_from_record(records[path]) for path in sorted(records)]
        return self._briefs

    @cached_property
    def directory(self) -> Directory:
        """Everyone, found by names read straight from the brief table: a person's other
        facts are read only when they are found (``prep NAME`` reads one of 10,000)."""
        from ...model.people import Directory
        from ..records import directory_entries

        if self._briefs is not None:
            return super().directory
        records = self._brief_records()
        return Directory.of(directory_entries(records.values()))

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
        return self._read(lambda idx: idx.spans(line, terms))

    def field_of(self, key: str) -> str | None:
        from .schema import field_name

        return field_name(key)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()


def open_whoosh(vault: Vault, progress: Progress | None = None) -> WhooshEngine:
    """The vault's index, brought up to date, as an engine (opened when first asked)."""
    return WhooshEngine(vault, sync_or_stale(vault, progress))
