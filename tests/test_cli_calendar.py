"""``vaultcrm calendar``: .ics on stdout, or --out FILE without overwriting unless --force."""

from __future__ import annotations

from pathlib import Path

from icalendar import Calendar

HENK = "---\nbirthday: 1978-04-12\n---\n- [ ] Ask about the exam 📅 2026-11-30\n"


def test_the_calendar_goes_to_stdout(make_vault, run) -> None:
    result = run(make_vault({"people/Henk.md": HENK}), "calendar")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")  # CRLF kept on stdout
    cal = Calendar.from_ical(result.stdout_bytes)
    assert sorted(str(e["summary"]) for e in cal.walk("VEVENT")) == [
        "Birthday: Henk",
        "Follow-up: Ask about the exam (Henk)",
    ]
    assert result.stderr == "No index yet: building it from the vault.\n"


def test_out_writes_a_file_and_refuses_to_overwrite(make_vault, run, tmp_path: Path) -> None:
    root = make_vault({"people/Henk.md": HENK})
    target = tmp_path / "people.ics"
    result = run(root, "calendar", "--out", str(target))
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.splitlines()[-1] == f"Wrote 2 events to {target}"
    assert Calendar.from_ical(target.read_bytes())

    target.write_text("my own calendar")
    result = run(root, "calendar", "--out", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"vaultcrm: {target}: already exists; pass --force to replace it\n"
    assert target.read_text() == "my own calendar"

    assert run(root, "calendar", "--out", str(target), "--force").exit_code == 0
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["made", "people.ics"]  # no temp left


def test_out_makes_a_missing_folder(make_vault, run, tmp_path: Path) -> None:
    result = run(make_vault({}), "calendar", "--out", str(tmp_path / "no" / "such" / "x.ics"))
    assert result.exit_code == 0  # the folder is made, as for any --out
    assert (tmp_path / "no" / "such" / "x.ics").exists()


def test_the_example_vault_calendar(example_vault, run) -> None:
    result = run(example_vault, "calendar")
    cal = Calendar.from_ical(result.stdout_bytes)
    summaries = {str(e["summary"]) for e in cal.walk("VEVENT")}
    assert "Birthday: Henk de Vries" in summaries
    assert "Work anniversary: Fatima El Amrani (since 2016)" in summaries
