"""config.toml: every key optional, mistakes reported with the file they are in."""

from __future__ import annotations

from pathlib import Path

import pytest

from vaultcrm.errors import VaultcrmError
from vaultcrm.store.config import DEFAULT_MAX_FILE_SIZE, Config, load_config


def load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_a_missing_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "none.toml") == Config()
    assert Config().languages == ("en",)
    assert Config().people_dirs == ("people",)
    assert Config().max_file_size == DEFAULT_MAX_FILE_SIZE


def test_every_key(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        'languages = ["nl", "en", "nl"]\nlocale = "nl"\npeople_dirs = ["people/", "team"]\n'
        'ignore = "templates/**"\nmax_file_size = 1000\n[prep]\nrecent = 3\n',
    )
    assert config == Config(
        languages=("nl", "en"),
        locale="nl",
        people_dirs=("people", "team"),
        ignore=("templates/**",),
        max_file_size=1000,
    )
    assert config.extra == {"prep": {"recent": 3}}


def test_a_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'\xef\xbb\xbflanguages = ["nl"]\n')
    assert load_config(path).languages == ("nl",)


@pytest.mark.parametrize(
    "text, message",
    [
        ('languages = ["nl"\n', "config.toml is not valid TOML"),
        ('languages = ["klingon"]\n', "unsupported language 'klingon' in 'languages'"),
        ("languages = [1]\n", "'languages' must be a list of strings"),
        ("people_dirs = 3\n", "'people_dirs' must be a list of strings"),
        ("locale = 3\n", "'locale' must be one of the languages vaultcrm writes"),
        ('locale = "de"\n', "'locale' must be one of the languages vaultcrm writes"),
        ("max_file_size = -1\n", "'max_file_size' must be a positive number of bytes"),
    ],
)
def test_mistakes_are_vault_errors_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(VaultcrmError) as caught:
        load(tmp_path, text)
    assert caught.value.exit_code == 3
    assert caught.value.path == tmp_path / "config.toml"
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize(
    "text, line, message",
    [
        ('locale = "en"\nlanguages = [\n', 2, "config.toml is not valid TOML: "),
        ("a = 1\nb = = 2\n", 2, "config.toml is not valid TOML: "),
        ("a = 1\na = 2\n", 2, "config.toml is not valid TOML: "),
    ],
)
def test_invalid_toml_points_at_its_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    # What follows the colon is the TOML reader's own description: not asserted here.
    with pytest.raises(VaultcrmError) as caught:
        load(tmp_path, text)
    assert caught.value.line == line
    assert caught.value.message.startswith(message)
