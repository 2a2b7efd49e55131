"""The people list (SPEC §3 ``people``): who is in the vault and when you last spoke."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..engine.api import Engine, SyncResult
from ..engine.reading import reading
from ..model.notes import fold
from ..model.people import Person, contacts
from ..model.rules import Contact
from ..store.vault import Vault


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

    def to_dict(self) -> dict:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()
        }


@dataclass(frozen=True)
class PeopleList:
    rows: tuple[PersonRow, ...]
    sync: SyncResult


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
    )


def list_people(
    vault: Vault,
    team: str | None = None,
    relation: str | None = None,
    today: dt.date | None = None,
    engine: Engine | None = None,
) -> PeopleList:
    """Everyone, filtered by team or relation (case- and accent-insensitive), by name.
    Read from the briefs: no note is read."""
    today = today or dt.date.today()
    with reading(vault, engine) as index:
        briefs = index.briefs()  # first: the directory is then made from them
        directory, result = index.directory, index.result
    last = contacts(directory, briefs, today)
    rows = []
    for person in directory.people:
        if team and fold(team) != fold(person.team):
            continue
        if relation and fold(relation) != person.relation:
            continue
        rows.append(person_row(person, last[person.path]))
    return PeopleList(tuple(rows), result)
