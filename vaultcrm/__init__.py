"""vaultcrm: a colleague relationship manager on a plain-text Markdown vault.

``from vaultcrm import Vault`` is the library's front door. Names are loaded lazily so
that ``import vaultcrm`` (and so ``vaultcrm --help``) does not pay for Whoosh or Jinja2.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = ["Vault", "VaultcrmError", "sync_vault", "search_vault", "check_vault"]

_EXPORTS = {
    "Vault": "vaultcrm.store.vault",
    "VaultcrmError": "vaultcrm.errors",
    "sync_vault": "vaultcrm.engine.sync",
    "search_vault": "vaultcrm.features.search",
    "check_vault": "vaultcrm.features.check",
}

if TYPE_CHECKING:
    from .engine.sync import sync_vault
    from .errors import VaultcrmError
    from .features.check import check_vault
    from .features.search import search_vault
    from .store.vault import Vault


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'vaultcrm' has no attribute {name!r}")
