"""``vaultcrm import FILE.vcf``: people from an address book (SPEC §7, issue 16).

A new vault starts empty while the user's colleagues are already in their address book.
Import reads a vCard file (3.0 and 4.0 as Google, Apple and Outlook export them, and
Outlook's older 2.1 with quoted-printable values and CHARSET) with ``vobject`` and, per
contact, finds the person it is (``meetings.PeopleMatcher``: email first, then name or
alias, folded) and plans what to write:

- ``+`` new: a note made through the person template (``person.md.j2``, as ``new``
  makes one), its empty keys then filled from the contact;
- ``~`` updated: keys missing or empty in the note are filled;
- ``=`` unchanged: the note already says everything the contact says;
- ``!`` conflicts: the note says something else for a key; the note's value is kept and
  the difference listed (the missing keys of that note are still filled).

Nothing is written without ``write=True`` (the CLI's ``--yes``), and a value is never
overwritten. The edit of an existing note is the same kind as ``log``'s: whole lines
added to the front-matter, or one empty key's line filled; every other byte (BOM, CRLF,
comments, key order, quoting, trailing spaces, no final newline) stays as it was, and
the write is ``writes.update_file``'s (locked, atomic, redone on an editor's save).

The mapping (README "Contacts"), in SPEC §2's keys where it has one:

=============  =====================================================================
vCard          front-matter
=============  =====================================================================
FN (or N)      ``name`` and the file name; never changed in an existing note
NICKNAME       ``aliases``
EMAIL          ``email`` (the preferred one, else the first), the others in ``emails``
TEL            ``phone`` (the preferred one, else the first), as text
TITLE          ``role``
ORG            ``organisation`` (its first part), ``team`` (its unit, when given)
BDAY           ``birthday``: ``YYYY-MM-DD``, or ``--MM-DD`` when the year is unknown
CATEGORIES     ``tags`` (Google's own groups ``myContacts`` and ``starred`` left out)
NOTE           a quoted paragraph under "From the address book" in a new note only
=============  =====================================================================

A list key (aliases, emails, tags) is "the same" when the note's list already holds the
contact's items; a phone when the digits agree; a birthday without a year agrees with
the full date. A second import of the same file changes nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RefusedWriteError, TemplateError, UsageError, VaultcrmError
from ..model.notes import (
    Problem,
    as_list,
    fold,
    parse_note,
    parse_partial_date,
    split_front_matter,
    unlink,
)

if TYPE_CHECKING:
    from ..engine.api import SyncResult
    from ..model.meetings import PeopleMatcher
    from ..model.people import Person
    from ..store.vault import Vault

# The keys import writes, in the order it appends them to a note.
KEYS = ("aliases", "role", "team", "organisation", "email", "emails", "phone", "birthday", "tags")
_GOOGLE_GROUPS = {"mycontacts", "starred"}
_BOM = b"\xef\xbb\xbf"
_EMPTY = {"", "~", "null", "Null", "NULL", "''", '""', "[]", "{}"}
_FENCE = re.compile(r"^-{3,}\s*$")
_NUMBERISH = re.compile(r"[-+]?(?:\d[\d_]*)?\.?\d*(?:[eE][-+]?\d+)?|0[xXoObB][\da-fA-F_]+")
_YEARLESS_YEARS = {"1604", "1900", "0000"}  # what Apple and Outlook write for "no year"

# vobject logs what it finds odd in a card; the library never prints, and a NullHandler
# keeps Python's last-resort handler from doing so. Once: added per card, the handlers
# piled up (1,000 per import of 1,000 cards), each import scanning them all again.
logging.getLogger("vobject").addHandler(logging.NullHandler())


class ContactsError(UsageError):
    """A contacts file that cannot be read at all: missing, unreadable, not vCard."""


@dataclass(frozen=True)
class Contact:
    """One vCard, read: the values import may write, as text (see the module doc)."""

    name: str
    line: int = 0
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phone: str = ""
    role: str = ""
    organisation: str = ""
    team: str = ""
    birthday: str = ""
    tags: tuple[str, ...] = ()
    note: str = ""

    def fields(self) -> dict[str, str | tuple[str, ...]]:
        """The front-matter keys this contact gives a value, in ``KEYS`` order."""
        values: dict[str, str | tuple[str, ...]] = {
            "aliases": self.aliases,
            "role": self.role,
            "team": self.team,
            "organisation": self.organisation,
            "email": self.emails[0] if self.emails else "",
            "emails": self.emails[1:],
            "phone": self.phone,
            "birthday": self.birthday,
            "tags": self.tags,
        }
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class AddressBook:
    contacts: tuple[Contact, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Conflict:
    """A key whose value in the note differs from the contact's; the note's is kept."""

    key: str
    note: str
    contact: str


@dataclass(frozen=True)
class Planned:
    """What import does (or, in a dry run, would do) for one contact."""

    status: str  # "new", "updated", "unchanged" or "conflicts"
    name: str
    path: str
    line: int
    filled: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()

    @property
    def symbol(self) -> str:
        return {"new": "+", "updated": "~", "unchanged": "=", "conflicts": "!"}[self.status]


@dataclass(frozen=True)
class Imported:
    """The plan for every contact, the contacts that could not be imported, and whether
    (and what) it wrote."""

    planned: tuple[Planned, ...] = ()
    problems: tuple[Problem, ...] = ()
    written: bool = False
    sync: SyncResult | None = None
    counts: dict[str, int] = field(default_factory=dict, compare=False)


# ---------------------------------------------------------------- reading a .vcf


def read_contacts(path: str | Path) -> AddressBook:
    """The contacts of a .vcf file. A card that cannot be read, or has no name, is a
    ``Problem`` with its line, and the others are still read; a file that is missing or
    holds no vCard at all is a ``ContactsError``."""
    contacts, problems = _contacts(path)
    found = tuple(contacts)  # first: reading the cards adds their problems
    return AddressBook(found, tuple(problems))


def _contacts(path: str | Path, ahead: bool = False) -> tuple[Iterator[Contact], list[Problem]]:
    """The contacts of a .vcf file as they are read, and the problems found so far. With
    ``ahead``, a second process parses the cards (vobject, pure Python) while the caller
    works on the contacts before them (see engine/forked.py)."""
    from ..engine.forked import mapped_ahead
    from ..store.vault import not_a_file

    path = Path(path)
    odd = not_a_file(path)
    if odd is not None:
        raise ContactsError(odd, path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ContactsError("contacts file does not exist", path) from None
    except IsADirectoryError:
        raise ContactsError("is a folder, not a contacts (.vcf) file", path) from None
    except OSError as exc:
        raise ContactsError(f"cannot read the contacts: {exc.strerror or exc}", path) from None
    text = _decode(raw)
    cards, problems = _cards(text, str(path))
    if not cards and not problems:
        raise ContactsError("not a vCard file (it holds no BEGIN:VCARD)", path)
    read = functools.partial(_read_card, path=str(path))

    def contacts() -> Iterator[Contact]:
        for contact, found in (mapped_ahead if ahead else map)(read, cards):
            problems.extend(found)
            if contact is not None:
                yield contact

    return contacts(), problems


def _decode(raw: bytes) -> str:
    """vCard 3.0 and 4.0 are UTF-8; Windows tools write UTF-16 with a BOM, and old
    Outlook exports Windows-1252 without saying so."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", "replace")
    if raw.startswith(_BOM):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _cards(text: str, path: str) -> tuple[list[tuple[int, str]], list[Problem]]:
    """Each ``BEGIN:VCARD`` … ``END:VCARD`` block with the line it starts on."""
    cards: list[tuple[int, str]] = []
    problems: list[Problem] = []
    start, lines = 0, []
    for number, line in enumerate(text.splitlines(), 1):
        word = line.strip().upper()
        if word == "BEGIN:VCARD":
            if start:
                problems.append(Problem(path, start, "a contact without END:VCARD is skipped"))
            start, lines = number, [line]
        elif start:
            lines.append(line)
            if word == "END:VCARD":
                cards.append((start, "\r\n".join(lines) + "\r\n"))
                start, lines = 0, []
    if start:
        problems.append(Problem(path, start, "the file ends inside this contact (cut off?)"))
    return cards, problems


def _read_card(card: tuple[int, str], path: str) -> tuple[Contact | None, list[Problem]]:
    """One card's contact (None when it cannot be imported) and what was wrong with it."""
    line, text = card
    problems: list[Problem] = []
    return _contact(text, line, path, problems), problems


def _contact(text: str, line: int, path: str, problems: list[Problem]) -> Contact | None:
    import vobject

    try:
        card = vobject.readOne(text, allowQP=True)
    except Exception as exc:  # noqa: BLE001 - vobject raises several kinds on bad input
        at = getattr(exc, "lineNumber", None)
        where = line + at - 1 if isinstance(at, int) and at > 0 else line
        problems.append(Problem(path, where, "this contact is not valid vCard; skipped"))
        return None
    contents: dict[str, list[Any]] = getattr(card, "contents", {})

    def values(key: str) -> list[Any]:
        return [c for c in contents.get(key, []) if _text(c.value)]

    whole = _whole_texts(text)  # vobject keeps a text only up to its first bare comma
    name = whole.get("FN") or next((_text(c.value) for c in values("fn")), "")
    if not name:
        name = next((_name_from_n(c.value) for c in contents.get("n", [])), "")
    name = " ".join(name.split())
    if not name:
        emails = [_text(c.value) for c in values("email")]
        hint = f" ({emails[0]})" if emails else ""
        problems.append(Problem(path, line, f"a contact without a name (FN or N){hint}; skipped"))
        return None
    emails = [_text(c.value).removeprefix("mailto:").strip() for c in _preferred(values("email"))]
    phones = [_text(c.value).removeprefix("tel:").strip() for c in _preferred(values("tel"))]
    org = next((c.value for c in values("org")), [])
    org = [_joined(part) for part in (org if isinstance(org, list) else [org])]
    birthday = ""
    for bday in values("bday"):
        birthday = _birthday(bday)
        if not birthday:
            problems.append(
                Problem(
                    path, line, f"{name}: birthday {_text(bday.value)!r} is not a date; left out"
                )
            )
        break
    tags = [_inert(t) for c in values("categories") for t in _items(c.value)]
    note = whole.get("NOTE") or next((_text(c.value) for c in values("note")), "")
    return Contact(
        name=name,
        line=line,
        aliases=_unique(
            _inert(a) for c in values("nickname") for a in _items(c.value) if fold(a) != fold(name)
        ),
        emails=_unique(e for e in emails if e),
        phone=next((p for p in phones if p), ""),
        role=_inert(whole.get("TITLE") or next((_text(c.value) for c in values("title")), "")),
        organisation=_inert(org[0]) if org else "",
        team=_inert(org[1]) if len(org) > 1 else "",
        birthday=birthday,
        tags=_unique(t for t in tags if t and fold(t) not in _GOOGLE_GROUPS),
        # quoted in the note (``_with_note``): a comment mark would hide the rest of it
        note=_unlinked(note).replace("%%", "\\%\\%"),
    )


def _inert(text: str) -> str:
    """A value from an address book as it may land in front-matter: one line, and no
    link (``CATEGORIES:[[Henk]]`` would make a tie with Henk in the network)."""
    return " ".join(_unlinked(text).split())


def _unlinked(text: str) -> str:
    """``text`` without links, nor a stray ``[[`` or ``]]`` that would start one."""
    return unlink(text).replace("[[", "").replace("]]", "")


_WHOLE = ("FN", "TITLE", "NOTE")  # one text each, in which a comma is only a comma
_PROPERTY = re.compile(r"^(?:[\w-]+\.)?([\w-]+)((?:;[^:;]*(?:\"[^\"]*\")?[^:;]*)*):(.*)$")
_ESCAPE = re.compile(r"\\([\\,;nN])")


def _whole_texts(card: str) -> dict[str, str]:
    """FN, TITLE and NOTE as written, first of each: many exporters (Outlook's "Dijk,
    Jan") leave commas in them unescaped, which vobject reads as a list and keeps the
    first part of. Lines are unfolded (RFC 6350 §3.2) and quoted-printable decoded."""
    found: dict[str, str] = {}
    lines = re.sub(r"\r?\n[ \t]", "", card).splitlines()
    at = 0
    while at < len(lines):
        match = _PROPERTY.match(lines[at])
        at += 1
        if not match or match[1].upper() not in _WHOLE or match[1].upper() in found:
            continue
        params, value = match[2].upper(), match[3]
        if "QUOTED-PRINTABLE" in params:
            while value.endswith("=") and at < len(lines):  # a soft line break
                value, at = value[:-1] + lines[at], at + 1
            value = _quoted_printable(value, params)
        else:
            value = _ESCAPE.sub(lambda m: "\n" if m[1] in "nN" else m[1], value)
        found[match[1].upper()] = value.strip()
    return {k: v for k, v in found.items() if v}


def _quoted_printable(value: str, params: str) -> str:
    import quopri

    raw = quopri.decodestring(value.encode("latin-1", "replace"))
    charset = re.search(r"CHARSET=([\w-]+)", params)
    for encoding in (charset[1] if charset else "utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


def _joined(value: Any) -> str:
    """One ORG part, which vobject splits at its commas: "Smith, Jones & Co"."""
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if _text(v))
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_text(v) for v in value if _text(v))
    return str(value).strip() if value is not None else ""


def _items(value: Any) -> list[str]:
    """A CATEGORIES or NICKNAME value as items (vobject splits on unescaped commas)."""
    items = value if isinstance(value, list) else str(value).split(",")
    return [_text(i) for i in items if _text(i)]


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(fold(item), item.strip())
    return tuple(seen.values())


def _name_from_n(value: Any) -> str:
    """N is family;given;additional;prefix;suffix: a name as it is said."""
    parts = [getattr(value, key, "") for key in ("prefix", "given", "additional", "family")]
    return " ".join(_text(p) for p in parts if _text(p))


def _preferred(lines: list[Any]) -> list[Any]:
    """Lines marked preferred first (3.0 TYPE=pref, 2.1 PREF, 4.0 PREF=1), else in order."""

    def pref(line: Any) -> bool:
        params = {k.upper(): [str(v).upper() for v in vs] for k, vs in line.params.items()}
        singles = {str(s).upper() for s in getattr(line, "singletonparams", [])}
        return "PREF" in params or "PREF" in params.get("TYPE", []) or "PREF" in singles

    return sorted(lines, key=lambda line: not pref(line))


def _birthday(line: Any) -> str:
    """``YYYY-MM-DD`` or ``--MM-DD`` from BDAY's forms: 1978-04-12, 19780412,
    1978-04-12T00:00:00Z, --0412, --04-12, and Apple's year-less X-APPLE-OMIT-YEAR."""
    value = _text(line.value)
    omit = {str(y) for y in line.params.get("X-APPLE-OMIT-YEAR", [])}
    found = re.fullmatch(r"(\d{4}|--)-?(\d{2})-?(\d{2})(?:T[\d:]+(?:Z|[+-][\d:]+)?)?", value)
    if not found:
        return ""
    year, month, day = found.groups()
    if year in omit or year in _YEARLESS_YEARS:
        year = "--"
    text = f"--{month}-{day}" if year == "--" else f"{year}-{month}-{day}"
    return text if parse_partial_date(text) is not None else ""


# ---------------------------------------------------------------- editing front-matter


@dataclass(frozen=True)
class Fill:
    """The outcome of filling one note: its new bytes, the keys filled, the conflicts."""

    data: bytes
    filled: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()


def fill_front_matter(raw: bytes, contact: Contact, path: str = "note") -> Fill:
    """``raw`` with every key the contact gives filled where the note's is missing or
    empty; every other byte kept. Differing values are conflicts, never written.

    ``VaultcrmError`` when the front-matter cannot be read (the note is left alone).
    """
    bom = raw.startswith(_BOM)
    text = raw[3:].decode("utf-8", "surrogateescape") if bom else None
    if text is None:
        text = raw.decode("utf-8", "surrogateescape")
    meta, _, problems = split_front_matter(text, path)
    if any("front-matter" in p.message for p in problems):
        raise VaultcrmError("its front-matter cannot be read; not changed", path)
    title = str(meta.get("name") or "").strip() or path.rsplit("/", 1)[-1].removesuffix(".md")
    conflicts: list[Conflict] = []
    known = {fold(title), *(fold(str(a)) for a in as_list(meta.get("aliases")))}
    known.add(fold(path.rsplit("/", 1)[-1].removesuffix(".md")))
    if fold(contact.name) not in known:
        conflicts.append(Conflict("name", title, contact.name))
    wanted = contact.fields()
    note_email = _plain(meta.get("email"))
    if note_email and "email" in wanted:  # the note's address may be any of the contact's
        known = {fold(note_email), *(fold(str(e)) for e in as_list(meta.get("emails")))}
        if any(fold(e) in known for e in contact.emails):
            wanted["email"] = note_email
            others = tuple(e for e in contact.emails if fold(e) != fold(note_email))
            wanted["emails"] = others
            if not others:
                del wanted["emails"]
        else:  # a conflict on email: listed, and none of the contact's addresses added
            wanted.pop("emails", None)
    fills: dict[str, str] = {}
    for key, value in wanted.items():
        old = meta.get(key)
        if _is_empty(old):
            fills[key] = _yaml(key, value)
        elif not _same(key, old, value):
            conflicts.append(Conflict(key, _shown(old), _shown(value)))
    if not fills:
        return Fill(raw, (), tuple(conflicts))
    new_text = _write_keys(text, fills, path)
    data = new_text.encode("utf-8", "surrogateescape")
    return Fill(_BOM + data if bom else data, tuple(fills), tuple(conflicts))


def _plain(value: Any) -> str:
    return str(value).strip() if isinstance(value, str | int | float | dt.date) else ""


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _same(key: str, old: Any, new: str | tuple[str, ...]) -> bool:
    """Whether the note already says what the contact says (see the module doc)."""
    if isinstance(new, tuple):
        have = {fold(str(v)).lstrip("#") for v in as_list(old) if not isinstance(v, dict | list)}
        return {fold(v).lstrip("#") for v in new} <= have
    if key == "phone":
        return _digits(str(old)) == _digits(new)
    if key == "birthday":
        mine, theirs = parse_partial_date(old), parse_partial_date(new)
        if mine is None or theirs is None:
            return False
        years = mine.year is None or theirs.year is None or mine.year == theirs.year
        return (mine.month, mine.day) == (theirs.month, theirs.day) and years
    return fold(_plain(old)) == fold(new)


def _digits(text: str) -> str:
    return re.sub(r"[^\d+]", "", text)


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _yaml(key: str, value: str | tuple[str, ...]) -> str:
    """A value as YAML that reads back as the same text (quoted only where needed): a
    phone or postcode stays text; a birthday is written as the template asks for it."""
    if isinstance(value, tuple):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if key == "birthday":
        return value
    return _scalar(value)


def _scalar(value: str) -> str:
    """``yaml_scalar``, and quoted when YAML 1.2 readers (Obsidian's among them) would
    take it for a number: ``0612345678`` and ``+31612345678`` must keep their zeros."""
    from ..present.templates import yaml_scalar

    text = yaml_scalar(value.strip())
    if _NUMBERISH.fullmatch(text):
        return "'" + text + "'"
    return text


def _write_keys(text: str, fills: dict[str, str], path: str) -> str:
    """``text`` with each key's line filled (an empty key) or added (a missing one)."""
    lines = text.split("\n")
    eol = "\r\n" if lines[0].endswith("\r") else "\n"
    if not _FENCE.match(lines[0].rstrip("\r")):  # no front-matter: one is added on top
        added = "".join(f"{k}: {v}{eol}" for k, v in fills.items())
        return f"---{eol}{added}---{eol}{text}"
    close = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i].rstrip("\r"))), None)
    if close is None:
        raise VaultcrmError("its front-matter has no closing '---'; not changed", path)
    missing = []
    for key, value in fills.items():
        at = _key_line(lines, close, key)
        if at is None:
            missing.append(f"{key}: {value}")
            continue
        line = lines[at]
        cr = "\r" if line.endswith("\r") else ""
        head, _, rest = line.rstrip("\r").partition(":")
        body, comment = _split_comment(rest)
        if body.strip() not in _EMPTY:
            raise VaultcrmError(f"'{key}' is not empty as written; not changed", path)
        new = f"{head}: {value}"
        if comment:  # the comment stays where it was, if there is room
            column = len(head) + 1 + len(body)
            new += " " * max(1, column - len(new)) + comment
        lines[at] = new + cr
    tail = "\r" if eol == "\r\n" else ""
    lines[close:close] = [line + tail for line in missing]
    return "\n".join(lines)


def _key_line(lines: list[str], close: int, key: str) -> int | None:
    """The index of the one top-level line of ``key`` in the front-matter, or None."""
    pattern = re.compile(rf"^([\"']?){re.escape(key)}\1[ \t]*:")
    found = [i for i in range(1, close) if pattern.match(lines[i])]
    return found[0] if len(found) == 1 else None


def _split_comment(rest: str) -> tuple[str, str]:
    """A YAML value and its comment: a '#' at the start or after a space, not quoted."""
    quote = ""
    for i, char in enumerate(rest):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or rest[i - 1] in " \t"):
            return rest[:i], rest[i:]
    return rest, ""


# ---------------------------------------------------------------- the import


def import_contacts(
    vault: Vault, path: str | Path, today: dt.date, write: bool = False
) -> Imported:
    """Plan (and with ``write`` make) the import of a .vcf file into the vault.

    Contacts are taken in file order, each against the vault as the earlier ones left
    it, so two cards for one person become one note. A contact that cannot be imported
    (no name, a name that cannot be a file name, a name several people answer to, a
    note whose front-matter cannot be read) is a problem; the rest go on.
    """
    from ..engine.api import no_gc
    from ..engine.reading import reading
    from ..model.meetings import PeopleMatcher
    from ..model.notes import parses_kept
    from ..present.templates import dumped_scalar

    # Cards, plans, notes and their index records: many objects, no cycles to collect
    with no_gc():
        contacts, card_problems = _contacts(path, ahead=True)  # read while planning
        with reading(vault) as index:
            matcher = PeopleMatcher(index.directory)
        try:
            with parses_kept():  # each new note is parsed to plan it, and again to index it
                return _import(vault, path, contacts, card_problems, matcher, today, write)
        finally:  # the address book's quoted values, kept while importing it, and no longer
            dumped_scalar.cache_clear()
            contacts.close()  # a plan that failed midway: the card reader's child goes now


def _import(
    vault: Vault,
    path: str | Path,
    contacts: Iterator[Contact],
    card_problems: list[Problem],
    matcher: PeopleMatcher,
    today: dt.date,
    write: bool,
) -> Imported:
    from ..model.people import person_from_note
    from ..present.templates import person_renderer
    from .journal import clean_name

    problems: list[Problem] = []  # the plan's; the cards' come first
    source = str(path)
    folder = vault.config.people_dirs[0] if vault.config.people_dirs else "people"
    render = person_renderer(vault, today)
    words = _words(vault)
    current: dict[str, bytes] = {}  # note path -> its bytes as planned so far
    created: set[str] = set()
    changes: dict[str, list[Contact]] = {}
    planned: list[Planned] = []
    for contact in contacts:
        person = _find(matcher, contact)
        if person is None and matcher.taken(contact.name):
            problems.append(
                Problem(source, contact.line, f"several people answer to {contact.name!r}; skipped")
            )
            continue
        if person is None:
            try:
                name = clean_name(contact.name)
            except (UsageError, RefusedWriteError) as exc:
                problems.append(Problem(source, contact.line, f"{exc.message}; skipped"))
                continue
            rel = f"{folder}/{name}.md" if folder else f"{name}.md"
            if rel in current or vault.root.joinpath(rel).exists():
                problems.append(
                    Problem(source, contact.line, f"{rel} exists but is not {name!r}; skipped")
                )
                continue
            text = render(name=name, role=contact.role, team=contact.team, relation="")
            text = _with_note(text, contact.note, words("contact_note_heading"))
            try:
                fill = fill_front_matter(text.encode("utf-8"), contact, rel)
            except VaultcrmError as exc:
                raise TemplateError(
                    f"the person template makes a note import cannot fill: {exc.message}",
                    "person.md.j2",
                ) from None
            note = parse_note(rel, fill.data, vault.config.people_dirs)
            if any("front-matter" in p.message for p in note.problems) or note.kind != "person":
                raise TemplateError(
                    "the person template makes a note with broken front-matter", "person.md.j2"
                )
            current[rel] = fill.data
            created.add(rel)
            matcher.add(person_from_note(note))
            planned.append(Planned("new", name, rel, contact.line, fill.filled))
            continue
        rel = person.path
        before = current.get(rel)
        if before is None:
            before = vault.path_of(rel).read_bytes()
        try:
            fill = fill_front_matter(before, contact, rel)
        except VaultcrmError as exc:
            problems.append(Problem(source, contact.line, f"{rel}: {exc.message}"))
            continue
        current[rel] = fill.data
        if rel not in created and fill.filled:
            changes.setdefault(rel, []).append(contact)
        status = "conflicts" if fill.conflicts else "updated" if fill.filled else "unchanged"
        if rel in created and status == "updated":
            status = "new"  # a second card for someone this import creates
        planned.append(Planned(status, person.name, rel, contact.line, fill.filled, fill.conflicts))
    problems = [*card_problems, *problems]
    from ..store.writes import is_read_only

    blocked = [rel for rel in changes if is_read_only(vault.path_of(rel).stat().st_mode)]
    if write and blocked:  # checked first: an import never stops halfway
        raise RefusedWriteError(
            "is read-only; nothing was imported: make it writable first", blocked[0]
        )
    problems += [
        Problem(rel, None, "is read-only: import --yes changes nothing until it is")
        for rel in blocked
    ]
    sync = None
    if write:
        sync = _write(vault, current, created, changes)
    counts = {s: sum(p.status == s for p in planned) for s in ("new", "updated", "unchanged")}
    counts["conflicts"] = sum(p.status == "conflicts" for p in planned)
    return Imported(tuple(planned), tuple(problems), write, sync, counts)


def _find(matcher: PeopleMatcher, contact: Contact) -> Person | None:
    for email in contact.emails:
        person = matcher.by_email(email)
        if person is not None:
            return person
    return matcher.match("", (contact.name, *contact.aliases))


def _words(vault: Vault) -> Callable[..., str]:
    from ..present.words import language

    return language(vault.config.locale)


def _with_note(text: str, note: str, heading: str) -> str:
    """A new note's text with the contact's NOTE as a quoted paragraph at its end: quoted,
    so a line in it that looks like a task, a heading or a log entry stays text."""
    lines = [line.rstrip() for line in note.replace("\r\n", "\n").split("\n")]
    if not any(lines):
        return text
    quoted = "\n".join(f"> {line}" if line else ">" for line in lines)
    end = "" if text.endswith("\n") else "\n"
    return f"{text}{end}\n{heading}\n\n{quoted}\n"


def _write(
    vault: Vault,
    current: dict[str, bytes],
    created: set[str],
    changes: dict[str, list[Contact]],
) -> SyncResult:
    """Create the new notes and fill the existing ones, then index what changed.

    An existing note is changed through ``update_file``: the fills are redone on the
    note as it is at that moment, so an edit saved meanwhile is kept."""
    from ..engine.sync import sync_vault
    from ..store.writes import update_file, write_new_many

    write_new_many([(vault.path_of(rel), current[rel]) for rel in sorted(created)])
    for rel, contacts in changes.items():

        def change(raw: bytes, contacts: list[Contact] = contacts, rel: str = rel) -> bytes:
            for contact in contacts:
                raw = fill_front_matter(raw, contact, rel).data
            return raw

        update_file(vault.path_of(rel), change, vault.state_dir)
    return sync_vault(vault, paths=sorted(created | set(changes)))
