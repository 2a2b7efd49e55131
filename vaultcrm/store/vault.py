"""The vault on disk: where it is, which files are notes, and reading one of them.

The vault is the truth. Everything else (the index, the sheets) is derived from what
this module reads, and nothing here ever writes a note.
"""

from __future__ import annotations

import contextlib
import fnmatch
import operator
import os
import re
import stat
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from ..errors import NoVaultError, UsageError, VaultcrmError
from ..model.notes import Note, parse_note, skipped_note
from .config import Config, load_config

STATE_DIR = ".vaultcrm"
MARKERS = (STATE_DIR, ".obsidian")
_EDITOR_TEMP = re.compile(r"(\.swp|\.swx|\.swo|~|\.tmp)$|^\.#|^4913$")


class FileStamp(NamedTuple):
    """What a cheap ``stat`` tells about a note: enough to skip unchanged files.

    A NamedTuple, not a dataclass: a walk makes one per note, and on 10,000 notes the
    frozen dataclass's ``__init__`` alone was ~10 ms of a ~100 ms no-op ``index``.
    """

    path: str  # relative to the vault, '/'-separated
    mtime_ns: int
    size: int


# A FileStamp made straight from its tuple, as NamedTuple's own __new__ does after a call
# of Python's (a third of the cost of a stamp, which a no-op sync makes for every note).
_stamp = tuple.__new__
_path = operator.itemgetter(0)


def find_vault(explicit: str | os.PathLike | None = None, cwd: Path | None = None) -> Path:
    """``--vault`` › ``$VAULTCRM_VAULT`` › nearest folder upwards with .vaultcrm/ or .obsidian/."""
    chosen = explicit or os.environ.get("VAULTCRM_VAULT")
    if chosen:
        root = Path(chosen).expanduser()
        if not root.is_dir():
            what = "is not a folder" if root.exists() else "does not exist"
            raise NoVaultError(f"vault folder {root} {what} (pass --vault PATH of a folder)")
        return root.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if any((folder / marker).is_dir() for marker in MARKERS):
            return folder
    raise NoVaultError(
        "no vault found here or in any parent folder; pass --vault PATH, set VAULTCRM_VAULT, "
        "or run 'vaultcrm init' to make this folder one"
    )


def is_ignored_name(name: str) -> bool:
    """Hidden entries and editor temp/swap files are never notes."""
    return name.startswith(".") or bool(_EDITOR_TEMP.search(name))


class Vault:
    """A vault folder and its settings. ``Vault(path)`` does no I/O beyond the config."""

    def __init__(self, root: str | os.PathLike, config: Config | None = None):
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise NoVaultError(f"vault folder {self.root} does not exist")
        self.config = config or load_config(self.state_dir / "config.toml")

    def __repr__(self) -> str:
        return f"Vault({str(self.root)!r})"

    @classmethod
    def find(cls, explicit: str | os.PathLike | None = None) -> Vault:
        """The vault the user means, by SPEC §1's order of preference."""
        return cls(find_vault(explicit))

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def index_dir(self) -> Path:
        return self.state_dir / "index"

    @cached_property
    def _ignore(self) -> list[re.Pattern]:
        return [re.compile(fnmatch.translate(glob)) for glob in self.config.ignore]

    def is_note_path(self, rel: str) -> bool:
        """Whether a vault-relative path names a note vaultcrm reads (not whether it exists)."""
        parts = rel.split("/")
        if not rel.endswith(".md") or any(is_ignored_name(p) for p in parts):
            return False
        return not any(rx.match(rel) for rx in self._ignore)

    def _ignored_dir(self, rel: str) -> bool:
        return any(rx.match(rel) or rx.match(rel + "/") for rx in self._ignore)

    def walk(self) -> Iterator[FileStamp]:
        """Every note below the root, sorted by path, with its stat.

        Symlinked folders are not followed (no loops, no leaving the vault); a symlinked
        file is read only when it points inside the vault.
        """
        stack = [""]
        found: list[FileStamp] = []
        ignore = self._ignore
        while stack:
            rel_dir = stack.pop()
            try:
                entries = list(os.scandir(self.root / rel_dir if rel_dir else self.root))
            except OSError:
                continue  # vanished or unreadable folder: nothing to index there
            prefix = f"{rel_dir}/" if rel_dir else ""
            for entry in entries:
                name = entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        rel = prefix + name
                        if not is_ignored_name(name) and not self._ignored_dir(rel):
                            stack.append(rel)
                        continue
                    # is_note_path, cheaply: the folders above were checked on the way down,
                    # and a name ending in .md is never an editor temp file, only hidden.
                    if not name.endswith(".md") or name.startswith("."):
                        continue
                    rel = prefix + name
                    if ignore and any(rx.match(rel) for rx in ignore):
                        continue
                    if entry.is_symlink() and not self._inside(Path(entry.path)):
                        continue
                    st = entry.stat()
                except OSError:
                    continue  # broken symlink, vanished file, symlink loop
                if entry.is_file():
                    found.append(_stamp(FileStamp, (rel, st.st_mtime_ns, st.st_size)))
        found.sort(key=_path)  # by path, which is unique: strings compared, not tuples
        return iter(found)

    def _inside(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root)
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def path_of(self, rel: str) -> Path:
        """The absolute path of a vault-relative one, refusing anything that leaves the vault."""
        plain = self._plain_path(rel)
        if plain is not None:
            return plain
        try:
            full = (self.root / rel).resolve()
            full.relative_to(self.root)  # resolved already: _inside would resolve again
        except (ValueError, OSError, RuntimeError):
            raise VaultcrmError("path leaves the vault", rel) from None
        return full

    def _plain_path(self, rel: str) -> Path | None:
        """``root / rel`` when that is already the resolved path: no ``..``, and no part
        below the (resolved) root a symlink; one lstat per part instead of a
        ``resolve()`` of every part from ``/`` (a sync of 1,000 notes calls this 2,000
        times). None when it cannot tell (a link, a missing file): resolve then decides."""
        relative = Path(rel)
        parts = relative.parts
        if not parts or relative.anchor or ".." in parts:
            return None
        full = here = self.root.joinpath(*parts)
        try:
            for _ in parts:
                if stat.S_ISLNK(os.lstat(here).st_mode):
                    return None
                here = here.parent
        except (OSError, ValueError):
            return None
        return full

    def read_bytes(self, rel: str) -> bytes:
        return self.path_of(rel).read_bytes()

    def read_note(self, rel: str) -> Note:
        """Parse one note; unreadable, binary or over-size files become a skipped note."""
        try:
            full = self.path_of(rel)
            size = full.stat().st_size
            if size > self.config.max_file_size:
                limit = _human_size(self.config.max_file_size)
                return skipped_note(
                    rel, f"file is {_human_size(size)}, over the {limit} limit; skipped"
                )
            raw = full.read_bytes()
        except (OSError, VaultcrmError) as exc:
            return skipped_note(rel, f"cannot be read: {getattr(exc, 'strerror', None) or exc}")
        return parse_note(rel, raw, self.config.people_dirs)

    def relative(self, path: str | os.PathLike) -> str | None:
        """Vault-relative '/' path of an absolute one, or None when it lies outside."""
        try:
            rel = Path(os.path.abspath(path)).relative_to(self.root)
        except ValueError:
            return None
        return rel.as_posix()


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file the user names (a calendar, an address
    book), or None: a pipe or a device, whose reading would wait for a writer or never
    end. Missing or a folder: None (the reader says so in its own words)."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return "is not a regular file (a pipe or a device?); not reading it"
    return None


def _human_size(size: int) -> str:
    """5.7 MB, 2.9 KB: sizes as a user reads them."""
    return f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{size / 1024:.1f} KB"


DEFAULT_CONFIG = """\
# vaultcrm settings for this vault. Every key is optional.

# Languages of your notes: search stems words for each ("nl", "en", "de", "fr", ...).
languages = {languages}

# Language of the prep sheets, agenda and people list: "en", "en_GB" or "nl".
locale = "{locale}"

# Folders whose notes are people (a note with `type: person` anywhere is one too).
people_dirs = ["people"]

# Glob patterns of notes vaultcrm should not read, relative to the vault.
ignore = ["templates/**"]
"""


# No trailing slash: 'index/' matches only a folder, so a symlink named index would be
# committed and travel with a shared vault. The leading slash keeps them to .vaultcrm/.
GITIGNORE = (
    "# vaultcrm's index, locks and cache are rebuilt from the notes and calendars.\n"
    "/index\n/locks\n/cache\n*.lock\n"
)
_OLD_GITIGNORES = (
    "# vaultcrm's index and locks are a cache, rebuilt from the notes.\nindex/\nlocks/\n*.lock\n",
    "# vaultcrm's index and locks are a cache, rebuilt from the notes.\n/index\n/locks\n*.lock\n",
)


def ensure_state_dir(vault: Vault) -> None:
    """Create ``.vaultcrm/`` with its .gitignore, so an Obsidian vault just works.

    A .gitignore exactly as an older vaultcrm wrote it is brought up to date (its
    ``index/`` missed a symlink named index); one the user edited is left alone."""
    from .writes import check_own, check_own_file

    state = vault.state_dir
    check_own(state, vault.root)
    state.mkdir(exist_ok=True)
    ignore = state / ".gitignore"
    check_own_file(ignore)
    if not ignore.exists():
        ignore.write_text(GITIGNORE, encoding="utf-8")
    elif ignore.stat().st_size < 200 and ignore.read_bytes().decode("utf-8", "replace") in (
        _OLD_GITIGNORES
    ):
        from .writes import replace_file

        with contextlib.suppress(VaultcrmError):  # best effort: the old one still mostly works
            replace_file(ignore, GITIGNORE)


def init_vault(
    folder: str | os.PathLike,
    languages: tuple[str, ...] = ("en",),
    locale: str | None = None,
) -> list[str]:
    """Make ``folder`` a vault; create only what is missing and return what was created.

    ``languages`` are those of the notes (search stems each); ``locale`` the language of
    the sheets, by default the first of ``languages``.
    """
    import json

    from .config import LOCALES, SUPPORTED_LANGUAGES, is_spoken
    from .writes import check_own, write_new

    unknown = [lang for lang in languages if lang not in SUPPORTED_LANGUAGES]
    if unknown or not languages:
        raise UsageError(
            f"unsupported language {unknown[0] if unknown else ''!r} "
            f"(supported: {', '.join(sorted(SUPPORTED_LANGUAGES))})"
        )
    if locale is not None and not is_spoken(locale):
        raise UsageError(f"vaultcrm writes only {', '.join(LOCALES)} (--locale {locale!r})")
    if locale is None:  # the notes' first language, where vaultcrm writes it
        locale = next((lang for lang in languages if is_spoken(lang)), "en")
    config = DEFAULT_CONFIG.format(
        languages=json.dumps(list(dict.fromkeys(languages))), locale=locale
    )

    root = Path(folder).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise VaultcrmError("exists and is not a folder", root)
    created: list[str] = []
    if not root.exists():
        root.mkdir(parents=True)
        created.append(f"{root}/")
    check_own(root / STATE_DIR, root)  # a .vaultcrm that links elsewhere is not written into
    for rel in (STATE_DIR, "people"):
        if not (root / rel).is_dir():
            (root / rel).mkdir(parents=True)
            created.append(f"{rel}/")
    for rel, text in (
        (f"{STATE_DIR}/config.toml", config),
        (f"{STATE_DIR}/.gitignore", GITIGNORE),
    ):
        if not (root / rel).exists():
            write_new(root / rel, text)
            created.append(rel)
    return created
