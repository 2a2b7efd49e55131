"""Writing into person notes: ``new`` makes one, ``log`` adds a contact or a follow-up.

The user's note is theirs. ``log`` adds one line and changes no other byte: a BOM, CRLF
or LF line ends (the new line uses the ending of the line it follows), comments and key
order in the front-matter, trailing spaces and a missing final newline all stay as they
were. That is why the note is edited as text at a line boundary and never re-dumped
through a YAML or front-matter library. The write itself (lock, atomic rename, re-check
against a concurrent edit) is ``writes.update_file``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..engine.api import SyncResult
from ..errors import RefusedWriteError, TemplateError, UsageError, VaultcrmError
from ..model.notes import (
    _CODE_FENCE,
    _HEADING,
    _LIST_ITEM,
    _LOG_ITEM,
    _section_name,
    fold,
    is_folder_note,
    note_text,
    parse_note,
    split_front_matter,
)
from ..model.vocabulary import FOLLOW_UP_HEADINGS, LOG_HEADINGS, RELATIONS
from ..store.vault import Vault, is_ignored_name
from ..store.writes import NoteCodec

MAX_TEXT_CHARS = 10_000  # one log entry or follow-up: a line, not a document
MAX_FIELD_CHARS = 255  # new --role / --team
# Characters a person's file name may not hold: path separators and what breaks a
# [[wiki link]] or a file name on Windows, macOS or in Obsidian.
_BAD_NAME_CHARS = set('/\\:*?"<>|[]#^')


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Logged:
    """What ``log`` added: the person, the note, the line number and the line itself."""

    name: str
    path: str
    line: int
    entry: str
    follow_up: bool
    sync: SyncResult


@dataclass(frozen=True)
class Created:
    """The person note ``new`` made."""

    name: str
    path: str
    file: Path
    sync: SyncResult


# ---------------------------------------------------------------- pure text edits


def headings_for(locale: str) -> tuple[str, str]:
    """The Log and follow-up headings ``log`` creates, in the vault's locale."""
    from ..present.words import language

    words = language(locale)
    return words("log_heading"), words("follow_up_heading")


def add_log_entry(raw: bytes, when: dt.date, text: str, locale: str = "en") -> tuple[bytes, int]:
    """``raw`` with ``- YYYY-MM-DD: text`` in its Log; (new bytes, its line).

    The entry goes where its date puts it, so the log stays in date order whichever way
    it runs: in a log kept oldest first, before the first later entry, else after the
    last non-blank line of the first Log/Logboek section (before any heading that
    follows); in a log kept newest first (its dates descend), before the first entry of
    the same day or earlier. A log kept as
    ``### YYYY-MM-DD`` headings gets one more such heading (a list item there would be
    read as part of the entry above it). No Log section: one is created at the end.
    """
    return _insert(
        raw,
        LOG_HEADINGS,
        lambda marker: f"{marker} {when.isoformat()}: {text}",
        headings_for(locale)[0],
        heading_entry=(when.isoformat(), text),
    )


def add_follow_up(
    raw: bytes, text: str, due: dt.date | None = None, locale: str = "en"
) -> tuple[bytes, int]:
    """``raw`` with an open task ``- [ ] text`` (``📅 due``) at the end of its follow-ups.

    Tasks count anywhere in a note (SPEC §2); they go to one place, a Follow-ups /
    Opvolging section, created at the end when there is none, so they are easy to find.
    """
    task = text + (f" \U0001f4c5 {due.isoformat()}" if due else "")
    return _insert(
        raw, FOLLOW_UP_HEADINGS, lambda marker: f"{marker} [ ] {task}", headings_for(locale)[1]
    )


@dataclass(frozen=True)
class _Section:
    level: int
    last: int  # 0-based index of its last non-blank line (its heading when empty)
    marker: str  # the list marker its items use
    date_level: int  # level of a '### YYYY-MM-DD' entry heading closing it, 0 if none
    entries: tuple[tuple[int, str, int], ...] = ()  # dated entries: (index, date, heading level)

    @property
    def newest_first(self) -> bool:
        """Whether the log is kept newest on top: its dates descend."""
        dates = [date for _, date, _ in self.entries]
        return len(dates) > 1 and dates[0] > dates[-1] and dates == sorted(dates, reverse=True)


def _insert(raw, names, make_line, new_heading, heading_entry=None) -> tuple[bytes, int]:
    bom = NoteCodec.of(raw)
    text = bom.decode(raw)
    lines = text.split("\n")  # the last item is "" when the text ends with a newline
    ends_open = bool(text) and not text.endswith("\n")  # no final newline: keep it so
    real = len(lines) if ends_open else len(lines) - 1
    section, open_fence = _find_section(text, lines, real, names)
    if section is None:
        if open_fence:
            raise RefusedWriteError(
                "the note ends inside an unclosed ``` code block; close it, then log again"
            )
        eol = _first_eol(text)
        lead = eol if ends_open else ""
        if real and lines[real - 1].strip():
            lead += eol  # a blank line before the new heading
        head = text + lead + new_heading + eol
        return _encode(head + make_line("-") + ("" if ends_open else eol), bom), _lines_in(head)
    before = _entry_after(section, heading_entry[0]) if heading_entry else None
    if before is not None:  # a dated entry goes where its date puts it, not at the end
        index, _, level = before
        day, entry = heading_entry
        parts = [f"{'#' * level} {day}", entry, ""] if level else [make_line(section.marker)]
        eol = "\r\n" if lines[index].endswith("\r") else "\n"
        cut = sum(len(line) + 1 for line in lines[:index])
        added = "".join(p + eol for p in parts)
        return _encode(text[:cut] + added + text[cut:], bom), _lines_in(text[:cut])
    if section.date_level and heading_entry:
        day, entry = heading_entry
        parts = ["", f"{'#' * section.date_level} {day}", entry]
        skip = 1  # report the heading's line: that is where the parser dates the entry
    else:
        parts, skip = [make_line(section.marker)], 0
    if section.last == real - 1 and ends_open:
        eol = _first_eol(text)
        head = text + "".join(eol + p for p in parts[: skip + 1])
        return _encode(text + "".join(eol + p for p in parts), bom), _lines_in(head)
    eol = "\r\n" if lines[section.last].endswith("\r") else "\n"
    cut = sum(len(line) + 1 for line in lines[: section.last + 1])
    added = "".join(p + eol for p in parts)
    return _encode(text[:cut] + added + text[cut:], bom), _lines_in(text[:cut]) + skip


def _entry_after(section: _Section, day: str) -> tuple[int, str, int] | None:
    """The dated entry a new entry for ``day`` goes right before, keeping the log in date
    order whichever way it runs; None when it goes at the end.

    Oldest first: before the first entry dated later. Newest first: before the first
    entry dated the same day or earlier (a new entry is the newest of its day).
    """
    for entry in section.entries:
        if (entry[1] <= day) if section.newest_first else (entry[1] > day):
            return entry
    return None


def _lines_in(head: str) -> int:
    """The 1-based line number of the line that starts right after ``head``."""
    return head.count("\n") + 1


def _encode(text: str, bom: NoteCodec) -> bytes:
    return bom.encode(text)  # undecodable UTF-8 bytes come back as they were


def _first_eol(text: str) -> str:
    """The note's own line ending: that of its first line; LF for a one-line note."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _find_section(
    text: str, lines: list[str], real: int, names: set[str]
) -> tuple[_Section | None, bool]:
    """The first section titled one of ``names``, read the way ``notes.py`` reads one.

    A section runs to the next heading of its level or higher (deeper headings are part
    of it, as the parser reads a Log). Also says whether the note ends in an open fence.
    """
    _, body_line, _ = split_front_matter(text, "note")
    fence: str | None = None
    found: dict | None = None
    for index in range(body_line - 1, real):
        line = lines[index].rstrip("\r")
        mark = _CODE_FENCE.match(line)
        if mark or fence is not None:
            if mark and fence is None:
                fence = mark[1][0]
            elif mark and fence == mark[1][0]:
                fence = None
            if found is not None and line.strip():
                found["last"] = index
            continue
        heading = _HEADING.match(line)
        if heading:
            level = len(heading[1])
            if found is not None and level <= found["level"]:
                return _section_of(found), False
            if found is None:
                if _section_name(heading[2]) in names:
                    found = {"level": level, "last": index, "marker": "-", "date_level": 0}
                    found["entries"] = []
                continue
            found["last"] = index
            dated = _LOG_ITEM.match(heading[2])
            found["date_level"] = level if dated else 0
            if dated:
                found["entries"].append((index, dated[1], level))
            continue
        if found is not None and line.strip():
            found["last"] = index
            item = _LIST_ITEM.match(line)
            if item and line[0] in "-*+":
                found["marker"] = line[0]
                dated = _LOG_ITEM.match(item[1])
                if dated and not found["date_level"]:
                    found["entries"].append((index, dated[1], 0))
    if found is not None:
        if fence is not None:
            raise RefusedWriteError(
                "the section ends inside an unclosed ``` code block; close it, then log again"
            )
        return _section_of(found), False
    return None, fence is not None


def _section_of(found: dict) -> _Section:
    return _Section(
        found["level"],
        found["last"],
        found["marker"],
        found["date_level"],
        tuple(found["entries"]),
    )


# ---------------------------------------------------------------- user input


def clean_text(text: str) -> str:
    """One line of text for a log entry or task: lines are joined with spaces.

    A message pasted with line breaks is kept, not refused; a line break inside a list
    item would otherwise end the entry and leave the rest as stray text.
    """
    joined = " ".join(part.strip() for part in text.splitlines() if part.strip())
    joined = joined.replace("\t", " ").strip()
    if not joined:
        raise UsageError("nothing to log: TEXT is empty")
    if len(joined) > MAX_TEXT_CHARS:
        raise UsageError(
            f"TEXT is {len(joined):,} characters; a log entry or task is at most "
            f"{MAX_TEXT_CHARS:,} (keep longer notes in a note of their own)"
        )
    bad = [c for c in joined if unicodedata.category(c) == "Cc"]
    if bad:
        raise UsageError(f"TEXT holds a control character ({bad[0]!r}); not writing it")
    return joined


def clean_name(name: str) -> str:
    """A person's name fit to be a file name in the people folder, or ``UsageError``."""
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise UsageError("the name is empty")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise RefusedWriteError(f"{name!r}: a name may not hold control characters")
    bad = sorted(set(name) & _BAD_NAME_CHARS)
    if bad:
        raise RefusedWriteError(
            f"{name!r}: a name may not hold {' '.join(bad)} (it becomes the file name and "
            "[[link]] target)"
        )
    if name in (".", "..") or is_ignored_name(name + ".md") or is_ignored_name(name):
        raise RefusedWriteError(
            f"{name!r}: a file by that name would be hidden or taken for an editor temp file"
        )
    if len((name + ".md").encode("utf-8")) > 255:
        raise RefusedWriteError(f"{name[:40]}…: the name is too long for a file name")
    return name


def check_relation(relation: str | None) -> str | None:
    """SPEC §2's relations only, so ``people --relation`` and search find them."""
    if relation is None:
        return None
    folded = fold(relation)
    if folded not in RELATIONS:
        raise UsageError(f"relation {relation!r} is not one of: {', '.join(RELATIONS)}")
    return folded


# ---------------------------------------------------------------- the commands


def log_contact(
    vault: Vault,
    name: str,
    text: str,
    when: dt.date | None = None,
    follow_up: bool = False,
    force: bool = False,
    today: dt.date | None = None,
) -> Logged:
    """Add a dated Log entry (or, ``follow_up``, an open task) to NAME's note.

    The entry makes ``when`` (default today) the person's newest contact (SPEC §4); the
    index is brought up to date for that one note right after the write, so ``people``
    and ``agenda`` show it at once. A Log date in the future is refused: the log records
    contacts that happened; a future date belongs on a follow-up. A note the user made
    read-only is refused unless ``force``.
    """
    from ..engine.reading import reading
    from ..engine.sync import sync_vault
    from ..store.writes import update_file

    entry_text = clean_text(text)
    now = today or dt.date.today()
    if not follow_up:
        when = when or now
        if when > now:
            raise UsageError(
                f"{when.isoformat()} is in the future: the log records contacts that "
                "happened (use --follow-up --date for something to do then)"
            )
    with reading(vault) as index:
        person = index.directory.resolve(name)
    locale = vault.config.locale
    result: dict[str, object] = {}

    def change(raw: bytes) -> bytes:
        if follow_up:
            new, line = add_follow_up(raw, entry_text, when, locale)
        else:
            assert when is not None
            new, line = add_log_entry(raw, when, entry_text, locale)
        result["line"] = line
        added = note_text(new).split("\n")[line - 1 : line + 1]
        entry = added[0].rstrip("\r")
        if entry.startswith("#") and len(added) > 1:  # a '### date' entry: its text follows
            entry += " " + added[1].rstrip("\r")
        result["entry"] = entry
        return new

    update_file(vault.path_of(person.path), change, vault.state_dir, allow_read_only=force)
    sync = sync_vault(vault, paths=[person.path])
    return Logged(
        name=person.name,
        path=person.path,
        line=int(result["line"]),  # type: ignore[call-overload]
        entry=str(result["entry"]),
        follow_up=follow_up,
        sync=sync,
    )


def create_person(
    vault: Vault,
    name: str,
    role: str | None = None,
    team: str | None = None,
    relation: str | None = None,
    today: dt.date | None = None,
) -> Created:
    """Make ``people/NAME.md`` from the person template; never overwrite or duplicate.

    Refused (exit 2): an empty name, one that would leave the people folder or be hidden,
    a file that exists, and a name any person already answers to (folded for case and
    accents, so ``new zoe`` is refused when ``Zoë`` exists: NAME lookups would become
    ambiguous).
    """
    from ..engine.reading import reading
    from ..engine.sync import sync_vault
    from ..present.templates import render_person
    from ..store.writes import write_new

    clean = clean_name(name)
    if is_folder_note(clean):
        raise RefusedWriteError(
            f"{clean!r}: a note by that name in the people folder is taken for a note about "
            "the folder (README, index, _template), not a person; give their full name"
        )
    relation = check_relation(relation)
    for label, value in (("--role", role), ("--team", team)):
        if value is not None and len(value) > MAX_FIELD_CHARS:
            raise UsageError(f"{label} is at most {MAX_FIELD_CHARS} characters")
    folder = vault.config.people_dirs[0] if vault.config.people_dirs else "people"
    rel = f"{folder}/{clean}.md" if folder else f"{clean}.md"
    try:
        target = vault.path_of(rel)
    except VaultcrmError:  # the people folder is a symlink out of the vault
        raise RefusedWriteError(
            f"{folder}/ leads out of the vault; not writing there", rel
        ) from None
    if target.parent != (vault.root / folder).resolve() or not vault.is_note_path(rel):
        raise RefusedWriteError(f"{clean!r} would not be a note in {folder}/", rel)
    if target.exists() or target.is_symlink():
        raise RefusedWriteError("already exists; not overwriting it", rel)
    with reading(vault) as index:
        directory = index.directory
    key = fold(clean)
    for person in directory.people:
        if key in {fold(k) for k in person.keys}:
            raise RefusedWriteError(
                f"{person.name} ({person.path}) already answers to {clean!r}; "
                "give the new person a fuller name"
            )
    text = render_person(
        vault,
        today or dt.date.today(),
        name=clean,
        role=(role or "").strip(),
        team=(team or "").strip(),
        relation=relation or "",
    )
    note = parse_note(rel, text.encode("utf-8"), vault.config.people_dirs)
    broken = [p for p in note.problems if "front-matter" in p.message]
    if broken:
        raise TemplateError(
            f"the person template makes a note with broken front-matter: {broken[0].message}",
            "person.md.j2",
        )
    write_new(target, text)
    sync = sync_vault(vault, paths=[rel])
    return Created(name=clean, path=rel, file=target, sync=sync)
