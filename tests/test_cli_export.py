"""``vaultcrm export NAME``: the document on stdout or in a file, and its exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EN, on


def test_export_prints_the_markdown_document(run, example_vault: Path) -> None:
    result = run(example_vault, "export", "henk", env={"VAULTCRM_TODAY": "2026-12-01"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# Everything this vault holds about Henk de Vries\n")
    assert f"*Exported {EN.longdate(on('2026-12-01'))} by vaultcrm." in out
    assert "## Their note: people/Henk de Vries.md\n" in out
    # private facts are in it, marked: a comment, the Privé section, the family key
    assert '🔒 stand-up op maandag voor te zitten. %% Twijfelt soms of hij "niet te oud"' in out
    assert "🔒 - Rugklachten sinds de zomer" in out
    assert "🔒 family:" in out
    assert "- `meetings/2026-11-10 1-1 Henk.md:19`: - [ ] Henk: eerste opzet" in out
    assert "- `people/Bram Mulder.md:33`: - [ ] Bram en [[HdV]] aan elkaar voorstellen" in out


def test_export_json_to_a_file(run, example_vault: Path, tmp_path: Path) -> None:
    target = tmp_path / "henk.json"
    result = run(example_vault, "export", "HdV", "--format", "json", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.endswith(f"Wrote {target}\n")
    data = json.loads(target.read_text("utf-8"))
    assert data["name"] == "Henk de Vries"
    assert "meetings/2026-11-10 1-1 Henk.md" in data["file_names"]
    again = run(example_vault, "export", "henk", "--out", str(target))
    assert again.exit_code == 2 and "--force" in again.stderr  # never overwritten unasked
    assert json.loads(target.read_text("utf-8"))["name"] == "Henk de Vries"


def test_an_unknown_person_exits_1(run, example_vault: Path) -> None:
    result = run(example_vault, "export", "Hnek")
    assert result.exit_code == 1
    assert "Henk de Vries" in result.stderr  # did you mean
