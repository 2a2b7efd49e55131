"""Calendar meetings matched to the vault's people, and the questions asked of them.

``calendars.py`` reads meetings; this module says who in the vault each one was with
(SPEC §7: email first, then name or alias, folded for case and accents), when each
person was last met according to the calendar (for the last-contact rule, SPEC §4),
what is coming up (agenda), and which meeting ``prep --next`` / ``--date`` /
``--meeting`` mean. Everything here is pure: "now" is always a parameter.

Who counts in a meeting: its organiser and attendees, except the user (config ``me``)
and attendees who declined it. One who never answered (NEEDS-ACTION) is in the meeting
on the agenda and the sheet, but a past meeting is no contact with them: the calendar
does not say they came. A person is matched by any of their addresses (``email:``,
and ``emails:`` as ``import`` writes them); an attendee whose address matches nobody is
matched by the name the calendar gives (CN) against names, aliases and file names,
only when exactly one person answers to it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import AmbiguousNameError, NotFoundError
from .notes import fold
from .people import Directory, Person

_BAD_NAME = re.compile(r'[\\/:*?"<>|\[\]#^\x00-\x1f\x7f]')


@dataclass(frozen=True)
class Attendee:
    """Someone invited to a meeting. ``email`` is the address without ``mailto:``;
    ``name`` is the CN (empty when absent, or when it only repeats the address, as
    Google writes it); ``partstat`` and ``role`` are upper-case iCalendar values
    (``ACCEPTED``, ``DECLINED``, ``REQ-PARTICIPANT``, ...), empty when not given."""

    email: str
    name: str = ""
    partstat: str = ""
    role: str = ""


@dataclass(frozen=True)
class Meeting:
    """One occurrence of a timed event. ``start`` and ``end`` are aware datetimes in the
    event's own time zone (floating times in the reader's ``tz``); ``source`` is the
    .ics file and ``line`` where the event (or the override of this instance) starts."""

    uid: str
    title: str
    start: dt.datetime
    end: dt.datetime
    attendees: tuple[Attendee, ...] = ()
    organizer: Attendee | None = None
    location: str = ""
    source: str = ""
    line: int = 0
    recurring: bool = False

    @property
    def emails(self) -> tuple[str, ...]:
        """Everyone's address, organiser first, folded for comparison."""
        people = ((self.organizer,) if self.organizer else ()) + self.attendees
        return tuple(dict.fromkeys(p.email.casefold() for p in people if p.email))


@dataclass(frozen=True)
class MatchedMeeting:
    """A meeting and the people of the vault in it (none: a meeting without them)."""

    meeting: Meeting
    people: tuple[Person, ...] = ()
    # who of ``people`` never answered the invitation (NEEDS-ACTION): invited, so on the
    # agenda and the sheet, but not known to have come, so no contact (paths)
    unanswered: frozenset[str] = frozenset()

    def met(self) -> tuple[Person, ...]:
        """The people of the vault this meeting counts as contact with."""
        if not self.unanswered:
            return self.people
        return tuple(p for p in self.people if p.path not in self.unanswered)

    @property
    def start(self) -> dt.datetime:
        return self.meeting.start

    @property
    def end(self) -> dt.datetime:
        return self.meeting.end

    @property
    def title(self) -> str:
        return self.meeting.title


@dataclass(frozen=True)
class CalendarContact:
    """The latest past meeting with someone: a contact "from the calendar".

    ``date`` is the meeting's day where the user is (the zone of ``now``); ``source`` is
    the .ics file it came from."""

    date: dt.date
    title: str
    source: str
    start: dt.datetime


# ---------------------------------------------------------------- matching


def person_emails(person: Person) -> tuple[str, ...]:
    """Every address of a person, folded: ``email:`` and the list in ``emails:``."""
    found = [person.email, *person.emails]
    return tuple(
        dict.fromkeys(
            str(e).strip().removeprefix("mailto:").casefold()
            for e in found
            if isinstance(e, str) and "@" in e
        )
    )


class PeopleMatcher:
    """Finds the person an address or a name belongs to; built once for many meetings.

    An address two people share, or a name several people answer to, matches nobody:
    a wrong match would reset the wrong person's last contact."""

    def __init__(self, directory: Directory, me: Iterable[str] = ()):
        self.directory = directory
        self.me = frozenset(m.removeprefix("mailto:").casefold() for m in me)
        by_email: dict[str, dict[str, Person]] = {}
        for person in directory.people:
            for email in person_emails(person):
                by_email.setdefault(email, {})[person.path] = person
        self._by_email = {e: next(iter(p.values())) for e, p in by_email.items() if len(p) == 1}
        self._shared = {e for e, p in by_email.items() if len(p) > 1}
        self._names = {fold(k) for p in directory.people for k in p.keys}
        self._added: dict[str, Person] = {}
        # A calendar invites the same few hundred people thousands of times: each
        # (address, name) is matched once (forgotten when ``add`` changes the answers).
        self._matched: dict[tuple[str, str], Person | None] = {}

    def add(self, person: Person) -> None:
        """Someone about to be created (``import``): found by their addresses and names
        from now on, unless another person already answers to them."""
        for email in person_emails(person):
            if email not in self._shared and email not in self._by_email:
                self._by_email[email] = person
        for key in {fold(k) for k in person.keys} - self._names:
            self._added.setdefault(key, person)
        self._matched.clear()

    def taken(self, name: str) -> bool:
        """Whether anyone in the vault answers to ``name`` (maybe several people)."""
        return fold(name) in self._names or fold(name) in self._added

    def by_email(self, email: str) -> Person | None:
        return self._by_email.get(email.strip().removeprefix("mailto:").casefold())

    def by_name(self, name: str) -> Person | None:
        if not fold(name):
            return None
        return self.directory.lookup(name) or self._added.get(fold(name))

    def match(self, email: str = "", names: Sequence[str] = ()) -> Person | None:
        """Email first, then each name in turn."""
        person = self.by_email(email) if email else None
        for name in names:
            if person is not None:
                break
            person = self.by_name(name)
        return person

    def is_me(self, attendee: Attendee) -> bool:
        return attendee.email.casefold() in self.me

    def present(self, meeting: Meeting) -> list[tuple[Attendee, Person | None]]:
        """Everyone who counts in a meeting (see the module doc), organiser first, each
        address once, with the vault's person for each (None: not in the vault)."""
        found: list[tuple[Attendee, Person | None]] = []
        seen: set[str] = set()
        who = ((meeting.organizer,) if meeting.organizer else ()) + meeting.attendees
        for attendee in who:
            if self.is_me(attendee) or attendee.partstat == "DECLINED":
                continue
            key = attendee.email.casefold() or f"\x00{fold(attendee.name)}"
            if key in seen:
                continue
            seen.add(key)
            pair = (attendee.email, attendee.name)
            if pair in self._matched:
                person = self._matched[pair]
            else:
                person = self.match(attendee.email, (attendee.name,) if attendee.name else ())
                self._matched[pair] = person
            found.append((attendee, person))
        return found

    def matched(self, meeting: Meeting) -> MatchedMeeting:
        """``meeting`` with the vault's people in it (organiser first, each once), and
        those of them who never answered it (NEEDS-ACTION) under any address."""
        found: dict[str, Person] = {}
        answered, silent = set(), set()
        for attendee, person in self.present(meeting):
            if person is not None:
                found.setdefault(person.path, person)
                (silent if attendee.partstat == "NEEDS-ACTION" else answered).add(person.path)
        return MatchedMeeting(meeting, tuple(found.values()), frozenset(silent - answered))

    def attendee_names(self, meeting: Meeting) -> tuple[str, ...]:
        """Who was in a meeting, as a meeting note lists them (``attendees:``): a person
        of the vault by their name, anyone else by the calendar's name for them, else
        their address; the user and those who declined left out."""
        names = [
            person.name if person is not None else (attendee.name or attendee.email)
            for attendee, person in self.present(meeting)
        ]
        return tuple(dict.fromkeys(n for n in names if n))


def match_meetings(
    meetings: Iterable[Meeting], directory: Directory, me: Iterable[str] = ()
) -> list[MatchedMeeting]:
    """Every meeting with the vault's people in it (see the module doc for who counts),
    in the order given; meetings with nobody from the vault have ``people == ()``."""
    matcher = PeopleMatcher(directory, me)
    return [matcher.matched(m) for m in meetings]


# ---------------------------------------------------------------- questions


def calendar_contacts(
    matched: Iterable[MatchedMeeting], now: dt.datetime
) -> dict[str, CalendarContact]:
    """Per person (note path): the latest meeting with them that has started by ``now``.

    A meeting later today is not contact yet; the one in progress is. The date is the
    day in ``now``'s zone, the user's day, whatever zone the event was written in."""
    _require_aware(now)
    latest: dict[str, CalendarContact] = {}
    for item in matched:
        if not item.people or item.start > now:
            continue
        contact = CalendarContact(
            date=item.start.astimezone(now.tzinfo).date(),
            title=item.title,
            source=item.meeting.source,
            start=item.start,
        )
        for person in item.met():
            known = latest.get(person.path)
            if known is None or known.start < contact.start:
                latest[person.path] = contact
    return latest


def calendar_days(matched: Iterable[MatchedMeeting], now: dt.datetime) -> dict[str, list[dt.date]]:
    """Per person (note path): the days, in ``now``'s zone, of every meeting with them
    that has started by ``now``, oldest first, each day once: what the rhythm of a
    relationship counts besides the notes (``rules.contact_days``)."""
    _require_aware(now)
    days: dict[str, set[dt.date]] = {}
    for item in matched:
        if not item.people or item.start > now:
            continue
        day = item.start.astimezone(now.tzinfo).date()
        for person in item.met():
            days.setdefault(person.path, set()).add(day)
    return {path: sorted(found) for path, found in days.items()}


def upcoming_meetings(
    matched: Iterable[MatchedMeeting], now: dt.datetime, days: int
) -> list[MatchedMeeting]:
    """Meetings with the vault's people that have not ended by ``now`` and start by the
    end of the day ``days`` from now (the agenda's ``--days``), soonest first."""
    _require_aware(now)
    until = _day_start(now.date() + dt.timedelta(days=days + 1), now.tzinfo)
    found = [m for m in matched if m.people and m.end > now and m.start < until]
    if not found:
        return []
    return sorted(found, key=_order)


def next_meeting(matched: Iterable[MatchedMeeting], now: dt.datetime) -> MatchedMeeting | None:
    """``prep --next``: the first meeting with anyone in the vault that starts at or
    after ``now``; None when there is none in the calendars' window."""
    _require_aware(now)
    found = [m for m in matched if m.people and m.start >= now]
    return min(found, key=_order) if found else None


def meetings_on(
    matched: Iterable[MatchedMeeting], day: dt.date, tz: dt.tzinfo
) -> list[MatchedMeeting]:
    """``prep --date D``: the meetings with the vault's people on ``day`` in zone ``tz``
    (the user's), in order."""
    found = [m for m in matched if m.people and m.start.astimezone(tz).date() == day]
    return sorted(found, key=_order)


def find_meeting(matched: Iterable[MatchedMeeting], text: str, now: dt.datetime) -> MatchedMeeting:
    """``prep --meeting TEXT``: the soonest meeting not yet over whose title holds TEXT
    (folded for case and accents), with people from the vault; an exact title wins
    over a partial one. ``NotFoundError`` with the coming titles when none does.

    The occurrences of one series, and meetings of one title, are one meeting: the
    soonest is meant. TEXT in the titles of different meetings ("henk" in "1:1 Henk"
    and "Lunch with Henk") is ``AmbiguousNameError`` with each one's next time."""
    _require_aware(now)
    wanted = fold(text)
    coming = [m for m in matched if m.end > now]
    titled = [m for m in coming if wanted and wanted in fold(m.title)]
    with_people = [m for m in titled if m.people]
    if not with_people:
        if titled:
            raise NotFoundError(f"the meeting '{titled[0].title}' has no one from the vault in it")
        titles = [m.title for m in sorted(coming, key=_order) if m.people and m.title]
        raise NotFoundError(
            f"no coming meeting's title holds '{text}'", list(dict.fromkeys(titles))[:3]
        )
    exact = [m for m in with_people if fold(m.title) == wanted]
    found = sorted(exact or with_people, key=_order)
    first = found[0]
    others = [
        m
        for m in found
        if m.meeting.uid != first.meeting.uid and fold(m.title) != fold(first.title)
    ]
    if others:
        choices: dict[tuple[str, str], MatchedMeeting] = {}
        for m in found:  # one line per meeting: its next time
            choices.setdefault((m.meeting.uid, fold(m.title)), m)
        labels = [
            f"{m.title} ({m.start.astimezone(now.tzinfo):%Y-%m-%d %H:%M})" for m in choices.values()
        ]
        raise AmbiguousNameError(text, list(dict.fromkeys(labels))[:10], what="meetings")
    return first


def meeting_note_name(meeting: Meeting, tz: dt.tzinfo) -> str:
    """``YYYY-MM-DD Title``: a meeting note's file name for ``prep --save``, on the
    meeting's day in ``tz``, with what a file name or a [[link]] cannot hold replaced
    (``1:1 Henk`` → ``1-1 Henk``)."""
    day = meeting.start.astimezone(tz).date().isoformat()
    title = _BAD_NAME.sub("-", meeting.title)
    title = re.sub(r"\s+", " ", title).strip(" .-") or "meeting"
    return f"{day} {title[:100].rstrip(' .')}"


def _order(item: MatchedMeeting) -> tuple:
    return item.start, fold(item.title), item.meeting.uid


def _day_start(day: dt.date, tz: dt.tzinfo | None) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz)


def _require_aware(now: dt.datetime) -> None:
    if not isinstance(now, dt.datetime) or now.utcoffset() is None:
        raise ValueError(f"now must be an aware datetime, not {now!r}")
