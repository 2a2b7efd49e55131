"""Every write vaultcrm makes into a vault goes through here.

Writes are atomic (a temp file in the same folder, fsync, then rename or link), never
replace a file that exists unless told to, and keep the original's permissions.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import RefusedWriteError


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _temp_with(folder: Path, data: bytes, mode: int | None) -> str:
    fd, tmp = tempfile.mkstemp(prefix=".vaultcrm-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def write_new(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    """Create ``path`` atomically; refuse if anything is already there (even a race winner)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        raise RefusedWriteError("already exists; not overwriting it", path)
    tmp = _temp_with(path.parent, data, mode & ~_umask())
    try:
        os.link(tmp, path)  # fails with FileExistsError instead of replacing
    except FileExistsError:
        raise RefusedWriteError("already exists; not overwriting it", path) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _fsync_dir(path.parent)


def replace_file(path: Path, data: bytes | str) -> None:
    """Replace ``path`` atomically with ``data``, keeping its permissions."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644 & ~_umask()
    tmp = _temp_with(path.parent, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
