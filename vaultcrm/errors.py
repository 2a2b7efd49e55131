"""One family of errors, each knowing the path and line it is about.

The library raises these and never prints or exits; only ``cli.py`` turns them into a
message and the exit code of SPEC §3. That keeps the library usable from Python and
keeps every user-facing message in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class VaultcrmError(Exception):
    """Base of every error vaultcrm raises on purpose."""

    exit_code = 3

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"


class UsageError(VaultcrmError):
    """The user asked for something that cannot be done as asked (exit 2)."""

    exit_code = 2


class NoVaultError(UsageError):
    """No vault could be found from the options, environment or working directory."""


class AmbiguousNameError(UsageError):
    """A NAME matched several people (or a TEXT several meetings: ``what``); the
    candidates are listed for the user."""

    def __init__(self, name: str, candidates: Sequence[str], what: str = "people"):
        super().__init__(f"'{name}' matches several {what}: " + ", ".join(candidates))
        self.name = name
        self.candidates = list(candidates)
        self.what = what


class RefusedWriteError(UsageError):
    """A write was refused: it would overwrite, leave the vault, or clobber an edit."""


class QuerySyntaxError(UsageError):
    """A search query could not be parsed."""


class NotFoundError(VaultcrmError):
    """Nothing matched: an unknown person (exit 1)."""

    exit_code = 1

    def __init__(self, message: str, suggestions: Sequence[str] = ()):
        super().__init__(message)
        self.suggestions = list(suggestions)


class IndexFailure(VaultcrmError):
    """The index could not be used or written; the user must act (exit 3)."""


class IndexWriteError(IndexFailure):
    """The index could not be written (a full disk, a read-only vault). A reading command
    can still answer from the last good index, saying it may be stale."""


class IndexCorruptError(IndexFailure):
    """The index is unreadable; callers rebuild it from the vault."""


class IndexLockedError(IndexFailure):
    """Another vaultcrm process held the index lock for longer than we wait."""


class ForeignPathError(VaultcrmError):
    """A path where vaultcrm keeps its own files (``.vaultcrm/``, its index, its locks) is
    not its own: a symlink, or a file where its folder belongs. vaultcrm refuses to write,
    replace or delete anything through it (exit 3): a link that travelled with a shared
    vault must never let a rebuild empty the folder it points to."""


class TemplateError(VaultcrmError):
    """A template could not be loaded or rendered (exit 3)."""
