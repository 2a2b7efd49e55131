"""The vault's settings, from ``.vaultcrm/config.toml``; every key is optional."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import VaultcrmError
from ..model.privacy import DEFAULT_PRIVATE_KEYS

SUPPORTED_LANGUAGES = {
    "en": "english",
    "nl": "dutch",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "sv": "swedish",
    "no": "norwegian",
    "da": "danish",
    "fi": "finnish",
}

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
# Meetings with more attendees than this are not 1:1s or team meetings but all-hands and
# webinars: no contact with anyone in particular (folk uses the same default).
DEFAULT_MAX_ATTENDEES = 20
# The span of the calendars worth reading: a year back (last contact, for any cadence up
# to 1y) to 60 days ahead (agenda, prep --next). A command that needs more widens it.
CALENDAR_PAST_DAYS = 365
CALENDAR_FUTURE_DAYS = 60

# The languages vaultcrm writes its sheets, agenda and lists in (present/words.py has a
# table for each); a region picks the date style (en_GB: day before month).
LOCALES = ("en", "en_GB", "nl")


def is_spoken(locale: str) -> bool:
    """Whether vaultcrm writes ``locale``: en, nl, or a region of either (en_GB, nl-BE)."""
    return re.fullmatch(r"(en|nl)(?:[_-][A-Za-z]{2,4})?", locale.strip()) is not None


# Every setting config.toml may hold (SPEC and README); ``check`` reports any other key,
# which is most often a typo that silently does nothing.
SETTINGS = frozenset(
    {
        "languages",
        "locale",
        "people_dirs",
        "ignore",
        "max_file_size",
        "private_keys",
        "calendars",
        "me",
        "max_attendees",
    }
)


@dataclass(frozen=True)
class Config:
    """Settings that change what is read and how it is indexed and shown."""

    languages: tuple[str, ...] = ("en",)
    locale: str = "en"
    people_dirs: tuple[str, ...] = ("people",)
    ignore: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # SPEC §7: .ics files to read meetings from, as written (``~`` and paths relative to
    # the vault are resolved by ``calendars.calendar_paths``), the user's own addresses
    # (to know which meetings they declined, and not to match themselves) and the largest
    # meeting that still counts as contact.
    calendars: tuple[str, ...] = ()
    me: tuple[str, ...] = ()
    max_attendees: int = DEFAULT_MAX_ATTENDEES
    # SPEC §6: front-matter keys that are private in every note. Set, the list is the
    # whole list: ``["family", "gift_ideas", "health"]`` adds one, ``["gift_ideas"]``
    # lets family birthdays into the calendar file.
    private_keys: tuple[str, ...] = tuple(sorted(DEFAULT_PRIVATE_KEYS))
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    unknown: tuple[tuple[str, int | None], ...] = field(default=(), compare=False)  # typos


def load_config(path: Path) -> Config:
    """Read config.toml; a missing file means defaults, a broken one is the user's to fix
    (a ``VaultcrmError`` with the file and, where known, the line of the key)."""
    if not path.is_file():
        return Config()
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise VaultcrmError(f"config.toml is not UTF-8 text: {exc.reason}", path) from None
    except tomllib.TOMLDecodeError as exc:
        # Python < 3.14 puts the place only in the message: '... (at line 2, column 5)'.
        what, line = str(exc), getattr(exc, "lineno", None)
        where = re.search(r" \(at (?:line (\d+), column \d+|end of document)\)$", what)
        if where:
            what = what[: where.start()]
            line = line or (int(where[1]) if where[1] else text.count("\n") or 1)
        raise VaultcrmError(f"config.toml is not valid TOML: {what}", path, line) from None
    lines = _KeyLines(text)
    langs = _str_list(data, "languages", path, lines) or ["en"]
    unknown = [lang for lang in langs if lang not in SUPPORTED_LANGUAGES]
    if unknown:
        raise VaultcrmError(
            f"unsupported language {unknown[0]!r} in 'languages' "
            f"(supported: {', '.join(sorted(SUPPORTED_LANGUAGES))})",
            path,
            lines("languages"),
        )
    locale = data.get("locale", "en")
    if not isinstance(locale, str) or not is_spoken(locale):
        raise VaultcrmError(
            f"'locale' must be one of the languages vaultcrm writes: {', '.join(LOCALES)} "
            "(or a region of them, such as en_US)",
            path,
            lines("locale"),
        )
    size = data.get("max_file_size", DEFAULT_MAX_FILE_SIZE)
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise VaultcrmError(
            "'max_file_size' must be a positive number of bytes", path, lines("max_file_size")
        )
    people_dirs = [
        _inside_vault(d, "people_dirs", path, lines)
        for d in _str_list(data, "people_dirs", path, lines) or ["people"]
    ]
    ignore = _str_list(data, "ignore", path, lines)
    for glob in ignore:
        _inside_vault(glob, "ignore", path, lines)
    calendars = _str_list(data, "calendars", path, lines)
    if any(not c.strip() for c in calendars):
        raise VaultcrmError("'calendars' holds an empty path", path, lines("calendars"))
    me = [m.strip() for m in _str_list(data, "me", path, lines)]
    not_mail = [m for m in me if "@" not in m.removeprefix("mailto:")]
    if not_mail:
        raise VaultcrmError(
            f"'me' holds {not_mail[0]!r}, which is not an email address "
            '(me = ["you@example.com"])',
            path,
            lines("me"),
        )
    most = data.get("max_attendees", DEFAULT_MAX_ATTENDEES)
    if not isinstance(most, int) or isinstance(most, bool) or most < 1:
        raise VaultcrmError(
            "'max_attendees' must be a whole number of at least 1", path, lines("max_attendees")
        )
    secret = [k.strip() for k in _str_list(data, "private_keys", path, lines)]
    if "private_keys" not in data:
        secret = sorted(DEFAULT_PRIVATE_KEYS)
    if any(not k for k in secret):
        raise VaultcrmError("'private_keys' holds an empty key", path, lines("private_keys"))
    known = {
        "private_keys",
        "languages",
        "locale",
        "people_dirs",
        "ignore",
        "max_file_size",
        "calendars",
        "me",
        "max_attendees",
    }
    unknown_keys = tuple((k, lines(k)) for k in data if k not in SETTINGS)
    return Config(
        languages=tuple(dict.fromkeys(langs)),
        locale=locale,
        people_dirs=tuple(people_dirs),
        ignore=tuple(ignore),
        max_file_size=size,
        calendars=tuple(c.strip() for c in calendars),
        me=tuple(dict.fromkeys(m.removeprefix("mailto:").casefold() for m in me)),
        max_attendees=most,
        private_keys=tuple(dict.fromkeys(secret)),
        extra={k: v for k, v in data.items() if k not in known},
        unknown=unknown_keys,
    )


class _KeyLines:
    """The line of a top-level key in config.toml, for messages that point at it."""

    def __init__(self, text: str):
        self._lines = text.splitlines()

    def __call__(self, key: str) -> int | None:
        written = re.compile(
            rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*="""
        )
        for number, line in enumerate(self._lines, start=1):
            if line.lstrip().startswith("["):
                return None  # tables follow: the key was not set at the top level
            if written.match(line):
                return number
        return None


def _inside_vault(value: str, key: str, path: Path, lines: _KeyLines) -> str:
    """A path setting as a clean vault-relative folder (``people/`` → ``people``), or a
    ``VaultcrmError`` at its line when it would leave the vault or could never match:
    ``../..`` silently meant "no people", ``/abs/path`` made ``new`` write to
    ``<vault>/abs/path/``, and a hidden folder is never read."""
    text = value.replace("\\", "/").strip()
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text) or text.startswith("~"):
        why = 'is an absolute path; it must be a folder inside the vault, like "people"'
    elif ".." in parts:
        why = "leads out of the vault ('..'); it must be a folder inside it, like \"people\""
    elif key == "people_dirs" and any(p.startswith(".") for p in parts):
        why = "is a hidden folder, whose notes vaultcrm never reads"
    elif any(ord(c) < 32 for c in text):
        why = "holds a control character"
    else:
        return "/".join(parts) if key == "people_dirs" else value
    raise VaultcrmError(f"'{key}' value {value!r} {why}", path, lines(key))


def _str_list(data: dict, key: str, path: Path, lines: _KeyLines) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise VaultcrmError(f"'{key}' must be a list of strings", path, lines(key))
    return value
