"""Full-text search with snippets that point at ``path:line`` (SPEC §3 ``search``)."""

from __future__ import annotations

from dataclasses import dataclass

from .index import NoteIndex, RawHit
from .notes import Note
from .people import Directory, person_from_note
from .sync import SyncResult, open_index
from .vault import Vault

SNIPPET_WIDTH = 160
_MAX_SNIPPET_LINES = 5000


@dataclass(frozen=True)
class Hit:
    """One result: what it is, where to jump to, and the line that matched."""

    path: str
    title: str
    kind: str
    score: float
    line: int
    snippet: str
    spans: tuple[tuple[int, int], ...]  # highlighted character ranges in ``snippet``
    via: str = ""  # --people: the note that mentioned this person, when not their own

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
        }


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    sync: SyncResult


def search_vault(vault: Vault, query: str, limit: int = 20, people: bool = False) -> SearchResult:
    """Sync, then search; ``people=True`` folds hits on notes into the people they mention."""
    idx, result = open_index(vault)
    try:
        raw = idx.search(query, limit=None if people else limit)
        if people:
            hits = _fold_people(vault, idx, raw, limit)
        else:
            hits = [_hit(vault, idx, r) for r in raw]
    finally:
        idx.close()
    return SearchResult(tuple(hits), result)


def _fold_people(vault: Vault, idx: NoteIndex, raw: list[RawHit], limit: int) -> list[Hit]:
    directory = Directory(person_from_note(n) for n in idx.notes("person"))
    best: dict[str, tuple[float, RawHit]] = {}
    order: list[str] = []
    for r in raw:
        owners = (
            [directory.lookup(r.note.title)]
            if r.note.kind == "person"
            else directory.linked(r.note)
        )
        for person in owners:
            if person is None:
                continue
            score, first = best.get(person.path, (0.0, r))
            if person.path not in best:
                order.append(person.path)
            best[person.path] = (score + r.score, first)
    ranked = sorted(order, key=lambda p: -best[p][0])[:limit]
    hits = []
    for path in ranked:
        score, r = best[path]
        person = next(p for p in directory.people if p.path == path)
        hit = _hit(vault, idx, r)
        hits.append(
            Hit(
                path,
                person.name,
                "person",
                score,
                hit.line if r.path == path else 1,
                hit.snippet,
                hit.spans,
                via="" if r.path == path else f"{r.path}:{hit.line}",
            )
        )
    return hits


def _hit(vault: Vault, idx: NoteIndex, raw: RawHit) -> Hit:
    line, snippet, spans = _snippet(vault, idx, raw)
    return Hit(raw.path, raw.note.title, raw.note.kind, raw.score, line, snippet, tuple(spans))


def _snippet(vault: Vault, idx: NoteIndex, raw: RawHit) -> tuple[int, str, list[tuple[int, int]]]:
    """The line with the most distinct matched words, trimmed around the first of them."""
    note: Note = raw.note
    if note.kind == "skipped":
        return 1, "", []
    try:
        text = vault.read_bytes(raw.path)[: vault.config.max_file_size].decode(
            "utf-8-sig", "replace"
        )
    except Exception:  # deleted since the sync: still a hit, without a snippet
        return 1, "", []
    best = (0, 1, "", [])
    for number, line in enumerate(text.split("\n")[:_MAX_SNIPPET_LINES], start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.strip() == "---":
            continue
        spans = idx.spans(line, raw.terms)
        distinct = len({line[a:b].lower() for a, b in spans})
        if distinct > best[0]:
            best = (distinct, number, line, spans)
    if not best[0]:
        first = next((ln for ln in text.split("\n") if ln.strip() and ln.strip() != "---"), "")
        return 1, first.strip()[:SNIPPET_WIDTH], []
    _, number, line, spans = best
    return (number, *_trim(line, spans))


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
