"""build_sheet: every section of the prep sheet (SPEC §5), drawn from the vault, as data."""

from __future__ import annotations

import datetime as dt

import pytest

from vaultcrm.errors import AmbiguousNameError, NotFoundError
from vaultcrm.features.prep import FollowUp, build_sheet, save_sheet
from vaultcrm.store.vault import Vault

TODAY = dt.date(2026, 11, 23)

HENK = "people/Henk de Vries.md"
SANNE = "people/Sanne de Groot.md"
BARE = "people/Bare Person.md"

FILES = {
    HENK: """\
---
name: Henk de Vries
aliases: [Henk, HdV]
role: Senior Support Engineer
team: Klantenservice
relation: report
manager: "[[Sanne de Groot]]"
birthday: 1978-12-12
started: 2015-12-01
cadence: 14d
last_contact: 2026-11-01
family:
  - {name: Lisa, relation: daughter, birthday: 2009-12-02, note: maths exam in November}
  - {name: Bo, relation: dog}
  - {name: Mees, relation: son, birthday: "--12-24"}
interests: [wielrennen, jazz]
gift_ideas: [jazz-concertkaartjes]
growth: [leading a team, Spanish]
---
# Henk de Vries

## Log
- 2026-11-10: sixth
- 2026-10-27: fifth
- 2026-10-13: fourth
- 2026-09-29: third
- 2026-09-15: second
- 2026-09-01: first, the oldest

## Follow-ups
- [ ] Ask how Lisa's exam went ⏳ 2026-11-26
- [ ] Book the leadership course 📅 2026-12-04
- [ ] Send the rota 📅 2026-11-20
- [ ] Sign the expense claim 📅 2026-11-23
- [ ] Scheduled for today ⏳ 2026-11-23
- [ ] Undated idea
- [x] Day off after the peak
- [X] Also done 📅 2026-11-01
- [ ] \n
## Wins
- Fixed the Northwind outage in 40 minutes.
- Mentored Daan.
""",
    SANNE: "---\naliases: [Sanne]\nteam: Klantenservice\n---\n# Sanne de Groot\n"
    "- [ ] Ask [[Henk]] about the rota, in Sanne's note\n",
    BARE: "---\nname: Bare Person\n---\n",
    "meetings/2026-11-10 1-1 Henk.md": """\
---
date: 2026-11-10
type: meeting
attendees: ["[[Henk]]"]
---
# 1:1 Henk

Coffee by the window. We talked about
[[Henk de Vries|Henk]]'s plan for a mentoring
programme.

- [ ] Share the mentoring draft 📅 2026-11-24
- [ ] Book the leadership course 📅 2026-12-04
- [x] Done in the meeting
""",
    "meetings/2026-11-18 Team.md": """\
---
date: 2026-11-18
type: meeting
---
Present: [[Henk]], [[Sanne de Groot|Sanne]].

- [ ] Sanne: finish the knowledge base articles
- [ ] Everyone: read the new rates
- [ ] Henk and Sanne: swap the late shift
""",
    "daily/2026-11-20.md": """\
# Friday

Talked to Henk de Vries at the coffee machine.

- [ ] Call Henk about the training
- [ ] File my travel expenses
""",
    "projects/Old project.md": "Henk de Vries once led this.\n",
    "projects/Alias only.md": "Henk said hello.\n",  # a bare first name: not a mention
    "projects/Code.md": "```\n[[Henk de Vries]] in code\n```\nnothing here\n",
    "decisions/2026-11-12 Chat hours.md": """\
---
type: decision
date: 2026-11-12
team: Klantenservice
why: Evening chats are few and cost two people.
---
# Chat only in office hours
""",
    "decisions/2026-10-01 Office day.md": """\
---
type: decision
date: 2026-10-01
teams: ["[[Klantenservice]]", Billing]
---
## Why
- The team hardly met.
- New people learn by listening in.
""",
    "decisions/2026-06-01 Old.md": "---\ntype: decision\ndate: 2026-06-01\nteam: Klantenservice\n---\n",
    "decisions/2026-11-20 Billing only.md": "---\ntype: decision\ndate: 2026-11-20\nteam: Billing\n---\n",
}


@pytest.fixture
def vault(make_vault) -> Vault:
    return Vault(make_vault(FILES))


@pytest.fixture
def henk(vault: Vault):
    return build_sheet(vault, ["henk"], today=TODAY).person


def texts(items: tuple[FollowUp, ...]) -> list[str]:
    return [f.text for f in items]


# ---------------------------------------------------------------- header


def test_the_header_holds_who_they_are_and_when_you_last_spoke(henk) -> None:
    assert (henk.name, henk.role, henk.team, henk.relation, henk.manager) == (
        "Henk de Vries",
        "Senior Support Engineer",
        "Klantenservice",
        "report",
        "Sanne de Groot",
    )
    # The newest dated note that links him (the team meeting) beats last_contact and the log.
    assert (henk.last_contact, henk.days_since) == (dt.date(2026, 11, 18), 5)
    assert (henk.due, henk.due_in, henk.overdue_days) == (dt.date(2026, 12, 2), 9, None)


def test_a_person_past_their_cadence_is_overdue(make_vault) -> None:
    root = make_vault({"people/Ann.md": "---\ncadence: 7d\nlast_contact: 2026-11-10\n---\n"})
    ann = build_sheet(Vault(root), ["ann"], today=TODAY).person
    assert (ann.last_contact, ann.due, ann.overdue_days, ann.due_in) == (
        dt.date(2026, 11, 10),
        dt.date(2026, 11, 17),
        6,
        -6,
    )


# ---------------------------------------------------------------- to raise


def test_to_raise_is_open_follow_ups_whose_day_has_come_oldest_first(henk) -> None:
    # Oldest first: by scheduled day, else due day, else the day of the note it is in.
    assert [(f.since, f.text) for f in henk.to_raise] == [
        (dt.date(2026, 11, 18), "Everyone: read the new rates"),  # team meeting: names no one
        (dt.date(2026, 11, 18), "Henk and Sanne: swap the late shift"),
        (dt.date(2026, 11, 20), "Send the rota"),  # overdue
        (dt.date(2026, 11, 20), "Call Henk about the training"),  # daily note: names him
        (dt.date(2026, 11, 23), "Sign the expense claim"),  # due today
        (dt.date(2026, 11, 23), "Scheduled for today"),
        (dt.date(2026, 11, 24), "Share the mentoring draft"),  # from the 1:1 note
        (dt.date(2026, 12, 4), "Book the leadership course"),  # once, though the 1:1 has it too
        (None, "Undated idea"),
    ]


def test_done_and_not_yet_scheduled_tasks_are_absent(henk) -> None:
    shown = texts(henk.to_raise)
    for absent in ("Day off after the peak", "Also done", "Done in the meeting"):
        assert absent not in shown
    assert "Ask how Lisa's exam went" not in shown  # ⏳ 26 Nov: after the exam
    assert "" not in shown


def test_the_scheduled_task_appears_on_its_day(vault: Vault) -> None:
    later = build_sheet(vault, ["henk"], today=dt.date(2026, 11, 26)).person
    assert "Ask how Lisa's exam went" in texts(later.to_raise)


def test_overdue_and_due_today_are_marked_and_sources_named(henk) -> None:
    by_text = {f.text: f for f in henk.to_raise}
    rota = by_text["Send the rota"]
    assert (rota.overdue_days, rota.due_today, rota.source, rota.path) == (3, False, "", HENK)
    claim = by_text["Sign the expense claim"]
    assert (claim.overdue_days, claim.due_today) == (None, True)
    course = by_text["Book the leadership course"]
    assert (course.overdue_days, course.due_today, course.path) == (None, False, HENK)
    draft = by_text["Share the mentoring draft"]
    assert (draft.source, draft.source_label, draft.source_date) == (
        "2026-11-10 1-1 Henk",
        "1-1 Henk",
        dt.date(2026, 11, 10),
    )


def test_tasks_about_someone_else_stay_off_the_sheet(henk) -> None:
    shown = texts(henk.to_raise)
    assert "Sanne: finish the knowledge base articles" not in shown  # names another attendee
    assert "File my travel expenses" not in shown  # daily note: does not name him
    assert "Ask [[Henk]] about the rota, in Sanne's note" not in shown  # Sanne's own follow-up


def test_a_group_meeting_task_for_two_people_is_on_both_sheets(vault: Vault) -> None:
    sanne = build_sheet(vault, ["sanne"], today=TODAY).person
    assert texts(sanne.to_raise) == [
        "Sanne: finish the knowledge base articles",
        "Everyone: read the new rates",
        "Henk and Sanne: swap the late shift",
        "Ask [[Henk]] about the rota, in Sanne's note",  # undated, in her own note: last
    ]


# ---------------------------------------------------------------- ask about


def test_ask_about_family_with_their_notes_and_ages(henk) -> None:
    family = [(r.name, r.relation, r.note, r.age) for r in henk.family]
    assert family == [
        ("Lisa", "daughter", "", 16),  # the note is said by its ask, in November
        ("Bo", "dog", "", None),
        ("Mees", "son", "", None),
    ]
    assert [(a.what, a.phase, a.month_only) for a in henk.family[0].asks] == [
        ("maths exam", "during", True)
    ]


def test_dates_in_the_next_30_days_with_age_or_years_of_service(henk) -> None:
    dates = [(e.date, e.in_days, e.kind, e.who, e.relation, e.years) for e in henk.dates]
    assert dates == [
        (dt.date(2026, 12, 1), 8, "anniversary", "Henk de Vries", "", 11),
        (dt.date(2026, 12, 2), 9, "family_birthday", "Lisa", "daughter", 17),
        (dt.date(2026, 12, 12), 19, "birthday", "Henk de Vries", "", 48),
    ]  # Mees on 24 Dec is 31 days away: not yet


def test_a_family_birthday_without_a_year_has_no_age(vault: Vault) -> None:
    sheet = build_sheet(vault, ["henk"], today=dt.date(2026, 12, 20)).person
    assert [(e.date, e.who, e.years) for e in sheet.dates] == [
        (dt.date(2026, 12, 24), "Mees", None),
    ]


def test_dates_wrap_over_new_year(make_vault) -> None:
    root = make_vault({"people/Ann.md": "---\nbirthday: '--01-05'\nstarted: 2020-01-10\n---\n"})
    ann = build_sheet(Vault(root), ["ann"], today=dt.date(2026, 12, 20)).person
    assert [(e.date, e.kind, e.years) for e in ann.dates] == [
        (dt.date(2027, 1, 5), "birthday", None),
        (dt.date(2027, 1, 10), "anniversary", 7),
    ]


# ---------------------------------------------------------------- growth, wins, recent


def test_growth_wins_and_the_last_five_log_entries_newest_first(henk) -> None:
    assert henk.growth == ("leading a team", "Spanish")
    assert henk.wins == ("Fixed the Northwind outage in 40 minutes.", "Mentored Daan.")
    assert [(e.date.isoformat(), e.text) for e in henk.recent] == [
        ("2026-11-10", "sixth"),
        ("2026-10-27", "fifth"),
        ("2026-10-13", "fourth"),
        ("2026-09-29", "third"),
        ("2026-09-15", "second"),
    ]
    assert (henk.interests, henk.gift_ideas) == (("wielrennen", "jazz"), ("jazz-concertkaartjes",))


# ---------------------------------------------------------------- mentioned in


def test_mentioned_in_lists_the_newest_notes_with_a_line_of_context(henk) -> None:
    # The 1:1 of 10 November is where "since last time" starts; the notes after it are
    # listed there, and the 1:1's own note is no mention.
    assert [(i.date, i.kind, i.text) for i in henk.since if i.kind in ("meeting", "note")] == [
        (dt.date(2026, 11, 18), "meeting", "Team"),
        (dt.date(2026, 11, 20), "note", "2026-11-20"),
    ]
    mentions = [(m.path, m.label, m.date, m.context) for m in henk.mentions]
    assert mentions == [
        (SANNE, "Sanne de Groot", None, "Ask [[Henk]] about the rota, in Sanne's note"),
        ("projects/Old project.md", "Old project", None, "Henk de Vries once led this."),
    ]
    assert henk.mention_count == 2  # not his own note, a bare first name, or code


def test_a_mention_is_the_paragraph_around_the_link(vault: Vault) -> None:
    sanne = build_sheet(vault, ["sanne"], today=TODAY).person
    team = next(m for m in sanne.mentions if m.label == "Team")
    assert team.context == "Present: [[Henk]], [[Sanne de Groot|Sanne]]."
    (vault.root / "projects" / "Mentoring.md").write_text(
        "Coffee by the window. We talked about\n"
        "[[Henk de Vries|Henk]]'s plan for a mentoring\nprogramme.\n"
    )
    mentions = build_sheet(vault, ["henk"], today=TODAY).person.mentions
    (mention,) = [m for m in mentions if m.label == "Mentoring"]
    # the paragraph around the link, not just the wrapped line that holds it
    assert mention.context == (
        "Coffee by the window. We talked about [[Henk de Vries|Henk]]'s plan for a "
        "mentoring programme."
    )


def test_a_link_only_in_front_matter_gives_the_key_as_context(vault: Vault) -> None:
    sanne = build_sheet(vault, ["sanne"], today=TODAY).person
    henk_note = [m for m in sanne.mentions if m.path == HENK]
    assert [m.context for m in henk_note] == ["manager: [[Sanne de Groot]]"]


def test_a_long_context_line_is_cut_around_the_name(make_vault) -> None:
    long = "word " * 60 + "then [[Ann]] appears " + "tail " * 60
    root = make_vault({"people/Ann.md": "---\n---\n", "notes/Long.md": long})
    (mention,) = build_sheet(Vault(root), ["ann"], today=TODAY).person.mentions
    assert "[[Ann]]" in mention.context
    assert mention.context.startswith("…") and mention.context.endswith("…")
    assert len(mention.context) <= 162


# ---------------------------------------------------------------- decisions


def test_decisions_for_their_team_with_the_why(henk, vault: Vault) -> None:
    assert [(d.label, d.date, d.why) for d in henk.decisions] == [
        ("Chat hours", dt.date(2026, 11, 12), "Evening chats are few and cost two people."),
    ]  # not heard yet: after the 1:1 of 10 November; not Billing's
    before = build_sheet(vault, ["henk"], today=dt.date(2026, 10, 5)).person  # log of 29 Sep
    assert [(d.label, d.date, d.why) for d in before.decisions] == [
        (
            "Office day",
            dt.date(2026, 10, 1),
            "The team hardly met. New people learn by listening in.",
        ),
    ]  # not the June one (older than 90 days then)


def test_someone_without_a_team_gets_no_decisions(vault: Vault) -> None:
    assert build_sheet(vault, ["bare"], today=TODAY).person.decisions == ()


# ---------------------------------------------------------------- empty sections


def test_an_empty_person_note_has_every_section_empty(vault: Vault) -> None:
    bare = build_sheet(vault, ["bare"], today=TODAY).person
    for section in (
        "to_raise",
        "family",
        "dates",
        "growth",
        "wins",
        "recent",
        "mentions",
        "decisions",
        "interests",
        "gift_ideas",
    ):
        assert getattr(bare, section) == (), section
    assert (bare.last_contact, bare.days_since, bare.due, bare.ask_about) == (
        None,
        None,
        None,
        False,
    )


# ---------------------------------------------------------------- names and groups


def test_names_resolve_like_everywhere_else(vault: Vault) -> None:
    assert build_sheet(vault, ["HdV"], today=TODAY).person.name == "Henk de Vries"
    with pytest.raises(NotFoundError) as missing:
        build_sheet(vault, ["Hnek"], today=TODAY)
    assert "Henk de Vries" in missing.value.suggestions


def test_an_ambiguous_name_is_refused_before_anything_is_read(make_vault) -> None:
    root = make_vault({"people/Ann Smit.md": "", "people/Ann Vos.md": ""})
    with pytest.raises(AmbiguousNameError) as ambiguous:
        build_sheet(Vault(root), ["ann"], today=TODAY)
    assert ambiguous.value.candidates == [
        "Ann Smit (people/Ann Smit.md)",
        "Ann Vos (people/Ann Vos.md)",
    ]


def test_a_group_sheet_pools_follow_ups_and_dates(vault: Vault) -> None:
    sheet = build_sheet(vault, ["henk", "sanne", "Henk de Vries"], today=TODAY)
    assert sheet.group and sheet.names == ("Henk de Vries", "Sanne de Groot")
    pooled = {f.text: f.who for f in sheet.to_raise}
    assert pooled["Henk and Sanne: swap the late shift"] == ("Henk de Vries", "Sanne de Groot")
    assert pooled["Send the rota"] == ("Henk de Vries",)
    assert pooled["Sanne: finish the knowledge base articles"] == ("Sanne de Groot",)
    assert len(sheet.to_raise) == len(pooled)  # a shared task is listed once
    # Lisa's birthday is a family fact, private by default: not on a sheet for a group
    assert [e.who for e in sheet.dates] == ["Henk de Vries", "Henk de Vries"]
    assert sheet.since_date == dt.date(2026, 11, 18)  # the team meeting links them both
    assert sheet.decisions == ()  # both decisions came before it


# ---------------------------------------------------------------- --save


def test_save_writes_a_new_meeting_note_and_never_overwrites(vault: Vault) -> None:
    sheet = build_sheet(vault, ["henk"], today=TODAY)
    first = save_sheet(vault, sheet, "# Sheet\n")
    second = save_sheet(vault, sheet, "# Sheet again\n")
    assert (first.path, first.beside) == ("meetings/2026-11-23 Henk de Vries.md", None)
    assert (second.path, second.beside) == (
        "meetings/2026-11-23 Henk de Vries (2).md",
        "meetings/2026-11-23 Henk de Vries.md",
    )
    assert (vault.root / first.path).read_text("utf-8") == (
        '---\ndate: 2026-11-23\ntype: meeting\npeople: ["[[Henk de Vries]]"]\n'
        "prepared_by: vaultcrm\n---\n# Sheet\n"
    )
    assert (vault.root / second.path).read_text("utf-8").endswith("# Sheet again\n")


def test_a_saved_group_sheet_links_everyone_and_has_a_safe_file_name(make_vault) -> None:
    root = make_vault(
        {"people/A: B.md": "---\nname: 'A/B?'\n---\n", "people/Zoë.md": "", "Meetings/x.md": ""}
    )
    vault = Vault(root)
    sheet = build_sheet(vault, ["a", "zoe"], today=TODAY)
    saved = save_sheet(vault, sheet, "body").path
    assert saved == "Meetings/2026-11-23 A B, Zoë.md"  # the vault's own folder spelling
    front = (root / saved).read_text("utf-8").split("---")[1]
    assert 'people: ["[[A: B|A/B?]]", "[[Zoë]]"]' in front


# ---------------------------------------------------------------- the example vault


def test_example_vault_henk(example_vault) -> None:
    henk = build_sheet(Vault(example_vault), ["henk"], today=TODAY).person
    assert (henk.last_contact, henk.days_since) == (dt.date(2026, 11, 18), 5)
    raise_ = texts(henk.to_raise)
    assert "Leiderschapstraining voorjaar 2027 aanvragen bij [[Anouk Peters|HR]]" in raise_
    assert "Henk: eerste opzet mentorprogramma delen" in raise_
    assert "Vragen hoe Lisa's wiskunde-tentamen ging" not in raise_  # ⏳ 26 Nov
    assert "Vrije vrijdag na de piek geregeld" not in raise_  # done
    assert "Fatima: kennisbankartikelen over de nieuwe tarieven afronden" not in raise_
    assert [(r.name, r.relation, r.note, r.age) for r in henk.family] == [
        ("Lisa", "daughter", "", 17)  # "maths exam in November" became its ask
    ]
    assert [(a.what, a.date, a.phase, a.days) for a in henk.family[0].asks] == [
        ("maths exam", dt.date(2026, 11, 25), "before", 2)  # the day from his Log
    ]
    assert henk.dates == ()
    assert henk.growth == ("leading a team", "Spanish")
    assert len(henk.recent) == 4 and henk.recent[0].date == dt.date(2026, 11, 10)
    assert henk.since_date == dt.date(2026, 11, 10)
    assert [m.label for m in henk.mentions] == [
        "Kwartaalreview Northwind",
        "Bram Mulder",
        "Daan Visser",
    ]
    assert [d.label for d in henk.decisions] == ["Chat alleen tijdens kantooruren"]
    assert henk.decisions[0].why.startswith("Buiten kantooruren komen er gemiddeld maar 11")


def test_example_vault_overdue_follow_up_and_family_dates(example_vault) -> None:
    vault = Vault(example_vault)
    dominique = build_sheet(vault, ["dominique"], today=TODAY).person
    first = dominique.to_raise[0]
    assert (first.text, first.overdue_days) == (
        "Schriftelijke terugkoppeling Northwind-escalatie sturen",
        2,
    )
    assert "Voorstel: Sanne zit vanaf januari het teamoverleg voor" not in texts(dominique.to_raise)
    fatima = build_sheet(vault, ["fatima"], today=TODAY).person
    assert [(e.date.isoformat(), e.kind, e.who, e.years) for e in fatima.dates] == [
        ("2026-12-01", "anniversary", "Fatima El Amrani", 10),
        ("2026-12-05", "family_birthday", "Yusuf", 7),
    ]
