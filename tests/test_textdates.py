"""textdates: the small grammar of dates written in English and Dutch running text."""

from __future__ import annotations

import datetime as dt

import pytest

from vaultcrm.model.textdates import LOOK_BACK_DAYS, find_dates, without_date

ANCHOR = dt.date(2026, 11, 10)


def found(text: str, anchor: dt.date = ANCHOR) -> list[tuple[str, str, bool]]:
    return [
        (text[d.start : d.end], d.date.isoformat(), d.month_only) for d in find_dates(text, anchor)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lisa's tentamen is op 25 november.", [("25 november", "2026-11-25", False)]),
        ("exam on 25 November", [("25 November", "2026-11-25", False)]),
        ("verhuist 15-12", [("15-12", "2026-12-15", False)]),
        ("moves 15/12/2027", [("15/12/2027", "2027-12-15", False)]),
        ("move on 15.12.2026", [("15.12.2026", "2026-12-15", False)]),
        ("Dec 5th, 2026 party", [("Dec 5th, 2026", "2026-12-05", False)]),
        ("the party is on November 28", [("November 28", "2026-11-28", False)]),
        ("on the 1st of December", [("1st of December", "2026-12-01", False)]),
        ("zaterdag 28 november", [("28 november", "2026-11-28", False)]),
        ("op 3 okt. gaat het mis", [("3 okt.", "2026-10-03", False)]),
        ("since 2026-12-01", [("2026-12-01", "2026-12-01", False)]),
        ("Zoë heeft op 4 Mei iets", [("4 Mei", "2027-05-04", False)]),
        ("maths exam in November", [("November", "2026-11-01", True)]),
        ("eind november", [("november", "2026-11-01", True)]),
        ("december 2027", [("december 2027", "2027-12-01", True)]),
    ],
)
def test_what_the_grammar_reads(text: str, expected: list) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "de piek van 9–12",  # hours, with a dash that is no date's
        "van 8:00 tot 16:30",
        "version 1.5 of 2.0",
        "2e-lijnsqueue",
        "zit in 6 vwo",
        "may is fine",  # a word, not a month without a day beside it
        "Jan said so",
        "elk weekend op vrijdag",  # weekdays alone are not read
        "31 februari",  # no such day
        "40 minuten",
    ],
)
def test_what_it_leaves_alone(text: str) -> None:
    assert found(text) == []


def test_a_date_without_a_year_is_the_next_one_looking_a_little_back() -> None:
    # written on 10 November: 25 November is this year, 5 January the next
    assert found("op 5 januari") == [("5 januari", "2027-01-05", False)]
    # up to LOOK_BACK_DAYS before the anchor still counts as this year's
    back = ANCHOR - dt.timedelta(days=LOOK_BACK_DAYS)
    assert find_dates(f"{back.day} {back.strftime('%B')}", ANCHOR)[0].date == back
    earlier = back - dt.timedelta(days=1)
    assert find_dates(f"{earlier.day} {earlier.strftime('%B')}", ANCHOR)[0].date.year == 2027


def test_29_february_falls_on_28_february_in_a_common_year() -> None:
    assert found("29 februari", dt.date(2027, 1, 10)) == [("29 februari", "2027-02-28", False)]
    assert found("29 February", dt.date(2028, 1, 10)) == [("29 February", "2028-02-29", False)]


def test_a_month_alone_covers_the_month() -> None:
    (date,) = find_dates("in February", dt.date(2028, 1, 5))
    assert (date.date, date.last, date.month_only) == (
        dt.date(2028, 2, 1),
        dt.date(2028, 2, 29),
        True,
    )


def test_positions_are_those_of_the_text_as_written() -> None:
    text = "Zoë's verhuizing op 15 december"
    (date,) = find_dates(text, ANCHOR)
    assert text[date.start : date.end] == "15 december"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maths exam in November", "maths exam"),
        ("exam on 25 November, then holidays", "exam, then holidays"),
        ("verhuist 15-12", "verhuist"),
        ("eind november haar tentamen", "haar tentamen"),
        ("25 november", "25 november"),  # nothing but the date: kept as it is
    ],
)
def test_without_the_date_and_the_word_that_only_says_when(text: str, expected: str) -> None:
    assert without_date(text, find_dates(text, ANCHOR)[0]) == expected
