"""What vaultcrm's state folder still holds of a note: every file under ``.vaultcrm/``,
its raw bytes and every zlib stream in it inflated (Whoosh stores a note's fields
compressed, so a plain grep would miss them there).

Not a test module: tests/test_tidy.py and tests/test_watch.py import it (pytest puts
tests/ on sys.path), and so can any test that promises a note leaves no trace.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterable
from pathlib import Path

_ZLIB = re.compile(rb"\x78[\x01\x5e\x9c\xda]")  # zlib's header, at each compression level


def texts(data: bytes) -> list[bytes]:
    """``data`` and every zlib stream found in it, inflated."""
    found = [data]
    for m in _ZLIB.finditer(data):
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[m.start() :], 1 << 24)
        except zlib.error:
            continue
        if inflater.eof and inflated:
            found.append(inflated)
    return found


def traces(root: Path, words: Iterable[str], *, case: bool = False) -> dict[str, set[str]]:
    """Which of ``words`` each file under ``root/.vaultcrm/`` holds, raw or compressed
    (ignoring case unless ``case``), by the file's path from ``root``."""
    words = tuple(words)
    found: dict[str, set[str]] = {}
    for path in _files(root / ".vaultcrm"):
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):  # a running watcher's temp file, gone
            continue
        for text in texts(data):
            text = text if case else text.lower()
            for word in words:
                if (word if case else word.lower()).encode() in text:
                    found.setdefault(path.relative_to(root).as_posix(), set()).add(word)
    return found


def _files(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted; a folder a running watcher removes while it is
    walked is skipped (``os.walk`` ignores what it can no longer list)."""
    return sorted(Path(top, name) for top, _, names in os.walk(folder) for name in names)
