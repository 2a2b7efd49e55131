"""``vaultcrm agenda``: exact text, JSON, and exit 0 even when nothing is due."""

from __future__ import annotations

import json

HENK = """---
name: Henk de Vries
cadence: 14d
last_contact: 2026-11-01
birthday: 1978-11-25
family:
  - {name: Lisa, relation: daughter, birthday: 2009-12-31}
---
## Follow-ups
- [ ] Ask how the exam went ⏳ 2026-11-26
- [ ] Send the training request 📅 2026-11-20
- [ ] Book the lunch 📅 2026-11-24
"""
FATIMA = "---\nstarted: 2016-12-01\ncadence: 2w\nlast_contact: 2026-11-23\n---\n"
MEETING = "---\ndate: 2026-11-18\n---\nWith [[Fatima]].\n- [ ] Share the notes 📅 2026-11-23\n"


def test_the_agenda_as_text(make_vault, run) -> None:
    root = make_vault(
        {"people/Henk de Vries.md": HENK, "people/Fatima.md": FATIMA, "meetings/m.md": MEETING}
    )
    result = run(root, "agenda")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Due for a catch-up\n"
        "  Henk de Vries  8 days overdue  last contact 2026-11-01 (22 days ago), every 14d\n"
        "Coming up in the next 14 days\n"
        "  2026-11-25 Wed  in 2 days  Henk de Vries turns 48\n"
        "  2026-12-01 Tue  in 8 days  Fatima: 10 years of service\n"
        "Follow-ups\n"
        "  2026-11-20  3 days overdue  Send the training request (Henk de Vries)  people/Henk de Vries.md:11\n"
        "  2026-11-23  due today       Share the notes (Fatima)  meetings/m.md:5\n"
        "  2026-11-24  due tomorrow    Book the lunch (Henk de Vries)  people/Henk de Vries.md:12\n"
    )


def test_days_widens_the_window_over_new_year(make_vault, run) -> None:
    root = make_vault({"people/Henk de Vries.md": HENK})
    lines = run(root, "agenda", "--days", "40").stdout.splitlines()
    assert "  2026-12-31 Thu  in 38 days  🔒 Lisa (daughter of Henk de Vries) turns 17" in lines


def test_json_is_one_document(make_vault, run) -> None:
    root = make_vault({"people/Henk de Vries.md": HENK, "people/Fatima.md": FATIMA})
    result = run(root, "agenda", "--days", "7", "--json")
    data = json.loads(result.stdout)
    assert (data["today"], data["days"]) == ("2026-11-23", 7)
    assert [d["name"] for d in data["due"]] == ["Henk de Vries"]
    assert [(d["kind"], d["who"], d["years"]) for d in data["dates"]] == [
        ("birthday", "Henk de Vries", 48)
    ]
    assert [(f["text"], f["line"]) for f in data["follow_ups"]] == [
        ("Send the training request", 11),
        ("Book the lunch", 12),
    ]


def test_nothing_due_is_still_success(make_vault, run) -> None:
    root = make_vault({"people/Quiet.md": "---\nrole: none\n---\n"})
    result = run(root, "agenda")
    assert (result.exit_code, result.stdout) == (0, "Nothing due.\n")
    result = run(root, "agenda", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "today": "2026-11-23",
        "days": 14,
        "meetings": [],
        "due": [],
        "dates": [],
        "follow_ups": [],
    }


def test_a_negative_window_is_a_usage_error(make_vault, run) -> None:
    result = run(make_vault({}), "agenda", "--days", "-1")
    assert result.exit_code == 2


def test_vaultcrm_today_moves_the_agenda(make_vault, run, monkeypatch) -> None:
    root = make_vault({"people/Lucas.md": "---\nbirthday: 1988-02-29\n---\n"})
    monkeypatch.setenv("VAULTCRM_TODAY", "2027-02-27")
    assert "2027-02-28 Sun  tomorrow  Lucas turns 39" in run(root, "agenda").stdout
    monkeypatch.setenv("VAULTCRM_TODAY", "2028-02-27")
    assert "2028-02-29 Tue  in 2 days  Lucas turns 40" in run(root, "agenda").stdout


def test_the_example_vault_agenda(example_vault, run) -> None:
    result = run(example_vault, "agenda")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "  2026-12-01 Tue  in 8 days   Fatima El Amrani: 10 years of service\n" in out
    assert "  2026-12-05 Sat  in 12 days  🔒 Yusuf (son of Fatima El Amrani) turns 7\n" in out
    assert "tentamen" not in out  # scheduled for after the exam
    assert "Leiderschapstraining voorjaar 2027" in out


def test_one_day_is_singular_and_links_read_as_their_label(make_vault, run) -> None:
    root = make_vault(
        {
            "people/Henk.md": "---\ncadence: 7d\nlast_contact: 2026-11-15\n---\n"
            "- [ ] Ask [[Anouk Peters|HR]] about the course 📅 2026-11-22\n",
            "people/Anouk Peters.md": "",
        }
    )
    out = run(root, "agenda").stdout
    assert "  Henk  1 day overdue  last contact 2026-11-15 (8 days ago), every 7d\n" in out
    assert "  2026-11-22  1 day overdue  Ask HR about the course (Henk)" in out
    assert "[[" not in out and "1 days" not in out


def test_the_agenda_follows_the_vaults_locale(make_vault, run) -> None:
    root = make_vault(
        {"people/Henk de Vries.md": HENK, "people/Fatima.md": FATIMA, "meetings/m.md": MEETING},
        config='locale = "nl"\n',
    )
    result = run(root, "agenda")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Tijd voor contact\n"
        "  Henk de Vries  8 dagen over tijd  laatste contact 2026-11-01 (22 dagen geleden), elke 14d\n"
        "Binnenkort, de komende 14 dagen\n"
        "  2026-11-25 wo  over 2 dagen  Henk de Vries wordt 48\n"
        "  2026-12-01 di  over 8 dagen  Fatima: 10 jaar in dienst\n"
        "Opvolgen\n"
        "  2026-11-20  3 dagen over tijd  Send the training request (Henk de Vries)  people/Henk de Vries.md:11\n"
        "  2026-11-23  uiterlijk vandaag  Share the notes (Fatima)  meetings/m.md:5\n"
        "  2026-11-24  uiterlijk morgen   Book the lunch (Henk de Vries)  people/Henk de Vries.md:12\n"
    )
    assert run(root, "agenda", "--days", "3").stdout.endswith("Henk de Vries.md:12\n")
