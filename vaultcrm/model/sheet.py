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
class Relative:
    """A family member to ask about; ``expected`` is the day a child not yet born is due."""

    name: str
    relation: str
    note: str
    age: int | None
    birthday: PartialDate | None
    expected: dt.date | None = None
    months: int | None = None  # for a child under a year old


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


@dataclass(frozen=True)
class PersonSheet:
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
    # Where ``last_contact`` comes from: "notes", or "calendar" when only a calendar
    # meeting says so (SPEC §7: shown as "from the calendar"); None without contact.
    last_contact_source: str | None = None

    @property
    def from_calendar(self) -> bool:
        """Whether the last contact is a calendar meeting the notes do not record."""
        return self.last_contact_source == FROM_CALENDAR

    @property
    def ask_about(self) -> bool:
        return bool(self.family or self.dates)

    def is_private(self, name: str) -> bool:
        """Whether the field ``name`` (``family``, ``gift_ideas`` …) is private: what a
        template marks with 🔒 on the owner's sheet."""
        return name in self.private_fields


@dataclass(frozen=True)
class PrepSheet:
    """The sheet for one person, or for a group meeting (``group``) with pooled lists."""

    today: dt.date
    locale: str
    people: tuple[PersonSheet, ...]
    to_raise: tuple[FollowUp, ...]  # pooled over everyone, each with ``who``
    dates: tuple[DateEvent, ...]  # pooled
    decisions: tuple[Decision, ...]  # pooled, each once

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
