"""Last contact from a calendar on many days, in several time zones, across DST.

A late-evening weekly 1:1 (Monday 23:30 in Amsterdam: Tuesday in Tokyo, Monday afternoon
in New York) with a skipped week and a moved instance. For each "now", the last contact
must be the day, where the user is, of the latest occurrence that has started, worked
out here without any calendar library: wall-clock weeks in the series' zone. Swept over
every day of October and November 2026 (both DST changes: Europe on 25 October, the US
on 1 November) at several hours, and over days and zones hypothesis picks.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultcrm.engine.reading import reading
from vaultcrm.features.agenda import build_agenda
from vaultcrm.features.people import list_people
from vaultcrm.store.vault import Vault

AMS = ZoneInfo("Europe/Amsterdam")
ZONES = [AMS, ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo"), ZoneInfo("UTC")]
FIRST = dt.datetime(2026, 1, 5, 23, 30, tzinfo=AMS)
SKIPPED = dt.datetime(2026, 10, 19, 23, 30, tzinfo=AMS)
MOVED_FROM = dt.datetime(2026, 11, 2, 23, 30, tzinfo=AMS)
MOVED_TO = dt.datetime(2026, 11, 4, 8, 0, tzinfo=AMS)

CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Apple Inc.//macOS 15.1//EN
BEGIN:VEVENT
UID:late-1on1
DTSTART;TZID=Europe/Amsterdam:20260105T233000
DTEND;TZID=Europe/Amsterdam:20260106T000000
RRULE:FREQ=WEEKLY;BYDAY=MO
EXDATE;TZID=Europe/Amsterdam:20261019T233000
SUMMARY:Late 1:1
ATTENDEE;CN="Henk de Vries";PARTSTAT=ACCEPTED:mailto:henk@example.com
ATTENDEE;CN="Me";PARTSTAT=ACCEPTED:mailto:me@example.com
END:VEVENT
BEGIN:VEVENT
UID:late-1on1
RECURRENCE-ID;TZID=Europe/Amsterdam:20261102T233000
DTSTART;TZID=Europe/Amsterdam:20261104T080000
DTEND;TZID=Europe/Amsterdam:20261104T083000
SUMMARY:Late 1:1 (moved)
ATTENDEE;CN="Henk de Vries";PARTSTAT=ACCEPTED:mailto:henk@example.com
END:VEVENT
END:VCALENDAR
"""


def occurrences() -> list[dt.datetime]:
    """The series by hand: the same wall-clock time every week, DST or not."""
    found, week = [], 0
    while True:
        when = FIRST + dt.timedelta(weeks=week)  # same tzinfo: wall-clock arithmetic
        if when.year > 2028:
            return sorted(found)
        if when == SKIPPED:
            pass
        elif when == MOVED_FROM:
            found.append(MOVED_TO)
        else:
            found.append(when)
        week += 1


OCCURRENCES = occurrences()


def expected(now: dt.datetime) -> dt.date | None:
    started = [o for o in OCCURRENCES if o <= now]
    return started[-1].astimezone(now.tzinfo).date() if started else None


@pytest.fixture(scope="module")
def vault(tmp_path_factory) -> Vault:
    root = tmp_path_factory.mktemp("sweep-calendar")
    (root / ".vaultcrm").mkdir()
    (root / ".vaultcrm" / "config.toml").write_text(
        'calendars = ["late.ics"]\nme = ["me@example.com"]\n', "utf-8"
    )
    (root / "people").mkdir()
    (root / "people" / "Henk de Vries.md").write_text(
        "---\nemail: henk@example.com\ncadence: 7d\nlast_contact: 2025-12-01\n---\n", "utf-8"
    )
    (root / "late.ics").write_bytes(CALENDAR.replace("\n", "\r\n").encode())
    return Vault(root)


def henk_on(vault: Vault, now: dt.datetime, engine) -> tuple[dt.date | None, str | None]:
    (row,) = list_people(vault, today=now.date(), now=now, engine=engine).rows
    return row.last_contact, row.last_contact_source


def test_every_day_of_the_dst_months(vault: Vault) -> None:
    with reading(vault) as engine:
        day = dt.date(2026, 10, 1)
        while day <= dt.date(2026, 11, 30):
            for zone in ZONES:
                for hour in (0, 8, 23):
                    now = dt.datetime.combine(day, dt.time(hour, 45), zone)
                    last, source = henk_on(vault, now, engine)
                    assert last == expected(now), (now, last)
                    assert source == "calendar"
            day += dt.timedelta(days=1)


@given(
    day=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2027, 12, 31)),
    minute=st.integers(0, 24 * 60 - 1),
    zone=st.sampled_from(ZONES),
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_day_any_zone(vault: Vault, day: dt.date, minute: int, zone) -> None:
    now = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), zone)
    with reading(vault) as engine:
        last, source = henk_on(vault, now, engine)
        want = expected(now)
        if want is None:  # before the series: the note's old last_contact
            assert (last, source) == (dt.date(2025, 12, 1), "notes")
        else:
            assert (last, source) == (want, "calendar")
        coming = build_agenda(vault, 7, today=day, now=now, engine=engine).meetings
    soon = [o for o in OCCURRENCES if o.astimezone(zone) + dt.timedelta(minutes=30) > now]
    soon = [o for o in soon if o.astimezone(zone).date() <= day + dt.timedelta(days=7)]
    assert [m.start for m in coming] == soon
    assert all(m.start.tzinfo is zone for m in coming)  # shown where the user is
