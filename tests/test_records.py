"""What the index stores: plain records of the model, and a version that follows it."""

from __future__ import annotations

import dataclasses
import datetime as dt

from vaultcrm.engine.records import (
    brief_from_record,
    derived_version,
    directory_entry,
    note_from_record,
    record_of,
)
from vaultcrm.engine.whoosh import files
from vaultcrm.model.brief import brief_of
from vaultcrm.model.notes import parse_note

NOTE = """---
name: Henk de Vries
aliases: [Henk, HdV]
birthday: 1978-04-12
cadence: 14d
family:
  - {name: Lisa, relation: daughter, birthday: 2009-03-02, note: exam}
extra: {nested: [1, 2026-11-10, yes]}
---
## Log
- 2026-11-10: koffie
- [ ] ask 📅 2026-11-30
## Wins
- shipped
"""


def test_the_record_version_follows_the_model() -> None:
    # Change a field of Note, Brief, Person, Task, ... and this fails until the version
    # in the index's name is changed too: an old index is then rebuilt, never misread.
    assert derived_version() == files.RECORD_VERSION, (
        f"the model changed: set RECORD_VERSION = {derived_version()!r} in "
        "vaultcrm/engine/whoosh/files.py"
    )


def _plain(value: object) -> bool:
    if isinstance(value, tuple | list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return value is None or isinstance(value, str | int | float | bool | dt.date)


def test_a_note_and_its_brief_are_stored_as_plain_data_and_read_back_equal() -> None:
    note = dataclasses.replace(parse_note("people/Henk de Vries.md", NOTE.encode()), text="")
    record = record_of(note)
    assert _plain(record)  # no class of vaultcrm's: a model change cannot unpickle wrongly
    assert note_from_record(record) == note
    brief = brief_of(note)
    assert _plain(record_of(brief))
    assert brief_from_record(record_of(brief)) == brief
    assert note.meta["extra"] == {"nested": ["1", dt.date(2026, 11, 10), "yes"]}


def test_the_directory_reads_a_person_only_when_found() -> None:
    brief = brief_of(parse_note("people/Henk de Vries.md", NOTE.encode()))
    entry = directory_entry(record_of(brief))
    assert entry is not None
    assert (entry.path, entry.name, entry.keys) == (
        "people/Henk de Vries.md",
        "Henk de Vries",
        ("Henk de Vries", "Henk", "HdV"),
    )
    assert entry.load() == brief.person
    meeting = brief_of(parse_note("meetings/m.md", b"with [[Henk]]"))
    assert directory_entry(record_of(meeting)) is None


def test_a_record_of_another_shape_is_refused_and_what_is_read_stays_frozen() -> None:
    # The readers are written once per class (engine/records.py): they unpack every
    # field, so a record with one too few or too many is an error, never a misread.
    import pytest

    note = dataclasses.replace(parse_note("people/Henk de Vries.md", NOTE.encode()), text="")
    record = record_of(note)
    for wrong in (record[:-1], (*record, None)):
        with pytest.raises(ValueError):
            note_from_record(wrong)
    read = note_from_record(record)
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.path = "elsewhere.md"  # type: ignore[misc]
    assert read.log[0].date == dt.date(2026, 11, 10) and read.tasks[0].due == dt.date(2026, 11, 30)
    assert read.stem == "Henk de Vries" and read.meeting is False  # properties work


@dataclasses.dataclass(frozen=True)
class _Inner:
    when: dt.date
    tags: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class _Outer:
    name: str
    inner: _Inner
    items: list
    meta: dict
    kind: type


def test_a_record_holds_every_field_in_order_and_plain_values_as_they_are() -> None:
    inner = _Inner(dt.date(2026, 11, 10), ("a", "b"))
    value = _Outer("x", inner, [inner, 1, None, True], {"k": (inner, 2.5)}, _Inner)
    assert record_of(value) == (
        "x",
        (dt.date(2026, 11, 10), ("a", "b")),
        [(dt.date(2026, 11, 10), ("a", "b")), 1, None, True],
        {"k": ((dt.date(2026, 11, 10), ("a", "b")), 2.5)},
        _Inner,  # a dataclass itself, as a value, is no instance of one: kept
    )
    assert type(record_of(value)[2]) is list  # YAML's lists stay lists
