"""What reading a calendar found, kept under ``.vaultcrm/cache/`` until the file changes.

``people``, ``agenda``, ``prep`` and ``health`` all ask the calendars, and a year of a
busy calendar is a few MB of .ics that takes up to a second to read; the same answer,
kept as JSON, takes milliseconds. One file a calendar (named by a hash of its real
path), replaced when anything it depends on moves: the calendar's size, times and
inode, the window asked for (whole days, so every command of a day shares it), the
user's addresses, ``max_attendees``, the local time zone, and this module's version.

The cache is vaultcrm's own, beside the index (git-ignored, never in a note). It is a
convenience: one that cannot be read is read again from the calendar, one that cannot
be written (a read-only vault, a full disk) is not written, and neither is an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import zoneinfo
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import VaultcrmError
from ..model.meetings import Attendee, Meeting
from ..model.notes import Problem

CACHE_DIR = "cache"  # under .vaultcrm/
_FOLDER = "calendars"
VERSION = 3  # of what is stored and of how calendars.py reads: bump when either changes


def cached(
    state_dir: Path,
    path: Path,
    key: dict[str, Any],
    read: Callable[[], tuple[tuple[Meeting, ...], tuple[Problem, ...], dict[str, int]]],
) -> tuple[tuple[Meeting, ...], tuple[Problem, ...], dict[str, int]]:
    """What ``read()`` finds in the calendar at ``path``, from the cache when ``key``
    (the reader's settings) and the file's stamp are what they were; else read and
    kept. A file that changes while it is read is not kept."""
    try:
        before = _stamp(path)
    except OSError:
        return read()  # missing or unreadable: the reader says so
    full = {"version": VERSION, "file": before, **key}
    where = state_dir / CACHE_DIR / _FOLDER / f"{_name(path)}.json"
    found = _load(where, full)
    if found is not None:
        return found
    result = read()
    with contextlib.suppress(OSError):
        if _stamp(path) == before:
            _save(state_dir, where, full, result)
    return result


def zone_key(tz: dt.tzinfo, years: Iterable[int]) -> list[Any]:
    """What tells one local time zone from another for floating times: its name and
    its offsets in winter and summer of the ``years`` read (a system zone that moved
    keeps its name, /etc/localtime, but not its offsets)."""
    offsets = []
    for year in years:
        for month in (1, 7):
            offset = dt.datetime(year, month, 1, 12, tzinfo=tz).utcoffset()
            offsets.append(offset.total_seconds() if offset is not None else None)
    return [repr(tz), offsets]


def _stamp(path: Path) -> list[Any]:
    st = os.stat(path)
    return [str(Path(path).resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _name(path: Path) -> str:
    text = str(Path(path).resolve()).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=12).hexdigest()


def _load(where: Path, key: dict[str, Any]):
    try:
        with open(where, encoding="utf-8") as handle:
            data = json.load(handle)
        if not isinstance(data, dict) or data.get("key") != json.loads(json.dumps(key)):
            return None
        people = [Attendee(*a) for a in data["people"]]
        meetings = tuple(_meeting(item, people) for item in data["meetings"])
        problems = tuple(Problem(p[0], p[1], p[2]) for p in data["problems"])
        return meetings, problems, dict(data["skipped"])
    except (OSError, ValueError, KeyError, TypeError, IndexError, zoneinfo.ZoneInfoNotFoundError):
        return None  # missing, stale or damaged: read the calendar again


def remove_cache(state_dir: Path) -> None:
    """Throw the whole cache away: ``forget`` calls it, as a calendar's attendees hold
    names and addresses. A cache folder that is a link is not ours and holds nothing we
    wrote (``_save`` never writes through one): it stays."""
    import shutil

    folder = state_dir / CACHE_DIR
    if folder.is_symlink() or not folder.exists():
        return
    try:
        shutil.rmtree(folder)
    except OSError as exc:
        raise VaultcrmError(f"cannot remove the cache: {exc.strerror or exc}", folder) from None


def _save(state_dir: Path, where: Path, key: dict[str, Any], result) -> None:
    from .writes import own_folder, replace_file

    meetings, problems, skipped = result
    people: dict[Attendee, int] = {}  # each attendee once: a calendar repeats them
    data = {
        "key": key,
        "meetings": [_plain(m, people) for m in meetings],
        "people": [[a.email, a.name, a.partstat, a.role] for a in people],
        "problems": [[p.path, p.line, p.message] for p in problems],
        "skipped": skipped,
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        own_folder(where.parent, state_dir.parent)
        replace_file(where, text)
    except VaultcrmError:
        pass  # a read-only vault, a full disk, a folder that is not ours: no cache


def _when(moment: dt.datetime) -> list[Any]:
    return [moment.isoformat(), getattr(moment.tzinfo, "key", None)]


def _from_when(value: list[Any]) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value[0])
    return moment.astimezone(zoneinfo.ZoneInfo(value[1])) if value[1] else moment


def _plain(m: Meeting, people: dict[Attendee, int]) -> list[Any]:
    def number(a: Attendee) -> int:
        return people.setdefault(a, len(people))

    return [
        m.uid,
        m.title,
        _when(m.start),
        _when(m.end),
        [number(a) for a in m.attendees],
        None if m.organizer is None else number(m.organizer),
        m.location,
        m.source,
        m.line,
        m.recurring,
    ]


def _meeting(item: list[Any], people: list[Attendee]) -> Meeting:
    uid, title, start, end, attendees, organizer, location, source, line, recurring = item
    return Meeting(
        uid=uid,
        title=title,
        start=_from_when(start),
        end=_from_when(end),
        attendees=tuple(people[a] for a in attendees),
        organizer=None if organizer is None else people[organizer],
        location=location,
        source=source,
        line=line,
        recurring=recurring,
    )
