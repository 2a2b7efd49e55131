"""The ``calendar`` export: birthdays, work anniversaries and dated follow-ups as iCalendar.

(Named ``ical`` so it never shadows the standard library's ``calendar``.)

Choices that make the file import cleanly into Outlook, Google Calendar and Apple
Calendar, and re-import as an update rather than a second copy:

- every event is all-day (``DTSTART;VALUE=DATE`` and ``DTEND`` the day after) and
  transparent (it does not block time in a free/busy view);
- birthdays and anniversaries are one event each with a yearly ``RRULE``; a 29 February
  recurs on the last day of February (``BYMONTH=2;BYMONTHDAY=-1``: 29 February in leap
  years, 28 February otherwise), as the agenda counts it; a year-less birthday starts in
  2000 (a leap year, so ``--02-29`` is valid);
- a work anniversary starts on the first anniversary, not on the first working day;
- follow-ups are open tasks with a due date (📅), one event on that date;
- UIDs are derived from what the event is about (kind, person, family member; for a task
  its note and text), never from a counter or a line number, so exporting again after
  edits updates the same events. Done tasks are left out of the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..engine.api import Engine, SyncResult
from ..model.brief import Brief
from ..model.notes import Note, PartialDate, fold, unlink
from ..model.people import DATE_KEYS, Directory, Person, keys_private
from ..model.privacy import DEFAULT_PRIVATE_KEYS, for_others
from ..model.rules import as_yearly
from ..present.words import Language, language
from ..store.vault import Vault

PRODID = "-//vaultcrm//vaultcrm calendar export//EN"
_UID_DOMAIN = "vaultcrm"


@dataclass(frozen=True)
class CalendarFile:
    """The .ics bytes and how many events they hold."""

    data: bytes
    events: int
    sync: SyncResult | None = None


def build_calendar(vault: Vault, engine: Engine | None = None) -> CalendarFile:
    """The vault's calendar, from the briefs the index keeps (no note is read)."""
    from ..engine.reading import reading

    with reading(vault, engine) as index:
        briefs = index.briefs()  # first: the directory is then made from them
        directory, result = index.directory, index.result
    data, count = calendar_bytes(
        directory, briefs, vault.config.locale, secret=vault.config.private_keys
    )
    return CalendarFile(data, count, result)


def export_calendar(
    vault: Vault, out: str | os.PathLike | None = None, force: bool = False
) -> CalendarFile:
    """The calendar, also written atomically to ``out`` when given (replaced only if ``force``)."""
    from ..store.writes import write_output

    result = build_calendar(vault)
    if out is not None:
        write_output(Path(out), result.data, force, vault=vault.root)
    return result


@dataclass(frozen=True)
class CalendarEvent:
    """One event before it is iCalendar: what ``privacy.for_others`` filters, as a
    calendar file is shared with a calendar service (SPEC §6)."""

    key: tuple[str, ...]  # what the event is about, hashed into its UID
    start: dt.date
    summary: str
    detail: str
    where: str  # path (or path:line) in the vault
    yearly: bool = False
    leap_day: bool = False  # yearly on 29 February: on the last day of February
    private: bool = False


def calendar_bytes(
    directory: Directory,
    notes: Iterable[Note | Brief],
    locale: str = "en",
    stamp: dt.datetime | None = None,
    secret: Iterable[str] = DEFAULT_PRIVATE_KEYS,
) -> tuple[bytes, int]:
    """An iCalendar document (RFC 5545) and its number of events, without private facts
    (``secret``: config's ``private_keys``)."""
    from icalendar import Calendar

    words = language(locale)
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", words("cal_name"))
    secret = tuple(secret)
    events = [e for p in directory.people for e in _person_events(p, words, secret)]
    events += _follow_up_events(notes, directory, words)
    shared = for_others(tuple(events))
    for event in shared:
        cal.add_component(_ical_event(event, stamp))
    return cal.to_ical(), len(shared)


def _person_events(person: Person, words: Language, secret: tuple[str, ...]) -> list[CalendarEvent]:
    hidden = keys_private(person, secret)
    events = []
    if person.birthday:
        events.append(
            CalendarEvent(
                ("birthday", person.name),
                _first(person.birthday),
                words("cal_birthday", who=person.name),
                words("cal_born", date=person.birthday) if person.birthday.year else "",
                person.path,
                yearly=True,
                leap_day=_leap(person.birthday),
                private=DATE_KEYS["birthday"] in hidden,
            )
        )
    started = as_yearly(person.started)
    if started:
        events.append(
            CalendarEvent(
                ("anniversary", person.name),
                _first(started, from_first_anniversary=True),
                words("cal_anniversary", who=person.name, year=started.year),
                words("cal_started", date=started),
                person.path,
                yearly=True,
                leap_day=_leap(started),
                private=DATE_KEYS["anniversary"] in hidden,
            )
        )
    for member in person.family:
        if not member.birthday:
            continue
        key = "cal_family" if member.relation else "cal_family_plain"
        relation = words.relation(member.relation)
        events.append(
            CalendarEvent(
                ("family", person.name, member.name),
                _first(member.birthday),
                words(key, who=member.name, relation=relation, person=person.name),
                words("cal_born", date=member.birthday) if member.birthday.year else "",
                person.path,
                yearly=True,
                leap_day=_leap(member.birthday),
                private=DATE_KEYS["family_birthday"] in hidden,
            )
        )
    return events


def _first(day: PartialDate, from_first_anniversary: bool = False) -> dt.date:
    """The first day a yearly event is on: its year (a year-less date in 2000, a leap
    year, so ``--02-29`` is valid), or for a work anniversary the year after."""
    return day.on_year((day.year or 2000) + from_first_anniversary)


def _leap(day: PartialDate) -> bool:
    return (day.month, day.day) == (2, 29)


def _follow_up_events(
    notes: Iterable[Note | Brief], directory: Directory, words: Language
) -> list[CalendarEvent]:
    events = []
    for note in notes:
        seen: dict[str, int] = {}
        for task in note.tasks:
            if task.done or task.due is None:
                continue
            # Two identical tasks in one note stay two events, each with its own UID.
            seen[task.text] = seen.get(task.text, 0) + 1
            people = (
                [note.title] if note.kind == "person" else [p.name for p in directory.linked(note)]
            )
            text = unlink(task.text) + (f" ({', '.join(people)})" if people else "")
            events.append(
                CalendarEvent(
                    ("task", note.path, task.text, str(seen[task.text])),
                    task.due,
                    words("cal_follow_up", text=text),
                    "",
                    f"{note.path}:{task.line}",
                    # a surprise too: colleagues often see each other's work calendars
                    private=task.private or task.surprise,
                )
            )
    return events


def _ical_event(item: CalendarEvent, stamp: dt.datetime):
    """An all-day event; a yearly one recurs on its day (29 February: on the last day of
    February, as the agenda counts it)."""
    from icalendar import Event

    event = Event()
    event.add("uid", _uid(item.key))
    event.add("dtstamp", stamp)
    event.add("dtstart", item.start)
    if item.start < dt.date.max:  # 31 Dec 9999 has no next day; a DTSTART alone is one day
        event.add("dtend", item.start + dt.timedelta(days=1))
    event.add("summary", item.summary)
    event.add("description", " ".join(x for x in (item.detail, item.where) if x))
    event.add("transp", "TRANSPARENT")
    event.add("x-microsoft-cdo-alldayevent", "TRUE")
    event.add("x-microsoft-cdo-busystatus", "FREE")
    if item.yearly:
        rule: dict = {"freq": "yearly"}
        if item.leap_day:
            rule.update(bymonth=2, bymonthday=-1)
        event.add("rrule", rule)
    return event


def _uid(key: tuple[str, ...]) -> str:
    """Stable across exports: a hash of what the event is about (folded names)."""
    raw = "\x1f".join(fold(part) if i else part for i, part in enumerate(key))
    return (
        f"{key[0]}-{hashlib.blake2b(raw.encode('utf-8'), digest_size=10).hexdigest()}@{_UID_DOMAIN}"
    )
