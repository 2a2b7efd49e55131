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

from ..engine.api import Engine, SyncResult
from ..engine.reading import reading
from ..errors import NotFoundError, RefusedWriteError, UsageError, VaultcrmError
from ..model.notes import (
    Note,
    as_list,
    body_lines,
    fold,
    link_target,
    link_targets,
    note_text,
    split_front_matter,
    unlink,
)
from ..model.people import (
    Directory,
    FamilyMember,
    Person,
    contact_for,
    keys_private,
    surprise_for,
    task_people,
    upcoming_dates,
)
from ..model.privacy import as_private, for_others, for_owner, private_keys, private_lines
from ..model.rules import (
    FollowUp,
    age_on,
    event_order,
    expected_on,
    follow_up,
    follow_up_order,
    is_open,
    months_old,
)
from ..model.sheet import Decision, LogLine, Mention, PersonSheet, PrepSheet, Relative
from ..model.vocabulary import MEETINGS_DIR, PREPARED_BY, PREPARED_KEY
from ..present.templates import format_for, render_sheet
from ..store.vault import Vault
from ..store.writes import write_output

DATE_DAYS = 30  # "upcoming dates in the next 30 days" (SPEC §5)
RECENT_LOG = 5  # "the last 5 log entries"
MENTIONS = 5  # the newest notes that mention them
DECISION_DAYS = 90  # how far back a decision still needs explaining
DECISIONS = 5
CONTEXT_WIDTH = 160  # characters of context around a mention

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
        for person in people:
            own = index.note(person.path)
            if own is None:  # gone since the briefs were read: a one-line error, not a crash
                raise NotFoundError(f"no person called '{person.name}'")
            related = [n for n in index.about(person.keys, _phrases(person)) if n.path != own.path]
            sheets.append(
                _person_sheet(
                    vault,
                    person,
                    own,
                    related,
                    decisions,
                    directory,
                    today,
                    met=met.get(person.path, ()),
                )
            )
        result = index.result
    asked = {s.path for s in sheets}
    sheets = [
        replace(s, to_raise=tuple(f for f in s.to_raise if not asked & set(f.secret_from)))
        for s in sheets
    ]
    sheet = PrepSheet(
        today=today,
        locale=vault.config.locale,
        people=tuple(sheets),
        to_raise=_pooled_follow_ups(sheets),
        dates=tuple(sorted((e for s in sheets for e in s.dates), key=event_order)),
        decisions=tuple({d.path: d for s in sheets for d in s.decisions}.values()),
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
    decisions: list[Note],
    directory: Directory,
    today: dt.date,
    met: Iterable[dt.date] = (),
) -> PersonSheet:
    linking = [n for n in related if _links(n, person, directory)]
    contact = contact_for(person, linking, today, met)
    mentions, mention_count = _mentions(vault, person, related, {n.path for n in linking}, today)
    stem = person.stem
    secret = vault.config.private_keys
    hidden = keys_private(person, secret)
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
        family=tuple(_relative(m, today) for m in person.family),
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
        decisions=tuple(_decisions(person, decisions, today)),
        interests=person.interests,
        gift_ideas=person.gift_ideas,
        private_fields=tuple(sorted(hidden & _SHEET_FIELDS)),
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
            if key in pooled:
                pooled[key] = replace(pooled[key], people=pooled[key].people + item.people)
            else:
                pooled[key] = item
    return tuple(sorted(pooled.values(), key=follow_up_order))


# ---------------------------------------------------------------- ask about


def _relative(member: FamilyMember, today: dt.date) -> Relative:
    born = member.birthday
    return Relative(
        member.name,
        member.relation,
        member.note,
        age_on(born, today),
        born,
        expected_on(born, today),
        months_old(born, today),
    )


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
        write_output(written, text, force)
    saved = None
    if save:  # rendered again from the inert sheet: what it copies must not act there
        body = render_sheet(
            inert_sheet(for_others(raw)), "md", template if fmt == "md" else None, vault
        )
        saved = save_sheet(vault, sheet, body, name=note_name, day=note_date, attendees=attendees)
    return Prepared(text, sheet, written, saved, sync)
