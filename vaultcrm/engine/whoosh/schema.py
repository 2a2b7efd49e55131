"""The index's fields: how a note becomes Whoosh fields, and how a query's words match.

One body field holds each word as written and, at its position, its stems (see
terms.py); every front-matter key is a field of its own (``team:hr``); name and aliases
are boosted so a person whose name matches ranks above notes that mention the word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# isort: off
from . import lean  # noqa: F401 - first: Whoosh without its unused heavy imports

# isort: on
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Positions
from whoosh.support.charset import accent_map

from ...model.notes import fold
from ..api import WORD
from .terms import terms_for

_INTERNAL = {
    "vc_path",
    "vc_kind",
    "vc_stamp",
    "vc_note",
    "name",
    "aliases",
    "tags",
    "links",
    "body",
    "self",  # Whoosh takes fields as **kwargs of writer methods whose first parameter is self
}
_FIELD_NAME = re.compile(r"[^a-z0-9_]+")


def _folding() -> object:
    """The analyzer of every text field at query time (and for highlighting): words as
    ``terms.WORD`` finds them, lower case, accents folded, exactly as ``terms`` indexes them."""
    return RegexTokenizer(WORD.pattern) | LowercaseFilter() | CharsetFilter(accent_map)


class _Text(TEXT):
    """A TEXT field that indexes through ``terms.Terms`` rather than its analyzer.

    Whoosh builds a Token object per word and passes it through each filter; on a full
    build that was a third of the time. The terms are the same as the analyzer's, plus,
    with ``stems``, each word's stems at the word's own position (see terms.py).
    """

    def __init__(self, stems: Iterable[str] = (), **kwargs):
        super().__init__(analyzer=_folding(), phrase=True, **kwargs)
        self.stems = tuple(stems)

    def index(self, value: str, **kwargs) -> list[tuple[bytes, int, float, bytes]]:
        boost, encode = self.format.field_boost, _encode_positions
        return [
            (term.encode("utf-8"), (n := len(where)), n * boost, encode(where))
            for term, where in terms_for(self.stems).positions(value).items()
        ]

    def variants(self, word: str) -> tuple[str, ...]:
        """What a word as written in a query matches in this field."""
        return terms_for(self.stems).variants(word)


_ONE_POSITION: dict[int, bytes] = {}


def _encode_positions(where: list[int]) -> bytes:
    """Whoosh's ``Positions.encode``: a count, then the pickled position deltas. Most
    postings are one word once, whose few thousand encodings are kept."""
    if len(where) == 1:
        found = _ONE_POSITION.get(where[0])
        if found is None:
            found = _positions_format.encode(where)
            if where[0] < 100_000:
                _ONE_POSITION[where[0]] = found
        return found
    return _positions_format.encode(where)


_positions_format = Positions()


def make_schema(languages: Iterable[str]) -> Schema:
    """One body field with the plain words and their stems (see terms.py); a field per
    front-matter key (``*``); name and aliases boosted."""
    schema = Schema(
        vc_path=ID(stored=True, unique=True),
        vc_kind=ID(stored=True),
        vc_stamp=STORED(),
        vc_note=STORED(),
        name=_Text(field_boost=4.0),
        aliases=_Text(field_boost=3.0),
        tags=KEYWORD(lowercase=True, commas=True, scorable=True, field_boost=1.5),
        links=KEYWORD(commas=True),
        body=_Text(stems=languages),
    )
    schema.add("*", _Text(), glob=True)
    return schema


def field_name(key: str) -> str | None:
    """The index field for a front-matter key: ``Gift ideas`` → ``gift_ideas``."""
    name = _FIELD_NAME.sub("_", fold(key)).strip("_")
    if not name or name in _INTERNAL or name.startswith(("vc_", "body_")) or name[0].isdigit():
        return None
    return name


def link_key(name: str) -> str:
    """How a link target or name is stored in the ``links`` field: folded, no commas."""
    return fold(name).replace(",", " ")
