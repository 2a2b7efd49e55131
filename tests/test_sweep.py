"""Every output on many days: a date bug hides on the day you happen to test.

"Today" moves over every day of a month around the example vault's own dates, over a
sample of days hypothesis picks anew each run (from before anyone in the vault was born
to decades ahead), and, in the slow suite, over every day of two years. On each day:
the prep sheet of every person (Markdown and HTML, English and Dutch, and the brief),
one group sheet of three, the agenda, the people list and the calendar. None may fail,
and none may show what a broken sheet shows: "None", template braces, a negative
number of days or years, "in -", or a plural where one is meant ("1 days").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultcrm.features.prep import build_sheet
from vaultcrm.present.templates import render_sheet
from vaultcrm.store.vault import Vault

GROUP = ["Sanne", "Fatima", "Henk"]
BAD = [
    (re.compile(r"\bNone\b"), "None"),
    (re.compile(r"\{\{|\}\}|\{%|%\}"), "template braces"),
    (re.compile(r"(?:^|[\s(,:])-\d"), "a negative number"),
    (re.compile(r"\bin -|\bover -"), "in -"),
    (
        re.compile(r"(?<![\d.,])1 (?:days|years|notes|problems|dagen|notities)\b"),
        "a plural for one",
    ),
]


# vaultcrm's own English phrases, which a Dutch output must not show (the notes' own
# text may be English, but not in these forms).
ENGLISH = re.compile(
    r"\b(?:today|tomorrow|yesterday|overdue|ago|years? of service|due (?:today|in))\b"
    r"|\b\d+ days?\b|'s birthday \("
)


def bad_parts(text: str, dutch: bool = False) -> list[str]:
    """What a broken output shows, as (what, the line it is on)."""
    found = []
    text = re.sub(r"(?s)<style>.*?</style>", "", text)  # the HTML sheet's own stylesheet
    checks = [*BAD, (ENGLISH, "English in a Dutch output")] if dutch else BAD
    for line in text.splitlines():
        for pattern, what in checks:
            if pattern.search(line):
                found.append(f"{what}: {line.strip()[:160]}")
    return found


@pytest.fixture(scope="module")
def vault(tmp_path_factory) -> Vault:
    """One copy of the example vault for the module: every day reads the same notes."""
    import shutil

    from conftest import EXAMPLE_VAULT

    root = tmp_path_factory.mktemp("sweep") / "vault"
    shutil.copytree(EXAMPLE_VAULT, root, ignore=shutil.ignore_patterns("index", "locks"))
    return Vault(root)


@pytest.fixture(scope="module")
def people(vault: Vault) -> list[str]:
    return sorted(p.stem for p in (vault.root / "people").glob("*.md"))


def sheets_on(vault: Vault, people: list[str], day: dt.date) -> dict[str, str]:
    """Every built-in sheet on ``day``: name -> text."""
    out: dict[str, str] = {}
    for names in [[p] for p in people] + [GROUP]:
        sheet = build_sheet(vault, names, today=day)
        for locale in ("en", "nl"):
            localised = dataclasses.replace(sheet, locale=locale)
            for fmt, template in (("md", None), ("html", None), ("md", "brief")):
                key = f"{'+'.join(names)} {locale} {template or fmt}"
                out[key] = render_sheet(localised, fmt, template, vault)
    return out


def commands_on(run, root: Path, day: dt.date, monkeypatch) -> dict[str, str]:
    """The agenda, the people list and the calendar as a user sees them on ``day``."""
    monkeypatch.setenv("VAULTCRM_TODAY", day.isoformat())
    out = {}
    for args in (["agenda", "--days", "30"], ["people"], ["calendar"]):
        result = run(root, *args)
        assert result.exit_code == 0, (day, args, result.output)
        out[" ".join(args)] = result.stdout
    return out


def check_day(vault, people, run, monkeypatch, day: dt.date) -> int:
    outputs = sheets_on(vault, people, day)
    for locale in ("en", "nl"):
        config = vault.state_dir / "config.toml"
        text = config.read_text("utf-8")
        config.write_text(re.sub(r'(?m)^locale = ".*"$', f'locale = "{locale}"', text), "utf-8")
        for name, text in commands_on(run, vault.root, day, monkeypatch).items():
            outputs[f"{name} {locale}"] = text
    problems = {
        name: bad for name, text in outputs.items() if (bad := bad_parts(text, " nl" in name))
    }
    assert not problems, f"{day}: {problems}"
    return len(outputs)


def month_of_days() -> list[dt.date]:
    """A month around the example vault's own dates (its notes run to late November
    2026): follow-ups fall due, become overdue by one, are scheduled for that very day;
    birthdays and a 10-year anniversary pass."""
    start = dt.date(2026, 11, 15)
    return [start + dt.timedelta(days=n) for n in range(31)]


@pytest.mark.timeout(600)
def test_every_output_on_every_day_of_a_month(vault, people, run, monkeypatch) -> None:
    rendered = sum(check_day(vault, people, run, monkeypatch, day) for day in month_of_days())
    assert rendered == 31 * ((len(people) + 1) * 6 + 6)


@pytest.mark.parametrize(
    "day",
    [dt.date(2027, 2, 28), dt.date(2028, 2, 29), dt.date(2027, 3, 1), dt.date(2026, 12, 31)],
    ids=str,
)
def test_leap_days_and_new_year(vault, people, run, monkeypatch, day) -> None:
    check_day(vault, people, run, monkeypatch, day)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2080, 12, 31)))
@pytest.mark.timeout(300)
def test_every_output_on_days_hypothesis_picks(vault, people, run, monkeypatch, day) -> None:
    # From before most of the vault's people (and all of their children) were born to
    # long after: ages, years of service and overdue counts at their extremes.
    check_day(vault, people, run, monkeypatch, day)


@pytest.mark.slow
@pytest.mark.timeout(7200)
def test_every_output_on_every_day_of_two_years(vault, people, run, monkeypatch) -> None:
    start = dt.date(2026, 1, 1)
    days = [start + dt.timedelta(days=n) for n in range(731)]
    rendered = sum(check_day(vault, people, run, monkeypatch, day) for day in days)
    assert rendered == len(days) * ((len(people) + 1) * 6 + 6)
