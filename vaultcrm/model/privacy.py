"""Private facts (SPEC §6): what is marked private, and the one filter for other eyes.

A fact is private when the user marks it so in plain text that Obsidian understands too:
inside ``%% … %%`` (Obsidian hides it in reading view), on a line tagged ``#private``,
under a ``## Private`` / ``## Privé`` heading, or in a front-matter key named in the
note's ``private:`` list or in config's ``private_keys`` (by default ``family`` and
``gift_ideas``). ``notes.py`` marks the lines as it reads them; this module decides
what others see.

Every output meant for someone other than the vault's owner (a group sheet,
``prep --share``, ``calendar``, the assistant server) passes its data through
``for_others``. It is one generic walk over the frozen dataclasses the features return,
so a field or output added later is covered without a rule of its own:

- an item with ``private=True`` (a task, log entry, mention, date …) is left out of the
  tuple it is in;
- a field named in the owner's ``private_fields`` (a private front-matter key) is
  emptied;
- every string loses its inline ``%% … %%`` spans, and a string that was nothing else
  is left out.

``for_owner`` does the same walk for the owner's own view and marks instead of dropping:
an inline comment becomes ``🔒 …``, and a template shows ``🔒`` for flagged items.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import types
import typing
from collections.abc import Iterable
from typing import Any, TypeVar

from .notes import COMMENT_OR_CODE, as_list, body_lines, fold

DEFAULT_PRIVATE_KEYS = frozenset({"family", "gift_ideas"})  # config's private_keys if unset
LOCK = "🔒"

_PRIVATE_TAG = re.compile(r"(?:(?<=[\s(\[{,;])|^)#private\b\s?", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]{2,}")
_TOP_KEY = re.compile(r"^([^\s#:\-][^:]*):")

T = TypeVar("T")


def private_keys(
    note_keys: object, config_keys: Iterable[str] = DEFAULT_PRIVATE_KEYS
) -> frozenset[str]:
    """The front-matter keys of a note that are private: config's ``private_keys`` and
    the note's own ``private:`` list (a string is a list of one). Keys are compared
    folded, as ``Family:`` is the same key to a reader."""
    keys = [*config_keys, *(str(k) for k in as_list(note_keys) if k)]
    return frozenset(fold(k).strip() for k in keys if str(k).strip())


def is_private_text(text: str) -> bool:
    """Whether a piece of text carries a private mark of its own (a comment or the tag)."""
    if "%%" in text and any(m[1] is not None for m in COMMENT_OR_CODE.finditer(text)):
        return True
    return "#" in text and _PRIVATE_TAG.search(text) is not None


def private_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text``'s inline comments are (start, end): what others do not see."""
    if "%%" not in text:
        return []
    return [m.span() for m in COMMENT_OR_CODE.finditer(text) if m[1] is not None]


def within(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether position ``at`` lies in one of ``spans`` (``private_spans``)."""
    return any(start <= at < end for start, end in spans)


def strip_private(text: str) -> str:
    """``text`` as others may read it: inline comments cut out, spaces tidied."""
    if "%%" not in text:
        return text
    return _SPACES.sub(
        " ", COMMENT_OR_CODE.sub(lambda m: m[0] if m[1] is None else "", text)
    ).strip()


def mark_private(text: str) -> str:
    """``text`` as the owner reads it: an inline comment shown as ``🔒 …``, the
    ``#private`` tag dropped (the lock says it)."""
    if not is_private_text(text):
        return text
    text = COMMENT_OR_CODE.sub(
        lambda m: m[0] if m[1] is None else f"{LOCK} {m[1].strip()}" if m[1].strip() else "", text
    )
    return _SPACES.sub(" ", _PRIVATE_TAG.sub("", text)).strip()


def as_private(text: str) -> str:
    """A whole line of text that is private, as the one string form the filters know."""
    return f"%%{text}%%"


def private_lines(text: str, body_line: int, keys: Iterable[str]) -> set[int]:
    """The line numbers of ``text`` (a whole note) that hold private facts: body lines as
    ``notes.py`` marks them, and the front-matter lines of a private key (a key's
    line and the indented or list lines under it)."""
    folded = {fold(k) for k in keys}
    lines = text.split("\n")
    found: set[int] = set()
    inside = False
    for number in range(2, body_line):  # between the opening '---' and the closing one
        line = lines[number - 1]
        top = _TOP_KEY.match(line)
        if top:
            inside = fold(top[1]).strip() in folded
        elif line.strip() and not line[:1].isspace() and not line.lstrip().startswith("-"):
            inside = False
        if inside:
            found.add(number)
    found.update(number for number, _, _, private in body_lines(text, body_line) if private)
    return found


def for_others(value: T) -> T:
    """``value`` with every private fact left out (see the module docstring)."""
    return _walk(value, others=True)


def for_owner(value: T) -> T:
    """``value`` with private facts kept and marked (see the module docstring)."""
    return _walk(value, others=False)


def _walk(value: Any, others: bool) -> Any:
    """``value`` as others (or the owner) see it; what holds nothing private is returned
    as it is, not copied: an agenda of 10,000 people is mostly that."""
    if isinstance(value, str):
        return strip_private(value) if others else mark_private(value)
    if isinstance(value, tuple):
        out, same = [], True
        for item in value:
            if others and getattr(item, "private", False) is True:
                same = False
                continue
            walked = _walk(item, others)
            if isinstance(walked, str) and not walked:
                same = False
                continue
            same = same and walked is item
            out.append(walked)
        return value if same else tuple(out)
    if not hasattr(type(value), "__dataclass_fields__") or isinstance(value, type):
        return value  # a date, a number, None: nothing to mark
    names, every, marks_fields = _walked_fields(type(value))
    hidden = set(getattr(value, "private_fields", ())) if others else set()
    if hidden:
        names = every  # a private key empties its field, whatever its type
    changes = {}
    for name in names:
        current = getattr(value, name)
        if name in hidden:
            new = _empty(current)
        elif current is None or isinstance(current, _PLAIN):
            continue
        elif type(current) is str:  # most fields: marked here, not in a call of their own
            new = strip_private(current) if others else mark_private(current)
        else:
            new = _walk(current, others)
        if new is not current:
            changes[name] = new
    if others and marks_fields and value.private_fields:
        changes["private_fields"] = ()
    return dataclasses.replace(value, **changes) if changes else value


_PLAIN = (int, float, dt.date)  # values that hold no text (bool is an int)


@functools.cache
def _walked_fields(cls: type) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """A dataclass's fields the walk looks into; every field it may empty (a private
    key's); and whether it has ``private_fields``. Fields whose type holds no text
    (numbers, dates, flags) are not looked into: most of a follow-up's or a row's
    fields, visited for every one of thousands on an agenda."""
    fields = dataclasses.fields(cls)
    skip = ("path", "link", "private_fields")
    every = tuple(f.name for f in fields if f.init and f.name not in skip)
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # a hint that cannot be resolved: look into every field
        hints = {}
    names = tuple(n for n in every if _may_hold_text(hints.get(n, object)))
    return names, every, any(f.name == "private_fields" for f in fields)


_NO_TEXT = (bool, int, float, dt.date, dt.datetime, type(None))


def _may_hold_text(hint: Any) -> bool:
    """Whether a value of type ``hint`` can hold a string (anything unknown can)."""
    if hint in _NO_TEXT:
        return False
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType, tuple) and args:
        return any(_may_hold_text(a) for a in args if a is not Ellipsis)
    return True


def _empty(value: Any) -> Any:
    if isinstance(value, str):
        return ""
    if isinstance(value, tuple):
        return ()
    return None
