"""Meetings from the user's calendars, for the commands that use them (SPEC §7, issue 16).

A manager's 1:1s live in their calendar. ``read_meetings`` reads the calendars
(config ``calendars`` plus ``--calendar FILE``, which adds to them for one run) and
matches each meeting to the vault's people; the commands then ask:

- **last contact** (``people``, ``agenda``, ``prep``, ``health``, ``network``): past
  meetings count as contact (``Calendars.met``, handed to ``people.contacts``), marked
  "from the calendar" where only the calendar knows of it;
- **agenda**: the meetings with people of the vault in the next days (``coming``);
- **prep** ``--next``, ``--date D``, ``--meeting TEXT``: which meetings to prepare
  (``choose_meetings``), then a sheet for the vault's people in each (``prep_sheets``);
  ``--save`` names the note after the meeting and lists its attendees.

No calendar configured or given costs nothing: no file is read, nothing is imported.
A calendar is only ever read; nothing from it is written into the notes unless
``prep --save`` is asked to. A meeting's description is never read at all (the reader
drops it), so nothing meant for others can show it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import NotFoundError, UsageError
from ..store.config import CALENDAR_FUTURE_DAYS as FUTURE_DAYS
from ..store.config import CALENDAR_PAST_DAYS as PAST_DAYS

if TYPE_CHECKING:
    from ..model.meetings import MatchedMeeting, PeopleMatcher
    from ..model.notes import Problem
    from ..model.people import Directory
    from ..store.vault import Vault

# A command that needs more of the calendars than the default span widens it, never
# narrows it, so every command of a day asks the same window and shares what was read.
NEXT_DAYS = FUTURE_DAYS  # how far ahead --next and --meeting look


@dataclass(frozen=True)
class Calendars:
    """The user's calendars as of ``now`` (aware, in the user's zone): every meeting in
    the window read, each with the vault's people in it, and what could not be read.
    ``files`` is how many calendars were asked for: 0 means none is configured."""

    now: dt.datetime | None = None  # None: no calendar, so no clock was needed
    files: int = 0
    matched: tuple[MatchedMeeting, ...] = ()
    problems: tuple[Problem, ...] = ()
    unread: tuple[Problem, ...] = ()  # the calendars that could not be read at all
    matcher: PeopleMatcher | None = field(default=None, compare=False, repr=False)

    @property
    def tz(self) -> dt.tzinfo:
        assert self.now is not None and self.now.tzinfo is not None
        return self.now.tzinfo

    @property
    def met(self) -> dict[str, tuple[dt.date, ...]]:
        """Per person (note path): the day of the latest meeting with them that has
        started, for the last-contact rule (``people.contacts``, ``contact_for``)."""
        if not self.matched or self.now is None:
            return {}
        from ..model.meetings import calendar_contacts

        found = calendar_contacts(self.matched, self.now)
        return {path: (c.date,) for path, c in found.items()}

    @property
    def days(self) -> dict[str, list[dt.date]]:
        """Per person: the day of every meeting with them that has started (``health``)."""
        if not self.matched or self.now is None:
            return {}
        from ..model.meetings import calendar_days

        return calendar_days(self.matched, self.now)


@dataclass(frozen=True)
class ComingMeeting:
    """A meeting as the agenda and prep show it: times in the user's zone, and the
    vault's people in it by name (and note path). No description, no location."""

    start: dt.datetime
    end: dt.datetime
    title: str
    people: tuple[str, ...]
    paths: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "title": self.title,
            "people": list(self.people),
            "paths": list(self.paths),
        }


def coming(item: MatchedMeeting, tz: dt.tzinfo) -> ComingMeeting:
    return ComingMeeting(
        start=item.start.astimezone(tz),
        end=item.end.astimezone(tz),
        title=item.title,
        people=tuple(p.name for p in item.people),
        paths=tuple(p.path for p in item.people),
    )


def read_meetings(
    vault: Vault,
    directory: Directory,
    now: dt.datetime | dt.date,
    calendars: Sequence[str | Path] = (),
    *,
    past_days: int = PAST_DAYS,
    future_days: int = NEXT_DAYS,
) -> Calendars:
    """The meetings of config ``calendars`` plus ``calendars`` (``--calendar FILE``),
    from ``past_days`` back to ``future_days`` ahead of ``now`` (aware: its zone is the
    user's, where floating times are; a date: its first moment in the local zone),
    matched to ``directory``. A configured calendar that cannot be read is a problem
    in the result; a file named in ``calendars`` is a ``CalendarError`` (exit 2).
    The window is never smaller than the default one (``PAST_DAYS``, ``NEXT_DAYS``).
    Nothing configured or given: nothing read or imported, no clock or zone asked."""
    if not (vault.config.calendars or calendars):
        return Calendars()
    from ..model.meetings import PeopleMatcher
    from ..store.calendars import calendar_paths, load_meetings

    files = calendar_paths(vault.root, vault.config.calendars, calendars)
    past_days, future_days = max(past_days, PAST_DAYS), max(future_days, NEXT_DAYS)
    if not isinstance(now, dt.datetime):
        now = local_start(now)
    if now.utcoffset() is None:
        raise ValueError(f"now must be an aware datetime, not {now!r}")
    first = dt.date.min + dt.timedelta(days=past_days + 2)  # the window, a margin each side
    if not first <= now.date() <= dt.date.max - dt.timedelta(days=future_days + 2):
        raise UsageError("calendars cannot be read that close to the year 1 or 9999")
    read = load_meetings(
        vault, now, calendars, past_days=past_days, future_days=future_days, tz=now.tzinfo
    )
    matcher = PeopleMatcher(directory, vault.config.me)
    matched = tuple(matcher.matched(m) for m in read.meetings)
    return Calendars(now, len(files), matched, read.problems, read.unread, matcher)


def local_start(day: dt.date, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The first moment of ``day`` in ``tz`` (default: the local zone): "now" for a day
    the user fixed (``VAULTCRM_TODAY``) or a library caller who only knows the date."""
    if tz is None:
        from ..store.calendars import local_timezone

        tz = local_timezone()
    return dt.datetime.combine(day, dt.time(), tz)


# ---------------------------------------------------------------- the agenda


def coming_meetings(cal: Calendars, days: int) -> tuple[ComingMeeting, ...]:
    """The meetings with the vault's people that have not ended by ``now`` and start by
    the end of the day ``days`` ahead, soonest first (the agenda's block)."""
    if not cal.matched or cal.now is None:
        return ()
    from ..model.meetings import upcoming_meetings

    return tuple(coming(m, cal.tz) for m in upcoming_meetings(cal.matched, cal.now, days))


# ---------------------------------------------------------------- choosing for prep


def choose_meetings(
    cal: Calendars,
    *,
    soonest: bool = False,
    day: dt.date | None = None,
    text: str | None = None,
) -> list[MatchedMeeting]:
    """The meetings ``prep --next`` / ``--date D`` / ``--meeting TEXT`` mean, each with
    someone of the vault in it.

    ``UsageError`` (exit 2) when no calendar is configured or given, or none could be
    read; ``NotFoundError`` (exit 1) when no meeting answers; ``AmbiguousNameError``
    (exit 2) when TEXT is in the titles of different meetings."""
    from ..model.meetings import find_meeting, meetings_on, next_meeting

    if not cal.files:
        raise UsageError(
            'no calendar to read: set calendars = ["~/Calendars/work.ics"] in '
            ".vaultcrm/config.toml, or give --calendar FILE"
        )
    if len(cal.unread) >= cal.files:
        raise UsageError(f"no calendar could be read ({cal.unread[0]})")
    assert cal.now is not None
    if soonest:
        found = next_meeting(cal.matched, cal.now)
        if found is None:
            raise NotFoundError(f"no meeting with anyone in the vault in the next {NEXT_DAYS} days")
        return [found]
    if day is not None:
        chosen = meetings_on(cal.matched, day, cal.tz)
        if not chosen:
            others = sum(1 for m in cal.matched if m.start.astimezone(cal.tz).date() == day)
            without = f" ({others} without them)" if others else ""
            raise NotFoundError(f"no meeting with anyone in the vault on {day}{without}")
        return chosen
    if text is not None:
        if not text.strip():
            raise UsageError("--meeting TEXT is empty: give a word of the meeting's title")
        return [find_meeting(cal.matched, text, cal.now)]
    raise UsageError("say which meeting: --next, --date D or --meeting TEXT")


def prep_window(day: dt.date | None, today: dt.date) -> tuple[int, int]:
    """(past_days, future_days) to read so that ``--date day`` is inside the window."""
    past, future = PAST_DAYS, NEXT_DAYS
    if day is not None:
        future = max(future, (day - today).days + 1)
        past = max(past, (today - day).days + 1)
    return past, future
