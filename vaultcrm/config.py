"""The vault's settings, from ``.vaultcrm/config.toml``; every key is optional."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import VaultcrmError

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

# SPEC §2's relations: the one list `new --relation` accepts (CLI choice and library check).
RELATIONS = (
    "report",
    "peer",
    "manager",
    "skip",
    "client",
    "freelancer",
    "supplier",
    "former",
    "other",
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
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def load_config(path: Path) -> Config:
    """Read config.toml; a missing file means defaults, a broken one is the user's to fix."""
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
    langs = _str_list(data, "languages", path) or ["en"]
    unknown = [lang for lang in langs if lang not in SUPPORTED_LANGUAGES]
    if unknown:
        raise VaultcrmError(
            f"unsupported language {unknown[0]!r} in 'languages' "
            f"(supported: {', '.join(sorted(SUPPORTED_LANGUAGES))})",
            path,
        )
    locale = data.get("locale", "en")
    if not isinstance(locale, str):
        raise VaultcrmError('\'locale\' must be a string such as "nl" or "en"', path)
    size = data.get("max_file_size", DEFAULT_MAX_FILE_SIZE)
    if not isinstance(size, int) or size <= 0:
        raise VaultcrmError("'max_file_size' must be a positive number of bytes", path)
    calendars = _str_list(data, "calendars", path)
    if any(not c.strip() for c in calendars):
        raise VaultcrmError("'calendars' holds an empty path", path)
    me = [m.strip() for m in _str_list(data, "me", path)]
    not_mail = [m for m in me if "@" not in m.removeprefix("mailto:")]
    if not_mail:
        raise VaultcrmError(
            f"'me' holds {not_mail[0]!r}, which is not an email address "
            '(me = ["you@example.com"])',
            path,
        )
    most = data.get("max_attendees", DEFAULT_MAX_ATTENDEES)
    if not isinstance(most, int) or isinstance(most, bool) or most < 1:
        raise VaultcrmError("'max_attendees' must be a whole number of at least 1", path)
    known = {
        "languages",
        "locale",
        "people_dirs",
        "ignore",
        "max_file_size",
        "calendars",
        "me",
        "max_attendees",
    }
    return Config(
        languages=tuple(dict.fromkeys(langs)),
        locale=locale,
        people_dirs=tuple(d.strip("/") for d in _str_list(data, "people_dirs", path) or ["people"]),
        ignore=tuple(_str_list(data, "ignore", path)),
        max_file_size=size,
        calendars=tuple(c.strip() for c in calendars),
        me=tuple(dict.fromkeys(m.removeprefix("mailto:").casefold() for m in me)),
        max_attendees=most,
        extra={k: v for k, v in data.items() if k not in known},
    )


def _str_list(data: dict, key: str, path: Path) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise VaultcrmError(f"'{key}' must be a list of strings", path)
    return value
