"""``vaultcrm export NAME`` (SPEC §6; GDPR art. 15, the right of access): everything the
vault holds about one person, as one document.

What "everything" is:

- **their note**, whole, with its private lines marked;
- **every passage elsewhere** that links or names them (``model.mentions``: links by any
  of their names, their name, aliases and file name as words, also in front-matter
  values and in other notes' file names), as ``path:line`` and the line itself;
- **follow-ups** about them, open and done, wherever they are written (the one rule of
  ``people.task_people``, plus surprises planned for them);
- **dates**: birthday, work anniversary, relatives' birthdays;
- **decisions** that name them;
- **what the index keeps**: the facts it stores beside its search index for their note
  (the same ``Person`` record ``people`` and ``agenda`` read), and which notes of theirs
  it has indexed.

Private facts are included and marked: the export is for the person themselves (or
for you, to answer them). The index finds the notes that may mention them; only those
are read, so an export costs what the person's footprint costs, not the vault's size.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..engine.api import Engine, SyncResult
from ..engine.reading import reading
from ..errors import NotFoundError, VaultcrmError
from ..model.mentions import MentionFinder
from ..model.notes import Note, note_text
from ..model.people import (
    DATE_KEYS,
    Directory,
    FamilyMember,
    Person,
    keys_private,
    surprise_for,
    task_people,
)
from ..model.privacy import is_private_text, private_keys, private_lines
from ..model.rules import Contact, as_yearly
from ..store.vault import Vault

FORMATS = ("md", "json")


@dataclass(frozen=True)
class Passage:
    """A line of another note that links or names the person."""

    path: str
    line: int
    text: str
    private: bool = False


@dataclass(frozen=True)
class TaskAbout:
    """A task about the person, open or done, where it is written."""

    path: str
    line: int
    text: str
    done: bool
    due: dt.date | None
    done_on: dt.date | None
    private: bool = False
    surprise: bool = False  # a surprise planned for them


@dataclass(frozen=True)
class DateFact:
    kind: str  # birthday | anniversary | family_birthday
    who: str
    date: str  # as written: YYYY-MM-DD, or --MM-DD when the year is unknown
    relation: str = ""
    private: bool = False


@dataclass(frozen=True)
class DecisionAbout:
    path: str
    title: str
    date: dt.date | None


@dataclass(frozen=True)
class Export:
    """Everything about one person (see the module docstring)."""

    person: Person
    exported: dt.date
    note_text: str
    note_private: tuple[int, ...]  # line numbers of their note that are private
    private_fields: tuple[str, ...]  # their note's private front-matter keys
    contact: Contact
    passages: tuple[Passage, ...]
    file_names: tuple[str, ...]  # other notes whose file name holds one of their names
    tasks: tuple[TaskAbout, ...]
    dates: tuple[DateFact, ...]
    decisions: tuple[DecisionAbout, ...]
    index_folder: str
    sync: SyncResult | None = None

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def note_lines(self) -> list[tuple[int, str, bool]]:
        """Their note as (line number, line, private), for a listing that marks lines."""
        hidden = set(self.note_private)
        lines = self.note_text.split("\n")
        if lines and not lines[-1]:
            lines.pop()  # the newline that ends the last line
        return [(n, line.rstrip("\r"), n in hidden) for n, line in enumerate(lines, 1)]

    @property
    def fence(self) -> str:
        """A code fence longer than any run of backticks in the note."""
        longest = max((len(run) for run in re.findall(r"`+", self.note_text)), default=0)
        return "`" * max(3, longest + 1)

    @property
    def record(self) -> list[tuple[str, str, bool]]:
        """The index's record of them (``Person``): (field, value, private) for the
        fields that hold something."""
        out = []
        for f in dataclasses.fields(self.person):
            value = getattr(self.person, f.name)
            if value in (None, "", ()) or f.name == "cadence":  # cadence_text says it
                continue
            items = value if isinstance(value, tuple) else (value,)
            shown = ", ".join(_shown(v) for v in items)
            out.append((f.name, shown, f.name in self.private_fields))
        return out

    def to_dict(self) -> dict:
        """The export as JSON-ready data (``--format json``)."""

        def plain(value):
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, tuple | list):
                return [plain(v) for v in value]
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
            return value

        contact = self.contact
        return {
            "name": self.person.name,
            "exported": self.exported.isoformat(),
            "note": {
                "path": self.person.path,
                "text": self.note_text,
                "private_lines": list(self.note_private),
                "private_keys": list(self.private_fields),
            },
            "last_contact": plain(contact.last),
            "next_due": plain(contact.due),
            "mentions": plain(self.passages),
            "file_names": list(self.file_names),
            "follow_ups": plain(self.tasks),
            "dates": plain(self.dates),
            "decisions": plain(self.decisions),
            "index": {"folder": self.index_folder, "record": plain(self.person)},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


def _shown(value: object) -> str:
    if isinstance(value, FamilyMember):
        about = ", ".join(str(v) for v in (value.relation, value.birthday) if v)
        return (
            value.name
            + (f" ({about})" if about else "")
            + (f": {value.note}" if value.note else "")
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def export_person(
    vault: Vault, name: str, today: dt.date | None = None, engine: Engine | None = None
) -> Export:
    """Everything the vault holds about NAME (SPEC §3 NAME), read from the synced index."""
    from ..model.people import contact_for

    today = today or dt.date.today()
    with reading(vault, engine) as index:
        directory = index.directory
        person = directory.resolve(name)
        own, finder, related, named_files = footprint(index, person)
        result = index.result
    secret = vault.config.private_keys
    text = _read(vault, own.path)
    linking = [n for n in related if any(p.path == person.path for p in directory.linked(n))]
    return Export(
        person=person,
        exported=today,
        note_text=text,
        note_private=tuple(
            sorted(
                private_lines(text, own.body_line, keys_private(person, secret))
                | {n for n, line in enumerate(text.split("\n"), 1) if is_private_text(line)}
            )
        ),
        private_fields=tuple(sorted(keys_private(person, secret))),
        contact=contact_for(person, [n for n in linking if n.date], today),
        passages=tuple(_passages(vault, finder, related)),
        file_names=tuple(named_files),
        tasks=tuple(_tasks(person, own, related, directory, finder)),
        dates=tuple(_dates(person, keys_private(person, secret))),
        decisions=tuple(
            DecisionAbout(n.path, n.title, n.date) for n in related if n.kind == "decision"
        ),
        index_folder=str(Path(".vaultcrm") / "index"),
        sync=result,
    )


def footprint(index: Engine, person: Person) -> tuple[Note, MentionFinder, list[Note], list[str]]:
    """Where a person is in the vault: their own note, a finder for their mentions, the
    other notes that may mention them (by path) and those whose file name holds a name
    of theirs. The index finds the notes that link or hold one of their names; only
    the file names are looked at for every note (a walk of the folder, no note read)."""
    own = index.note(person.path)
    if own is None:
        raise NotFoundError(f"no person called '{person.name}'")
    keys = person.keys
    finder = MentionFinder(keys, index.directory.keys_except(person.path))
    found = {n.path: n for n in index.about(keys, keys) if n.path != person.path}
    named_files = [
        f.path
        for f in index.vault.walk()
        if f.path != person.path and finder.find(f.path.rsplit("/", 1)[-1].removesuffix(".md"))
    ]
    for path in named_files:
        if path not in found and (note := index.note(path)) is not None:
            found[path] = note
    return own, finder, sorted(found.values(), key=lambda n: n.path), sorted(named_files)


def _read(vault: Vault, path: str) -> str:
    try:
        return note_text(vault.read_bytes(path))
    except (OSError, VaultcrmError) as exc:
        raise VaultcrmError(f"cannot read the note: {exc}", path) from None


def _passages(vault: Vault, finder: MentionFinder, related: list[Note]) -> list[Passage]:
    out: list[Passage] = []
    for note in related:
        try:
            text = note_text(vault.read_bytes(note.path))
        except (OSError, VaultcrmError):  # gone since the sync
            continue
        lines = text.split("\n")
        hidden = private_lines(
            text, note.body_line, private_keys(note.meta.get("private"), vault.config.private_keys)
        )
        seen: set[int] = set()
        for span in finder.find(text):
            if span.line in seen:
                continue
            seen.add(span.line)
            line = lines[span.line - 1].rstrip("\r")
            private = span.line in hidden or is_private_text(line)
            out.append(Passage(note.path, span.line, line.strip(), private))
    return out


def _tasks(
    person: Person, own: Note, related: list[Note], directory: Directory, finder: MentionFinder
) -> list[TaskAbout]:
    """Tasks in their note, tasks about them by the one rule (``task_people``), and
    any other task that links or names them."""
    out = []
    for note in (own, *related):
        for task in note.tasks:
            about = (
                note.path == own.path
                or bool(finder.find(task.text))
                or any(
                    p.path == person.path
                    for p in task_people(task.text, note, directory, (person,))
                )
            )
            planned = task.surprise and any(
                p.path == person.path for p in surprise_for(task.text, note, directory)
            )
            if about or planned:
                out.append(
                    TaskAbout(
                        note.path,
                        task.line,
                        task.text,
                        task.done,
                        task.due,
                        task.done_on,
                        task.private or is_private_text(task.text),  # %% … %% in it
                        planned,
                    )
                )
    return out


def _dates(person: Person, hidden: frozenset[str]) -> list[DateFact]:
    out = []
    if person.birthday:
        out.append(
            DateFact("birthday", person.name, str(person.birthday), "", "birthday" in hidden)
        )
    started = as_yearly(person.started)
    if person.started and started:
        out.append(
            DateFact(
                "anniversary",
                person.name,
                person.started.isoformat(),
                "",
                DATE_KEYS["anniversary"] in hidden,
            )
        )
    for member in person.family:
        if member.birthday:
            out.append(
                DateFact(
                    "family_birthday",
                    member.name,
                    str(member.birthday),
                    member.relation,
                    DATE_KEYS["family_birthday"] in hidden,
                )
            )
    return out


@dataclass(frozen=True)
class Exported:
    """The export as text in the format asked for, and where it was written, if anywhere."""

    text: str
    export: Export
    out: Path | None = None


def export_document(
    vault: Vault,
    name: str,
    fmt: str = "md",
    out: str | Path | None = None,
    force: bool = False,
    today: dt.date | None = None,
) -> Exported:
    """``vaultcrm export``: the export as Markdown (``present/templates.render_export``)
    or JSON, written atomically to ``out`` when given (replaced only if ``force``)."""
    from ..errors import UsageError
    from ..present.templates import render_export
    from ..store.writes import write_output

    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use md or json")
    if force and out is None:
        raise UsageError("--force only goes with --out")
    export = export_person(vault, name, today)
    text = export.to_json() if fmt == "json" else render_export(export, vault)
    written = None
    if out is not None:
        written = Path(out).expanduser()
        write_output(written, text, force, vault=vault.root, private=True)
    return Exported(text, export, written)
