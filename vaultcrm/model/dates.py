"""Today, cadences and the dates a user types: one place for calendar arithmetic.

``VAULTCRM_TODAY=YYYY-MM-DD`` fixes "today" for every command, so a test, a demo or a
user planning next week gets the same agenda whatever the clock says.
"""

from __future__ import annotations

import datetime as dt
import os
import re

from ..errors import UsageError
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
    """What a user may pass as ``--date``: YYYY-MM-DD, today, yesterday, tomorrow, or a
    number of days back or ahead (``-3d``, ``+3d``); Dutch vandaag, gisteren, morgen too."""
    base = base or today()
    word = text.strip().lower()
    named = {"today": 0, "vandaag": 0, "yesterday": -1, "gisteren": -1, "tomorrow": 1, "morgen": 1}
    offset = named.get(word)
    relative = re.fullmatch(r"([-+])(\d{1,6})d", word)
    if relative:
        offset = int(relative[2]) * (-1 if relative[1] == "-" else 1)
    if offset is not None:
        try:
            return base + dt.timedelta(days=offset)
        except OverflowError:
            raise UsageError(f"{text!r} reaches past the calendar's first or last year") from None
    when = parse_date(word)
    if when is None:
        raise UsageError(
            f"{text!r} is not a date: use YYYY-MM-DD, today, yesterday, tomorrow, -3d or +3d"
        )
    return when
