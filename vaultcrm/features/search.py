"""Full-text search with snippets that point at ``path:line`` (SPEC §3 ``search``).

Search is the owner's own: a private fact (SPEC §6) is found too, its hit marked
``private``. A search to ``share`` (the assistant server's) leaves out every hit whose
note matched the query in a private line, even when the line it would show is public:
``Henk AND rugklachten`` must not tell that Henk's private section says so.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from ..engine.api import Engine, RawHit, SyncResult, check_query_size
from ..engine.reading import reading
from ..model.notes import Note, note_text, without_comments
from ..model.privacy import (
    for_others,
    is_private_text,
    private_keys,
    private_lines,
    strip_private,
)
from ..store.vault import Vault

SNIPPET_WIDTH = 160
_MAX_SNIPPET_LINES = 5000
_MAX_LINE_CHARS = 4000  # of one line, analysed for the snippet: a 5 MB one-line note took ~10 s
_TEXT_FIELDS = {"name", "aliases", "tags", "links", "body"}
_KEY = re.compile(r"^([^\s#:\-][^:]*):")


@dataclass(frozen=True)
class Hit:
    """One result: what it is, where to jump to, and the line that matched."""

    path: str
    title: str
    kind: str
    score: float
    line: int | None  # None for a --people hit whose snippet comes from another note (``via``)
    snippet: str
    spans: tuple[tuple[int, int], ...]  # highlighted character ranges in ``snippet``
    via: str = ""  # --people: 'path:line' of the note that mentioned this person
    private: bool = False  # the line is a private fact (SPEC §6): search is the owner's own
    private_match: bool = False  # a private line of the note matched too (or this one did)

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "path": self.path,
            "line": self.line,
            "kind": self.kind,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "highlights": [list(s) for s in self.spans],
            "via": self.via or None,
            "private": self.private,
        }


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    sync: SyncResult


def search_vault(
    vault: Vault,
    query: str,
    limit: int = 20,
    people: bool = False,
    engine: Engine | None = None,
    share: bool = False,
) -> SearchResult:
    """Sync, then search; ``people=True`` folds hits on notes into the people they mention.
    ``share``: without the hits that matched a private fact (see the module docstring),
    still up to ``limit`` of them.

    A query past the size caps is refused before the vault is even synced."""
    check_query_size(query)

    with reading(vault, engine) as index:
        raw = index.search(query, limit=None if people or share else limit)
        if people:
            hits = _fold_people(vault, index, raw, limit, share)
        else:
            found = (
                h
                for h in (_hit(vault, index, r, share) for r in raw)
                if not (share and h.private_match)
            )
            hits = _first(found, limit)
        return SearchResult(
            tuple(for_others(h) for h in hits) if share else tuple(hits), index.result
        )


def _fold_people(
    vault: Vault,
    index: Engine,
    raw: list[RawHit],
    limit: int,
    share: bool = False,
) -> list[Hit]:
    """Each hit counts for the people it is about: a person's own note for that person, any
    other note for everyone it links to. A person's score is the sum of their hits.

    Snippets are made only for the people shown (reading a file per hit made
    ``--people jazz`` take seconds on a large vault); a person's own matching note gives
    the snippet, else their best mentioning note does.
    """
    directory = index.directory
    by_path = {p.path: p for p in directory.people}
    score: dict[str, float] = {}
    best: dict[str, RawHit] = {}  # person path → the hit that represents them
    for r in raw:
        owners = [by_path[r.path]] if r.path in by_path else directory.linked(r.note)
        for person in owners:
            score[person.path] = score.get(person.path, 0.0) + r.score
            shown = best.get(person.path)
            if shown is None or (r.path == person.path and shown.path != person.path):
                best[person.path] = r
    ranked = sorted(score, key=lambda path: -score[path])
    snippets: dict[str, Hit] = {}

    def folded() -> Iterator[Hit]:
        for path in ranked:
            r = best[path]
            hit = snippets.get(r.path) or snippets.setdefault(r.path, _hit(vault, index, r, share))
            if not (share and hit.private_match):
                yield _as_person(hit, r, path, by_path[path].name, score[path])

    return _first(folded(), limit)


def _first(hits: Iterator[Hit], limit: int) -> list[Hit]:
    """The first ``limit`` hits, reading no note past them (each hit reads its note);
    a limit past any count is no limit."""
    return list(islice(hits, min(limit, sys.maxsize)))


def _as_person(hit: Hit, raw: RawHit, path: str, name: str, score: float) -> Hit:
    """A note's hit as a hit on the person at ``path`` it counts for."""
    own = raw.path == path
    return Hit(
        path,
        name,
        "person",
        score,
        hit.line if own else None,
        hit.snippet,
        hit.spans,
        via="" if own else f"{raw.path}:{hit.line}",
        private=hit.private,
        private_match=hit.private_match,
    )


def _hit(vault: Vault, index: Engine, raw: RawHit, share: bool = False) -> Hit:
    line, snippet, spans, private, private_match = _snippet(vault, index, raw, share)
    return Hit(
        raw.path,
        raw.note.title,
        raw.note.kind,
        raw.score,
        line,
        snippet,
        tuple(spans),
        "",
        private,
        private_match,
    )


def _snippet(
    vault: Vault, index: Engine, raw: RawHit, share: bool = False
) -> tuple[int, str, list[tuple[int, int]], bool, bool]:
    """The line with the most distinct matched words (a public one, to ``share``),
    trimmed around the first of them; whether it shows a private fact (a private line,
    ``privacy.private_lines``, or an inline ``%% comment``); and whether the note
    matched through a private line: a word matched there and in no public line."""
    note: Note = raw.note
    if note.kind == "skipped":
        return 1, "", [], False, False
    try:
        full = note_text(vault.read_bytes(raw.path)[: vault.config.max_file_size])
    except Exception:  # deleted since the sync: still a hit, without a snippet
        return 1, "", [], False, False
    keys = private_keys(note.meta.get("private"), vault.config.private_keys)
    hidden = private_lines(full, note.body_line, keys)
    # As indexed: a comment is never the matching line (the note knows where its
    # front-matter ends, so no YAML reader is loaded to make a snippet).
    text = without_comments(full, note.body_line)
    line, snippet, spans, said = _best_line(index, raw, text, hidden, share)
    private = is_private_text(snippet) or line in hidden
    return line, snippet, spans, private, private or bool(said.private - said.public)


@dataclass
class _Said:
    """The words a note matched in public, and in private (a private line, a comment)."""

    public: set[str]
    private: set[str]


def _best_line(
    index: Engine, raw: RawHit, text: str, hidden: set[int], share: bool
) -> tuple[int, str, list[tuple[int, int]], _Said]:
    """The best line of ``text`` (see ``_snippet``) and the words matched where. To
    ``share``, only a public line can be best, shown without its ``%% comments``."""
    best = (0, 1, "", [])
    said = _Said(set(), set())
    keys = {f for f, _ in raw.terms if f not in _TEXT_FIELDS and not f.startswith("body_")}
    for number, line in enumerate(text.split("\n")[:_MAX_SNIPPET_LINES], start=1):
        line = line.rstrip("\r")[:_MAX_LINE_CHARS]
        if not line.strip() or line.strip() == "---":
            continue
        spans = index.spans(line, raw.terms)
        if not spans:
            continue
        words = {line[a:b].lower() for a, b in spans}
        if number in hidden:
            said.private |= words
            if share:
                continue
        elif "%%" in line:  # an inline comment: private, the rest of the line is not
            said.private |= words
            public = strip_private(line)
            public_spans = index.spans(public, raw.terms) if public else []
            said.public |= {public[a:b].lower() for a, b in public_spans}
            if share:
                line, spans = public, public_spans
                if not spans:
                    continue
        else:
            said.public |= words
        # The line of the matched key wins a tie: 'team:hr' points at 'team: HR', not 'role: HR'.
        key = _KEY.match(line)
        on_key = bool(keys and key and index.field_of(key[1]) in keys)
        rank = 2 * len({line[a:b].lower() for a, b in spans}) + on_key
        if rank > best[0]:
            best = (rank, number, line, spans)
    if not best[0]:
        lines = enumerate(text.split("\n"), start=1)
        first = next(
            (
                ln
                for n, ln in lines
                if ln.strip() not in ("", "---") and not (share and n in hidden)
            ),
            "",
        )
        first = strip_private(first) if share else first
        return 1, first.strip()[:SNIPPET_WIDTH], [], said
    _, number, line, spans = best
    return (number, *_trim(line, spans), said)


def _trim(line: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    lead = len(line) - len(line.lstrip())
    line, spans = line.strip(), [(a - lead, b - lead) for a, b in spans]
    if len(line) <= SNIPPET_WIDTH:
        return line, spans
    start = max(0, min(spans[0][0] - 40, len(line) - SNIPPET_WIDTH))
    end = start + SNIPPET_WIDTH
    prefix = "…" if start else ""
    suffix = "…" if end < len(line) else ""
    shift = len(prefix) - start
    kept = [(a + shift, b + shift) for a, b in spans if a >= start and b <= end]
    return prefix + line[start:end] + suffix, kept
