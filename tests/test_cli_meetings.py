"""Calendars in the commands (issue 16): last contact "from the calendar" in people, agenda,
prep and health; the agenda's meetings; ``prep --next | --date D | --meeting TEXT``; saving
a meeting's sheet; ``--calendar FILE``; and every way a calendar can be wrong.

The calendars are the Google, Outlook and Apple exports of test_calendars.py (folded lines,
X-WR-TIMEZONE, Windows zone names, a weekly 1:1 with an EXDATE, a moved and a declined
instance) and a team calendar made here (CATEGORIES with commas, a room, a description that
must never be shown). The user is in Amsterdam (``TZ``); today is Monday 23 November 2026,
and with ``VAULTCRM_TODAY`` set to a day, "now" is its first moment.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import EN, NL, on
from test_calendars import APPLE, GOOGLE, OUTLOOK, write

AMS = ZoneInfo("Europe/Amsterdam")
TODAY = on("2026-11-23")

PEOPLE = {
    "people/Henk de Vries.md": "---\naliases: [Henk]\nemail: henk@example.com\ncadence: 14d\n"
    "---\n## Log\n- 2026-11-02: koffie\n",
    "people/Sanne Jansen.md": "---\naliases: [Sanne]\nemail: sanne@example.com\ncadence: 1m\n"
    "last_contact: 2026-10-01\n---\n",
    "people/Zoë Bakker.md": "---\nemails: [zoe@example.com]\ncadence: 2w\n---\n",
    "people/Pieter Bakker.md": "---\nemail: pieter@example.com\n---\n",
}

# A team calendar: a group lunch (with someone from outside the vault and a room), a
# dentist's appointment with no one, and an all-hands too large to be contact.
TEAM = (
    """
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Google Inc//Google Calendar 70.9054//EN
X-WR-TIMEZONE:Europe/Amsterdam
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20261130T120000
DTEND;TZID=Europe/Amsterdam:20261130T130000
UID:lunch-team@google.com
ORGANIZER;CN=me@example.com:mailto:me@example.com
ATTENDEE;PARTSTAT=ACCEPTED;CN=Zoë Bakker:mailto:zoe@example.com
ATTENDEE;PARTSTAT=TENTATIVE;CN=Pieter Bakker:mailto:pieter@example.com
ATTENDEE;PARTSTAT=ACCEPTED;CN=Sam Extern:mailto:sam@other.example
ATTENDEE;CUTYPE=RESOURCE;CN=Zaal 3:mailto:c_1@resource.calendar.google.com
CATEGORIES:Lunch\\, team,Social
DESCRIPTION:PRIVATE salary talk with Zoë\\, do not share
SUMMARY:Team lunch
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Amsterdam:20261125T083000
DTEND;TZID=Europe/Amsterdam:20261125T090000
UID:dentist@google.com
SUMMARY:Dentist
END:VEVENT
BEGIN:VEVENT
DTSTART:20261120T150000Z
DTEND:20261120T160000Z
UID:all-hands@google.com
SUMMARY:All-hands
ATTENDEE;CN=Zoë Bakker:mailto:zoe@example.com
"""
    + "".join(f"ATTENDEE;CN=Person {n}:mailto:p{n}@example.com\n" for n in range(25))
    + """END:VEVENT
END:VCALENDAR
"""
)

CONFIG = (
    'calendars = ["cal/google.ics", "cal/outlook.ics", "cal/apple.ics", "cal/team.ics"]\n'
    'me = ["me@example.com"]\n'
)


@pytest.fixture(autouse=True)
def _amsterdam(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Amsterdam")


def calendars(root: Path) -> Path:
    folder = root / "cal"
    folder.mkdir(exist_ok=True)
    write(folder, "google.ics", GOOGLE)
    write(folder, "outlook.ics", OUTLOOK)
    write(folder, "apple.ics", APPLE, eol="\n")
    write(folder, "team.ics", TEAM)
    return folder


@pytest.fixture
def vault(make_vault) -> Path:
    root = make_vault(PEOPLE, config=CONFIG)
    calendars(root)
    return root


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMS)


def when(text: str, words=EN) -> str:
    return words.meeting_when(at(text), TODAY)


# ---------------------------------------------------------------- last contact


def test_people_marks_a_last_contact_from_the_calendar(run, vault: Path) -> None:
    result = run(vault, "people")
    assert result.exit_code == 0, result.output
    lines = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    # Henk: the Outlook series of 17 Nov (his address written Henk@Ex ample.com) beats his
    # Log; Sanne organised it; Pieter had the Kwartaalgesprek that morning.
    for name in ("Henk de Vries", "Sanne Jansen", "Pieter Bakker"):
        assert "2026-11-17  6 days ago (from the calendar)" in lines[name], lines[name]
    assert "never" in lines["Zoë Bakker"]  # the coffee is tomorrow; the all-hands too large
    rows = {r["name"]: r for r in json.loads(run(vault, "people", "--json").stdout)}
    assert rows["Henk de Vries"]["last_contact_source"] == "calendar"
    assert rows["Zoë Bakker"]["last_contact_source"] is None


def test_a_meeting_counts_once_it_has_started(run, vault: Path, monkeypatch) -> None:
    def henk() -> tuple:
        rows = json.loads(run(vault, "people", "--json").stdout)
        row = next(r for r in rows if r["name"] == "Henk de Vries")
        return row["last_contact"], row["last_contact_source"]

    monkeypatch.setenv("VAULTCRM_TODAY", "2026-11-23T09:59")
    assert henk() == ("2026-11-17", "calendar")
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-11-23T10:00")  # the 1:1 has begun
    assert henk() == ("2026-11-23", "calendar")
    assert "2026-11-23  today (from the calendar)" in run(vault, "people").stdout


def test_the_notes_win_a_tie(run, make_vault) -> None:
    files = {**PEOPLE, "meetings/2026-11-17 Overleg.md": "[[Henk]] en [[Sanne]]\n"}
    root = make_vault(files, config=CONFIG)
    calendars(root)
    rows = {r["name"]: r for r in json.loads(run(root, "people", "--json").stdout)}
    assert (
        rows["Henk de Vries"]["last_contact"],
        rows["Henk de Vries"]["last_contact_source"],
    ) == (
        "2026-11-17",
        "notes",
    )


def test_without_a_calendar_nothing_changes_and_nothing_is_kept(run, make_vault) -> None:
    root = make_vault(PEOPLE, config='me = ["me@example.com"]\n')
    calendars(root)  # there, but not configured
    rows = {r["name"]: r for r in json.loads(run(root, "people", "--json").stdout)}
    assert rows["Henk de Vries"]["last_contact"] == "2026-11-02"
    assert rows["Henk de Vries"]["last_contact_source"] == "notes"
    assert not (root / ".vaultcrm" / "cache").exists()
    given = run(root, "people", "--json", "--calendar", str(root / "cal" / "outlook.ics"))
    henk = next(r for r in json.loads(given.stdout) if r["name"] == "Henk de Vries")
    assert (henk["last_contact"], henk["last_contact_source"]) == ("2026-11-17", "calendar")


def test_the_prep_sheet_says_from_the_calendar(run, vault: Path) -> None:
    md = run(vault, "prep", "henk").stdout
    assert (
        f"**Last contact:** 6 days ago ({EN.date(on('2026-11-17'))}, from the calendar) · "
        f"next due {EN.day(on('2026-12-01'))} (in 8 days)"
    ) in md
    html = run(vault, "prep", "henk", "--format", "html").stdout
    assert '<div class="muted">from the calendar</div>' in html
    (vault / ".vaultcrm" / "config.toml").write_text(CONFIG + 'locale = "nl"\n', "utf-8")
    nl = run(vault, "prep", "henk").stdout
    assert (
        f"**Laatste contact:** 6 dagen geleden ({NL.date(on('2026-11-17'))}, uit de agenda)" in nl
    )


def test_health_counts_calendar_meetings(run, vault: Path, make_vault) -> None:
    with_calendar = json.loads(run(vault, "health", "henk", "--json").stdout)["people"][0]
    shown = run(vault, "health", "henk").stdout
    assert "last contact 2026-11-17 (6 days ago, from the calendar)" in shown
    node = json.loads(run(vault, "network", "henk", "--format", "json").stdout)
    henk = next(n for n in node["nodes"] if n["name"] == "Henk de Vries")
    assert henk["last_contact_source"] == "calendar"
    assert "(6 days ago, from the calendar)" in run(vault, "network", "henk").stdout
    plain = make_vault(PEOPLE, config="")  # the same folder, without the calendars
    without = json.loads(run(plain, "health", "henk", "--json").stdout)["people"][0]
    assert without["contacts"] == 1  # the Log's coffee
    # the Google 1:1s since 7 September (2 Nov excepted, 16 Nov declined, 9 Nov moved to
    # the 16th) and Outlook's Tuesdays: one contact a day at most
    assert with_calendar["contacts"] > 12
    assert with_calendar["last_contact"] == "2026-11-17"
    assert (with_calendar["last_contact_source"], without["last_contact_source"]) == (
        "calendar",
        "notes",
    )


# ---------------------------------------------------------------- agenda


def test_the_agenda_lists_the_coming_meetings(run, vault: Path) -> None:
    result = run(vault, "agenda", "--days", "7")
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    start = out.index("Meetings in the next 7 days")
    rows = [
        (when("2026-11-23T10:00"), "· 1:1 Henk (Henk de Vries)"),
        (when("2026-11-24T11:00"), "· Koffie met Zoë (Zoë Bakker)"),
        (when("2026-11-30T10:00"), "· 1:1 Henk (Henk de Vries)"),
        (when("2026-11-30T12:00"), "· Team lunch (Zoë Bakker, Pieter Bakker)"),
    ]
    width = max(len(w) for w, _ in rows)
    assert out[start + 1 : start + 5] == [f"  {w.ljust(width)}  {what}" for w, what in rows]
    assert "Dentist" not in result.stdout and "All-hands" not in result.stdout
    assert "salary" not in result.stdout  # a description is never read, never shown
    due = next(line for line in out if line.startswith("  Zoë Bakker"))
    assert "due today" in due and "no contact yet" in due
    meetings = json.loads(run(vault, "agenda", "--days", "7", "--json").stdout)["meetings"]
    assert meetings[3] == {
        "start": "2026-11-30T12:00:00+01:00",
        "end": "2026-11-30T13:00:00+01:00",
        "title": "Team lunch",
        "people": ["Zoë Bakker", "Pieter Bakker"],
        "paths": ["people/Zoë Bakker.md", "people/Pieter Bakker.md"],
    }


def test_the_due_list_says_from_the_calendar(run, make_vault, monkeypatch) -> None:
    root = make_vault(PEOPLE, config=CONFIG)
    calendars(root)
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-12-20")
    out = run(root, "agenda").stdout
    # Zoë's coffee was on 24 November, the team lunch on the 30th: she is due again
    assert (
        "  Zoë Bakker  6 days overdue  last contact 2026-11-30 (20 days ago, from the "
        "calendar), every 2w\n"
    ) in out


def test_the_agenda_speaks_dutch(run, vault: Path) -> None:
    (vault / ".vaultcrm" / "config.toml").write_text(CONFIG + 'locale = "nl"\n', "utf-8")
    out = run(vault, "agenda", "--days", "1").stdout.splitlines()
    assert out[0] == "Afspraken vandaag en morgen"
    assert out[1].startswith(f"  {when('2026-11-23T10:00', NL)}") and "1:1 Henk" in out[1]
    assert run(vault, "agenda", "--days", "0").stdout.startswith("Afspraken vandaag\n")
    assert run(vault, "agenda", "--days", "2").stdout.startswith("Afspraken de komende 2 dagen\n")


def test_times_are_the_users_own_across_dst(run, vault: Path, monkeypatch) -> None:
    # The Monday 1:1 is at 10:00 in Amsterdam on both sides of 25 October. Seen from New
    # York, whose clocks change a week later, it moves: 4:00, then 5:00, then 4:00 again.
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-10-13")
    out = run(vault, "agenda", "--days", "21").stdout
    for day in ("2026-10-19", "2026-10-26"):
        assert EN.meeting_when(at(f"{day}T10:00"), on("2026-10-13")) in out
    monkeypatch.setenv("TZ", "America/New_York")
    ny = ZoneInfo("America/New_York")
    out = run(vault, "agenda", "--days", "35").stdout
    expected = {
        "2026-10-19": dt.datetime(2026, 10, 19, 4, 0, tzinfo=ny),
        "2026-10-26": dt.datetime(2026, 10, 26, 5, 0, tzinfo=ny),  # Amsterdam has changed
        "2026-11-16": dt.datetime(2026, 11, 16, 9, 0, tzinfo=ny),  # the moved one, 15:00
    }
    for local in expected.values():
        assert EN.meeting_when(local, on("2026-10-13")) in out
    assert at("2026-10-19T10:00").astimezone(ny) == expected["2026-10-19"]


# ---------------------------------------------------------------- prep --next, --date, --meeting


def test_prep_next(run, vault: Path) -> None:
    result = run(vault, "prep", "--next")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Meeting prep: [[Henk de Vries]]\n")
    assert f"{when('2026-11-23T10:00')} · 1:1 Henk (Henk de Vries)" in result.stderr


def test_prep_date_gives_a_sheet_per_meeting(run, vault: Path) -> None:
    for day in ("2026-11-30", "+7d"):
        result = run(vault, "prep", "--date", day)
        assert result.exit_code == 0, result.output
        sheets = result.stdout.split("\n---\n\n")
        assert len(sheets) == 2
        assert sheets[0].startswith("# Meeting prep: [[Henk de Vries]]\n")
        assert sheets[1].startswith("# Group meeting prep: [[Zoë Bakker]] and [[Pieter Bakker]]\n")
    assert run(vault, "prep", "--date", "tomorrow").stdout.startswith(
        "# Meeting prep: [[Zoë Bakker]]"
    )
    assert run(vault, "prep", "--date", "morgen").stdout.startswith(
        "# Meeting prep: [[Zoë Bakker]]"
    )
    assert run(vault, "prep", "--date", "vandaag").stdout.startswith(
        "# Meeting prep: [[Henk de Vries]]"
    )


def test_several_sheets_as_one_html_page_or_one_file(run, vault: Path, tmp_path: Path) -> None:
    html = run(vault, "prep", "--date", "2026-11-30", "--format", "html").stdout
    assert html.count("<html") == 1 and html.count("</body>") == 1
    assert "<h1>Henk de Vries</h1>" in html and "break-before: page" in html
    target = tmp_path / "day.md"
    written = run(vault, "prep", "--date", "2026-11-30", "--out", str(target))
    assert (written.exit_code, written.stdout) == (0, "")
    assert target.read_text("utf-8").count("# ") >= 2 and "\n---\n" in target.read_text("utf-8")
    again = run(vault, "prep", "--date", "2026-11-30", "--out", str(target))
    assert again.exit_code == 2  # never over a file without --force
    forced = run(vault, "prep", "--date", "2026-11-30", "--out", str(target), "--force")
    assert forced.exit_code == 0


def test_prep_meeting(run, vault: Path) -> None:
    result = run(vault, "prep", "--meeting", "overleg")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "# Group meeting prep: [[Sanne Jansen]] and [[Henk de Vries]]\n"
    )  # the organiser first
    assert f"{when('2026-12-01T14:00')} · Overleg Henk en Sanne" in result.stderr
    assert run(vault, "prep", "--meeting", "1:1 HENK").exit_code == 0


def test_prep_meeting_that_is_ambiguous_unknown_or_without_people(run, vault: Path) -> None:
    both = run(vault, "prep", "--meeting", "henk")
    assert both.exit_code == 2
    assert both.stderr.splitlines() == [
        "'henk' matches several meetings; say which:",
        "  1:1 Henk (2026-11-23 10:00)",
        "  Overleg Henk en Sanne (2026-12-01 14:00)",
    ]
    unknown = run(vault, "prep", "--meeting", "budget")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("No coming meeting's title holds 'budget'. Did you mean: ")
    alone = run(vault, "prep", "--meeting", "dentist")
    assert (alone.exit_code, alone.stderr) == (
        1,
        "The meeting 'Dentist' has no one from the vault in it.\n",
    )


def test_no_meeting_that_day_or_coming(run, vault: Path, monkeypatch) -> None:
    empty = run(vault, "prep", "--date", "2026-11-25")
    assert (empty.exit_code, empty.stdout) == (1, "")
    assert empty.stderr == "No meeting with anyone in the vault on 2026-11-25 (1 without them).\n"
    assert run(vault, "prep", "--date", "2026-11-28").stderr == (
        "No meeting with anyone in the vault on 2026-11-28.\n"
    )
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-12-09")  # the series that end have ended
    (vault / ".vaultcrm" / "config.toml").write_text(
        'calendars = ["cal/outlook.ics", "cal/apple.ics"]\n', "utf-8"
    )
    later = run(vault, "prep", "--next")
    assert (later.exit_code, later.stderr) == (
        1,
        "No meeting with anyone in the vault in the next 60 days.\n",
    )


def test_prep_needs_one_way_of_saying_whom(run, vault: Path) -> None:
    for args in ((), ("henk", "--next"), ("--next", "--date", "today")):
        result = run(vault, "prep", *args)
        assert result.exit_code == 2
        assert "say whom to prepare for: NAME..., --next, --date D or --meeting TEXT" in (
            result.stderr
        )
    bad = run(vault, "prep", "--date", "someday")
    assert bad.exit_code == 2 and "is not a date" in bad.stderr


def test_prep_without_a_calendar_says_how_to_set_one(run, make_vault) -> None:
    root = make_vault(PEOPLE, config="")
    result = run(root, "prep", "--next")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        'vaultcrm: no calendar to read: set calendars = ["~/Calendars/work.ics"] in '
        ".vaultcrm/config.toml, or give --calendar FILE\n"
    )
    folder = calendars(root)
    given = run(root, "prep", "--next", "--calendar", str(folder / "apple.ics"))
    assert given.exit_code == 0 and given.stdout.startswith("# Meeting prep: [[Zoë Bakker]]")


# ---------------------------------------------------------------- --save


def test_save_names_the_note_after_the_meeting_and_lists_who_comes(run, vault: Path) -> None:
    result = run(vault, "prep", "--date", "2026-11-30", "--save")
    assert result.exit_code == 0, result.output
    assert "Saved meetings/2026-11-30 1-1 Henk.md" in result.stderr
    assert "Saved meetings/2026-11-30 Team lunch.md" in result.stderr
    lunch = (vault / "meetings/2026-11-30 Team lunch.md").read_text("utf-8")
    assert lunch.startswith(
        "---\ndate: 2026-11-30\ntype: meeting\n"
        'people: ["[[Zoë Bakker]]", "[[Pieter Bakker]]"]\n'
        'attendees: ["Zoë Bakker", "Pieter Bakker", "Sam Extern"]\n'  # not me, not the room
        "prepared_by: vaultcrm\n---\n# Group meeting prep: [[Zoë Bakker]] and [[Pieter Bakker]]"
    )
    assert "salary" not in lunch
    henk = (vault / "meetings/2026-11-30 1-1 Henk.md").read_text("utf-8")
    assert 'attendees: ["Henk de Vries"]\n' in henk and "date: 2026-11-30\n" in henk


def test_a_saved_meeting_is_contact_after_its_day(run, vault: Path, monkeypatch) -> None:
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-11-24")
    assert run(vault, "prep", "--date", "2026-11-24", "--save").exit_code == 0
    saved = vault / "meetings/2026-11-24 Koffie met Zoë.md"
    assert saved.is_file()
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-11-26")
    rows = {r["name"]: r for r in json.loads(run(vault, "people", "--json").stdout)}
    # the calendar and the note agree on the 24th: the note, the record, wins
    assert (rows["Zoë Bakker"]["last_contact"], rows["Zoë Bakker"]["last_contact_source"]) == (
        "2026-11-24",
        "notes",
    )


def test_a_calendars_title_cannot_make_a_bad_file_name_or_link(run, make_vault) -> None:
    root = make_vault(PEOPLE, config='me = ["me@example.com"]\n')
    text = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\n"
        "DTSTART:20261124T090000Z\nDTEND:20261124T093000Z\nUID:x\n"
        "SUMMARY:../../etc/[[passwd]]: 1:1 Henk?\n"
        'ATTENDEE;CN="Eve ]] [[Henk":mailto:eve@other.example\n'
        "ATTENDEE:mailto:henk@example.com\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    path = write(root, "evil.ics", text)
    result = run(root, "prep", "--next", "--save", "--calendar", str(path))
    assert result.exit_code == 0, result.output
    (note,) = (root / "meetings").iterdir()  # in the vault's meetings folder, nowhere else
    assert note.name.startswith("2026-11-24 ") and note.name.endswith(" 1-1 Henk.md")
    assert not any(c in note.name for c in '/\\:[]?"'), note.name
    head = note.read_text("utf-8").split("---\n")[1]
    assert 'attendees: ["Eve Henk", "Henk de Vries"]' in head


# ---------------------------------------------------------------- bad input


def test_a_configured_calendar_that_is_missing_or_broken_is_a_line_not_a_failure(
    run, make_vault
) -> None:
    root = make_vault(
        PEOPLE, config='calendars = ["cal/gone.ics", "cal/bad.ics", "cal/outlook.ics"]\n'
    )
    folder = root / "cal"
    folder.mkdir()
    write(folder, "outlook.ics", OUTLOOK)
    (folder / "bad.ics").write_text("this is no calendar\n", "utf-8")
    result = run(root, "people")
    assert result.exit_code == 0
    assert "2026-11-17  6 days ago (from the calendar)" in result.stdout  # outlook.ics read
    assert result.stderr.splitlines()[-2:] == [
        f"vaultcrm: {folder / 'gone.ics'}: calendar file does not exist",
        f"vaultcrm: {folder / 'bad.ics'}: not an iCalendar file (it should start with "
        "BEGIN:VCALENDAR)",
    ]
    check = run(root, "check")
    assert f"{folder / 'gone.ics'}: calendar file does not exist" in check.stdout


def test_no_calendar_readable_for_prep(run, make_vault) -> None:
    root = make_vault(PEOPLE, config='calendars = ["cal/gone.ics"]\n')
    result = run(root, "prep", "--next")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"vaultcrm: no calendar could be read ({root / 'cal' / 'gone.ics'}: "
        "calendar file does not exist)"
    )


@pytest.mark.parametrize("command", ["people", "agenda", "health", "network"])
def test_a_given_calendar_that_cannot_be_read_is_a_usage_error(
    run, vault: Path, tmp_path: Path, command: str
) -> None:
    result = run(vault, command, "--calendar", str(tmp_path / "nope.ics"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"vaultcrm: {tmp_path / 'nope.ics'}: calendar file does not exist\n"


@pytest.mark.parametrize("command", [("agenda",), ("prep", "henk"), ("import",)])
def test_a_pipe_or_a_device_is_refused_not_waited_on(run, vault: Path, tmp_path: Path, command):
    """Reading a named pipe waits for a writer, /dev/zero never ends: neither is read."""
    import os

    fifo = tmp_path / "cal.fifo"
    os.mkfifo(fifo)
    for odd in (fifo, Path("/dev/zero")):
        args = (
            (*command, str(odd)) if command == ("import",) else (*command, "--calendar", str(odd))
        )
        result = run(vault, *args)
        assert result.exit_code == 2
        assert (
            result.stderr
            == f"vaultcrm: {odd}: is not a regular file (a pipe or a device?); not reading it\n"
        )
    (vault / ".vaultcrm" / "config.toml").write_text(f'calendars = ["{fifo}"]\n', "utf-8")
    assert run(vault, "people").exit_code == 0  # a configured one: a warning, not a wait


def test_bad_events_are_reported_and_the_rest_is_used(run, make_vault) -> None:
    from test_calendars import BROKEN

    root = make_vault(PEOPLE, config='calendars = ["broken.ics"]\nme = ["me@example.com"]\n')
    write(root, "broken.ics", BROKEN)
    result = run(root, "people")
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if "broken.ics" in line]
    assert 1 <= len(warnings) <= 3
    listed = run(root, "check").stdout
    assert listed.count("broken.ics:") >= len(warnings)


def test_vaultcrm_today_takes_a_time_and_refuses_nonsense(run, vault: Path, monkeypatch) -> None:
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-11-23 10:15")
    assert run(vault, "prep", "--next").stdout.startswith("# Meeting prep: [[Zoë Bakker]]")
    monkeypatch.setenv("VAULTCRM_TODAY", "2026-11-23T25:00")
    bad = run(vault, "people")
    assert bad.exit_code == 2 and "is not a date" in bad.stderr


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_at_the_ends_of_the_calendar_is_a_usage_error(run, vault: Path, monkeypatch, day):
    wanted = run(vault, "prep", "--date", day)
    assert wanted.exit_code == 2 and "year 1 or 9999" in wanted.stderr
    monkeypatch.setenv("VAULTCRM_TODAY", day)
    for args in (("agenda",), ("people",), ("prep", "--next")):
        result = run(vault, *args)
        assert result.exit_code == 2 and "year 1 or 9999" in result.stderr, args


def test_a_description_is_kept_nowhere(run, vault: Path) -> None:
    run(vault, "agenda")
    run(vault, "prep", "--date", "2026-11-30", "--save")
    kept = "".join(p.read_text("utf-8", "replace") for p in (vault / ".vaultcrm").rglob("*.json"))
    assert kept and "salary" not in kept and "Lisa's exam" not in kept
