"""How a feature opens the engine: the vault's Whoosh index, or one it is given.

Apart from engine/api.py, so that the interface imports no engine of its own and the
Whoosh adapter can import the interface.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .api import Engine

if TYPE_CHECKING:
    from ..store.vault import Vault
    from .api import Progress


@contextlib.contextmanager
def reading(
    vault: Vault, engine: Engine | None = None, progress: Progress | None = None
) -> Iterator[Engine]:
    """The engine a feature reads through: ``engine`` when the caller has one open (a
    test's fake, or one command asking several features), else the vault's own index,
    brought up to date first and closed afterwards."""
    if engine is not None:
        yield engine
        return
    from .whoosh.engine import open_whoosh

    opened = open_whoosh(vault, progress)
    try:
        yield opened
    finally:
        opened.close()
