"""The meeting-prep sheet as data (SPEC §5): what the templates see, whoever built it.

``features/prep.py`` builds it from the vault; ``present/templates.py`` turns it into
Markdown or HTML. Plain frozen dataclasses, so a user's template sees exactly what the
built-in ones do, and a test can build a sheet by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .notes import PartialDate, undated
from .rules import FROM_CALENDAR, DateEvent, FollowUp


@dataclass(frozen=True)
class Ask:
    """A dated event to ask about at the right time (``rules.ask_phase``): "maths exam",
    25 November, ``after``, 2 days ago.

    ``what`` is a family note without its date ("maths exam") or the sentence of a Log
    entry that holds the date; ``who`` the relative it is about ("" for the person);
    ``month_only`` when only the month was written (``date`` is its first day)."""

    what: str
    date: dt.date
    phase: str  # before | today | during | after
    days: int  # until it (before) or since it ended (after); 0 today or during
    who: str = ""
    month_only: bool = False
    private: bool = False


@dataclass(frozen=True)
class Relative:
    """A family member to ask about; ``expected`` is the day a child not yet born is due.
    ``asks``: their dated events worth a question today (the note's own date among them)."""

    name: str
    relation: str
    note: str
    age: int | None
    birthday: PartialDate | None
    expected: dt.date | None = None
    months: int | None = None  # for a child under a year old
    asks: tuple[Ask, ...] = ()


@dataclass(frozen=True)
class SinceItem:
    """Something dated after the previous 1:1: a Log entry, a win, a follow-up done, a
    decision taken, a note that links or names them (``kind``: log, win, done,
    decision, meeting, note)."""

    date: dt.date
    kind: str
    text: str
    private: bool = False
    who: str = ""  # whose it is, on a group sheet


@dataclass(frozen=True)
class Budget:
    """How many items of each part a sheet shows; the rest is counted ("and 3 more").
    What keeps a 1:1 sheet on one A4 page and a group sheet of three on two. The data
    holds every item, so what others may not see is left out before anything is counted."""

    context: int = 5  # paragraphs, each cut to ``features.prep.PARAGRAPH_CHARS``
    since: int = 6
    to_raise: int = 5  # what you promised
    theirs: int = 4  # what they promised
    asks: int = 4  # dated events besides relatives
    growth: int = 4
    wins: int = 3
    recent: int = 3
    decisions: int = 2
    card_context: int = 1  # on a group sheet's card of each person
    card_wins: int = 2
    card_recent: int = 2


@dataclass(frozen=True)
class LogLine:
    date: dt.date
    text: str
    private: bool = False


@dataclass(frozen=True)
class Mention:
    """A note that links or names the person, with the passage that does."""

    path: str
    title: str
    date: dt.date | None
    context: str
    private: bool = False  # the passage is in a private part of that note

    @property
    def label(self) -> str:
        """The title without a leading ``YYYY-MM-DD``: the date is shown on its own."""
        return undated(self.title)


@dataclass(frozen=True)
class Decision:
    path: str
    title: str
    date: dt.date | None
    why: str
    teams: tuple[str, ...]

    @property
    def label(self) -> str:
        return undated(self.title)


class _Promises:
    """Follow-ups to raise, split by whose promise each is (``people.task_owners``)."""

    to_raise: tuple[FollowUp, ...]

    @property
    def mine(self) -> tuple[FollowUp, ...]:
        """What you promised them (or to raise with them)."""
        return tuple(f for f in self.to_raise if not f.theirs)

    @property
    def theirs(self) -> tuple[FollowUp, ...]:
        """What they promised."""
        return tuple(f for f in self.to_raise if f.theirs)


@dataclass(frozen=True)
class PersonSheet(_Promises):
    """Everything the sheet says about one person; empty tuples mean 'leave it out'."""

    name: str
    path: str
    link: str  # '[[file|name]]' target text for a wiki link to this person's note
    role: str
    team: str
    relation: str
    manager: str
    email: str
    met: str
    cadence: str
    last_contact: dt.date | None
    days_since: int | None
    due: dt.date | None  # next contact due by cadence; None without a cadence
    due_in: int | None  # days until due (negative: overdue); None without a cadence
    overdue_days: int | None  # 0 = due today; None when not yet due
    to_raise: tuple[FollowUp, ...]
    family: tuple[Relative, ...]
    dates: tuple[DateEvent, ...]
    growth: tuple[str, ...]
    wins: tuple[str, ...]
    recent: tuple[LogLine, ...]
    mentions: tuple[Mention, ...]
    mention_count: int
    decisions: tuple[Decision, ...]
    interests: tuple[str, ...]
    gift_ideas: tuple[str, ...]
    # Fields from a private front-matter key (SPEC §6), which ``privacy.for_others`` empties
    private_fields: tuple[str, ...] = ()
    context: tuple[str, ...] = ()  # their own prose, each paragraph or item trimmed
    asks: tuple[Ask, ...] = ()  # their own dated events (a relative's are in ``family``)
    since: tuple[SinceItem, ...] = ()  # dated after ``since_date``, oldest first
    since_date: dt.date | None = None  # the previous 1:1 (``rules.previous_meeting``)
    health: str = ""  # the health line (issue 17): the owner's own assessment
    # Where ``last_contact`` comes from: "notes", or "calendar" when only a calendar
    # meeting says so (SPEC §7: shown as "from the calendar"); None without contact.
    last_contact_source: str | None = None

    @property
    def from_calendar(self) -> bool:
        """Whether the last contact is a calendar meeting the notes do not record."""
        return self.last_contact_source == FROM_CALENDAR

    @property
    def ask_about(self) -> bool:
        return bool(self.family or self.dates or self.asks)

    @property
    def earlier(self) -> tuple[LogLine, ...]:
        """The recent Log entries up to the previous 1:1: the later ones are in ``since``."""
        return tuple(e for e in self.recent if not self.since or e.date <= self.since_date)

    def is_private(self, name: str) -> bool:
        """Whether the field ``name`` (``family``, ``gift_ideas`` …) is private: what a
        template marks with 🔒 on the owner's sheet."""
        return name in self.private_fields


@dataclass(frozen=True)
class PrepSheet(_Promises):
    """The sheet for one person, or for a group meeting (``group``) with pooled lists."""

    today: dt.date
    locale: str
    people: tuple[PersonSheet, ...]
    to_raise: tuple[FollowUp, ...]  # pooled over everyone, each with ``who``
    dates: tuple[DateEvent, ...]  # pooled
    decisions: tuple[Decision, ...]  # pooled, each once
    since: tuple[SinceItem, ...] = ()  # a group's: after the last meeting of them all
    since_date: dt.date | None = None
    budget: Budget = Budget()

    @property
    def group(self) -> bool:
        return len(self.people) > 1

    @property
    def person(self) -> PersonSheet:
        """The first (for a one-person sheet: the only) person."""
        return self.people[0]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.people)
