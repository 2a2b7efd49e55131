"""The meeting-prep sheet (SPEC §5) as plain data: what to remember before meeting someone.

``build_sheet`` gathers, for one person or a group, every section of the sheet from the
index: the person notes, the notes that link or name them (one index query each, not a
walk of the vault) and the decision notes. Only the few notes shown under *mentioned in*
are opened, for their line of context. Nothing here knows about Jinja, HTML or
language: ``render.py`` turns a ``PrepSheet`` into text, so a user's template sees the
same data the built-in ones do.

Choices where the spec is silent (documented in the README):

- **to raise** holds the open tasks of the person's own note, plus open tasks elsewhere
  that are about them: a task that links or names them in any note but another person's,
  and, in a meeting note that links them (``type: meeting`` or a note under
  ``meetings/``), a task that names none of the people the note links (its attendees;
  "Fatima: update the wiki" in a team meeting is Fatima's, not everyone's). That is how the tasks you add to a saved
  sheet come back on the next one. A task scheduled (⏳) for a later day waits until then.
  The same task text open in two places is shown once (the person's own note wins).
  Order: oldest first, by scheduled date, else due date, else the date of the note it
  is in; undated tasks last, as written.
- **mentioned in** matches links by every name of the person and, in the text, their
  full name and multi-word aliases (a bare first name would match other people too).
- **decisions to explain** are ``type: decision`` notes for the person's team dated in
  the last ``DECISION_DAYS`` days (or later), newest first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.api import Engine, SyncResult
from ..engine.reading import reading
from ..errors import NotFoundError, RefusedWriteError, UsageError, VaultcrmError
from ..model.notes import (
    WIKILINK,
    LogEntry,
    Note,
    Problem,
    as_list,
    body_lines,
    fold,
    link_target,
    link_targets,
    note_text,
    prose,
    split_front_matter,
    undated,
    unlink,
)
from ..model.people import (
    Directory,
    FamilyMember,
    Person,
    contact_for,
    keys_private,
    surprise_for,
    task_owners,
    task_people,
    upcoming_dates,
)
from ..model.privacy import (
    as_private,
    for_others,
    for_owner,
    private_keys,
    private_lines,
    private_spans,
    within,
)
from ..model.rules import (
    FollowUp,
    age_on,
    ask_phase,
    event_order,
    expected_on,
    follow_up,
    follow_up_order,
    is_open,
    months_old,
    previous_meeting,
)
from ..model.sheet import (
    Ask,
    Decision,
    LogLine,
    Mention,
    PersonSheet,
    PrepSheet,
    Relative,
    SinceItem,
)
from ..model.textdates import TextDate, find_dates, without_date
from ..model.vocabulary import ATTENDEE_KEYS, MEETINGS_DIR, PREPARED_BY, PREPARED_KEY
from ..present.templates import format_for, render_sheet
from ..store.vault import Vault
from ..store.writes import write_output
from .meetings import ComingMeeting, choose_meetings, coming, prep_window, read_meetings

if TYPE_CHECKING:
    from ..model.meetings import MatchedMeeting

DATE_DAYS = 30  # "upcoming dates in the next 30 days" (SPEC §5)
RECENT_LOG = 5  # "the last 5 log entries"
MENTIONS = 3  # the newest notes that mention them (not the 1:1s, not those "since")
DECISION_DAYS = 90  # how far back a decision still needs explaining
DECISIONS = 5
CONTEXT_WIDTH = 160  # characters of context around a mention
PARAGRAPH_CHARS = 300  # a paragraph of their own prose is cut at a sentence within this

_LINE_MARKERS = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|(?:[-*+]|\d+[.)])\s+(?:\[.\]\s+)?)?")
_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)")
# **bold**, *italic*, ==highlight==, ~~struck~~; not the underscores inside snake_case
_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_|==|~~)(?=\S)(.+?)(?<=\S)\1(?!\w)")
_HEADING_LINE = re.compile(r"^\s*(?:#{1,6}\s|([-*_])\s*(?:\1\s*){2,}$)")  # or a --- rule
_UNSAFE_FILE_CHARS = re.compile(
    r'[\\/:*?"<>|#^\[\]\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]+'
)  # and C1 controls, bidi marks and line separators, which no file name should keep


# ---------------------------------------------------------------- building it


def build_sheet(
    vault: Vault,
    names: Sequence[str],
    today: dt.date | None = None,
    engine: Engine | None = None,
    share: bool = False,
) -> PrepSheet:
    """The sheet for the people called ``names`` (SPEC §3 NAME), read from the synced index.

    Every name is resolved before anything else is read, so a typo fails fast with the
    closest names. The same person named twice is one person. Private facts (SPEC §6)
    are marked on the owner's one-person sheet and left out of a group sheet and of a
    sheet to ``share`` with the person (``shown``).
    """
    return shown(read_sheet(vault, names, today, engine)[0], share)


def shown(sheet: PrepSheet, share: bool = False) -> PrepSheet:
    """The sheet as its readers may see it: for the owner's eyes (one person, not to
    ``share``) private facts marked, else left out (``privacy.for_others``)."""
    return for_others(sheet) if share or sheet.group else for_owner(sheet)


def read_sheet(
    vault: Vault,
    names: Sequence[str | Person],
    today: dt.date | None = None,
    engine: Engine | None = None,
    *,
    met: Mapping[str, Iterable[dt.date]] | None = None,
) -> tuple[PrepSheet, SyncResult]:
    """The sheet as data, private facts flagged but not yet left out (see ``shown``),
    with what bringing the index up to date did first.

    What is read follows the people asked about, not the vault: the briefs (to find
    them by NAME), their own notes, the notes that link or name them, and the decisions.
    A ``#surprise`` task is left out of every sheet whose people it is a surprise for.
    ``names`` may hold people already found (a calendar meeting's); ``met`` holds the
    days of calendar meetings with them by path, for last contact (SPEC §7)."""
    today = today or dt.date.today()
    met = met or {}
    with reading(vault, engine) as index:
        directory = index.directory
        people: list[Person] = []
        for name in names:
            person = name if isinstance(name, Person) else directory.resolve(name)
            if all(p.path != person.path for p in people):
                people.append(person)
        decisions = [n for n in index.notes("decision") if n.date]
        sheets = []
        read: list[tuple[Person, Note, list[Note], list[Note]]] = []
        for person in people:
            own = index.note(person.path)
            if own is None:  # gone since the briefs were read: a one-line error, not a crash
                raise NotFoundError(f"no person called '{person.name}'")
            related = [n for n in index.about(person.keys, _phrases(person)) if n.path != own.path]
            linking = [n for n in related if _links(n, person, directory)]
            read.append((person, own, related, linking))
            sheets.append(
                _person_sheet(
                    vault,
                    person,
                    own,
                    related,
                    linking,
                    decisions,
                    directory,
                    today,
                    met=met.get(person.path, ()),
                )
            )
        group_since = _group_since([r[3] for r in read], today) if len(people) > 1 else None
        pooled_since: tuple[SinceItem, ...] = ()
        if group_since is not None:
            pooled_since = _pooled_since(read, decisions, directory, group_since, today)
        result = index.result
    asked = {s.path for s in sheets}
    sheets = [
        replace(s, to_raise=tuple(f for f in s.to_raise if not asked & set(f.secret_from)))
        for s in sheets
    ]
    pooled_decisions = tuple({d.path: d for s in sheets for d in s.decisions}.values())
    if group_since is not None:  # the group heard what was decided before it last met
        team = {d.path: d for p, *_ in read for d in _decisions(p, decisions, today)}
        pooled_decisions = tuple(
            d
            for d in sorted(team.values(), key=lambda d: (d.date, d.path), reverse=True)
            if d.date is not None and d.date > group_since
        )
    sheet = PrepSheet(
        today=today,
        locale=vault.config.locale,
        people=tuple(sheets),
        to_raise=_pooled_follow_ups(sheets),
        dates=tuple(sorted((e for s in sheets for e in s.dates), key=event_order)),
        decisions=pooled_decisions,
        since=pooled_since,
        since_date=group_since,
    )
    return sheet, result


def _phrases(person: Person) -> list[str]:
    """What counts as naming someone in running text: the full name, multi-word aliases."""
    return [k for k in dict.fromkeys((person.name, *person.aliases)) if len(k.split()) > 1]


def _person_sheet(
    vault: Vault,
    person: Person,
    own: Note,
    related: list[Note],
    linking: list[Note],
    decisions: list[Note],
    directory: Directory,
    today: dt.date,
    met: Iterable[dt.date] = (),
) -> PersonSheet:
    contact = contact_for(person, linking, today, met)
    one_to_ones = [n for n in linking if _one_to_one(n, person, directory)]
    since_date = previous_meeting(one_to_ones, (e.date for e in own.log), today)
    # a previous 1:1 is where "since" starts, not a mention ("Coffee by the window")
    skip = {n.path for n in one_to_ones if n.date and n.date < today}
    if since_date is not None:
        skip |= {n.path for n in related if n.date and n.date > since_date}  # "since"
    mentions, mention_count = _mentions(
        vault, person, [n for n in related if n.path not in skip], {n.path for n in linking}, today
    )
    stem = person.stem
    secret = vault.config.private_keys
    hidden = keys_private(person, secret)
    team_decisions = _decisions(person, decisions, today)
    family, asks = _asks(person, own, today)
    return PersonSheet(
        name=person.name,
        path=person.path,
        link=stem if fold(stem) == fold(person.name) else f"{stem}|{person.name}",
        role=person.role,
        team=person.team,
        relation=person.relation,
        manager=person.manager,
        email=person.email,
        met=person.met,
        cadence=person.cadence_text,
        last_contact=contact.last,
        days_since=contact.days_since,
        due=contact.due,
        due_in=contact.due_in,
        overdue_days=contact.overdue_days,
        to_raise=tuple(_follow_ups(person, own, related, directory, today)),
        family=family,
        dates=tuple(upcoming_dates([person], today, DATE_DAYS, secret)),
        growth=person.growth,
        wins=tuple(as_private(w.text) if w.private else w.text for w in own.wins),
        recent=tuple(
            LogLine(e.date, e.text, e.private)
            for e in sorted(
                (e for e in own.log if e.date <= today),
                key=lambda e: (e.date, e.line),
                reverse=True,
            )[:RECENT_LOG]
        ),
        mentions=mentions,
        mention_count=mention_count,
        decisions=tuple(
            d for d in team_decisions if since_date is None or (d.date and d.date > since_date)
        ),
        interests=person.interests,
        gift_ideas=person.gift_ideas,
        # health is the owner's own assessment of them: never on a sheet for others
        private_fields=tuple(sorted((hidden & _SHEET_FIELDS) | {"health"})),
        context=_own_prose(vault, own),
        asks=asks,
        since=_since(person, own, related, team_decisions, directory, since_date, today)
        if since_date is not None
        else (),
        since_date=since_date,
        health=_health(vault, person, own, linking, directory, today, tuple(met)),
        last_contact_source=contact.source,
    )


# The person's fields a private front-matter key of the same name empties (SPEC §6).
_SHEET_FIELDS = frozenset(f.name for f in dataclasses.fields(PersonSheet)) - {
    "name",
    "path",
    "link",
    "private_fields",
    "last_contact_source",
}


# ---------------------------------------------------------------- context and health


def _own_prose(vault: Vault, own: Note) -> tuple[str, ...]:
    """Their own note's prose (``notes.prose``), each item cut to ``PARAGRAPH_CHARS``,
    a private one as ``%% … %%`` (what ``privacy`` marks or leaves out). The only file
    read besides the mentions': the index keeps no note's text."""
    try:
        text = note_text(vault.read_bytes(own.path))
    except (OSError, VaultcrmError):  # gone since the sync: no context, not a crash
        return ()
    items = prose(text, own.body_line)
    return tuple(
        as_private(clip(i.text, PARAGRAPH_CHARS)) if i.private else clip(i.text, PARAGRAPH_CHARS)
        for i in items
    )


_SENTENCE = re.compile(r"%%.*?(?:%%|$)|.+?(?:[.!?](?=\s|$)|(?=%%)|$)", re.DOTALL)


def clip(text: str, limit: int) -> str:
    """``text`` cut after the last whole sentence within ``limit`` characters (a
    ``%% … %%`` comment counts as one), else at a word, with " …" where it was cut."""
    if len(text) <= limit:
        return text
    out = ""
    for m in _SENTENCE.finditer(text):
        if out and len(out) + len(m[0]) > limit:
            break
        out += m[0]
    if len(out) > limit:
        out = out[:limit].rsplit(" ", 1)[0]
        if out.count("%%") % 2:  # cut inside a comment: it stays one
            out += "%%"
    return out.rstrip() + " …"


def _health(
    vault: Vault,
    person: Person,
    own: Note,
    linking: list[Note],
    directory: Directory,
    today: dt.date,
    met: tuple[dt.date, ...] = (),
) -> str:
    """The health line (issue 17) from what the sheet has read already: their own note,
    the notes that link them and their calendar meetings, no whole-vault pass."""
    from ..present.words import language
    from .health import assess_health, health_line

    health = assess_health(person, own, linking, directory, today, met=met)
    return health_line(health, language(vault.config.locale))


# ---------------------------------------------------------------- since last time


def _attendees(note: Note, directory: Directory) -> set[str]:
    """Who a meeting was with: its ``attendees:`` (or ``people:``, ``with:`` …) when it
    has them, else everyone it links."""
    people: set[str] = set()
    listed = False
    for key in ATTENDEE_KEYS:
        for value in as_list(note.meta.get(key)):
            if isinstance(value, dict | list):
                continue
            listed = True
            for name in link_targets(str(value)) or [str(value).strip()]:
                found = directory.lookup(name)
                if found is not None:
                    people.add(found.path)
    return people if listed else {p.path for p in directory.linked(note)}


def _one_to_one(note: Note, person: Person, directory: Directory) -> bool:
    """A meeting note of yours with them alone: a previous 1:1."""
    return note.meeting and note.date is not None and _attendees(note, directory) == {person.path}


def _since(
    person: Person,
    own: Note,
    related: list[Note],
    decisions: Sequence[Decision],
    directory: Directory,
    start: dt.date,
    today: dt.date,
) -> tuple[SinceItem, ...]:
    """What is dated after the previous 1:1 (``start``) up to today, oldest first: Log
    entries, dated wins, follow-ups done (✅), decisions for their team, and the notes
    that link or name them (a meeting, a daily note)."""
    from .health import win_date

    def new(day: dt.date | None) -> bool:
        return day is not None and start < day <= today

    found = [SinceItem(e.date, "log", e.text, e.private) for e in own.log if new(e.date)]
    for win in own.wins:
        day = win_date(win.text)
        if new(day):
            assert day is not None
            text = re.sub(r"^\d{4}-\d{2}-\d{2}\b[\s:\u2013\u2014-]*", "", win.text)
            found.append(SinceItem(day, "win", text, win.private))
    done = [(own, t) for t in own.tasks if t.done and new(t.done_on)]
    for note in related:
        if note.kind != "person":
            done += [
                (note, t)
                for t in note.tasks
                if t.done and new(t.done_on) and _about(t.text, note, person, directory)
            ]
    seen: set[str] = set()
    for _, task in done:
        if fold(task.text) not in seen:
            seen.add(fold(task.text))
            assert task.done_on is not None
            found.append(SinceItem(task.done_on, "done", task.text, task.private))
    found += [SinceItem(d.date, "decision", d.label) for d in decisions if d.date and new(d.date)]
    for note in related:
        if note.kind == "note" and not note.prepared and new(note.date):
            assert note.date is not None
            kind = "meeting" if note.meeting else "note"
            found.append(SinceItem(note.date, kind, undated(note.title)))
    return tuple(sorted(found, key=lambda i: (i.date, _SINCE_ORDER[i.kind])))


def _group_since(linked_by: list[list[Note]], today: dt.date) -> dt.date | None:
    """A group's last time: the newest meeting note that links them all, before today."""
    paths = set.intersection(*({n.path for n in notes if n.meeting} for notes in linked_by))
    meetings = [n for n in linked_by[0] if n.path in paths]
    return previous_meeting(meetings, (), today)


_SINCE_ORDER = {"meeting": 0, "note": 1, "log": 2, "decision": 3, "done": 4, "win": 5}


def _pooled_since(
    read: list[tuple[Person, Note, list[Note], list[Note]]],
    decisions: list[Note],
    directory: Directory,
    start: dt.date,
    today: dt.date,
) -> tuple[SinceItem, ...]:
    """Everyone's "since" after the group's last meeting, a shared note or decision once."""
    pooled: dict[tuple, SinceItem] = {}
    for person, own, related, _ in read:
        team = _decisions(person, decisions, today)
        for item in _since(person, own, related, team, directory, start, today):
            shared = item.kind in ("meeting", "note", "decision")
            key = (item.date, item.kind, item.text) if shared else (item, person.path)
            if key not in pooled:
                pooled[key] = item if shared else replace(item, who=person.name)
    return tuple(sorted(pooled.values(), key=lambda i: (i.date, _SINCE_ORDER[i.kind])))


# ---------------------------------------------------------------- to raise


def _links(note: Note, person: Person, directory: Directory) -> bool:
    return any(p.path == person.path for p in directory.linked(note))


def _about(text: str, note: Note, person: Person, directory: Directory) -> bool:
    """Whether an open task in someone else's note (a meeting, a daily note) is for ``person``
    (``people.task_people``, with them as a candidate: the note may name them unlinked)."""
    return any(p.path == person.path for p in task_people(text, note, directory, (person,)))


def _names(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(fold(phrase))}(?!\w)", fold(text)) is not None


def _follow_ups(
    person: Person, own_note: Note, related: list[Note], directory: Directory, today: dt.date
) -> list[FollowUp]:
    found: list[FollowUp] = []
    seen: set[str] = set()

    def add(note: Note, own: bool) -> None:
        for task in note.tasks:
            if not is_open(task, today):
                continue
            if not own and not _about(task.text, note, person, directory):
                continue
            key = fold(task.text)
            if key in seen:
                continue
            seen.add(key)
            item = follow_up(task, note, today, (person.name,), own=own)
            owners = task_owners(task.text, note, directory, (person,))
            if any(p.path == person.path for p in owners):  # theirs; another's stays a task
                item = replace(item, owners=tuple(p.name for p in owners))
            if task.surprise:
                kept_from = surprise_for(task.text, note, directory)
                item = replace(item, secret_from=tuple(p.path for p in kept_from))
            found.append(item)

    add(own_note, own=True)
    for note in sorted(related, key=lambda n: (n.date or dt.date.max, n.path)):
        if note.kind != "person":  # another person's note holds *their* follow-ups
            add(note, own=False)
    return sorted(found, key=follow_up_order)


def _pooled_follow_ups(sheets: Iterable[PersonSheet]) -> tuple[FollowUp, ...]:
    """Everyone's follow-ups in one list; a task about several of them is listed once."""
    pooled: dict[tuple[str, int], FollowUp] = {}
    for sheet in sheets:
        for item in sheet.to_raise:
            key = (item.path, item.line)
            if key in pooled:  # owners: each sheet names only its own person as one
                was = pooled[key]
                owners = tuple(dict.fromkeys((*was.owners, *item.owners)))
                pooled[key] = replace(was, people=was.people + item.people, owners=owners)
            else:
                pooled[key] = item
    return tuple(sorted(pooled.values(), key=follow_up_order))


# ---------------------------------------------------------------- ask about


def _relative(
    member: FamilyMember, today: dt.date, asks: Sequence[Ask] = (), dated: bool = False
) -> Relative:
    """A family member on ``today``. ``dated``: their note's date became one of ``asks``,
    which says the note (without its date), so the note is not said twice."""
    born = member.birthday
    return Relative(
        member.name,
        member.relation,
        "" if dated else member.note,
        age_on(born, today),
        born,
        expected_on(born, today),
        months_old(born, today),
        tuple(asks),
    )


def _asks(
    person: Person, own: Note, today: dt.date
) -> tuple[tuple[Relative, ...], tuple[Ask, ...]]:
    """Dated events to ask about today (``rules.ask_phase``): the dates in family notes
    ("maths exam on 25 November") and in Log entries (their sentence: "Lisa's tentamen
    is op 25 november"; a relative's when it names one, else the person's own), read
    by ``textdates``. A family note that gives only a month takes its day from a Log
    entry about that relative in that month. Returns the family, each with their asks,
    and the person's own asks."""
    logged: list[tuple[str, TextDate, str, bool]] = []  # (relative, date, sentence, private)
    for entry in own.log:
        if entry.date <= today:
            logged += _logged_dates(entry, person.family)
    family: list[Relative] = []
    for member in person.family:
        asks: list[Ask] = []
        days: set[dt.date] = set()
        dated = False
        hidden = private_spans(member.note)
        for found in find_dates(member.note, today):
            first, last = found.date, found.last
            exact = [f for who, f, _, _ in logged if who == member.name and first <= f.date <= last]
            if found.month_only and exact:
                first = last = exact[0].date
            days.add(first)
            when = ask_phase(first, last, today)
            if when is not None:
                what = unlink(without_date(member.note, found))
                month_only = found.month_only and not exact
                private = within(hidden, found.start)  # a date in %% … %%
                asks.append(Ask(what, first, *when, member.name, month_only, private=private))
                dated = True
        for who, found, sentence, private in logged:
            when = ask_phase(found.date, found.date, today)
            if who == member.name and found.date not in days and when is not None:
                days.add(found.date)
                asks.append(Ask(sentence, found.date, *when, member.name, private=private))
        family.append(_relative(member, today, sorted(asks, key=lambda a: a.date), dated))
    own_asks: dict[dt.date, Ask] = {}
    for who, found, sentence, private in logged:
        when = ask_phase(found.date, found.date, today)
        if not who and when is not None and found.date not in own_asks:
            own_asks[found.date] = Ask(sentence, found.date, *when, private=private)
    return tuple(family), tuple(sorted(own_asks.values(), key=lambda a: a.date))


_SENTENCE_END = re.compile(r"[.!?;](?=\s|$)")


def _logged_dates(
    entry: LogEntry, family: Sequence[FamilyMember]
) -> list[tuple[str, TextDate, str, bool]]:
    """The dates a Log entry mentions (not inside a [[link]], not a month alone), each
    with the relative its sentence names ("" for none), that sentence, and whether it
    is private (the entry is, or the date stands in a ``%% … %%`` comment)."""
    text = entry.text
    hidden = private_spans(text)
    blank = WIKILINK.sub(lambda m: " " * len(m[0]), text) if "[[" in text else text
    out = []
    for found in find_dates(blank, entry.date):
        if found.month_only:
            continue
        ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, found.start)]
        start = ends[-1] if ends else 0
        stop = _SENTENCE_END.search(text, found.end)
        sentence = unlink(text[start : stop.end() if stop else len(text)]).strip()
        who = next((m.name for m in family if _names(sentence, m.name)), "")
        private = entry.private or within(hidden, found.start)
        out.append((who, found, sentence, private))
    return out


# ---------------------------------------------------------------- mentioned in


def _mentions(
    vault: Vault, person: Person, related: list[Note], linking: set[str], today: dt.date
) -> tuple[tuple[Mention, ...], int]:
    """The newest ``MENTIONS`` notes that mention the person, and how many do in all.

    Only these few files are read, for their context. A note the index found by name
    alone is dropped when the name turns out to be only in code. Left out: notes dated
    after today (the sheet is as of today) and sheets ``prep --save`` wrote, whose text
    was copied from the notes that are listed themselves.
    """
    related = [n for n in related if not n.prepared and (n.date is None or n.date <= today)]
    ordered = sorted(related, key=lambda n: n.path)
    ordered.sort(key=lambda n: n.date or dt.date.min, reverse=True)  # undated last
    shown: list[Mention] = []
    dropped = 0
    for note in ordered:
        if len(shown) == MENTIONS:
            break
        keys = private_keys(note.meta.get("private"), vault.config.private_keys)
        context, private = _context(vault, note.path, person, keys)
        if not context and note.path not in linking:
            dropped += 1
            continue
        shown.append(Mention(note.path, note.title, note.date, context, private))
    return tuple(shown), len(ordered) - dropped


def _context(vault: Vault, path: str, person: Person, secret: frozenset[str]) -> tuple[str, bool]:
    """The passage that mentions the person, trimmed around their name, and whether it
    is in a private part of the note (SPEC §6; ``secret``: the note's private keys).

    Preference: a body passage that links them, one that names them, the front-matter
    key that links them (``manager: Dominique Jansen``), a heading that names them. A
    passage is the list item or paragraph around the line, so a sentence wrapped over
    several lines in the file is not cut at the wrap. Within each, a public passage
    comes before a private one.
    """
    try:
        text = note_text(vault.read_bytes(path))
    except (OSError, VaultcrmError):  # gone since the sync: the mention stays, without context
        return "", False
    all_lines = text.split("\n")
    _, body_line, _ = split_front_matter(text, path)
    hidden = private_lines(text, body_line, secret)
    lines = ["" if code else line for _, line, code, _ in body_lines(text, body_line)]
    keys = {fold(k) for k in person.keys}

    def links(line: str) -> bool:
        return any(fold(t) in keys for t in link_targets(line))

    def names(line: str) -> bool:
        return any(_names(line, k) for k in person.keys)

    body = [(n, line) for n, line in enumerate(lines) if not _HEADING_LINE.match(line)]
    body.sort(key=lambda item: body_line + item[0] in hidden)  # public first, in order
    for test in (links, names):
        for number, line in body:
            if test(line):
                return _trim(_passage(lines, number), person), body_line + number in hidden
    front = _front_matter_context(
        all_lines[: body_line - 1], lambda line: links(line) or names(line), hidden
    )
    if front:
        return _trim(front[0], person), front[1]
    for number, line in enumerate(lines):
        if _HEADING_LINE.match(line) and names(line):
            return _trim(line, person), body_line + number in hidden
    return "", False


def _front_matter_context(
    lines: list[str], links: Callable[[str], bool], hidden: set[int]
) -> tuple[str, bool] | None:
    """``key: value`` of the front-matter line that links the person, quotes dropped,
    and whether that key is private."""
    key = ""
    for number, line in enumerate(lines, start=1):
        top = re.match(r"^([^\s#:-][^:]*):\s*(.*)$", line)
        if top:
            key = top[1].strip()
        if links(line):
            value = top[2] if top else re.sub(r"^\s*-\s*", "", line)
            value = (
                re.sub(r"\s+#.*$", "", value).strip().strip("[]").replace('"', "").replace("'", "")
            )
            return (f"{key}: {value}" if key else value), number in hidden
    return None


def _passage(lines: list[str], at: int) -> str:
    start = at
    while (
        start > 0
        and not _BLOCK_START.match(lines[start])
        and lines[start - 1].strip()
        and not _HEADING_LINE.match(lines[start - 1])
    ):
        start -= 1
    end = at
    if not _HEADING_LINE.match(lines[at]):
        while (
            end + 1 < len(lines)
            and lines[end + 1].strip()
            and not _BLOCK_START.match(lines[end + 1])
        ):
            end += 1
    return " ".join(line.strip() for line in lines[start : end + 1])


def _trim(line: str, person: Person) -> str:
    """The line without list or heading marks, cut to CONTEXT_WIDTH around the name."""
    line = _LINE_MARKERS.sub("", line, count=1).strip()
    line = _EMPHASIS.sub(r"\2", line)
    if len(line) <= CONTEXT_WIDTH:
        return line
    folded = fold(line)
    at = min((i for k in person.keys if (i := folded.find(fold(k))) >= 0), default=0)
    start = max(0, min(at - CONTEXT_WIDTH // 3, len(line) - CONTEXT_WIDTH))
    cut = line[start : start + CONTEXT_WIDTH].strip()
    return ("…" if start else "") + cut + ("…" if start + CONTEXT_WIDTH < len(line) else "")


# ---------------------------------------------------------------- decisions


def _teams_of(note: Note) -> tuple[str, ...]:
    teams: list[str] = []
    for key in ("teams", "team"):
        for value in as_list(note.meta.get(key)):
            if isinstance(value, dict | list):
                continue
            text = str(value).strip()
            if text.startswith("[[") and text.endswith("]]"):
                text = link_target(text[2:-2].split("|", 1)[0])
            if text:
                teams.append(text)
    return tuple(dict.fromkeys(teams))


def _paragraph(text: str) -> str:
    """A ``## Why`` section as one paragraph: list marks dropped, lines joined."""
    lines = (_LINE_MARKERS.sub("", line, count=1).strip() for line in text.splitlines())
    return " ".join(line for line in lines if line)


def _decisions(person: Person, decisions: list[Note], today: dt.date) -> list[Decision]:
    if not person.team:
        return []
    since = today - dt.timedelta(days=DECISION_DAYS)
    team = fold(person.team)
    found = [
        Decision(n.path, n.title, n.date, _paragraph(n.why), _teams_of(n))
        for n in decisions
        if n.date and since <= n.date <= today and team in {fold(t) for t in _teams_of(n)}
    ]
    found.sort(key=lambda d: (d.date, d.path), reverse=True)
    return found[:DECISIONS]


# ---------------------------------------------------------------- --save


# What a saved sheet copies from notes must stay inert in the new note: no link, task,
# heading, tag or comment of its own. Values become one line, lose their control
# characters and links (``notes.unlink``), and have Markdown's active characters escaped.
_LINE_BREAKS = re.compile(r"[\n\r\v\f\t\x1c-\x1e\x85\u2028\u2029]+")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~$])")
_LINE_START = re.compile(r"^(\d*)([-+=.)])")  # a list item or setext underline if first
_LINK_UNSAFE = re.compile(r"[\[\]|#^]+")
_AS_IS = {"path", "locale", "sync", "link"}  # not copied into the note as text


def inert_text(text: str) -> str:
    """``text`` as it may land inside a line of a saved sheet: unlinked, one line, no
    control characters, Markdown escaped (``[[Bob]]`` → ``Bob``; a stray ``[[`` or a
    leading ``- [ ]``, ``#`` or ``%%`` is shown, not obeyed, by vaultcrm and Obsidian)."""
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub(" ", unlink(text))).strip()
    text = _MARKDOWN_ACTIVE.sub(r"\\\1", text)
    text = text.replace("==", "\\=\\=").replace("%%", "\\%\\%")
    return _LINE_START.sub(r"\1\\\2", text)


def inert_sheet(sheet: PrepSheet) -> PrepSheet:
    """The sheet with every text it copies made inert (``inert_text``) and each person's
    link made safe (``saved_link``): what ``prep --save`` renders. Every string field of
    every part is cleaned, so a field added later is covered too."""

    def clean(value):
        if isinstance(value, str):
            return inert_text(value)
        if isinstance(value, tuple):
            return tuple(clean(v) for v in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: clean(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init and f.name not in _AS_IS
            }
            if isinstance(value, PersonSheet):
                changes["link"] = saved_link(value)
            return replace(value, **changes)
        return value

    return clean(sheet)


def saved_link(person: PersonSheet) -> str:
    """``file|Name`` for a wiki link to the person that no name can break out of.

    The label is the name without link syntax or line breaks (``Ann]] and [[Bob`` →
    ``Ann and Bob``). The target is the file name, or the name when the file name
    cannot be linked (it holds ``[ ] | # ^``), as vaultcrm resolves links by either."""
    stem = person.path.rsplit("/", 1)[-1].removesuffix(".md")
    label = _plain_name(person.name) or _plain_name(stem)
    target = stem if _plain_name(stem) == stem else label
    return target if fold(target) == fold(label) else f"{target}|{label}"


@dataclass(frozen=True)
class Saved:
    """Where ``--save`` wrote the sheet, and the same day's earlier sheet it did not replace."""

    path: str
    beside: str | None = None


def save_sheet(
    vault: Vault,
    sheet: PrepSheet,
    body: str,
    *,
    name: str | None = None,
    day: dt.date | None = None,
    attendees: Sequence[str] = (),
) -> Saved:
    """Write the rendered sheet as a new note ``meetings/YYYY-MM-DD NAME.md``.

    A note never replaces another: a second sheet for the same people on the same day
    becomes ``… (2).md`` (and ``Saved.beside`` names the first, so the user hears of it).
    The front-matter (``date:``, ``type: meeting``, the people as links and
    ``prepared_by: vaultcrm``) is written here rather than by the template, so even a
    user's template makes a note whose open tasks feed the next sheet, and which counts
    as contact once its day has passed (the meeting happened and the note was kept),
    not on the day it was prepared (see ``rules.counts_as_contact``).
    ``body`` should be rendered from ``inert_sheet(sheet)``, so nothing it copies acts in
    the note.

    For a calendar meeting (``prep --next`` …), ``name`` is the note's file name
    (``YYYY-MM-DD Title``), ``day`` the meeting's day (its ``date:``) and ``attendees``
    who was invited, listed as plain names under ``attendees:``.
    """
    from ..store.writes import write_new

    folder = _meetings_folder(vault)
    day = day or sheet.today
    base = _file_name([name]) if name else f"{day.isoformat()} {_file_name(sheet.names)}"
    people = ", ".join(json.dumps(f"[[{saved_link(p)}]]", ensure_ascii=False) for p in sheet.people)
    invited = [n for n in (_plain_name(a) for a in attendees) if n]
    listed = ", ".join(json.dumps(n, ensure_ascii=False) for n in dict.fromkeys(invited))
    text = (
        f"---\ndate: {day.isoformat()}\ntype: meeting\npeople: [{people}]\n"
        + (f"attendees: [{listed}]\n" if listed else "")
        + f"{PREPARED_KEY}: {PREPARED_BY}\n---\n"
    )
    text += body if body.endswith("\n") else body + "\n"
    try:
        vault.path_of(folder)
    except VaultcrmError:  # a meetings folder symlinked out of the vault: a refused write
        raise RefusedWriteError(f"{folder}/ leads out of the vault; not saving there") from None
    first = f"{folder}/{base}.md"
    for number in range(1, 100):
        rel = f"{folder}/{base}{'' if number == 1 else f' ({number})'}.md"
        try:
            target = vault.path_of(rel)
        except VaultcrmError:  # a link out of the vault already holds this name
            continue
        try:
            write_new(target, text)
        except RefusedWriteError:
            continue
        return Saved(rel, first if number > 1 else None)
    raise RefusedWriteError("99 sheets for the same day already exist; not saving", folder)


def _plain_name(text: str) -> str:
    """A name as it may stand in a saved note (a link's label, an attendee): one line,
    no control characters, and nothing a link is made of (``[ ] | # ^``)."""
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub(" ", text))
    return re.sub(r"\s+", " ", _LINK_UNSAFE.sub(" ", text)).strip()


def _meetings_folder(vault: Vault) -> str:
    """An existing ``Meetings``/``meetings`` folder keeps its spelling; else ``meetings``."""
    try:
        for entry in vault.root.iterdir():
            if entry.is_dir() and fold(entry.name) == MEETINGS_DIR:
                return entry.name
    except OSError:
        pass
    return MEETINGS_DIR


def _file_name(names: Sequence[str]) -> str:
    """The people's names, safe in a file name and a wiki link, kept to a sane length."""
    safe = [re.sub(r"\s+", " ", _UNSAFE_FILE_CHARS.sub(" ", n)).strip(" .") or "-" for n in names]
    joined = ", ".join(safe)
    if len(joined) > 120 and len(safe) > 1:
        joined = f"{safe[0]} +{len(safe) - 1}"
    return joined[:120].strip(" .")


# ---------------------------------------------------------------- the command


@dataclass(frozen=True)
class Prepared:
    """A rendered sheet and where it was written (``out``, ``saved``), if anywhere."""

    text: str
    sheet: PrepSheet
    out: Path | None = None
    saved: Saved | None = None  # the note written by ``save``
    sync: SyncResult | None = None  # what bringing the index up to date did first


def prepare(
    vault: Vault,
    names: Sequence[str | Person],
    fmt: str | None = None,
    template: str | None = None,
    out: str | Path | None = None,
    force: bool = False,
    save: bool = False,
    today: dt.date | None = None,
    share: bool = False,
    *,
    engine: Engine | None = None,
    met: Mapping[str, Iterable[dt.date]] | None = None,
    note_name: str | None = None,
    note_date: dt.date | None = None,
    attendees: Sequence[str] = (),
) -> Prepared:
    """``vaultcrm prep``: build the sheet, render it, and write it where asked.

    ``out`` gets the sheet in ``fmt`` (refusing to replace a file unless ``force``);
    ``save`` adds it to the vault as a Markdown meeting note (see ``prep.save_sheet``),
    rendered with ``template`` when that is a Markdown one, else with prep.md.j2.
    ``share``: a sheet safe to hand to the person, without private facts (SPEC §6).
    A saved sheet never holds private facts either: it is a note of its own, with
    none of the marks that kept them private where they were written.

    ``met``: calendar meeting days by person, for last contact (``read_sheet``);
    ``note_name``, ``note_date``, ``attendees``: the calendar meeting a saved sheet is
    for (``save_sheet``); ``engine``: an index the caller has open.
    """
    if force and out is None:
        raise UsageError("--force only goes with --out (a saved sheet never replaces a note)")
    fmt = format_for(template, fmt, out)
    raw, sync = read_sheet(vault, names, today, engine, met=met)
    sheet = shown(raw, share)
    text = render_sheet(sheet, fmt, template, vault)
    written = None
    if out is not None:
        written = Path(out).expanduser()
        mine = not share and not sheet.group  # the owner's own sheet: private facts, marked
        write_output(written, text, force, vault=vault.root, private=mine)
    saved = None
    if save:  # rendered again from the inert sheet: what it copies must not act there
        body = render_sheet(
            inert_sheet(for_others(raw)), "md", template if fmt == "md" else None, vault
        )
        saved = save_sheet(vault, sheet, body, name=note_name, day=note_date, attendees=attendees)
    return Prepared(text, sheet, written, saved, sync)


# ---------------------------------------------------------------- prep for meetings


@dataclass(frozen=True)
class PrepRun:
    """What ``vaultcrm prep`` made: the sheets (one, or one per meeting), their text as
    shown (joined when several), the meetings they are for, where they were written."""

    text: str
    sheets: tuple[Prepared, ...]
    meetings: tuple[ComingMeeting, ...] = ()
    out: Path | None = None
    problems: tuple[Problem, ...] = ()  # calendars that could not be read (in part)
    sync: SyncResult | None = None


def prep_sheets(
    vault: Vault,
    names: Sequence[str] = (),
    *,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
    soonest: bool = False,
    day: dt.date | None = None,
    text: str | None = None,
    calendars: Sequence[str | Path] = (),
    fmt: str | None = None,
    template: str | None = None,
    out: str | Path | None = None,
    force: bool = False,
    save: bool = False,
    share: bool = False,
    engine: Engine | None = None,
) -> PrepRun:
    """``vaultcrm prep``: the sheet for NAMEs, or for the meeting(s) the calendars say
    (``--next``, ``--date``, ``--meeting``), one sheet per meeting for the vault's
    people in it (a group sheet for several). Several meetings (``--date``): their
    sheets one after the other, in one text and one ``out`` file.

    Last contact counts the calendars' past meetings either way, as of ``now`` (aware,
    in the user's zone; default: the start of ``today``). With ``save``, a meeting's
    sheet is saved as ``meetings/YYYY-MM-DD Title.md`` (the meeting's day and title),
    its front-matter listing the attendees (``attendees:``)."""
    from ..engine.reading import reading
    from ..model.meetings import meeting_note_name
    from ..present.templates import format_for, join_sheets
    from ..store.writes import write_output

    asked = sum((bool(names), soonest, day is not None, text is not None))
    if asked != 1:
        raise UsageError(
            "say whom to prepare for: NAME..., --next, --date D or --meeting TEXT (one of them)"
        )
    if force and out is None:
        raise UsageError("--force only goes with --out (a saved sheet never replaces a note)")
    fmt = format_for(template, fmt, out)  # from --out's name too, before out is ours
    today = today or (now.date() if now is not None else dt.date.today())
    past, future = prep_window(day, today)
    with reading(vault, engine) as index:
        cal = read_meetings(
            vault, index.directory, now or today, calendars, past_days=past, future_days=future
        )
        met = cal.met
        if names:
            jobs: list[tuple[Sequence, MatchedMeeting | None]] = [(names, None)]
        else:
            chosen = choose_meetings(cal, soonest=soonest, day=day, text=text)
            jobs = [(m.people, m) for m in chosen]
        sheets = []
        for who, meeting in jobs:
            extra = {}
            if meeting is not None and save:
                assert cal.matcher is not None
                extra = {
                    "note_name": meeting_note_name(meeting.meeting, cal.tz),
                    "note_date": meeting.start.astimezone(cal.tz).date(),
                    "attendees": cal.matcher.attendee_names(meeting.meeting),
                }
            sheets.append(
                prepare(
                    vault,
                    list(who),
                    fmt=fmt,
                    template=template,
                    save=save,
                    today=today,
                    share=share,
                    engine=index,
                    met=met,
                    **extra,
                )
            )
        result = index.result
    joined = join_sheets([s.text for s in sheets], fmt)
    written = None
    if out is not None:
        written = Path(out).expanduser()
        mine = not share and any(not s.sheet.group for s in sheets)
        write_output(written, joined, force, vault=vault.root, private=mine)
    meetings = tuple(coming(m, cal.tz) for _, m in jobs if m is not None)
    return PrepRun(joined, tuple(sheets), meetings, written, cal.problems, result)
