"""People: the person view of a note, finding someone by NAME, and last contact (SPEC §3, §4)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import AmbiguousNameError, NotFoundError, UsageError
from .notes import (
    Note,
    PartialDate,
    as_list,
    flatten_values,
    fold,
    link_target,
    link_targets,
    parse_cadence,
    parse_date,
    parse_partial_date,
    unlink,
)
from .privacy import DEFAULT_PRIVATE_KEYS, private_keys
from .rules import (
    Contact,
    DateEvent,
    contact,
    event_order,
    latest_contact,
    next_yearly,
)

_NAME_WORD = re.compile(r"[^\W_]+(?:[-.][^\W_]+)*")
_LATER_WORD = re.compile(r"(?<=[\s\-'])\w")
MAX_NAME_CHARS = 255  # a NAME to look up: no file name (or person's name) is longer


@dataclass(frozen=True)
class FamilyMember:
    name: str
    relation: str = ""
    birthday: PartialDate | None = None
    note: str = ""


@dataclass(frozen=True)
class Person:
    """A person note read as a person: what whole-vault questions (finding a NAME, last
    contact, cadence, dates, the network) need, without the note's text. Kept beside the
    index for every person, so ``people`` and ``agenda`` read no note; a feature that
    needs the log's words or the tasks asks the engine for the note itself."""

    path: str
    stem: str  # the file name: a name they answer to, and the target of a link to them
    name: str
    aliases: tuple[str, ...] = ()
    role: str = ""
    team: str = ""
    relation: str = ""
    manager: str = ""
    email: str = ""
    birthday: PartialDate | None = None
    started: dt.date | None = None
    met: str = ""
    cadence: tuple[int, str] | None = None
    cadence_text: str = ""
    last_contact_field: dt.date | None = None
    family: tuple[FamilyMember, ...] = ()
    interests: tuple[str, ...] = ()
    gift_ideas: tuple[str, ...] = ()
    growth: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()  # more addresses, as ``import`` writes them (``emails:``)
    log_dates: tuple[dt.date, ...] = ()  # of their Log's entries, for last contact
    influence: str = ""  # the stakeholder grid's high/medium/low, as written
    interest: str = ""
    private_keys: tuple[str, ...] = ()  # the note's own ``private:`` list (SPEC §6)

    @property
    def keys(self) -> tuple[str, ...]:
        """Every name this person answers to: name, aliases and file name."""
        return tuple(dict.fromkeys((self.name, *self.aliases, self.stem)))

    @property
    def teams(self) -> tuple[str, ...]:
        return tuple(t for t in (self.team,) if t)


def _text(value: object) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value).strip()
    if text.startswith("[[") and text.endswith("]]"):
        text = link_target(text[2:-2].split("|", 1)[0].split("#", 1)[0])
    return text


def _texts(value: object) -> tuple[str, ...]:
    return tuple(_text(v) for v in as_list(value) if _text(v))


def person_from_note(note: Note) -> Person:
    """The person a note describes; unreadable values become empty, never an error."""
    meta = note.meta
    family = []
    for member in as_list(meta.get("family")):
        if isinstance(member, dict):
            family.append(
                FamilyMember(
                    name=_text(member.get("name")) or "?",
                    relation=_text(member.get("relation")),
                    birthday=parse_partial_date(member.get("birthday")),
                    note=" ".join(flatten_values(member.get("note"))),
                )
            )
        elif _text(member):
            family.append(FamilyMember(name=_text(member)))
    cadence = meta.get("cadence")
    return Person(
        path=note.path,
        stem=note.stem,
        name=note.title,
        aliases=note.aliases,
        role=_text(meta.get("role")),
        team=_text(meta.get("team")),
        relation=fold(_text(meta.get("relation"))),
        manager=_text(meta.get("manager")),
        email=_text(meta.get("email")),
        birthday=parse_partial_date(meta.get("birthday")),
        started=parse_date(meta.get("started")),
        met=_text(meta.get("met")),
        cadence=parse_cadence(cadence),
        cadence_text=_text(cadence),
        last_contact_field=parse_date(meta.get("last_contact")),
        family=tuple(family),
        interests=_texts(meta.get("interests")),
        gift_ideas=_texts(meta.get("gift_ideas")),
        growth=_texts(meta.get("growth")),
        tags=note.tags,
        emails=_texts(meta.get("emails")),
        log_dates=tuple(entry.date for entry in note.log),
        influence=_text(meta.get("influence")),
        interest=_text(meta.get("interest")),
        private_keys=tuple(sorted(private_keys(meta.get("private"), ()))),
    )


# The front-matter key each kind of date comes from: private when that key is.
DATE_KEYS = {"birthday": "birthday", "anniversary": "started", "family_birthday": "family"}


def keys_private(person: Person, secret: Iterable[str] = DEFAULT_PRIVATE_KEYS) -> frozenset[str]:
    """The person's private front-matter keys (SPEC §6): config's ``private_keys``
    (``secret``) and their note's own ``private:`` list."""
    if not isinstance(secret, tuple | frozenset):
        secret = tuple(secret)
    return _keys_private(person.private_keys, secret)


@functools.lru_cache(maxsize=256)
def _keys_private(own: tuple[str, ...], secret: tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """Kept: a vault's people share a handful of ``private:`` lists (most have none), and
    the agenda asks for everyone's."""
    return private_keys(own, secret)


@dataclass(frozen=True)
class Entry:
    """Someone in a directory before their facts are read: the names they answer to, and
    how to read the rest (``load``), so finding one of 10,000 people reads one."""

    path: str
    name: str
    keys: tuple[str, ...]  # name, aliases and file name
    load: Callable[[], Person] | None = None  # None: given with the person


class Directory:
    """Everyone in the vault, findable by name, alias or file name (SPEC §3 NAME).

    Made of people, or of entries (``Directory.of``) whose people are read only when one
    is found or all are listed."""

    def __init__(self, people: Iterable[Person]):
        people = list(people)
        self._setup([Entry(p.path, p.name, p.keys) for p in people], {p.path: p for p in people})

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> Directory:
        directory = cls.__new__(cls)
        directory._setup(list(entries), {})
        return directory

    def _setup(self, entries: list[Entry], loaded: dict[str, Person]) -> None:
        self._entries = sorted(entries, key=lambda e: fold(e.name))
        self._loaded = loaded
        self._by_key: dict[str, list[Entry]] = {}
        self._words: dict[str, tuple[str, ...]] = {}  # path -> folded names, for ``named``
        for entry in self._entries:
            for key in {fold(k) for k in entry.keys}:
                self._by_key.setdefault(key, []).append(entry)

    def _person(self, entry: Entry) -> Person:
        person = self._loaded.get(entry.path)
        if person is None:
            assert entry.load is not None
            person = self._loaded[entry.path] = entry.load()
        return person

    @functools.cached_property
    def people(self) -> list[Person]:
        """Everyone, by name."""
        return [self._person(e) for e in self._entries]

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, name: str) -> Person | None:
        """Exact (folded) match on a name, alias or file name; None if none or several."""
        found = self._by_key.get(fold(name), [])
        return self._person(found[0]) if len(found) == 1 else None

    def resolve(self, name: str) -> Person:
        """One person for NAME, or ``AmbiguousNameError`` / ``NotFoundError`` with help.

        A NAME longer than any file name can be (``MAX_NAME_CHARS``) is a usage error:
        it could name no one, and the fuzzy "did you mean" grows with its length."""
        if len(name) > MAX_NAME_CHARS:
            raise UsageError(
                f"a NAME is at most {MAX_NAME_CHARS} characters; this one has {len(name):,}"
            )
        key = fold(name)
        if not key:
            raise UsageError("NAME is empty: say whom you mean")
        exact = _unique(self._by_key.get(key, []))
        if len(exact) == 1:
            return self._person(exact[0])
        if len(exact) > 1:
            raise AmbiguousNameError(name, _labels(exact))
        prefixed = _unique(
            e for k, entries in self._by_key.items() if k.startswith(key) for e in entries
        )
        if len(prefixed) == 1:
            return self._person(prefixed[0])
        if prefixed:
            raise AmbiguousNameError(name, _labels(prefixed))
        # Then the start of a later word: 'smit' for Pieter Smit, 'el amrani' for Fatima
        # El Amrani, as people are called by their surname too.
        worded = _unique(
            e
            for k, entries in self._by_key.items()
            if any(k[m.start() :].startswith(key) for m in _LATER_WORD.finditer(k))
            for e in entries
        )
        if len(worded) == 1:
            return self._person(worded[0])
        if worded:
            raise AmbiguousNameError(name, _labels(worded))
        raise NotFoundError(f"no person called '{name}'", self.suggest(name))

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """The closest names, for 'did you mean'."""
        from rapidfuzz import fuzz, process, utils

        choices = {fold(k): e.name for e in self._entries for k in e.keys}
        found = process.extract(
            fold(name),
            list(choices),
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=limit * 3,
        )
        names = [choices[match] for match, score, _ in found if score >= 60]
        return list(dict.fromkeys(names))[:limit]

    def named(self, person: Person, folded: str) -> bool:
        """Whether folded text names ``person`` as a whole word: a name, alias, file name
        or, of a full name, the first name (their folded forms kept per person)."""
        # ``in`` first: most keys are not in the text at all, and then no call is made
        # (health asks for every task of every note: 37,000 times on 10,000 notes)
        return any(key in folded and _has_word(folded, key) for key in self._folded(person))

    def addressed(self, person: Person, folded: str) -> bool:
        """Whether folded text names ``person`` as the one something is for: "for
        Fatima", "voor Sanne", "aan Henk", "Sanne's" (a surprise's recipient)."""
        return any(
            _has_word(folded, form.format(key)) for key in self._folded(person) for form in _FOR
        )

    def _folded(self, person: Person) -> tuple[str, ...]:
        keys = self._words.get(person.path)
        if keys is None:
            words = person.name.split()
            first = words[0] if len(words) > 1 else person.name
            keys = tuple(k for k in dict.fromkeys(fold(k) for k in (*person.keys, first)) if k)
            self._words[person.path] = keys
        return keys

    def called(self, text: str, longest: int = 4) -> list[Person]:
        """The people ``text`` calls by a name, alias or file name of up to ``longest``
        words ("for Fatima's lunch" → Fatima), each looked up, not searched for: the
        cost follows the text, not the number of people."""
        words = _NAME_WORD.findall(text)
        found: dict[str, Person] = {}
        for size in range(1, longest + 1):
            for start in range(len(words) - size + 1):
                person = self.lookup(" ".join(words[start : start + size]))
                if person is not None:
                    found.setdefault(person.path, person)
        return list(found.values())

    def keys_except(self, path: str) -> list[str]:
        """The names everyone but the person at ``path`` answers to (nobody is read)."""
        return [k for e in self._entries if e.path != path for k in e.keys]

    def linked(self, note: Note) -> list[Person]:
        """The people a note links to, or names as attendees, by any of their names."""
        found: dict[str, Person] = {}  # by path: a Person's own ``==`` compares every field
        for target in (*note.links, *note.attendees):
            person = self.lookup(target)
            if person is not None:
                found.setdefault(person.path, person)
        return list(found.values())


def _unique(entries: Iterable[Entry]) -> list[Entry]:
    seen: dict[str, Entry] = {}
    for entry in entries:
        seen.setdefault(entry.path, entry)
    return list(seen.values())


def _labels(entries: Sequence[Entry]) -> list[str]:
    return [f"{e.name} ({e.path})" for e in sorted(entries, key=lambda e: fold(e.name))]


def contact_for(
    person: Person, linking: Iterable[Note], today: dt.date, met: Iterable[dt.date] = ()
) -> Contact:
    """SPEC §4 for one person: the notes that link them, their Log, ``last_contact`` and
    (§7) the days of the calendar meetings with them that have started (``met``)."""
    last, source = latest_contact(
        person.last_contact_field,
        person.log_dates,
        (n for n in linking if n.path != person.path),
        today,
        met,
    )
    return contact(last, person.cadence, today, source)


def contacts(
    directory: Directory,
    notes: Iterable[Note],
    today: dt.date,
    met: Mapping[str, Iterable[dt.date]] | None = None,
) -> dict[str, Contact]:
    """Last contact of everyone at once, from one pass over all notes; ``met`` holds
    each person's calendar meeting days by the path of their note (SPEC §7)."""
    linking: dict[str, list[Note]] = {p.path: [] for p in directory.people}
    for note in notes:
        if note.date:
            for person in directory.linked(note):
                linking[person.path].append(note)
    met = met or {}
    return {
        p.path: contact_for(p, linking[p.path], today, met.get(p.path, ()))
        for p in directory.people
    }


def task_people(
    text: str,
    note: Note,
    directory: Directory,
    candidates: Iterable[Person] = (),
    *,
    linked: Sequence[Person] | None = None,
) -> list[Person]:
    """Whom an open task in a note is about: the one rule for prep, agenda and health.

    In a person's own note, that person. Elsewhere: the people the task names (by link,
    or by name, alias or first name among the people the note links and ``candidates``);
    a task that names no one belongs to everyone a meeting note links (its attendees, as
    that meeting's action items) and, in any other note, to no one (your own to-do).

    ``linked``: ``directory.linked(note)`` when the caller has it already (health asks
    for each of a note's tasks, on 10,000 notes a third of its time spent looking again).
    """
    if note.kind == "person":
        owner = directory.lookup(note.stem)
        return [owner] if owner else []
    linked = directory.linked(note) if linked is None else list(linked)
    return _named_in(text, linked, directory, candidates) or (linked if note.meeting else [])


_OWNER_HEAD = re.compile(r"^\s*([^:\n]{1,80}?):(?=\s|$)")
_OWNER_JOINERS = re.compile(r"\s*(?:,|&|\+|/|\band\b|\ben\b)\s*", re.IGNORECASE)
EVERYONE = frozenset({"everyone", "all", "team", "iedereen", "allen", "allemaal"})


def task_owners(
    text: str, note: Note, directory: Directory, candidates: Iterable[Person] = ()
) -> list[Person]:
    """Who promised a task, by the one convention (README "Meeting prep"): the names
    before a colon that starts it. "Henk: share the draft", "[[Henk]] and Sanne: swap the
    late shift" (joined by ``,`` ``&`` ``+`` ``/`` and/en); "Everyone:" / "Iedereen:" is
    everyone the note links (in a person's own note, that person). A name is a link, a
    name, alias or file name, or the first name of someone the note links or of
    ``candidates``. Empty (a promise of yours) when nothing before the colon is a person:
    "Ask Henk: about the rota" is yours."""
    head = _OWNER_HEAD.match(text)
    if head is None:
        return []
    parts = [p for p in _OWNER_JOINERS.split(head[1]) if p.strip()]
    if not parts or len(parts) > 6 or any(len(p.split()) > 4 for p in parts):
        return []
    pool = {p.path: p for p in (*directory.linked(note), *candidates)}
    owner = directory.lookup(note.stem) if note.kind == "person" else None
    found: dict[str, Person] = {}
    for part in parts:
        targets = link_targets(part)
        name = fold(unlink_name(part))
        if not targets and name in EVERYONE:
            people = [owner] if owner else list(pool.values())
        else:
            people = [p for t in targets if (p := directory.lookup(t))]
            if not targets:
                person = directory.lookup(name)
                people = [person] if person else [p for p in pool.values() if _first(p) == name]
        found.update((p.path, p) for p in people)
    return list(found.values())


def unlink_name(text: str) -> str:
    """A name as written, without ``[[`` ``]]``, a link's label or emphasis."""
    return re.sub(r"[\[\]*_]", "", text.split("|", 1)[-1]).strip()


def _first(person: Person) -> str:
    words = person.name.split()
    return fold(words[0]) if words else ""


def surprise_for(text: str, note: Note, directory: Directory) -> list[Person]:
    """Whom a ``#surprise`` task is kept from (SPEC §6). Whoever it names as the one it
    is for ("for Fatima", "voor Sanne", "aan Henk", "Sanne's"), wherever it stands. Else,
    in a person's own note, the others it names ("Ask Anouk about the voucher" in
    Anouk's note when it names Fatima: Fatima's surprise, to plan with Anouk), or that
    person ("Bake the cake" in Sanne's note); elsewhere, the people it is about
    (``task_people``)."""
    if note.kind != "person":
        about = task_people(text, note, directory)
        folded = fold(unlink(text))
        return [p for p in about if directory.addressed(p, folded)] or about
    owner = directory.lookup(note.stem)
    named = _named_in(text, directory.linked(note), directory, directory.called(text))
    if owner is not None and owner not in named:
        named.append(owner)  # "Bake a cake for Sanne" in Sanne's note may call her by a key
    folded = fold(unlink(text))
    meant = [p for p in named if directory.addressed(p, folded)]
    if meant:
        return meant
    others = [p for p in named if owner is None or p.path != owner.path]
    return others or ([owner] if owner else [])


# How a surprise names the one it is for, each around a folded name or alias.
_FOR = ("for {}", "voor {}", "aan {}", "{}'s", "{}\u2019s")


def _named_in(
    text: str, linked: Sequence[Person], directory: Directory, candidates: Iterable[Person]
) -> list[Person]:
    """The people a task's text links, or names among ``linked`` and ``candidates``."""
    in_task = [p for t in link_targets(text) if (p := directory.lookup(t))]
    pool = {p.path: p for p in (*linked, *in_task, *candidates)}
    in_task_paths = {p.path for p in in_task}
    folded = fold(text) if pool else ""
    return [p for path, p in pool.items() if path in in_task_paths or directory.named(p, folded)]


def _has_word(text: str, word: str) -> bool:
    """``word`` in ``text`` with no letter, digit or '_' on either side; a find loop, as
    a regex per person and task costs more than the rest of a vault-wide pass."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        at = text.find(word, at + 1)
    return False


def upcoming_dates(
    people: Iterable[Person],
    today: dt.date,
    days: int,
    secret: Iterable[str] = DEFAULT_PRIVATE_KEYS,
) -> list[DateEvent]:
    """Birthdays, work anniversaries and relatives' birthdays from ``today`` to
    ``today + days``, in date order; each private when the key it comes from is
    (``secret``: config's ``private_keys``)."""
    events: list[DateEvent] = []
    secret = tuple(secret)
    for person in people:
        yearly = [
            ("birthday", person.birthday, person.name, ""),
            ("anniversary", person.started, person.name, ""),
            *(("family_birthday", m.birthday, m.name, m.relation) for m in person.family),
        ]
        for kind, day, who, relation in yearly:
            found = next_yearly(day, today, days)
            if found is not None:
                when, years = found
                events.append(
                    DateEvent(
                        when,
                        (when - today).days,
                        kind,
                        who,
                        person.name,
                        person.path,
                        relation,
                        years,
                        private=DATE_KEYS[kind] in keys_private(person, secret),
                    )
                )
    return sorted(events, key=event_order)
