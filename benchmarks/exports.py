"""Deterministic calendar (.ics) and address book (.vcf) exports for the issue 16 benchmarks
and the slow tests: the shapes Outlook and Google write, at any size.

    python -m benchmarks.exports calendar /tmp/work.ics --events 10000
    python -m benchmarks.exports contacts /tmp/contacts.vcf --contacts 1000

The calendar is a manager's four years of work: ``events`` VEVENTs, one in 40 a weekly
or biweekly series (most of them ended long ago, as old 1:1s do; a few with exceptions,
moved and declined instances), the rest single meetings with 2 to 8 attendees, a folded
HTML-ish description, an alarm and Outlook's X- properties, spread evenly from four years
before ``now`` to 60 days after it. So about a quarter of the events fall in
vaultcrm's default window (a year back, 60 days ahead), as in a real export.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
FIRST = ["Henk", "Sanne", "Pieter", "Zoë", "Fatima", "Daan", "Eva", "Max", "Lisa", "Noah"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"]
TOPICS = ["1:1", "Roadmap", "Retro", "Hiring", "Budget", "Incident review", "Planning"]
VTIMEZONE = """BEGIN:VTIMEZONE
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
END:VTIMEZONE"""
ZONE = 'TZID="W. Europe Standard Time"'


def fold(line: str) -> str:
    """RFC 5545 folding at 75 characters, as exporters do."""
    parts = [line[:75]]
    rest = line[75:]
    while rest:
        parts.append(" " + rest[:74])
        rest = rest[74:]
    return "\r\n".join(parts)


def person(rng: random.Random, i: int) -> tuple[str, str]:
    name = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"
    return name, f"person{i}@example.com"


def _event(rng: random.Random, uid: str, start: dt.datetime, lines: list[str]) -> str:
    minutes = rng.choice([30, 30, 45, 60, 60, 90])
    end = start + dt.timedelta(minutes=minutes)
    n = rng.randint(2, 8)
    who = [person(rng, rng.randrange(400)) for _ in range(n)]
    description = " ".join(rng.choice(TOPICS) + " notes and follow-ups" for _ in range(12))
    body = [
        "BEGIN:VEVENT",
        "CLASS:PUBLIC",
        "CREATED:20220101T090000Z",
        fold(f"DESCRIPTION:{description}\\n\\nJoin the meeting: https://teams.example.com/l/"),
        f"DTSTART;{ZONE}:{start:%Y%m%dT%H%M%S}",
        f"DTEND;{ZONE}:{end:%Y%m%dT%H%M%S}",
        *lines,
        "LOCATION:Microsoft Teams Meeting",
        fold('ORGANIZER;CN="Me":mailto:me@example.com'),
        *(
            fold(f'ATTENDEE;CN="{name}";RSVP=TRUE;ROLE=REQ-PARTICIPANT:mailto:{mail}')
            for name, mail in who
        ),
        "PRIORITY:5",
        "SEQUENCE:0",
        f"SUMMARY;LANGUAGE=en-us:{rng.choice(TOPICS)} {who[0][0]}",
        "TRANSP:OPAQUE",
        f"UID:{uid}",
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
        "X-MICROSOFT-CDO-IMPORTANCE:1",
        "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
        "BEGIN:VALARM",
        "TRIGGER:-PT15M",
        "ACTION:DISPLAY",
        "DESCRIPTION:Reminder",
        "END:VALARM",
        "END:VEVENT",
    ]
    return "\r\n".join(body)


def calendar_events(events: int, seed: int = 0, now: dt.datetime = NOW) -> Iterator[str]:
    """The VEVENT texts of the export, in file order."""
    rng = random.Random(seed)
    first = now - dt.timedelta(days=4 * 365)
    span = (now + dt.timedelta(days=60) - first).total_seconds()
    for i in range(events):
        offset = dt.timedelta(seconds=span * i / events)
        day = (first + offset).replace(hour=rng.choice([9, 10, 11, 13, 14, 15, 16]), minute=0)
        day = day.replace(tzinfo=None)
        if i % 40 == 0:  # a series: weekly or biweekly; most ended before the window
            active = i % 400 == 0
            until = day + dt.timedelta(days=rng.randint(60, 300))
            rule = f"RRULE:FREQ=WEEKLY;INTERVAL={rng.choice([1, 2])}"
            rule += "" if active else f";UNTIL={until:%Y%m%dT%H%M%SZ}"
            yield _event(rng, f"series-{i}@example.com", day, [rule])
        else:
            yield _event(rng, f"single-{i}@example.com", day, [])


def write_calendar(path: Path, events: int, seed: int = 0, now: dt.datetime = NOW) -> int:
    """Write the export to ``path`` (streamed: any size, little memory); its bytes."""
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
        out.write("\r\nVERSION:2.0\r\nMETHOD:PUBLISH\r\n" + VTIMEZONE.replace("\n", "\r\n"))
        for text in calendar_events(events, seed, now):
            out.write("\r\n" + text)
        out.write("\r\nEND:VCALENDAR\r\n")
    return path.stat().st_size


def write_calendar_of_size(path: Path, megabytes: float, seed: int = 0) -> int:
    """An export of about ``megabytes`` MB (events of ~1.3 KB each)."""
    return write_calendar(path, int(megabytes * 1_000_000 / 1300), seed)


# ---------------------------------------------------------------- address books


def contacts_vcf(contacts: int, seed: int = 0) -> str:
    """A Google-style vCard 3.0 export of ``contacts`` people, with an Outlook 2.1 card
    (quoted-printable) every tenth."""
    rng = random.Random(seed)
    cards = []
    for i in range(contacts):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        name = f"{first} {last} {i}"
        if i % 10 == 9:
            cards.append(
                "\r\n".join(
                    [
                        "BEGIN:VCARD",
                        "VERSION:2.1",
                        f"N;CHARSET=utf-8:{last} {i};{first};;;",
                        f"FN;CHARSET=utf-8:{name}",
                        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:Caf=C3=A9 met "
                        + f"{first}=0D=",
                        "=0Avervolg",
                        f"EMAIL;PREF;INTERNET:c{i}@example.com",
                        f"TEL;WORK;VOICE:06{rng.randrange(10**8):08d}",
                        "ORG:Example B.V.;Support",
                        "TITLE:Engineer",
                        "END:VCARD",
                    ]
                )
            )
            continue
        cards.append(
            "\r\n".join(
                [
                    "BEGIN:VCARD",
                    "VERSION:3.0",
                    f"FN:{name}",
                    f"N:{last} {i};{first};;;",
                    f"EMAIL;TYPE=INTERNET;TYPE=WORK:c{i}@example.com",
                    f"EMAIL;TYPE=INTERNET;TYPE=HOME:c{i}@home.example",
                    f"TEL;TYPE=CELL:06 {rng.randrange(10**8):08d}",
                    f"BDAY:{1960 + i % 40}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                    f"ORG:Example B.V.;{rng.choice(['Support', 'Sales', 'HR'])}",
                    f"TITLE:{rng.choice(['Engineer', 'Manager', 'Recruiter'])}",
                    fold(
                        f"NOTE:Met at the kick-off\\, {i}; a note long enough to be folded by the exporter"
                    ),
                    "CATEGORIES:myContacts,Team A\\, Utrecht",
                    "END:VCARD",
                ]
            )
        )
    return "\r\n".join(cards) + "\r\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=["calendar", "contacts"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.kind == "calendar":
        size = write_calendar(args.path, args.events, args.seed)
        print(f"{args.path}: {args.events} events, {size / 1e6:.1f} MB")
    else:
        args.path.write_text(contacts_vcf(args.contacts, args.seed), encoding="utf-8", newline="")
        print(f"{args.path}: {args.contacts} contacts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
