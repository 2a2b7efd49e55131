"""The Whoosh index: fields per front-matter key, tags, stemming and folding, name boosts."""

from __future__ import annotations

import pytest

from vaultcrm.engine.sync import open_index
from vaultcrm.engine.whoosh.schema import field_name, link_key
from vaultcrm.errors import QuerySyntaxError
from vaultcrm.store.vault import Vault

NL_EN = 'languages = ["nl", "en"]\n'

FILES = {
    "people/Henk de Vries.md": (
        "---\nname: Henk de Vries\naliases: [HdV]\nteam: Klantenservice\nrelation: report\n"
        "phone: 0612345678\ncountry: NO\nGift ideas: [jazz-concertkaartjes]\n"
        "tags: [mentor]\n---\n"
        "Zijn dochter Lisa heeft een tentamen. He likes the exam season less.\n"
    ),
    "people/Zoë Bakker.md": "---\nname: Zoë Bakker\nteam: Directie\n---\nFietst graag.\n",
    "people/Daan Visser.md": "---\nname: Daan Visser\nrelation: freelancer\n---\nNieuw.\n",
    "meetings/2026-11-10 overleg.md": (
        "Met [[Henk de Vries|Henk]] en [[Zoë Bakker]]. Henk, henk, henk: meer dan genoeg.\n"
        "Code `#notatag` and #release\n"
        "## Heading #nottag\n"
    ),
}


@pytest.fixture
def search(make_vault):
    """search('query') → matching paths, best first."""
    vault = Vault(make_vault(FILES, config=NL_EN))

    def run(query: str) -> list[str]:
        idx, _ = open_index(vault)
        try:
            return [hit.path for hit in idx.search(query)]
        finally:
            idx.close()

    return run


HENK, ZOE, DAAN, MEETING = (
    "people/Henk de Vries.md",
    "people/Zoë Bakker.md",
    "people/Daan Visser.md",
    "meetings/2026-11-10 overleg.md",
)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("dochters", [HENK]),  # Dutch plural finds the singular
        ("tentamens", [HENK]),
        ("exams", [HENK]),  # English too, in the same vault
        ("zoe", [ZOE, MEETING]),  # accents folded
        ("ZOË", [ZOE, MEETING]),
        ("team:klantenservice", [HENK]),
        ("team:Directie", [ZOE]),
        ("relation:freelancer", [DAAN]),
        ("phone:0612345678", [HENK]),  # stays text, not a number
        ("country:no", [HENK]),  # stays text, not False
        ("gift_ideas:jazz*", [HENK]),  # a key with a space becomes gift_ideas
        ("tag:mentor", [HENK]),
        ("tags:mentor", [HENK]),
        ("tag:release", [MEETING]),  # inline tag
        ("tag:notatag", []),  # not in code
        ("tag:nottag", []),  # not in headings
        ('"dochter lisa"', [HENK]),
        ('"lisa dochter"', []),
        ("fiets*", [ZOE]),
        ("tentamen AND lisa", [HENK]),
        ("tentamen OR fietst", [HENK, ZOE]),
        ("team:klantenservice OR team:directie", [HENK, ZOE]),
        ("henk NOT tentamen", [MEETING]),
        ("kind:person AND nieuw", [DAAN]),
        ("hdv", [HENK]),  # alias
        ("10:30", []),  # not a field
    ],
)
def test_queries(search, query: str, expected: list[str]) -> None:
    assert sorted(search(query)) == sorted(expected)


def test_a_person_whose_name_matches_ranks_above_notes_that_mention_the_word(search) -> None:
    assert search("henk") == [HENK, MEETING]


def test_a_name_is_not_matched_by_its_stem(make_vault) -> None:
    # Dutch stems 'Daan' to 'dan' ('then', 'than'): a search for the person must not
    # find every note that says 'dan'.
    vault = Vault(make_vault(FILES, config=NL_EN))
    idx, _ = open_index(vault)
    try:
        assert [h.path for h in idx.search("daan")] == [DAAN]
        assert MEETING in [h.path for h in idx.search("dan")]  # the word itself still works
    finally:
        idx.close()


def test_matched_terms_come_back_per_field(make_vault) -> None:
    vault = Vault(make_vault(FILES, config=NL_EN))
    idx, _ = open_index(vault)
    try:
        (hit,) = idx.search("dochters")
        assert set(hit.terms) >= {("body", "dochter")}
        line = "Zijn dochter Lisa heeft een tentamen."
        assert idx.spans(line, hit.terms) == [(5, 12)]
    finally:
        idx.close()


def test_stored_notes_come_back_without_their_text(make_vault) -> None:
    vault = Vault(make_vault(FILES, config=NL_EN))
    idx, _ = open_index(vault)
    try:
        people = idx.notes("person")
        assert [n.path for n in people] == [DAAN, HENK, ZOE]
        assert people[1].meta["phone"] == "0612345678"
        assert people[1].text == ""
        assert [n.path for n in idx.linking(["Zoë Bakker"])] == [MEETING]
        assert [n.path for n in idx.linking([], phrases=["dochter lisa"])] == [HENK]
    finally:
        idx.close()


@pytest.mark.parametrize(
    "query, message",
    [
        ('"unclosed phrase', 'a quote is not closed: phrases are written as "two words"'),
        ("(a OR b", "a '(' is not closed"),
        ("a) OR (b", "a ')' has no '(' before it"),
        ("   ", "the query is empty"),
    ],
)
def test_query_syntax_errors_explain_themselves(make_vault, query: str, message: str) -> None:
    vault = Vault(make_vault(FILES))
    idx, _ = open_index(vault)
    try:
        with pytest.raises(QuerySyntaxError) as caught:
            idx.search(query)
    finally:
        idx.close()
    assert caught.value.message == message
    assert caught.value.exit_code == 2


def test_field_names_for_front_matter_keys() -> None:
    assert field_name("Gift ideas") == "gift_ideas"
    assert field_name("Geboortedatum") == "geboortedatum"
    assert field_name("Ärger") == "arger"
    assert field_name("name") is None  # internal fields cannot be overwritten
    assert field_name("vc_path") is None
    assert field_name("body_nl") is None
    assert field_name("2fa") is None
    assert field_name("???") is None
    assert link_key("Zoë, Bakker") == "zoe  bakker"


def test_a_word_in_markdown_emphasis_is_found(make_vault) -> None:
    vault = Vault(make_vault({"people/Sanne.md": "Wil **leidinggeven** leren; _Lisa_ *jazz*.\n"}))
    idx, _ = open_index(vault)
    try:
        for word in ("leidinggeven", "Lisa", "jazz"):
            assert [h.path for h in idx.search(word)] == ["people/Sanne.md"], word
    finally:
        idx.close()


def test_a_plural_and_its_singular_find_each_other(make_vault) -> None:
    files = {
        "a.md": "Lisa heeft een tentamen.\n",
        "b.md": "Twee tentamens deze week.\n",
        "c.md": "Three meetings today.\n",
        "d.md": "One meeting.\n",
    }
    vault = Vault(make_vault(files, config=NL_EN))
    idx, _ = open_index(vault)
    try:
        for query, found in [
            ("tentamen", {"a.md", "b.md"}),
            ("tentamens", {"a.md", "b.md"}),
            ("meeting", {"c.md", "d.md"}),
            ("meetings", {"c.md", "d.md"}),
            ('"twee tentamens"', {"b.md"}),
            # A stem stands at its word's position, so a phrase matches other word forms.
            ('"twee tentamen"', {"b.md"}),
            ('"drie tentamens"', set()),
        ]:
            assert {h.path for h in idx.search(query)} == found, query
    finally:
        idx.close()
