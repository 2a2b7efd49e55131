"""`vaultcrm search`: exact output, colour, JSON, --people, exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from vaultcrm.cli import cli

NL_EN = 'languages = ["nl", "en"]\n'
FILES = {
    "people/Henk de Vries.md": (
        "---\nname: Henk de Vries\naliases: [Henk]\nteam: Klantenservice\nrelation: report\n"
        "tags: [mentor]\n---\nGaat graag naar jazz.\nZijn dochter Lisa heeft een tentamen.\n"
    ),
    "people/Zoë Bakker.md": (
        "---\nname: Zoë Bakker\nteam: Directie\nrelation: freelancer\n---\nLeest graag.\n"
    ),
    "meetings/2026-11-18 koffie.md": "Met [[Henk]] over jazz en de exams van Lisa.\n",
}


@pytest.fixture
def vault(make_vault):
    return make_vault(FILES, config=NL_EN)


def test_hits_show_title_path_line_and_snippet(run, vault) -> None:
    result = run(vault, "search", "jazz")
    assert result.exit_code == 0
    assert result.stdout == (
        "2026-11-18 koffie  meetings/2026-11-18 koffie.md:1\n"
        "    Met [[Henk]] over jazz en de exams van Lisa.\n"
        "Henk de Vries  people/Henk de Vries.md:8\n"
        "    Gaat graag naar jazz.\n"
    )
    assert result.stderr == "No index yet: building it from the vault.\n"


def test_the_second_search_is_quiet_on_stderr(run, vault) -> None:
    run(vault, "search", "jazz")
    assert run(vault, "search", "jazz").stderr == ""


@pytest.mark.parametrize(
    "query, first",
    [
        ("dochters", "Henk de Vries  people/Henk de Vries.md:9"),
        ("tentamens", "Henk de Vries  people/Henk de Vries.md:9"),
        ("exam", "2026-11-18 koffie  meetings/2026-11-18 koffie.md:1"),
        ("zoe", "Zoë Bakker  people/Zoë Bakker.md:2"),
        ("team:klantenservice", "Henk de Vries  people/Henk de Vries.md:4"),
        ("tag:mentor", "Henk de Vries  people/Henk de Vries.md:6"),
        ("relation:freelancer", "Zoë Bakker  people/Zoë Bakker.md:4"),
        ('"dochter lisa"', "Henk de Vries  people/Henk de Vries.md:9"),
        ("jaz* AND NOT exams", "Henk de Vries  people/Henk de Vries.md:8"),
        ("leest OR tentamen", None),
    ],
)
def test_query_syntax(run, vault, query: str, first: str | None) -> None:
    result = run(vault, "search", *query.split(" "))
    assert result.exit_code == 0
    if first:
        assert result.stdout.splitlines()[0] == first
    else:
        assert len(result.stdout.splitlines()) == 4


def test_words_are_joined_into_one_query(run, vault) -> None:
    assert run(vault, "search", "henk", "AND", "lisa").stdout.splitlines()[::2] == [
        "Henk de Vries  people/Henk de Vries.md:2",
        "2026-11-18 koffie  meetings/2026-11-18 koffie.md:1",
    ]


def test_no_hits_exits_1_with_a_message(run, vault) -> None:
    result = run(vault, "search", "kumquat")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.endswith("Nothing matches 'kumquat'.\n")


@pytest.mark.parametrize(
    "query, message",
    [
        ('"open', 'vaultcrm: a quote is not closed: phrases are written as "two words"\n'),
        ("(jazz", "vaultcrm: a '(' is not closed\n"),
        ("jazz)", "vaultcrm: a ')' has no '(' before it\n"),
    ],
)
def test_a_query_syntax_error_is_explained_with_exit_2(run, vault, query, message) -> None:
    run(vault, "index")
    result = run(vault, "search", query)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_limit(run, vault) -> None:
    result = run(vault, "search", "--limit", "1", "jazz")
    assert len(result.stdout.splitlines()) == 2
    assert run(vault, "search", "--limit", "0", "jazz").exit_code == 2


def test_json_is_the_same_hits_as_data(run, vault) -> None:
    result = run(vault, "search", "--json", "jazz")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["query"] == "jazz"
    assert [
        (h["title"], h["path"], h["line"], h["kind"], h["snippet"], h["highlights"], h["via"])
        for h in data["hits"]
    ] == [
        (
            "2026-11-18 koffie",
            "meetings/2026-11-18 koffie.md",
            1,
            "note",
            "Met [[Henk]] over jazz en de exams van Lisa.",
            [[18, 22]],
            None,
        ),
        (
            "Henk de Vries",
            "people/Henk de Vries.md",
            8,
            "person",
            "Gaat graag naar jazz.",
            [[16, 20]],
            None,
        ),
    ]
    assert data["hits"][0]["score"] >= data["hits"][1]["score"]


def test_json_with_no_hits_is_still_a_document_and_exit_1(run, vault) -> None:
    result = run(vault, "search", "--json", "kumquat")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"query": "kumquat", "hits": []}


def test_people_folds_mentions_into_the_person(run, vault) -> None:
    result = run(vault, "search", "--people", "exams")
    assert result.exit_code == 0
    assert result.stdout == (
        "Henk de Vries  people/Henk de Vries.md\n"
        "    Met [[Henk]] over jazz en de exams van Lisa.\n"
        "    (mentioned in meetings/2026-11-18 koffie.md:1)\n"
    )


def test_colour_on_a_terminal_and_plain_with_no_color(vault, monkeypatch) -> None:
    monkeypatch.delenv("NO_COLOR")
    coloured = CliRunner().invoke(cli, ["--vault", str(vault), "search", "jazz"], color=True)
    assert coloured.exit_code == 0
    assert "\x1b[1mHenk de Vries\x1b[0m" in coloured.stdout
    assert "naar \x1b[33m\x1b[1mjazz\x1b[0m." in coloured.stdout

    piped = CliRunner().invoke(cli, ["--vault", str(vault), "search", "jazz"])
    assert "\x1b" not in piped.stdout

    monkeypatch.setenv("NO_COLOR", "1")
    no_color = CliRunner().invoke(cli, ["--vault", str(vault), "search", "jazz"], color=True)
    assert "\x1b" not in no_color.stdout
    assert no_color.stdout == piped.stdout


def test_no_vault_exits_2_and_says_what_to_do(run, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(None, "search", "jazz")
    assert result.exit_code == 2
    assert result.stderr == (
        "vaultcrm: no vault found here or in any parent folder; pass --vault PATH, "
        "set VAULTCRM_VAULT, or run 'vaultcrm init' to make this folder one\n"
    )


def test_vault_from_the_environment_and_from_the_working_folder(run, vault, monkeypatch) -> None:
    monkeypatch.setenv("VAULTCRM_VAULT", str(vault))
    assert run(None, "search", "jazz").exit_code == 0
    monkeypatch.delenv("VAULTCRM_VAULT")
    monkeypatch.chdir(vault / "people")
    assert run(None, "search", "jazz").exit_code == 0


@pytest.mark.parametrize(
    "query, first",
    [
        ("dochters", "Henk de Vries  people/Henk de Vries.md:"),
        ("tentamens", "Henk de Vries  people/Henk de Vries.md:"),
        ("exams", "Henk de Vries  people/Henk de Vries.md:"),
        ("zoe", "Zoë Bakker  people/Zoë Bakker.md:"),
        ("henk", "Henk de Vries  people/Henk de Vries.md:"),
        ("tag:mentor", None),
        ("team:klantenservice", None),
        ("relation:freelancer", None),
    ],
)
def test_the_example_vault_answers_in_dutch_and_english(run, example_vault, query, first) -> None:
    result = run(example_vault, "search", query)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.output
    if first:
        assert result.stdout.startswith(first)


def test_front_matter_comments_are_not_content(run, make_vault) -> None:
    # 'new' writes '# report | peer | manager | skip | client | freelancer | …' beside
    # relation: in every person note; a comment is not what the note says.
    root = make_vault({})
    assert (
        run(root, "new", "Eva Dekker", "--role", "Recruiter", "--relation", "report").exit_code == 0
    )
    assert (
        run(root, "new", "Joost Willems", "--role", "Recruiter", "--relation", "former").exit_code
        == 0
    )
    assert run(root, "search", "freelancer").exit_code == 1
    found = run(root, "search", "recruiter NOT former")
    assert found.exit_code == 0, found.output
    assert [line.split("  ")[0] for line in found.stdout.splitlines()[::2]] == ["Eva Dekker"]
    note = make_vault({"notes/n.md": "---\ntopic: budget  # ask about jazz here\n---\nBody\n"})
    assert run(note, "search", "jazz").exit_code == 1
    assert run(note, "search", "budget").stdout.splitlines()[1] == "    topic: budget"


@pytest.mark.parametrize("query", ["team:", "team: klantenservice", "(team:)", "jazz tag:"])
def test_a_field_without_a_value_is_a_syntax_error(run, example_vault, query: str) -> None:
    result = run(example_vault, "search", query)
    assert result.exit_code == 2
    assert "has no value" in result.stderr
