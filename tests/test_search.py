"""search_vault: ranked hits with title, path:line of the best line, snippet and highlights."""

from __future__ import annotations

import pytest

from vaultcrm.errors import QuerySyntaxError
from vaultcrm.features.search import SNIPPET_WIDTH, search_vault
from vaultcrm.store.vault import Vault

NL_EN = 'languages = ["nl", "en"]\n'
HENK = "people/Henk de Vries.md"
DOMINIQUE = "people/Dominique Jansen.md"
ZOE = "people/Zoë Bakker.md"
MEETING = "meetings/2026-11-18 Teamoverleg.md"
DAILY = "daily/2026-11-20.md"

FILES = {
    HENK: (
        "---\nname: Henk de Vries\nteam: Klantenservice\ntags: [mentor]\n---\n"
        "# Henk de Vries\n\nFietst graag. Gaat naar jazz in TivoliVredenburg.\n"
        "Dochter Lisa heeft een wiskunde-tentamen.\n"
    ),
    DOMINIQUE: (
        "---\nname: Dominique Jansen\nrole: Hoofd Klantenservice\nteam: Klantenservice\n---\n"
        "Wil cijfers over de wachttijd.\n"
    ),
    ZOE: "---\nname: Zoë Bakker\nteam: Directie\n---\nLeest graag.\n",
    MEETING: (
        "---\ndate: 2026-11-18\n---\n"
        "Aanwezig: [[Henk de Vries]], [[Dominique Jansen]]\n"
        "Nieuwe wachttijd-cijfers besproken.\n"
        "Zoë vraagt naar de planning; [[Zoë Bakker]] wil de roadmap zien.\n"
    ),
    DAILY: "Koffie met [[Henk de Vries|Henk]] over jazz en de roadmap.\n",
}


@pytest.fixture
def vault(make_vault) -> Vault:
    return Vault(make_vault(FILES, config=NL_EN))


def summary(result) -> list[tuple]:
    return [(h.title, h.path, h.line, h.snippet, h.via) for h in result.hits]


def test_a_hit_has_title_path_line_snippet_and_highlights(vault: Vault) -> None:
    result = search_vault(vault, "tentamens")
    (hit,) = result.hits
    assert (hit.title, hit.kind, hit.path, hit.line) == ("Henk de Vries", "person", HENK, 9)
    assert hit.snippet == "Dochter Lisa heeft een wiskunde-tentamen."
    assert [hit.snippet[a:b] for a, b in hit.spans] == ["tentamen"]
    assert hit.to_dict() == {
        "title": "Henk de Vries",
        "path": HENK,
        "line": 9,
        "kind": "person",
        "score": round(hit.score, 4),
        "snippet": "Dochter Lisa heeft een wiskunde-tentamen.",
        "highlights": [[32, 40]],
        "via": None,
        "private": False,
    }


def test_hits_come_best_first_with_the_named_person_on_top(vault: Vault) -> None:
    assert summary(search_vault(vault, "henk"))[0][:3] == ("Henk de Vries", HENK, 2)
    assert sorted(h.path for h in search_vault(vault, "jazz").hits) == [DAILY, HENK]


def test_the_snippet_is_the_line_with_most_matched_words(vault: Vault) -> None:
    (hit,) = search_vault(vault, "wachttijd AND besproken").hits
    assert (hit.path, hit.line, hit.snippet) == (
        MEETING,
        5,
        "Nieuwe wachttijd-cijfers besproken.",
    )


def test_a_field_query_points_at_the_line_of_that_key(vault: Vault) -> None:
    hits = {h.path: h for h in search_vault(vault, "team:klantenservice").hits}
    assert set(hits) == {HENK, DOMINIQUE}
    assert (hits[DOMINIQUE].line, hits[DOMINIQUE].snippet) == (4, "team: Klantenservice")


def test_a_long_line_is_trimmed_around_the_match(make_vault) -> None:
    words = " ".join(f"woord{i}" for i in range(80))
    vault = Vault(make_vault({"notes/long.md": f"{words} kumquat {words}\n"}))
    (hit,) = search_vault(vault, "kumquat").hits
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) == SNIPPET_WIDTH + 2
    assert [hit.snippet[a:b] for a, b in hit.spans] == ["kumquat"]


def test_line_numbers_hold_for_bom_and_crlf_notes(make_vault) -> None:
    raw = "\ufeff---\r\nname: X\r\n---\r\nfirst\r\nsecond kumquat\r\n".encode()
    vault = Vault(make_vault({"notes/crlf.md": raw}))
    (hit,) = search_vault(vault, "kumquat").hits
    assert (hit.line, hit.snippet) == (5, "second kumquat")


def test_search_syncs_first_so_a_new_note_is_found(vault: Vault) -> None:
    search_vault(vault, "jazz")
    (vault.root / "notes").mkdir()
    (vault.root / "notes/new.md").write_text("kumquat\n", encoding="utf-8")
    result = search_vault(vault, "kumquat")
    assert [h.path for h in result.hits] == ["notes/new.md"]
    assert str(result.sync) == "+1 ~0 -0"


def test_no_hits_is_an_empty_result(vault: Vault) -> None:
    assert search_vault(vault, "kumquat").hits == ()


def test_limit(vault: Vault) -> None:
    assert len(search_vault(vault, "henk", limit=1).hits) == 1


def test_a_bad_query_raises_a_usage_error(vault: Vault) -> None:
    with pytest.raises(QuerySyntaxError):
        search_vault(vault, '"open')


# ---------------------------------------------------------------- --people


def test_people_mode_folds_a_mention_into_everyone_the_note_links(vault: Vault) -> None:
    plain = {h.path: h for h in search_vault(vault, "roadmap").hits}
    result = search_vault(vault, "roadmap", people=True)
    # Henk is linked from both matching notes, so his score is their sum and he comes first
    assert [h.title for h in result.hits] == ["Henk de Vries", "Dominique Jansen", "Zoë Bakker"]
    henk = result.hits[0]
    assert henk.score == pytest.approx(plain[MEETING].score + plain[DAILY].score)
    best = max((plain[MEETING], plain[DAILY]), key=lambda h: h.score)
    assert (henk.path, henk.line, henk.snippet, henk.via) == (
        HENK,
        None,
        best.snippet,
        f"{best.path}:{best.line}",
    )
    assert summary(result)[2] == (
        "Zoë Bakker",
        ZOE,
        None,
        "Zoë vraagt naar de planning; [[Zoë Bakker]] wil de roadmap zien.",
        f"{MEETING}:6",
    )


def test_a_line_naming_nobody_counts_for_everyone_the_note_links(vault: Vault) -> None:
    result = search_vault(vault, "besproken", people=True)
    assert sorted(h.title for h in result.hits) == [
        "Dominique Jansen",
        "Henk de Vries",
        "Zoë Bakker",
    ]
    assert {h.via for h in result.hits} == {f"{MEETING}:5"}


def test_people_mode_prefers_the_persons_own_note_as_snippet(vault: Vault) -> None:
    result = search_vault(vault, "jazz", people=True)
    assert summary(result) == [
        ("Henk de Vries", HENK, 8, "Fietst graag. Gaat naar jazz in TivoliVredenburg.", "")
    ]
    # the mention in the daily note still adds to Henk's score
    plain = {h.path: h.score for h in search_vault(vault, "jazz").hits}
    assert result.hits[0].score == pytest.approx(plain[HENK] + plain[DAILY])


def test_people_mode_only_lists_people(vault: Vault) -> None:
    assert {h.kind for h in search_vault(vault, "graag OR wachttijd", people=True).hits} == {
        "person"
    }
