"""`vaultcrm people`: everyone with their last contact, filtered by team or relation."""

from __future__ import annotations

import json

import pytest
from conftest import EN, on

FILES = {
    "people/Henk de Vries.md": (
        "---\nname: Henk de Vries\nteam: Klantenservice\nrelation: report\ncadence: 14d\n"
        "last_contact: 2026-11-01\n---\n"
    ),
    "people/Zoë Bakker.md": (
        "---\nname: Zoë Bakker\nteam: Directie\nrelation: skip\ncadence: 1m\n---\n"
        "## Log\n- 2026-09-01: kwartaalgesprek\n"
    ),
    "people/Bram Mulder.md": "---\nname: Bram Mulder\nrelation: Freelancer\n---\n",
    "meetings/2026-11-18 koffie.md": "Met [[Henk de Vries]].\n",
    "meetings/2026-12-01 later.md": "Met [[Henk de Vries]], in the future.\n",
}


@pytest.fixture
def vault(make_vault):
    return make_vault(FILES)


def test_everyone_with_last_contact_and_whether_they_are_due(run, vault) -> None:
    result = run(vault, "people")
    assert result.exit_code == 0
    assert result.stdout == (
        "Bram Mulder    -           never                         freelancer\n"
        "Henk de Vries  2026-11-18  5 days ago                    direct report, Klantenservice\n"
        "Zoë Bakker     2026-09-01  83 days ago  53 days overdue  skip-level, Directie\n"
    )


@pytest.mark.parametrize(
    "args, names",
    [
        (["--team", "klantenservice"], ["Henk de Vries"]),
        (["--team", "DIRECTIE"], ["Zoë Bakker"]),
        (["--relation", "freelancer"], ["Bram Mulder"]),
        (["--relation", "report", "--team", "Klantenservice"], ["Henk de Vries"]),
    ],
)
def test_filters_ignore_case(run, vault, args, names) -> None:
    result = run(vault, "people", *args)
    assert [line.split("  ")[0] for line in result.stdout.splitlines()] == names


def test_no_match_exits_1(run, vault) -> None:
    result = run(vault, "people", "--team", "Nowhere")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "No index yet: building it from the vault.\nNo people match.\n"


def test_an_empty_vault_says_so(run, make_vault) -> None:
    result = run(make_vault({"notes/a.md": "x"}), "people")
    assert result.exit_code == 1
    assert result.stderr.endswith("No people in this vault yet.\n")


def test_json(run, vault) -> None:
    result = run(vault, "people", "--json", "--team", "klantenservice")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "name": "Henk de Vries",
            "path": "people/Henk de Vries.md",
            "role": "",
            "team": "Klantenservice",
            "relation": "report",
            "cadence": "14d",
            "last_contact": "2026-11-18",
            "days_since": 5,
            "due": "2026-12-02",
            "overdue_days": None,
            "last_contact_source": "notes",
        }
    ]


def test_notes_about_the_people_folder_are_not_people(run, make_vault) -> None:
    root = make_vault(
        {
            "people/Max Klein.md": "---\nrelation: client\n---\n",
            "people/README.md": "# Who is who\nOne note per person.\n",
            "people/index.md": "- [[Max Klein]]\n",
            "people/_template.md": "---\nname: \nrelation: \n---\n",
            "people/_aliases.md": "Max = [[Max Klein]]\n",
            "people/Team Noord.md": "---\ntype: team\n---\nA team, not a person.\n",
        }
    )
    result = run(root, "people")
    assert [line.split("  ")[0] for line in result.stdout.splitlines()] == ["Max Klein"]


def test_attendees_named_without_links_are_contact(run, make_vault) -> None:
    # CRM vaults often list who was there as plain names in the meeting's front-matter.
    root = make_vault(
        {
            "people/Max Klein.md": "---\naliases: [Max]\ncadence: 14d\n---\n",
            "people/Anna de Wit.md": "",
            "meetings/2026-11-20 Kick-off.md": (
                "---\nattendees: [Max, Anna de Wit, Someone Else]\n---\nWe started.\n"
            ),
        }
    )
    lines = run(root, "people").stdout.splitlines()
    assert lines[0].startswith("Anna de Wit  2026-11-20  3 days ago")
    assert lines[1].startswith("Max Klein    2026-11-20  3 days ago")
    sheet = run(root, "prep", "max").stdout
    mention = f"- **Kick-off** ({EN.date(on('2026-11-20'))}): attendees: Max, Anna de Wit"
    assert f"## Mentioned in\n\n{mention}" in sheet
    assert run(root, "check").exit_code == 0  # plain names are not broken links


def test_relations_are_said_in_the_vaults_language(run, make_vault) -> None:
    root = make_vault(
        {"people/Henk.md": "---\nrelation: report\nteam: Support\n---\n"},
        config='locale = "nl"\n',
    )
    assert run(root, "people").stdout.rstrip().endswith("medewerker, Support")


def test_nobody_matching_exits_1_as_json_too(run, vault) -> None:
    result = run(vault, "people", "--team", "nowhere", "--json")
    assert (result.exit_code, result.stdout) == (1, "[]\n")


@pytest.mark.parametrize(
    ("name", "who"),
    [("smit", "Pieter Smit"), ("el amr", "Fatima El Amrani"), ("fatima", "Fatima El Amrani")],
)
def test_people_are_found_by_the_start_of_any_word_of_their_name(
    run, example_vault, name, who
) -> None:
    result = run(example_vault, "prep", name)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"# Meeting prep: [[{who}]]")


def test_a_surname_two_people_share_is_ambiguous(run, example_vault) -> None:
    result = run(example_vault, "prep", "jansen")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1:] == [
        "  Dominique Jansen (people/Dominique Jansen.md)",
        "  Noor Jansen (people/Noor Jansen.md)",
    ]


def test_an_empty_name_is_a_usage_error(run, example_vault) -> None:
    result = run(example_vault, "prep", " ")
    assert (result.exit_code, result.stderr) == (2, "vaultcrm: NAME is empty: say whom you mean\n")
