"""The agenda (SPEC §3 ``agenda``): whom to give time to, and what is coming up.

Three lists, each read from the index in one pass (no note is re-read):

- **due**: people whose cadence says it is time (last contact + cadence <= today), most
  overdue first;
- **dates** in the next N days: birthdays (with the age they turn when the year is known),
  work anniversaries (years since ``started``) and family birthdays; a 29 February
  falls on 28 February in a common year, and the window runs over New Year;
- **follow-ups**: open tasks anywhere in the vault with a due date (📅) up to N days
  ahead, overdue ones first, and tasks without a due date whose scheduled date (⏳) has
  come. A task scheduled for a later day stays hidden until then, even when it has a
  due date ("ask how the exam went, after the exam"). Undated tasks are for the prep
  sheet, not the agenda.

"Today" is ``dates.today()``, so ``VAULTCRM_TODAY`` fixes it for tests and planning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .notes import Note, PartialDate, fold
from .people import Contact, Directory, Person
from .sync import SyncResult
from .vault import Vault

DEFAULT_DAYS = 14


@dataclass(frozen=True)
class DueContact:
    """Someone whose cadence says it is time to get in touch."""

    name: str
    path: str
    cadence: str
    last_contact: dt.date | None
    due: dt.date
    overdue_days: int  # 0 = due today

    def to_dict(self) -> dict:
        return _as_dict(self)


@dataclass(frozen=True)
class DateEvent:
    """A birthday or work anniversary falling in the window.

    ``who`` is whose day it is (the person, or a family member), ``person`` the person
    note it comes from; ``years`` is the age turned or years of service, None when the
    year is unknown.
    """

    date: dt.date
    days_until: int
    kind: str  # birthday | anniversary | family_birthday
    who: str
    person: str
    path: str
    relation: str = ""  # the family member's relation, e.g. daughter
    years: int | None = None

    def to_dict(self) -> dict:
        return _as_dict(self)


@dataclass(frozen=True)
class FollowUp:
    """An open task that needs doing, with where it is written."""

    text: str
    path: str
    line: int
    due: dt.date | None
    scheduled: dt.date | None
    people: tuple[str, ...]  # the person whose note it is in, or the people the note links
    overdue_days: int | None  # days past the due date; None when not yet due

    @property
    def when(self) -> dt.date:
        """The date it is sorted by: due, else scheduled."""
        return self.due or self.scheduled or dt.date.min

    def to_dict(self) -> dict:
        data = _as_dict(self)
        data["people"] = list(self.people)
        return data


@dataclass(frozen=True)
class Agenda:
    today: dt.date
    days: int
    due: tuple[DueContact, ...]
    dates: tuple[DateEvent, ...]
    follow_ups: tuple[FollowUp, ...]
    sync: SyncResult | None = None

    @property
    def empty(self) -> bool:
        return not (self.due or self.dates or self.follow_ups)

    def to_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "days": self.days,
            "due": [d.to_dict() for d in self.due],
            "dates": [d.to_dict() for d in self.dates],
            "follow_ups": [f.to_dict() for f in self.follow_ups],
        }


def _as_dict(item: object) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in item.__dict__.items()}


# ---------------------------------------------------------------- the three lists


def due_contacts(
    people: Iterable[Person], contacts: dict[str, Contact], today: dt.date
) -> list[DueContact]:
    """People due or overdue by cadence, most overdue first, then by name."""
    rows = []
    for person in people:
        contact = contacts.get(person.path)
        overdue = contact.overdue_days(today) if contact else None
        if contact is None or overdue is None or contact.due is None:
            continue
        rows.append(
            DueContact(
                name=person.name,
                path=person.path,
                cadence=person.cadence_text,
                last_contact=contact.last,
                due=contact.due,
                overdue_days=overdue,
            )
        )
    rows.sort(key=lambda r: (-r.overdue_days, fold(r.name)))
    return rows


def upcoming_dates(people: Iterable[Person], today: dt.date, days: int) -> list[DateEvent]:
    """Birthdays, work anniversaries and family birthdays from ``today`` to ``today+days``."""
    end = today + dt.timedelta(days=days)
    events: list[DateEvent] = []

    def add(kind: str, day: PartialDate | None, who: str, person: Person, relation="") -> None:
        if day is None:
            return
        when = day.next_on_or_after(today)
        if when > end:
            return
        years = when.year - day.year if day.year else None
        if years is not None and years < 1:
            return  # the day itself (born or started): not yet an anniversary
        events.append(
            DateEvent(
                date=when,
                days_until=(when - today).days,
                kind=kind,
                who=who,
                person=person.name,
                path=person.path,
                relation=relation,
                years=years,
            )
        )

    for person in people:
        add("birthday", person.birthday, person.name, person)
        add("anniversary", as_partial(person.started), person.name, person)
        for member in person.family:
            add("family_birthday", member.birthday, member.name, person, member.relation)
    order = {"birthday": 0, "family_birthday": 1, "anniversary": 2}
    events.sort(key=lambda e: (e.date, order[e.kind], fold(e.person), fold(e.who)))
    return events


def as_partial(day: dt.date | None) -> PartialDate | None:
    """A full date as a yearly one (a work anniversary), so 29 February is handled alike."""
    return PartialDate(day.month, day.day, day.year) if day else None


def open_follow_ups(
    notes: Iterable[Note], directory: Directory, today: dt.date, days: int
) -> list[FollowUp]:
    """Open tasks due by ``today+days`` or scheduled by today (see the module docstring)."""
    horizon = today + dt.timedelta(days=days)
    rows = []
    for note in notes:
        people: tuple[str, ...] | None = None
        for task in note.tasks:
            if task.done or (task.scheduled and task.scheduled > today):
                continue
            if task.due is None and task.scheduled is None:
                continue
            if task.due is not None and task.due > horizon:
                continue
            if people is None:
                people = _people_of(note, directory)
            overdue = (today - task.due).days if task.due and task.due < today else None
            rows.append(
                FollowUp(
                    text=task.text,
                    path=note.path,
                    line=task.line,
                    due=task.due,
                    scheduled=task.scheduled,
                    people=people,
                    overdue_days=overdue,
                )
            )
    rows.sort(key=lambda f: (f.when, f.path, f.line))
    return rows


def _people_of(note: Note, directory: Directory) -> tuple[str, ...]:
    if note.kind == "person":
        return (note.title,)
    return tuple(p.name for p in directory.linked(note))


# ---------------------------------------------------------------- the command


def build_agenda(vault: Vault, days: int = DEFAULT_DAYS) -> Agenda:
    """The agenda for the next ``days`` days, from the (synced) index."""
    from .catalog import load_catalog
    from .dates import today as get_today
    from .errors import UsageError

    if days < 0:
        raise UsageError("--days must be 0 or more")
    catalog = load_catalog(vault)
    today = get_today()
    people = catalog.directory.people
    return Agenda(
        today=today,
        days=days,
        due=tuple(due_contacts(people, catalog.contacts(today), today)),
        dates=tuple(upcoming_dates(people, today, days)),
        follow_ups=tuple(open_follow_ups(catalog.notes, catalog.directory, today, days)),
        sync=catalog.sync,
    )
