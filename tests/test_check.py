"""check_vault: every problem with path:line, including what only the whole vault shows."""

from __future__ import annotations

from vaultcrm.features.check import check_vault
from vaultcrm.store.vault import Vault


def problems(root) -> list[str]:
    return [str(p) for p in check_vault(Vault(root)).problems]


def test_a_clean_vault_has_no_problems(make_vault) -> None:
    root = make_vault(
        {
            "people/Henk de Vries.md": "---\nname: Henk de Vries\naliases: [Henk]\n---\n",
            "meetings/2026-11-10 1-1.md": (
                "With [[Henk]], [[Henk de Vries|him]], [[people/Henk de Vries.md#Log]], "
                "![[whiteboard.png]], [[#Agenda]] and [[2026-11-10 1-1]].\n"
            ),
        }
    )
    result = check_vault(Vault(root))
    assert (result.problems, result.notes) == ((), 2)


def test_duplicate_names_and_aliases_are_reported_at_both_ends(make_vault) -> None:
    root = make_vault(
        {
            "people/Henk de Vries.md": "---\nname: Henk de Vries\naliases: [Henk, HdV]\n---\n",
            "people/Henk Jansen.md": '---\nname: Henk Jansen\naliases:\n  - "henk"\n---\n',
            "people/Zoë Bakker.md": "Zoë, named by her file\n",
            "staff/zoe.md": "---\ntype: person\nname: Zoe Bakker\n---\n",
        }
    )
    assert problems(root) == [
        "people/Henk Jansen.md:4: name or alias 'henk' is also used by people/Henk de Vries.md",
        "people/Henk de Vries.md:3: name or alias 'Henk' is also used by people/Henk Jansen.md",
        "people/Zoë Bakker.md: name or alias 'Zoë Bakker' is also used by staff/zoe.md",
        "staff/zoe.md:3: name or alias 'Zoe Bakker' is also used by people/Zoë Bakker.md",
    ]


def test_links_to_people_or_notes_that_do_not_exist(make_vault) -> None:
    root = make_vault(
        {
            "people/Henk de Vries.md": '---\nmanager: "[[Ghost Manager]]"\n---\n',
            "meetings/m.md": "first line\nwith [[Nobody|someone]] and [[people/Gone.md]]\n",
        }
    )
    assert problems(root) == [
        "meetings/m.md:2: link [[Gone]] points to no person or note",
        "meetings/m.md:2: link [[Nobody]] points to no person or note",
        "people/Henk de Vries.md:2: link [[Ghost Manager]] points to no person or note",
    ]


def test_per_note_problems_come_with_their_line(make_vault) -> None:
    root = make_vault(
        {
            "notes/a.md": "---\nname: [x\n---\n",
            "notes/b.md": b"caf\xe9\n",
            "notes/c.md": b"\x00\x01",
            "notes/d.md": "---\ndate: 2026-02-30\n---\n",
            "notes/e.md": "---\n- a list\n---\n",
            "notes/f.md": "---\nname: x\n",
        }
    )
    assert problems(root) == [
        "notes/a.md:3: front-matter is not valid YAML: a '[' is not closed with ']'",
        "notes/b.md:1: not valid UTF-8; unreadable bytes replaced by \ufffd",
        "notes/c.md: binary file (contains NUL bytes); skipped",
        "notes/d.md:2: not a real date: '2026-02-30'",
        "notes/e.md:1: front-matter is a list, not key: value pairs",
        "notes/f.md:1: front-matter has no closing '---' line; read as text",
    ]


def test_an_over_size_file_is_skipped_and_reported(make_vault) -> None:
    root = make_vault({"notes/big.md": "x" * 3000}, config="max_file_size = 2048\n")
    assert problems(root) == [
        "notes/big.md: file is 2.9 KB, over the 2.0 KB limit; skipped",
    ]
