"""Meetings matched to the vault's people, and what agenda and prep will ask of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import read_vault

from vaultcrm.errors import AmbiguousNameError, NotFoundError
from vaultcrm.model.meetings import (
    CalendarContact,
    PeopleMatcher,
    calendar_contacts,
    calendar_days,
    find_meeting,
    match_meetings,
    meeting_note_name,
    meetings_on,
    next_meeting,
    person_emails,
    upcoming_meetings,
)
from vaultcrm.store.calendars import Attendee, Meeting, read_calendar
from vaultcrm.store.vault import Vault

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=AMS)
ME = ("me@example.com",)

PEOPLE = {
    "people/Henk de Vries.md": "---\naliases: [Henk]\nemail: henk@example.com\n---\n",
    "people/Zoë Bakker.md": "---\nemails: [zoe@home.example, ZOE@EXAMPLE.COM]\n---\n",
    "people/Sanne Jansen.md": "---\naliases: [Sanne]\n---\n",
    "people/Pieter Smit.md": "---\naliases: [Piet]\nemail: shared@example.com\n---\n",
    "people/Pieter Bakker.md": "---\naliases: [Piet]\nemail: shared@example.com\n---\n",
    "people/Me Myself.md": "---\nemail: me@example.com\n---\n",
}


@pytest.fixture
def directory(make_vault):
    return read_vault(Vault(make_vault(PEOPLE)))[1]


def meeting(title: str, start: str, *who: Attendee, minutes: int = 30, **kw) -> Meeting:
    begin = dt.datetime.fromisoformat(start).replace(tzinfo=AMS)
    return Meeting(
        uid=kw.pop("uid", title),
        title=title,
        start=begin,
        end=begin + dt.timedelta(minutes=minutes),
        attendees=tuple(who),
        source="work.ics",
        **kw,
    )


def names(matched) -> list[str]:
    return [p.name for p in matched.people]


def test_email_first_then_name_or_alias_folded(directory) -> None:
    found = match_meetings(
        [
            meeting("a", "2026-11-20T10:00", Attendee("Henk@Example.COM", "Someone Else")),
            meeting("b", "2026-11-20T11:00", Attendee("zoe@example.com")),  # from emails:
            meeting("c", "2026-11-20T12:00", Attendee("s@other.example", "SANNE JANSEN")),
            meeting("d", "2026-11-20T13:00", Attendee("", "zoe bakker")),  # accents folded
            meeting("e", "2026-11-20T14:00", Attendee("x@y.example", "Sanne")),  # an alias
            meeting("f", "2026-11-20T15:00", Attendee("x@y.example", "Nobody")),
        ],
        directory,
        ME,
    )
    assert [names(m) for m in found] == [
        ["Henk de Vries"],
        ["Zoë Bakker"],
        ["Sanne Jansen"],
        ["Zoë Bakker"],
        ["Sanne Jansen"],
        [],
    ]


def test_shared_addresses_and_names_match_nobody(directory) -> None:
    (found,) = match_meetings(
        [meeting("x", "2026-11-20T10:00", Attendee("shared@example.com", "Piet"))], directory
    )
    assert found.people == ()


def test_me_decliners_and_duplicates(directory) -> None:
    (found,) = match_meetings(
        [
            meeting(
                "1:1",
                "2026-11-20T10:00",
                Attendee("me@example.com", "Me Myself"),
                Attendee("henk@example.com", "Henk", "ACCEPTED"),
                Attendee("henk@example.com", "Henk de Vries"),
                Attendee("zoe@example.com", "Zoë", "DECLINED"),
                organizer=Attendee("sanne@x.example", "Sanne Jansen"),
            )
        ],
        directory,
        ME,
    )
    assert names(found) == ["Sanne Jansen", "Henk de Vries"]  # organiser first


def test_person_emails(directory) -> None:
    zoe = directory.lookup("Zoë Bakker")
    assert person_emails(zoe) == ("zoe@home.example", "zoe@example.com")


@pytest.fixture
def matched(directory):
    henk = Attendee("henk@example.com", "Henk")
    zoe = Attendee("zoe@example.com", "Zoë")
    return match_meetings(
        [
            meeting("1:1 Henk", "2026-11-09T10:00", henk),
            meeting("1:1 Henk", "2026-11-16T10:00", henk),
            meeting("Koffie Zoë", "2026-11-22T23:30", zoe),  # late on the 22nd, Amsterdam
            meeting("In progress", "2026-11-23T11:45", zoe, minutes=30),
            meeting("1:1 Henk", "2026-11-23T15:00", henk),  # later today
            meeting("Focus", "2026-11-23T16:00"),  # nobody from the vault
            meeting("Team sync", "2026-11-24T09:00", henk, zoe),
            meeting("1:1 Henk", "2026-11-30T10:00", henk),
            meeting("Planning", "2026-12-10T10:00", zoe),
        ],
        directory,
        ME,
    )


def test_calendar_contacts_are_the_latest_started_meeting(matched, directory) -> None:
    contacts = calendar_contacts(matched, NOW)
    henk, zoe = directory.lookup("Henk").path, directory.lookup("Zoë Bakker").path
    assert contacts[henk] == CalendarContact(
        dt.date(2026, 11, 16), "1:1 Henk", "work.ics", matched[1].start
    )
    assert contacts[zoe].title == "In progress" and contacts[zoe].date == dt.date(2026, 11, 23)
    assert set(contacts) == {henk, zoe}


def test_one_who_never_answered_is_invited_but_not_met(directory) -> None:
    """NEEDS-ACTION: on the agenda (invited), but the calendar does not say they came."""
    silent = Attendee("henk@example.com", "Henk", partstat="NEEDS-ACTION")
    said_yes = Attendee("zoe@example.com", "Zoë", partstat="ACCEPTED")
    past = meeting("Team", "2026-11-20T10:00", silent, said_yes)
    coming = meeting("Team", "2026-11-27T10:00", silent, said_yes)
    found = match_meetings([past, coming], directory, ME)
    henk, zoe = directory.lookup("Henk").path, directory.lookup("Zoë Bakker").path
    assert set(calendar_contacts(found, NOW)) == {zoe}
    assert set(calendar_days(found, NOW)) == {zoe}
    assert names(upcoming_meetings(found, NOW, 7)[0]) == ["Henk de Vries", "Zoë Bakker"]
    # the same person in it again by name, with no answer asked of them: met
    again = meeting("Team", "2026-11-20T10:00", silent, Attendee("", "Henk de Vries"))
    assert set(calendar_contacts(match_meetings([again], directory, ME), NOW)) == {henk}


def test_a_contacts_date_is_the_users_day(matched, directory) -> None:
    zoe = directory.lookup("Zoë Bakker").path
    before = dt.datetime(2026, 11, 23, 0, 30, tzinfo=AMS)
    assert calendar_contacts(matched, before)[zoe].date == dt.date(2026, 11, 22)
    in_utc = before.astimezone(dt.UTC)  # 23:30 UTC on the 22nd is still the 22nd there
    assert calendar_contacts(matched, in_utc)[zoe].date == dt.date(2026, 11, 22)
    tokyo = before.astimezone(ZoneInfo("Asia/Tokyo"))
    assert calendar_contacts(matched, tokyo)[zoe].date == dt.date(2026, 11, 23)


def test_upcoming_meetings(matched) -> None:
    titles = [(m.title, m.start.day) for m in upcoming_meetings(matched, NOW, 1)]
    assert titles == [("In progress", 23), ("1:1 Henk", 23), ("Team sync", 24)]
    assert len(upcoming_meetings(matched, NOW, 30)) == 5
    assert upcoming_meetings([], NOW, 7) == []


def test_next_meeting(matched) -> None:
    assert next_meeting(matched, NOW).start.hour == 15
    assert next_meeting(matched, NOW + dt.timedelta(days=30)) is None


def test_meetings_on_a_day(matched) -> None:
    assert [m.title for m in meetings_on(matched, dt.date(2026, 11, 24), AMS)] == ["Team sync"]
    assert [m.title for m in meetings_on(matched, dt.date(2026, 11, 22), AMS)] == ["Koffie Zoë"]
    utc = [m.title for m in meetings_on(matched, dt.date(2026, 11, 22), dt.UTC)]
    assert utc == ["Koffie Zoë"]
    assert meetings_on(matched, dt.date(2026, 11, 25), AMS) == []


def test_find_meeting(matched) -> None:
    assert find_meeting(matched, "henk", NOW).start.day == 23  # the soonest coming one
    assert find_meeting(matched, "PLANNING", NOW).title == "Planning"
    assert find_meeting(matched, "sync", NOW).title == "Team sync"
    with pytest.raises(NotFoundError) as caught:
        find_meeting(matched, "budget", NOW)
    assert caught.value.suggestions == ["In progress", "1:1 Henk", "Team sync"]
    with pytest.raises(NotFoundError, match="has no one from the vault"):
        find_meeting(matched, "focus", NOW)


def test_meeting_note_name() -> None:
    late = meeting('1:1 Henk / Q4: "plans"?', "2026-11-23T23:30")
    assert meeting_note_name(late, AMS) == "2026-11-23 1-1 Henk - Q4- -plans"
    assert meeting_note_name(late, dt.UTC) == "2026-11-23 1-1 Henk - Q4- -plans"
    assert meeting_note_name(meeting("", "2026-11-23T10:00"), AMS) == "2026-11-23 meeting"


def test_now_must_be_aware(matched) -> None:
    with pytest.raises(ValueError):
        calendar_contacts(matched, dt.datetime(2026, 11, 23))


def test_from_a_real_shaped_export_to_people(make_vault, tmp_path: Path) -> None:
    from test_calendars import GOOGLE, write

    root = make_vault(PEOPLE)
    directory = read_vault(Vault(root))[1]
    path = write(tmp_path, "google.ics", GOOGLE)
    read_ = read_calendar(
        path, NOW - dt.timedelta(days=90), NOW + dt.timedelta(days=30), me=ME, tz=AMS
    )
    matched = match_meetings(read_.meetings, directory, ME)
    contacts = calendar_contacts(matched, NOW)
    henk = contacts[directory.lookup("Henk").path]
    assert (henk.title, henk.date) == ("1:1 Henk", dt.date(2026, 11, 23))  # 10:00 today
    earlier = calendar_contacts(matched, NOW - dt.timedelta(days=2))[henk_path(directory)]
    assert (earlier.title, earlier.date) == ("1:1 Henk (moved)", dt.date(2026, 11, 16))
    coming = upcoming_meetings(matched, NOW, 7)
    assert [(m.title, m.start.day, names(m)) for m in coming] == [
        ("1:1 Henk", 30, ["Henk de Vries"])
    ]


def henk_path(directory) -> str:
    return directory.lookup("Henk").path


def test_calendar_days_are_every_started_meeting_day_in_the_users_zone(matched, directory) -> None:
    days = calendar_days(matched, NOW)
    henk, zoe = directory.lookup("Henk").path, directory.lookup("Zoë Bakker").path
    assert days[henk] == [dt.date(2026, 11, 9), dt.date(2026, 11, 16)]  # 15:00 today: not yet
    assert days[zoe] == [dt.date(2026, 11, 22), dt.date(2026, 11, 23)]  # the one in progress
    tokyo = calendar_days(matched, NOW.astimezone(ZoneInfo("Asia/Tokyo")))
    assert tokyo[zoe][0] == dt.date(2026, 11, 23)  # 23:30 in Amsterdam is morning in Tokyo


def test_text_in_the_titles_of_different_meetings_is_ambiguous(directory) -> None:
    henk = Attendee("henk@example.com", "Henk")
    found = match_meetings(
        [
            meeting("1:1 Henk", "2026-11-24T10:00", henk, uid="series"),
            meeting("1:1 Henk (moved)", "2026-11-25T15:00", henk, uid="series"),
            meeting("1:1 Henk", "2026-12-01T10:00", henk, uid="series"),
            meeting("Lunch with Henk", "2026-11-26T12:00", henk, uid="lunch"),
        ],
        directory,
        ME,
    )
    with pytest.raises(AmbiguousNameError) as caught:
        find_meeting(found, "henk", NOW)
    assert caught.value.what == "meetings"
    assert caught.value.candidates == [
        "1:1 Henk (2026-11-24 10:00)",
        "1:1 Henk (moved) (2026-11-25 15:00)",
        "Lunch with Henk (2026-11-26 12:00)",
    ]
    assert find_meeting(found, "1:1", NOW).start.day == 24  # one series, moved or not
    assert find_meeting(found, "1:1 HENK", NOW).title == "1:1 Henk"  # exact wins
    assert find_meeting(found, "lunch", NOW).title == "Lunch with Henk"


def test_attendee_names_for_a_saved_note(directory) -> None:
    (item,) = match_meetings(
        [
            meeting(
                "Planning",
                "2026-11-24T10:00",
                Attendee("me@example.com", "Me Myself"),
                Attendee("ZOE@example.com", "Zoë B."),
                Attendee("ext@other.example", "Sam Extern"),
                Attendee("bare@other.example"),
                Attendee("no@other.example", "Declined", "DECLINED"),
                Attendee("ext@other.example", "Sam again"),
                organizer=Attendee("henk@example.com", "H"),
            )
        ],
        directory,
        ME,
    )
    matcher = PeopleMatcher(directory, ME)
    assert matcher.attendee_names(item.meeting) == (
        "Henk de Vries",
        "Zoë Bakker",
        "Sam Extern",
        "bare@other.example",
    )
