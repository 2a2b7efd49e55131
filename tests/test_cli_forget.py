"""``vaultcrm forget NAME``: a dry run that lists, then ``--yes`` that erases."""

from __future__ import annotations

from pathlib import Path


def notes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*.md")
        if ".vaultcrm" not in p.parts
    }


def test_a_dry_run_lists_file_and_line_and_changes_nothing(run, example_vault: Path) -> None:
    before = notes(example_vault)
    result = run(example_vault, "forget", "henk")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Would delete people/Henk de Vries.md"
    at = lines.index("Would change people/Daan Visser.md:20")
    assert lines[at + 1 : at + 3] == [
        "  - [[Henk de Vries|Henk]] is zijn mentor. Leergierig, snel met systemen, nog onzeker aan de",
        "  + N.N. is zijn mentor. Leergierig, snel met systemen, nog onzeker aan de",
    ]
    assert (
        "Would rename meetings/2026-11-10 1-1 Henk.md -> meetings/2026-11-10 1-1 N.N..md" in lines
    )
    assert result.stderr.endswith(
        "Dry run: nothing was changed. Run again with --yes to forget Henk de Vries.\n"
    )
    assert "Not reached by vaultcrm:" in result.stderr
    assert notes(example_vault) == before


def test_yes_forgets(run, example_vault: Path) -> None:
    result = run(example_vault, "forget", "henk", "--yes", "--placeholder", "a colleague")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Deleted people/Henk de Vries.md"
    assert "Rebuilt the index: nothing of them is left in .vaultcrm/." in result.stdout
    daan = (example_vault / "people" / "Daan Visser.md").read_text("utf-8")
    assert "a colleague is zijn mentor." in daan and "Henk" not in daan
    assert run(example_vault, "search", "henk").exit_code == 1
    assert run(example_vault, "prep", "henk").exit_code == 1  # no one by that name now
    assert run(example_vault, "check").exit_code == 0


def test_a_bad_placeholder_is_a_usage_error(run, example_vault: Path) -> None:
    result = run(example_vault, "forget", "henk", "--placeholder", "[[x]]")
    assert result.exit_code == 2
    assert "placeholder" in result.stderr


def test_it_never_says_nothing_is_left_when_something_is(run, example_vault: Path) -> None:
    """A note left alone, or a folder named after them, keeps them in the index."""
    (example_vault / "notes").mkdir(exist_ok=True)
    (example_vault / "notes/quoted.md").write_text("---\nmentor: 'Henk'\n---\n", "utf-8")
    result = run(example_vault, "forget", "henk", "--yes", "--placeholder", "d'Artagnan")
    assert result.exit_code == 0
    assert "Left alone: notes/quoted.md" in result.stderr
    assert "nothing of them is left" not in result.stdout
    assert "it keeps what the notes left alone still say of them" in result.stdout
    (example_vault / "projects/Sanne de Groot onboarding").mkdir(parents=True)
    result = run(example_vault, "forget", "sanne", "--yes")
    assert "nothing of them is left in .vaultcrm/ but those paths" in result.stdout
    assert "projects/Sanne de Groot onboarding" in result.stderr


def test_sheets_saved_for_them_alone_go_with_their_note(run, example_vault: Path) -> None:
    """A 1:1 sheet prep --save wrote is a copy of their note; a group's keeps the others."""
    own = run(example_vault, "prep", "pieter", "--save")
    group = run(example_vault, "prep", "pieter", "sanne", "--save")
    assert own.exit_code == group.exit_code == 0
    own_path = own.stderr.splitlines()[-1].removeprefix("Saved ")
    group_path = group.stderr.splitlines()[-1].removeprefix("Saved ")
    dry = run(example_vault, "forget", "pieter")
    assert f"Would delete {own_path} (a sheet prep --save made of them)" in dry.stdout
    assert (example_vault / own_path).exists()
    done = run(example_vault, "forget", "pieter", "--yes")
    assert done.exit_code == 0
    assert not (example_vault / own_path).exists()
    kept = sorted((example_vault / "meetings").glob("*Sanne*"))
    assert len(kept) == 1 and "Pieter" not in kept[0].read_text("utf-8")
    assert group_path != own_path
