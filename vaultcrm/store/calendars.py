"""Meetings from the user's calendars (.ics files), read only (SPEC §7, issue 16).

A manager's 1:1s already live in their calendar; reading it lets last contact follow the
calendar and lets ``agenda`` and ``prep`` see the coming meetings. This module turns
.ics files into plain ``Meeting`` values; ``meetings.py`` matches them to people.

What counts as a meeting: a timed event (all-day events are holidays and reminders, not
contact) that is not cancelled, that the user has not declined (their addresses are
config ``me``; a decline of one instance of a series counts for that instance), and
that has at most ``max_attendees`` attendees (all-hands and webinars are no contact with
anyone in particular). Rooms and resources (``CUTYPE=ROOM``/``RESOURCE``) are not
attendees.

The libraries do the calendar rules: ``icalendar`` parses (time zones from VTIMEZONE or
IANA/Windows names), ``recurring-ical-events`` expands RRULE/RDATE/EXDATE and applies
RECURRENCE-ID overrides, ``x-wr-timezone`` makes Google's exports (floating times plus
an ``X-WR-TIMEZONE``) standard. Times without any zone are the user's local time
(``tz``).

Bounded work. Parsing a whole 50 MB export with icalendar takes tens of seconds, and a
calendar holds years of history, so the file is streamed line by line first and only
what can matter is handed to the parser: events that start inside the window (``start``
to ``end``, with a day's margin for time zones), every recurring series whose rule does
not end before the window, and the overrides of instances inside it; of those only the
properties read here (descriptions, alarms and attachments are dropped). Memory is what
the window holds, not what the file holds; a line over ``MAX_LINE`` characters (an
embedded attachment) is dropped without being held whole.

Bad input never loses the rest: an event that cannot be read (an unknown time zone, a
broken date) is skipped and reported as a ``Problem`` with its line; a file that is
missing or not a calendar at all is a ``CalendarError`` naming the path.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import UsageError
from ..model.meetings import Attendee, Meeting
from ..model.notes import Problem
from .config import CALENDAR_FUTURE_DAYS, CALENDAR_PAST_DAYS

if TYPE_CHECKING:
    from .vault import Vault

DEFAULT_PAST_DAYS = CALENDAR_PAST_DAYS  # a year of history: enough for any cadence up to 1y
DEFAULT_FUTURE_DAYS = CALENDAR_FUTURE_DAYS
MAX_LINE = 1_000_000  # characters of one physical line that are ever held
_CHUNK = 1 << 20  # characters read at a time

# The properties read from an event; everything else is dropped while streaming.
_KEEP = frozenset(
    {
        "UID",
        "SUMMARY",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "RECURRENCE-ID",
        "STATUS",
        "ATTENDEE",
        "ORGANIZER",
        "LOCATION",
        "SEQUENCE",
    }
)
# The first three characters of every property read in an event, and of BEGIN and END.
_ROOM_ALLOWANCE = 50  # attendee lines kept beyond max_attendees, in case some are rooms
_HEADS = frozenset({name[:3] for name in _KEEP} | {"BEG", "END"})
_CALENDAR_KEEP = frozenset({"VERSION", "CALSCALE", "X-WR-TIMEZONE"})
_LINE_KEY = "X-VAULTCRM-LINE"  # where an event starts in its file, carried into occurrences
_LARGE_KEY = "X-VAULTCRM-LARGE"  # an override with more attendees than kept
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NAME = re.compile(r"[A-Za-z0-9-]*")
_UNTIL = re.compile(r"UNTIL=(\d{8})", re.IGNORECASE)
# In an event's text (its first line is BEGIN:VEVENT, so each property follows a line
# end): a rule or override, or DTSTART's day. Led by "\n", which the engine finds fast.
_FAR_PARTS = re.compile(
    r"\n(?:(RRULE|RDATE|RECURRENCE-ID)\b|DTSTART\b[^\n]*:(\d{8})(?:T\d{6}Z?)?[ \t]*$)",
    re.IGNORECASE | re.MULTILINE,
)
_OVERLONG_FOLD = " \x00"  # stands for an overlong folded continuation (see _physical_lines)
_NOT_PEOPLE = frozenset({"ROOM", "RESOURCE"})
_TIME_PROPS = ("DTSTART", "DTEND", "RECURRENCE-ID")
_READ_PROPS = frozenset({*_TIME_PROPS, "DURATION", "RRULE", "RDATE", "EXDATE"})


class CalendarError(UsageError):
    """A calendar file that cannot be read at all: missing, unreadable, not iCalendar
    (exit 2, as for a contacts file: the file named is the user's to fix)."""


@dataclass(frozen=True)
class Skipped:
    """How many events (or occurrences) were left out, and why; for a summary line."""

    cancelled: int = 0
    declined: int = 0
    all_day: int = 0
    large: int = 0

    def __add__(self, other: Skipped) -> Skipped:
        return Skipped(
            self.cancelled + other.cancelled,
            self.declined + other.declined,
            self.all_day + other.all_day,
            self.large + other.large,
        )


@dataclass(frozen=True)
class CalendarRead:
    """The meetings of one or more calendars in the window, sorted by start, and the
    events that could not be read."""

    meetings: tuple[Meeting, ...] = ()
    problems: tuple[Problem, ...] = ()
    skipped: Skipped = field(default_factory=Skipped)
    unread: tuple[Problem, ...] = ()  # files that could not be read at all (also in problems)


# ---------------------------------------------------------------- where and when


def calendar_paths(
    root: Path, configured: Iterable[str] = (), extra: Iterable[str | Path] = ()
) -> tuple[Path, ...]:
    """The calendar files to read: config ``calendars`` (``~`` expanded, relative paths
    relative to the vault ``root``) and then ``extra`` (a ``--calendar FILE`` option:
    relative to the working directory, as a shell user expects). Duplicates once."""
    found: dict[Path, None] = {}
    for text in configured:
        path = Path(text).expanduser()
        found.setdefault(path if path.is_absolute() else Path(root) / path)
    for given in extra:
        found.setdefault(Path(given).expanduser())
    seen: set[Path] = set()
    out = []
    for path in found:
        key = path.resolve() if path.exists() else path.absolute()
        if key not in seen:
            seen.add(key)
            out.append(path)
    return tuple(out)


def calendar_window(
    now: dt.datetime, past_days: int = DEFAULT_PAST_DAYS, future_days: int = DEFAULT_FUTURE_DAYS
) -> tuple[dt.datetime, dt.datetime]:
    """The span of meetings worth expanding: ``past_days`` back (last contact) to
    ``future_days`` ahead (agenda, prep). ``now`` must be aware."""
    _require_aware(now, "now")
    return now - dt.timedelta(days=past_days), now + dt.timedelta(days=future_days)


def local_timezone() -> dt.tzinfo:
    """The zone floating times are in: the system's (``TZ`` or /etc/localtime), with its
    DST rules. The CLI asks once and passes it down; the library never guesses."""
    from dateutil import tz

    return tz.gettz() or dt.UTC


def day_window(
    now: dt.datetime, past_days: int = DEFAULT_PAST_DAYS, future_days: int = DEFAULT_FUTURE_DAYS
) -> tuple[dt.datetime, dt.datetime]:
    """``calendar_window`` widened to whole days in ``now``'s zone: from the start of the
    day ``past_days`` back to the end of the day ``future_days`` ahead. Every command of
    one day asks the same window, so a read calendar can be kept (``calendar_cache``)."""
    _require_aware(now, "now")
    today = now.date()
    first = dt.datetime.combine(today - dt.timedelta(days=past_days), dt.time(), now.tzinfo)
    last = dt.datetime.combine(today + dt.timedelta(days=future_days + 1), dt.time(), now.tzinfo)
    return first, last


def load_meetings(
    vault: Vault,
    now: dt.datetime,
    paths: Iterable[str | Path] = (),
    *,
    past_days: int = DEFAULT_PAST_DAYS,
    future_days: int = DEFAULT_FUTURE_DAYS,
    tz: dt.tzinfo | None = None,
    strict: bool = True,
    cache: bool = True,
) -> CalendarRead:
    """The meetings of the vault's configured calendars plus ``paths`` (``--calendar``),
    within ``day_window(now, past_days, future_days)``; config ``me`` and
    ``max_attendees`` apply. No calendar configured or given: nothing, no error, and
    nothing read or imported.

    A configured calendar that cannot be read is a problem in the result (the others
    are still read); one of ``paths``, which the user just named, is a
    ``CalendarError`` unless ``strict`` is False. With ``cache``, what a file holds is
    kept under ``.vaultcrm/cache/`` until it changes (``calendar_cache``)."""
    config = vault.config
    configured = calendar_paths(vault.root, config.calendars)
    files = calendar_paths(vault.root, config.calendars, paths)
    if not files:
        return CalendarRead()
    tz = tz or local_timezone()
    start, end = day_window(now, past_days, future_days)
    reads: list[CalendarRead] = []
    for path in files:
        try:
            reads.append(
                _read_kept(vault, path, start, end, config.me, config.max_attendees, tz, cache)
            )
        except CalendarError as exc:
            if strict and path not in configured:
                raise
            reads.append(_unread(exc))
    return merge_reads(reads)


def _read_kept(
    vault: Vault,
    path: Path,
    start: dt.datetime,
    end: dt.datetime,
    me: Iterable[str],
    max_attendees: int,
    tz: dt.tzinfo,
    cache: bool,
) -> CalendarRead:
    """``read_calendar``, through the cache when ``cache``."""

    def read() -> CalendarRead:
        return read_calendar(path, start, end, me=me, max_attendees=max_attendees, tz=tz)

    if not cache:
        return read()
    from . import calendar_cache

    def plain() -> tuple:
        found = read()
        return found.meetings, found.problems, asdict(found.skipped)

    key = {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "me": sorted(m.casefold() for m in me),
        "max_attendees": max_attendees,
        "tz": calendar_cache.zone_key(tz, range(start.year, end.year + 1)),
    }
    meetings, problems, skipped = calendar_cache.cached(vault.state_dir, path, key, plain)
    return CalendarRead(meetings, problems, Skipped(**skipped))


# ---------------------------------------------------------------- reading


def read_calendars(
    paths: Iterable[str | Path],
    start: dt.datetime,
    end: dt.datetime,
    *,
    me: Iterable[str] = (),
    max_attendees: int = 20,
    tz: dt.tzinfo | None = None,
    strict: bool = True,
) -> CalendarRead:
    """Every meeting in ``paths`` that starts in [start, end), sorted by start.

    An event exported into two of the files (same UID and start) counts once. A file
    that cannot be read raises ``CalendarError``, or with ``strict=False`` becomes a
    problem while the other files are still read."""
    reads = []
    for path in paths:
        try:
            reads.append(read_calendar(path, start, end, me=me, max_attendees=max_attendees, tz=tz))
        except CalendarError as exc:
            if strict:
                raise
            reads.append(_unread(exc))
    return merge_reads(reads)


def _unread(exc: CalendarError) -> CalendarRead:
    problem = Problem(str(exc.path), exc.line, exc.message)
    return CalendarRead(problems=(problem,), unread=(problem,))


def merge_reads(reads: Iterable[CalendarRead]) -> CalendarRead:
    """Several files' meetings as one calendar, sorted by start; an event exported into
    two of them (same UID and start) counts once."""
    meetings: dict[tuple[str, dt.datetime] | int, Meeting] = {}
    problems: list[Problem] = []
    unread: list[Problem] = []
    skipped = Skipped()
    for read in reads:
        for meeting in read.meetings:
            key = (meeting.uid, meeting.start) if meeting.uid else len(meetings)
            meetings.setdefault(key, meeting)
        problems.extend(read.problems)
        unread.extend(read.unread)
        skipped += read.skipped
    ordered = sorted(meetings.values(), key=lambda m: (m.start, m.title, m.uid))
    return CalendarRead(tuple(ordered), tuple(problems), skipped, tuple(unread))


def read_calendar(
    path: str | Path,
    start: dt.datetime,
    end: dt.datetime,
    *,
    me: Iterable[str] = (),
    max_attendees: int = 20,
    tz: dt.tzinfo | None = None,
) -> CalendarRead:
    """The meetings of one .ics file that start in [start, end); see the module doc."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    path = Path(path)
    tz = tz or local_timezone()
    mine = frozenset(m.removeprefix("mailto:").casefold() for m in me)
    scan = _scan_file(path, start.date(), end.date(), max_attendees)
    reader = _Reader(path, start, end, mine, max_attendees, tz, scan)
    return reader.read()


def _require_aware(when: dt.datetime, name: str) -> None:
    if not isinstance(when, dt.datetime) or when.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not {when!r}")


# ---------------------------------------------------------------- streaming the file


@dataclass
class _Scan:
    """What the streaming pass kept: calendar properties, time zones, event texts."""

    header: list[str] = field(default_factory=list)
    timezones: list[str] = field(default_factory=list)
    events: list[list[str]] = field(default_factory=list)  # series and their overrides
    singles: list[list[str]] = field(default_factory=list)  # events that happen once
    recurring_uids: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    skipped: Skipped = field(default_factory=Skipped)


_TOO_OFTEN = {"SECONDLY", "MINUTELY"}


def _scan_file(path: Path, first: dt.date, last: dt.date, max_attendees: int) -> _Scan:
    from .vault import not_a_file

    odd = not_a_file(path)
    if odd is not None:
        raise CalendarError(odd, path)
    try:
        handle = open(path, encoding="utf-8-sig", errors="replace", newline=None)  # noqa: SIM115
    except FileNotFoundError:
        raise CalendarError("calendar file does not exist", path) from None
    except IsADirectoryError:
        raise CalendarError("is a folder, not a calendar (.ics) file", path) from None
    except OSError as exc:
        raise CalendarError(f"cannot read the calendar: {exc.strerror or exc}", path) from None
    try:
        with handle:
            return _Scanner(path, first, last, max_attendees).scan(handle)
    except OSError as exc:
        raise CalendarError(f"cannot read the calendar: {exc.strerror or exc}", path) from None


def _physical_lines(
    handle: TextIO,
    at_top: Callable[[], bool] = lambda: False,
    passes: Callable[[list[str]], bool] = lambda block: False,
) -> Iterator[str | int | None]:
    """Each line without its end, read in chunks and split in C.

    A line over ``MAX_LINE`` characters is read past, never held whole, and comes as
    None when it starts a content line, or as ``_OVERLONG_FOLD`` when it continues one.
    (The file is opened with universal newlines: CRLF and CR arrive as LF.)

    An event at the top of the calendar (``at_top()`` when it begins) that ``passes``
    says is of no interest comes as the number of its lines instead: most events of a
    big export are far from the window, and are passed over without a look at each line."""
    carry = ""
    skipping: bool | None = None  # an overlong line is being read past: was it a fold?
    while True:
        chunk = handle.read(_CHUNK)
        if not chunk:
            break
        if skipping is not None:
            cut = chunk.find("\n")
            if cut < 0:
                continue
            yield _OVERLONG_FOLD if skipping else None
            skipping, chunk = None, chunk[cut + 1 :]
        lines = (carry + chunk).split("\n")
        carry = lines.pop()
        yield from _passing(lines, at_top, passes)
        if len(carry) > MAX_LINE:
            skipping, carry = carry[:1] in " \t", ""
    if skipping is not None:
        yield _OVERLONG_FOLD if skipping else None
    elif carry:
        yield carry


def _passing(
    lines: list[str], at_top: Callable[[], bool], passes: Callable[[list[str]], bool]
) -> Iterator[str | int]:
    """``lines``, with each whole event (``BEGIN:VEVENT`` to ``END:VEVENT``, as written
    by every exporter) that begins at the top and ``passes`` as its number of lines.
    An event that is not whole in ``lines`` (the chunk ends in it), holds another event,
    or is written otherwise comes line by line, as everything else."""
    at, count = 0, len(lines)
    while at < count:
        try:
            begin = lines.index("BEGIN:VEVENT", at)
        except ValueError:
            yield from lines[at:] if at else lines
            return
        yield from lines[at:begin]  # the reader takes these before at_top() is asked
        at = begin + 1
        if not at_top():
            yield lines[begin]
            continue
        try:
            end = lines.index("END:VEVENT", at)
        except ValueError:
            end = -1
        block = lines[begin : end + 1] if end > 0 else None
        if block is not None and "BEGIN:VEVENT" not in block[1:] and passes(block):
            yield len(block)
            at = end + 1
        else:
            yield lines[begin]


def _name_of(line: str) -> str:
    """A content line's property name, upper-case (``DTSTART;TZID=...:...`` → DTSTART)."""
    found = _NAME.match(line)
    name = found[0] if found else ""
    return name if name.isupper() else name.upper()


def _date_in(value: str) -> dt.date | None:
    m = _DATE.match(value)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _value_of(line: str) -> tuple[str, str]:
    """(parameters, value) of a short content line such as DTSTART; a TZID may be quoted
    and hold colons (Outlook's ``"(UTC+01:00) Amsterdam"``), a date value never does."""
    head, _, value = line.rpartition(":")
    return head.upper(), value.strip()


class _Scanner:
    """One pass over the file: keep what may fall in the window, drop the rest."""

    def __init__(self, path: Path, first: dt.date, last: dt.date, max_attendees: int):
        self.path = path
        self.first = first - dt.timedelta(days=1)  # a day's margin for time zones
        self.last = last + dt.timedelta(days=1)
        self.max_attendees = max_attendees
        self.out = _Scan()
        self.tzids: set[str] = set()

    def problem(self, line: int | None, message: str) -> None:
        self.out.problems.append(Problem(str(self.path), line, message))

    def scan(self, handle: TextIO) -> _Scan:
        """The streaming pass. Most lines of a big export are dropped (descriptions,
        alarms, X- properties, events outside the window), so the loop tells them by
        their first three characters before it reads a property name."""
        started = False
        stack: list[str] = []  # the open components, outermost first
        kept: list[str] | None = None  # logical lines of the event or time zone being read
        target: list[str] | None = None  # where the line being unfolded goes
        in_event = False  # directly inside a VEVENT: its properties are being read
        event_line = attendees = 0
        large = False
        pending: str | None = None  # the logical line being unfolded, if it is kept

        number = 0
        for line in _physical_lines(handle, lambda: len(stack) == 1, self.far):
            if line.__class__ is int:  # a whole event far from the window: passed over
                if pending is not None and target is not None:
                    target.append(pending)
                pending = target = None
                number += line  # type: ignore[operator]
                continue
            number += 1
            if line is None:  # overlong: dropped whole, never held
                if pending is not None and target is not None:
                    target.append(pending)
                pending = None
                if "VEVENT" in stack:
                    self.problem(number, f"a line of over {MAX_LINE:,} characters is skipped")
                continue
            first = line[:1]
            if first == " " or first == "\t":  # a folded continuation of the line before
                if pending is not None:
                    if line is _OVERLONG_FOLD or len(pending) + len(line) > MAX_LINE:
                        pending = None
                        self.problem(number, f"a line of over {MAX_LINE:,} characters is skipped")
                    else:
                        pending += line[1:]  # type: ignore[index]
                continue
            if pending is not None:
                if target is kept and in_event and pending[:8].upper() == "ATTENDEE":
                    attendees += 1  # rooms are told apart at the end, for kept events only
                    if attendees > self.max_attendees + _ROOM_ALLOWANCE:
                        large = True  # not kept: a 5,000-person all-hands stays small
                    else:
                        kept.append(pending)  # type: ignore[union-attr]
                else:
                    target.append(pending)  # type: ignore[union-attr]
                pending = None
            head = line[:3]
            if (
                head not in _HEADS
                and (in_event or (len(stack) > 2 and stack[1] != "VTIMEZONE"))
                and head.upper() not in _HEADS
            ):
                continue  # a property nobody reads, or inside an alarm
            if not line.strip():
                continue
            name = _name_of(line)
            if not started:
                if name == "BEGIN" and line.partition(":")[2].strip().upper() == "VCALENDAR":
                    started = True
                    stack.append("VCALENDAR")  # in place: _physical_lines asks it
                    continue
                raise CalendarError(
                    "not an iCalendar file (it should start with BEGIN:VCALENDAR)", self.path
                )
            if name == "BEGIN":
                what = line.partition(":")[2].strip().upper()
                stack.append(what)
                in_event = stack == ["VCALENDAR", "VEVENT"]
                if in_event:
                    kept, event_line, attendees, large = [f"{_LINE_KEY}:{number}"], number, 0, False
                elif len(stack) == 2 and what == "VTIMEZONE":
                    kept = [line]
                elif kept is not None and stack[1:2] == ["VTIMEZONE"]:
                    kept.append(line)  # STANDARD / DAYLIGHT inside a time zone
                continue
            if name == "END":
                what = line.partition(":")[2].strip().upper()
                if what not in stack:
                    self.problem(number, f"END:{what} without its BEGIN is ignored")
                    continue
                while stack[-1] != what:
                    stack.pop()  # components left open inside this one
                stack.pop()
                in_event = stack == ["VCALENDAR", "VEVENT"]
                if len(stack) == 1 and kept is not None:
                    if what == "VEVENT":
                        self.end_event(kept, large)
                    elif what == "VTIMEZONE":
                        kept.append(line)
                        self.end_timezone(kept)
                    kept = None
                elif kept is not None and stack[1:2] == ["VTIMEZONE"]:
                    kept.append(line)
                elif not stack:
                    kept = None
                continue
            target = None
            if len(stack) == 1:
                target = self.out.header if name in _CALENDAR_KEEP else None
            elif (kept is not None and stack[1] == "VTIMEZONE") or (in_event and name in _KEEP):
                target = kept  # not: alarms, descriptions, attachments
            if target is not None:
                pending = line
        if pending is not None and target is not None:
            target.append(pending)
        if not started:
            raise CalendarError(
                "not an iCalendar file (it should start with BEGIN:VCALENDAR)", self.path
            )
        if "VEVENT" in stack:
            self.problem(event_line, "the file ends inside this event (cut off?); it is skipped")
        return self.out

    def far(self, block: list[str]) -> bool:
        """Whether a whole event can be passed over unread: it happens once (no RRULE,
        RDATE or RECURRENCE-ID) and its one DTSTART is far from the window, which is
        what ``end_event`` would find too. Anything else is read line by line."""
        found = _FAR_PARTS.findall("\n".join(block))
        if len(found) != 1 or found[0][0]:
            return False  # a series, an override, no DTSTART or several
        day = _date_in(found[0][1])
        return day is not None and not self.near(day)

    def end_timezone(self, lines: list[str]) -> None:
        """Keep a VTIMEZONE only for a zone known by no name: a definition of a known
        zone (an IANA name, or Outlook's Windows names such as "W. Europe Standard
        Time") is left to zoneinfo, which is exact and fast (icalendar evaluates a
        VTIMEZONE's rules from 1601 on every lookup: seconds for a big calendar)."""
        tzid = next((ln.partition(":")[2].strip() for ln in lines if _name_of(ln) == "TZID"), "")
        if tzid not in self.tzids and not _known_zone(tzid):  # Outlook repeats a zone
            self.tzids.add(tzid)
            self.out.timezones.extend(lines)

    def end_event(self, lines: list[str], large: bool) -> None:
        """Keep the event if it can matter in the window; count why not otherwise.

        Attendees (less rooms) are counted only for an event that is kept."""
        start_day = recurrence_day = until = None
        all_day = cancelled = rule = override = False
        uid = ""
        for line in lines:
            head = line[:3].upper()
            if head == "ATT" or head not in _HEADS:
                continue
            name = _name_of(line)
            if name == "UID":
                uid = line.partition(":")[2].strip()
            elif name == "DTSTART":
                params, value = _value_of(line)
                start_day = _date_in(value)
                all_day = "VALUE=DATE" in params and "VALUE=DATE-TIME" not in params
                all_day = all_day or (len(value) == 8 and value.isdigit())
            elif name in ("RRULE", "RDATE"):
                rule = True
                if name == "RRULE":
                    found = _UNTIL.search(line)
                    until = _date_in(found[1]) if found else None
            elif name == "RECURRENCE-ID":
                override = True
                recurrence_day = _date_in(_value_of(line)[1])
            elif name == "STATUS":
                cancelled = _value_of(line)[1].upper() == "CANCELLED"
        if rule or override:
            self.out.recurring_uids.add(uid)
        if override:  # an instance moved or changed: keep it if either day is near
            if not (self.near(start_day) or self.near(recurrence_day)):
                return
            if large or self.too_large(lines):
                lines.append(f"{_LARGE_KEY}:1")
            self.out.events.append(lines)
            return
        if rule:  # a series: keep it unless its rule ended before the window
            if until is not None and until < self.first:
                return
            if all_day:
                self.out.skipped += Skipped(all_day=1)
            elif large or self.too_large(lines):
                self.out.skipped += Skipped(large=1)
            else:
                self.out.events.append(lines)
            return
        if start_day is not None and not self.near(start_day):
            return
        if all_day:
            self.out.skipped += Skipped(all_day=1)
        elif cancelled:
            self.out.skipped += Skipped(cancelled=1)
        elif large or self.too_large(lines):
            self.out.skipped += Skipped(large=1)
        else:
            self.out.singles.append(lines)  # also without DTSTART: the parser reports it

    def too_large(self, lines: list[str]) -> bool:
        """More attendees than ``max_attendees``, rooms and resources not counted."""
        people = sum(
            1
            for line in lines
            if line[:8].upper() == "ATTENDEE"
            and _name_of(line) == "ATTENDEE"
            and not _not_a_person(line)
        )
        return people > self.max_attendees

    def near(self, day: dt.date | None) -> bool:
        return day is not None and self.first <= day <= self.last


@functools.cache
def _known_zone(tzid: str) -> bool:
    """Whether icalendar finds ``tzid`` without its VTIMEZONE: IANA or a Windows name."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    name = tzid.strip().strip('"').strip("/")
    if name in WINDOWS_TO_OLSON:
        return True
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError, OSError):
        return False
    return True


def _not_a_person(line: str) -> bool:
    """A room or resource booked through ATTENDEE (Outlook, Google): not a person."""
    head = line.rpartition(":")[0].upper() if ":" in line else line.upper()
    found = re.search(r";CUTYPE=\"?([A-Z-]+)", head)
    return bool(found) and found[1] in _NOT_PEOPLE


# ---------------------------------------------------------------- parsing what was kept


@dataclass(frozen=True)
class _Shape:
    """An event's meeting without its times; ``skip`` says why it does not count."""

    uid: str
    title: str
    attendees: tuple[Attendee, ...]
    organizer: Attendee | None
    location: str
    line: int
    skip: str = ""  # cancelled | large | declined


@functools.cache
def _plain_events() -> Any:
    """How recurring-ical-events is asked for events: each occurrence as (component,
    start, end). By default the library copies the whole component for every
    occurrence (a year of a weekly 1:1 is 52 copies, with every attendee), which was
    most of the time of reading a calendar; its documented extension points (an adapter
    and an occurrence class for ``ComponentsWithName``) hand the component over as it
    is. The component is the series' or, for a changed instance, the override's."""
    from recurring_ical_events import ComponentsWithName, EventAdapter, Occurrence

    class Source(EventAdapter):
        def __init__(self, component: Any):
            super().__init__(component)
            self.source = component

    class Plain(Occurrence):
        def __init__(self, adapter: Any, start: Any = None, end: Any = None, sequence=-1):
            super().__init__(adapter, start, end, sequence)
            self.source = adapter.source

        def as_component(self, keep_recurrence_attributes: bool) -> Any:  # noqa: FBT001
            return self.source, self.start, self.end

    return ComponentsWithName("VEVENT", adapter=Source, occurrence=Plain)


class _Reader:
    """Parse the kept events with icalendar, expand the series, make Meetings."""

    def __init__(
        self,
        path: Path,
        start: dt.datetime,
        end: dt.datetime,
        me: frozenset[str],
        max_attendees: int,
        tz: dt.tzinfo,
        scan: _Scan,
    ):
        self.path = path
        self.start, self.end = start, end
        self.me = me
        self.max_attendees = max_attendees
        self.tz = tz
        self.scan = scan
        self.problems: list[Problem] = list(scan.problems)
        self.skipped = scan.skipped
        self.shapes: dict[int, tuple[Any, _Shape]] = {}

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(str(self.path), line, message))

    def read(self) -> CalendarRead:
        """Single events the simple way when they are simple (``fast``), everything
        else, and every series, through icalendar and recurring-ical-events."""
        slow = list(self.scan.events)
        meetings: list[Meeting] = []
        zone = self.calendar_zone()
        for lines in self.scan.singles:
            uid = next((ln.partition(":")[2].strip() for ln in lines if ln.startswith("UID")), "")
            found = (
                _SLOW if uid in self.scan.recurring_uids or not _FAST else self.fast(lines, zone)
            )
            if found is _SLOW:
                slow.append(lines)
            elif found is not None:
                meetings.append(found)  # type: ignore[arg-type]
        if slow:
            components = self.parse(slow)
            singles, series = [], []
            recurring_uids = {
                str(c.get("UID", ""))
                for c in components
                if c.get("RRULE") is not None
                or c.get("RDATE") is not None
                or c.get("RECURRENCE-ID") is not None
            }
            for component in components:
                if not self.readable(component):
                    continue
                uid = str(component.get("UID", ""))
                (series if uid and uid in recurring_uids else singles).append(component)
            meetings.extend(m for c in singles if (m := self.meeting(c, recurring=False)))
            meetings.extend(self.expand(series))
        meetings.sort(key=lambda m: (m.start, m.title))
        return CalendarRead(tuple(meetings), tuple(self.problems), self.skipped)

    def calendar_zone(self) -> dt.tzinfo | None | object:
        """The zone of floating times: X-WR-TIMEZONE's, else None (the user's ``tz``);
        ``_SLOW`` when X-WR-TIMEZONE names no known zone (icalendar's path reports it)."""
        for line in self.scan.header:
            if _name_of(line) == "X-WR-TIMEZONE":
                return _zone(line.partition(":")[2].strip()) or _SLOW
        return None

    def fast(self, lines: list[str], zone: dt.tzinfo | None | object) -> Meeting | None | object:
        """A single event read without icalendar, for the common shapes only: times in
        UTC, in a known zone (IANA or Windows name) or floating, and plain properties.
        Anything else returns ``_SLOW`` and goes through icalendar, which also reports
        what is wrong. The same Meeting as icalendar's path (tested on every fixture
        and on generated exports): 5-10x faster, which is what keeps a calendar of
        10,000 events under a second."""
        if zone is _SLOW:
            return _SLOW
        props: dict[str, tuple[dict[str, str], str]] = {}
        people: list[tuple[dict[str, str], str]] = []
        organizer = None
        line_no = 0
        for line in lines:
            parsed = _split_line(line)
            if parsed is None:
                return _SLOW
            name, params, value = parsed
            if name == "ATTENDEE":
                people.append((params, value))
            elif name == "ORGANIZER":
                organizer = (params, value)
            elif name == _LINE_KEY:
                line_no = int(value)
            elif name in ("DURATION", "DTSTART", "DTEND") and name in props:
                return _SLOW  # repeated: let the library decide
            else:
                props[name] = (params, value)
        if "DURATION" in props or "DTSTART" not in props:
            return _SLOW
        begin = self.fast_time(*props["DTSTART"], zone)
        finish = self.fast_time(*props["DTEND"], zone) if "DTEND" in props else begin
        if begin is None or finish is None:
            return _SLOW
        attendees, everyone = [], []
        for params, value in people:
            attendee = _fast_address(params, value)
            if attendee is None:
                continue
            everyone.append(attendee)
            if params.get("CUTYPE", "").upper() not in _NOT_PEOPLE:
                attendees.append(attendee)
        if len(attendees) > self.max_attendees:
            self.skipped += Skipped(large=1)
            return None
        if any(a.email.casefold() in self.me and a.partstat == "DECLINED" for a in everyone):
            self.skipped += Skipped(declined=1)
            return None
        if not (self.start <= begin < self.end):
            return None
        return Meeting(
            uid=_unescape(props.get("UID", ({}, ""))[1]),
            title=_unescape(props.get("SUMMARY", ({}, ""))[1]).strip(),
            start=begin,
            end=max(finish, begin),
            attendees=tuple(attendees),
            organizer=_fast_address(*organizer) if organizer else None,
            location=_unescape(props.get("LOCATION", ({}, ""))[1]).strip(),
            source=str(self.path),
            line=line_no,
            recurring=False,
        )

    def fast_time(
        self, params: dict[str, str], value: str, zone: dt.tzinfo | None | object
    ) -> dt.datetime | None:
        """A DATE-TIME as icalendar (and x-wr-timezone) would make it; None if unusual."""
        if set(params) - {"TZID", "VALUE"} or params.get("VALUE", "DATE-TIME") != "DATE-TIME":
            return None
        found = _DATE_TIME.fullmatch(value)
        if not found:
            return None
        try:
            naive = dt.datetime(*(int(part) for part in found.groups()[:6]))
        except ValueError:
            return None
        if found[7]:  # UTC; an X-WR-TIMEZONE calendar shows it in its zone
            if "TZID" in params:
                return None
            when = naive.replace(tzinfo=dt.UTC)
            return when.astimezone(zone) if isinstance(zone, dt.tzinfo) else when
        if "TZID" in params:
            tz = _zone(params["TZID"])
            return naive.replace(tzinfo=tz) if tz is not None else None
        return naive.replace(tzinfo=zone if isinstance(zone, dt.tzinfo) else self.tz)

    def parse(self, events: list[list[str]]) -> list[Any]:
        """The kept events as icalendar components, in standard time zones (Google's
        X-WR-TIMEZONE applied). A line icalendar cannot take costs its event only."""
        import icalendar

        head = ["BEGIN:VCALENDAR", *self.scan.header, *self.scan.timezones]
        text = "\r\n".join(
            [*head, *(ln for ev in events for ln in ("BEGIN:VEVENT", *ev, "END:VEVENT"))]
        )
        try:
            calendar = icalendar.Calendar.from_ical(text + "\r\nEND:VCALENDAR\r\n")
        except (ValueError, KeyError, IndexError, TypeError):
            calendar = self.parse_each(head, events)
        if calendar.get("X-WR-TIMEZONE") is not None:  # it would give an unknown zone's
            calendar.subcomponents = [  # times its own: those events are reported first
                c for c in calendar.subcomponents if c.name != "VEVENT" or self.readable(c)
            ]
        calendar = self.standard(calendar)
        return list(calendar.walk("VEVENT"))

    def parse_each(self, head: list[str], events: list[list[str]]) -> Any:
        """Event by event, when the whole would not parse: the bad ones are reported."""
        import icalendar

        try:
            calendar = icalendar.Calendar.from_ical("\r\n".join([*head, "END:VCALENDAR", ""]))
        except (ValueError, KeyError, IndexError, TypeError):
            raise CalendarError(
                "the calendar's time zone definitions cannot be read", self.path
            ) from None
        for lines in events:
            text = "\r\n".join([*head, "BEGIN:VEVENT", *lines, "END:VEVENT", "END:VCALENDAR", ""])
            try:
                parsed = icalendar.Calendar.from_ical(text)
            except (ValueError, KeyError, IndexError, TypeError):
                line = int(lines[0].partition(":")[2])
                self.problem(line, "this event is not valid iCalendar; it is skipped")
                continue
            for event in parsed.walk("VEVENT"):
                calendar.add_component(event)
        return calendar

    def standard(self, calendar: Any) -> Any:
        import x_wr_timezone

        zone = calendar.get("X-WR-TIMEZONE")
        if zone is None:
            return calendar
        try:
            return x_wr_timezone.to_standard(calendar)
        except Exception:  # noqa: BLE001 - zoneinfo's several "no such zone" errors
            self.problem(
                None,
                f"unknown time zone {str(zone)!r} in X-WR-TIMEZONE; "
                "times without a zone are read as local time",
            )
            del calendar["X-WR-TIMEZONE"]
            return calendar

    def readable(self, component: Any) -> bool:
        """Whether the times of an event can be read; a problem with its line if not."""
        line = _line_of(component)
        title = str(component.get("SUMMARY", "")).strip() or "(no title)"
        broken = [name for name, _ in getattr(component, "errors", ()) if name in _READ_PROPS]
        if broken:
            self.problem(line, f"event {title!r}: its {broken[0]} cannot be read; skipped")
            return False
        if component.get("DTSTART") is None:
            self.problem(line, f"event {title!r} has no start (DTSTART); skipped")
            return False
        for name in _TIME_PROPS:
            prop = component.get(name)
            tzid = getattr(prop, "params", {}).get("TZID") if prop is not None else None
            value = getattr(prop, "dt", None)
            if tzid and isinstance(value, dt.datetime) and value.tzinfo is None:
                self.problem(line, f"event {title!r}: unknown time zone {str(tzid)!r}; skipped")
                return False
        return True

    def expand(self, series: list[Any]) -> list[Meeting]:
        """Occurrences of the recurring events in the window, overrides applied."""
        if not series:
            return []
        import icalendar
        from recurring_ical_events import CalendarQuery

        by_uid: dict[str, list[Any]] = {}
        for component in series:
            by_uid.setdefault(str(component.get("UID", "")), []).append(component)
        groups = [group for group in by_uid.values() if self.bounded(group)]
        out: list[Meeting] = []
        try:
            out = self.occurrences(groups, icalendar, CalendarQuery)
        except Exception:  # noqa: BLE001 - one bad series: find it, keep the others
            out = []
            for group in groups:
                try:
                    out.extend(self.occurrences([group], icalendar, CalendarQuery))
                except Exception:  # noqa: BLE001 - the library's errors are many
                    title = str(group[0].get("SUMMARY", "")).strip() or "(no title)"
                    self.problem(
                        _line_of(group[0]),
                        f"recurring event {title!r} cannot be expanded; skipped",
                    )
        return out

    def bounded(self, group: list[Any]) -> bool:
        """A series repeats at most hourly: every second or minute, it is no meeting,
        and expanding it over the window would take minutes and gigabytes."""
        for component in group:
            rule = component.get("RRULE")
            freq = rule.get("FREQ", []) if hasattr(rule, "get") else []
            if any(str(f).upper() in _TOO_OFTEN for f in freq):
                title = str(component.get("SUMMARY", "")).strip() or "(no title)"
                self.problem(
                    _line_of(component),
                    f"recurring event {title!r} repeats every {str(freq[0]).lower()[:-2]}; skipped",
                )
                return False
        return True

    def occurrences(self, groups: list[list[Any]], icalendar: Any, query: Any) -> list[Meeting]:
        calendar = icalendar.Calendar()
        for group in groups:
            for component in group:
                calendar.add_component(component)
        out = []
        # The window in UTC: the library compares it with each occurrence in its own zone.
        found = query(calendar, components=[_plain_events()]).between(self.start, self.end)
        for source, begin, finish in found:
            meeting = self.occurrence(source, begin, finish, recurring=True)
            if meeting is not None:
                out.append(meeting)
        return out

    def meeting(self, event: Any, *, recurring: bool) -> Meeting | None:
        """The Meeting an event is, or None when it does not count."""
        try:
            finish = event.end
        except Exception:  # noqa: BLE001 - an end before the start, a broken DURATION
            finish = None
        return self.occurrence(event, event.get("DTSTART").dt, finish, recurring=recurring)

    def occurrence(self, event: Any, begin: Any, finish: Any, *, recurring: bool) -> Meeting | None:
        """The Meeting of ``event`` from ``begin`` to ``finish`` (one occurrence of a
        series, or a single event), or None when it does not count."""
        if not isinstance(begin, dt.datetime):
            self.skipped += Skipped(all_day=1)
            return None
        shape = self.shape(event)
        if shape.skip:
            self.skipped += Skipped(**{shape.skip: 1})
            return None
        begin = self.aware(begin)
        if not (self.start <= begin < self.end):
            return None
        finish = self.aware(finish) if isinstance(finish, dt.datetime) else begin
        return Meeting(
            uid=shape.uid,
            title=shape.title,
            start=begin,
            end=max(finish, begin),
            attendees=shape.attendees,
            organizer=shape.organizer,
            location=shape.location,
            source=str(self.path),
            line=shape.line,
            recurring=recurring,
        )

    def shape(self, event: Any) -> _Shape:
        """What a meeting of ``event`` is besides its times, read once per component:
        a weekly series has a hundred occurrences of the same people and title."""
        key = id(event)
        found = self.shapes.get(key)
        if found is not None and found[0] is event:
            return found[1]
        attendees, everyone = _attendees(event)
        skip = ""
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            skip = "cancelled"
        elif event.get(_LARGE_KEY) is not None or len(attendees) > self.max_attendees:
            skip = "large"
        elif any(a.email.casefold() in self.me and a.partstat == "DECLINED" for a in everyone):
            skip = "declined"
        shape = _Shape(
            uid=str(event.get("UID", "")),
            title=str(event.get("SUMMARY", "")).strip(),
            attendees=attendees,
            organizer=_address(event.get("ORGANIZER")),
            location=str(event.get("LOCATION", "")).strip(),
            line=_line_of(event) or 0,
            skip=skip,
        )
        self.shapes[key] = (event, shape)
        return shape

    def aware(self, when: dt.datetime) -> dt.datetime:
        """A floating time is the user's local time (RFC 5545 §3.3.5)."""
        return when.replace(tzinfo=self.tz) if when.tzinfo is None else when


# ---------------------------------------------------------------- the fast path's reading

_FAST = True  # tests turn it off to check that both paths make the same meetings
_SLOW = object()
_DATE_TIME = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)")
_TEXT_ESCAPES = re.compile(r"\\([\\;,nN])")


@functools.cache
def _zone(tzid: str) -> dt.tzinfo | None:
    """The zoneinfo zone for an IANA or Windows zone name, as icalendar resolves it."""
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    name = tzid.strip().strip('"').strip("/")
    name = WINDOWS_TO_OLSON.get(name, name)
    try:
        return zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError, OSError):
        return None


def _split_line(line: str) -> tuple[str, dict[str, str], str] | None:
    """(NAME, {PARAM: value}, value) of a content line (RFC 5545 §3.1), or None for
    anything unusual (RFC 6868 ^-escapes, backslashes in parameters, a repeated
    parameter, no value): the library's path reads those."""
    name = _name_of(line)
    at, end = len(name), len(line)
    params: dict[str, str] = {}
    while at < end and line[at] == ";":
        equals = line.find("=", at)
        if equals < 0:
            return None
        key = line[at + 1 : equals].upper()
        at, values = equals + 1, []
        while True:
            if at < end and line[at] == '"':
                close = line.find('"', at + 1)
                if close < 0:
                    return None
                values.append(line[at + 1 : close])
                at = close + 1
            else:
                stop = at
                while stop < end and line[stop] not in ",;:":
                    stop += 1
                values.append(line[at:stop])
                at = stop
            if at < end and line[at] == ",":
                at += 1
                continue
            break
        if key in params or any("^" in v or "\\" in v for v in values):
            return None
        params[key] = ",".join(values)
    if at >= end or line[at] != ":":
        return None
    return name, params, line[at + 1 :]


def _unescape(text: str) -> str:
    """RFC 5545 TEXT: ``\\n`` is a line break, ``\\,`` ``\\;`` ``\\\\`` the character."""
    if "\\" not in text:
        return text
    return _TEXT_ESCAPES.sub(lambda m: "\n" if m[1] in "nN" else m[1], text)


def _fast_address(params: dict[str, str], value: str) -> Attendee | None:
    """``_address`` for a line read by ``_split_line``."""
    email = value.strip()
    if email[:7].lower() == "mailto:":
        email = email[7:].strip()
    name = params.get("CN", "").strip().strip('"').strip()
    if name.removeprefix("mailto:").casefold() == email.casefold():
        name = ""
    if not email and not name:
        return None
    return Attendee(email, name, params.get("PARTSTAT", "").upper(), params.get("ROLE", "").upper())


def _line_of(component: Any) -> int | None:
    value = component.get(_LINE_KEY)
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _address(value: Any) -> Attendee | None:
    """An ATTENDEE or ORGANIZER as an Attendee; None for an empty one."""
    if value is None:
        return None
    params = getattr(value, "params", {})
    email = str(value).strip()
    if email[:7].lower() == "mailto:":
        email = email[7:].strip()
    name = str(params.get("CN", "")).strip().strip('"').strip()
    if name.removeprefix("mailto:").casefold() == email.casefold():
        name = ""  # Google writes the address as the name when it knows none
    if not email and not name:
        return None
    return Attendee(
        email=email,
        name=name,
        partstat=str(params.get("PARTSTAT", "")).upper(),
        role=str(params.get("ROLE", "")).upper(),
    )


def _attendees(event: Any) -> tuple[tuple[Attendee, ...], tuple[Attendee, ...]]:
    """(the people invited, rooms left out; everyone, for the user's own decline)."""
    people, everyone = [], []
    for value in _as_list(event.get("ATTENDEE")):
        attendee = _address(value)
        if attendee is None:
            continue
        everyone.append(attendee)
        cutype = str(getattr(value, "params", {}).get("CUTYPE", "")).upper()
        if cutype not in _NOT_PEOPLE:
            people.append(attendee)
    return tuple(people), tuple(everyone)
