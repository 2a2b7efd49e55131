"""The agenda's three lists, and the calendar edge cases of the dates it shows."""

from __future__ import annotations

import datetime as dt

import pytest

from vaultcrm.features.agenda import build_agenda, due_contacts, open_follow_ups, upcoming_dates
from vaultcrm.model.notes import parse_note
from vaultcrm.model.people import Directory, contacts, person_from_note
from vaultcrm.store.vault import Vault


def person(name: str, front: str, body: str = ""):
    note = parse_note(f"people/{name}.md", f"---\n{front}\n---\n{body}".encode())
    return person_from_note(note)


def dates_of(people, today: str, days: int = 14) -> list[tuple[str, str, str, int | None]]:
    events = upcoming_dates(people, dt.date.fromisoformat(today), days)
    return [(e.date.isoformat(), e.kind, e.who, e.years) for e in events]


# ---------------------------------------------------------------- dates


def test_birthday_with_the_age_turned() -> None:
    henk = person("Henk", "birthday: 1978-04-12")
    assert dates_of([henk], "2026-04-01") == [("2026-04-12", "birthday", "Henk", 48)]
    assert dates_of([henk], "2026-04-12") == [("2026-04-12", "birthday", "Henk", 48)]  # today
    assert dates_of([henk], "2026-04-13") == []  # just past: next year is out of the window


def test_a_birthday_without_a_year_has_no_age() -> None:
    ingrid = person("Ingrid", 'birthday: "--07-19"')
    assert dates_of([ingrid], "2026-07-10") == [("2026-07-19", "birthday", "Ingrid", None)]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2027-02-20", ("2027-02-28", 39)),  # common year: 28 February
        ("2028-02-20", ("2028-02-29", 40)),  # leap year: the day itself
        ("2028-02-29", ("2028-02-29", 40)),
    ],
)
def test_29_february_falls_on_28_february_in_a_common_year(today, expected) -> None:
    lucas = person("Lucas", "birthday: 1988-02-29")
    assert dates_of([lucas], today) == [(expected[0], "birthday", "Lucas", expected[1])]


def test_29_february_without_a_year() -> None:
    leap = person("Leap", 'birthday: "--02-29"')
    assert dates_of([leap], "2027-02-27") == [("2027-02-28", "birthday", "Leap", None)]
    assert dates_of([leap], "2027-03-01", days=365) == [("2028-02-29", "birthday", "Leap", None)]


def test_the_window_runs_over_new_year() -> None:
    people = [
        person("Noor", "birthday: 1987-01-03"),
        person("Zoe", "birthday: 1975-12-30"),
        person("Late", "birthday: 1990-01-20"),
    ]
    assert dates_of(people, "2026-12-25") == [
        ("2026-12-30", "birthday", "Zoe", 51),
        ("2027-01-03", "birthday", "Noor", 40),  # the age in the new year
    ]


def test_work_anniversaries_count_years_of_service() -> None:
    fatima = person("Fatima", "started: 2016-12-01")
    assert dates_of([fatima], "2026-11-23") == [("2026-12-01", "anniversary", "Fatima", 10)]
    new_hire = person("New", "started: 2026-11-30")  # their first day is not an anniversary
    assert dates_of([new_hire], "2026-11-23") == []
    assert dates_of([new_hire], "2027-11-23") == [("2027-11-30", "anniversary", "New", 1)]


def test_an_anniversary_started_on_29_february() -> None:
    leap = person("Leap", "started: 2016-02-29")
    assert dates_of([leap], "2026-02-20") == [("2026-02-28", "anniversary", "Leap", 10)]


def test_family_birthdays_name_the_relation() -> None:
    fatima = person(
        "Fatima",
        "family:\n  - {name: Yusuf, relation: son, birthday: 2019-12-05}\n"
        "  - {name: Roos, relation: daughter, birthday: 2026-11-30}\n  - {name: Sam}",
    )
    events = upcoming_dates([fatima], dt.date(2026, 11, 23), 14)
    assert [(e.who, e.relation, e.of, e.years, e.kind) for e in events] == [
        ("Yusuf", "son", "Fatima", 7, "family_birthday")  # Roos is born then: no birthday yet
    ]


def test_a_window_of_zero_days_is_today_only() -> None:
    henk = person("Henk", "birthday: 1978-11-23\nstarted: 2015-11-24")
    assert dates_of([henk], "2026-11-23", days=0) == [("2026-11-23", "birthday", "Henk", 48)]


# ---------------------------------------------------------------- due by cadence


def test_overdue_people_most_overdue_first() -> None:
    today = dt.date(2026, 11, 23)
    people = [
        person("A", "cadence: 14d\nlast_contact: 2026-11-01"),  # due 11-15: 8 days
        person("B", "cadence: 1m\nlast_contact: 2026-09-01"),  # due 10-01: 53 days
        person("C", "cadence: 7d", "## Log\n- 2026-11-16: talked\n"),  # due today
        person("D", "cadence: 1q\nlast_contact: 2026-11-01"),  # not due
        person("E", "last_contact: 2020-01-01"),  # no cadence: never due
    ]
    rows = due_contacts(people, contacts(Directory(people), [], today), today)
    assert [(r.name, r.overdue_days, r.due.isoformat()) for r in rows] == [
        ("B", 53, "2026-10-01"),
        ("A", 8, "2026-11-15"),
        ("C", 0, "2026-11-23"),
    ]


# ---------------------------------------------------------------- follow-ups


def test_follow_ups_due_in_the_window_scheduled_ones_only_from_their_day() -> None:
    body = (
        "- [ ] overdue 📅 2026-11-01\n"
        "- [ ] due in the window 📅 2026-12-07\n"
        "- [ ] due after the window 📅 2026-12-08\n"
        "- [ ] after the exam ⏳ 2026-11-26\n"
        "- [ ] scheduled later, due soon ⏳ 2026-11-26 📅 2026-11-24\n"
        "- [ ] its day has come ⏳ 2026-11-23\n"
        "- [ ] no date at all\n"
        "- [x] done 📅 2026-11-01\n"
    )
    note = parse_note("people/Henk.md", f"---\nname: Henk\n---\n{body}".encode())
    henk = person_from_note(note)
    rows = open_follow_ups([note], Directory([henk]), dt.date(2026, 11, 23), 14)
    assert [(r.text, r.line, r.overdue_days, r.people) for r in rows] == [
        ("overdue", 4, 22, ("Henk",)),
        ("its day has come", 9, None, ("Henk",)),
        ("due in the window", 5, None, ("Henk",)),
    ]


def test_a_follow_up_in_a_meeting_note_names_the_people_it_links() -> None:
    henk = person("Henk de Vries", "aliases: [Henk]")
    meeting = parse_note(
        "meetings/2026-11-10 1-1 Henk.md", "With [[Henk]].\n- [ ] send it 📅 2026-11-24\n".encode()
    )
    rows = open_follow_ups([meeting], Directory([henk]), dt.date(2026, 11, 23), 14)
    assert [(r.path, r.line, r.people) for r in rows] == [
        ("meetings/2026-11-10 1-1 Henk.md", 2, ("Henk de Vries",))
    ]


# ---------------------------------------------------------------- the whole agenda


def test_build_agenda_from_a_vault(make_vault) -> None:
    root = make_vault(
        {
            "people/Henk.md": "---\ncadence: 14d\nlast_contact: 2026-11-01\n"
            "birthday: 1978-11-25\n---\n- [ ] ask 📅 2026-11-24\n",
            "people/Quiet.md": "---\nrole: none\n---\n",
        }
    )
    agenda = build_agenda(Vault(root), days=7, today=dt.date(2026, 11, 23))
    assert agenda.today == dt.date(2026, 11, 23)
    assert agenda.to_dict() == {
        "today": "2026-11-23",
        "days": 7,
        "meetings": [],
        "due": [
            {
                "name": "Henk",
                "path": "people/Henk.md",
                "cadence": "14d",
                "last_contact": "2026-11-01",
                "last_contact_source": "notes",
                "due": "2026-11-15",
                "overdue_days": 8,
            }
        ],
        "dates": [
            {
                "date": "2026-11-25",
                "days_until": 2,
                "kind": "birthday",
                "who": "Henk",
                "person": "Henk",
                "path": "people/Henk.md",
                "relation": "",
                "years": 48,
                "private": False,
            }
        ],
        "follow_ups": [
            {
                "text": "ask",
                "path": "people/Henk.md",
                "line": 6,
                "due": "2026-11-24",
                "scheduled": None,
                "people": ["Henk"],
                "overdue_days": None,
                "private": False,
                "surprise": False,
            }
        ],
    }


def test_the_example_vault_agenda(example_vault) -> None:
    agenda = build_agenda(Vault(example_vault), today=dt.date(2026, 11, 23))
    dates = [(e.date.isoformat(), e.who, e.years) for e in agenda.dates]
    assert ("2026-12-01", "Fatima El Amrani", 10) in dates  # 10 years on 1 December
    assert ("2026-12-05", "Yusuf", 7) in dates
    overdue = [d.overdue_days for d in agenda.due]
    assert overdue and overdue == sorted(overdue, reverse=True)  # most overdue first
    texts = [f.text for f in agenda.follow_ups]
    # Henk's "ask how the exam went" is scheduled after the exam (26 Nov): not yet
    assert not any("tentamen" in t for t in texts)
    henk = [f for f in agenda.follow_ups if f.path == "people/Henk de Vries.md"]
    assert [(f.due.isoformat(), f.line) for f in henk] == [("2026-12-04", 44)]


SANNES_CAKE = ("people/Sanne de Groot.md", 37)
FATIMAS_LUNCH = ("people/Fatima El Amrani.md", 39)


@pytest.mark.parametrize("day", ["2026-11-23", "2026-12-01", "2027-01-15"])
def test_agenda_and_prep_agree_on_whom_a_task_is_about(example_vault, day: str) -> None:
    # One rule (people.task_people) decides it for both: a task on the agenda names the
    # people on whose sheets it is, and a sheet's dated follow-ups are on the agenda
    # under that person's name.
    import datetime as dt

    from vaultcrm.features.prep import build_sheet

    today = dt.date.fromisoformat(day)
    vault = Vault(example_vault)
    agenda = build_agenda(vault, days=3660, today=today)
    by_task = {(f.path, f.line): set(f.people) for f in agenda.follow_ups}
    # ... except a #surprise, which is kept from the sheet of the one it is for
    kept_from = {"Sanne de Groot": {SANNES_CAKE}, "Fatima El Amrani": {FATIMAS_LUNCH}}
    for person in sorted(p.stem for p in (example_vault / "people").glob("*.md")):
        sheet = build_sheet(vault, [person], today=today).person
        dated = {(f.path, f.line) for f in sheet.to_raise if f.due or f.scheduled}
        listed = {key for key, people in by_task.items() if sheet.name in people}
        listed -= kept_from.get(sheet.name, set())
        assert dated == listed, sheet.name
    assert by_task[("daily/2026-11-20.md", 12)] == set()  # your own to-do in a daily note


# ---------------------------------------------------------------- by health


@pytest.mark.parametrize("day", ["2026-11-23", "2026-12-20", "2027-03-01"])
def test_by_health_is_the_health_report_s_order_of_those_due(example_vault, day: str) -> None:
    from vaultcrm.features.health import health_order, health_report

    today = dt.date.fromisoformat(day)
    vault = Vault(example_vault)
    agenda = build_agenda(vault, today=today, by="health")
    due = build_agenda(vault, today=today).due
    rated = {h.path: h for h in health_report(vault, today).people}
    expected = sorted(due, key=lambda r: health_order(rated[r.path]))
    assert agenda.due == tuple(expected)
    assert agenda.health == tuple(rated[r.path].score for r in expected)


def test_by_health_reads_only_the_notes_of_those_due(example_vault) -> None:
    """Proportional: their own notes and the notes linking them, never all notes."""
    from fake_engine import FakeEngine

    class Counting(FakeEngine):
        def __init__(self, vault):
            super().__init__(vault)
            self.asked: list[str] = []

        def notes(self, kind=None):
            raise AssertionError("the agenda reads no whole-vault list of notes")

        def note(self, path):
            self.asked.append(path)
            return super().note(path)

    vault = Vault(example_vault)
    engine = Counting(vault)
    agenda = build_agenda(vault, today=dt.date(2026, 11, 23), engine=engine, by="health")
    assert sorted(engine.asked) == sorted(r.path for r in agenda.due)
    assert build_agenda(vault, today=dt.date(2026, 11, 23), engine=Counting(vault)).health == ()


def test_by_must_be_due_or_health(make_vault) -> None:
    from vaultcrm.errors import UsageError

    with pytest.raises(UsageError, match="--by"):
        build_agenda(Vault(make_vault({})), by="name")
