"""`vaultcrm check`: every problem with path:line; exit 1 if any, 0 if none."""

from __future__ import annotations

import json


def test_the_example_vault_is_clean(run, example_vault) -> None:
    result = run(example_vault, "check")
    notes = len(
        [
            p
            for p in example_vault.rglob("*.md")
            if not any(part.startswith(".") for part in p.relative_to(example_vault).parts)
            and p.relative_to(example_vault).parts[0] != "templates"
        ]
    )
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        f"No index yet: building it from the vault.\nNo problems in {notes} notes.\n"
    )


def test_problems_are_listed_with_path_and_line_and_exit_1(run, make_vault) -> None:
    vault = make_vault(
        {
            "people/Henk de Vries.md": "---\nname: Henk de Vries\naliases: [Henk]\n---\n",
            "people/Henk Jansen.md": "---\nname: Henk Jansen\naliases: [Henk]\n---\n",
            "meetings/m.md": "---\ndate: 2026-02-30\n---\nwith [[Nobody]]\n",
            "notes/latin1.md": b"caf\xe9\n",
        }
    )
    result = run(vault, "check")
    assert result.exit_code == 1
    assert result.stdout == (
        "meetings/m.md:2: not a real date: '2026-02-30'\n"
        "meetings/m.md:4: link [[Nobody]] points to no person or note\n"
        "notes/latin1.md:1: not valid UTF-8; unreadable bytes replaced by \ufffd\n"
        "people/Henk Jansen.md:3: name or alias 'Henk' is also used by people/Henk de Vries.md\n"
        "people/Henk de Vries.md:3: name or alias 'Henk' is also used by people/Henk Jansen.md\n"
    )
    assert result.stderr.endswith("5 problems in 4 notes.\n")


def test_one_problem_is_singular(run, make_vault) -> None:
    result = run(make_vault({"a.md": "[[Nobody]]\n"}), "check")
    assert result.stderr.endswith("1 problem in 1 note.\n")


def test_obsidian_table_escaped_links_are_links_to_their_target(run, make_vault) -> None:
    # In a Markdown table, Obsidian writes [[Target\|label]]: the pipe is escaped, the
    # target is 'Target' (on Obsidian's own help vault, most of check's reports were this).
    table = (
        "| who | why |\n|---|---|\n"
        "| [[Henk\\|H.]] | [[Henk#Log\\|his log]] | ![[Henk\\|embed]] |\n"
        "| [[Nobody\\|N.]] | |\n"
    )
    result = run(make_vault({"people/Henk.md": "", "notes/t.md": table}), "check")
    assert result.stdout == "notes/t.md:4: link [[Nobody]] points to no person or note\n"


def test_json(run, make_vault) -> None:
    vault = make_vault({"a.md": "[[Nobody]]\n", "b.md": "fine\n"})
    result = run(vault, "check", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "notes": 2,
        "problems": [
            {"path": "a.md", "line": 1, "message": "link [[Nobody]] points to no person or note"}
        ],
    }


def test_json_of_a_clean_vault_exits_0(run, make_vault) -> None:
    result = run(make_vault({"b.md": "fine\n"}), "check", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"notes": 1, "problems": []}


def test_problems_stay_listed_after_the_index_is_up_to_date(run, make_vault) -> None:
    vault = make_vault({"a.md": "---\nname: [x\n---\n"})
    run(vault, "index")
    result = run(vault, "check")
    assert result.exit_code == 1
    assert result.stdout.startswith("a.md:3: front-matter is not valid YAML")


def test_settings_relations_and_dates_that_do_nothing_are_reported(run, make_vault) -> None:
    root = make_vault(
        {"people/Jan.md": "---\nrelation: boss\nlast_contact: 2027-05-01\n---\n"},
        config='locale = "en"\nbogus_key = 1\n',
    )
    result = run(root, "check")
    assert result.exit_code == 1
    assert result.stdout == (
        ".vaultcrm/config.toml:2: unknown setting 'bogus_key'; it does nothing\n"
        "people/Jan.md:2: 'relation: boss' is not one of: report, peer, manager, skip, "
        "client, freelancer, supplier, former, other\n"
        "people/Jan.md:3: 'last_contact: 2027-05-01' is after today; it is not counted\n"
    )
