"""``vaultcrm import FILE.vcf [--yes]`` through the CLI, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from test_contacts import APPLE, GOOGLE, OUTLOOK, V4, vcf

from vaultcrm.present.words import WORDS

EN = WORDS["en"]


def conflict(key: str, note: str, contact: str) -> str:
    return EN["import_conflict"].format(what=key, note=note, contact=contact)


def fills(keys: str) -> str:
    return EN["import_fills"].format(keys=keys)


def test_a_dry_run_lists_each_person_and_writes_nothing(example_vault: Path, run, tmp_path) -> None:
    before = {p: p.read_bytes() for p in example_vault.rglob("*.md")}
    path = vcf(tmp_path, GOOGLE, APPLE, OUTLOOK, V4)
    result = run(example_vault, "import", str(path))
    assert result.exit_code == 0, result.output
    henk, zoe, pieter = (
        "people/Henk de Vries.md",
        "people/Zoë Bakker.md",
        "people/Pieter Smit.md",
    )
    assert result.stdout.splitlines() == [
        f"! Henk de Vries  {henk}: "
        + "; ".join(
            [
                fills("organisation, emails, phone"),
                conflict("tags", "klantenservice, mentor", "Team A, Utrecht, mentor"),
            ]
        ),
        "+ Sanne Jansen  people/Sanne Jansen.md",
        f"! Zoë Bakker  {zoe}: "
        + "; ".join(
            [
                fills("organisation, phone"),
                conflict("role", "VP Customer Experience", "Recruiter"),
                conflict("team", "Directie", "HR"),
                conflict("email", "zoe.bakker@example.com", "zoe@example.com"),
            ]
        ),
        f"! Pieter Smit  {pieter}: "
        + "; ".join(
            [
                fills("phone"),
                conflict("email", "pieter.smit@example.nl", "pieter@example.com"),
                conflict("birthday", "1988-02-29", "--04-12"),
                conflict("tags", "klantenservice, telefonie", "peer"),
            ]
        ),
        EN["import_summary"].format(new=1, updated=0, unchanged=0, conflicts=3),
    ]
    assert EN["import_dry_run"] in result.stderr and EN["import_kept"] in result.stderr
    assert {p: p.read_bytes() for p in example_vault.rglob("*.md")} == before


def test_yes_writes_and_a_second_import_changes_nothing(example_vault: Path, run, tmp_path):
    path = vcf(tmp_path, GOOGLE, APPLE, OUTLOOK, V4)
    henk = example_vault / "people/Henk de Vries.md"
    old = henk.read_bytes()
    result = run(example_vault, "import", str(path), "--yes")
    assert result.exit_code == 0, result.output
    assert EN["import_dry_run"] not in result.stderr
    new = henk.read_bytes()
    added = [line for line in new.split(b"\n") if line not in old.split(b"\n")]
    assert added == [
        b"organisation: Acme B.V.",
        b"emails: [henk@home.example]",
        b"phone: '0612345678'",
    ]
    assert new.replace(b"\n".join(added) + b"\n", b"") == old  # nothing else moved
    sanne = (example_vault / "people/Sanne Jansen.md").read_text(encoding="utf-8")
    assert "email: sanne@example.com" in sanne and "birthday: --07-19" in sanne
    # The new people are in the index at once: people and prep see them.
    people = {p["name"] for p in json.loads(run(example_vault, "people", "--json").stdout)}
    assert "Sanne Jansen" in people
    assert run(example_vault, "prep", "Sanne Jansen").exit_code == 0
    files = {p: p.read_bytes() for p in example_vault.rglob("*.md")}
    second = run(example_vault, "import", str(path), "--yes")
    assert second.exit_code == 0
    assert [line[:2] for line in second.stdout.splitlines()[:4]] == ["! ", "= ", "! ", "! "]
    assert second.stdout.splitlines()[-1] == EN["import_summary"].format(
        new=0, updated=0, unchanged=1, conflicts=3
    )
    assert {p: p.read_bytes() for p in example_vault.rglob("*.md")} == files


def test_the_summary_in_the_vaults_language(make_vault, run, tmp_path) -> None:
    root = make_vault({}, config='locale = "nl"\n')
    result = run(root, "import", str(vcf(tmp_path, V4)))
    assert result.stdout.splitlines() == [
        "+ Pieter Smit  people/Pieter Smit.md",
        WORDS["nl"]["import_summary"].format(new=1, updated=0, unchanged=0, conflicts=0),
    ]
    assert WORDS["nl"]["import_dry_run"] in result.stderr
    run(root, "import", str(vcf(tmp_path, V4, GOOGLE)), "--yes")
    text = (root / "people/Henk de Vries.md").read_text(encoding="utf-8")
    assert "## Logboek" in text  # the template in Dutch
    assert text.endswith(
        WORDS["nl"]["contact_note_heading"]
        + "\n\n> Met at the HR-congres, Utrecht. Daughter Lisa; maths exam in November.\n"
        "> Likes jazz.\n"
    )


def test_bad_cards_are_warned_about_and_the_rest_imported(make_vault, run, tmp_path) -> None:
    root = make_vault({})
    nameless = "BEGIN:VCARD\nVERSION:3.0\nEMAIL:x@example.com\nEND:VCARD\n"
    path = vcf(tmp_path, nameless, V4)
    result = run(root, "import", str(path), "--yes")
    assert result.exit_code == 0
    assert f"{path}:1: " in result.stderr
    assert (root / "people/Pieter Smit.md").is_file()


def test_a_file_without_contacts_and_a_missing_file(make_vault, run, tmp_path) -> None:
    root = make_vault({})
    nameless = "BEGIN:VCARD\nVERSION:3.0\nEMAIL:x@example.com\nEND:VCARD\n"
    result = run(root, "import", str(vcf(tmp_path, nameless)))
    assert result.exit_code == 1
    assert EN["import_none"] in result.stderr
    missing = run(root, "import", str(tmp_path / "gone.vcf"))
    assert missing.exit_code == 2
    assert missing.stderr == f"vaultcrm: {tmp_path / 'gone.vcf'}: contacts file does not exist\n"
    (tmp_path / "x.vcf").write_text("not a card\n")
    broken = run(root, "import", str(tmp_path / "x.vcf"))
    assert broken.exit_code == 2
    assert broken.stdout == ""


def test_import_is_in_help(run) -> None:
    result = run(None, "import", "--help")
    assert result.exit_code == 0
    assert "--yes" in result.stdout
