"""Ranked search for the common query shapes, a term at a time.

Whoosh scores document by document through a tree of matcher objects: for a word in a
third of a 10,000-note vault that is ~10,000 Python calls per matching note's terms, and
~25 ms a query (the issue asks ≤ 5 ms). Most queries are a word or a few words: an AND
of ORs of boosted terms (a word in name, aliases, tags and body, and its stems). For
those, each term's postings are read a block at a time and scored into one dict per
OR, with the same BM25F formula, statistics, boosts and tie order as Whoosh's own search
(tests/test_scoring.py compares the two on generated vaults). Any other shape (NOT,
phrases, wildcards, ranges) returns None, and Whoosh's searcher does the work. A term's
score is Whoosh's float exactly; an OR's terms are summed left to right where Whoosh
sums a binary tree, so two notes a last bit apart may swap places.

The searcher, which NoteIndex keeps until a commit, also keeps length norms and the
decoded postings of recent terms: decoding a block unpickles every posting's word
positions, which scoring never reads. A repeated common word: ~25 ms -> ~3 ms.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Sequence

Term = tuple[str, str, float]  # field, text, boost
Ranked = tuple[int, float, tuple[tuple[str, str], ...]]  # docnum, score, matched terms


def rank(searcher, query, limit: int | None) -> list[Ranked] | None:
    """The best ``limit`` (or all) documents for ``query`` with their scores and matched
    terms, best first, ties by document number; None when the query is not an AND of
    ORs of terms or the weighting is not Whoosh's default BM25F."""
    groups = _groups(query)
    weighting = searcher.weighting
    if groups is None or type(weighting).__name__ != "BM25F" or weighting._field_B:
        return None
    cache = _cache_of(searcher)
    matched: dict[tuple[str, str], Sequence[int]] = {}
    total: dict[int, float] | None = None
    for group in groups:
        scores: dict[int, float] = {}
        for field, text, boost in group:
            ids = _score_term(searcher, cache, field, text, boost, weighting, scores)
            if ids:
                matched[field, text] = ids
        total = (
            scores if total is None else {d: s + scores[d] for d, s in total.items() if d in scores}
        )
        if not total:
            return []

    return [(doc, score, _terms_of(doc, matched)) for doc, score in _best(total, limit)]


def _best(scores: dict[int, float], limit: int | None) -> list[tuple[int, float]]:
    """The top ``limit`` by score, ties by document number (as Whoosh orders them).
    The cut-off score is found on the bare floats; only documents at or above it are
    sorted (a few more than ``limit`` unless many tie)."""
    if limit and len(scores) > limit:
        cut = heapq.nlargest(limit, scores.values())[-1]
        scores = {d: s for d, s in scores.items() if s >= cut}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:limit] if limit else ranked


def _groups(query) -> list[list[Term]] | None:
    """The query as an AND of ORs of terms, or None."""
    from whoosh import query as wq

    if isinstance(query, wq.And) and query.boost == 1.0:
        groups = [_terms(sub) for sub in query.subqueries]
        return None if any(g is None for g in groups) else groups
    terms = _terms(query)
    return None if terms is None else [terms]


def _terms(query) -> list[Term] | None:
    from whoosh import query as wq

    if type(query) is wq.Term:
        return [(query.fieldname, query.text, float(query.boost))]
    if type(query) is wq.Or and query.boost == 1.0 and not query.minmatch and not query.scale:
        out: list[Term] = []
        for sub in query.subqueries:
            found = _terms(sub)
            if found is None:
                return None
            out.extend(found)
        return out
    return None


class _Cache:
    """What a searcher keeps between queries (it lives until a commit makes a newer one,
    so nothing here is ever stale): each segment's length norms per field, and the
    decoded postings of the terms last used."""

    def __init__(self) -> None:
        self.norms: dict[tuple[int, str], list[float]] = {}
        self.postings: dict[tuple[int, str, bytes], tuple] = {}  # least recently used first
        self.size = 0  # postings held


def _cache_of(searcher) -> _Cache:
    cache = getattr(searcher, "_vaultcrm_cache", None)
    if cache is None:
        cache = searcher._vaultcrm_cache = _Cache()
    return cache


def _norms(searcher, cache: _Cache, leaf, field: str, weighting) -> list[float]:
    """K1 * ((1 - B) + B * length / average length) for every document of one segment."""
    key = (id(leaf), field)
    found = cache.norms.get(key)
    if found is None:
        from whoosh.util.numeric import byte_to_length

        reader = leaf.reader()
        avgfl = searcher.avg_field_length(field) or 1
        k1, b = weighting.K1, weighting.B
        lengths = [1] * reader.doc_count_all()
        column = _length_column(reader, field)
        if column is not None:
            lengths = [byte_to_length(v) if v else 1 for v in column]
        found = cache.norms[key] = [k1 * ((1 - b) + b * fl / avgfl) for fl in lengths]
    return found


def _length_column(reader, field: str):
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    return None if column is None else list(column)


def _score_term(searcher, cache: _Cache, field, text, boost, weighting, scores) -> list[int]:
    """Add one term's scores to ``scores``; its matching documents, ascending."""
    schema = searcher.schema
    if field not in schema:
        return []
    fieldobj = schema[field]
    try:
        btext = fieldobj.to_bytes(text)
    except ValueError:
        return []
    if (field, btext) not in searcher.reader():
        return []
    scorable = fieldobj.scorable
    if scorable:
        idf, k1p = searcher.idf(field, btext), weighting.K1 + 1
    ids_out: list[int] = []
    get = scores.get
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if (field, btext) not in reader:
            continue
        ids, weights = _cached_postings(cache, leaf, field, btext)
        deleted = reader.deleted_docs_set if reader.has_deletions() else ()
        norms = _norms(searcher, cache, leaf, field, weighting) if scorable else None
        if deleted:
            kept = [(d, w) for d, w in zip(ids, weights, strict=True) if d not in deleted]
            ids, weights = [d for d, _ in kept], [w for _, w in kept]
        if scorable:
            # Whoosh's bm25(), operation for operation, so a score is the same float.
            values = [idf * ((w * k1p) / (w + norms[d])) for d, w in zip(ids, weights, strict=True)]
        else:
            values = list(weights)
        if boost != 1.0:  # as Whoosh's WrappingMatcher: the term's score, then the boost
            values = [v * boost for v in values]
        if offset:
            ids = [d + offset for d in ids]
        for doc, value in zip(ids, values, strict=True):
            scores[doc] = get(doc, 0.0) + value
        ids_out.extend(ids)
    return ids_out


_CACHED_POSTINGS = 300_000  # per searcher, ~15 MB: the postings of the terms last used


def _cached_postings(cache: _Cache, leaf, field: str, btext: bytes) -> tuple:
    """A term's decoded postings, kept for the searcher's next queries.

    Decoding is most of a common word's cost: each block of 128 postings is unpickled
    with the word positions of every posting, which scoring never reads."""
    key = (id(leaf), field, btext)
    found = cache.postings.pop(key, None)
    if found is None:
        found = _postings(leaf.reader(), field, btext)
        cache.size += len(found[0])
        while cache.postings and cache.size > _CACHED_POSTINGS:
            oldest = next(iter(cache.postings))
            cache.size -= len(cache.postings.pop(oldest)[0])
    cache.postings[key] = found  # most recently used last
    return found


def _postings(reader, field: str, btext: bytes) -> tuple[Sequence[int], Sequence[float]]:
    """All (document, weight) postings of a term in one segment, a block at a time."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.matching.mcore import ListMatcher

    matcher = reader._terms.matcher(field, btext, reader.schema[field].format)
    if type(matcher) is ListMatcher:
        ids = list(matcher._ids)
        if matcher._all_weights:
            return ids, [matcher._all_weights] * len(ids)
        return ids, list(matcher._weights) if matcher._weights is not None else [1.0] * len(ids)
    ids_out: list[int] = []
    weights_out: list[float] = []
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids_out.extend(matcher._ids)
            weights_out.extend(matcher._weights)
            matcher._next_block()
        return ids_out, weights_out
    while matcher.is_active():  # any other matcher: one posting at a time
        ids_out.append(matcher.id())
        weights_out.append(matcher.weight())
        matcher.next()
    return ids_out, weights_out


def _terms_of(doc: int, matched: dict[tuple[str, str], Sequence[int]]) -> tuple:
    out = []
    for term, ids in matched.items():
        i = bisect_left(ids, doc)
        if i < len(ids) and ids[i] == doc:
            out.append(term)
    return tuple(out)
