"""The health of each relationship (SPEC §8): is the rhythm kept, are promises kept, is
the person recognised and helped to grow, and does contact go both ways.

Everything is read from the notes; nothing is written. Every rule about time comes from
``rules.py`` (contact days, cadence, overdue, what a task being open means), and
``today`` is always a parameter, so a health figure is the same on every machine and
can be asked for any day.

The rules (README "Relationship health"):

- **contact** is what SPEC §4 counts: Log entries, dated notes that link the person and
  ``last_contact`` (``rules.contact_days``); one contact per day at most.
- **rhythm kept**: the window (``months`` back from today) is cut into cadence periods
  counted back from today, and a period is kept when it holds a contact. Periods before
  the first contact ever recorded are not counted: a vault cannot know what it did not
  record. No cadence or no contact yet: no rhythm.
- **drift**: overdue by cadence now (``rules.contact``), and a trend: the mean gap
  between contacts that ended in the window's recent half (the days since the last
  contact count once they are longer) against the mean gap that ended in its earlier
  half (at least a week): *rarer* when 1.5 times as long, *more often* when 1.5 times as
  short, else *steady*; not judged without a gap in the earlier half.
- **promises** are the person's follow-ups (the prep sheet's rule: their own note's tasks
  and tasks about them in notes that link them). Done with a ✅ date on or before its 📅
  due date: *on time*; ✅ after it: *late*; done without both dates: *done* (undated
  done tasks count as done). Open (``rules.is_open``) past its due date: *overdue*,
  else *open*. Tasks scheduled (⏳) for a later day are not promises yet. Done tasks
  count when their ✅ (or 📅) date is in the window, undated ones always.
- **recognition**: days since the newest dated win (``- 2026-10-14: …`` under ``## Wins``,
  the date written like a Log entry's).
- **growth**: a ``growth:`` wish is followed up when, in the last ``growth_months``, a Log
  entry or one of their follow-ups (open ones always) names it: any of its words of five
  letters or more at the start of a word, case- and accent-insensitive (the whole wish
  when it has no such word), so "Python scripting" is followed up by "Python course".
- **reciprocity**: a Log entry whose text starts with ``←`` or ``<-`` is contact *they*
  started, ``→`` or ``->`` contact *you* started: ``- 2026-11-10: ← called about the
  rota``. Shown only where the log marks it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model.notes import Note, Problem, Task, fold
from ..model.people import Directory, Person, task_people
from ..model.rules import (
    CalendarMarked,
    add_cadence,
    contact,
    contact_days,
    contact_source,
    is_open,
    overdue_days,
)

if TYPE_CHECKING:
    from pathlib import Path

    from ..engine.api import Engine, SyncResult
    from ..present.words import Language
    from ..store.vault import Vault

WINDOW_MONTHS = 12  # health looks back this far by default (`health --months`)
GROWTH_MONTHS = 3  # a growth wish not named in this many months is not followed up
RECOGNITION_DAYS = 90  # a win older than this lowers the score
TREND_FACTOR = 1.5  # gaps this much longer (or shorter) than before: rarer (or more often)
TREND_FLOOR_DAYS = 7  # two contacts on consecutive days do not make "before" one day
SPARKS = "▁▂▃▄▅▆▇█"  # contacts per month 0, 1, … 7 or more: one scale for every row

INBOUND = ("←", "<-", "⇐")  # a Log entry starting so: they reached out
OUTBOUND = ("→", "->", "⇒")  # …and so: you did

# Folding (case and accents) is the costliest step on a big vault, and the same task or
# Log text is folded for each person it may belong to: once per text is enough.
_fold = functools.lru_cache(maxsize=1 << 16)(fold)

_LEADING_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})\b[ \t]*[:\u2013\u2014-]?[ \t]*")
_WISH_WORD = re.compile(r"\w{5,}")


# ---------------------------------------------------------------- the data


@dataclass(frozen=True)
class Rhythm:
    """How many cadence periods in the window held a contact."""

    cadence: str  # as written: 14d, 1m
    amount: int
    unit: str  # d w m q y
    kept: int
    periods: int
    since: dt.date  # the first day of the oldest period counted

    @property
    def share(self) -> float:
        return self.kept / self.periods if self.periods else 0.0


@dataclass(frozen=True)
class Promise:
    """One follow-up for the person and where it stands: on_time, late, done, open, overdue."""

    text: str
    path: str
    line: int
    state: str
    due: dt.date | None = None
    done_on: dt.date | None = None


@dataclass(frozen=True)
class Promises:
    items: tuple[Promise, ...] = ()

    def count(self, state: str) -> int:
        return sum(1 for p in self.items if p.state == state)

    @property
    def on_time(self) -> int:
        return self.count("on_time")

    @property
    def late(self) -> int:
        """Kept, but after their due date."""
        return self.count("late")

    @property
    def done(self) -> int:
        """Done without the dates to tell on time from late."""
        return self.count("done")

    @property
    def open(self) -> int:
        return self.count("open")

    @property
    def overdue(self) -> int:
        return self.count("overdue")

    @property
    def not_on_time(self) -> int:
        """Promises late: kept late, or still open past their due date."""
        return self.late + self.overdue


@dataclass(frozen=True)
class Reciprocity:
    """Marked Log entries in the window: who reached out."""

    theirs: int
    mine: int


@dataclass(frozen=True)
class Health(CalendarMarked):
    """One relationship's health on ``today`` over the ``months`` before it."""

    name: str
    path: str
    relation: str
    team: str
    cadence: str
    today: dt.date
    months: int
    window_start: dt.date
    monthly: tuple[int, ...]  # contacts per month, oldest first, the last ends today
    first_contact: dt.date | None
    last_contact: dt.date | None
    days_since: int | None
    due: dt.date | None
    overdue_days: int | None  # by cadence; 0 = due today, None = not due
    rhythm: Rhythm | None
    trend: str | None  # rarer | steady | more_often; None: too little to tell
    promises: Promises
    wins: int
    last_win: dt.date | None
    days_since_win: int | None
    growth: tuple[str, ...]
    growth_idle: tuple[str, ...]  # wishes not followed up in growth_months
    growth_months: int
    reciprocity: Reciprocity | None
    last_contact_source: str | None = None  # "calendar" when only a meeting says so

    @property
    def contacts(self) -> int:
        """Contacts in the window."""
        return sum(self.monthly)

    @property
    def score(self) -> int:
        return health_score(self)

    def to_dict(self) -> dict:
        """Plain JSON-ready data (dates as ISO text)."""
        rhythm = self.rhythm
        p = self.promises
        return _iso(
            {
                "name": self.name,
                "path": self.path,
                "relation": self.relation,
                "team": self.team,
                "cadence": self.cadence,
                "today": self.today,
                "months": self.months,
                "window_start": self.window_start,
                "contacts_per_month": list(self.monthly),
                "contacts": self.contacts,
                "first_contact": self.first_contact,
                "last_contact": self.last_contact,
                "last_contact_source": self.last_contact_source,
                "days_since": self.days_since,
                "due": self.due,
                "overdue_days": self.overdue_days,
                "rhythm": None
                if rhythm is None
                else {
                    "cadence": rhythm.cadence,
                    "kept": rhythm.kept,
                    "periods": rhythm.periods,
                    "since": rhythm.since,
                },
                "trend": self.trend,
                "promises": {
                    "on_time": p.on_time,
                    "late": p.late,
                    "done": p.done,
                    "open": p.open,
                    "overdue": p.overdue,
                    "items": [_iso(dict(item.__dict__)) for item in p.items],
                },
                "wins": self.wins,
                "last_win": self.last_win,
                "days_since_win": self.days_since_win,
                "growth": list(self.growth),
                "growth_not_followed_up": list(self.growth_idle),
                "growth_months": self.growth_months,
                "reciprocity": None
                if self.reciprocity is None
                else {"theirs": self.reciprocity.theirs, "mine": self.reciprocity.mine},
                "score": self.score,
            }
        )


@dataclass(frozen=True)
class HealthReport:
    today: dt.date
    months: int
    people: tuple[Health, ...]
    sync: SyncResult | None = None
    problems: tuple[Problem, ...] = ()  # what the calendars could not read

    def to_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "months": self.months,
            "people": [h.to_dict() for h in self.people],
        }


def _iso(data: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


# ---------------------------------------------------------------- who links whom


@dataclass(frozen=True)
class Links:
    """Each note's people (links and attendees) and each person's linking notes, from
    one pass over the vault: ``Directory.linked`` with every name looked up once."""

    by_note: dict[str, tuple[Person, ...]] = field(default_factory=dict)
    by_person: dict[str, tuple[Note, ...]] = field(default_factory=dict)


def read_links(notes: Iterable[Note], directory: Directory) -> Links:
    """Who each note links, and which notes (other than their own) link each person."""
    lookup = functools.lru_cache(maxsize=None)(directory.lookup)
    by_note: dict[str, tuple[Person, ...]] = {}
    by_person: dict[str, list[Note]] = {p.path: [] for p in directory.people}
    for note in notes:
        found: dict[str, Person] = {}
        for target in (*note.links, *note.attendees):
            person = lookup(target)
            if person is not None and person.path not in found:
                found[person.path] = person
        if not found:
            continue
        by_note[note.path] = tuple(found.values())
        for path in found:
            if path != note.path:
                by_person[path].append(note)
    return Links(by_note, {k: tuple(v) for k, v in by_person.items()})


# ---------------------------------------------------------------- the rules


@functools.lru_cache(maxsize=4096)
def _back(day: dt.date, amount: int, unit: str) -> dt.date:
    """``day`` minus a rhythm (rules.add_cadence backwards), kept: a vault's people share
    a few cadences, and the same period edges are asked for once per person."""
    return add_cadence(day, (-amount, unit))


def _months_back(today: dt.date, months: int) -> dt.date:
    return _back(today, months, "m")


def count_by_month(days: Iterable[dt.date], today: dt.date, months: int) -> tuple[int, ...]:
    """Contacts in each of the ``months`` months up to ``today``, oldest first: the last
    month runs from the day after ``today`` - 1 month to ``today``, and so on back."""
    edges = [_months_back(today, i) for i in range(months, -1, -1)]  # oldest edge first
    counts = [0] * months
    for day in days:
        if edges[0] < day <= today:
            counts[bisect.bisect_left(edges, day) - 1] += 1
    return tuple(counts)


def measure_rhythm(
    days: Sequence[dt.date],
    cadence: tuple[int, str] | None,
    cadence_text: str,
    today: dt.date,
    window_start: dt.date,
) -> Rhythm | None:
    """Cadence periods back from ``today`` that fit in the window, from the one holding
    the first contact on; kept when a contact falls in (start, end]."""
    if cadence is None or not days:
        return None
    amount, unit = cadence
    first = days[0]
    kept = periods = 0
    since = today
    k = 0
    while True:
        end = _back(today, amount * k, unit)
        start = _back(today, amount * (k + 1), unit)
        if start >= end or start < window_start or end < first:
            break  # (start >= end: a cadence too long for the calendar, 99999y)
        periods += 1
        since = start + dt.timedelta(days=1)
        at = bisect.bisect_right(days, start)  # the first contact after start
        if at < len(days) and days[at] <= end:
            kept += 1
        k += 1
    if periods == 0:
        return None
    return Rhythm(cadence_text, amount, unit, kept, periods, since)


def measure_trend(days: Sequence[dt.date], today: dt.date, months: int) -> str | None:
    """Whether contact is getting rarer: the mean gap between contacts that ended in the
    window's recent half (or the days since the last contact, once that is longer)
    against the mean gap that ended in its earlier half, at least a week. None without a
    gap in the earlier half: a relationship that young has no "before"."""
    start, middle = _months_back(today, months), _months_back(today, months // 2)
    inside = [d for d in days if start < d <= today]
    if months < 2 or not inside:
        return None
    gaps = [(b, (b - a).days) for a, b in itertools.pairwise(inside)]
    earlier = [n for end, n in gaps if end <= middle]
    recent = [n for end, n in gaps if end > middle]
    if not earlier:
        return None
    before = max(TREND_FLOOR_DAYS, sum(earlier) / len(earlier))
    now = max(sum(recent) / len(recent) if recent else 0, (today - inside[-1]).days)
    if now > before * TREND_FACTOR:
        return "rarer"
    if now * TREND_FACTOR < before:
        return "more_often"
    return "steady"


def task_state(task: Task, today: dt.date) -> str | None:
    """on_time, late, done, open or overdue; None for a task that is no promise yet
    (scheduled for a later day) or is empty."""
    if not task.text:
        return None
    if task.done:
        if task.due and task.done_on and task.done_on <= today:
            return "on_time" if task.done_on <= task.due else "late"
        return "done"
    if not is_open(task, today):
        return None
    late = overdue_days(task.due, today)
    return "overdue" if late else "open"


def _promise_day(task: Task) -> dt.date | None:
    return task.done_on or task.due


@functools.lru_cache(maxsize=4096)
def wish_pattern(wish: str) -> re.Pattern:
    """What names a growth wish: any of its long words at the start of a word."""
    folded = fold(wish)
    words = sorted(set(_WISH_WORD.findall(folded)), key=len, reverse=True)
    if not words:
        return re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in words)})")


def win_date(text: str) -> dt.date | None:
    """A win's date: an ISO date at its start, written like a Log entry's."""
    from ..model.notes import parse_date

    m = _LEADING_DATE.match(text.strip())
    return parse_date(m[1]) if m else None


def direction(text: str) -> str | None:
    """'theirs' when a Log entry says they reached out, 'mine' when you did, else None."""
    text = text.lstrip()
    if text.startswith(INBOUND):
        return "theirs"
    if text.startswith(OUTBOUND):
        return "mine"
    return None


# ---------------------------------------------------------------- one person


def assess_health(
    person: Person,
    note: Note,
    related: Iterable[Note],
    directory: Directory,
    today: dt.date,
    months: int = WINDOW_MONTHS,
    growth_months: int = GROWTH_MONTHS,
    links: Links | None = None,
    shared: Sequence[tuple[Note, Task]] | None = None,
    met: Sequence[dt.date] = (),
) -> Health:
    """The health of one relationship on ``today``.

    ``note`` is the person's own note; ``related`` the notes that link them (their own is left out if
    given): the prep sheet can pass the notes it has already read. On a whole vault,
    ``links`` (``read_links``) and ``shared`` (the person's entry in ``shared_tasks``)
    save working out each note's people and each task's owners once per person.
    ``met``: the days of calendar meetings with them (SPEC §7), contact like the notes.
    """
    if months < 1:
        from ..errors import UsageError

        raise UsageError("--months must be 1 or more")
    related = [n for n in related if n.path != person.path]
    window_start = _months_back(today, months)
    log = note.log
    days = contact_days(person.last_contact_field, (e.date for e in log), related, today, met)
    monthly = count_by_month(days, today, months)
    logged = (e.date for e in log)
    source = contact_source(days, person.last_contact_field, logged, related, today, met)
    now = contact(days[-1] if days else None, person.cadence, today, source)

    if shared is None:  # one person (the prep sheet): only the notes that link them
        shared = shared_tasks(related, directory, links).get(person.path, [])
    promises, follow_ups = _promises(note, shared, today)
    promises = tuple(
        p
        for p, task in zip(promises, follow_ups, strict=True)
        if p.state in ("open", "overdue")
        or _promise_day(task) is None
        or _promise_day(task) >= window_start
    )

    dated_wins = sorted(d for w in note.wins if (d := win_date(w.text)) and d <= today)
    last_win = dated_wins[-1] if dated_wins else None

    growth_start = _months_back(today, growth_months)
    recent_texts = [e.text for e in log if growth_start < e.date <= today]
    recent_texts += [
        task.text
        for task in follow_ups
        if not task.done or ((day := _promise_day(task)) and growth_start < day <= today)
    ]
    folded = [_fold(t) for t in recent_texts]
    idle = tuple(
        wish for wish in person.growth if not any(wish_pattern(wish).search(t) for t in folded)
    )

    theirs = mine = 0
    for entry in log:
        if window_start < entry.date <= today:
            way = direction(entry.text)
            theirs += way == "theirs"
            mine += way == "mine"

    return Health(
        name=person.name,
        path=person.path,
        relation=person.relation,
        team=person.team,
        cadence=person.cadence_text if person.cadence else "",
        today=today,
        months=months,
        window_start=window_start,
        monthly=monthly,
        first_contact=days[0] if days else None,
        last_contact=now.last,
        days_since=now.days_since,
        due=now.due,
        overdue_days=now.overdue_days,
        rhythm=measure_rhythm(days, person.cadence, person.cadence_text, today, window_start),
        trend=measure_trend(days, today, months),
        promises=Promises(promises),
        wins=len(note.wins),
        last_win=last_win,
        days_since_win=(today - last_win).days if last_win else None,
        growth=person.growth,
        growth_idle=idle,
        growth_months=growth_months,
        reciprocity=Reciprocity(theirs, mine) if theirs or mine else None,
        last_contact_source=now.source,
    )


def _promises(
    own: Note, shared: Iterable[tuple[Note, Task]], today: dt.date
) -> tuple[list[Promise], list[Task]]:
    """The person's follow-ups, each once (by its text, their own note first)."""
    found: list[Promise] = []
    tasks: list[Task] = []
    seen: set[str] = set()
    for note, task in itertools.chain(((own, t) for t in own.tasks), shared):
        state = task_state(task, today)
        key = _fold(task.text)
        if state is None or key in seen:
            continue
        seen.add(key)
        found.append(Promise(task.text, note.path, task.line, state, task.due, task.done_on))
        tasks.append(task)
    return found, tasks


def shared_tasks(
    notes: Iterable[Note], directory: Directory, links: Links | None = None
) -> dict[str, list[tuple[Note, Task]]]:
    """Every task in a note that is not a person's, under each person it belongs to
    (``people.task_people``), in the order the prep sheet reads them: by the note's
    date, then path."""
    found: dict[str, list[tuple[Note, Task]]] = {}
    ordered = sorted(
        (n for n in notes if n.tasks and n.kind != "person"),
        key=lambda n: (n.date or dt.date.max, n.path),
    )
    for note in ordered:
        linked = links.by_note.get(note.path, ()) if links else tuple(directory.linked(note))
        if not linked:
            continue
        for task in note.tasks:
            for person in task_people(task.text, note, directory, linked=linked):
                found.setdefault(person.path, []).append((note, task))
    return found


# ---------------------------------------------------------------- the vault


def assess_vault(
    notes: Sequence[Note],
    directory: Directory,
    today: dt.date,
    months: int = WINDOW_MONTHS,
    people: Iterable[Person] | None = None,
    growth_months: int = GROWTH_MONTHS,
    *,
    met: Mapping[str, Sequence[dt.date]] | None = None,
) -> tuple[Health, ...]:
    """Everyone's health (or ``people``'s), from one pass over the notes, by name;
    ``met``: each person's calendar meeting days by path (SPEC §7)."""
    links = read_links(notes, directory)
    chosen = directory.people if people is None else list(people)
    related = [n for n in notes if n.kind != "person"]
    if people is not None:  # only the notes that link the chosen
        paths = {p.path for p in chosen}
        related = [
            n for n in related if any(p.path in paths for p in links.by_note.get(n.path, ()))
        ]
    shared = shared_tasks(related, directory, links)
    own = {n.path: n for n in notes if n.kind == "person"}
    return tuple(
        assess_health(
            p,
            own[p.path],
            links.by_person.get(p.path, ()),
            directory,
            today,
            months,
            growth_months,
            links,
            shared.get(p.path, []),
            (met or {}).get(p.path, ()),
        )
        for p in chosen
    )


def health_report(
    vault: Vault,
    today: dt.date,
    name: str | None = None,
    months: int = WINDOW_MONTHS,
    engine: Engine | None = None,
    *,
    now: dt.datetime | None = None,
    calendars: Sequence[str | Path] = (),
) -> HealthReport:
    """``vaultcrm health [NAME]``: everyone, or the person NAME resolves to. Meetings in
    the calendars (config ``calendars`` and ``calendars`` given) over the window count as
    contact as of ``now`` (aware; default: the start of ``today`` in the local zone)."""
    from ..engine.api import no_gc
    from ..engine.reading import reading
    from ..errors import UsageError
    from .meetings import read_meetings

    if months < 1:
        raise UsageError("--months must be 1 or more")
    with no_gc(), reading(vault, engine) as index:  # many acyclic objects: no collections
        directory = index.directory
        people = [directory.resolve(name)] if name else None
        past = (today - _months_back(today, months)).days + 1
        cal = read_meetings(vault, directory, now or today, calendars, past_days=past)
        rows = assess_vault(index.notes(), directory, today, months, people, met=cal.days)
        return HealthReport(today, months, rows, index.result, cal.problems)


# ---------------------------------------------------------------- for the prep sheet and agenda


def health_score(h: Health) -> int:
    """0 (needs time now) to 100 (healthy): rhythm 40, not overdue 20, promises 20,
    contact not getting rarer 10, recognition 5, growth followed up 5.

    A rule that cannot be judged (no cadence, no dated win, no wishes) gives its points:
    the score only drops for what the notes show.
    """
    score = 40.0
    if h.rhythm is not None:
        score = 40 * h.rhythm.share
    elif h.cadence and h.first_contact is None:
        score = 0.0  # a rhythm asked for and never a contact
    if h.overdue_days is not None and h.due is not None:
        period = max(1, (h.due - (h.last_contact or h.due)).days)
        score += 20 * max(0.0, 1 - h.overdue_days / period)
    else:
        score += 20
    score += 20 - 5 * min(4, h.promises.not_on_time)
    score += 0 if h.trend == "rarer" else 10
    score += 0 if h.days_since_win is not None and h.days_since_win > RECOGNITION_DAYS else 5
    score += 0 if h.growth_idle else 5
    return round(score)


def health_order(h: Health) -> tuple:
    """Sort key for "who needs time", worst health first (``agenda --by health``):
    lowest score, then most days overdue, then name."""
    return (h.score, -(h.overdue_days if h.overdue_days is not None else -1), fold(h.name))


def order_by_health(rows: Iterable[Health]) -> list[Health]:
    """``rows`` with whoever needs time most first."""
    return sorted(rows, key=health_order)


def sparkline(counts: Iterable[int]) -> str:
    """▁▂▃…█ per month: ▁ no contact, one step up per contact, █ seven or more."""
    return "".join(SPARKS[min(c, len(SPARKS) - 1)] for c in counts)


def period_words(words: Language, rhythm: Rhythm) -> str:
    """What a cadence period is called: ``months``, ``weeks``, or ``periods of 14d``."""
    if rhythm.amount == 1 and rhythm.unit in "wmqy":
        return words.n(f"period_{rhythm.unit}", rhythm.periods)
    if rhythm.unit == "d" and rhythm.amount == 7:
        return words.n("period_w", rhythm.periods)
    return words.n("period_of", rhythm.periods, cadence=rhythm.cadence)


def rhythm_text(words: Language, rhythm: Rhythm) -> str:
    """``rhythm kept 9 of 12 months``."""
    return words("rhythm_kept", kept=rhythm.kept, what=period_words(words, rhythm))


def health_line(h: Health, words: Language) -> str:
    """The prep sheet's one line: ``rhythm kept 9 of 12 months · 2 promises late``.

    Only what needs attention besides the rhythm: promises late, contact getting rarer,
    growth wishes not followed up. Empty when there is nothing to say.
    """
    parts = []
    if h.rhythm is not None:
        parts.append(rhythm_text(words, h.rhythm))
    if h.promises.not_on_time:
        parts.append(words.n("promises_late", h.promises.not_on_time))
    if h.trend == "rarer":
        parts.append(words("trend_rarer"))
    if h.growth_idle:
        parts.append(words.n("growth_idle_n", len(h.growth_idle)))
    return " · ".join(parts)
