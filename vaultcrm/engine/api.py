"""The engine: what the features ask of the index, and nothing of how it is kept.

A feature opens one with ``reading(vault)`` (engine/reading.py): the vault is brought up to date first (the
sync's one-line notice is ``engine.result``), then the feature asks for what it needs,

- ``briefs()``: every note's brief (model/brief.py): the people and what the
  whole-vault lists need, from a small table, without reading any stored note;
- ``directory``: everyone, findable by NAME (made once from the briefs);
- ``notes(kind)``, ``note(path)``: notes as parsed, all of a kind or one;
- ``about(names, phrases)``: the notes that link any of ``names`` or hold a phrase;
- ``search(query, limit)`` and ``spans(line, terms)``: ranked hits and where in a line
  a hit's terms are.

so that its work follows what it asks about (a person's sheet reads that person's
notes), not the size of the vault. ``engine/whoosh/`` answers with Whoosh, the only
place that imports it; ``tests/fake_engine.py`` answers from the files themselves, to
test the features apart from the index.
"""

from __future__ import annotations

import contextlib
import gc
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..errors import QuerySyntaxError
from ..model.notes import Note, Problem

if TYPE_CHECKING:
    from ..model.brief import Brief
    from ..model.people import Directory
    from ..store.vault import Vault

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SyncResult:
    """What one sync did; ``str()`` is zk-style ``+3 ~1 -0``."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    problems: tuple[Problem, ...] = ()
    notice: str | None = None
    seconds: float = 0.0
    rebuilt: bool = field(default=False)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def __str__(self) -> str:
        return f"+{len(self.added)} ~{len(self.updated)} -{len(self.removed)}"


# A word, as search sees one: letters and digits, with inner dots and underscores ('v1.2',
# 'e.g', 'snake_case'). Markdown's emphasis is not part of it: '**Lisa**' is 'lisa'.
WORD = re.compile(r"[^\W_]+(?:[._]?[^\W_]+)*")
# Queries past these are refused before anything is read: a query's parsing and ranking
# grow with its size (4,000 AND-ed words took 12 s before the cap).
MAX_QUERY_CHARS = 1_000
MAX_QUERY_WORDS = 100


_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


def check_query_size(text: str) -> None:
    """``QuerySyntaxError`` (a usage error, exit 2) for a query past the caps above."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"the query is {len(text):,} characters long; at most {MAX_QUERY_CHARS:,} are searched"
        )
    words = sum(1 for word in WORD.findall(text) if word not in _OPERATORS)
    if words > MAX_QUERY_WORDS:
        raise QuerySyntaxError(
            f"the query has {words:,} words; at most {MAX_QUERY_WORDS} are searched"
        )


@dataclass(frozen=True)
class RawHit:
    """A search hit before its snippet is made: the note and the terms that matched."""

    path: str
    score: float
    note: Note
    terms: tuple[tuple[str, str], ...]  # (field, term) pairs that matched


class Engine(ABC):
    """An index of one vault, up to date as of its opening (see the module docstring)."""

    def __init__(self, vault: Vault, result: SyncResult):
        self.vault = vault
        self.result = result

    @abstractmethod
    def briefs(self) -> list[Brief]:
        """Every note's brief, by path."""

    @abstractmethod
    def notes(self, kind: str | None = None) -> list[Note]:
        """The notes (all, or of one kind), by path."""

    @abstractmethod
    def note(self, path: str) -> Note | None:
        """One note, or None when the index holds none at ``path``."""

    @abstractmethod
    def about(self, names: Iterable[str], phrases: Iterable[str] = ()) -> list[Note]:
        """The notes that link any of ``names`` (or name them as attendees) or contain
        any of ``phrases`` in their text."""

    @abstractmethod
    def search(self, query: str, limit: int | None = 20) -> list[RawHit]:
        """Ranked hits for a user's query (SPEC §3 search)."""

    @abstractmethod
    def spans(self, line: str, terms: Iterable[tuple[str, str]]) -> list[tuple[int, int]]:
        """Character spans in ``line`` of the words a hit's ``terms`` match."""

    @abstractmethod
    def field_of(self, key: str) -> str | None:
        """The field a front-matter key is searched as (``Gift ideas`` → ``gift_ideas``)."""

    def close(self) -> None:  # noqa: B027 - most engines hold nothing
        """Let go of what the engine holds open."""

    @cached_property
    def directory(self) -> Directory:
        """Everyone in the vault, findable by name, alias or file name."""
        from ..model.people import Directory

        return Directory(b.person for b in self.briefs() if b.person is not None)


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """The cycle collector paused for work that makes many objects and no cycles: an
    index build's postings, or a whole vault's notes read for the network (each full
    collection would walk them all again; on 10,000 notes, 2 s of 10.7).

    On the way out what the work made joins the oldest generation unwalked (``freeze``
    then ``unfreeze``): else the first collection after the pause walks every object
    still alive only to find no cycles (``network`` and ``health`` on 10,000 notes: 0.1 s
    of their 0.75 s). A cycle among them is still found, by the next full collection."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if gc.get_freeze_count() == 0:  # no one else's frozen objects to let go of
                gc.freeze()
                gc.unfreeze()
            gc.enable()
