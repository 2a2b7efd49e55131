"""A note's brief: what the whole-vault questions need of it, without its text.

``people``, ``agenda``, ``calendar`` and finding someone by NAME ask about every note:
who are the people, which dated notes link whom (last contact), which open tasks have
a date. The index keeps a brief of each note beside it, so those commands read one
small table instead of every stored note (on 10,000 people: ~0.1 s instead of ~1.8 s).
``network`` reads the people's own notes in full and every other note's brief: who a
note links, its date, and who attended a meeting are all it needs of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .notes import Note, Task
from .people import Person, person_from_note


@dataclass(frozen=True)
class Brief:
    """One note, as far as whole-vault lists need it. ``tasks`` are its open tasks with
    a due or scheduled date (what the agenda and the calendar show); ``attending`` is a
    meeting's ``Note.attending`` (empty for any other note); ``person`` is set for a
    person's note."""

    path: str
    stem: str  # the file name, a name its person answers to
    kind: str
    title: str
    date: dt.date | None
    links: tuple[str, ...]
    attendees: tuple[str, ...]
    meeting: bool
    attending: tuple[str, ...]  # a meeting's attendees: as written (the network's meetings)
    prepared: bool
    tasks: tuple[Task, ...]
    person: Person | None


def brief_of(note: Note) -> Brief:
    """The brief of a parsed note."""
    return Brief(
        path=note.path,
        stem=note.stem,
        kind=note.kind,
        title=note.title,
        date=note.date,
        links=note.links,
        attendees=note.attendees,
        meeting=note.meeting,
        attending=note.attending if note.meeting else (),
        prepared=note.prepared,
        tasks=tuple(t for t in note.tasks if not t.done and (t.due or t.scheduled)),
        person=person_from_note(note) if note.kind == "person" else None,
    )
