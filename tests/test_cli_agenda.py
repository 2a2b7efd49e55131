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


# ---------------------------------------------------------------- --by health

# Three people due, in health order not their due order. Their scores (health.py's
# rules, 40 rhythm + 20 not overdue + 20 promises + 10 trend + 5 win + 5 growth):
# Carla 1 of 2 months kept (20) + 22 of 31 days overdue (5.8) + 40 = 66, from a meeting
# note that links her (her own note has no contact); Anna 1 of 2 periods (20) + 4 of 14
# days (14.3) + a promise overdue (15) + 20 = 69; Bert 3 of 4 (30) + 8 of 14 (8.6) + 40 = 79.
BY_HEALTH = {
    "people/Anna.md": "---\ncadence: 14d\n---\n## Log\n- 2026-11-05: koffie\n"
    "## Follow-ups\n- [ ] Send the report 📅 2026-11-10\n",
    "people/Bert.md": "---\ncadence: 14d\n---\n## Log\n- 2026-10-04: lunch\n"
    "- 2026-10-18: 1:1\n- 2026-11-01: 1:1\n",
    "people/Carla.md": "---\ncadence: 1m\n---\n",
    "meetings/2026-10-01 sync.md": "---\ndate: 2026-10-01\n---\nSync with [[Carla]].\n",
    "people/Dirk.md": "---\ncadence: 1m\nlast_contact: 2026-11-20\n---\n",  # not due
}


def test_by_health_orders_who_is_due_worst_first_with_the_score(make_vault, run) -> None:
    root = make_vault(BY_HEALTH)
    assert run(root, "agenda").stdout.startswith(
        "Due for a catch-up\n"
        "  Carla  22 days overdue  last contact 2026-10-01 (53 days ago), every 1m\n"
        "  Bert   8 days overdue   last contact 2026-11-01 (22 days ago), every 14d\n"
        "  Anna   4 days overdue   last contact 2026-11-05 (18 days ago), every 14d\n"
    )
    result = run(root, "agenda", "--by", "health")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Due for a catch-up, weakest relationship first\n"
        "  Carla  health 66  22 days overdue  last contact 2026-10-01 (53 days ago), every 1m\n"
        "  Anna   health 69  4 days overdue   last contact 2026-11-05 (18 days ago), every 14d\n"
        "  Bert   health 79  8 days overdue   last contact 2026-11-01 (22 days ago), every 14d\n"
        "Follow-ups\n"
        "  2026-11-10  13 days overdue  Send the report (Anna)  people/Anna.md:7\n"
    )


def test_by_health_as_json_and_in_dutch(make_vault, run) -> None:
    root = make_vault(BY_HEALTH, config='locale = "nl"\n')
    data = json.loads(run(root, "agenda", "--by", "health", "--json").stdout)
    assert [(d["name"], d["health"], d["overdue_days"]) for d in data["due"]] == [
        ("Carla", 66, 22),
        ("Anna", 69, 4),
        ("Bert", 79, 8),
    ]
    assert "health" not in json.loads(run(root, "agenda", "--json").stdout)["due"][0]
    lines = run(root, "agenda", "--by", "health").stdout.splitlines()
    assert lines[:2] == [
        "Tijd voor contact, zwakste band eerst",
        "  Carla  gezondheid 66  22 dagen over tijd  laatste contact 2026-10-01 (53 dagen geleden), elke 1m",
    ]


def test_by_health_agrees_with_the_health_command(example_vault, run) -> None:
    health = json.loads(run(example_vault, "health", "--json").stdout)
    scores = {p["name"]: p["score"] for p in health["people"]}
    due = json.loads(run(example_vault, "agenda", "--by", "health", "--json").stdout)["due"]
    assert len(due) > 3
    assert [(d["name"], d["health"]) for d in due] == [(d["name"], scores[d["name"]]) for d in due]
    assert [d["health"] for d in due] == sorted(d["health"] for d in due)


def test_by_must_be_due_or_health(make_vault, run) -> None:
    result = run(make_vault({}), "agenda", "--by", "name")
    assert result.exit_code == 2
    assert "'due'" in result.output and "'health'" in result.output
