"""`vaultcrm network`: exit codes and exact output on a vault made here.

Ann (a report in Support, Max's) shared a meeting with Cas of Acme (a client) on
10 November; Iso, a freelancer, has no line to anyone. So Ann is the bridge between
Support and Acme, and the one who can introduce Max to Cas.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FILES = {
    "people/Ann Smit.md": (
        '---\nrelation: report\nteam: Support\nmanager: "[[Max Mol]]"\ncadence: 14d\n'
        "growth: [Spanish]\n---\n"
        "## Log\n- 2026-09-02: ← she asked for a 1:1\n- 2026-10-01: 1:1\n- 2026-11-03: → lunch\n"
        "## Follow-ups\n- [x] Send the rota 📅 2026-11-01 ✅ 2026-11-03\n"
        "- [ ] Book the course 📅 2026-11-20\n"
        "## Wins\n- 2026-10-14: shipped the FAQ\n"
    ),
    "people/Max Mol.md": (
        "---\nrelation: manager\nteam: Support\ncadence: 7d\ninfluence: high\ninterest: high\n"
        "---\n## Log\n- 2026-11-19: 1:1\n"
    ),
    "people/Cas Klant.md": (
        "---\nrelation: client\nteam: Acme\ncadence: 1m\ninfluence: high\ninterest: medium\n---\n"
    ),
    "people/Iso Vrij.md": "---\nrelation: freelancer\n---\n",
    "meetings/2026-11-10 Acme.md": (
        '---\ndate: 2026-11-10\ntype: meeting\nattendees: ["[[Ann Smit]]", "[[Cas Klant]]"]\n'
        "---\n- [ ] Ann: send the minutes 📅 2026-11-12\n"
    ),
}


@pytest.fixture
def vault(make_vault) -> Path:
    return make_vault(FILES)


def test_the_whole_network(run, vault) -> None:
    result = run(vault, "network")
    assert result.exit_code == 0
    assert result.stdout == (
        "4 people, 2 lines, 2 connected groups\n"
        "No line to anyone: Iso Vrij\n"
        "Bridges: who holds the lines between teams, inside and outside\n"
        "  Ann Smit  0.33  reaches Acme, Support; without them Cas Klant loses every line"
        " to the rest; Acme cut off\n"
        "Clusters\n"
        "  1.  Ann Smit, Cas Klant, Max Mol  Support 2, Acme 1\n"
        "Outside parties: teams with no line to them\n"
        "  Iso Vrij  no line from Support\n"
        "No fresh line\n"
        "  Iso Vrij    no contact yet\n"
        "Stakeholder grid\n"
        "  Manage closely  Max Mol\n"
        "  Keep satisfied  Cas Klant\n"
        "  Keep informed   -\n"
        "  Monitor         -\n"
        "  2 people without influence: and interest:\n"
    )


def test_later_more_lines_go_stale(run, vault, monkeypatch) -> None:
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-12-15")
    result = run(vault, "network")
    assert result.exit_code == 0
    stale = result.stdout.split("No fresh line\n")[1].split("Stakeholder grid\n")[0]
    assert stale == (
        "  Ann Smit   21 days overdue  last contact 2026-11-10 (35 days ago)\n"
        "  Max Mol    19 days overdue  last contact 2026-11-19 (26 days ago)\n"
        "  Cas Klant  5 days overdue   last contact 2026-11-10 (35 days ago)\n"
        "  Iso Vrij                    no contact yet\n"
    )
    assert "  Manage closely  Max Mol (19 days overdue)\n" in result.stdout


def test_a_neighbourhood(run, vault) -> None:
    result = run(vault, "network", "ann")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "Ann Smit: lines up to 1 away\n"
        "  direct report, Support · last contact 2026-11-10 (13 days ago)\n"
        "Lines\n"
        "  Max Mol    reports to\n"
        "  Cas Klant  1 meeting   2026-11-10\n"
    )
    assert "Iso Vrij" not in result.stdout
    assert run(vault, "network", "max", "--depth", "0").stdout.startswith(
        "Max Mol: lines up to 0 away\n  manager, Support · last contact 2026-11-19 (4 days ago)\n"
    )


def test_who_can_introduce(run, vault) -> None:
    result = run(vault, "network", "--path", "max", "cas")
    assert result.exit_code == 0
    assert result.stdout == (
        "Who can introduce Max Mol to Cas Klant\n"
        "  1. Max Mol → Ann Smit → Cas Klant  (via Ann Smit)\n"
        "       Max Mol – Ann Smit: manages\n"
        "       Ann Smit – Cas Klant: 1 meeting  2026-11-10\n"
        "You: Max Mol last contact 2026-11-19 (4 days ago);"
        " Cas Klant last contact 2026-11-10 (13 days ago)\n"
    )


def test_no_path_exits_1(run, vault) -> None:
    result = run(vault, "network", "--path", "max", "iso")
    assert result.exit_code == 1
    assert result.stderr.endswith("No line runs from Max Mol to Iso Vrij.\n")


def test_the_grid_alone(run, vault) -> None:
    result = run(vault, "network", "--grid")
    assert (result.exit_code, result.stdout) == (
        0,
        "Stakeholder grid\n"
        "  Manage closely  Max Mol\n"
        "  Keep satisfied  Cas Klant\n"
        "  Keep informed   -\n"
        "  Monitor         -\n"
        "  2 people without influence: and interest:\n",
    )
    data = json.loads(run(vault, "network", "--grid", "--format", "json").stdout)
    assert [e["name"] for e in data["keep_satisfied"]] == ["Cas Klant"]


def test_a_dutch_vault(run, make_vault) -> None:
    root = make_vault(FILES, config='locale = "nl"\n')
    result = run(root, "network", "--grid")
    assert result.stdout.startswith("Stakeholderkaart\n  Nauw betrekken   Max Mol\n")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["nobody"], 1),
        (["--path", "ann", "nobody"], 1),
        (["--path", "ann", "ann"], 2),
        (["--depth", "2"], 2),  # --depth needs NAME
        (["ann", "--path", "max", "cas"], 2),
        (["--grid", "--format", "html"], 2),
        (["--force"], 2),
        (["--format", "svg"], 2),
    ],
)
def test_usage_errors_and_unknown_people(run, vault, args, code) -> None:
    result = run(vault, "network", *args)
    assert result.exit_code == code
    assert "Traceback" not in result.output


def test_json_is_one_document(run, vault) -> None:
    result = run(vault, "network", "--format", "json")
    data = json.loads(result.stdout)
    assert data["people"] == 4 and data["isolated"] == ["Iso Vrij"]
    assert [b["name"] for b in data["bridges"]] == ["Ann Smit"]
    edge = next(e for e in data["edges"] if e["reports_to"])
    assert edge["ties"][0]["kind"] == "manager"


def test_mermaid_and_dot_to_stdout(run, vault) -> None:
    mermaid = run(vault, "network", "--format", "mermaid").stdout
    assert mermaid.startswith("```mermaid\ngraph LR\n") and mermaid.endswith("```\n")
    assert "  n1 --> n4\n" in mermaid  # Ann reports to Max
    dot = run(vault, "network", "--format", "dot").stdout
    assert dot.startswith("graph vaultcrm {\n") and "n1 -- n4 [" in dot


def test_out_writes_a_file_and_refuses_to_overwrite(run, vault, tmp_path) -> None:
    target = tmp_path / "net.html"
    result = run(vault, "network", "--format", "html", "--out", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.endswith(f"Wrote {target}\n")
    page = target.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    again = run(vault, "network", "--format", "html", "--out", str(target))
    assert again.exit_code == 2
    assert target.read_text("utf-8") == page
    forced = run(vault, "network", "--format", "mermaid", "--out", str(target), "--force")
    assert forced.exit_code == 0 and target.read_text("utf-8").startswith("```mermaid")
