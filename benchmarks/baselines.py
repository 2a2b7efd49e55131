"""The floors and the alternatives each vaultcrm figure is measured against.

Each baseline does the least a tool must do for the same job, in plain Python or stdlib:

- ``read_floor``: read every note once (the walk plus the bytes), the floor of any index build;
- ``fts5_build``: SQLite FTS5 (stdlib ``sqlite3``) indexing the same text, accent-folded;
- ``bare_walk``: ``os.scandir`` recursion with a ``stat`` per file, the floor of a no-op sync;
- ``scan``: a pure-Python case-insensitive grep, listing files that contain a word
  (what ``rg -il`` does, for machines without ripgrep).

Run as a child process so the runner can time it whole and read its peak memory::

    python -m benchmarks.baselines read-floor VAULT
    python -m benchmarks.baselines fts5 VAULT DB
    python -m benchmarks.baselines scan VAULT WORD
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path


def note_paths(root: Path) -> list[str]:
    """Every ``*.md`` below ``root``, skipping hidden folders (as vaultcrm does)."""
    found: list[str] = []
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.name.endswith(".md"):
                    found.append(entry.path)
    return found


def bare_walk(root: Path) -> int:
    """``os.scandir`` recursion and one ``stat`` per file: what any change check must do."""
    count = 0
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if not entry.name.startswith("."):
                        stack.append(entry.path)
                else:
                    entry.stat(follow_symlinks=False)
                    count += 1
    return count


def read_floor(root: Path) -> int:
    """Read every note once: the I/O any full index build pays. Returns the bytes read."""
    total = 0
    for path in note_paths(root):
        with open(path, "rb") as handle:
            total += len(handle.read())
    return total


def fts5_build(root: Path, db: Path) -> int:
    """Index every note's text with SQLite FTS5 (unicode61, diacritics removed), in one
    transaction, into a fresh database file. Returns the number of rows."""
    if db.exists():
        db.unlink()
    con = sqlite3.connect(db)
    try:
        con.execute(
            "CREATE VIRTUAL TABLE notes USING fts5("
            "path UNINDEXED, body, tokenize='unicode61 remove_diacritics 2')"
        )
        rows = 0
        with con:
            for path in note_paths(root):
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8", "replace")
                con.execute("INSERT INTO notes (path, body) VALUES (?, ?)", (path, text))
                rows += 1
    finally:
        con.close()
    return rows


def fts5_query(db: Path, word: str, limit: int = 10) -> list[str]:
    """A ranked FTS5 query, for comparison with a warm vaultcrm query."""
    con = sqlite3.connect(db)
    try:
        quoted = '"' + word.replace('"', '""') + '"'
        rows = con.execute(
            "SELECT path FROM notes WHERE notes MATCH ? ORDER BY rank LIMIT ?", (quoted, limit)
        )
        return [r[0] for r in rows]
    finally:
        con.close()


def scan(root: Path, word: str) -> list[str]:
    """Files whose text contains ``word``, case-insensitively: ``rg -il`` in pure Python."""
    needle = word.lower().encode("utf-8")
    hits = []
    for path in note_paths(root):
        with open(path, "rb") as handle:
            if needle in handle.read().lower():
                hits.append(path)
    return hits


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    what, root = argv[0], Path(argv[1])
    if what == "read-floor":
        read_floor(root)
    elif what == "walk":
        bare_walk(root)
    elif what == "fts5" and len(argv) == 3:
        fts5_build(root, Path(argv[2]))
    elif what == "scan" and len(argv) == 3:
        for path in scan(root, argv[2]):
            print(path)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
