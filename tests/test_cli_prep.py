"""``vaultcrm prep``: output, exit codes, --format/--out/--force/--save and template errors."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import EN, NL, on

HENK_SAVED = "meetings/2026-11-23 Henk de Vries.md"


def test_prep_prints_the_markdown_sheet(run, example_vault: Path) -> None:
    result = run(example_vault, "prep", "henk")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "# Meeting prep: [[Henk de Vries]]"
    assert lines[2] == (
        "Senior Support Engineer · Klantenservice · direct report · "
        "manager: Dominique Jansen · rhythm 14d"
    )
    assert lines[4] == (
        f"**Last contact:** 5 days ago ({EN.date(on('2026-11-18'))}) · "
        f"next due {EN.day(on('2026-12-02'))} (in 9 days)"
    )
    assert "## What I promised" in lines and "## What they promised" in lines
    assert "## Ask about" in lines and "## Context" in lines
    assert (  # private: marked; the family note's month, dated by his Log (25 November)
        f"- 🔒 **Lisa** (daughter, 17): maths exam, {EN.day(on('2026-11-25'))} (in 2 days): "
        "wish them luck" in lines
    )
    assert (
        f"- Leiderschapstraining voorjaar 2027 aanvragen bij HR · due {EN.day(on('2026-12-04'))}"
        in lines
    )
    assert not any("Lisa's wiskunde-tentamen ging" in line for line in lines)  # ⏳ 26 Nov


def test_a_dutch_vault_speaks_dutch(run, example_vault: Path) -> None:
    config = example_vault / ".vaultcrm" / "config.toml"
    config.write_text(config.read_text("utf-8").replace('locale = "en"', 'locale = "nl"'))
    result = run(example_vault, "prep", "sanne")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Voorbereiding gesprek: [[Sanne de Groot]]\n")
    assert (
        f"- {NL.day(on('2026-11-28'))} (over 5 dagen): Verjaardag Sanne de Groot (wordt 35)\n"
        in (result.stdout)
    )
    assert "- 🔒 **Bo** (hond): border collie; mag op vrijdag mee naar kantoor\n" in result.stdout


def test_an_unknown_name_exits_1_with_suggestions(run, example_vault: Path) -> None:
    result = run(example_vault, "prep", "Hnek")
    assert result.exit_code == 1
    assert result.stderr == "No person called 'Hnek'. Did you mean: Henk de Vries?\n"
    assert result.stdout == ""


def test_an_ambiguous_name_exits_2_with_the_list(run, example_vault: Path) -> None:
    result = run(example_vault, "prep", "s")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "'s' matches several people; say which:",
        "  Sander Vos (people/Sander Vos.md)",
        "  Sanne de Groot (people/Sanne de Groot.md)",
    ]


def test_a_group_sheet(run, example_vault: Path) -> None:
    result = run(example_vault, "prep", "pieter", "lucas")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Group meeting prep: [[Pieter Smit]] and [[Lucas Meijer]]\n")
    # Family is private (SPEC §6): neither Ties nor his birthday is shown to the group
    assert "Ties" not in result.stdout and "🔒" not in result.stdout
    assert "## People\n\n- **Pieter Smit**" in result.stdout


def test_html_to_stdout(run, example_vault: Path) -> None:
    result = run(example_vault, "prep", "henk", "--format", "html")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "<h1>Henk de Vries</h1>" in result.stdout


def test_out_writes_a_file_and_refuses_to_overwrite_without_force(
    run, example_vault: Path, tmp_path: Path
) -> None:
    target = tmp_path / "sheet.html"
    first = run(example_vault, "prep", "henk", "--out", str(target))
    assert (first.exit_code, first.stdout) == (0, "")
    assert first.stderr.splitlines()[-1] == f"Wrote {target}"  # after the index notice
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>")  # .html: HTML
    target.write_text("mine", encoding="utf-8")
    again = run(example_vault, "prep", "henk", "--out", str(target))
    assert again.exit_code == 2
    assert again.stderr == f"vaultcrm: {target}: already exists; pass --force to replace it\n"
    assert target.read_text("utf-8") == "mine"
    forced = run(example_vault, "prep", "henk", "--out", str(target), "--force")
    assert forced.exit_code == 0
    assert "<h1>Henk de Vries</h1>" in target.read_text("utf-8")


def test_force_without_out_is_a_usage_error(run, example_vault: Path) -> None:
    result = run(example_vault, "prep", "henk", "--force")
    assert result.exit_code == 2
    assert "--force only goes with --out" in result.stderr


def test_save_writes_a_meeting_note_that_feeds_the_next_sheet(
    run, example_vault: Path, monkeypatch
) -> None:
    saved = run(example_vault, "prep", "henk", "--save")
    assert saved.exit_code == 0
    assert saved.stdout.startswith("# Meeting prep: [[Henk de Vries]]")  # also saved
    assert saved.stderr.splitlines()[-1] == f"Saved {HENK_SAVED}"
    note = (example_vault / HENK_SAVED).read_text("utf-8")
    assert note.startswith(
        '---\ndate: 2026-11-23\ntype: meeting\npeople: ["[[Henk de Vries]]"]\n'
        "prepared_by: vaultcrm\n---\n# Meeting prep: [[Henk de Vries]]\n"
    )
    # the follow-ups live in their own notes: not copied here as tasks that would linger
    assert not re.search(r"^\s*- \[ \]", note, re.MULTILINE)
    # During the meeting, a new follow-up is written into the saved note...
    with (example_vault / HENK_SAVED).open("a", encoding="utf-8") as handle:
        handle.write("- [ ] Send Henk the mentoring template 📅 2026-11-30\n")
    # ...and the next sheet raises it. Saved before the meeting, the sheet is preparation,
    # not contact: the last contact stays the 1:1 of 18 November until the day is over.
    after = run(example_vault, "prep", "henk")
    assert after.exit_code == 0, after.output
    assert (
        f"- Send Henk the mentoring template · due {EN.day(on('2026-11-30'))} · "
        f"*from Henk de Vries, {EN.date(on('2026-11-23'))}*"
    ) in after.stdout
    assert f"**Last contact:** 5 days ago ({EN.date(on('2026-11-18'))})" in after.stdout
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-11-24")  # the meeting happened, the note kept
    next_day = run(example_vault, "prep", "henk").stdout
    assert (
        f"**Last contact:** yesterday · next due {EN.day(on('2026-12-07'))} (in 13 days)"
        in next_day
    )


def test_save_never_overwrites_it_numbers(run, example_vault: Path) -> None:
    run(example_vault, "prep", "henk", "--save")
    second = run(example_vault, "prep", "henk", "--save", "--format", "html")
    assert second.stderr == (
        "Saved meetings/2026-11-23 Henk de Vries (2).md "
        "(meetings/2026-11-23 Henk de Vries.md was saved earlier today and is kept)\n"
    )
    text = (example_vault / "meetings/2026-11-23 Henk de Vries (2).md").read_text("utf-8")
    assert "# Meeting prep: [[Henk de Vries]]" in text  # a note is Markdown, whatever --format


def test_a_broken_user_template_exits_3_with_file_and_line(run, example_vault: Path) -> None:
    templates = example_vault / ".vaultcrm" / "templates"
    templates.mkdir()
    (templates / "prep.md.j2").write_text("# {{ sheet.person.name }}\n{% for %}\n")
    result = run(example_vault, "prep", "henk")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"vaultcrm: {templates / 'prep.md.j2'}:2: template error: ")
    assert result.stdout == ""


def test_an_override_template_is_used(run, example_vault: Path) -> None:
    templates = example_vault / ".vaultcrm" / "templates"
    templates.mkdir()
    (templates / "prep.md.j2").write_text("{{ sheet.person.name }} ({{ sheet.person.team }})")
    result = run(example_vault, "prep", "henk")
    assert (result.exit_code, result.stdout) == (0, "Henk de Vries (Klantenservice)\n")


def test_an_unknown_template_is_a_usage_error(run, example_vault: Path) -> None:
    result = run(example_vault, "prep", "henk", "--template", "fancy")
    assert result.exit_code == 2
    assert result.stderr == (
        "vaultcrm: no template called 'fancy'; available: brief.md.j2, prep.html.j2, prep.md.j2\n"
    )


def test_a_sheet_is_as_of_its_day(run, example_vault: Path, monkeypatch) -> None:
    # Prepared on 1 October 2026, Henk's sheet knows nothing written after that day: no
    # later log entries, decisions or notes, and dates of another year carry their year.
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-10-01")
    sheet = run(example_vault, "prep", "henk").stdout
    assert f"- {EN.date(on('2026-09-29'))}: Mentorschap voor Daan afgesproken." in sheet
    assert EN.date(on("2026-11-10")) not in sheet.split("## Recent")[1]
    assert "## Decisions to explain" not in sheet  # all three are from later days
    assert "Kwartaalreview" not in sheet.split("## Mentioned in")[-1]
    monkeypatch.setenv("VAULTCRM_TODAY", "2025-12-01")
    earlier = run(example_vault, "prep", "henk").stdout
    assert f"due {EN.day(on('2026-12-04'), today=on('2025-12-01'))}" in earlier
    assert "2026" in EN.day(on("2026-12-04"), today=on("2025-12-01"))


def test_saved_sheets_are_not_mentions(run, example_vault: Path, monkeypatch) -> None:
    # A saved sheet copies from the notes it lists: on the next sheets it would push the
    # real meetings out of "Mentioned in", for Henk and for everyone his sheet names.
    run(example_vault, "prep", "henk", "--save")
    run(example_vault, "prep", "sanne", "fatima", "henk", "--save")
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-11-24")
    for name in ("henk", "dominique", "daan"):
        sheet = run(example_vault, "prep", name).stdout
        mentions = sheet.split("## Mentioned in")[-1].split("## ")[0]
        assert "2026-11-23" not in mentions and EN.date(on("2026-11-23")) not in mentions, name


def test_the_agenda_for_today_only(run, make_vault) -> None:
    root = make_vault({"people/Ann.md": "---\nbirthday: 1990-11-23\n---\n"})
    result = run(root, "agenda", "--days", "0")
    assert result.stdout == "Coming up today\n  2026-11-23 Mon  today  Ann turns 36\n"


def test_a_vault_that_is_a_file_says_so(run, tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("x", "utf-8")
    result = run(tmp_path / "notes.md", "people")
    assert result.exit_code == 2
    assert "is not a folder" in result.stderr
