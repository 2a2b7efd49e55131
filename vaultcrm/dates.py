"""Today, cadences and the dates a user types: one place for calendar arithmetic.

``VAULTCRM_TODAY=YYYY-MM-DD`` fixes "today" for every command, so a test, a demo or a
user planning next week gets the same agenda whatever the clock says.
"""

from __future__ import annotations

import datetime as dt
import os

from .errors import UsageError
from .notes import parse_date


def today() -> dt.date:
    """The real date, or ``$VAULTCRM_TODAY`` when it is set."""
    fixed = os.environ.get("VAULTCRM_TODAY")
    if fixed:
        when = parse_date(fixed)
        if when is None:
            raise UsageError(f"VAULTCRM_TODAY={fixed!r} is not a date (use YYYY-MM-DD)")
        return when
    return dt.date.today()


def parse_user_date(text: str, base: dt.date | None = None) -> dt.date:
    """What a user may pass as ``--date``: YYYY-MM-DD, today, yesterday, or -3d."""
    base = base or today()
    word = text.strip().lower()
    if word in ("today", "vandaag"):
        return base
    if word in ("yesterday", "gisteren"):
        return base - dt.timedelta(days=1)
    if word.startswith("-") and word[1:-1].isdigit() and word[-1] == "d":
        try:
            return base - dt.timedelta(days=int(word[1:-1]))
        except OverflowError:
            raise UsageError(f"{text!r} reaches before the year 1") from None
    when = parse_date(word)
    if when is None:
        raise UsageError(f"{text!r} is not a date: use YYYY-MM-DD, today, yesterday or -3d")
    return when
