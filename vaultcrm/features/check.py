"""Every problem in the vault, with ``path:line`` (SPEC §3 ``check``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..engine.api import Engine, SyncResult
from ..engine.reading import reading
from ..model.notes import Problem, fold, note_text
from ..store.vault import Vault

_KEY = re.compile(r"^([^\s#:\-][^:]*):")
_ATTACHMENT = re.compile(
    r"\.(png|jpe?g|gif|bmp|svg|webp|avif|pdf|mp3|wav|m4a|ogg|flac|webm|mp4|mov|mkv|ogv|3gp"
    r"|canvas|excalidraw|base)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[Problem, ...]
    notes: int
    sync: SyncResult


def check_vault(
    vault: Vault,
    today: dt.date | None = None,
    engine: Engine | None = None,
    *,
    now: dt.datetime | None = None,
) -> CheckResult:
    """Per-note problems found at index time, plus what only the whole vault shows:
    duplicate names or aliases, links to notes or people that do not exist, a
    ``last_contact`` after ``today`` (not counted, so silently "never"), settings
    config.toml holds that vaultcrm does not know (a typo does nothing otherwise), and
    what the configured calendars hold that cannot be read (SPEC §7), each with its line."""
    from .meetings import read_meetings

    today = today or dt.date.today()
    with reading(vault, engine) as index:
        notes, directory, result = index.notes(), index.directory, index.result
    problems = [p for note in notes for p in note.problems]
    problems += read_meetings(vault, directory, now or today).problems
    config = ".vaultcrm/config.toml"
    for key, line in vault.config.unknown:
        problems.append(Problem(config, line, f"unknown setting '{key}'; it does nothing"))
    for person in directory.people:
        when = person.last_contact_field
        if when and when > today:
            problems.append(
                Problem(
                    person.path,
                    _key_line(vault, person.path, str(when), ("last_contact",)),
                    f"'last_contact: {when}' is after today; it is not counted",
                )
            )
    holders: dict[str, dict[str, str]] = {}  # folded key → {path: the key as written}
    for person in directory.people:
        for key in (person.name, *person.aliases):
            holders.setdefault(fold(key), {}).setdefault(person.path, key)
    for owners in holders.values():
        for path, key in sorted(owners.items()) if len(owners) > 1 else ():
            others = ", ".join(p for p in sorted(owners) if p != path)
            line = _key_line(vault, path, key)
            problems.append(Problem(path, line, f"name or alias '{key}' is also used by {others}"))
    known = {fold(n.stem) for n in notes} | {fold(n.title) for n in notes}
    known |= {fold(a) for n in notes for a in n.aliases}
    for note in notes:
        lines: list[str] | None = None  # the note's folded lines, read once for all its links
        for target in note.links:
            if _ATTACHMENT.search(target):
                continue  # ![[diagram.png]] embeds a file, not a note
            if fold(target) not in known:
                if lines is None:
                    lines = _folded_lines(vault, note.path)
                line = _line_of(lines, f"[[{target}") or _line_of(lines, target)
                problems.append(
                    Problem(note.path, line, f"link [[{target}]] points to no person or note")
                )
    problems.sort(key=lambda p: (p.path, p.line or 0, p.message))
    return CheckResult(tuple(problems), len(notes), result)


def _key_line(
    vault: Vault, path: str, value: str, keys: tuple[str, ...] = ("name", "aliases", "alias")
) -> int | None:
    """The front-matter line that gives a person ``value`` as name or alias; None when the
    name comes from the file name."""
    try:
        text = note_text(vault.read_bytes(path))
    except Exception:
        return None
    wanted = fold(value)
    key = None
    for number, line in enumerate(text.split("\n"), start=1):
        if number > 1 and line.rstrip() == "---":
            break
        m = _KEY.match(line)
        key = fold(m[1]) if m else key
        rest = line[m.end() :] if m else line
        items = {fold(item.strip(" \t\r-\"'")) for item in re.split(r"[\[\],]", rest)}
        if key in keys and wanted in items:
            return number
    return None


def _folded_lines(vault: Vault, path: str) -> list[str]:
    """A note's lines, folded once: a note with thousands of dangling links would
    otherwise be read and folded again for each (minutes on a 50 KB line)."""
    try:
        text = note_text(vault.read_bytes(path))
    except Exception:
        return []
    return [fold(line) for line in text.split("\n")]


def _line_of(lines: list[str], needle: str) -> int | None:
    folded = fold(needle)
    for number, line in enumerate(lines, start=1):
        if folded in line:
            return number
    return None
