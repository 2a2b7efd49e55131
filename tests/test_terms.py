"""terms.py: the words and stems the index holds, the same at index and query time."""

from __future__ import annotations

from importlib.metadata import version

from hypothesis import given
from hypothesis import strategies as st

from vaultcrm.engine.whoosh.schema import _folding
from vaultcrm.engine.whoosh.terms import STEMMER_VERSION, WORD, Terms, fold_word, terms_for

NL_EN = Terms(["nl", "en"])


def test_the_installed_stemmer_is_the_one_the_schema_was_made_for() -> None:
    # A new PyStemmer may stem differently: raise the pin and SCHEMA_VERSION together.
    assert version("PyStemmer") == STEMMER_VERSION


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_words_fold_as_the_query_analyzer_folds_them(text: str) -> None:
    assert [fold_word(w) for w in WORD.findall(text)] == [t.text for t in _folding()(text)]


def test_markdown_emphasis_is_not_part_of_a_word() -> None:
    assert WORD.findall("**Lisa** had her *maths* _exam_, v1.2 gift_ideas") == [
        "Lisa",
        "had",
        "her",
        "maths",
        "exam",
        "v1.2",
        "gift_ideas",
    ]


def test_a_word_gives_its_plain_form_first_then_each_distinct_stem() -> None:
    # Dutch (Snowball's Porter-style 'dutch_porter') and English (Porter2), in that order.
    assert NL_EN.variants("Tentamens") == ("tentamens", "tentamen")
    assert NL_EN.variants("tentamen") == ("tentamen", "tentam")
    assert NL_EN.variants("meetings") == ("meetings", "meeting", "meet")
    assert NL_EN.variants("jazz") == ("jazz",)
    assert Terms(["en"]).variants("meetings") == ("meetings", "meet")


def test_accents_are_folded_after_stemming() -> None:
    assert NL_EN.variants("Zoë") == ("zoe",)
    assert NL_EN.variants("ZOË") == ("zoe",)


def test_stems_stand_at_their_word_s_position() -> None:
    # One field holds both: 'tentamen' is a word at 1 and the stem of 'tentamens' at 2,
    # so a search for either form finds both notes.
    assert NL_EN.positions("Lisa: tentamen, tentamens.") == {
        "lisa": [0],
        "tentamen": [1, 2],
        "tentam": [1],
        "tentamens": [2],
    }


def test_without_languages_only_plain_words_are_indexed() -> None:
    assert terms_for(()).positions("Meetings about meetings") == {
        "meetings": [0, 2],
        "about": [1],
    }


def test_one_terms_object_serves_a_language_set() -> None:
    assert terms_for(["nl", "en"]) is terms_for(("nl", "en"))
    assert terms_for(["en"]) is not terms_for(["nl", "en"])
