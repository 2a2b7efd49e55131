"""Notes and briefs as plain records: what the index stores, and its version.

The index used to store pickled ``Note`` objects: any change to the model was a change
to what old indexes held, and only a hand-bumped version number (which no test
checked) kept them from being read wrongly. Now a record is built only of tuples,
dicts, strings, numbers, booleans, dates and None, in the order of the dataclass's
fields; reading one rebuilds the dataclasses from their type hints. The record version
(``derived_version``) is a hash of every field (name and type) of every class a record
holds, so changing the model changes the version, and an index of another version is
rebuilt with the usual one-line notice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import types
import typing
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..model.notes import Note

if TYPE_CHECKING:  # imported where used: reading a search hit's note needs neither
    from ..model.brief import Brief
    from ..model.people import Entry

# Bump only when the *encoding* changes (the fields are hashed in on their own).
_FORMAT = 1


# What a record keeps as it is, known by its type at once: most of a note (its strings
# above all), which every indexed note is turned into twice (the stored note, the brief).
_AS_IS = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})


def record_of(value: Any) -> Any:
    """``value`` (a dataclass, and what it holds) as a plain record."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    names = _field_names(kind)
    if names is not None:
        return tuple(record_of(getattr(value, name)) for name in names)
    if isinstance(value, tuple):
        return tuple(record_of(v) for v in value)
    if isinstance(value, list):  # YAML's lists, in meta, stay lists
        return [record_of(v) for v in value]
    if isinstance(value, dict):
        return {k: record_of(v) for k, v in value.items()}
    return value


def directory_entry(record: tuple) -> Entry | None:
    """The directory's entry for a brief's person, its names read straight from the record
    and the rest of the person only when asked for; None when the brief is no person's."""
    found = directory_entries((record,))
    return found[0] if found else None


def directory_entries(records: Iterable[tuple]) -> list[Entry]:
    """``directory_entry`` of each brief that is a person's, in one loop: finding one
    NAME among 10,000 people makes 10,000 entries (one at a time, a third of ``prep``'s
    lookup went to the calls)."""
    from ..model.people import Entry, Person

    brief_person, (at_path, at_stem, at_name, at_aliases) = _positions()
    read = _reader(Person)
    entries = []
    for record in records:
        person = record[brief_person]
        if person is None:
            continue
        name, stem, aliases = person[at_name], person[at_stem], person[at_aliases]
        if aliases:
            keys = tuple(dict.fromkeys((name, *aliases, stem)))
        else:
            keys = (name,) if name == stem else (name, stem)
        entries.append(Entry(person[at_path], name, keys, functools.partial(read, person)))
    return entries


def note_from_record(record: tuple) -> Note:
    return _reader(Note)(record)


def brief_from_record(record: tuple) -> Brief:
    return _brief_reader()(record)


@functools.cache
def _brief_reader() -> Callable[[tuple], Brief]:
    """The brief's reader, found once: an import per brief read cost 10,000 of them."""
    from ..model.brief import Brief

    return _reader(Brief)


@functools.cache
def _fields(cls: type) -> tuple[dataclasses.Field, ...]:
    return tuple(f for f in dataclasses.fields(cls) if f.init)


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The names of a dataclass's fields, in a record's order; None for any other type
    (a dataclass itself, as a value, is no instance of one)."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(f.name for f in _fields(kind))


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@functools.cache
def _reader(cls: type) -> Callable[[tuple], Any]:
    """A function from a record to an instance of ``cls``, written once per class: the
    record unpacked into one local per field, the fields of plain types passed as they
    are and the others through a reader made once from the type.

    The instance's __dict__ is set whole, not through the frozen dataclass's __init__
    (a setattr per field): on 10,000 people that is a third of ``agenda``; and written
    out, not zipped and updated field by field in a loop: reading every stored note
    takes half the time. Unpacking checks that the record holds every field, as the
    record version says."""
    hints = _hints(cls)
    scope: dict[str, Any] = {"_new": object.__new__, "_set": object.__setattr__, "_cls": cls}
    values = []
    for i, f in enumerate(_fields(cls)):
        reader = _read(hints[f.name])
        if reader is not None:
            scope[f"_read{i}"] = reader
        values.append(f"{f.name!r}: {f'_read{i}(v{i})' if reader else f'v{i}'}")
    unpacked = "".join(f"v{i}, " for i in range(len(values)))
    code = (
        "def read(record):\n"
        f"    {unpacked}= record\n"
        "    instance = _new(_cls)\n"
        f"    _set(instance, '__dict__', {{{', '.join(values)}}})\n"
        "    return instance\n"
    )
    exec(code, scope)  # noqa: S102 - made from the model's own field names, nothing read
    return scope["read"]


def _read(hint: Any) -> Callable[[Any], Any] | None:
    """How to read a value of type ``hint`` from its record; None when it is as stored."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        readers = [_read(a) for a in inner]
        if not any(readers):
            return None
        (reader,) = readers  # the model has X | None only
        return lambda v: None if v is None else reader(v)
    if origin is tuple:  # records hold tuples already: only their items may need reading
        if len(args) == 2 and args[1] is Ellipsis:
            item = _read(args[0])
            return (lambda v: tuple(map(item, v))) if item else None
        return None
    if dataclasses.is_dataclass(hint):
        return _reader(hint)
    return None  # str, int, bool, dates, and meta (YAML's own plain values)


def _version() -> str:
    """A hash of every field of every class a record holds, found from the roots."""
    seen: dict[str, list[str]] = {}

    def walk(cls: type) -> None:
        if cls.__qualname__ in seen:
            return
        hints = _hints(cls)
        seen[cls.__qualname__] = [f"{f.name}:{hints[f.name]}" for f in _fields(cls)]
        for f in _fields(cls):
            for part in _dataclasses_in(hints[f.name]):
                walk(part)

    from ..model.brief import Brief

    for root in (Note, Brief):
        walk(root)
    text = repr((_FORMAT, sorted(seen.items())))
    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


def _dataclasses_in(hint: Any) -> list[type]:
    if dataclasses.is_dataclass(hint):
        return [hint]
    return [c for a in typing.get_args(hint) for c in _dataclasses_in(a)]


def derived_version() -> str:
    """What ``files.RECORD_VERSION`` must be for the model as it is (see there)."""
    return _version()


@functools.cache
def _positions() -> tuple[int, tuple[int, ...]]:
    """Where a brief record holds its person, and where a person record holds its names."""
    from ..model.brief import Brief
    from ..model.people import Person

    brief = [f.name for f in _fields(Brief)].index("person")
    person = [f.name for f in _fields(Person)]
    return brief, tuple(person.index(n) for n in ("path", "stem", "name", "aliases"))
