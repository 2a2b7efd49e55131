"""What a calendar holds, kept under .vaultcrm/cache/ until it changes (issue 16)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_calendars import APPLE, GOOGLE, OUTLOOK, write

from vaultcrm.store import calendars
from vaultcrm.store.calendars import day_window, load_meetings
from vaultcrm.store.vault import Vault

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=AMS)


@pytest.fixture
def vault(make_vault) -> Vault:
    root = make_vault(
        {"people/Henk.md": "---\nemail: henk@example.com\n---\n"},
        config='calendars = ["cal/google.ics", "cal/outlook.ics", "cal/apple.ics"]\n'
        'me = ["me@example.com"]\n',
    )
    (root / "cal").mkdir()
    write(root / "cal", "google.ics", GOOGLE)
    write(root / "cal", "outlook.ics", OUTLOOK)
    write(root / "cal", "apple.ics", APPLE, eol="\n")
    return Vault(root)


def instants(read) -> list[tuple]:
    return [
        (m.uid, m.title, m.start.timestamp(), m.end.timestamp(), m.attendees, m.organizer)
        for m in read.meetings
    ]


def cache_files(vault: Vault) -> list[Path]:
    return sorted((vault.state_dir / "cache" / "calendars").glob("*.json"))


def test_the_cache_gives_what_the_calendar_gives(vault: Vault, monkeypatch) -> None:
    fresh = load_meetings(vault, NOW, tz=AMS, cache=False)
    first = load_meetings(vault, NOW, tz=AMS)
    assert len(cache_files(vault)) == 3
    monkeypatch.setattr(calendars, "read_calendar", _no_reading)
    kept = load_meetings(vault, NOW, tz=AMS)
    assert instants(kept) == instants(first) == instants(fresh)
    assert kept.skipped == fresh.skipped and kept.problems == fresh.problems
    zones = {m.start.tzinfo for m in kept.meetings if m.title == "1:1 Henk"}
    assert zones == {AMS}  # a zone's name survives, so DST rules still apply
    later = load_meetings(vault, NOW + dt.timedelta(hours=10), tz=AMS)  # the same day
    assert instants(later) == instants(first)


def _no_reading(*args, **kwargs):
    raise AssertionError("the calendar was read, not the cache")


def test_a_changed_calendar_or_setting_is_read_again(vault: Vault) -> None:
    load_meetings(vault, NOW, tz=AMS)
    google = vault.root / "cal" / "google.ics"
    google.write_bytes(google.read_bytes().replace(b"SUMMARY:Lunch with Sanne", b"SUMMARY:Brunch"))
    titles = {m.title for m in load_meetings(vault, NOW, tz=AMS).meetings}
    assert "Brunch" in titles and "Lunch with Sanne" not in titles
    tomorrow = load_meetings(vault, NOW + dt.timedelta(days=1), tz=AMS)  # another window
    assert day_window(NOW + dt.timedelta(days=1))[0].date() == dt.date(2025, 11, 24)
    assert tomorrow.meetings
    in_new_york = load_meetings(vault, NOW, tz=ZoneInfo("America/New_York"))
    assert in_new_york.meetings  # another zone for floating times: its own entry
    assert len(cache_files(vault)) == 3  # one file a calendar, replaced


def test_a_damaged_cache_is_read_again_and_a_read_only_one_is_no_error(
    vault: Vault, tmp_path: Path
) -> None:
    first = load_meetings(vault, NOW, tz=AMS)
    for path in cache_files(vault):
        path.write_text("{not json", encoding="utf-8")
    assert instants(load_meetings(vault, NOW, tz=AMS)) == instants(first)
    folder = vault.state_dir / "cache" / "calendars"
    for path in cache_files(vault):
        path.unlink()
    os.chmod(folder, 0o500)
    try:
        assert instants(load_meetings(vault, NOW, tz=AMS)) == instants(first)
    finally:
        os.chmod(folder, 0o700)


def test_a_cache_folder_that_is_a_link_is_not_written_through(vault: Vault, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    vault.state_dir.mkdir(exist_ok=True)
    (vault.state_dir / "cache").symlink_to(elsewhere)
    assert load_meetings(vault, NOW, tz=AMS).meetings
    assert list(elsewhere.iterdir()) == []


def test_nothing_configured_reads_and_keeps_nothing(make_vault) -> None:
    vault = Vault(make_vault({"people/Henk.md": ""}, config=""))
    assert load_meetings(vault, NOW) == calendars.CalendarRead()
    assert not (vault.state_dir / "cache").exists()
