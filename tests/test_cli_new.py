"""``vaultcrm new``: a person note from the template, never overwriting, never leaving people/."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from vaultcrm.model.notes import parse_note

EXPECTED = """---
name: Henk de Vries
aliases: []
role: Senior Support Engineer
team: Klantenservice
relation: report  # report | peer | manager | skip | client | freelancer | supplier | former | other
manager:        # "[[Name]]"
email:
birthday:       # YYYY-MM-DD, or --MM-DD when the year is unknown
started:        # first working day: the work anniversary
met:            # how or where you met
cadence:        # stay in touch every 7d, 2w, 1m, 1q ...
last_contact:
family: []      # - {name: Lisa, relation: daughter, birthday: 2009-03-02, note: ...}
interests: []
gift_ideas: []
growth: []      # what they want to learn or become
tags: []
---

## Log

## Follow-ups

## Wins
"""


def test_new_creates_the_note_from_the_template(make_vault, run) -> None:
    root = make_vault({})
    result = run(
        root,
        "new",
        "Henk de Vries",
        "--role",
        "Senior Support Engineer",
        "--team",
        "Klantenservice",
        "--relation",
        "Report",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "Created people/Henk de Vries.md\n"
    assert (root / "people/Henk de Vries.md").read_text(encoding="utf-8") == EXPECTED
    people = json.loads(run(root, "people", "--json").stdout)
    assert [(p["name"], p["role"], p["relation"]) for p in people] == [
        ("Henk de Vries", "Senior Support Engineer", "report")
    ]


def test_values_yaml_would_misread_are_quoted(make_vault, run) -> None:
    root = make_vault({})
    assert run(root, "new", "Zoë Bakker", "--role", "Lead: ops #1", "--team", "NO").exit_code == 0
    note = parse_note("people/Zoë Bakker.md", (root / "people/Zoë Bakker.md").read_bytes())
    assert (note.meta["name"], note.meta["role"], note.meta["team"]) == (
        "Zoë Bakker",
        "Lead: ops #1",
        "NO",
    )
    assert note.problems == ()


def test_then_log_fills_the_log_section(make_vault, run) -> None:
    root = make_vault({})
    run(root, "new", "Sanne de Groot")
    run(root, "log", "sanne", "First 1:1")
    text = (root / "people/Sanne de Groot.md").read_text()
    assert "## Log\n- 2026-11-23: First 1:1\n\n## Follow-ups\n" in text


def test_dutch_headings_in_a_dutch_vault(make_vault, run) -> None:
    root = make_vault({}, config='locale = "nl"\n')
    run(root, "new", "Sanne de Groot")
    text = (root / "people/Sanne de Groot.md").read_text()
    assert text.endswith("---\n\n## Logboek\n\n## Opvolging\n\n## Successen\n")


def test_the_vault_can_override_the_template(make_vault, run) -> None:
    root = make_vault(
        {
            ".vaultcrm/templates/person.md.j2": "---\nname: {{ name | yaml }}\ntype: person\n---\nHi {{ name }}\n"
        }
    )
    assert run(root, "new", "Pieter").exit_code == 0
    assert (
        root / "people/Pieter.md"
    ).read_text() == "---\nname: Pieter\ntype: person\n---\nHi Pieter\n"


def test_a_broken_override_is_a_template_error(make_vault, run) -> None:
    root = make_vault({".vaultcrm/templates/person.md.j2": "---\nname: {{ name\n---\n"})
    result = run(root, "new", "Pieter")
    assert result.exit_code == 3
    assert result.stderr.startswith("vaultcrm: ")
    assert "person.md.j2:3: template error: " in result.stderr  # the rest is Jinja's
    assert not (root / "people/Pieter.md").exists()


def test_an_override_making_broken_yaml_is_refused(make_vault, run) -> None:
    root = make_vault({".vaultcrm/templates/person.md.j2": "---\nname: [{{ name }}\n---\n"})
    result = run(root, "new", "Pieter")
    assert result.exit_code == 3
    assert "broken front-matter" in result.stderr
    assert not (root / "people/Pieter.md").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "vaultcrm: the name is empty\n"),
        ("   ", "vaultcrm: the name is empty\n"),
        ("../outside", "vaultcrm: '../outside': a name may not hold /"),
        ("a/b", "vaultcrm: 'a/b': a name may not hold /"),
        ("..\\x", "vaultcrm: '..\\\\x': a name may not hold \\"),
        ("nul\x00byte", "vaultcrm: 'nul\\x00byte': a name may not hold control characters"),
        ("new\nline", "vaultcrm: 'new\\nline': a name may not hold control characters"),
        ("..", "vaultcrm: '..': a file by that name would be hidden"),
        (".hidden", "vaultcrm: '.hidden': a file by that name would be hidden"),
    ],
)
def test_unsafe_names_are_refused(make_vault, run, tmp_path: Path, name: str, message: str) -> None:
    root = make_vault({})
    result = run(root, "new", name)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert not (root / "people").exists() or list((root / "people").iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["made"]


def test_an_existing_note_is_never_overwritten(make_vault, run) -> None:
    root = make_vault({"people/Henk de Vries.md": "mine\n"})
    result = run(root, "new", "Henk de Vries")
    assert result.exit_code == 2
    assert "already" in result.stderr
    assert (root / "people/Henk de Vries.md").read_text() == "mine\n"


@pytest.mark.parametrize("name", ["henk de vries", "HENK DE VRIES", "Hénk de Vries", "HdV"])
def test_a_name_someone_already_answers_to_is_refused(make_vault, run, name: str) -> None:
    root = make_vault({"people/Henk de Vries.md": "---\naliases: [HdV]\n---\n"})
    result = run(root, "new", name)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"vaultcrm: Henk de Vries (people/Henk de Vries.md) already answers to {name!r}"
    )
    assert sorted(p.name for p in (root / "people").iterdir()) == ["Henk de Vries.md"]


def test_an_unknown_relation_is_a_usage_error(make_vault, run) -> None:
    result = run(make_vault({}), "new", "Pieter", "--relation", "boss")
    assert result.exit_code == 2
    assert "'boss' is not one of 'report', 'peer'" in result.stderr


def test_edit_opens_the_editor_on_the_new_note(
    make_vault, run, tmp_path: Path, monkeypatch
) -> None:
    script = tmp_path / "editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write('edited\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    root = make_vault({})
    result = run(root, "new", "Pieter", "--edit")
    assert result.exit_code == 0, result.output
    assert (root / "people/Pieter.md").read_text().endswith("## Wins\nedited\n")


def test_new_in_the_example_vault(example_vault: Path, run) -> None:
    assert run(example_vault, "new", "zoë bakker").exit_code == 2  # Zoë Bakker exists
    result = run(example_vault, "new", "Eva Dekker", "--team", "Klantenservice")
    assert result.exit_code == 0, result.output
    assert run(example_vault, "search", "team:klantenservice", "Eva").exit_code == 0


def test_a_people_folder_that_leads_out_of_the_vault_is_refused(
    make_vault, run, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = make_vault({})
    (root / "people").symlink_to(outside)
    result = run(root, "new", "Pieter")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "vaultcrm: people/Pieter.md: people/ leads out of the vault; not writing there\n"
    )
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("name", ["_Lisa", "index", "README", "Index"])
def test_a_name_that_would_not_be_a_person_is_refused(make_vault, run, name: str) -> None:
    root = make_vault({})
    result = run(root, "new", name)
    assert result.exit_code == 2
    assert "not a person" in result.stderr
    assert not (root / "people" / f"{name}.md").exists()


def test_an_editor_that_fails_leaves_the_note_made(make_vault, run, monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", "false")
    root = make_vault({})
    result = run(root, "new", "Eva Dekker", "--edit")
    assert result.exit_code == 0
    assert "the editor did not run cleanly" in result.stderr
    assert (root / "people/Eva Dekker.md").is_file()
