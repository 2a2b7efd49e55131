"""config.toml's calendar keys (issue 16): calendars, me, max_attendees."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultcrm.errors import VaultcrmError
from vaultcrm.store.config import DEFAULT_MAX_ATTENDEES, Config, load_config


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_defaults_read_no_calendar() -> None:
    assert Config().calendars == ()
    assert Config().me == ()
    assert Config().max_attendees == DEFAULT_MAX_ATTENDEES == 20


def test_the_keys_as_written_and_addresses_folded(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        'calendars = ["~/Calendars/work.ics", "cal/home.ics"]\n'
        'me = ["Me@Example.com", "mailto:me@work.example", "me@example.com"]\n'
        "max_attendees = 8\n",
    )
    assert config.calendars == ("~/Calendars/work.ics", "cal/home.ics")
    assert config.me == ("me@example.com", "me@work.example")
    assert config.max_attendees == 8
    assert "calendars" not in config.extra and "me" not in config.extra


def test_a_single_string_is_a_list_of_one(tmp_path: Path) -> None:
    config = load(tmp_path, 'calendars = "work.ics"\nme = "me@example.com"\n')
    assert config.calendars == ("work.ics",)
    assert config.me == ("me@example.com",)


@pytest.mark.parametrize(
    "text, message",
    [
        ("calendars = [1]\n", "'calendars' must be a list of strings"),
        ('calendars = [" "]\n', "'calendars' holds an empty path"),
        ('me = ["Henk"]\n', "'me' holds 'Henk', which is not an email address"),
        ("me = 3\n", "'me' must be a list of strings"),
        ("max_attendees = 0\n", "'max_attendees' must be a whole number of at least 1"),
        ("max_attendees = true\n", "'max_attendees' must be a whole number of at least 1"),
        ('max_attendees = "20"\n', "'max_attendees' must be a whole number of at least 1"),
    ],
)
def test_mistakes_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(VaultcrmError) as caught:
        load(tmp_path, text)
    assert caught.value.path == tmp_path / "config.toml"
    assert caught.value.message.startswith(message)
