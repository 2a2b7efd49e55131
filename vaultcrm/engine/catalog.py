"""What the index knows of the whole vault, loaded once per command.

Agenda, people, check and calendar all need every person and every note's links and
tasks. Reading them from the index (parsed once, at index time) instead of re-reading
and re-parsing every file keeps those commands fast on a large vault.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from ..model.notes import Note
from ..model.people import Contact, Directory, contacts, person_from_note
from ..store.vault import Vault
from .sync import SyncResult, read_index


@dataclass(frozen=True)
class Catalog:
    notes: tuple[Note, ...]
    sync: SyncResult

    @cached_property
    def directory(self) -> Directory:
        return Directory(person_from_note(n) for n in self.notes if n.kind == "person")

    def contacts(self, today: dt.date) -> dict[str, Contact]:
        return contacts(self.directory, self.notes, today)


def load_catalog(vault: Vault) -> Catalog:
    """Sync the index, then load every stored note from it."""
    notes, result = read_index(vault, lambda idx: tuple(idx.notes()))
    return Catalog(notes, result)
