"""An engine without an index: the engine interface (vaultcrm/engine/api.py) answered
from the vault's files themselves, each read and parsed on every question.

Not a test module. It shows that the features ask only what the interface offers, and
lets a test compare what they compute through the Whoosh index with what they compute
from the files: the two must agree.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from vaultcrm.engine.api import WORD, Engine, RawHit, SyncResult
from vaultcrm.model.brief import Brief, brief_of
from vaultcrm.model.notes import Note, fold
from vaultcrm.store.vault import Vault


class FakeEngine(Engine):
    def __init__(self, vault: Vault):
        super().__init__(vault, SyncResult())
        self._notes = [vault.read_note(stamp.path) for stamp in vault.walk()]

    def briefs(self) -> list[Brief]:
        return [brief_of(n) for n in self._notes]

    def notes(self, kind: str | None = None) -> list[Note]:
        return [_stored(n) for n in self._notes if kind in (None, n.kind)]

    def note(self, path: str) -> Note | None:
        return next((_stored(n) for n in self._notes if n.path == path), None)

    def about(self, names: Iterable[str], phrases: Iterable[str] = ()) -> list[Note]:
        keys = {fold(n) for n in names}
        patterns = [_phrase(p) for p in phrases]
        return [
            _stored(n)
            for n in self._notes
            if keys & {fold(t) for t in (*n.links, *n.attendees)}
            or any(p.search(fold(n.text)) for p in patterns)
        ]

    def search(self, query: str, limit: int | None = 20) -> list[RawHit]:
        words = [fold(w) for w in WORD.findall(query)]
        hits = [
            RawHit(n.path, 1.0, _stored(n), tuple(("body", w) for w in words))
            for n in self._notes
            if words and all(_phrase(w).search(fold(n.text)) for w in words)
        ]
        return hits[:limit]

    def spans(self, line: str, terms: Iterable[tuple[str, str]]) -> list[tuple[int, int]]:
        wanted = {t for _, t in terms}
        return [m.span() for m in WORD.finditer(line) if fold(m[0]) in wanted]

    def field_of(self, key: str) -> str | None:
        return re.sub(r"[^a-z0-9_]+", "_", fold(key)).strip("_") or None


def _stored(note: Note) -> Note:
    return dataclasses.replace(note, text="")  # as the index keeps a note


def _phrase(text: str) -> re.Pattern:
    words = [re.escape(fold(w)) for w in WORD.findall(text)]
    return re.compile(r"(?<!\w)" + r"\W+".join(words) + r"(?!\w)")
