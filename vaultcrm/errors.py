"""One family of errors, each knowing the path and line it is about.

The library raises these and never prints or exits; the adapters turn them into what
the user reads: ``cli.py`` a message and the exit code of SPEC §3, the assistant server
(``mcp_server.py``) an MCP error. Both take the wording from ``error_lines`` here, so a
message reads the same wherever it is shown, and the library stays usable from Python.
"""

from __future__ import annotations

import os
import sys
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


# ---------------------------------------------------------------- what the user reads


def error_lines(exc: VaultcrmError) -> list[str]:
    """The message for ``exc`` as the user reads it: the CLI prints these lines to
    stderr, the assistant server sends them as one (``error_line``)."""
    if isinstance(exc, AmbiguousNameError):
        return [f"'{exc.name}' matches several {exc.what}; say which:"] + [
            f"  {candidate}" for candidate in exc.candidates
        ]
    if isinstance(exc, NotFoundError):
        hint = f" Did you mean: {', '.join(exc.suggestions)}?" if exc.suggestions else ""
        return [f"{exc.message[:1].upper()}{exc.message[1:]}.{hint}"]
    return [f"vaultcrm: {exc}"]


def error_line(exc: VaultcrmError) -> str:
    """``error_lines`` on one line: a list that follows the first line is joined with commas."""
    first, *rest = error_lines(exc)
    return f"{first} {', '.join(line.strip() for line in rest)}" if rest else first


def unexpected_line(exc: BaseException, vault_root: Path | None = None, detail: bool = True) -> str:
    """An error vaultcrm did not foresee, in one line naming it and where its traceback
    was written (``write_crash_report``). ``detail``: also the start of its message,
    which may quote a note (the assistant server leaves it out: a note's words reach
    the assistant only through the tools' own privacy filter)."""
    where = write_crash_report(exc, vault_root)
    what = str(exc).strip().splitlines()[0] if detail and str(exc).strip() else ""
    name = f"{type(exc).__name__}: {what}"[:300] if what else type(exc).__name__
    written = f"details in {where}" if where else "no details could be written"
    return f"vaultcrm: unexpected error ({name}); {written}"


def write_crash_report(exc: BaseException, vault_root: Path | None = None) -> str | None:
    """Write the traceback to ``$XDG_CACHE_HOME/vaultcrm/`` (``~/.cache/vaultcrm``), else
    the temp folder; readable by the user alone, and never inside the vault (which may be
    shared). Returns the file, or None."""
    import tempfile
    import time
    import traceback

    text = "".join(traceback.format_exception(exc))
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    for folder in (Path(cache) / "vaultcrm", Path(tempfile.gettempdir())):
        try:
            if vault_root is not None and folder.resolve().is_relative_to(vault_root):
                continue
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = folder / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
                handle.write(
                    f"vaultcrm {installed_version()}, Python {sys.version.split()[0]}\n{text}"
                )
            return str(path)
        except OSError:
            continue
    return None


def installed_version() -> str:
    """vaultcrm's version as pip installed it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vaultcrm")
    except PackageNotFoundError:
        return "(not installed)"
