"""The dates a user types (``--date``), read against the day the caller says is today.

Nothing in the library reads the clock or the environment: the CLI reads
``VAULTCRM_TODAY`` once (``cli.Context.today``) and passes the day down.
"""

from __future__ import annotations

import datetime as dt
import re

from ..errors import UsageError
from .notes import parse_date


def parse_user_date(text: str, base: dt.date) -> dt.date:
    """What a user may pass as ``--date``: YYYY-MM-DD, today, yesterday, tomorrow, or a
    number of days back or ahead (``-3d``, ``+3d``); Dutch vandaag, gisteren, morgen too."""
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
