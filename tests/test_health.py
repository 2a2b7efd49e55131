"""Relationship health (issue 17): a known figure for every rule, on several days.

Each vault here is made so the answer can be counted by hand; the comments do the
counting. Nothing is asserted on one pinned day only: every rule is checked on a few
"todays", because a health figure is a function of the day.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import on, read_vault

from vaultcrm.features.health import (
    Health,
    assess_vault,
    count_by_month,
    direction,
    health_line,
    health_order,
    health_report,
    health_score,
    order_by_health,
    sparkline,
    task_state,
    win_date,
)
from vaultcrm.model.notes import Task
from vaultcrm.present.words import language
from vaultcrm.store.vault import Vault

EN, NL = language("en"), language("nl")


def monthly_log(days: list[str]) -> str:
    return "## Log\n" + "".join(f"- {d}: catch-up\n" for d in days)


# Ann: cadence 1m, a contact on the 10th of every month from Dec 2025 to Nov 2026, except
# March, April and May 2026.
ANN_DAYS = [
    "2025-12-10",
    "2026-01-10",
    "2026-02-10",
    "2026-06-10",
    "2026-07-10",
    "2026-08-10",
    "2026-09-10",
    "2026-10-10",
    "2026-11-10",
]

FILES = {
    "people/Ann Smit.md": "---\ncadence: 1m\n---\n" + monthly_log(ANN_DAYS),
    # Every 14 days all year: a steady rhythm.
    "people/Steady Sam.md": "---\ncadence: 2w\n---\n"
    + monthly_log([(on("2025-11-30") + dt.timedelta(days=14 * i)).isoformat() for i in range(26)]),
    # Every 14 days until mid-May, then 1 July and 1 September only: rarer.
    "people/Rare Rik.md": "---\ncadence: 2w\n---\n"
    + monthly_log(
        [(on("2025-12-01") + dt.timedelta(days=14 * i)).isoformat() for i in range(13)]
        + ["2026-07-01", "2026-09-01"]
    ),
    # Monthly until mid-May, then weekly from 25 May: more often.
    "people/Often Olga.md": "---\ncadence: 1m\n---\n"
    + monthly_log(
        ["2025-12-15", "2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15", "2026-05-15"]
        + [(on("2026-05-25") + dt.timedelta(days=7 * i)).isoformat() for i in range(27)]
    ),
    # Only the recent half: too new to have a trend.
    "people/New Nina.md": "---\ncadence: 1m\n---\n" + monthly_log(["2026-09-01", "2026-10-01"]),
    "people/Pim Post.md": (
        "---\ncadence: 1m\ngrowth: [Python scripting, public speaking, plek in het MT]\n---\n"
        "## Log\n"
        "- 2026-05-01: talked about public speaking\n"
        "- 2026-10-01: ← he called: Python course started\n"
        "- 2026-10-20: <- asked for advice\n"
        "- 2026-11-02: -> sent him the course list\n"
        "- 2026-11-12: → lunch\n"
        "- 2026-11-15: unmarked\n"
        "## Follow-ups\n"
        "- [x] a on time 📅 2026-11-10 ✅ 2026-11-09\n"
        "- [x] b late 📅 2026-11-10 ✅ 2026-11-12\n"
        "- [x] c undated\n"
        "- [x] d due but no done date 📅 2026-11-01\n"
        "- [x] old, before the window 📅 2025-01-01 ✅ 2025-01-05\n"
        "- [ ] e open 📅 2026-12-01\n"
        "- [ ] f overdue 📅 2026-11-20\n"
        "- [ ] g later ⏳ 2026-12-10\n"
        "- [ ] Plek in het MT bespreken\n"
        "## Wins\n"
        "- 2026-06-01: older win\n"
        "- 2026-10-14: shipped the FAQ\n"
        "- 2026-12-01: a win not yet won\n"
        "- an undated win\n"
    ),
    "people/Olaf Other.md": "---\nname: Olaf Other\n---\n",
    "meetings/2026-11-05 sync.md": (
        "---\ndate: 2026-11-05\ntype: meeting\nattendees: ['[[Pim Post]]', '[[Olaf Other]]']\n---\n"
        "- [ ] Pim: send the slides 📅 2026-11-15\n"
        "- [ ] Olaf: book the room 📅 2026-11-15\n"
        "- [ ] write the minutes 📅 2026-11-30\n"
    ),
    "projects/Launch.md": "Owner [[Pim Post]].\n- [ ] unnamed project task 📅 2026-11-01\n",
}


@pytest.fixture
def vault(make_vault) -> Vault:
    return Vault(make_vault(FILES))


def health_of(vault: Vault, name: str, today: str, months: int = 12) -> Health:
    return health_report(vault, on(today), name=name, months=months).people[0]


# ---------------------------------------------------------------- rhythm


@pytest.mark.parametrize(
    ("today", "kept", "periods"),
    [
        # months run (today-1m, today]; each 10th falls in its own month's period
        ("2026-11-23", 9, 12),
        ("2026-12-05", 9, 12),  # Dec 2025 … Nov 2026 still all inside; Mar-May missed
        ("2027-01-20", 7, 12),  # Dec 2025 and Jan 2026 fell out; Dec 2026 and Jan 2027 missed
        ("2026-02-15", 3, 3),  # a young relationship: only periods since the first contact
    ],
)
def test_rhythm_kept_counts_cadence_periods_with_a_contact(vault, today, kept, periods) -> None:
    h = health_of(vault, "ann", today)
    assert h.rhythm is not None
    assert (h.rhythm.kept, h.rhythm.periods) == (kept, periods)


def test_rhythm_in_weeks_and_the_prep_line(vault) -> None:
    h = health_of(vault, "ann", "2026-11-23")
    assert health_line(h, EN) == "rhythm kept 9 of 12 months"
    assert health_line(h, NL) == "ritme gehouden 9 van 12 maanden"
    sam = health_of(vault, "steady", "2026-11-23")
    assert (sam.rhythm.kept, sam.rhythm.periods) == (26, 26)
    assert health_line(sam, EN) == "rhythm kept 26 of 26 periods of 2w"


def test_no_cadence_no_rhythm(vault) -> None:
    h = health_of(vault, "olaf", "2026-11-23")
    assert h.rhythm is None and h.cadence == ""


def test_months_per_contact_sparkline(vault) -> None:
    h = health_of(vault, "ann", "2026-11-23")
    assert h.monthly == (1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1)
    assert sparkline(h.monthly) == "▂▂▂▁▁▁▂▂▂▂▂▂"
    assert sparkline([0, 3, 7, 12]) == "▁▄██"
    assert h.contacts == 9 and health_of(vault, "ann", "2026-11-23", months=3).contacts == 3


def test_count_by_month_edges() -> None:
    today = on("2026-03-31")
    # (2026-02-28, 2026-03-31] is the last month; calendar months, 31 Mar - 1m = 28 Feb
    days = [on("2026-02-28"), on("2026-03-01"), on("2026-03-31"), on("2026-04-01")]
    assert count_by_month(days, today, 2) == (1, 2)


# ---------------------------------------------------------------- drift


@pytest.mark.parametrize(
    ("name", "today", "trend"),
    [
        ("steady", "2026-11-23", "steady"),
        ("rare", "2026-11-23", "rarer"),  # 14-day gaps before, 44, 62 and 83 days since
        ("often", "2026-11-23", "more_often"),  # monthly before, weekly lately
        ("new", "2026-11-23", None),  # no gap in the earlier half
        ("steady", "2027-02-01", "rarer"),  # nothing since 15 Nov: 78 days open
        ("ann", "2026-11-23", "steady"),
    ],
)
def test_trend(vault, name, today, trend) -> None:
    assert health_of(vault, name, today).trend == trend


@pytest.mark.parametrize(
    ("today", "overdue"), [("2026-12-09", None), ("2026-12-10", 0), ("2026-12-15", 5)]
)
def test_overdue_by_cadence_now(vault, today, overdue) -> None:
    h = health_of(vault, "ann", today)  # last contact 10 Nov, 1m: due 10 Dec
    assert h.overdue_days == overdue
    assert h.due == on("2026-12-10")


# ---------------------------------------------------------------- promises


@pytest.mark.parametrize(
    ("today", "counts"),
    [
        # on time a; late b; done c, d; open e, 'Plek in het MT' and the meeting's unnamed
        # minutes; overdue f and the slides (names Pim). Olaf's task and the project's
        # unnamed task are not his; g waits for its day.
        ("2026-11-23", {"on_time": 1, "late": 1, "done": 2, "open": 3, "overdue": 2}),
        # e (due 1 Dec) and the minutes (30 Nov) are overdue now
        ("2026-12-02", {"on_time": 1, "late": 1, "done": 2, "open": 1, "overdue": 4}),
        # g's scheduled day has come: a promise now
        ("2026-12-10", {"on_time": 1, "late": 1, "done": 2, "open": 2, "overdue": 4}),
    ],
)
def test_promises_on_time_late_and_open(vault, today, counts) -> None:
    p = health_of(vault, "pim", today).promises
    assert {s: p.count(s) for s in counts} == counts
    assert p.not_on_time == counts["late"] + counts["overdue"]
    texts = {i.text for i in p.items}
    assert "Olaf: book the room" not in texts and "unnamed project task" not in texts
    assert "old, before the window" not in texts


def test_a_done_task_long_ago_counts_only_with_a_longer_window(vault) -> None:
    p = health_of(vault, "pim", "2026-11-23", months=24).promises
    assert p.late == 2  # 'old' was late too (due 1 Jan 2025, done 5 Jan)


@pytest.mark.parametrize(
    ("task", "today", "state"),
    [
        (
            Task("x", True, 1, due=on("2026-01-02"), done_on=on("2026-01-02")),
            "2026-02-01",
            "on_time",
        ),
        (Task("x", True, 1, due=on("2026-01-02"), done_on=on("2026-01-03")), "2026-02-01", "late"),
        (Task("x", True, 1), "2026-02-01", "done"),
        (Task("x", True, 1, done_on=on("2026-01-03")), "2026-02-01", "done"),
        (Task("x", False, 1, due=on("2026-02-01")), "2026-02-01", "open"),  # due today
        (Task("x", False, 1, due=on("2026-02-01")), "2026-02-02", "overdue"),
        (Task("x", False, 1, scheduled=on("2026-02-05")), "2026-02-01", None),
        (Task("", False, 1), "2026-02-01", None),
    ],
)
def test_task_state(task, today, state) -> None:
    assert task_state(task, on(today)) == state


def test_promises_follow_the_prep_sheets_rule_for_open_tasks(example_vault) -> None:
    """One rule for whose follow-up a task is: health counts exactly the open tasks that
    the prep sheet lists to raise, for everyone in the example vault, on several days."""
    from vaultcrm.features.prep import build_sheet

    vault = Vault(example_vault)
    notes, directory = read_vault(vault)
    for today in (on("2026-11-23"), on("2026-12-02"), on("2026-12-20")):
        rows = assess_vault(notes, directory, today)
        for h in rows:
            sheet = build_sheet(vault, [h.path.removeprefix("people/").removesuffix(".md")], today)
            raised = {(f.path, f.line) for f in sheet.to_raise}
            open_ = {(p.path, p.line) for p in h.promises.items if p.state in ("open", "overdue")}
            # a #surprise counts as a promise, and is kept from the sheet of the one it is for
            open_ -= {("people/Sanne de Groot.md", 37), ("people/Fatima El Amrani.md", 39)}
            assert open_ == raised, (h.name, today)


# ---------------------------------------------------------------- recognition


@pytest.mark.parametrize(
    ("today", "last", "days"),
    [
        ("2026-11-23", "2026-10-14", 40),
        ("2026-12-03", "2026-12-01", 2),
        ("2026-09-01", "2026-06-01", 92),
    ],
)
def test_recognition_days_since_the_last_dated_win(vault, today, last, days) -> None:
    h = health_of(vault, "pim", today)
    assert (h.last_win, h.days_since_win, h.wins) == (on(last), days, 4)


def test_wins_without_a_date(make_vault) -> None:
    root = make_vault({"people/W.md": "## Wins\n- Oktober: fixed it\n"})
    h = health_report(Vault(root), on("2026-11-23")).people[0]
    assert (h.wins, h.last_win, h.days_since_win) == (1, None, None)
    assert win_date("2026-10-14: x") == on("2026-10-14") and win_date("2026-13-01 x") is None


# ---------------------------------------------------------------- growth


@pytest.mark.parametrize(
    ("today", "idle"),
    [
        # since 23 Aug: 'Python course' in a Log entry, 'Plek in het MT' an open task
        ("2026-11-23", ("public speaking",)),
        # since 5 Oct: the Python entry (1 Oct) is too old now
        ("2027-01-05", ("Python scripting", "public speaking")),
        # since 1 Feb: the public speaking entry (1 May) counts
        ("2026-05-01", ("Python scripting",)),
    ],
)
def test_growth_wishes_not_followed_up(vault, today, idle) -> None:
    h = health_of(vault, "pim", today)
    assert h.growth_idle == idle


# ---------------------------------------------------------------- reciprocity


@pytest.mark.parametrize(
    ("today", "theirs", "mine"),
    [("2026-11-23", 2, 2), ("2026-10-25", 2, 0), ("2027-10-21", 0, 2)],
)
def test_reciprocity_from_the_log_markers(vault, today, theirs, mine) -> None:
    r = health_of(vault, "pim", today).reciprocity
    assert (r.theirs, r.mine) == (theirs, mine)


def test_reciprocity_is_unknown_without_markers(vault) -> None:
    assert health_of(vault, "ann", "2026-11-23").reciprocity is None


@pytest.mark.parametrize(
    ("text", "way"),
    [
        ("← they called", "theirs"),
        ("<- asked", "theirs"),
        ("→ I called", "mine"),
        ("->x", "mine"),
        ("met at -> the bar", None),
        ("plain", None),
    ],
)
def test_direction_markers(text, way) -> None:
    assert direction(text) == way


# ---------------------------------------------------------------- the line, the score, the order


def test_the_prep_line_says_what_needs_attention(vault) -> None:
    pim = health_of(vault, "pim", "2026-11-23")
    # Contacts: the Log and the meeting of 5 Nov. Monthly periods back from 23 Nov, from
    # the one holding 1 May on: 7; kept (23 Oct-23 Nov], (23 Sep-23 Oct], (23 Apr-23 May].
    assert health_line(pim, EN) == (
        "rhythm kept 3 of 7 months · 3 promises late · 1 growth wish not followed up"
    )
    assert health_line(pim, NL) == (
        "ritme gehouden 3 van 7 maanden · 3 beloftes te laat · 1 groeiwens niet opgevolgd"
    )
    rare = health_of(vault, "rare", "2026-11-23")
    assert health_line(rare, EN) == "rhythm kept 15 of 26 periods of 2w · contact getting rarer"
    # No cadence, so no rhythm; the meeting's 'Olaf: book the room' is late.
    assert health_line(health_of(vault, "olaf", "2026-11-23"), EN) == "1 promise late"
    assert health_line(health_of(vault, "olaf", "2026-11-10"), EN) == ""


def test_score_orders_who_needs_time_first(vault) -> None:
    today = "2026-11-23"
    rows = [health_of(vault, n, today) for n in ("steady", "rare", "ann", "olaf")]
    scores = {h.name: health_score(h) for h in rows}
    assert scores["Steady Sam"] == 100  # every period kept, not due, steady
    assert scores["Olaf Other"] == 95  # no cadence to keep; 'book the room' is overdue
    assert scores["Rare Rik"] < scores["Ann Smit"] < 100
    assert [h.name for h in order_by_health(rows)][0] == "Rare Rik"
    assert sorted(rows, key=health_order) == order_by_health(rows)


def test_json_is_plain_data(vault) -> None:
    data = health_report(vault, on("2026-11-23"), name="pim").to_dict()
    pim = data["people"][0]
    assert pim["promises"]["late"] == 1 and pim["promises"]["overdue"] == 2
    assert pim["reciprocity"] == {"theirs": 2, "mine": 2}
    assert pim["last_win"] == "2026-10-14" and pim["growth_not_followed_up"] == ["public speaking"]


def test_months_must_be_positive(vault) -> None:
    from vaultcrm.errors import UsageError

    with pytest.raises(UsageError):
        health_report(vault, on("2026-11-23"), months=0)
