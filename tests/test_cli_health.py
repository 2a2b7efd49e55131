"""`vaultcrm health`: the table, one person in full, JSON, on more than one day."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_network import FILES


@pytest.fixture
def vault(make_vault) -> Path:
    return make_vault(FILES)


def test_the_table(run, vault) -> None:
    result = run(vault, "health")
    assert result.exit_code == 0
    assert result.stdout == (
        "  person     rhythm   contacts/month  drift  promises            last win     growth idle  reached out\n"
        "  Ann Smit   4/6 14d  ▁▁▁▁▁▁▁▁▁▂▂▃    -      1 late · 2 overdue  40 days ago  Spanish      they 1 · you 1\n"
        "  Cas Klant  1/1 1m   ▁▁▁▁▁▁▁▁▁▁▁▂    -      -                   -            -\n"
        "  Iso Vrij   -        ▁▁▁▁▁▁▁▁▁▁▁▁    -      -                   -            -\n"
        "  Max Mol    1/1 7d   ▁▁▁▁▁▁▁▁▁▁▁▂    -      -                   -            -\n"
    )


def test_one_person_in_full(run, vault) -> None:
    result = run(vault, "health", "ann")
    assert result.exit_code == 0
    assert result.stdout == (
        "Ann Smit · direct report, Support\n"
        "  rhythm          rhythm kept 4 of 6 periods of 14d, since 2026-09-01\n"
        "  contacts/month  ▁▁▁▁▁▁▁▁▁▂▂▃  2025-11-23 – 2026-11-23, 4 contacts\n"
        "  drift           not due, next due 2026-11-24 · last contact 2026-11-10 (13 days ago)\n"
        "  promises        1 late · 2 overdue\n"
        "                    late 2026-11-03: Send the rota  people/Ann Smit.md:13\n"
        "                    overdue 2026-11-20: Book the course  people/Ann Smit.md:14\n"
        "                    overdue 2026-11-12: Ann: send the minutes  meetings/2026-11-10 Acme.md:6\n"
        "  recognition     last win 2026-10-14 (40 days ago)\n"
        "  growth          not followed up in 3 months: Spanish\n"
        "  reached out     they reached out 1 of 2 times\n"
        "  summary         rhythm kept 4 of 6 periods of 14d · 3 promises late"
        " · 1 growth wish not followed up\n"
    )


def test_a_month_later(run, vault, monkeypatch) -> None:
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-12-23")
    result = run(vault, "health", "ann", "--months", "6")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    # 14-day periods back from 23 Dec to the one holding 2 Sep, (19 Aug, 2 Sep]: 9; kept
    # those holding 2 Sep, 1 Oct and 3 and 10 Nov (one period): 3
    assert lines[1] == "  rhythm          rhythm kept 3 of 9 periods of 14d, since 2026-08-20"
    assert lines[2] == "  contacts/month  ▁▁▂▂▃▁  2026-06-23 – 2026-12-23, 4 contacts"
    # last contact 10 Nov + 14d = 24 Nov; no gap ended before mid-September: no trend
    assert lines[3] == "  drift           29 days overdue · last contact 2026-11-10 (43 days ago)"
    assert lines[8] == "  recognition     last win 2026-10-14 (70 days ago)"


def test_a_dutch_vault(run, make_vault) -> None:
    root = make_vault(FILES, config='locale = "nl"\n')
    result = run(root, "health", "ann")
    assert result.stdout.startswith(
        "Ann Smit · medewerker, Support\n"
        "  ritme          ritme gehouden 4 van 6 periodes van 14d, sinds 2026-09-01\n"
    )


def test_json(run, vault) -> None:
    result = run(vault, "health", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    ann = data["people"][0]
    assert ann["name"] == "Ann Smit"
    assert ann["rhythm"] == {"cadence": "14d", "kept": 4, "periods": 6, "since": "2026-09-01"}
    assert ann["promises"]["late"] == 1 and ann["reciprocity"] == {"theirs": 1, "mine": 1}
    assert ann["contacts_per_month"][-3:] == [1, 1, 2]
    assert data["today"] == "2026-11-23" and data["months"] == 12


@pytest.mark.parametrize(("args", "code"), [(["nobody"], 1), (["--months", "0"], 2)])
def test_errors(run, vault, args, code) -> None:
    assert run(vault, "health", *args).exit_code == code


def test_an_empty_vault(run, make_vault) -> None:
    result = run(make_vault({"notes/a.md": "x"}), "health")
    assert result.exit_code == 1
    assert result.stderr.endswith("No people in this vault yet.\n")


def test_the_example_vault_shows_every_rule(run, example_vault) -> None:
    result = run(example_vault, "health")
    assert result.exit_code == 0
    rows = {line.split("  ")[1]: line for line in result.stdout.splitlines()[1:]}
    assert "contact getting rarer" in rows["Noor Jansen"]
    assert "they 1 · you 5" in rows["Noor Jansen"]
    assert "1 on time" in rows["Ingrid Haugen"] and "1 late" in rows["Sander Vos"]
    assert "49 days ago" in rows["Pieter Smit"]  # the dated win of 5 October
    assert "leading a team, Spanish" in rows["Henk de Vries"]
