"""People: the person view of a note, NAME lookup, last contact and cadence (SPEC §3, §4)."""

from __future__ import annotations

import datetime as dt

import pytest

from vaultcrm.errors import AmbiguousNameError, NotFoundError
from vaultcrm.model.notes import PartialDate, parse_note
from vaultcrm.model.people import Directory, contact_for, contacts, person_from_note

TODAY = dt.date(2026, 11, 23)


def person(path: str, text: str = ""):
    return person_from_note(parse_note(path, text.encode("utf-8")))


HENK = person(
    "people/Henk de Vries.md",
    "---\nname: Henk de Vries\naliases: [Henk, HdV]\nrole: Senior Support Engineer\n"
    'team: Klantenservice\nrelation: Report\nmanager: "[[Dominique Jansen]]"\n'
    "birthday: 1978-04-12\nstarted: 2015-09-01\ncadence: 14d\nlast_contact: 2026-11-10\n"
    "family:\n  - {name: Lisa, relation: daughter, birthday: 2009-03-02, note: maths exam}\n"
    "  - Tom\ninterests: [wielrennen, jazz]\ngift_ideas: jazz-concertkaartjes\n---\n"
    "## Log\n- 2026-11-12: koffie\n- 2026-12-24: planned, in the future\n",
)
ZOE = person("people/Zoë Bakker.md", "---\nbirthday: --07-19\ncadence: 1m\n---\n")
HENK_J = person("people/Henk Jansen.md", "---\nname: Henk Jansen\n---\n")
DIRECTORY = Directory([HENK, ZOE, HENK_J])


def test_a_person_is_read_from_front_matter() -> None:
    assert (HENK.name, HENK.aliases, HENK.role, HENK.team, HENK.relation, HENK.manager) == (
        "Henk de Vries",
        ("Henk", "HdV"),
        "Senior Support Engineer",
        "Klantenservice",
        "report",
        "Dominique Jansen",
    )
    assert HENK.birthday == PartialDate(4, 12, 1978)
    assert HENK.started == dt.date(2015, 9, 1)
    assert (HENK.cadence, HENK.cadence_text) == ((14, "d"), "14d")
    assert [(m.name, m.relation, m.birthday, m.note) for m in HENK.family] == [
        ("Lisa", "daughter", PartialDate(3, 2, 2009), "maths exam"),
        ("Tom", "", None, ""),
    ]
    assert (HENK.interests, HENK.gift_ideas) == (("wielrennen", "jazz"), ("jazz-concertkaartjes",))
    assert ZOE.name == "Zoë Bakker"
    assert ZOE.birthday == PartialDate(7, 19)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Henk de Vries", HENK),
        ("henk de vries", HENK),
        ("HdV", HENK),
        ("henk", HENK),  # the alias wins over the prefix of 'Henk Jansen'
        ("Henk J", HENK_J),  # a unique prefix is enough
        ("zoe", ZOE),  # accents do not matter
        ("ZOË BAKKER", ZOE),
    ],
)
def test_resolve(name: str, expected) -> None:
    assert DIRECTORY.resolve(name) is expected


def test_an_ambiguous_prefix_lists_the_candidates() -> None:
    directory = Directory([HENK_J, person("people/Henk Smit.md")])
    with pytest.raises(AmbiguousNameError) as caught:
        directory.resolve("henk")
    assert caught.value.candidates == [
        "Henk Jansen (people/Henk Jansen.md)",
        "Henk Smit (people/Henk Smit.md)",
    ]
    assert caught.value.exit_code == 2


def test_an_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(NotFoundError) as caught:
        DIRECTORY.resolve("Hank de Fries")
    assert caught.value.exit_code == 1
    assert caught.value.suggestions[0] == "Henk de Vries"


def test_linked_people_by_any_name() -> None:
    note = parse_note("m.md", b"[[HdV]] and [[Zoe Bakker]] and [[Nobody]] and [[Henk]]")
    assert DIRECTORY.linked(note) == [HENK, ZOE]


@pytest.mark.parametrize(
    "path, text, whom",
    [
        ("meetings/2026-11-18 overleg.md", "ask about the rota", [HENK, ZOE]),  # the attendees
        ("meetings/2026-11-18 overleg.md", "Zoë: send the minutes", [ZOE]),  # one of them
        ("notes/idea.md", "ask about the rota", []),  # not a meeting: your own to-do
        ("notes/idea.md", "ask [[Zoë Bakker]] about it", [ZOE]),  # linked in the task
    ],
)
def test_task_people_with_the_linked_people_given_is_the_same(path, text, whom) -> None:
    # health passes the people it has already looked up for the note (``linked=``); the
    # answer is the one rule's either way, a list.
    from vaultcrm.model.people import task_people

    note = parse_note(path, f"[[HdV]] and [[Zoe Bakker]]\n- [ ] {text}\n".encode())
    linked = tuple(DIRECTORY.linked(note))
    assert task_people(text, note, DIRECTORY) == whom
    assert task_people(text, note, DIRECTORY, linked=linked) == whom
    assert isinstance(task_people(text, note, DIRECTORY, linked=linked), list)


def test_last_contact_is_the_latest_of_field_log_and_dated_linking_notes() -> None:
    meeting = parse_note("meetings/2026-11-18 overleg.md", b"[[Henk]]")
    undated = parse_note("notes/idea.md", b"[[Henk]]")
    future = parse_note("meetings/2026-12-01 plan.md", b"[[Henk]]")
    assert contact_for(HENK, [], TODAY).last == dt.date(2026, 11, 12)  # the log beats the field
    contact = contact_for(HENK, [meeting, undated, future], TODAY)
    assert contact.last == dt.date(2026, 11, 18)
    assert contact.due == dt.date(2026, 12, 2)
    assert (contact.days_since, contact.overdue_days) == (5, None)


def test_no_contact_with_a_cadence_is_due_today() -> None:
    contact = contact_for(ZOE, [], TODAY)
    assert (contact.last, contact.due, contact.overdue_days) == (None, TODAY, 0)


def test_overdue_days_and_no_cadence() -> None:
    old = person("people/Old.md", "---\ncadence: 2w\nlast_contact: 2026-10-01\n---\n")
    assert contact_for(old, [], TODAY).overdue_days == 39
    assert contact_for(HENK_J, [], TODAY).due is None


def test_contacts_for_everyone_in_one_pass() -> None:
    notes = [parse_note("meetings/2026-11-20 x.md", "[[Zoë Bakker]] [[Henk Jansen]]".encode())]
    found = contacts(DIRECTORY, notes, TODAY)
    assert found[ZOE.path].last == dt.date(2026, 11, 20)
    assert found[HENK_J.path].last == dt.date(2026, 11, 20)
    assert found[HENK.path].last == dt.date(2026, 11, 12)


# ---------------------------------------------------------------- calendar meetings (SPEC §7)


def test_a_later_calendar_meeting_is_the_last_contact_and_says_so() -> None:
    contact = contact_for(HENK, [], TODAY, met=[dt.date(2026, 11, 19)])
    assert (contact.last, contact.source, contact.from_calendar) == (
        dt.date(2026, 11, 19),
        "calendar",
        True,
    )
    assert contact.due == dt.date(2026, 12, 3)  # the cadence runs from the meeting


def test_the_notes_win_a_tie_and_an_earlier_meeting() -> None:
    for day in (dt.date(2026, 11, 12), dt.date(2026, 11, 1)):  # the log's day, before it
        contact = contact_for(HENK, [], TODAY, met=[day])
        assert (contact.last, contact.source) == (dt.date(2026, 11, 12), "notes")


def test_a_meeting_after_today_is_not_contact() -> None:
    contact = contact_for(ZOE, [], TODAY, met=[dt.date(2026, 11, 24)])
    assert (contact.last, contact.source, contact.overdue_days) == (None, None, 0)
    assert contact_for(ZOE, [], TODAY, met=[TODAY]).source == "calendar"


def test_contacts_take_each_persons_meeting_days() -> None:
    met = {ZOE.path: (dt.date(2026, 11, 21),), "people/Nobody.md": (TODAY,)}
    found = contacts(DIRECTORY, [], TODAY, met)
    assert (found[ZOE.path].last, found[ZOE.path].source) == (dt.date(2026, 11, 21), "calendar")
    assert found[HENK.path].source == "notes" and found[HENK_J.path].source is None


def test_contact_days_count_meetings_once_a_day() -> None:
    from vaultcrm.model.rules import contact_days, last_contact

    days = contact_days(
        dt.date(2026, 11, 1),
        [dt.date(2026, 11, 3)],
        [],
        TODAY,
        met=[
            dt.date(2026, 11, 3),
            dt.date(2026, 11, 10),
            dt.date(2026, 11, 30),  # not yet
        ],
    )
    assert days == [dt.date(2026, 11, 1), dt.date(2026, 11, 3), dt.date(2026, 11, 10)]
    assert last_contact(None, [], [], TODAY, met=[dt.date(2026, 11, 10)]) == dt.date(2026, 11, 10)
