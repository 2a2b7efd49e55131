"""How text becomes index terms: words, folded, and stemmed for the vault's languages.

One body field holds, at each word's position, the word as written (lower case, accents
folded) and each distinct stem of it in the vault's languages. That gives phrases,
wildcards and exact words on the plain form and stemmed matches on the stems, with a
third of the postings that one field per language made (benchmarks/: 555k → 254k on
2,000 notes), and a full build does a third of the work.

This runs for every word of every note, so it is plain Python over a compiled regex and
a per-word cache, not a chain of analyzer objects: on 2,000 notes Whoosh's token
pipeline took ~8 s of a 29 s profiled build. Stemming is Snowball's C library
(PyStemmer), which for Dutch ("dutch_porter") and English gives exactly the stems
Whoosh's pure-Python Snowball port gives (checked on every word of the benchmark vault),
at a hundredth of the cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

# isort: off
from . import lean  # noqa: F401 - first: Whoosh without its unused heavy imports

# isort: on
from whoosh.support.charset import accent_map  # the same table the query analyzer folds with

from ...store.config import SUPPORTED_LANGUAGES
from ..api import WORD

_ALGORITHM = {"nl": "dutch_porter"}  # Snowball 3's new Dutch splits 'tentamen'/'tentamens'
_CACHE_LIMIT = 500_000  # distinct spellings remembered per language set (~100 MB at most)


def fold_word(word: str) -> str:
    """A word as the index and every query hold it: lower case, accents folded."""
    return word.lower().translate(accent_map)


# pyproject.toml pins PyStemmer to this release: another may stem differently, so raising
# the pin means bumping files.SCHEMA_VERSION (tests/test_terms.py checks the two agree).
STEMMER_VERSION = "3.1.0"


class Terms:
    """Word → index terms for one set of languages, remembered per spelling."""

    def __init__(self, languages: Iterable[str]):
        import Stemmer

        self.languages = tuple(languages)
        self._stemmers: list[Callable[[str], str]] = [
            Stemmer.Stemmer(_ALGORITHM.get(lang, SUPPORTED_LANGUAGES[lang])).stemWord
            for lang in self.languages
        ]
        self._cache: dict[str, tuple[str, ...]] = {}

    def variants(self, word: str) -> tuple[str, ...]:
        """The folded word first, then its distinct stems (folded after stemming: the
        Snowball stemmers know their language's accents)."""
        found = self._cache.get(word)
        if found is None:
            lower = word.lower()
            plain = lower.translate(accent_map)
            found: tuple[str, ...] = (plain,) if plain else ()
            for stem in self._stemmers:
                term = stem(lower).translate(accent_map)
                if term and term not in found:
                    found += (term,)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = found
        return found

    def positions(self, text: str) -> dict[str, list[int]]:
        """Each term of ``text`` with the word positions it stands at."""
        out: dict[str, list[int]] = {}
        cache, variants = self._cache, self.variants
        for pos, word in enumerate(WORD.findall(text)):
            terms = cache.get(word) or variants(word)
            for term in terms:
                where = out.get(term)
                if where is None:
                    out[term] = [pos]
                else:
                    where.append(pos)
        return out


_BY_LANGUAGES: dict[tuple[str, ...], Terms] = {}


def terms_for(languages: Iterable[str]) -> Terms:
    """The shared ``Terms`` of a language set (its cache serves every note and query)."""
    key = tuple(languages)
    found = _BY_LANGUAGES.get(key)
    if found is None:
        found = _BY_LANGUAGES[key] = Terms(key)
    return found
