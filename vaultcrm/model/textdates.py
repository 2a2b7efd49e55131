"""Dates written in running text, in English and Dutch: "exam on 25 November",
"verhuist 15-12", "Lisa's tentamen is op 25 november", "maths exam in November".

A small grammar of its own rather than a library: dateparser's ``search_dates`` reads
both languages but costs ~0.2 s to import and ~0.2 s on its first call (the prep sheet
runs in 0.4 s), reads a bare weekday ("vrijdag") as a date and turns "in November" into
one day a year away. The grammar (README "Meeting prep"), matched case- and
accent-insensitively, on whole words:

- ``25 november``, ``25 nov``, ``1st of December``, ``27e``-style ordinals dropped:
  a day, a month name or its abbreviation, an optional year (``5 December 2026``);
- ``November 25``, ``Dec 5th, 2026``: the English order;
- ``15-12``, ``15/12``, ``15-12-2026``, ``15.12.2026``: numbers, day first (with dots
  only with a year, so ``1.5`` stays a number);
- ``2026-12-15``: ISO;
- a month alone (``in November``, ``eind november``, ``December 2026``): a month, not a
  day (``TextDate.month_only``).

A date without a year is the first one on or after ``anchor`` minus ``LOOK_BACK_DAYS``
(the day a log entry was written, or today for a family note): a note looks ahead more
often than back. Relative phrases ("next Friday", "volgende week") are not read.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .notes import fold

LOOK_BACK_DAYS = 60

_MONTHS = {
    1: ("january", "januari", "jan"),
    2: ("february", "februari", "feb"),
    3: ("march", "maart", "mar", "mrt"),
    4: ("april", "apr"),
    5: ("may", "mei"),
    6: ("june", "juni", "jun"),
    7: ("july", "juli", "jul"),
    8: ("august", "augustus", "aug"),
    9: ("september", "sept", "sep"),
    10: ("october", "oktober", "oct", "okt"),
    11: ("november", "nov"),
    12: ("december", "dec"),
}
_MONTH_OF = {word: month for month, words in _MONTHS.items() for word in words}
_FULL = sorted((w for words in _MONTHS.values() for w in words[:-1] if len(w) > 4), key=len)
_SHORT = sorted({w for w in _MONTH_OF if w not in _FULL}, key=len)
# A full name, or an abbreviation with its optional dot ("25 nov."): not a sentence's dot.
_MONTH = "((?:" + "|".join(reversed(_FULL)) + ")|(?:" + "|".join(reversed(_SHORT)) + r")\.?)"
_DAY = r"(\d{1,2})(?:st|nd|rd|th|ste|de|e)?"
_YEAR = r"(\d{4})"

# Tried in this order at each place; the first (longest) wins. Folded text, so no case.
_PATTERNS = (
    ("iso", re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")),
    ("dmy", re.compile(rf"(?<![\w.,/-]){_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?(?![\w-])")),
    ("mdy", re.compile(rf"(?<![\w-]){_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?(?![\w-])")),
    (
        "num",
        re.compile(
            r"(?<![\w.,/:-])(\d{1,2})([-/])(\d{1,2})(?:\2(\d{4}))?(?![\w/:-]|[.,]\d)"
            r"|(?<![\w.,/:-])(\d{1,2})\.(\d{1,2})\.(\d{4})(?![\w.,/:-])"
        ),
    ),
    ("month", re.compile(rf"(?<![\w-]){_MONTH}(?:\s+{_YEAR})?(?![\w-])")),
)
_AMBIGUOUS = {"may", "mar", "jan"}  # a month only when a day is beside it ("I may", "Jan")


@dataclass(frozen=True)
class TextDate:
    """A date found in text: where (``start``, ``end``), which day, and whether only its
    month was written (then ``date`` is the month's first day)."""

    start: int
    end: int
    date: dt.date
    month_only: bool = False

    @property
    def last(self) -> dt.date:
        """The last day it covers: the day itself, or the month's last day."""
        if not self.month_only:
            return self.date
        following = dt.date(self.date.year + self.date.month // 12, self.date.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)


def find_dates(text: str, anchor: dt.date) -> list[TextDate]:
    """Every date in ``text``, in order, none overlapping (see the module docstring)."""
    folded = _folded(text)
    found: list[TextDate] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            date = _read(kind, m, anchor)
            if date is not None:
                found.append(TextDate(m.start(), m.end(), date, kind == "month"))
            if date is not None or kind != "month":  # "31 februari" is no day, nor a month
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def _folded(text: str) -> str:
    """``fold`` per character, so positions in the folded text are positions in ``text``."""
    if text.isascii():
        return text.lower()
    return "".join(f if len(f := fold(c) or " ") == 1 else c for c in text)


def _read(kind: str, m: re.Match, anchor: dt.date) -> dt.date | None:
    if kind == "iso":
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if kind == "dmy":
        return _dated(int(m[1]), _month(m[2]), m[3], anchor)
    if kind == "mdy":
        return _dated(int(m[2]), _month(m[1]), m[3], anchor)
    if kind == "num":
        if m[1] is not None:
            return _dated(int(m[1]), int(m[3]), m[4], anchor)
        return _dated(int(m[5]), int(m[6]), m[7], anchor)
    # a month alone
    if _month_word(m[1]) in _AMBIGUOUS and m[2] is None:
        return None
    month = _month(m[1])
    if m[2] is not None:
        return _day(int(m[2]), month, 1)
    return _yearless(1, month, anchor, month_only=True)


def _month_word(word: str) -> str:
    return word.rstrip(".")


def _month(word: str) -> int:
    return _MONTH_OF[_month_word(word)]


def _dated(day: int, month: int, year: str | None, anchor: dt.date) -> dt.date | None:
    if year is not None:
        return _day(int(year), month, day)
    return _yearless(day, month, anchor)


def _day(year: int, month: int, day: int) -> dt.date | None:
    if not 1900 <= year <= 2999:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _yearless(day: int, month: int, anchor: dt.date, month_only: bool = False) -> dt.date | None:
    """The first ``day``/``month`` on or after ``anchor - LOOK_BACK_DAYS`` (a month: the
    first whose last day is)."""
    if _day(2000, month, day) is None:  # 2000: a leap year, so 29 February is a day
        return None
    start = anchor - dt.timedelta(days=LOOK_BACK_DAYS)
    for year in (start.year, start.year + 1, start.year + 2):
        candidate = _day(year, month, day) or _day(year, month, 28)  # 29 Feb, common year
        if candidate is None:
            continue
        end = TextDate(0, 0, candidate, True).last if month_only else candidate
        if end >= start:
            return candidate
    return None


_PREPOSITION = re.compile(
    r"\s*\b(?:on|in|at|by|from|until|end of|early|late|mid|op|per|om|rond|vanaf|tot|"
    r"eind|begin|half|medio|uiterlijk)\s*$",
    re.IGNORECASE,
)


def without_date(text: str, found: TextDate) -> str:
    """``text`` with the date (and the word before it that only says when: on, in, op,
    eind …) taken out: "maths exam in November" → "maths exam"."""
    before = _PREPOSITION.sub("", text[: found.start].rstrip())
    after = text[found.end :]
    joined = f"{before.rstrip()} {after.lstrip()}".strip()
    joined = re.sub(r"\s+([,.;:!?)])", r"\1", re.sub(r"\s{2,}", " ", joined))
    return joined.strip(" ,;:-\u2013\u2014") or text.strip()
