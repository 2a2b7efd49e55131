"""The people list (SPEC §3 ``people``): who is in the vault and when you last spoke."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..engine.api import Engine, SyncResult
from ..engine.reading import reading
from ..model.notes import Problem, fold
from ..model.people import Person, contacts
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
    last_contact_source: str | None = None  # "notes", or "calendar" (SPEC §7)

    @property
    def from_calendar(self) -> bool:
        return self.last_contact_source == FROM_CALENDAR

    def to_dict(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()
        }


@dataclass(frozen=True)
class PeopleList:
    rows: tuple[PersonRow, ...]
    sync: SyncResult
    problems: tuple[Problem, ...] = ()  # what the calendars could not read


def person_row(person: Person, contact: Contact) -> PersonRow:
    """A person and where their last contact puts them: the row the people list and the
    agenda's "due" list show."""
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
        last_contact_source=contact.source,
    )


def list_people(
    vault: Vault,
    team: str | None = None,
    relation: str | None = None,
    today: dt.date | None = None,
    engine: Engine | None = None,
    *,
    now: dt.datetime | None = None,
    calendars: Sequence[str | Path] = (),
) -> PeopleList:
    """Everyone, filtered by team or relation (case- and accent-insensitive), by name.
    Read from the briefs: no note is read. Past meetings in the calendars (config
    ``calendars`` and ``calendars`` given) count as contact as of ``now`` (aware; default:
    the start of ``today`` in the local zone)."""
    today = today or dt.date.today()
    with reading(vault, engine) as index:
        briefs = index.briefs()  # first: the directory is then made from them
        directory, result = index.directory, index.result
    cal = read_meetings(vault, directory, now or today, calendars)
    last = contacts(directory, briefs, today, cal.met)
    rows = []
    for person in directory.people:
        if team and fold(team) != fold(person.team):
            continue
        if relation and fold(relation) != person.relation:
            continue
        rows.append(person_row(person, last[person.path]))
    return PeopleList(tuple(rows), result, cal.problems)
