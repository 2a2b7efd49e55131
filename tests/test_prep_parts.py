"""The parts a 1:1 sheet gained in issue 15, each with known answers: Context, Ask about
with dates, promises both ways, since last time, budgets, and the health line."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import EN, NL

from vaultcrm.features.prep import build_sheet, clip, read_sheet
from vaultcrm.model.sheet import Ask, SinceItem
from vaultcrm.present.templates import render_sheet
from vaultcrm.store.vault import Vault

HENK = "people/Henk de Vries.md"
FILES = {
    HENK: """\
---
aliases: [Henk]
team: Klantenservice
cadence: 14d
family:
  - {name: Lisa, relation: daughter, note: maths exam in November}
  - {name: Bo, relation: son, note: swimming diploma on 2 December}
---
# Henk de Vries

Quiet, dry humour. Prefers coffee
by the window.

Wants to lead a team one day. %% Doubts whether he is "too old". %%

- Cycles every weekend.
- [ ] A task is not prose

## Log
- 2026-11-20: Called about the rota.
- 2026-11-10: 1:1. Lisa's exam is on 25 November. He moves house on 15-12.
- 2026-10-01: Old entry. Lisa's results come on 3 October.

## Follow-ups
- [ ] Henk: share the mentoring draft 📅 2026-11-24
- [ ] Book the leadership course 📅 2026-12-04
- [x] Sent the rota ✅ 2026-11-15

Prose under Follow-ups is not context.

## Wins
- 2026-11-18: Fixed the outage in 40 minutes.
- Undated win.

## Private
- Back pain since the summer.
""",
    "people/Sanne de Groot.md": "---\naliases: [Sanne]\nteam: Klantenservice\n---\n# Sanne de Groot\n",
    "meetings/2026-11-10 1-1 Henk.md": """\
---
date: 2026-11-10
type: meeting
attendees: ["[[Henk]]"]
---
Coffee by the window, 40 minutes.
""",
    "meetings/2026-11-18 Team.md": """\
---
date: 2026-11-18
type: meeting
attendees: ["[[Henk]]", "[[Sanne]]"]
---
- [ ] Sanne: finish the articles
- [ ] Everyone: read the new rates
- [ ] Ask Henk: about the rota
""",
    "projects/Tickets.md": "[[Henk de Vries]] leads the new ticket system.\n",
    "decisions/2026-11-12 Chat hours.md": "---\ntype: decision\ndate: 2026-11-12\nteam: Klantenservice\n---\n",
    "decisions/2026-11-01 Office day.md": "---\ntype: decision\ndate: 2026-11-01\nteam: Klantenservice\n---\n",
}


@pytest.fixture
def vault(make_vault) -> Vault:
    return Vault(make_vault(FILES))


def henk(vault: Vault, day: str, share: bool = False):
    return build_sheet(vault, ["henk"], today=dt.date.fromisoformat(day), share=share).person


# ---------------------------------------------------------------- context


def test_context_is_their_own_prose_outside_the_structured_sections(vault) -> None:
    raw = read_sheet(vault, ["henk"], dt.date(2026, 11, 27))[0].person
    assert raw.context == (
        "Quiet, dry humour. Prefers coffee by the window.",
        'Wants to lead a team one day. %% Doubts whether he is "too old". %%',
        "Cycles every weekend.",
        "%%Back pain since the summer.%%",
    )


def test_context_marks_private_parts_for_the_owner_and_drops_them_for_others(vault) -> None:
    mine = henk(vault, "2026-11-27").context
    assert mine[1] == 'Wants to lead a team one day. 🔒 Doubts whether he is "too old".'
    assert mine[3] == "🔒 Back pain since the summer."
    shared = henk(vault, "2026-11-27", share=True).context
    assert shared == (
        "Quiet, dry humour. Prefers coffee by the window.",
        "Wants to lead a team one day.",
        "Cycles every weekend.",
    )


def test_a_context_section_wins_over_the_rest_of_the_prose(make_vault) -> None:
    root = make_vault(
        {
            "people/Ann.md": "# Ann\n\nNot this.\n\n## Achtergrond\nOnly this.\n\n"
            "### Thuis\n- And this.\n\n## Notes\nNor this.\n"
        }
    )
    assert build_sheet(Vault(root), ["ann"], today=dt.date(2026, 11, 23)).person.context == (
        "Only this.",
        "And this.",
    )


def test_a_long_paragraph_is_cut_at_a_sentence() -> None:
    text = "One two three. Four five six. Seven eight nine."
    assert clip(text, 30) == "One two three. Four five six. …"
    assert clip(text, 100) == text
    assert clip("a %% secret that is long %% b", 12) == "a …"  # a comment is one sentence
    assert clip("%% a secret that is long %%", 12) == "%% a secret%% …"  # closed again


# ---------------------------------------------------------------- ask about, with dates


def test_a_family_note_month_takes_its_day_from_the_log(vault) -> None:
    lisa, bo = henk(vault, "2026-11-27").family
    assert lisa.note == ""  # said by the ask, without its date
    assert lisa.asks == (Ask("maths exam", dt.date(2026, 11, 25), "after", 2, "Lisa"),)
    assert bo.asks == (Ask("swimming diploma", dt.date(2026, 12, 2), "before", 5, "Bo"),)


def test_before_the_day_wish_them_luck_after_it_ask_how_it_went(vault) -> None:
    before = henk(vault, "2026-11-23").family[0].asks[0]
    assert (before.phase, before.days) == ("before", 2)
    assert henk(vault, "2026-11-25").family[0].asks[0].phase == "today"
    text = render_sheet(build_sheet(vault, ["henk"], today=dt.date(2026, 11, 27)))
    assert f"maths exam, {EN.day(dt.date(2026, 11, 25))} ({EN.ago(2)}): ask how it went" in text
    text = render_sheet(build_sheet(vault, ["henk"], today=dt.date(2026, 11, 23)))
    assert f"maths exam, {EN.day(dt.date(2026, 11, 25))} ({EN.in_days(2)}): wish them luck" in text


def test_a_dated_event_is_asked_about_for_thirty_days_either_side(vault) -> None:
    assert henk(vault, "2026-12-25").family[0].asks[0].days == 30
    lisa = henk(vault, "2026-12-26").family[0]
    assert lisa.asks == () and lisa.note == "maths exam in November"  # the note as written


def test_a_log_line_without_a_relative_is_their_own_event(vault) -> None:
    assert henk(vault, "2026-11-27").asks == (
        Ask("He moves house on 15-12.", dt.date(2026, 12, 15), "before", 18),
    )
    assert henk(vault, "2027-01-20").asks == ()  # 36 days after: no longer asked


def test_a_month_without_a_day_is_asked_about_as_a_month(make_vault) -> None:
    root = make_vault(
        {"people/Ann.md": "---\nfamily:\n  - {name: Tom, note: starts school in January}\n---\n"}
    )
    (tom,) = build_sheet(Vault(root), ["ann"], today=dt.date(2026, 12, 10)).person.family
    assert tom.asks == (Ask("starts school", dt.date(2027, 1, 1), "before", 22, "Tom", True),)
    text = render_sheet(build_sheet(Vault(root), ["ann"], today=dt.date(2027, 2, 3)))
    assert "starts school, in January: ask how it went" in text


def test_a_dutch_sheet_asks_in_dutch(make_vault) -> None:
    root = make_vault(
        {"people/Ann.md": "---\nfamily:\n  - {name: Tom, note: zwemdiploma op 2 december}\n---\n"},
        config='locale = "nl"\n',
    )
    text = render_sheet(build_sheet(Vault(root), ["ann"], today=dt.date(2026, 11, 30)))
    assert f"zwemdiploma, {NL.day(dt.date(2026, 12, 2))} ({NL.in_days(2)}): succes wensen" in text
    text = render_sheet(build_sheet(Vault(root), ["ann"], today=dt.date(2026, 12, 3)))
    assert f"({NL.ago(1)}): vragen hoe het ging" in text


# ---------------------------------------------------------------- promises both ways


def test_what_they_promised_apart_from_what_i_promised(vault) -> None:
    sheet = henk(vault, "2026-11-27")
    assert [(f.text, f.owners) for f in sheet.theirs] == [  # oldest first, as to raise
        ("Everyone: read the new rates", ("Henk de Vries", "Sanne de Groot")),
        ("Henk: share the mentoring draft", ("Henk de Vries",)),
    ]
    assert [f.text for f in sheet.mine] == [
        "Ask Henk: about the rota",  # a name before the colon, but not only names
        "Book the leadership course",
        "A task is not prose",
    ]
    assert sheet.theirs[1].overdue_days == 3  # with its due state


def test_both_lists_on_the_sheet(vault) -> None:
    text = render_sheet(build_sheet(vault, ["henk"], today=dt.date(2026, 11, 27)))
    mine, theirs = text.index("## What I promised"), text.index("## What they promised")
    assert mine < text.index("Book the leadership course") < theirs
    assert theirs < text.index("Henk: share the mentoring draft")
    html = render_sheet(build_sheet(vault, ["henk"], today=dt.date(2026, 11, 27)), "html")
    assert "What they promised" in html and "What I promised" in html


def test_someone_elses_promise_is_not_theirs(make_vault) -> None:
    """In Alice's note, "Bob Chen: send Alice the numbers" is a promise of Bob's."""
    root = make_vault(
        {
            "people/Alice Baker.md": "## Follow-ups\n- [ ] Bob Chen: send Alice the numbers\n",
            "people/Bob Chen.md": "Bob.\n",
        }
    )
    sheet = build_sheet(Vault(root), ["alice"], today=dt.date(2026, 11, 27)).people[0]
    assert sheet.theirs == ()
    assert [f.text for f in sheet.mine] == ["Bob Chen: send Alice the numbers"]


def test_a_group_sheet_says_who_promised(vault) -> None:
    sheet = build_sheet(vault, ["henk", "sanne"], today=dt.date(2026, 11, 27))
    assert [(f.text, f.owners) for f in sheet.theirs] == [
        ("Everyone: read the new rates", ("Henk de Vries", "Sanne de Groot")),
        ("Sanne: finish the articles", ("Sanne de Groot",)),
        ("Henk: share the mentoring draft", ("Henk de Vries",)),
    ]


# ---------------------------------------------------------------- since last time


def test_since_the_previous_1_1_oldest_first(vault) -> None:
    sheet = henk(vault, "2026-11-27")
    assert sheet.since_date == dt.date(2026, 11, 10)
    assert sheet.since == (
        SinceItem(dt.date(2026, 11, 12), "decision", "Chat hours"),
        SinceItem(dt.date(2026, 11, 15), "done", "Sent the rota"),
        SinceItem(dt.date(2026, 11, 18), "meeting", "Team"),
        SinceItem(dt.date(2026, 11, 18), "win", "Fixed the outage in 40 minutes."),
        SinceItem(dt.date(2026, 11, 20), "log", "Called about the rota."),
    )


def test_recent_decisions_and_mentions_leave_to_since_what_it_holds(vault) -> None:
    sheet = henk(vault, "2026-11-27")
    assert [e.date for e in sheet.earlier] == [dt.date(2026, 11, 10), dt.date(2026, 10, 1)]
    assert [d.label for d in sheet.decisions] == ["Chat hours"]  # not heard yet
    assert [m.label for m in sheet.mentions] == ["Tickets"]  # no 1:1, nothing "since"


def test_without_a_1_1_note_the_last_log_entry_counts(make_vault) -> None:
    root = make_vault(
        {"people/Ann.md": "# Ann\n\n## Log\n- 2026-11-01: Coffee.\n- 2026-11-20: Call.\n"}
    )
    sheet = build_sheet(Vault(root), ["ann"], today=dt.date(2026, 11, 27)).person
    assert sheet.since_date == dt.date(2026, 11, 20) and sheet.since == ()
    assert build_sheet(Vault(root), ["ann"], today=dt.date(2026, 11, 1)).person.since_date is None


def test_a_group_counts_since_its_last_meeting(vault) -> None:
    sheet = build_sheet(vault, ["henk", "sanne"], today=dt.date(2026, 11, 27))
    assert sheet.since_date == dt.date(2026, 11, 18)
    assert sheet.since == (
        SinceItem(dt.date(2026, 11, 20), "log", "Called about the rota.", who="Henk de Vries"),
    )
    assert sheet.decisions == ()  # the Chat hours decision came before they last met


def test_since_on_the_sheet(vault) -> None:
    text = render_sheet(build_sheet(vault, ["henk"], today=dt.date(2026, 11, 27)))
    head = f"*since {EN.date(dt.date(2026, 11, 10))} ({EN.ago(17)})*"
    assert text.index("## Since last time") < text.index(head) < text.index("## Context")
    assert f"- {EN.day(dt.date(2026, 11, 12))}: decision: Chat hours" in text


# ---------------------------------------------------------------- budgets


def test_each_part_shows_its_budget_and_counts_the_rest(make_vault) -> None:
    tasks = "".join(f"- [ ] Task {n}\n" for n in range(1, 10))
    root = make_vault({"people/Ann.md": f"# Ann\n\n## Follow-ups\n{tasks}"})
    sheet = build_sheet(Vault(root), ["ann"], today=dt.date(2026, 11, 27))
    assert len(sheet.person.mine) == 9  # the data holds them all
    text = render_sheet(sheet)
    assert "- Task 5" in text and "- Task 6" not in text and "*and 4 more*" in text
    html = render_sheet(sheet, "html")
    assert "Task 5" in html and "Task 6" not in html and "and 4 more" in html


# ---------------------------------------------------------------- health (issue 17)


def test_the_health_line_is_the_health_commands_for_the_owner_only(vault) -> None:
    from vaultcrm.features.health import health_line, health_report
    from vaultcrm.present.words import language

    day = dt.date(2026, 11, 27)
    (h,) = health_report(vault, day, "henk").people
    line = health_line(h, language("en"))
    assert line and henk(vault, "2026-11-27").health == line
    text = render_sheet(build_sheet(vault, ["henk"], today=day))
    assert f"🔒 *{line}*" in text
    assert henk(vault, "2026-11-27", share=True).health == ""
    group = build_sheet(vault, ["henk", "sanne"], today=day)
    assert all(p.health == "" for p in group.people)
    assert line not in render_sheet(group, "html")


def test_every_part_in_markdown_and_html_in_both_languages(vault, make_vault) -> None:
    for locale, words in (("en", EN), ("nl", NL)):
        (vault.root / ".vaultcrm" / "config.toml").write_text(f'locale = "{locale}"\n')
        sheet = build_sheet(Vault(vault.root), ["henk"], today=dt.date(2026, 11, 27))
        for fmt in ("md", "html"):
            text = render_sheet(sheet, fmt)
            for key in ("since_last", "context", "mine", "theirs", "ask_about"):
                label = words.words[key]
                assert label in text, (locale, fmt, key)
            assert sheet.person.health in text
            assert re.search(r"\{\{|\}\}|\bNone\b", text) is None
