"""The one set of time rules: what is open, due, overdue or coming up on a given day.

Every output that depends on "today" (the prep sheet, the agenda, the people list, the
calendar) asks these functions, so a rule cannot drift between them: the due-today
crash of November 2026 lived in the gap between two copies of "is this task due".

``today`` is always a parameter. Nothing here reads the clock or the environment; the
CLI reads ``VAULTCRM_TODAY`` once (``cli.Context.today``) and passes the day down, which is
also what lets the tests sweep every day of two years.

The rules (SPEC §2, §4, README "Keeping in touch"):

- a task is **open** when it is not done, has text, and is not scheduled (⏳) for a
  later day: "ask how the exam went" waits until the exam is over;
- it is **due today** when its 📅 date is today, **overdue** by the days past it;
- **last contact** is the latest of ``last_contact``, the newest Log entry, the newest
  dated note that links or names them and (SPEC §7) the latest meeting with them in the
  user's calendars that has started, never a day after today; a sheet saved with
  ``prep --save`` is preparation, not contact, until the day after its date. Where it
  comes from is kept (``Contact.source``), so outputs can say "from the calendar"; on a
  day both the notes and the calendar know of, the notes win;
- **due by cadence** when last contact + cadence is today or earlier (no contact ever:
  due today);
- a yearly date (birthday, work anniversary, a relative's birthday) falls on its
  calendar day, a 29 February on 28 February in common years; it is **upcoming** from
  today to today + N days and counts the years turned (never 0 or fewer: the day of
  birth or the first day at work is no anniversary);
- an **age** is the years since birth by that same yearly day, and there is none for
  someone not yet born (an expected child) or whose year is unknown.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .notes import Note, PartialDate, Task, fold, undated

_UNITS = {"d": "days", "w": "weeks", "m": "months", "q": "months", "y": "years"}


# ---------------------------------------------------------------- days


def overdue_days(due: dt.date | None, today: dt.date) -> int | None:
    """Days past ``due`` (0 = due today); None when there is no date or it is later."""
    if due is None or due > today:
        return None
    return (today - due).days


@functools.lru_cache(maxsize=4096)
def add_cadence(day: dt.date, cadence: tuple[int, str]) -> dt.date:
    """``day`` plus a rhythm; months are calendar months (31 Jan + 1m = 28/29 Feb).
    Kept: a vault's people share a few hundred last days and a few rhythms, and a month
    is a ``relativedelta`` (6 µs) that the agenda would add for each of 10,000 people."""
    amount, unit = cadence
    if unit in ("d", "w"):  # days and weeks need no calendar (and no relativedelta, 6 µs)
        try:
            return day + dt.timedelta(days=amount * (7 if unit == "w" else 1))
        except OverflowError:
            return dt.date.max if amount > 0 else dt.date.min
    from dateutil.relativedelta import relativedelta

    if unit == "q":
        amount *= 3
    try:
        return day + relativedelta(**{_UNITS[unit]: amount})
    except (OverflowError, ValueError):  # past the year 9999 (cadence: 99999y): never due
        return dt.date.max


def as_yearly(day: dt.date | None) -> PartialDate | None:
    """A full date as a yearly one (a work anniversary), so 29 February is handled alike."""
    return PartialDate(day.month, day.day, day.year) if day else None


def age_on(born: PartialDate | None, today: dt.date) -> int | None:
    """Whole years since ``born`` by its yearly day; None if the year is unknown or the
    day has not come yet (an expected child)."""
    if born is None or born.year is None:
        return None
    birth = born.on_year(born.year)
    if birth > today:
        return None
    return today.year - born.year - (born.on_year(today.year) > today)


def months_old(born: PartialDate | None, today: dt.date) -> int | None:
    """Whole months since birth for someone under a year old; None for everyone else."""
    if age_on(born, today) != 0:
        return None
    assert born is not None and born.year is not None
    birth = born.on_year(born.year)
    months = (today.year - birth.year) * 12 + today.month - birth.month
    return months - (today.day < birth.day)


def expected_on(born: PartialDate | None, today: dt.date) -> dt.date | None:
    """The day someone not yet born is expected; None for everyone else."""
    if born is None or born.year is None:
        return None
    birth = born.on_year(born.year)
    return birth if birth > today else None


# ---------------------------------------------------------------- tasks


def is_open(task: Task, today: dt.date) -> bool:
    """Not done, not empty, and not scheduled for a later day."""
    return not task.done and bool(task.text) and not (task.scheduled and task.scheduled > today)


@dataclass(frozen=True)
class FollowUp:
    """An open task, where it is written, whom it is about and where it stands today.

    ``source`` is the title of the note it is in when that is not the person's own note
    (a meeting, a daily note); ``since`` is what "oldest first" sorts by.
    """

    text: str
    path: str
    line: int
    due: dt.date | None = None
    scheduled: dt.date | None = None
    overdue_days: int | None = None  # days past the due date; None when not overdue
    due_today: bool = False
    due_in: int | None = None  # days until the due date; None when undated or past
    people: tuple[str, ...] = ()
    source: str = ""
    source_date: dt.date | None = None
    since: dt.date | None = None
    private: bool = False  # SPEC §6: for the owner's eyes only
    surprise: bool = False  # #surprise: never shown to the people in ``secret_from``
    secret_from: tuple[str, ...] = ()  # paths of the people a surprise is for
    owners: tuple[str, ...] = ()  # who promised it ("Henk: …"); empty: you did

    @property
    def theirs(self) -> bool:
        """A promise of theirs (``people.task_owners``), not one of yours."""
        return bool(self.owners)

    @property
    def who(self) -> tuple[str, ...]:
        """The people it is about (the name a group sheet shows)."""
        return self.people

    @property
    def source_label(self) -> str:
        """The source note's title without a leading date (shown with ``source_date``)."""
        return undated(self.source) if self.source else ""


def follow_up(
    task: Task,
    note: Note,
    today: dt.date,
    people: tuple[str, ...] = (),
    own: bool = False,
) -> FollowUp:
    """The follow-up an open task makes on ``today``; ``own``: it is in the person's note."""
    late = overdue_days(task.due, today)
    return FollowUp(
        text=task.text,
        path=note.path,
        line=task.line,
        due=task.due,
        scheduled=task.scheduled,
        overdue_days=late or None,
        due_today=late == 0,
        due_in=(task.due - today).days if task.due and task.due > today else None,
        people=people,
        source="" if own else note.title,
        source_date=None if own else note.date,
        since=task.scheduled or task.due or (None if own else note.date),
        private=task.private,
        surprise=task.surprise,
    )


def follow_up_order(f: FollowUp) -> tuple:
    """Oldest first; undated last. Ties keep the order they are written in."""
    return (f.since is None, f.since or dt.date.min)


def on_agenda(task: Task, today: dt.date, horizon: dt.date) -> bool:
    """Whether an open task belongs on the agenda: due by ``horizon``, or without a due
    date but scheduled for a day that has come. Undated tasks are for the prep sheet."""
    if not is_open(task, today):
        return False
    if task.due is not None:
        return task.due <= horizon
    return task.scheduled is not None


# ---------------------------------------------------------------- dated events to ask about

ASK_AHEAD_DAYS = 30  # a dated event is asked about from this many days before it …
ASK_BACK_DAYS = 30  # … until this many days after it


def ask_phase(
    first: dt.date,
    last: dt.date,
    today: dt.date,
    ahead: int = ASK_AHEAD_DAYS,
    back: int = ASK_BACK_DAYS,
) -> tuple[str, int] | None:
    """When an event from ``first`` to ``last`` (one day, or a month written without a
    day) is worth a question on ``today``, and how far away it is: ``before`` and the
    days until it (wish them luck), ``today``, ``during`` (the month it is in), ``after``
    and the days since it ended (ask how it went); None outside that time."""
    if today < first:
        days = (first - today).days
        return ("before", days) if days <= ahead else None
    if today > last:
        days = (today - last).days
        return ("after", days) if days <= back else None
    return ("today", 0) if first == last else ("during", 0)


def previous_meeting(
    meetings: Iterable[Note], log: Iterable[dt.date], today: dt.date
) -> dt.date | None:
    """The day of the previous 1:1, what "since last time" counts from: the newest of
    the meeting notes given (the caller's 1:1s) that counts as contact before ``today``
    (today's meeting is the one being prepared); without one, the newest Log entry
    before today."""
    days = [n.date for n in meetings if n.date and n.date < today and counts_as_contact(n, today)]
    if not days:
        days = [d for d in log if d < today]
    return max(days) if days else None


# ---------------------------------------------------------------- contact and cadence


FROM_NOTES = "notes"  # last contact written in the vault: last_contact, the Log, a note
FROM_CALENDAR = "calendar"  # a meeting in the user's calendars (SPEC §7)


@dataclass(frozen=True)
class Contact:
    """A person's last contact and where their cadence puts them on ``today``."""

    last: dt.date | None
    due: dt.date | None  # next contact due; None when no cadence is set
    today: dt.date
    source: str | None = None  # where ``last`` comes from: FROM_NOTES, FROM_CALENDAR

    @property
    def from_calendar(self) -> bool:
        """Whether only the calendar knows of the last contact (the outputs say so)."""
        return self.source == FROM_CALENDAR

    @property
    def days_since(self) -> int | None:
        return (self.today - self.last).days if self.last else None

    @property
    def overdue_days(self) -> int | None:
        """Days past due (0 = due today); None when not due (or no cadence)."""
        return overdue_days(self.due, self.today)

    @property
    def due_in(self) -> int | None:
        """Days until due (negative: overdue); None without a cadence."""
        return (self.due - self.today).days if self.due else None


def counts_as_contact(note: Note, today: dt.date) -> bool:
    """Whether a dated note that links someone is contact with them by ``today``."""
    if note.date is None or note.date > today:
        return False
    if note.prepared:
        return note.date < today  # a sheet saved before the meeting is preparation
    return True


def last_contact(
    field: dt.date | None,
    log: Iterable[dt.date],
    notes: Iterable[Note],
    today: dt.date,
    met: Iterable[dt.date] = (),
) -> dt.date | None:
    """SPEC §4: the latest of ``last_contact``, the Log, the notes that link them and
    (§7) the days of the calendar meetings with them that have started (``met``)."""
    return latest_contact(field, log, notes, today, met)[0]


def latest_contact(
    field: dt.date | None,
    log: Iterable[dt.date],
    notes: Iterable[Note],
    today: dt.date,
    met: Iterable[dt.date] = (),
) -> tuple[dt.date | None, str | None]:
    """``last_contact`` and where it comes from: ``FROM_CALENDAR`` when a meeting in the
    calendar (``met``) is later than anything the vault says, else ``FROM_NOTES`` (None
    without any contact). The notes win a tie: what is written down is the record."""
    dates = [field] if field and field <= today else []
    dates += [d for d in log if d <= today]
    dates += [n.date for n in notes if n.date and counts_as_contact(n, today)]
    written = max(dates) if dates else None
    seen = max((d for d in met if d <= today), default=None)
    if seen is not None and (written is None or seen > written):
        return seen, FROM_CALENDAR
    return written, FROM_NOTES if written else None


class CalendarMarked:
    """What shows a last contact with its ``last_contact_source`` (a network node, a
    health, a stale line): ``from_calendar`` when only a calendar meeting says so."""

    last_contact_source: str | None

    @property
    def from_calendar(self) -> bool:
        return self.last_contact_source == FROM_CALENDAR


def contact_source(
    days: Sequence[dt.date],
    field: dt.date | None,
    log: Iterable[dt.date],
    notes: Iterable[Note],
    today: dt.date,
    met: Iterable[dt.date] = (),
) -> str | None:
    """Where the last of ``days`` (``contact_days``, same sources) comes from, as
    ``latest_contact`` says: read again only when a calendar meeting fell on that day,
    so a vault without calendars pays nothing for it."""
    if not days:
        return None
    if days[-1] not in set(met):
        return FROM_NOTES
    return latest_contact(field, log, notes, today, met)[1]


def contact_days(
    field: dt.date | None,
    log: Iterable[dt.date],
    notes: Iterable[Note],
    today: dt.date,
    met: Iterable[dt.date] = (),
) -> list[dt.date]:
    """Every day of contact by ``today``, oldest first, each day once: the days
    ``last_contact`` takes the latest of (same sources, same rules, calendar meetings
    ``met`` included), for measuring a rhythm over time instead of only the last time."""
    days = {field} if field and field <= today else set()
    days.update(d for d in log if d <= today)
    days.update(n.date for n in notes if n.date and counts_as_contact(n, today))
    days.update(d for d in met if d <= today)
    return sorted(days)


def contact(
    last: dt.date | None,
    cadence: tuple[int, str] | None,
    today: dt.date,
    source: str | None = None,
) -> Contact:
    """Where a cadence puts someone last seen on ``last`` (``source``: where that was
    read, ``FROM_NOTES`` or ``FROM_CALENDAR``): never seen is due today."""
    source = source if last else None
    if cadence is None:
        return Contact(last, None, today, source)
    return Contact(last, add_cadence(last, cadence) if last else today, today, source)


# ---------------------------------------------------------------- yearly dates


@dataclass(frozen=True)
class DateEvent:
    """A birthday or work anniversary in the coming days.

    ``who`` is whose day it is (the person or a relative), ``of`` the person whose note it
    comes from, ``years`` the age turned or the years of service (None: year unknown).
    """

    date: dt.date
    in_days: int
    kind: str  # birthday | family_birthday | anniversary
    who: str
    of: str
    path: str
    relation: str = ""  # a relative's relation, e.g. daughter
    years: int | None = None
    private: bool = False  # from a private key (SPEC §6): for the owner's eyes only

    @property
    def family(self) -> bool:
        return self.kind == "family_birthday"


_KIND_ORDER = {"birthday": 0, "family_birthday": 1, "anniversary": 2}


def event_order(e: DateEvent) -> tuple:
    return (e.date, _KIND_ORDER[e.kind], fold(e.of), fold(e.who))


@functools.lru_cache(maxsize=64)
def _yearly_window(today: dt.date, days: int) -> frozenset[tuple[int, int]] | None:
    """The (month, day) of each day from ``today`` to ``today + days``; None for a year
    or more (every day is in). Made once per window: the agenda asks for 30,000 dates."""
    if days >= 365:
        return None
    return frozenset(((d := today + dt.timedelta(days=i)).month, d.day) for i in range(days + 1))


def next_yearly(
    day: PartialDate | dt.date | None, today: dt.date, days: int
) -> tuple[dt.date, int | None] | None:
    """The next time a yearly ``day`` falls in ``today .. today + days``, with the years it
    marks; None when it does not, or when it would mark 0 years or fewer. A full date
    (a start date) is taken as yearly (``as_yearly``) once it is known to fall in."""
    if day is None:
        return None
    window = _yearly_window(today, days)
    if window is not None and (md := (day.month, day.day)) not in window and md != (2, 29):
        return None  # most days are out: no date built
    if isinstance(day, dt.date):
        day = as_yearly(day)
    when = day.next_on_or_after(today)
    if (when - today).days > days:
        return None
    years = when.year - day.year if day.year else None
    if years is not None and years < 1:
        return None
    return when, years
