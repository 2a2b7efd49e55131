"""Turn the bytes of one Markdown note into a ``Note``: pure, no I/O, never raises.

Everything a user can get wrong in a note (bad YAML, odd bytes, impossible dates) is
recorded as a ``Problem`` with its line, and the rest of the note is still read, so one
bad note never hides the others and ``check`` can point at the exact spot.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# PyYAML and python-frontmatter are imported where a note is parsed, not here: ~15 ms
# that a command parsing no note (a search after a no-op sync) need not pay.
from .vocabulary import (
    ATTENDEE_KEYS,
    CONTEXT_HEADINGS,
    FOLLOW_UP_HEADINGS,
    LOG_HEADINGS,
    MEETINGS_DIR,
    PREPARED_BY,
    PREPARED_KEY,
    PRIVATE_HEADINGS,
    RELATIONS,
    WHY_HEADINGS,
    WINS_HEADINGS,
)

BOM = "\ufeff"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_PARTIAL_DATE = re.compile(r"^-{0,2}(\d{2})-(\d{2})$")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_CODE_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_TASK = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[(.)\][ \t]+(.*)$")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(.*)$")
_LOG_ITEM = re.compile(r"^(\d{4}-\d{2}-\d{2})\b[ \t]*[:\u2013\u2014-]?[ \t]*(.*)$")
_DUE = re.compile(r"\U0001f4c5\ufe0f?[ \t]*(\S+)")  # 📅
_SCHEDULED = re.compile(r"\u23f3\ufe0f?[ \t]*(\S+)")  # ⏳
_DONE_ON = re.compile(r"\u2705\ufe0f?[ \t]*(\S+)")  # ✅
_TASK_DATE_MARK = re.compile(
    r"[\U0001f4c5\u23f3\u2705\U0001f6eb\u2795]\ufe0f?[ \t]*\d{4}-\d{2}-\d{2}"
)
# The one link grammar (SPEC §2): [[Target]], [[Target|label]], [[Target#Heading]],
# [[Target^block]], embeds ![[Target]], and Obsidian's table-escaped [[Target\|label]].
# Group 1 is the target, group 2 the label (None without one).
WIKILINK = re.compile(r"!?\[\[([^\[\]|#^\n]*?)\\?(?:[#^][^\[\]|\n]*?)?\\?(?:\|([^\[\]\n]*))?\]\]")
_INLINE_CODE = re.compile(r"`+[^`\n]*`+")
_INLINE_TAG = re.compile(r"(?:(?<=^)|(?<=[\s(\[{,;]))#([^\s#!@$%^&*(),.?\":{}|<>\[\]'`;=+\\]+)")
_PRIVATE_TAG = re.compile(r"(?:^|[\s(\[{,;])#private\b", re.IGNORECASE)
# An Obsidian comment, ``%% … %%`` (an unclosed one runs to the end), or a `code span`,
# matched first so that a ``%%`` inside code is code: group 1 is a comment's text.
COMMENT_OR_CODE = re.compile(r"`+[^`\n]*`+|%%((?:`+[^`\n]*`+|.)*?)(?:%%|$)", re.DOTALL)


def comment_marks(line: str) -> int:
    """How many ``%%`` marks a line holds outside its code spans: an odd number opens
    or closes a comment block."""
    if "`" in line and "%%" in line:
        line = _INLINE_CODE.sub("", line)
    return line.count("%%")


_SURPRISE_TAG = re.compile(r"(?:^|[\s(\[{,;])#surprise\b", re.IGNORECASE)
_CADENCE = re.compile(r"^\s*(\d+)\s*([dwmqy])\w*\s*$", re.IGNORECASE)

# Notes in a people folder that are about the folder, not a person.
_NOT_PEOPLE = {"readme", "index"}

_KNOWN_SECTIONS = LOG_HEADINGS | WINS_HEADINGS | WHY_HEADINGS
MAX_META_VALUES = 5000  # a budget for flattening YAML, so aliases cannot blow up ("billion laughs")


@dataclass(frozen=True)
class Problem:
    """Something wrong in one file, with the line where it was seen when known."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar day whose year may be unknown (``--04-12`` birthdays)."""

    month: int
    day: int
    year: int | None = None

    def __str__(self) -> str:
        return (
            f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
            if self.year
            else f"--{self.month:02d}-{self.day:02d}"
        )

    def on_year(self, year: int) -> dt.date:
        """The date in ``year``; 29 February falls on 28 February in a common year.
        A year past 9999 (or before 1) is clamped: date arithmetic never overflows."""
        year = min(max(year, dt.MINYEAR), dt.MAXYEAR)
        try:
            return dt.date(year, self.month, self.day)
        except ValueError:
            return dt.date(year, self.month, 28)

    def next_on_or_after(self, day: dt.date) -> dt.date:
        """The first anniversary of this date on or after ``day``."""
        when = self.on_year(day.year)
        return when if when >= day else self.on_year(day.year + 1)


@dataclass(frozen=True)
class LogEntry:
    date: dt.date
    text: str
    line: int
    private: bool = False  # marked private (SPEC §6): shown only to the vault's owner


@dataclass(frozen=True)
class Task:
    """A Markdown task; dates are Obsidian Tasks' 📅 due, ⏳ scheduled and ✅ done on."""

    text: str
    done: bool
    line: int
    due: dt.date | None = None
    scheduled: dt.date | None = None
    done_on: dt.date | None = None  # when it was ticked off, if the task says (✅)
    private: bool = False
    surprise: bool = False  # #surprise: never on a sheet of the people it is about


@dataclass(frozen=True)
class Item:
    """A list item or paragraph from a section, with the line it starts on."""

    text: str
    line: int
    private: bool = False


@dataclass(frozen=True)
class Note:
    """Everything vaultcrm reads from one file. ``path`` is relative to the vault, with '/'."""

    path: str
    title: str
    kind: str  # person | decision | note | skipped
    meta: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""
    date: dt.date | None = None
    aliases: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    attendees: tuple[str, ...] = ()  # people named without a link in attendees: and the like
    tags: tuple[str, ...] = ()
    log: tuple[LogEntry, ...] = ()
    tasks: tuple[Task, ...] = ()
    wins: tuple[Item, ...] = ()
    why: str = ""
    problems: tuple[Problem, ...] = ()
    body_line: int = 1  # where the body starts (the closing '---'; 1 without front-matter)

    @property
    def stem(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".md")

    @property
    def meeting(self) -> bool:
        """A meeting note: ``type: meeting``, or a note in a ``meetings/`` folder."""
        kind = self.meta.get("type")
        if isinstance(kind, str) and fold(kind) == "meeting":
            return True
        return "/" in self.path and fold(self.path.split("/", 1)[0]) == MEETINGS_DIR

    @property
    def prepared(self) -> bool:
        """A sheet ``prep --save`` wrote: what it says was copied from other notes."""
        mark = self.meta.get(PREPARED_KEY)
        return isinstance(mark, str) and fold(mark) == PREPARED_BY

    @property
    def attending(self) -> tuple[str, ...]:
        """Whom its ``attendees:`` (or ``participants:``, …) name (``attendee_targets``)."""
        return attendee_targets(self.meta)


# ---------------------------------------------------------------- text helpers


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text``: 'Zoë' and 'zoe' fold alike.

    Kept for the last 65,536 texts: a vault's names, aliases and link targets are folded
    again and again (every link of every note, every key of every person), and a fold is
    a Unicode decomposition; ASCII, the common case, needs none."""
    if text.isascii():
        return text.lower().strip()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}\b[\s_\-\u2013\u2014:]*")


def undated(title: str) -> str:
    """A note's title without a leading ``YYYY-MM-DD``, where the date is shown apart."""
    return _DATE_PREFIX.sub("", title).strip() or title


def link_target(raw: str) -> str:
    """The note a ``[[...]]`` target names: folder and '.md' dropped."""
    return raw.strip().rsplit("/", 1)[-1].removesuffix(".md").strip()


def link_targets(text: str) -> list[str]:
    """The targets of every ``[[link]]`` in ``text``, in order."""
    return [link_target(m[1]) for m in WIKILINK.finditer(text)] if "[[" in text else []


def unlink(text: str) -> str:
    """``[[Anouk Peters|HR]]`` → ``HR``; ``[[Daan Visser]]`` → ``Daan Visser``.

    Copied text keeps its words but not its links: a saved sheet that linked everyone its
    notes mention would count as contact with all of them (SPEC §4) and pull their tasks;
    an agenda line or a calendar event reads as text, not as link syntax.
    """

    def label(m: re.Match) -> str:
        if m[2] is not None and m[2].strip():
            return m[2].strip()
        return link_target(m[1])

    return WIKILINK.sub(label, text or "") if text and "[[" in text else (text or "")


def parse_date(value: Any) -> dt.date | None:
    """A date from YAML or text; None when it is not one (never raises)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = _ISO_DATE.match(value.strip())
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def parse_partial_date(value: Any) -> PartialDate | None:
    """A birthday-like date: a full date, or ``--MM-DD`` when the year is unknown."""
    full = parse_date(value)
    if full:
        return PartialDate(full.month, full.day, full.year)
    if isinstance(value, str):
        m = _PARTIAL_DATE.match(value.strip())
        if m:
            month, day = int(m[1]), int(m[2])
            try:
                dt.date(2000, month, day)  # a leap year, so --02-29 is fine
            except ValueError:
                return None
            return PartialDate(month, day)
    return None


def parse_cadence(value: Any) -> tuple[int, str] | None:
    """``14d``, ``2w``, ``1m``, ``1q``, ``1y`` → (amount, unit); None when unreadable."""
    if isinstance(value, int) and value > 0:
        return value, "d"
    if not isinstance(value, str):
        return None
    m = _CADENCE.match(value)
    if not m or int(m[1]) == 0:
        return None
    return int(m[1]), m[2].lower()


def as_list(value: Any) -> list:
    """YAML lists stay lists; a scalar becomes a one-item list; None becomes empty."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [v for v in value if v is not None]
    return [value]


def flatten_values(value: Any, budget: int = MAX_META_VALUES) -> list[str]:
    """Every scalar in a YAML value, as text, depth first, within ``budget`` items.

    The budget and the cycle guard make aliases and recursive YAML harmless.
    """
    out: list[str] = []
    seen: set[int] = set()
    stack = [value]
    while stack and len(out) < budget:
        item = stack.pop()
        if isinstance(item, dict | list | tuple):
            if id(item) in seen:
                continue
            seen.add(id(item))
            children = list(item.values()) if isinstance(item, dict) else list(item)
            stack.extend(reversed(children))
        elif item is not None:
            out.append(str(item))
    return out


# ---------------------------------------------------------------- decoding and YAML


# Notes saved as UTF-16 or UTF-32 (Windows Notepad's "Unicode") start with a BOM that
# says so; read as UTF-8 their NUL bytes made them "binary files".
WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def wide_encoding(raw: bytes) -> tuple[str, int] | None:
    """(codec, BOM length) of a note that starts with a UTF-16 or UTF-32 BOM, else None."""
    for bom, codec in WIDE_BOMS:
        if raw.startswith(bom):
            return codec, len(bom)
    return None


def note_text(raw: bytes) -> str:
    """A note's bytes as text however it was saved (see ``decode_text``), for the places
    that show a line of it: snippets, context, problem lines."""
    return decode_text(raw, "")[0]


def decode_text(raw: bytes, path: str) -> tuple[str, list[Problem]]:
    """UTF-8 with or without BOM, or UTF-16/32 with their BOM; other bytes become U+FFFD
    and are reported."""
    wide = wide_encoding(raw)
    if wide is not None:
        codec, skip = wide
        try:
            return raw[skip:].decode(codec), []
        except UnicodeDecodeError as exc:
            line = raw[skip : skip + exc.start].decode(codec, "replace").count("\n") + 1
            text = raw[skip:].decode(codec, errors="replace")
            label = codec.split("-le")[0].split("-be")[0].upper()
            return text, [
                Problem(path, line, f"not valid {label}; unreadable bytes replaced by \ufffd")
            ]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        text = raw.decode("utf-8", errors="replace")
        return text, [Problem(path, line, "not valid UTF-8; unreadable bytes replaced by \ufffd")]


_SURROGATE = re.compile("[\ud800-\udfff]")
_KEPT_TAGS = {"tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp"}


MAX_META_DEPTH = 16  # deeper front-matter is cut off: no person note needs more
# Front-matter nested deeper than this is not handed to a YAML library at all. Libraries
# differ on deep nesting: libyaml crashed the process (SIGSEGV) some 30,000 levels deep
# before 0.2.5 and refuses 1,000 levels since, in its own words; the pure-Python loader
# hits Python's recursion limit. vaultcrm measures the depth itself, so the user gets
# the same message (its own) from every version, and no library ever sees such input.
_READ_DEPTH_LIMIT = 100
_LEADING_SPACES = re.compile(r"^ +", re.MULTILINE)
_BLOCK_MARKERS = re.compile(r"(?:[-?](?:[ \t]+|$))*")
_DEEP = f"is nested over {MAX_META_DEPTH} levels deep"


def _nesting_depth(fm: str) -> tuple[int, int]:
    """How deep the front-matter nests, at least (levels, 0-based line of the deepest).

    A cheap scan, not a parser: block levels by indentation and ``- ``/``? `` markers,
    flow levels by brackets outside quotes. It may count a bracket in plain text as a
    level; that only matters past ``_READ_DEPTH_LIMIT``, which no real note reaches.
    """
    # An upper bound from counts at C speed first: every level costs an indent, a marker
    # or a bracket, so most front-matter needs no scan.
    indent = max(map(len, _LEADING_SPACES.findall(fm)), default=0)
    bound = indent + 1 + sum(fm.count(c) for c in "[{-?")
    if bound <= _READ_DEPTH_LIMIT:
        return 0, 0
    deepest, at, flow = 0, 0, 0
    indents: list[int] = []
    for number, line in enumerate(fm.split("\n")):
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        if flow == 0:
            while indents and indents[-1] >= indent:
                indents.pop()
            indents.append(indent)
        markers = len(_BLOCK_MARKERS.match(stripped)[0].split())
        level, peak, quote = len(indents) + markers + flow, 0, ""
        for i, char in enumerate(stripped):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"" and (i == 0 or stripped[i - 1] in " \t:[{,"):
                quote = char
            elif char == "#" and i and stripped[i - 1] in " \t":
                break
            elif char in "[{":
                flow += 1
                peak = max(peak, flow)
            elif char in "]}":
                flow = max(0, flow - 1)
        depth = len(indents) + markers + max(peak, flow)
        if max(depth, level) > deepest:
            deepest, at = max(depth, level), number
    return deepest, at


class _KeepAsWritten:
    """SafeLoader that keeps what the user wrote: only null and dates are inferred.

    YAML 1.1 would turn ``0612345678`` into a number, ``01234`` into 668 and ``NO``
    into False; a phone number, postcode or country code must stay as typed.
    """

    problems: list[tuple[int, str]]

    def construct_yaml_timestamp(self, node):  # noqa: D102 - PyYAML hook
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            self.problems.append((node.start_mark.line, f"not a real date: {node.value!r}"))
            return node.value


def _note_loader(base: type) -> type:
    import yaml

    loader = type(f"_Note{base.__name__}", (_KeepAsWritten, base), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag in _KEPT_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    loader.add_constructor("tag:yaml.org,2002:timestamp", loader.construct_yaml_timestamp)
    return loader


@functools.cache
def _loader() -> type:
    """libyaml's loader where PyYAML has it (10x faster), else the pure-Python one."""
    import yaml

    return _note_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))


# What YAML gives that a copy keeps as it is, known by its type at one lookup: nearly
# every value of a note (each note is parsed once per sync, an import's twice).
_AS_IS = frozenset({str, bool, int, float, type(None), dt.date, dt.datetime})


def _bounded_meta(data: dict) -> tuple[dict, str | None]:
    """A plain, acyclic copy of YAML data within MAX_META_DEPTH and MAX_META_VALUES.

    YAML aliases can make a few lines expand to billions of values ("billion laughs")
    or refer to themselves; a copy that stops at a budget keeps every later step
    (flattening for the index, pickling, templates) small and finite. Returns the copy
    and, when something was cut, why.
    """
    left = MAX_META_VALUES
    why: str | None = None

    def copy(value: Any, depth: int, ancestors: frozenset[int]) -> Any:
        nonlocal left, why
        left -= 1  # containers count too, or nested empty lists could multiply unchecked
        if type(value) in _AS_IS:
            return value
        if isinstance(value, dict | list | tuple | set | frozenset):
            if id(value) in ancestors:
                why = why or "refers to itself (a recursive YAML alias); the loop is left out"
                return None
            if depth >= MAX_META_DEPTH:
                why = why or f"{_DEEP}; deeper values are left out"
                return None
            inner = ancestors | {id(value)}
            is_map = isinstance(value, dict)
            items = value.items() if is_map else ((None, v) for v in value)
            out_map, out_list = {}, []
            for key, item in items:
                if left <= 0:
                    why = (
                        why
                        or f"holds over {MAX_META_VALUES} values (YAML aliases?); the rest is left out"
                    )
                    break
                if type(item) in _AS_IS:  # as copy() would, without a call per value
                    left -= 1
                    kept = item
                else:
                    kept = copy(item, depth + 1, inner)
                if is_map:
                    out_map[str(key)] = kept
                else:
                    out_list.append(kept)
            return out_map if is_map else out_list
        if value is None or isinstance(value, str | bool | int | float | dt.date):
            return value
        return str(value)

    return copy(data, 0, frozenset()), why


_QUOTED = re.compile(r"'[^']*'|\"(?:[^\"\\]|\\.)*\"")
_PLAIN_VALUE_WITH_COLON = re.compile(r"^\s*(?:-\s+)?[^\s#'\"\[{][^:#]*:\s+[^\s'\"\[{|>&*!][^#]*:\s")


def _yaml_hint(fm: str) -> str:
    """What is wrong, in vaultcrm's words, found by looking at the front-matter itself (so
    the message does not depend on which YAML library or version read it): the mistakes
    people make in front-matter by hand. Empty when none of them explains it."""
    lines = [_QUOTED.sub("''", line) for line in fm.split("\n")]
    if any(line[: len(line) - len(line.lstrip())].count("\t") for line in lines):
        return "a line is indented with a tab; YAML needs spaces"
    text = "\n".join(_uncommented(line) for line in lines)
    for opening, closing in ("[]", "{}"):
        if text.count(opening) > text.count(closing):
            return f"a '{opening}' is not closed with '{closing}'"
        if text.count(closing) > text.count(opening):
            return f"a '{closing}' has no '{opening}' before it"
    for line in fm.split("\n"):
        bare = _QUOTED.sub("", line)
        if bare.count('"') % 2 or (bare.count("'") % 2 and re.search(r":\s+'", line)):
            return "a quote is not closed"
        if _PLAIN_VALUE_WITH_COLON.match(_uncommented(line)):
            return "a value holds ': '; put the value in quotes"
    return ""


def _yaml_detail(exc: Exception) -> str:
    """The YAML reader's own description, where vaultcrm has none of its own."""
    what = getattr(exc, "problem", None) or getattr(exc, "context", None) or ""
    return what.strip() or "check the indentation and punctuation near this line"


def _load_yaml(fm: str, path: str, first_line: int) -> tuple[dict, list[Problem]]:
    import yaml

    if _SURROGATE.search(fm):  # bytes kept by a writer's 'surrogateescape': not text to YAML
        fm = _SURROGATE.sub("\ufffd", fm)
    depth, deepest = _nesting_depth(fm)
    if depth > _READ_DEPTH_LIMIT:
        return {}, [Problem(path, first_line + deepest, f"front-matter {_DEEP}; not read")]
    loader = _loader()(fm)
    loader.problems = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + mark.line if mark else first_line
        what = _yaml_hint(fm) or _yaml_detail(exc)
        return {}, [Problem(path, line, f"front-matter is not valid YAML: {what}")]
    except (RecursionError, MemoryError):  # what the depth scan missed: still our words
        return {}, [Problem(path, first_line, f"front-matter {_DEEP}; not read")]
    except (TypeError, ValueError) as exc:  # unhashable keys and the like
        return {}, [Problem(path, first_line, f"front-matter could not be read: {exc}")]
    finally:
        loader.dispose()
    problems = [Problem(path, first_line + line, msg) for line, msg in loader.problems]
    if data is None:
        return {}, problems
    if not isinstance(data, dict):
        kind = type(data).__name__.replace("str", "text")
        problems.append(
            Problem(path, first_line, f"front-matter is a {kind}, not key: value pairs")
        )
        return {}, problems
    meta, why = _bounded_meta(data)
    if why:
        problems.append(Problem(path, first_line, f"front-matter {why}"))
    return meta, problems


def split_front_matter(text: str, path: str) -> tuple[dict, int, list[Problem]]:
    """Front-matter mapping, the 1-based line where the body starts, and problems."""
    from frontmatter import YAMLHandler

    opening = YAMLHandler.FM_BOUNDARY.match(text)
    if not opening:
        return {}, 1, []
    try:
        fm, content = YAMLHandler().split(text)
    except ValueError:
        return {}, 1, [Problem(path, 1, "front-matter has no closing '---' line; read as text")]
    body_start = len(text) - len(content)
    meta, problems = _load_yaml(fm, path, text.count("\n", 0, opening.end()) + 1)
    return meta, text.count("\n", 0, body_start) + 1, problems


def without_comments(text: str, body_line: int) -> str:
    """``text`` with the front-matter's YAML comments blanked, line numbers kept.

    Comments are not content: the ``# report | peer | …`` hint that ``new`` writes into
    every person note would otherwise make ``search freelancer`` find every report.
    """
    if body_line <= 1 or "#" not in text:
        return text
    lines = text.split("\n")
    for i in range(1, body_line - 1):  # between the opening '---' and the closing one
        if "#" in lines[i]:
            lines[i] = _uncommented(lines[i])
    return "\n".join(lines)


def _uncommented(line: str) -> str:
    """A YAML line up to its comment: a '#' at the start or after a space, not in quotes."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"" and (i == 0 or line[i - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip() + ("\r" if line.endswith("\r") else "")
    return line


# ---------------------------------------------------------------- the body


def _section_name(heading: str) -> str:
    return re.sub(r"^[\W_]+|[\W_]+$", "", fold(heading))


def _task_date(
    pattern: re.Pattern, text: str, path: str, line: int, problems: list
) -> dt.date | None:
    m = pattern.search(text)
    if not m:
        return None
    when = parse_date(m[1])
    if when is None:
        problems.append(Problem(path, line, f"task date {m[1]!r} is not a real YYYY-MM-DD date"))
    return when


def body_lines(text: str, first: int) -> Iterator[tuple[int, str, bool, bool]]:
    """(line number, line, inside a code block, private) for each line from ``first`` on.

    A line is private (SPEC §6) inside an Obsidian comment block (a line that opens
    ``%%`` without closing it, to the line that closes it), under a ``## Private`` /
    ``## Privé`` heading (to the next heading of its level or higher), or with a
    ``#private`` tag. An inline ``%% … %%`` keeps the rest of its line public: the text
    carries the marks, and ``privacy.for_others`` leaves the span out.
    """
    in_code = None
    comment = False  # inside a %% block
    private_level = 0  # the level of an open Private heading, 0 when none
    for number, line in enumerate(text.split("\n")[first - 1 :], start=first):
        line = line.rstrip("\r")
        fence = _CODE_FENCE.match(line) if not comment else None
        if fence:
            mark = fence[1][0]
            if in_code is None:
                in_code = mark
                yield number, line, True, bool(private_level)
                continue
            if in_code == mark:
                in_code = None
                yield number, line, True, bool(private_level)
                continue
        if in_code is not None:
            yield number, line, True, bool(private_level)
            continue
        marks = comment_marks(line)
        in_comment = comment or (marks % 2 == 1 and line.lstrip().startswith("%%"))
        if marks % 2:
            comment = not comment
        heading = _HEADING.match(line) if not in_comment else None
        if heading:
            level = len(heading[1])
            if private_level and level <= private_level:
                private_level = 0
            if _section_name(heading[2]) in PRIVATE_HEADINGS:
                private_level = level
        private = bool(private_level) or in_comment or _PRIVATE_TAG.search(line) is not None
        yield number, line, False, private


@dataclass
class _Body:
    log: list[LogEntry] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    wins: list[Item] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def _read_body(text: str, body_line: int, path: str, problems: list[Problem]) -> _Body:
    out = _Body()
    section, section_level = "", 0
    outline: list[tuple[int, str]] = []  # the open headings, outermost first
    pending: tuple[dt.date, int, list[str]] | None = None  # a '### 2026-10-01' log entry
    pending_private = False

    def close_pending() -> None:
        nonlocal pending
        if pending:
            when, line, parts = pending
            out.log.append(
                LogEntry(when, " ".join(p for p in parts if p).strip(), line, pending_private)
            )
            pending = None

    for number, line, in_code, private in body_lines(text, body_line):
        if in_code:
            continue
        heading = _HEADING.match(line)
        if heading:
            close_pending()
            level, title = len(heading[1]), heading[2]
            if section and level > section_level and section in LOG_HEADINGS:
                m = _LOG_ITEM.match(title)
                if m:
                    when = parse_date(m[1])
                    if when is None:
                        problems.append(
                            Problem(path, number, f"log date {m[1]!r} is not a real date")
                        )
                    else:
                        pending = (when, number, [m[2]])
                        pending_private = private
                continue
            # A heading closes every open heading at its level or deeper. The section is the
            # innermost open one vaultcrm knows, so '## Log' under a '# Name' title is the
            # Log, and a '### Q3' under '## Wins' stays in the Wins.
            while outline and outline[-1][0] >= level:
                outline.pop()
            outline.append((level, _section_name(title)))
            known = [(lvl, name) for lvl, name in outline if name in _KNOWN_SECTIONS]
            section_level, section = known[-1] if known else outline[-1]
            out.links.extend(link_targets(title))
            continue
        # The substring tests skip the regexes on the many lines without code, links or
        # tags (a fifth of a rebuild's parsing).
        plain = _INLINE_CODE.sub("", line) if "`" in line else line
        if "[[" in plain:
            out.links.extend(link_targets(plain))
            plain = WIKILINK.sub("", plain)
        if "#" in plain:
            for tag in _INLINE_TAG.findall(plain):
                tag = tag.rstrip("/-")
                if tag and not tag.replace("/", "").isdigit():
                    out.tags.append(tag)
        task = _TASK.match(line)
        if task:
            mark, rest = task[1], task[2]
            out.tasks.append(
                Task(
                    text=_TASK_DATE_MARK.sub("", rest).strip(),
                    done=mark not in " /",
                    line=number,
                    due=_task_date(_DUE, rest, path, number, problems),
                    scheduled=_task_date(_SCHEDULED, rest, path, number, problems),
                    done_on=_task_date(_DONE_ON, rest, path, number, problems),
                    private=private,
                    surprise=_SURPRISE_TAG.search(rest) is not None,
                )
            )
        item = _LIST_ITEM.match(line)
        if pending is not None:
            if line.strip():
                pending[2].append((item[1] if item else line).strip())
                pending_private = pending_private or private
            continue
        if section in LOG_HEADINGS and item and not task:
            m = _LOG_ITEM.match(item[1])
            if m:
                when = parse_date(m[1])
                if when is None:
                    problems.append(Problem(path, number, f"log date {m[1]!r} is not a real date"))
                else:
                    out.log.append(LogEntry(when, m[2].strip(), number, private))
        elif section in WINS_HEADINGS and item and not task:
            out.wins.append(Item(item[1].strip(), number, private))
        elif section in WHY_HEADINGS and line.strip():
            # A line of a %% block keeps its place (the block's marks pair up in the
            # joined text); a line tagged #private becomes a comment of its own.
            tagged = private and _PRIVATE_TAG.search(line) is not None
            out.why.append(f"%%{line.strip().replace('%%', '')}%%" if tagged else line.strip())
    close_pending()
    return out


# ---------------------------------------------------------------- prose

_STRUCTURED = LOG_HEADINGS | WINS_HEADINGS | WHY_HEADINGS | FOLLOW_UP_HEADINGS
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_NOT_PROSE = re.compile(r"^\s*(?:\||!\[\[[^\]]*\]\]\s*$|<!--|([-*_])\s*(?:\1\s*){2,}$)")


def prose(text: str, body_line: int) -> list[Item]:
    """What the user wrote about someone in their own words: the paragraphs and list
    items of a note's body outside its Log, Wins, Follow-ups and Why sections, without
    headings, tasks, code, tables or embeds, in the order written. When the note has a
    ``## Context`` / ``## Achtergrond`` section (any level), only that section counts.

    An item is private (SPEC §6) when all its lines are (a ``## Private`` section, a
    ``%%`` block, ``#private`` lines) or its first line is tagged ``#private``: its text
    then has no ``%%`` marks. When only some
    lines are, their text is wrapped in ``%% … %%``, so ``privacy.for_others`` leaves
    those lines out and ``for_owner`` marks them; an inline ``%% … %%`` stays as written.
    """
    blocks: list[list[tuple[int, str, bool]]] = []
    outline: list[tuple[int, str]] = []
    current: list[tuple[int, str, bool]] | None = None
    in_task = False
    has_context = False
    rows = []
    for number, line, in_code, private in body_lines(text, body_line):
        heading = _HEADING.match(line) if not in_code else None
        if heading:
            level = len(heading[1])
            while outline and outline[-1][0] >= level:
                outline.pop()
            outline.append((level, _section_name(heading[2])))
        names = {name for _, name in outline}
        has_context = has_context or bool(names & CONTEXT_HEADINGS)
        rows.append((number, line, in_code or bool(heading), private, names))
    for number, line, skip, private, names in rows:
        outside = (has_context and not names & CONTEXT_HEADINGS) or names & _STRUCTURED
        if skip or outside or not line.strip() or _NOT_PROSE.match(line):
            current, in_task = None, False
            continue
        line = _QUOTE.sub("", line)
        item = _LIST_ITEM.match(line)
        if item:  # a list item starts a block of its own; a task's lines are left out
            in_task = _TASK.match(line) is not None
            current = None if in_task else []
            line = item[1]
        elif in_task:
            continue
        elif current is None:
            current = []
        if current is None:
            continue
        if not current:
            blocks.append(current)
        current.append((number, line.strip(), private))
    return [_prose_item(block) for block in blocks if block]


def _prose_item(block: list[tuple[int, str, bool]]) -> Item:
    tagged = _PRIVATE_TAG.search(block[0][1]) is not None  # a list item tagged #private
    if tagged or all(private for _, _, private in block):
        text = " ".join(line.replace("%%", " ") for _, line, _ in block)
        return Item(re.sub(r"\s{2,}", " ", text).strip(), block[0][0], True)
    parts: list[str] = []
    marks = 0  # the %% seen so far: odd inside a comment block the text already marks
    for _, line, private in block:
        parts.append(f"%%{line}%%" if private and marks % 2 == 0 and "%%" not in line else line)
        marks += comment_marks(line)
    return Item(" ".join(parts), block[0][0], False)


# ---------------------------------------------------------------- the note


def _kind(meta: Mapping[str, Any], path: str, people_dirs: Iterable[str]) -> str:
    declared = meta.get("type")
    if isinstance(declared, str) and declared.strip():
        declared = fold(declared)
        return declared if declared in {"person", "decision"} else "note"
    folder, _, name = path.rpartition("/")
    if is_folder_note(name.removesuffix(".md")):
        return "note"  # _template.md, _aliases.md, README.md beside the people
    for people in people_dirs:
        if folder == people or folder.startswith(people + "/"):
            return "person"
    return "note"


def is_folder_note(stem: str) -> bool:
    """A note in a people folder about the folder, not a person: README, index, or a name
    starting with '_' (``_template``, ``_aliases``), as real vaults keep beside people."""
    return stem.startswith("_") or fold(stem) in _NOT_PEOPLE


def _meta_tags(meta: Mapping[str, Any]) -> list[str]:
    tags: list[str] = []
    for key in ("tags", "tag"):
        value = meta.get(key)
        if isinstance(value, str):
            value = re.split(r"[,\s]+", value)
        for tag in as_list(value):
            if isinstance(tag, str | int) and str(tag).strip("# "):
                tags.append(str(tag).strip().lstrip("#"))
    return tags


def _meta_links(meta: Mapping[str, Any]) -> list[str]:
    links: list[str] = []
    for value in flatten_values(meta):
        if "[[" in value:
            links.extend(link_targets(value))
    return links


def _meta_attendees(meta: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for key in ATTENDEE_KEYS:
        for value in as_list(meta.get(key)):
            if isinstance(value, str) and value.strip() and "[[" not in value:
                names.append(value.strip())
    return names


def attendee_targets(meta: Mapping[str, Any]) -> tuple[str, ...]:
    """The names a note's ``attendees:`` (or ``participants:``, …) give, linked or plain,
    in order and as written (to be looked up): who was at a meeting. Empty when it has
    no such list, and then everyone a meeting links was there (network.py)."""
    found: list[str] = []
    for key in ATTENDEE_KEYS:
        listed = meta.get(key)
        if listed is None:
            continue
        for value in listed if isinstance(listed, list) else flatten_values(listed):
            if isinstance(value, str):
                found.extend(_attendee_names(value))
    return tuple(found)


@functools.lru_cache(maxsize=65536)
def _attendee_names(value: str) -> tuple[str, ...]:
    """The people one attendee value names: its links, or the value as a plain name."""
    return tuple(link_targets(value)) if "[[" in value else (value.strip(),)


def _check_meta_dates(meta: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
    """Known date keys must hold dates a user meant; report the rest (line unknown)."""
    for key in ("birthday", "started", "last_contact", "date"):
        value = meta.get(key)
        if value is None or isinstance(value, dt.date):
            continue
        reader = parse_partial_date if key == "birthday" else parse_date
        if reader(value) is None:
            problems.append(Problem(path, None, f"'{key}: {value}' is not a date (use YYYY-MM-DD)"))
    cadence = meta.get("cadence")
    if cadence is not None and parse_cadence(cadence) is None:
        problems.append(
            Problem(path, None, f"'cadence: {cadence}' is not a rhythm like 14d, 2w, 1m, 1q")
        )
    for member in as_list(meta.get("family")):
        birthday = member.get("birthday") if isinstance(member, dict) else None
        if birthday is not None and parse_partial_date(birthday) is None:
            problems.append(Problem(path, None, f"family birthday {birthday!r} is not a date"))


_ONE_VALUE_KEYS = ("name", "title", "type", "role", "team", "relation", "manager", "email", "met")
_LIST_KEYS = ("aliases", "alias", "tags", "tag", "interests", "gift_ideas", "growth")


def _check_relation(meta: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
    """A relation SPEC §2 does not know is kept (and searchable) but reported: ``people
    --relation`` and the sheets' words know only the listed ones."""
    value = meta.get("relation")
    if isinstance(value, str) and value.strip() and fold(value) not in RELATIONS:
        problems.append(
            Problem(path, None, f"'relation: {value}' is not one of: {', '.join(RELATIONS)}")
        )


def _is_unquoted_link(value: Any) -> bool:
    """``key: [[Name]]`` without quotes is YAML for a list in a list, not a link."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, list) and len(v) == 1 and isinstance(v[0], str) for v in value)
    )


def _check_meta_shapes(meta: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
    """A list where one value belongs (or a map where a list belongs) is reported, not
    silently ignored: otherwise a person's team or aliases just vanish without a word."""
    for key, value in meta.items():
        if _is_unquoted_link(value):
            name = value[0][0]
            problems.append(
                Problem(
                    path,
                    None,
                    f"'{key}' holds [[{name}]] without quotes, which YAML reads "
                    f'as a list; write {key}: "[[{name}]]"',
                )
            )
    for key in _ONE_VALUE_KEYS:
        value = meta.get(key)
        if isinstance(value, dict | list) and not _is_unquoted_link(value):
            shape = "list" if isinstance(value, list) else "set of key: value pairs"
            problems.append(
                Problem(path, None, f"'{key}' should be one value, not a {shape}; ignored")
            )
    for key in _LIST_KEYS:
        value = meta.get(key)
        if isinstance(value, dict) or any(isinstance(v, dict | list) for v in as_list(value)):
            problems.append(
                Problem(
                    path,
                    None,
                    f"'{key}' should be a list of words, like {key}: [a, b]; "
                    "nested values are ignored",
                )
            )
    for member in as_list(meta.get("family")):
        if not isinstance(member, dict | str):
            problems.append(
                Problem(
                    path,
                    None,
                    "'family' entries should be like "
                    "{name: Lisa, relation: daughter}; this one is ignored",
                )
            )
            break


def _key_lines(text: str, body_line: int) -> dict[str, int]:
    """The line of each top-level front-matter key, so problems can point at it."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n")[: body_line - 1], start=1):
        m = re.match(r"^([^\s#:][^:]*):", line)
        if m:
            lines.setdefault(m[1].strip().strip("'\""), number)
    return lines


_KEPT: dict[tuple[str, bytes, tuple[str, ...]], Note] | None = None  # see parses_kept


@contextlib.contextmanager
def parses_kept() -> Iterator[None]:
    """Within the block, a note parsed again from the same bytes is not parsed again:
    ``import`` parses each note it makes (to check it and know the person), then indexes
    it, which reads and parses it once more. Only for the block: a long-running process
    (``watch``) keeps nothing."""
    global _KEPT
    outer = _KEPT
    _KEPT = {} if outer is None else outer
    try:
        yield
    finally:
        _KEPT = outer


def parse_note(path: str, raw: bytes, people_dirs: Iterable[str] = ("people",)) -> Note:
    """Read one note's bytes. Never raises: what is wrong becomes ``Note.problems``."""
    if _KEPT is None:
        return _parse_note(path, raw, people_dirs)
    key = (path, bytes(raw), tuple(people_dirs))
    found = _KEPT.get(key)
    if found is None:
        found = _KEPT[key] = _parse_note(path, raw, people_dirs)
    return found


def _parse_note(path: str, raw: bytes, people_dirs: Iterable[str]) -> Note:
    text, problems = decode_text(raw, path)
    if "\x00" in text:
        return skipped_note(path, "binary file (contains NUL bytes); skipped")
    meta, body_line, fm_problems = split_front_matter(text, path)
    problems.extend(fm_problems)
    date_problems: list[Problem] = []
    kind = _kind(meta, path, people_dirs)
    _check_meta_dates(meta, path, date_problems)
    _check_meta_shapes(meta, path, date_problems)
    if kind == "person":
        _check_relation(meta, path, date_problems)
    if date_problems:
        key_line = _key_lines(text, body_line)
        reported = {p.line for p in problems}  # an impossible date is already reported by YAML
        for p in date_problems:
            key = re.match(r"'([^':]+)", p.message)
            line = key_line.get(key[1]) if key else key_line.get("family")
            if line is None or line not in reported:
                problems.append(Problem(p.path, line, p.message))
    body = _read_body(text, body_line, path, problems)
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    name = meta.get("name") if kind == "person" else meta.get("title")
    title = name.strip() if isinstance(name, str) and name.strip() else stem
    aliases = tuple(
        str(a).strip()
        for a in as_list(meta.get("aliases") or meta.get("alias"))
        if not isinstance(a, dict | list) and str(a).strip()
    )
    when = parse_date(meta.get("date"))
    if when is None:
        prefix = _ISO_PREFIX.match(stem)
        when = parse_date(prefix[1]) if prefix else None
    return Note(
        path=path,
        title=title,
        kind=kind,
        meta=meta,
        text=without_comments(text, body_line),
        date=when,
        aliases=aliases,
        links=tuple(dict.fromkeys(_meta_links(meta) + [t for t in body.links if t])),
        attendees=tuple(dict.fromkeys(_meta_attendees(meta))) if kind != "person" else (),
        tags=tuple(dict.fromkeys(_meta_tags(meta) + body.tags)),
        log=tuple(body.log),
        tasks=tuple(body.tasks),
        wins=tuple(body.wins),
        why=str(meta["why"]).strip() if isinstance(meta.get("why"), str) else "\n".join(body.why),
        problems=tuple(problems),
        body_line=body_line,
    )


def skipped_note(path: str, reason: str) -> Note:
    """A placeholder for a file that is not read (binary, too large, unreadable)."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    return Note(path=path, title=stem, kind="skipped", problems=(Problem(path, None, reason),))
