"""_lean.py: Whoosh is imported without urllib.request and asyncio, and nobody else
notices: later imports of those modules get the real ones."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_command_s_whoosh_import_leaves_out_the_heavy_modules() -> None:
    out = _run(
        """
        import sys
        import vaultcrm.engine.whoosh.index
        print(sorted(m for m in ("asyncio", "urllib.request", "ssl", "http.client")
                     if m in sys.modules))
        """
    )
    assert out == "[]"


def test_those_modules_are_the_real_ones_for_anyone_who_imports_them_later() -> None:
    out = _run(
        """
        import vaultcrm.engine.whoosh.index
        import asyncio, urllib.request, cached_property

        async def job():
            return 42

        print(asyncio.run(job()), callable(urllib.request.urlopen))
        print(cached_property.asyncio.iscoroutinefunction(job))
        # anything else a stand-in lacks comes from the real module
        print(cached_property.asyncio.get_event_loop_policy is asyncio.get_event_loop_policy)
        """
    )
    assert out.splitlines() == ["42 True", "True", "True"]


def test_a_program_that_already_runs_asyncio_keeps_it_for_whoosh_too() -> None:
    out = _run(
        """
        import asyncio
        import vaultcrm.engine.whoosh.index, cached_property
        print(cached_property.asyncio is asyncio)
        """
    )
    assert out == "True"


def test_dates_are_shown_without_pytz_and_pytz_is_there_for_whoever_imports_it_after() -> None:
    # words.py imports Babel's dates with pytz out of sight (else pytz opens its ~600
    # zone files on every command that shows a date); vobject, for ``import``, still
    # gets the real pytz afterwards, and a pytz imported first is left alone.
    out = _run(
        """
        import datetime as dt, sys
        from vaultcrm.present.words import language
        print(language("nl").date(dt.date(2026, 12, 1)), "pytz" in sys.modules)
        import pytz, vobject
        print(pytz.timezone("Europe/Amsterdam").zone)
        """
    )
    assert out.splitlines() == ["1 dec 2026 False", "Europe/Amsterdam"]
    out = _run(
        """
        import datetime as dt, sys, pytz
        from vaultcrm.present.words import language
        print(language("en").date(dt.date(2026, 12, 1)), sys.modules["pytz"] is pytz)
        """
    )
    assert out == "Dec 1, 2026 True"
