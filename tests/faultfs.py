"""A read-only file system, simulated in-process for the fault suites.

The tests run as root, for whom ``chmod`` makes nothing read-only, and a real read-only
mount needs privileges a test does not have. So every call that would change a file or
folder below a root raises ``OSError(EROFS)``, as the kernel does on a read-only mount;
reads pass. Not a test module: the fault tests import it.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
from pathlib import Path

import pytest

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def make_read_only(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """From now on, nothing below ``root`` can be created, changed, renamed or removed."""
    top = os.path.realpath(root)

    def below(path) -> bool:
        if isinstance(path, int):
            return False
        try:
            full = os.path.realpath(os.fspath(path))
        except TypeError:
            return False
        return full == top or full.startswith(top + os.sep)

    def refuse(path) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))

    def guard(real, *positions: int, flags_at: int | None = None, mode_at: int | None = None):
        def wrapped(*args, **kwargs):
            if flags_at is not None:
                flags = args[flags_at] if len(args) > flags_at else kwargs.get("flags", 0)
                if not flags & _WRITE_FLAGS:
                    return real(*args, **kwargs)
            if mode_at is not None:
                mode = args[mode_at] if len(args) > mode_at else kwargs.get("mode", "r")
                if not set(str(mode)) & set("wax+"):
                    return real(*args, **kwargs)
            for at in positions:
                if len(args) > at and "dir_fd" not in kwargs and below(args[at]):
                    refuse(args[at])
            return real(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(os, "open", guard(os.open, 0, flags_at=1))
    for name in ("mkdir", "unlink", "remove", "rmdir", "chmod", "utime"):
        monkeypatch.setattr(os, name, guard(getattr(os, name), 0))
    for name in ("replace", "rename", "link", "symlink"):
        monkeypatch.setattr(os, name, guard(getattr(os, name), 0, 1))
    opener = guard(io.open, 0, mode_at=1)
    monkeypatch.setattr(builtins, "open", opener)
    monkeypatch.setattr(io, "open", opener)
