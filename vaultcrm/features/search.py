"""Full-text search with snippets that point at ``path:line`` (SPEC §3 ``search``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..engine.api import Engine, RawHit, SyncResult, check_query_size
from ..engine.reading import reading
from ..model.notes import Note, note_text, without_comments
from ..model.privacy import is_private_text, private_keys, private_lines
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
) -> SearchResult:
    """Sync, then search; ``people=True`` folds hits on notes into the people they mention.

    A query past the size caps is refused before the vault is even synced."""
    check_query_size(query)
    with reading(vault, engine) as index:
        raw = index.search(query, limit=None if people else limit)
        if people:
            hits = _fold_people(vault, index, raw, limit)
        else:
            hits = [_hit(vault, index, r) for r in raw]
        return SearchResult(tuple(hits), index.result)


def _fold_people(vault: Vault, index: Engine, raw: list[RawHit], limit: int) -> list[Hit]:
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
    ranked = sorted(score, key=lambda path: -score[path])[:limit]
    snippets: dict[str, Hit] = {}
    hits = []
    for path in ranked:
        r = best[path]
        hit = snippets.get(r.path) or snippets.setdefault(r.path, _hit(vault, index, r))
        own = r.path == path
        hits.append(
            Hit(
                path,
                by_path[path].name,
                "person",
                score[path],
                hit.line if own else None,
                hit.snippet,
                hit.spans,
                via="" if own else f"{r.path}:{hit.line}",
                private=hit.private,
            )
        )
    return hits


def _hit(vault: Vault, index: Engine, raw: RawHit) -> Hit:
    line, snippet, spans, private = _snippet(vault, index, raw)
    return Hit(
        raw.path, raw.note.title, raw.note.kind, raw.score, line, snippet, tuple(spans), "", private
    )


def _snippet(
    vault: Vault, index: Engine, raw: RawHit
) -> tuple[int, str, list[tuple[int, int]], bool]:
    """The line with the most distinct matched words, trimmed around the first of them,
    and whether it shows a private fact: a private line (``privacy.private_lines``) or
    an inline ``%% comment``."""
    line, snippet, spans, text = _best_line(vault, index, raw)
    if not text or not line:
        return line, snippet, spans, False
    if is_private_text(snippet):
        return line, snippet, spans, True
    note = raw.note
    keys = private_keys(note.meta.get("private"), vault.config.private_keys)
    return line, snippet, spans, line in private_lines(text, note.body_line, keys)


def _best_line(
    vault: Vault, index: Engine, raw: RawHit
) -> tuple[int, str, list[tuple[int, int]], str]:
    note: Note = raw.note
    if note.kind == "skipped":
        return 1, "", [], ""
    try:
        text = note_text(vault.read_bytes(raw.path)[: vault.config.max_file_size])
    except Exception:  # deleted since the sync: still a hit, without a snippet
        return 1, "", [], ""
    # As indexed: a comment is never the matching line (the note knows where its
    # front-matter ends, so no YAML reader is loaded to make a snippet).
    full, text = text, without_comments(text, note.body_line)
    best = (0, 1, "", [])
    keys = {f for f, _ in raw.terms if f not in _TEXT_FIELDS and not f.startswith("body_")}
    for number, line in enumerate(text.split("\n")[:_MAX_SNIPPET_LINES], start=1):
        line = line.rstrip("\r")[:_MAX_LINE_CHARS]
        if not line.strip() or line.strip() == "---":
            continue
        spans = index.spans(line, raw.terms)
        if not spans:
            continue
        # The line of the matched key wins a tie: 'team:hr' points at 'team: HR', not 'role: HR'.
        key = _KEY.match(line)
        on_key = bool(keys and key and index.field_of(key[1]) in keys)
        rank = 2 * len({line[a:b].lower() for a, b in spans}) + on_key
        if rank > best[0]:
            best = (rank, number, line, spans)
    if not best[0]:
        first = next((ln for ln in text.split("\n") if ln.strip() and ln.strip() != "---"), "")
        return 1, first.strip()[:SNIPPET_WIDTH], [], ""
    _, number, line, spans = best
    return (number, *_trim(line, spans), full)


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
