"""The people list (SPEC §3 ``people``): who is in the vault and when you last spoke."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..engine.api import Engine, SyncResult
from ..engine.reading import reading
from ..model.notes import Problem, fold
from ..model.people import Person, contacts, keys_private
from ..model.privacy import DEFAULT_PRIVATE_KEYS, for_others
from ..model.rules import FROM_CALENDAR, Contact
from ..store.vault import Vault
from .meetings import read_meetings


@dataclass(frozen=True)
class PersonRow:
    name: str
    path: str
    role: str
    team: str
    relation: str
    cadence: str
    last_contact: dt.date | None
    days_since: int | None
    due: dt.date | None
    overdue_days: int | None
    # Fields from a private front-matter key (SPEC §6), which ``privacy.for_others`` empties
    private_fields: tuple[str, ...] = ()
    last_contact_source: str | None = None  # "notes", or "calendar" (SPEC §7)

    @property
    def from_calendar(self) -> bool:
        return self.last_contact_source == FROM_CALENDAR

    def to_dict(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in self.__dict__.items()
            if k != "private_fields"
        }


@dataclass(frozen=True)
class PeopleList:
    rows: tuple[PersonRow, ...]
    sync: SyncResult
    problems: tuple[Problem, ...] = ()  # what the calendars could not read


def person_row(
    person: Person, contact: Contact, secret: Iterable[str] = DEFAULT_PRIVATE_KEYS
) -> PersonRow:
    """A person and where their last contact puts them: the row the people list and the
    agenda's "due" list show (``secret``: config's ``private_keys``)."""
    return PersonRow(
        name=person.name,
        path=person.path,
        role=person.role,
        team=person.team,
        relation=person.relation,
        cadence=person.cadence_text,
        last_contact=contact.last,
        days_since=contact.days_since,
        due=contact.due,
        overdue_days=contact.overdue_days,
        private_fields=tuple(sorted(keys_private(person, secret) & _ROW_FIELDS)),
        last_contact_source=contact.source,
    )


# The row's fields a private front-matter key of the same name empties (SPEC §6).
_ROW_FIELDS = frozenset(f.name for f in dataclasses.fields(PersonRow)) - {
    "name",
    "path",
    "private_fields",
}


def list_people(
    vault: Vault,
    team: str | None = None,
    relation: str | None = None,
    today: dt.date | None = None,
    engine: Engine | None = None,
    share: bool = False,
    *,
    now: dt.datetime | None = None,
    calendars: Sequence[str | Path] = (),
) -> PeopleList:
    """Everyone, filtered by team or relation (case- and accent-insensitive), by name.
    Read from the briefs: no note is read. ``share``: without private facts (SPEC §6),
    and filtered on what is left, so a private team is not found by asking for it.
    Past meetings in the calendars (config ``calendars`` and ``calendars`` given) count
    as contact as of ``now`` (aware; default: the start of ``today`` in the local zone)."""
    today = today or dt.date.today()
    with reading(vault, engine) as index:
        briefs = index.briefs()  # first: the directory is then made from them
        directory, result = index.directory, index.result
    cal = read_meetings(vault, directory, now or today, calendars)
    last = contacts(directory, briefs, today, cal.met)
    rows = []
    for person in directory.people:
        row = person_row(person, last[person.path], vault.config.private_keys)
        row = for_others(row) if share else row
        if team and fold(team) != fold(row.team):
            continue
        if relation and fold(relation) != fold(row.relation):
            continue
        rows.append(row)
    return PeopleList(tuple(rows), result, cal.problems)
