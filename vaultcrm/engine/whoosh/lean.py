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


def _stand_in(name: str) -> types.ModuleType:
    """A module that loads the real ``name`` on first use of anything it lacks."""
    stand_in = types.ModuleType(name)

    def __getattr__(attr: str):  # noqa: N807 - a module's attribute hook
        if attr.startswith("__"):  # the import system probing (__path__, __spec__, …)
            raise AttributeError(attr)
        if sys.modules.get(name) is stand_in:  # asked while still standing in
            del sys.modules[name]
        return getattr(importlib.import_module(name), attr)

    stand_in.__getattr__ = __getattr__
    return stand_in


def _urllib_request() -> types.ModuleType:
    stand_in = _stand_in("urllib.request")

    def urlretrieve(*args, **kwargs):  # bound by whoosh.compat at import, never called
        return importlib.import_module("urllib.request").urlretrieve(*args, **kwargs)

    stand_in.urlretrieve = urlretrieve
    return stand_in


def _asyncio() -> types.ModuleType:
    stand_in = _stand_in("asyncio")
    # What cached_property calls on every first access: Python 3.11+'s
    # asyncio.iscoroutinefunction is inspect's plus a marker only the removed
    # @asyncio.coroutine set. Anything else loads the real asyncio.
    stand_in.iscoroutinefunction = inspect.iscoroutinefunction
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
