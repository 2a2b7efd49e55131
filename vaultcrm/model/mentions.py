"""Where a text links or names someone, to the character: what ``export`` lists and
``forget`` replaces (SPEC §6).

The sheet's *mentioned in* needs a passage per note; these two need every place, exact
enough to change those bytes and no others. A mention is

- a wiki link whose target is one of the person's names (``[[Henk de Vries]]``,
  ``[[Henk|our Henk]]``, ``[[people/Henk de Vries.md#Log]]``): the whole link;
- one of their names as a whole word in running text, a front-matter value, or the
  target or label of a link to another note, matched case- and accent-insensitively
  (``henk``, ``Zoe`` for Zoë), the longest name first. An initialism (a short name
  with a capital after its first letter: ``HdV``, ``AM``) is matched as written, so
  the alias ``AM`` is not every "am" in the vault; links to it match in any case.

A name that is part of someone else's longer name is not theirs: forgetting Henk (alias
``Henk``) leaves "Henk Jansen" alone when Henk Jansen is also in the vault.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .notes import WIKILINK, fold, link_target


@dataclass(frozen=True)
class Span:
    """One mention: line (1-based) and character offsets within that line."""

    line: int
    start: int
    end: int
    kind: str  # link | name


def find_mentions(text: str, keys: Iterable[str], others: Iterable[str] = ()) -> list[Span]:
    """Every mention (see the module docstring) in ``text`` of someone called by
    ``keys``; ``others`` are the names of everyone else, whose longer names win."""
    return MentionFinder(keys, others).find(text)


class MentionFinder:
    """``find_mentions`` for one person, set up once for many texts: the names are
    folded and the longer names of others that hold them picked out once."""

    def __init__(self, keys: Iterable[str], others: Iterable[str] = ()):
        keys = [k.strip() for k in keys if k.strip()]
        self.targets = frozenset(fold(k) for k in keys)  # what a link to them may say
        self.initials = sorted({k for k in keys if _initialism(k)}, key=len, reverse=True)
        self.names = sorted({fold(k) for k in keys if not _initialism(k)}, key=len, reverse=True)
        self.guards = sorted(
            {
                g
                for o in others
                if (g := fold(o)) and g not in self.targets and _holds_any(g, self.names)
            },
            key=len,
            reverse=True,
        )

    def find(self, text: str) -> list[Span]:
        if not self.targets:
            return []
        spans: list[Span] = []
        for number, line in enumerate(text.split("\n"), start=1):
            if self._may_hold(line):
                spans.extend(self._in_line(number, line.rstrip("\r")))
        return spans

    def _may_hold(self, line: str) -> bool:
        """A cheap first look: most lines hold none of the names, folded or not."""
        folded = fold(line)
        return any(t in folded for t in self.targets)

    def _in_line(self, number: int, line: str) -> list[Span]:
        taken: list[tuple[int, int]] = []
        spans: list[Span] = []
        if "[[" in line:
            for m in WIKILINK.finditer(line):
                if fold(link_target(m[1])) in self.targets:
                    spans.append(Span(number, m.start(), m.end(), "link"))
                    taken.append((m.start(), m.end()))
        # A name inside a link to another note ("[[2026-11-10 1-1 Henk]]") is a name too:
        # ``forget`` renames that note the same way, so the link still finds it.
        folded, where = _folded(line)
        for guard in self.guards:
            if guard not in folded:  # most lines: one C-level look, no call
                continue
            for at in _word_at(folded, guard):
                taken.append((where[at], where[at + len(guard)]))
        found = [
            (where[at], where[at + len(name)])
            for name in self.names
            if name in folded
            for at in _word_at(folded, name)
        ]
        found += [(at, at + len(i)) for i in self.initials if i in line for at in _word_at(line, i)]
        for start, end in found:
            if any(a < end and start < b for a, b in taken):
                continue
            taken.append((start, end))
            spans.append(Span(number, start, end, "name"))
        return sorted(spans, key=lambda s: s.start)


def _initialism(key: str) -> bool:
    """``HdV``, ``AM``, ``ZdW``: short, with a capital after the first letter."""
    return len(key) <= 5 and " " not in key and any(c.isupper() for c in key[1:])


def _holds_any(longer: str, names: list[str]) -> bool:
    return any(name in longer and _word_at(longer, name) for name in names)


def _word_at(text: str, word: str) -> list[int]:
    found, at = [], text.find(word)
    while at >= 0:
        end = at + len(word)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            found.append(at)
        at = text.find(word, at + 1)
    return found


def _folded(line: str) -> tuple[str, list[int]]:
    """``fold(line)`` char by char, with where each folded character came from (one
    more entry for the end), so a match in the folded text maps back to the line."""
    if line.isascii():
        return line.lower(), list(range(len(line) + 1))
    out: list[str] = []
    where: list[int] = []
    for i, char in enumerate(line):
        decomposed = unicodedata.normalize("NFKD", char)
        kept = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        out.append(kept)
        where.extend([i] * len(kept))
    where.append(len(line))
    return "".join(out), where


def replace_mentions(line: str, spans: Iterable[Span], placeholder: str) -> str:
    """``line`` with each span replaced by ``placeholder``, the rest byte for byte."""
    out, last = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        out.append(line[last : span.start])
        out.append(placeholder)
        last = span.end
    out.append(line[last:])
    return "".join(out)
