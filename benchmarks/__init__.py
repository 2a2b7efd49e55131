"""Benchmarks for vaultcrm: a seeded synthetic vault and one runner that measures everything.

``python -m benchmarks.run`` (or ``python benchmarks/run.py``) prints the table; see
benchmarks/README.md. Nothing here is imported by the package itself.
"""
