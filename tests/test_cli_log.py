"""``vaultcrm log``: one line added, the newest contact at once, two writers both land."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HENK = (
    "\ufeff---\r\n"
    "name: Henk de Vries   # the name\r\n"
    "aliases: [Henk]\r\n"
    "cadence: 14d\r\n"
    "last_contact: 2026-10-01\r\n"
    "---\r\n"
    "# Henk de Vries\r\n"
    "\r\n"
    "## Logboek\r\n"
    "- 2026-10-01: coffee  \r\n"
    "\r\n"
    "## Successen\r\n"
    "- fixed the outage"  # no final newline
)


@pytest.fixture
def vault(make_vault) -> Path:
    return make_vault({"people/Henk de Vries.md": HENK.encode(), "people/Henk Jansen.md": "x\n"})


def test_log_adds_one_line_and_prints_where(vault: Path, run) -> None:
    result = run(vault, "log", "Henk de", "Talked about Lisa's exam")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Logged for Henk de Vries  people/Henk de Vries.md:11\n"
        "    - 2026-11-23: Talked about Lisa's exam\n"
    )
    after = (vault / "people/Henk de Vries.md").read_bytes()
    assert (
        after
        == HENK.replace(
            "- 2026-10-01: coffee  \r\n",
            "- 2026-10-01: coffee  \r\n- 2026-11-23: Talked about Lisa's exam\r\n",
        ).encode()
    )


def test_the_entry_is_the_newest_contact_in_people_and_agenda(vault: Path, run) -> None:
    assert "Henk de Vries" in run(vault, "agenda", "--json").stdout  # overdue before
    assert run(vault, "log", "Henk de", "catch-up", "--date", "-1d").exit_code == 0
    people = {p["name"]: p for p in json.loads(run(vault, "people", "--json").stdout)}
    assert people["Henk de Vries"]["last_contact"] == "2026-11-22"
    agenda = json.loads(run(vault, "agenda", "--json").stdout)
    assert [d["name"] for d in agenda["due"]] == []


def test_a_follow_up_with_a_due_date(vault: Path, run) -> None:
    result = run(
        vault, "log", "Henk de", "Ask how the exam went", "--follow-up", "--date", "2026-11-27"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "    - [ ] Ask how the exam went 📅 2026-11-27"
    text = (vault / "people/Henk de Vries.md").read_bytes().decode("utf-8-sig")
    assert text.endswith(
        "- fixed the outage\r\n\r\n## Follow-ups\r\n- [ ] Ask how the exam went 📅 2026-11-27"
    )
    agenda = json.loads(run(vault, "agenda", "--json").stdout)
    assert [(f["text"], f["due"]) for f in agenda["follow_ups"]] == [
        ("Ask how the exam went", "2026-11-27")
    ]


def test_a_log_is_created_in_the_vault_locale(make_vault, run) -> None:
    root = make_vault(
        {"people/Sanne.md": "---\nname: Sanne\n---\nNotes.\n"}, config='locale = "nl"\n'
    )
    run(root, "log", "sanne", "Koffie")
    assert (
        root / "people/Sanne.md"
    ).read_text() == "---\nname: Sanne\n---\nNotes.\n\n## Logboek\n- 2026-11-23: Koffie\n"


def test_line_breaks_in_text_are_joined(vault: Path, run) -> None:
    result = run(vault, "log", "Henk de", "first line\nsecond line")
    assert result.stdout.splitlines()[1] == "    - 2026-11-23: first line second line"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("log", "Hen", "x"),
            2,
            "'Hen' matches several people; say which:\n  Henk de Vries (people/Henk de Vries.md)\n  Henk Jansen (people/Henk Jansen.md)\n",
        ),
        (
            ("log", "Hank de Vries", "x"),
            1,
            "No person called 'Hank de Vries'. Did you mean: Henk de Vries",
        ),
        (("log", "Henk de", "  "), 2, "vaultcrm: nothing to log: TEXT is empty\n"),
        (
            ("log", "Henk de", "x", "--date", "2026-12-01"),
            2,
            "vaultcrm: 2026-12-01 is in the future",
        ),
        (("log", "Henk de", "x", "--date", "someday"), 2, "vaultcrm: 'someday' is not a date"),
    ],
)
def test_refusals_leave_the_note_alone(vault: Path, run, args, code, message) -> None:
    result = run(vault, *args)
    assert result.exit_code == code
    assert result.stderr.startswith(message)
    assert (vault / "people/Henk de Vries.md").read_bytes() == HENK.encode()


def test_two_log_processes_at_once_both_land(vault: Path) -> None:
    """Real processes of the installed entry point, started together on one note."""
    exe = Path(sys.executable).with_name("vaultcrm")
    assert exe.exists(), exe
    env = {**os.environ, "VAULTCRM_VAULT": str(vault), "VAULTCRM_TODAY": "2026-11-23"}
    procs = [
        subprocess.Popen(
            [str(exe), "log", "Henk de Vries", f"entry {i}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(4)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, outputs
    text = (vault / "people/Henk de Vries.md").read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    log = lines[lines.index("## Logboek") + 1 : lines.index("## Successen")]
    assert sorted(log[1:5]) == [f"- 2026-11-23: entry {i}" for i in range(4)]
    assert log[0] == "- 2026-10-01: coffee  " and log[5] == ""
    assert sorted(os.listdir(vault / "people")) == ["Henk Jansen.md", "Henk de Vries.md"]


def test_log_on_the_example_vault(example_vault: Path, run) -> None:
    note = example_vault / "people/Henk de Vries.md"
    before = note.read_bytes()
    result = run(example_vault, "log", "henk", "Lisa's exam went well")
    assert result.exit_code == 0, result.output
    after = note.read_bytes()
    # Henk's log is kept newest first, so the entry goes on top
    marker = b"## Logboek\n"
    assert after == before.replace(marker, marker + b"- 2026-11-23: Lisa's exam went well\n")
    people = {p["name"]: p for p in json.loads(run(example_vault, "people", "--json").stdout)}
    assert people["Henk de Vries"]["last_contact"] == "2026-11-23"


@pytest.mark.parametrize(
    ("given", "due"),
    [("tomorrow", "2026-11-24"), ("morgen", "2026-11-24"), ("+3d", "2026-11-26")],
)
def test_a_follow_up_can_be_due_in_days_ahead(run, make_vault, given: str, due: str) -> None:
    root = make_vault({"people/Henk.md": "---\nname: Henk\n---\n"})
    result = run(root, "log", "henk", "Call back", "--follow-up", "--date", given)
    assert result.exit_code == 0, result.output
    assert f"- [ ] Call back \U0001f4c5 {due}" in (root / "people/Henk.md").read_text("utf-8")


@pytest.mark.parametrize("given", ["", "soon", "+d", "3d"])
def test_a_date_that_is_none_is_a_usage_error(run, make_vault, given: str) -> None:
    root = make_vault({"people/Henk.md": ""})
    result = run(root, "log", "henk", "x", "--date", given)
    assert result.exit_code == 2
    assert "is not a date: use YYYY-MM-DD, today, yesterday, tomorrow, -3d or +3d" in result.stderr
