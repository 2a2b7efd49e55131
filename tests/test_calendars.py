"""Reading .ics calendars (issue 16): Google, Outlook and Apple exports as they come.

The files are written here in the shapes those programs export: folded lines, CRLF,
X-WR-TIMEZONE with floating times (Google), Windows zone names and a quoted TZID with
colons (Outlook), VTIMEZONE blocks and X-APPLE properties (Apple), recurring 1:1s with
EXDATEs, moved and declined instances, cancelled, all-day and very large events.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from vaultcrm.errors import VaultcrmError
from vaultcrm.store.calendars import (
    Attendee,
    CalendarError,
    calendar_paths,
    calendar_window,
    load_meetings,
    read_calendar,
    read_calendars,
)
from vaultcrm.store.vault import Vault

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks.exports

AMS = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=AMS)
START, END = NOW - dt.timedelta(days=120), NOW + dt.timedelta(days=30)
ME = ("me@example.com",)


def write(tmp_path: Path, name: str, text: str, eol: str = "\r\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.strip("\n").replace("\n", eol).encode("utf-8") + eol.encode())
    return path


def read(path: Path, **kw):
    kw.setdefault("me", ME)
    kw.setdefault("tz", AMS)
    return read_calendar(path, kw.pop("start", START), kw.pop("end", END), **kw)


def when(meetings) -> list[str]:
    return [m.start.isoformat() for m in meetings]


# Google Calendar's export: X-WR-TIMEZONE, UTC times for single events, TZID for series,
# the address as CN when Google knows no name, rooms as RESOURCE attendees, folded lines.
GOOGLE = """
BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:me@example.com
X-WR-TIMEZONE:Europe/Amsterdam
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20260907T100000
DTEND;TZID=Europe/Amsterdam:20260907T103000
RRULE:FREQ=WEEKLY;BYDAY=MO
EXDATE;TZID=Europe/Amsterdam:20261102T100000
DTSTAMP:20261120T101010Z
ORGANIZER;CN=me@example.com:mailto:me@example.com
UID:1on1-henk@google.com
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=henk@ex
 ample.com;X-NUM-GUESTS=0:mailto:henk@example.com
ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=me@exam
 ple.com;X-NUM-GUESTS=0:mailto:me@example.com
ATTENDEE;CUTYPE=RESOURCE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Room 3 (6
 );X-NUM-GUESTS=0:mailto:c_1882@resource.calendar.google.com
DESCRIPTION:Agenda:\\n- how is Lisa's exam going\\n- the outage\\, again\\; and
  more text folded over lines
SUMMARY:1:1 Henk
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER:-P0DT0H10M0S
DESCRIPTION:This is an event reminder
END:VALARM
END:VEVENT
BEGIN:VEVENT
DTSTART:20261116T140000Z
DTEND:20261116T143000Z
RECURRENCE-ID;TZID=Europe/Amsterdam:20261109T100000
UID:1on1-henk@google.com
ORGANIZER;CN=me@example.com:mailto:me@example.com
ATTENDEE;PARTSTAT=ACCEPTED;CN=henk@example.com:mailto:henk@example.com
ATTENDEE;PARTSTAT=ACCEPTED;CN=me@example.com:mailto:me@example.com
SUMMARY:1:1 Henk (moved)
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20261116T100000
DTEND;TZID=Europe/Amsterdam:20261116T103000
RECURRENCE-ID;TZID=Europe/Amsterdam:20261116T100000
UID:1on1-henk@google.com
ORGANIZER;CN=me@example.com:mailto:me@example.com
ATTENDEE;PARTSTAT=ACCEPTED;CN=henk@example.com:mailto:henk@example.com
ATTENDEE;PARTSTAT=DECLINED;CN=me@example.com:mailto:me@example.com
SUMMARY:1:1 Henk
END:VEVENT
BEGIN:VEVENT
DTSTART:20261110T080000Z
DTEND:20261110T090000Z
UID:lunch@google.com
SUMMARY:Lunch with Sanne
ATTENDEE;CN=Sanne Jansen;PARTSTAT=ACCEPTED:mailto:sanne@example.com
ATTENDEE;CN=me@example.com;PARTSTAT=ACCEPTED:mailto:me@example.com
STATUS:CONFIRMED
END:VEVENT
BEGIN:VEVENT
DTSTART:20261111T080000Z
DTEND:20261111T090000Z
UID:cancelled@google.com
SUMMARY:Cancelled sync
ATTENDEE;CN=Sanne Jansen:mailto:sanne@example.com
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20261112
DTEND;VALUE=DATE:20261113
UID:allday@google.com
SUMMARY:Henk off
ATTENDEE;CN=Henk:mailto:henk@example.com
END:VEVENT
BEGIN:VEVENT
DTSTART:20261113T150000Z
DTEND:20261113T160000Z
UID:declined@google.com
SUMMARY:Vendor pitch
ATTENDEE;CN=Pieter:mailto:pieter@example.com
ATTENDEE;PARTSTAT=DECLINED;CN=Me@Example.com:mailto:Me@Example.com
END:VEVENT
BEGIN:VEVENT
DTSTART:20261114T090000Z
DTEND:20261114T093000Z
UID:focus@google.com
SUMMARY:Focus time
END:VEVENT
BEGIN:VEVENT
DTSTART:20200101T090000Z
DTEND:20200101T093000Z
UID:old@google.com
SUMMARY:Long ago
ATTENDEE;CN=Henk:mailto:henk@example.com
END:VEVENT
END:VCALENDAR
"""


def test_google_export(tmp_path: Path) -> None:
    read_ = read(write(tmp_path, "google.ics", GOOGLE))
    assert read_.problems == ()
    titles = {m.title for m in read_.meetings}
    assert titles == {"1:1 Henk", "1:1 Henk (moved)", "Lunch with Sanne", "Focus time"}
    henk = [m for m in read_.meetings if m.uid == "1on1-henk@google.com"]
    days = [m.start.astimezone(AMS).strftime("%m-%d %H:%M") for m in henk]
    # weekly from 7 Sep; 2 Nov excluded; 9 Nov moved to 16 Nov 15:00; 16 Nov 10:00 declined
    assert days == [
        "09-07 10:00",
        "09-14 10:00",
        "09-21 10:00",
        "09-28 10:00",
        "10-05 10:00",
        "10-12 10:00",
        "10-19 10:00",
        "10-26 10:00",
        "11-16 15:00",
        "11-23 10:00",
        "11-30 10:00",
        "12-07 10:00",
        "12-14 10:00",
        "12-21 10:00",
    ]
    assert all(m.recurring for m in henk)
    first = henk[0]
    assert first.organizer == Attendee("me@example.com")  # the address as CN is no name
    assert first.attendees == (  # the room is not an attendee
        Attendee("henk@example.com", "", "ACCEPTED", "REQ-PARTICIPANT"),
        Attendee("me@example.com", "", "ACCEPTED", "REQ-PARTICIPANT"),
    )
    assert first.end - first.start == dt.timedelta(minutes=30)
    assert first.source == str(tmp_path / "google.ics") and first.line == 8
    assert read_.skipped.cancelled == 1 and read_.skipped.all_day == 1
    assert read_.skipped.declined == 2  # the vendor pitch and one 1:1


def test_a_weekly_one_on_one_keeps_its_local_time_across_dst(tmp_path: Path) -> None:
    read_ = read(write(tmp_path, "google.ics", GOOGLE))
    by_day = {m.start.date().isoformat(): m.start for m in read_.meetings if m.title == "1:1 Henk"}
    before, after = by_day["2026-10-19"], by_day["2026-10-26"]  # DST ended on 25 October
    assert (before.hour, after.hour) == (10, 10)
    assert before.utcoffset() == dt.timedelta(hours=2)
    assert after.utcoffset() == dt.timedelta(hours=1)
    assert before.astimezone(UTC).hour == 8 and after.astimezone(UTC).hour == 9


# Google's export of a calendar kept in "floating" time: no zone on any time, the zone
# only in X-WR-TIMEZONE. The same file read by someone in New York is still Amsterdam time.
GOOGLE_FLOATING = """
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Google Inc//Google Calendar 70.9054//EN
X-WR-TIMEZONE:Europe/Amsterdam
BEGIN:VEVENT
DTSTART:20261019T100000
DTEND:20261019T110000
RRULE:FREQ=WEEKLY;COUNT=3
UID:floating@google.com
SUMMARY:Team sync
ATTENDEE;CN=Sanne Jansen:mailto:sanne@example.com
END:VEVENT
BEGIN:VEVENT
DTSTART:20261120T090000Z
DTEND:20261120T100000Z
UID:utc@google.com
SUMMARY:Coffee
ATTENDEE;CN=Sanne Jansen:mailto:sanne@example.com
END:VEVENT
END:VCALENDAR
"""


def test_x_wr_timezone_gives_floating_times_their_zone(tmp_path: Path) -> None:
    path = write(tmp_path, "floating.ics", GOOGLE_FLOATING)
    read_ = read(path, tz=ZoneInfo("America/New_York"))
    assert read_.problems == ()
    starts = {m.start.astimezone(UTC).isoformat() for m in read_.meetings}
    assert starts == {
        "2026-10-19T08:00:00+00:00",  # 10:00 summer time in Amsterdam
        "2026-10-26T09:00:00+00:00",  # 10:00 winter time
        "2026-11-02T09:00:00+00:00",
        "2026-11-20T09:00:00+00:00",  # a UTC time stays that instant
    }


def test_floating_times_without_x_wr_timezone_are_local(tmp_path: Path) -> None:
    text = GOOGLE_FLOATING.replace("X-WR-TIMEZONE:Europe/Amsterdam\n", "")
    read_ = read(write(tmp_path, "f.ics", text), tz=ZoneInfo("America/New_York"))
    first = read_.meetings[0]
    assert first.start.isoformat() == "2026-10-19T10:00:00-04:00"


# Outlook's export: Windows zone names with their VTIMEZONE, a TZID quoted with colons,
# CN with a comma in quotes, X-MICROSOFT properties, long folded descriptions, alarms.
OUTLOOK = """
BEGIN:VCALENDAR
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
VERSION:2.0
METHOD:PUBLISH
X-MS-OLK-FORCEINSPECTOROPEN:TRUE
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16011028T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
CLASS:PUBLIC
CREATED:20260901T120000Z
DESCRIPTION:Wekelijkse 1:1.\\n\\nAgenda: tentamens Lisa\\, roadmap. Een hele lan
 ge beschrijving zoals Outlook die schrijft met veel tekst erin.\\n
DTEND;TZID="W. Europe Standard Time":20261006T143000
DTSTART;TZID="W. Europe Standard Time":20261006T140000
RRULE:FREQ=WEEKLY;UNTIL=20261208T130000Z;INTERVAL=2;BYDAY=TU;WKST=MO
EXDATE;TZID="W. Europe Standard Time":20261103T140000
LOCATION:Teams
ORGANIZER;CN="Jansen, Sanne":mailto:sanne@example.com
ATTENDEE;CN="de Vries, Henk";RSVP=TRUE;ROLE=REQ-PARTICIPANT:mailto:Henk@Ex
 ample.com
ATTENDEE;CN="Me";PARTSTAT=ACCEPTED;ROLE=OPT-PARTICIPANT:mailto:me@example.com
PRIORITY:5
SEQUENCE:0
SUMMARY;LANGUAGE=nl:Overleg Henk en Sanne
TRANSP:OPAQUE
UID:040000008200E00074C5B7101A82E00800000000
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
X-MICROSOFT-CDO-IMPORTANCE:1
X-MICROSOFT-DISALLOW-COUNTER:FALSE
BEGIN:VALARM
TRIGGER:-PT15M
ACTION:DISPLAY
DESCRIPTION:Reminder
END:VALARM
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID="(UTC+01:00) Amsterdam, Berlijn, Bern, Rome":20261117T090000
DTEND;TZID="(UTC+01:00) Amsterdam, Berlijn, Bern, Rome":20261117T100000
UID:outlook-custom-zone
SUMMARY:Kwartaalgesprek
ATTENDEE;CN=Pieter Bakker:mailto:pieter@example.com
END:VEVENT
BEGIN:VTIMEZONE
TZID:(UTC+01:00) Amsterdam, Berlijn, Bern, Rome
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
END:VCALENDAR
"""


def test_outlook_export(tmp_path: Path) -> None:
    read_ = read(write(tmp_path, "outlook.ics", OUTLOOK))
    assert read_.problems == ()
    series = [m for m in read_.meetings if m.title == "Overleg Henk en Sanne"]
    local = [m.start.astimezone(AMS).strftime("%m-%d %H:%M") for m in series]
    # every other Tuesday from 6 Oct until 8 Dec, 3 Nov excepted; 14:00 on both sides of DST
    assert local == ["10-06 14:00", "10-20 14:00", "11-17 14:00", "12-01 14:00"]
    first = series[0]
    assert first.organizer == Attendee("sanne@example.com", "Jansen, Sanne")
    assert first.attendees[0] == Attendee(
        "Henk@Example.com", "de Vries, Henk", "", "REQ-PARTICIPANT"
    )
    assert first.location == "Teams"
    custom = next(m for m in read_.meetings if m.title == "Kwartaalgesprek")
    assert custom.start.astimezone(UTC).isoformat() == "2026-11-17T08:00:00+00:00"


# Apple Calendar's export: LF line ends here, VTIMEZONE, X-APPLE properties, EMAIL params.
APPLE = """
BEGIN:VCALENDAR
METHOD:PUBLISH
VERSION:2.0
X-WR-CALNAME:Werk
PRODID:-//Apple Inc.//macOS 15.1//EN
X-APPLE-CALENDAR-COLOR:#1BADF8
CALSCALE:GREGORIAN
BEGIN:VTIMEZONE
TZID:Europe/Amsterdam
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
DTSTART:19810329T020000
TZNAME:CEST
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
DTSTART:19961027T030000
TZNAME:CET
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
TRANSP:OPAQUE
DTEND;TZID=Europe/Amsterdam:20261124T113000
ATTENDEE;CN="Zoë Bakker";CUTYPE=INDIVIDUAL;EMAIL="zoe@example.com";PARTSTAT=
 ACCEPTED:mailto:zoe@example.com
ATTENDEE;CN="Me";CUTYPE=INDIVIDUAL;EMAIL="me@example.com";PARTSTAT=ACCEPTED;
 ROLE=CHAIR:mailto:me@example.com
UID:5C7E6F2B-1D3A-4C1B-9E0F-APPLE
DTSTAMP:20261101T090000Z
LOCATION:Koffiehoek
X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC
SEQUENCE:1
SUMMARY:Koffie met Zoë
DTSTART;TZID=Europe/Amsterdam:20261124T110000
CREATED:20261101T090000Z
END:VEVENT
END:VCALENDAR
"""


def test_apple_export_with_lf_line_ends(tmp_path: Path) -> None:
    read_ = read(write(tmp_path, "apple.ics", APPLE, eol="\n"))
    assert read_.problems == ()
    (meeting,) = read_.meetings
    assert meeting.title == "Koffie met Zoë"
    assert meeting.start.isoformat() == "2026-11-24T11:00:00+01:00"
    assert meeting.attendees[0] == Attendee("zoe@example.com", "Zoë Bakker", "ACCEPTED", "")
    assert meeting.location == "Koffiehoek"


def test_a_bom_and_several_calendars_in_one_file(tmp_path: Path) -> None:
    text = "\ufeff" + APPLE.strip() + "\n" + GOOGLE_FLOATING.strip()
    read_ = read(write(tmp_path, "two.ics", text))
    assert {m.title for m in read_.meetings} == {"Koffie met Zoë", "Team sync", "Coffee"}


# ---------------------------------------------------------------- what is left out


def attendees(n: int) -> str:
    return "\n".join(f"ATTENDEE;CN=Person {i}:mailto:p{i}@example.com" for i in range(n))


def test_more_attendees_than_max_is_no_contact(tmp_path: Path) -> None:
    text = f"""
BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:all-hands
DTSTART:20261118T150000Z
DTEND:20261118T160000Z
SUMMARY:All hands
{attendees(21)}
END:VEVENT
BEGIN:VEVENT
UID:team
DTSTART:20261119T150000Z
DTEND:20261119T160000Z
SUMMARY:Team
{attendees(20)}
ATTENDEE;CUTYPE=ROOM;CN=Big room:mailto:room@example.com
END:VEVENT
END:VCALENDAR
"""
    path = write(tmp_path, "big.ics", text)
    read_ = read(path)
    assert [m.title for m in read_.meetings] == ["Team"]
    assert len(read_.meetings[0].attendees) == 20
    assert read_.skipped.large == 1
    assert [m.title for m in read(path, max_attendees=25).meetings] == ["All hands", "Team"]


def test_a_large_instance_of_a_small_series_is_left_out(tmp_path: Path) -> None:
    text = f"""
BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:series
DTSTART:20261102T090000Z
DTEND:20261102T100000Z
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Demo
ATTENDEE;CN=Henk:mailto:henk@example.com
END:VEVENT
BEGIN:VEVENT
UID:series
RECURRENCE-ID:20261109T090000Z
DTSTART:20261109T090000Z
DTEND:20261109T100000Z
SUMMARY:Demo
{attendees(30)}
END:VEVENT
BEGIN:VEVENT
UID:series
RECURRENCE-ID:20261116T090000Z
DTSTART:20261116T090000Z
DTEND:20261116T100000Z
SUMMARY:Demo
STATUS:CANCELLED
END:VEVENT
END:VCALENDAR
"""
    read_ = read(write(tmp_path, "series.ics", text))
    assert when(read_.meetings) == ["2026-11-02T09:00:00+00:00"]
    assert read_.skipped.large == 1 and read_.skipped.cancelled == 1


def test_an_event_without_attendees_is_a_meeting_with_no_one(tmp_path: Path) -> None:
    read_ = read(write(tmp_path, "google.ics", GOOGLE))
    focus = next(m for m in read_.meetings if m.title == "Focus time")
    assert focus.attendees == () and focus.organizer is None and focus.emails == ()


def test_without_me_a_decline_cannot_be_known(tmp_path: Path) -> None:
    read_ = read(write(tmp_path, "google.ics", GOOGLE), me=())
    assert "Vendor pitch" in {m.title for m in read_.meetings}
    assert read_.skipped.declined == 0


def test_only_the_window_is_expanded(tmp_path: Path) -> None:
    path = write(tmp_path, "google.ics", GOOGLE)
    start = dt.datetime(2026, 11, 20, tzinfo=AMS)
    read_ = read(path, start=start, end=start + dt.timedelta(days=7))
    assert when(read_.meetings) == ["2026-11-23T10:00:00+01:00"]
    # A series whose rule ended before the window is not expanded at all.
    old = GOOGLE.replace("RRULE:FREQ=WEEKLY;BYDAY=MO", "RRULE:FREQ=WEEKLY;UNTIL=20261001T000000Z")
    read_ = read(write(tmp_path, "old.ics", old), start=start, end=start + dt.timedelta(days=7))
    assert read_.meetings == ()


def test_the_window_helper(tmp_path: Path) -> None:
    assert calendar_window(NOW, 10, 5) == (NOW - dt.timedelta(days=10), NOW + dt.timedelta(days=5))
    with pytest.raises(ValueError):
        calendar_window(dt.datetime(2026, 11, 23))  # naive: a programming error


# ---------------------------------------------------------------- bad input


def test_a_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarError) as caught:
        read(tmp_path / "nope.ics")
    assert isinstance(caught.value, VaultcrmError)
    assert caught.value.path == tmp_path / "nope.ics"
    assert str(caught.value) == f"{tmp_path / 'nope.ics'}: calendar file does not exist"


def test_a_folder_is_not_a_calendar(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="is a folder"):
        read(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"hello world\n",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"BEGIN:VCARD\r\nFN:Henk\r\nEND:VCARD\r\n",
    ],
)
def test_not_a_calendar(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.ics"
    path.write_bytes(content)
    with pytest.raises(CalendarError) as caught:
        read(path)
    assert caught.value.message == "not an iCalendar file (it should start with BEGIN:VCALENDAR)"
    assert caught.value.path == path


BROKEN = """
BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:ok
DTSTART:20261118T090000Z
DTEND:20261118T100000Z
SUMMARY:Fine
ATTENDEE;CN=Henk:mailto:henk@example.com
END:VEVENT
BEGIN:VEVENT
UID:mars
DTSTART;TZID=Mars/Olympus_Mons:20261118T090000
DTEND;TZID=Mars/Olympus_Mons:20261118T100000
SUMMARY:On Mars
END:VEVENT
BEGIN:VEVENT
UID:garbage
DTSTART:yesterday-ish
SUMMARY:Bad date
END:VEVENT
BEGIN:VEVENT
UID:nostart
SUMMARY:No start
END:VEVENT
this line is not iCalendar at all
BEGIN:VEVENT
UID:rule
DTSTART:20261118T090000Z
RRULE:FREQ=SOMETIMES
SUMMARY:Bad rule
END:VEVENT
BEGIN:VEVENT
UID:cut
DTSTART:20261119T090000Z
SUMMARY:Cut off
"""


def test_bad_events_are_reported_with_their_line_and_the_rest_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.ics", BROKEN)
    read_ = read(path)
    assert [m.title for m in read_.meetings] == ["Fine"]
    problems = {(p.line, p.message) for p in read_.problems}
    assert problems == {
        (10, "event 'On Mars': unknown time zone 'Mars/Olympus_Mons'; skipped"),
        (16, "event 'Bad date': its DTSTART cannot be read; skipped"),
        (21, "event 'No start' has no start (DTSTART); skipped"),
        (26, "event 'Bad rule': its RRULE cannot be read; skipped"),
        (32, "the file ends inside this event (cut off?); it is skipped"),
    }
    assert all(p.path == str(path) for p in read_.problems)


def test_an_unparseable_line_costs_only_its_event(tmp_path: Path) -> None:
    text = BROKEN.replace(
        "SUMMARY:No start", 'SUMMARY:No start\nATTENDEE;CN="unclosed:mailto:x@example.com'
    )
    read_ = read(write(tmp_path, "b.ics", text))
    assert [m.title for m in read_.meetings] == ["Fine"]


def test_a_series_the_expander_refuses_costs_only_that_series(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import recurring_ical_events

    real = recurring_ical_events.CalendarQuery.between

    def between(self, start, stop):
        for occurrence in real(self, start, stop):  # (component, start, end): calendars.py
            if str(occurrence[0].get("UID")) == "floating@google.com":
                raise recurring_ical_events.InvalidCalendar("refused")
            yield occurrence

    monkeypatch.setattr(recurring_ical_events.CalendarQuery, "between", between)
    text = GOOGLE.replace(
        "END:VCALENDAR", GOOGLE_FLOATING.split("X-WR-TIMEZONE:Europe/Amsterdam")[1]
    )
    read_ = read(write(tmp_path, "g.ics", text))
    assert "Team sync" not in {m.title for m in read_.meetings}
    assert "1:1 Henk" in {m.title for m in read_.meetings}
    assert [(p.line, p.message) for p in read_.problems] == [
        (97, "recurring event 'Team sync' cannot be expanded; skipped")
    ]


@pytest.mark.parametrize(("freq", "every"), [("SECONDLY", "second"), ("MINUTELY", "minute")])
def test_a_series_every_second_or_minute_is_no_meeting(tmp_path: Path, freq, every) -> None:
    """Expanded over the window, one such event took minutes and gigabytes."""
    event = (
        "BEGIN:VEVENT\nUID:tick@test\nDTSTAMP:20261101T000000Z\nDTSTART:20261101T090000Z\n"
        f"DTEND:20261101T090001Z\nRRULE:FREQ={freq};INTERVAL=5\nSUMMARY:Tick\n"
        "ATTENDEE;CN=Henk:mailto:henk@example.com\nEND:VEVENT\n"
    )
    read_ = read(write(tmp_path, "t.ics", GOOGLE.replace("END:VCALENDAR", event + "END:VCALENDAR")))
    assert "Tick" not in {m.title for m in read_.meetings}
    assert "1:1 Henk" in {m.title for m in read_.meetings}  # the rest is read
    assert [p.message for p in read_.problems] == [
        f"recurring event 'Tick' repeats every {every}; skipped"
    ]


def test_an_unknown_tzid_is_reported_even_with_an_x_wr_timezone(tmp_path: Path) -> None:
    """X-WR-TIMEZONE gives floating times its zone; a time in an unknown zone is not
    floating, and is not silently read as the calendar's own."""
    text = GOOGLE_FLOATING.replace(
        "END:VCALENDAR",
        "BEGIN:VEVENT\nUID:mars@test\nDTSTAMP:20261101T000000Z\n"
        "DTSTART;TZID=Mars/Olympus:20261126T140000\nDTEND;TZID=Mars/Olympus:20261126T150000\n"
        "SUMMARY:On Mars\nATTENDEE;CN=Henk:mailto:henk@example.com\nEND:VEVENT\nEND:VCALENDAR",
    )
    read_ = read(write(tmp_path, "m.ics", text))
    assert "On Mars" not in {m.title for m in read_.meetings}
    assert read_.meetings  # the rest is read
    assert [p.message for p in read_.problems] == [
        "event 'On Mars': unknown time zone 'Mars/Olympus'; skipped"
    ]


def test_an_unknown_x_wr_timezone_is_reported(tmp_path: Path) -> None:
    text = GOOGLE_FLOATING.replace("Europe/Amsterdam", "Mars/Base")
    read_ = read(write(tmp_path, "m.ics", text))
    assert [p.message for p in read_.problems] == [
        "unknown time zone 'Mars/Base' in X-WR-TIMEZONE; times without a zone are read as local time"
    ]
    assert read_.meetings[0].start.tzinfo is AMS


def test_an_overlong_line_is_skipped_without_holding_it(tmp_path: Path) -> None:
    blob = "A" * 2_500_000
    text = APPLE.replace("SUMMARY:Koffie met Zoë", f"SUMMARY:Koffie met Zoë\nATTACH:{blob}")
    read_ = read(write(tmp_path, "blob.ics", text))
    assert [m.title for m in read_.meetings] == ["Koffie met Zoë"]


# ---------------------------------------------------------------- several files, config


def test_several_files_and_duplicates_once(tmp_path: Path) -> None:
    google = write(tmp_path, "google.ics", GOOGLE)
    copy = write(tmp_path, "copy.ics", GOOGLE)
    apple = write(tmp_path, "apple.ics", APPLE)
    both = read_calendars([google, copy, apple], START, END, me=ME, tz=AMS)
    alone = read(google)
    assert len(both.meetings) == len(alone.meetings) + 1
    assert both.meetings == tuple(sorted(both.meetings, key=lambda m: (m.start, m.title, m.uid)))


def test_strict_raises_and_lenient_reports(tmp_path: Path) -> None:
    apple = write(tmp_path, "apple.ics", APPLE)
    with pytest.raises(CalendarError):
        read_calendars([tmp_path / "gone.ics", apple], START, END, tz=AMS)
    read_ = read_calendars([tmp_path / "gone.ics", apple], START, END, tz=AMS, strict=False)
    assert [m.title for m in read_.meetings] == ["Koffie met Zoë"]
    assert [(p.path, p.message) for p in read_.problems] == [
        (str(tmp_path / "gone.ics"), "calendar file does not exist")
    ]


def test_calendar_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = tmp_path / "vault"
    paths = calendar_paths(
        root, ["~/Calendars/work.ics", "cal/team.ics", str(tmp_path / "abs.ics")], ["extra.ics"]
    )
    assert paths == (
        tmp_path / "home/Calendars/work.ics",
        root / "cal/team.ics",
        tmp_path / "abs.ics",
        Path("extra.ics"),
    )
    assert calendar_paths(root, ["a.ics"], [root / "a.ics"]) == (root / "a.ics",)


def test_load_meetings_reads_the_vaults_config(make_vault, tmp_path: Path) -> None:
    root = make_vault(
        {"people/Henk.md": "---\nemail: henk@example.com\n---\n"},
        config='calendars = ["cal/google.ics"]\nme = ["me@example.com"]\nmax_attendees = 1\n',
    )
    write(root / "cal", "google.ics", GOOGLE) if (root / "cal").mkdir() is None else None
    extra = write(tmp_path, "apple.ics", APPLE)
    read_ = load_meetings(Vault(root), NOW, [extra], past_days=30, future_days=7, tz=AMS)
    # max_attendees = 1: the 1:1 (Henk and me) is too large; the lunch too; Zoë's coffee too
    assert {m.title for m in read_.meetings} == {"Focus time"}
    none = load_meetings(Vault(make_vault({}, config="")), NOW, tz=AMS)
    assert none.meetings == () and none.problems == ()


def test_when_the_parser_refuses_the_whole_each_event_is_tried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import icalendar

    real = icalendar.Calendar.from_ical

    def from_ical(data, *args, **kw):
        if "UID:mars" in str(data):
            raise ValueError("refused")
        return real(data, *args, **kw)

    monkeypatch.setattr(icalendar.Calendar, "from_ical", from_ical)
    read_ = read(write(tmp_path, "b.ics", BROKEN))
    assert [m.title for m in read_.meetings] == ["Fine"]
    assert (10, "this event is not valid iCalendar; it is skipped") in {
        (p.line, p.message) for p in read_.problems
    }


def shape(read_) -> tuple:
    """Everything about the meetings, including each time's zone (equality of aware
    datetimes alone compares instants)."""
    return (
        tuple(
            (m, m.start.isoformat(), str(m.start.tzinfo), m.end.isoformat(), str(m.end.tzinfo))
            for m in read_.meetings
        ),
        read_.skipped,
        read_.problems,
    )


@pytest.mark.parametrize(
    "text",
    [GOOGLE, GOOGLE_FLOATING, OUTLOOK, APPLE, BROKEN, GOOGLE_FLOATING.replace("Amsterdam", "X")],
    ids=["google", "floating", "outlook", "apple", "broken", "unknown-x-wr"],
)
def test_the_fast_path_makes_what_icalendar_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    import vaultcrm.store.calendars as calendars

    path = write(tmp_path, "c.ics", text)
    fast = read(path)
    monkeypatch.setattr(calendars, "_FAST", False)
    assert shape(read(path)) == shape(fast)


def test_the_fast_path_on_a_generated_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import vaultcrm.store.calendars as calendars
    from benchmarks.exports import write_calendar

    path = tmp_path / "work.ics"
    write_calendar(path, 400, seed=1)
    start, end = calendar_window(NOW)
    fast = read_calendar(path, start, end, me=ME, tz=AMS)
    assert len(fast.meetings) > 50
    monkeypatch.setattr(calendars, "_FAST", False)
    assert shape(read_calendar(path, start, end, me=ME, tz=AMS)) == shape(fast)


@pytest.mark.parametrize(
    "text",
    [GOOGLE, GOOGLE_FLOATING, OUTLOOK, APPLE, BROKEN, "generated"],
    ids=["google", "floating", "outlook", "apple", "broken", "generated"],
)
def test_passing_over_far_events_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """Whole events far from the window are passed over without reading their lines;
    read line by line instead, every meeting, problem (with its line) and count is the
    same. Lowercase names, a folded DTSTART and an event cut by the end of a chunk are
    read line by line either way."""
    import vaultcrm.store.calendars as calendars
    from benchmarks.exports import write_calendar

    path = tmp_path / "c.ics"
    if text == "generated":
        write_calendar(path, 400, seed=3)
        monkeypatch.setattr(calendars, "_CHUNK", 4096)  # many events across chunk ends
    else:
        extra = (
            "BEGIN:VEVENT\nuid:lower\ndtstart:20200101T090000Z\nrrule:FREQ=WEEKLY\n"
            "summary:lowercase series\nattendee:mailto:henk@example.com\nEND:VEVENT\n"
            "BEGIN:VEVENT\nUID:folded\nDTSTART;TZID=Europe/Amsterdam\n :20200101T090000\n"
            "RRULE:FREQ=WEEKLY\nSUMMARY:folded start\nEND:VEVENT\n"
        )
        text = text.replace("BEGIN:VEVENT", extra + "BEGIN:VEVENT", 1)
        write(tmp_path, "c.ics", text)
    start, end = calendar_window(NOW)
    passed = read_calendar(path, start, end, me=ME, tz=AMS)
    monkeypatch.setattr(calendars._Scanner, "far", lambda self, block: False)
    assert shape(read_calendar(path, start, end, me=ME, tz=AMS)) == shape(passed)
    if text != "generated":
        titles = {m.title for m in passed.meetings}
        assert {"lowercase series", "folded start"} <= titles


@pytest.mark.slow
def test_a_50_mb_calendar_is_read_in_bounded_time_and_memory(tmp_path: Path) -> None:
    """Streamed: the peak memory of a child reading 50 MB stays far below the file's
    size as icalendar would hold it, and the time is seconds, not minutes."""
    import json
    import subprocess

    from benchmarks.exports import write_calendar_of_size

    path = tmp_path / "big.ics"
    size = write_calendar_of_size(path, 50)
    assert size > 45_000_000
    script = (
        "import datetime as dt, json, resource, time\n"
        "from zoneinfo import ZoneInfo\n"
        "from vaultcrm.store.calendars import calendar_window, read_calendar\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "now = dt.datetime(2026, 11, 23, 12, tzinfo=ZoneInfo('Europe/Amsterdam'))\n"
        "start, end = calendar_window(now)\n"
        "t = time.perf_counter()\n"
        f"read = read_calendar({str(path)!r}, start, end, tz=now.tzinfo)\n"
        "seconds = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps([seconds, (peak - before) / 1024, len(read.meetings)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    seconds, grown_mb, meetings = json.loads(out.stdout)
    assert meetings > 1000
    assert grown_mb < 150, grown_mb  # what the window holds, not what the file holds
    assert seconds < 30, seconds  # about 4 s on a quiet 2-core machine
