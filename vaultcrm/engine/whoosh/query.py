"""Reading a user's query: Whoosh's parser with vaultcrm's fields, caps and stems.

``parse`` checks what the parser would trip over or take too long on (unbalanced quotes
and brackets, a field without a value, a query past the caps) and says so in
vaultcrm's words; then each body word also matches the stems the index holds at its
position, unless the word is someone's name. ``spans`` finds, in a line of a hit's
note, the words a query matched, for the highlighted snippet.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from typing import Any

# isort: off
from . import lean  # noqa: F401 - first: Whoosh without its unused heavy imports

# isort: on
from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import FieldAliasPlugin, FieldsPlugin, MultifieldParser

from ...errors import QuerySyntaxError
from ..api import WORD, check_query_size
from .schema import _Text


def parse(schema: Schema, searcher: Callable[[], Any], text: str) -> wq.Query:
    """A user's query (fields, phrases, AND OR NOT, wildcards) as Whoosh's, each body
    word also matching its stems; ``QuerySyntaxError`` (exit 2) explains what is wrong."""
    check_query_size(text)
    _check_balance(text)
    fields = ["name", "aliases", "tags", "body"]
    # A name or alias match outweighs any number of mentions in a body (SPEC: a person
    # whose name matches ranks above a note that merely mentions the word).
    parser = MultifieldParser(fields, schema, fieldboosts={"name": 10.0, "aliases": 8.0})
    # Only words that start with a letter are field names, so '10:30' stays text.
    parser.replace_plugin(FieldsPlugin(expr=r"(?P<text>[A-Za-z_][\w]*|[*]):"))
    parser.add_plugin(FieldAliasPlugin({"tags": ["tag"], "vc_kind": ["kind"], "vc_path": ["path"]}))
    try:
        parsed = parser.parse(text).normalize()
    except Exception:  # Whoosh's parser trips over some operator soups ('NOT AND')
        raise QuerySyntaxError(
            f"cannot read the query {text!r}: check its AND, OR, NOT and brackets"
        ) from None
    query = _stemmed(schema, searcher, text, parsed)
    if query is wq.NullQuery:
        raise QuerySyntaxError(f"nothing to search for in {text!r}")
    return query


def _stemmed(schema: Schema, searcher: Callable[[], Any], text: str, query: wq.Query) -> wq.Query:
    """Each body word of the query also matches its stems, unless it is a name.

    The parser looks words up as written; here ``body:tentamens`` becomes
    ``body:tentamens OR body:tentamen OR body:tentam`` (the stems terms.py indexed).
    A word that is someone's name or alias is matched only as written: Dutch stems
    'Daan' to 'dan' (then, than), and searching a colleague's first name would
    otherwise find nearly every Dutch note.
    """
    body = schema["body"]
    stems: dict[str, set[str]] = {}
    for word in WORD.findall(text):
        plain, *more = body.variants(word) or ("",)
        if more:
            stems.setdefault(plain, set()).update(more)
    if not stems:
        return query
    try:
        with contextlib.nullcontext(searcher().reader()) as reader:
            for word in [w for w in stems if ("name", w) in reader or ("aliases", w) in reader]:
                del stems[word]
    except Exception:  # an unreadable index fails later, in search, with a clear error
        pass

    def expand(q: wq.Query) -> wq.Query:
        if isinstance(q, wq.Term) and q.fieldname == "body" and q.text in stems:
            more = [wq.Term("body", t, boost=q.boost) for t in sorted(stems[q.text])]
            return wq.Or([q, *more])
        return q

    return query.accept(expand)


def spans(schema: Schema, line: str, terms: Iterable[tuple[str, str]]) -> list[tuple[int, int]]:
    """Character spans in ``line`` of words that match the hit's terms, per field analyzer."""
    by_field: dict[str, set[str]] = {}
    for field_, term in terms:
        by_field.setdefault(field_, set()).add(term)
    spans: set[tuple[int, int]] = set()
    for field_, wanted in by_field.items():
        if field_ not in schema or field_ in ("vc_path", "vc_kind", "links"):
            continue
        ftype = schema[field_]
        if isinstance(ftype, _Text):
            for m in WORD.finditer(line):
                if wanted.intersection(ftype.variants(m[0])):
                    spans.add(m.span())
            continue
        if field_ == "tags":
            for m in re.finditer(r"#?([\w/-]+)", line):
                if m[1].lower() in wanted:
                    spans.add((m.start(), m.end()))
            continue
        for token in ftype.analyzer(line, chars=True, mode="index"):
            if token.text in wanted:
                spans.add((token.startchar, token.endchar))
    return sorted(spans)


def _check_balance(text: str) -> None:
    if text.count('"') % 2:
        raise QuerySyntaxError('a quote is not closed: phrases are written as "two words"')
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise QuerySyntaxError("a ')' has no '(' before it")
    if depth:
        raise QuerySyntaxError("a '(' is not closed")
    if not text.strip():
        raise QuerySyntaxError("the query is empty")
    bare = re.search(r"(?:^|[\s(])([A-Za-z_]\w*):(?=[\s)]|$)", re.sub(r'"[^"]*"', "", text))
    if bare:
        raise QuerySyntaxError(
            f"'{bare[1]}:' has no value: write a field with what to find, like {bare[1]}:word"
        )
