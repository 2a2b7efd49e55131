"""Import Whoosh without two heavy modules it loads and vaultcrm never uses.

``whoosh.compat`` imports ``urllib.request`` for a download helper, and the
``cached_property`` package Whoosh's readers use imports ``asyncio`` for coroutine
properties Whoosh does not have: together ~55 ms (with ssl, http and email) of every
command's start, a sixth of a ``search``. While Whoosh is first imported, those two
names are served by small stand-ins that load the real module only if ever called;
then the stand-ins leave ``sys.modules``, so any other import gets the real module.

Nothing is stood in for a module that is already loaded (a Python user's program may
have asyncio running): then Whoosh simply binds the real one, as it always did.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types


def _urllib_request() -> types.ModuleType:
    stand_in = types.ModuleType("urllib.request")

    def urlretrieve(*args, **kwargs):
        return importlib.import_module("urllib.request").urlretrieve(*args, **kwargs)

    stand_in.urlretrieve = urlretrieve
    return stand_in


def _asyncio() -> types.ModuleType:
    stand_in = types.ModuleType("asyncio")
    # Python 3.11+: asyncio.iscoroutinefunction is inspect's plus a marker that only
    # the removed @asyncio.coroutine set.
    stand_in.iscoroutinefunction = inspect.iscoroutinefunction

    def ensure_future(*args, **kwargs):
        return importlib.import_module("asyncio").ensure_future(*args, **kwargs)

    stand_in.ensure_future = ensure_future
    return stand_in


def import_whoosh() -> None:
    """Import the Whoosh modules vaultcrm uses, with the stand-ins in place."""
    if "whoosh.index" in sys.modules:
        return
    stand_ins = {
        name: make()
        for name, make in (("urllib.request", _urllib_request), ("asyncio", _asyncio))
        if name not in sys.modules
    }
    sys.modules.update(stand_ins)
    try:
        for name in ("whoosh.compat", "cached_property", "whoosh.index"):
            importlib.import_module(name)
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


import_whoosh()
