"""``python -m vaultcrm``: the ``vaultcrm`` command, where its script is not on PATH."""

from .cli import main

main()
