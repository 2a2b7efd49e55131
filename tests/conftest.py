"""Shared fixtures: every test works on a copy of a vault in tmp_path, never on the original."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_VAULT = REPO / "example_vault"
TODAY = "2026-11-23"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed 'today', no colour and no vault leaking in from the developer's shell."""
    monkeypatch.setenv("VAULTCRM_TODAY", TODAY)
    monkeypatch.delenv("VAULTCRM_VAULT", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("VAULTCRM_LOCK_TIMEOUT", "20")


@pytest.fixture
def example_vault(tmp_path: Path) -> Path:
    """A private copy of example_vault/, without any index a developer may have built."""
    target = tmp_path / "vault"
    shutil.copytree(
        EXAMPLE_VAULT, target, ignore=shutil.ignore_patterns("index", "*.lock", "locks")
    )
    return target


@pytest.fixture
def make_vault(tmp_path: Path):
    """Build a small vault from {relative path: text or bytes}."""

    def build(files: dict[str, str | bytes], config: str | None = None) -> Path:
        root = tmp_path / "made"
        (root / ".vaultcrm").mkdir(parents=True, exist_ok=True)
        if config is not None:
            (root / ".vaultcrm" / "config.toml").write_text(config, encoding="utf-8")
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_bytes(content.encode("utf-8"))
        return root

    return build


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def run(runner: CliRunner):
    """Invoke the CLI like a user: ``run(vault, 'search', 'jazz')`` → click Result."""
    from vaultcrm.cli import cli

    def invoke(vault: Path | None, *args: str, **kwargs):
        argv = (["--vault", str(vault)] if vault is not None else []) + list(args)
        return runner.invoke(cli, argv, catch_exceptions=False, **kwargs)

    return invoke


def on(day: str):
    """A date from ISO text, for expected outputs: ``on("2026-11-18")``."""
    import datetime as dt

    return dt.date.fromisoformat(day)


def _language(locale: str):
    from vaultcrm.present.words import language

    return language(locale)


class _Lazy:
    """vaultcrm's own Language, made on first use (conftest imports no vaultcrm module)."""

    def __init__(self, locale: str):
        self._locale = locale

    def __getattr__(self, name: str):
        return getattr(_language(self._locale), name)


# Dates in expected outputs are written by vaultcrm's Language (Babel's CLDR data), not
# spelled out: a test asserts where a date goes and which form, never CLDR's wording.
EN, NL = _Lazy("en"), _Lazy("nl")


def read_vault(vault):
    """Every note and the directory of everyone, as the whole-vault features read them."""
    from vaultcrm.engine.reading import reading

    with reading(vault) as index:
        return index.notes(), index.directory


def chromium() -> str | None:
    """A headless-capable Chromium on PATH, for the tests that print or screenshot."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None
