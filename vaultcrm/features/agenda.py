"""The agenda (SPEC §3 ``agenda``): whom to give time to, and what is coming up.

Three lists, each read from the index in one pass (no note is re-read). The agenda is
the owner's own: private dates and tasks (SPEC §6) are on it, marked 🔒; an agenda to
``share`` (the assistant server's) leaves them out.

- **due**: people whose cadence says it is time (last contact + cadence <= today), most
  overdue first; or, ``by="health"``, worst relationship health first
  (``health.health_order``: lowest score, then most days overdue, then name), each with
  its score. Health is worked out only for the people on the list, from their own notes
  and the notes that link them: the one part of the agenda that reads notes;
- **dates** in the next N days: birthdays (with the age they turn when the year is known),
  work anniversaries (years since ``started``) and family birthdays; a 29 February
  falls on 28 February in a common year, and the window runs over New Year;
- **follow-ups**: open tasks anywhere in the vault with a due date (📅) up to N days
  ahead, overdue ones first, and tasks without a due date whose scheduled date (⏳) has
  come. A task scheduled for a later day stays hidden until then, even when it has a
  due date ("ask how the exam went, after the exam"). Undated tasks are for the prep
  sheet, not the agenda.

With calendars (config ``calendars``, ``--calendar FILE``; SPEC §7) past meetings count
as contact in the due list, and a fourth list shows the **meetings** with people of the
vault from now to the end of the last day of the window, soonest first.

"Today" is a parameter: the CLI passes the day ``VAULTCRM_TODAY`` fixes, for tests and planning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..engine.api import Engine, SyncResult
from ..engine.reading import reading
from ..model.brief import Brief
from ..model.notes import Note, Problem, fold
from ..model.people import Directory, Person, contacts, task_people, upcoming_dates
from ..model.privacy import DEFAULT_PRIVATE_KEYS, for_others, for_owner
from ..model.rules import Contact, DateEvent, FollowUp, follow_up, on_agenda
from ..store.vault import Vault
from .meetings import ComingMeeting, coming_meetings, read_meetings
from .people import PersonRow, person_row

DEFAULT_DAYS = 14
ORDERS = ("due", "health")  # how the due list can be ordered (``agenda --by``)


@dataclass(frozen=True)
class Agenda:
    today: dt.date
    days: int
    due: tuple[PersonRow, ...]  # the people list's rows of those due
    dates: tuple[DateEvent, ...]
    follow_ups: tuple[FollowUp, ...]
    sync: SyncResult | None = None
    meetings: tuple[ComingMeeting, ...] = ()  # from the calendars, in the user's zone
    problems: tuple[Problem, ...] = ()  # what the calendars could not read
    by: str = "due"
    health: tuple[int, ...] = ()  # by="health": each due person's score, in ``due``'s order

    @property
    def empty(self) -> bool:
        return not (self.due or self.dates or self.follow_ups or self.meetings)

    def to_dict(self) -> dict:
        due = [_due_dict(d) for d in self.due]
        for row, score in zip(due, self.health, strict=False):  # by="health" only
            row["health"] = score
        return {
            "today": self.today.isoformat(),
            "days": self.days,
            "meetings": [m.to_dict() for m in self.meetings],
            "due": due,
            "dates": [_event_dict(e) for e in self.dates],
            "follow_ups": [_follow_up_dict(f) for f in self.follow_ups],
        }


def _as_dict(item: object) -> dict:
    fields = item if isinstance(item, dict) else item.__dict__
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in fields.items()}


def _event_dict(e: DateEvent) -> dict:
    return _as_dict(
        {
            "date": e.date,
            "days_until": e.in_days,
            "kind": e.kind,
            "who": e.who,
            "person": e.of,
            "path": e.path,
            "relation": e.relation,
            "years": e.years,
            "private": e.private,
        }
    )


def _due_dict(row: PersonRow) -> dict:
    keys = ("name", "path", "cadence", "last_contact", "last_contact_source", "due", "overdue_days")
    return _as_dict({k: getattr(row, k) for k in keys})


def _follow_up_dict(f: FollowUp) -> dict:
    keys = ("text", "path", "line", "due", "scheduled", "overdue_days", "private", "surprise")
    return {**_as_dict({k: getattr(f, k) for k in keys}), "people": list(f.people)}


# ---------------------------------------------------------------- the three lists


def due_contacts(
    people: Iterable[Person],
    contacts: dict[str, Contact],
    today: dt.date,
    secret: Iterable[str] = DEFAULT_PRIVATE_KEYS,
) -> list[PersonRow]:
    """People due or overdue by cadence, most overdue first, then by name: their rows of
    the people list (one row of a person, wherever it is shown)."""
    rows = [
        person_row(person, contact, secret)
        for person in people
        if (contact := contacts.get(person.path)) is not None and contact.overdue_days is not None
    ]
    rows.sort(key=lambda r: (-r.overdue_days, fold(r.name)))
    return rows


def open_follow_ups(
    notes: Iterable[Note | Brief], directory: Directory, today: dt.date, days: int
) -> list[FollowUp]:
    """Open tasks due by ``today+days`` or scheduled by today (see the module docstring)."""
    horizon = today + dt.timedelta(days=days)
    rows = []
    for note in notes:
        for task in note.tasks:
            if not on_agenda(task, today, horizon):
                continue
            people = tuple(p.name for p in task_people(task.text, note, directory))
            rows.append(follow_up(task, note, today, people, own=note.kind == "person"))
    rows.sort(key=lambda f: (f.due or f.scheduled or dt.date.min, f.path, f.line))
    return rows


# ---------------------------------------------------------------- the command


def by_health(
    index: Engine,
    due: list[PersonRow],
    everyone: Iterable[Person],
    today: dt.date,
    met: Mapping[str, Sequence[dt.date]] | None = None,
) -> tuple[list[PersonRow], tuple[int, ...]]:
    """``due`` ordered by relationship health, worst first (``health.health_order``),
    with each one's score. Only their notes are read: each one's own note and the notes
    that link them, which is all their health is made of (``health.assess_vault``)."""
    from .health import assess_vault, health_order

    if not due:
        return due, ()
    directory = index.directory
    by_path = {p.path: p for p in everyone}
    people = [by_path[row.path] for row in due]
    own = [index.note(p.path) for p in people]
    linking = index.about(key for p in people for key in p.keys)
    notes = list({n.path: n for n in (*(n for n in own if n is not None), *linking)}.values())
    found = {n.path for n in own if n is not None}
    chosen = [p for p in people if p.path in found]  # a note gone since the briefs: skipped
    rated = {h.path: h for h in assess_vault(notes, directory, today, people=chosen, met=met)}
    rows = sorted((r for r in due if r.path in rated), key=lambda r: health_order(rated[r.path]))
    return rows, tuple(rated[r.path].score for r in rows)


def build_agenda(
    vault: Vault,
    days: int = DEFAULT_DAYS,
    today: dt.date | None = None,
    engine: Engine | None = None,
    share: bool = False,
    by: str = "due",
    *,
    now: dt.datetime | None = None,
    calendars: Sequence[str | Path] = (),
) -> Agenda:
    """The agenda for the next ``days`` days from ``today``, from the briefs the index
    keeps (no note is read), and the calendars' meetings as of ``now`` (aware; default:
    the start of ``today`` in the local zone). The owner's own, private facts marked;
    to ``share``, without them (SPEC §6). ``by="health"`` orders the due list by
    relationship health, reading the notes of the people on it (see ``by_health``)."""
    from ..errors import UsageError

    if days < 0:
        raise UsageError("--days must be 0 or more")
    if by not in ORDERS:
        raise UsageError(f"--by must be one of {', '.join(ORDERS)}")
    today = today or dt.date.today()
    with reading(vault, engine) as index:
        briefs = index.briefs()  # first: the directory is then made from them
        directory, result = index.directory, index.result
        cal = read_meetings(vault, directory, now or today, calendars, future_days=days + 1)
        people, secret = directory.people, vault.config.private_keys
        due = due_contacts(people, contacts(directory, briefs, today, cal.met), today, secret)
        scores: tuple[int, ...] = ()
        if by == "health":
            due, scores = by_health(index, due, people, today, cal.met)
    agenda = Agenda(
        today=today,
        days=days,
        due=tuple(due),
        dates=tuple(upcoming_dates(people, today, days, secret)),
        follow_ups=tuple(open_follow_ups(briefs, directory, today, days)),
        meetings=coming_meetings(cal, days) if cal.matched else (),
        by=by,
        health=scores,
    )
    # The owner's own: private facts stay, marked; for others they are left out (SPEC §6)
    shown = for_others(agenda) if share else for_owner(agenda)
    return replace(shown, sync=result, problems=cal.problems)
