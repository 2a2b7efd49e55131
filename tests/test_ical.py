"""The .ics export parses back, holds what calendars require, and re-imports as updates."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from vaultcrm.errors import RefusedWriteError
from vaultcrm.features.calendar import PRODID, build_calendar, export_calendar
from vaultcrm.store.vault import Vault

HENK = """---
name: Henk de Vries
birthday: 1978-04-12
started: 2015-09-01
family:
  - {name: Lisa, relation: daughter, birthday: 2009-03-02}
  - {name: Bob, birthday: "--01-02"}
---
## Follow-ups
- [ ] Ask about the exam 📅 2026-11-30
- [ ] Ask about the exam 📅 2026-12-30
- [ ] Undated
- [x] Done already 📅 2026-11-20
"""
LUCAS = "---\nbirthday: 1988-02-29\nstarted: 2016-02-29\n---\n"
INGRID = '---\nbirthday: "--07-19"\n---\n'
MEETING = "With [[Henk de Vries]].\n- [ ] Send the minutes 📅 2026-11-24\n"
# family is private by default (SPEC §6); these vaults share their family birthdays
SHARE_FAMILY = 'private_keys = ["gift_ideas"]\n'


@pytest.fixture
def vault(make_vault) -> Vault:
    return Vault(
        make_vault(
            {
                "people/Henk de Vries.md": HENK,
                "people/Lucas.md": LUCAS,
                "people/Ingrid.md": INGRID,
                "meetings/2026-11-10 1-1.md": MEETING,
            },
            config=SHARE_FAMILY,
        )
    )


def events_of(data: bytes) -> dict[str, dict]:
    cal = Calendar.from_ical(data)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def occurrences(event, after: dt.date, count: int) -> list[dt.date]:
    start = event.decoded("dtstart")
    rule = rrulestr(
        event["rrule"].to_ical().decode(), dtstart=dt.datetime.combine(start, dt.time())
    )
    out, when = [], dt.datetime.combine(after, dt.time())
    for _ in range(count):
        when = rule.after(when, inc=False)
        out.append(when.date())
    return out


def test_the_calendar_has_the_required_properties(vault: Vault) -> None:
    data = build_calendar(vault).data
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)  # CRLF (RFC 5545)
    assert max(len(line) for line in lines) <= 75  # long lines are folded
    cal = Calendar.from_ical(data)
    assert str(cal["version"]) == "2.0"
    assert str(cal["prodid"]) == PRODID
    uids = []
    for event in cal.walk("VEVENT"):
        for prop in ("uid", "dtstamp", "dtstart", "dtend", "summary"):
            assert prop in event, prop
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)  # all-day
        assert event.decoded("dtstamp").tzinfo is not None  # UTC
        assert str(event["transp"]) == "TRANSPARENT"
        uids.append(str(event["uid"]))
    assert len(uids) == len(set(uids))


def test_the_events_and_their_dates(vault: Vault) -> None:
    result = build_calendar(vault)
    events = events_of(result.data)
    assert sorted(events) == [
        "Birthday: Bob (family of Henk de Vries)",
        "Birthday: Henk de Vries",
        "Birthday: Ingrid",
        "Birthday: Lisa (daughter of Henk de Vries)",
        "Birthday: Lucas",
        "Follow-up: Ask about the exam (Henk de Vries)",
        "Follow-up: Send the minutes (Henk de Vries)",
        "Work anniversary: Henk de Vries (since 2015)",
        "Work anniversary: Lucas (since 2016)",
    ]
    assert result.events == 10  # the exam follow-up twice, on two dates
    henk = events["Birthday: Henk de Vries"]
    assert henk.decoded("dtstart") == dt.date(1978, 4, 12)
    assert henk["rrule"]["FREQ"] == ["YEARLY"]
    assert occurrences(henk, dt.date(2026, 11, 23), 2) == [
        dt.date(2027, 4, 12),
        dt.date(2028, 4, 12),
    ]
    assert "people/Henk de Vries.md" in str(henk["description"])
    anniversary = events["Work anniversary: Henk de Vries (since 2015)"]
    assert anniversary.decoded("dtstart") == dt.date(2016, 9, 1)  # the first anniversary
    minutes = events["Follow-up: Send the minutes (Henk de Vries)"]
    assert minutes.decoded("dtstart") == dt.date(2026, 11, 24)
    assert "rrule" not in minutes
    assert str(minutes["description"]) == "meetings/2026-11-10 1-1.md:2"


def test_29_february_recurs_on_the_last_day_of_february(vault: Vault) -> None:
    events = events_of(build_calendar(vault).data)
    for summary in ("Birthday: Lucas", "Work anniversary: Lucas (since 2016)"):
        event = events[summary]
        assert event["rrule"]["BYMONTH"] == [2] and event["rrule"]["BYMONTHDAY"] == [-1]
        assert occurrences(event, dt.date(2026, 11, 23), 3) == [
            dt.date(2027, 2, 28),
            dt.date(2028, 2, 29),
            dt.date(2029, 2, 28),
        ]


def test_a_birthday_without_a_year_recurs_every_year(vault: Vault) -> None:
    ingrid = events_of(build_calendar(vault).data)["Birthday: Ingrid"]
    assert ingrid.decoded("dtstart") == dt.date(2000, 7, 19)
    assert occurrences(ingrid, dt.date(2026, 11, 23), 1) == [dt.date(2027, 7, 19)]


def test_uids_are_stable_so_a_reimport_updates(vault: Vault) -> None:
    first = {
        str(e["summary"]): str(e["uid"])
        for e in Calendar.from_ical(build_calendar(vault).data).walk("VEVENT")
    }
    note = vault.root / "people" / "Henk de Vries.md"
    # edits above the tasks move their lines and the birthday changes: same events
    note.write_text(
        HENK.replace("1978-04-12", "1978-04-13").replace(
            "## Follow-ups", "Intro.\n\n## Follow-ups"
        ),
        encoding="utf-8",
    )
    second = {
        str(e["summary"]): str(e["uid"])
        for e in Calendar.from_ical(build_calendar(vault).data).walk("VEVENT")
    }
    assert first == second


def test_dutch_locale(make_vault) -> None:
    root = make_vault({"people/Henk.md": HENK}, config='locale = "nl"\n' + SHARE_FAMILY)
    summaries = set(events_of(build_calendar(Vault(root)).data))
    assert "Verjaardag: Lisa (dochter van Henk de Vries)" in summaries
    assert "Werkjubileum: Henk de Vries (in dienst sinds 2015)" in summaries


def test_export_writes_atomically_and_refuses_to_overwrite(vault: Vault, tmp_path) -> None:
    target = tmp_path / "people.ics"
    export_calendar(vault, target)
    assert Calendar.from_ical(target.read_bytes())
    target.write_bytes(b"mine")
    with pytest.raises(RefusedWriteError, match="--force"):
        export_calendar(vault, target)
    assert target.read_bytes() == b"mine"
    export_calendar(vault, target, force=True)
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


def test_the_example_vault_calendar(example_vault) -> None:
    events = events_of(build_calendar(Vault(example_vault)).data)
    assert "Birthday: Lisa (daughter of Henk de Vries)" not in events  # family is private
    henk = events["Birthday: Henk de Vries"]
    assert henk.decoded("dtstart") == dt.date(1978, 4, 12)
    # scheduled-only tasks (⏳ without 📅) are not on the calendar
    assert not any("tentamen" in summary for summary in events)


def test_links_in_a_follow_up_read_as_their_label(make_vault) -> None:
    root = make_vault(
        {
            "people/Henk.md": "- [ ] Ask [[Anouk Peters|HR]] and [[Daan]] 📅 2026-12-01\n",
            "people/Anouk Peters.md": "",
        }
    )
    data = build_calendar(Vault(root)).data.decode()
    assert "SUMMARY:Follow-up: Ask HR and Daan (Henk)" in data
    assert "[[" not in data
