"""The vault on disk: which files are notes, finding the vault, reading safely, init."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vaultcrm.errors import NoVaultError, VaultcrmError
from vaultcrm.store.vault import Vault, find_vault, init_vault


def walked(root: Path) -> list[str]:
    return [s.path for s in Vault(root).walk()]


def test_walk_reads_notes_and_skips_hidden_temp_and_ignored_files(make_vault) -> None:
    root = make_vault(
        {
            "people/Henk de Vries.md": "x",
            "Top.md": "x",
            "meetings/2026/deep.md": "x",
            "meetings/a.md.swp": "x",
            "meetings/a.md~": "x",
            "meetings/.#a.md": "x",
            "meetings/a.md.tmp": "x",
            "meetings/.hidden.md": "x",
            "meetings/readme.txt": "x",
            ".obsidian/workspace.md": "x",
            ".git/COMMIT.md": "x",
            ".trash/old.md": "x",
            ".vaultcrm/notes.md": "x",
            "people/.sync/conflict.md": "x",
            "templates/Person.md": "x",
            "drafts/a.md": "x",
            "notes/x.draft.md": "x",
        },
        config='ignore = ["templates/**", "drafts", "*.draft.md"]\n',
    )
    assert walked(root) == ["Top.md", "meetings/2026/deep.md", "people/Henk de Vries.md"]


def test_a_folder_named_like_a_note_is_walked_into(make_vault) -> None:
    root = make_vault({"x.md/inner.md": "x"})
    assert walked(root) == ["x.md/inner.md"]


def test_symlinks_never_lead_out_of_the_vault_or_round_in_circles(make_vault, tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("secret", encoding="utf-8")
    root = make_vault({"people/Henk.md": "x"})
    os.symlink(outside, root / "linked-folder")
    os.symlink(outside / "secret.md", root / "secret.md")
    os.symlink(root, root / "people" / "loop")
    os.symlink(root / "people" / "Henk.md", root / "henk-again.md")
    os.symlink(root / "nowhere.md", root / "broken.md")
    assert walked(root) == ["henk-again.md", "people/Henk.md"]
    with pytest.raises(VaultcrmError, match="path leaves the vault"):
        Vault(root).read_bytes("secret.md")


def test_path_of_refuses_paths_that_leave_the_vault(make_vault) -> None:
    vault = Vault(make_vault({}))
    with pytest.raises(VaultcrmError) as caught:
        vault.path_of("../elsewhere.md")
    assert str(caught.value) == "../elsewhere.md: path leaves the vault"
    assert vault.path_of("people/x.md") == vault.root / "people" / "x.md"


def test_path_of_sees_a_link_anywhere_along_the_path(make_vault, tmp_path) -> None:
    """Plain paths are checked part by part, not resolved; a link at any part is still
    followed to where it points, and refused when that is outside the vault."""
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "secret.md").write_text("secret", encoding="utf-8")
    root = make_vault({"people/Henk.md": "x", "archive/2025/old.md": "y"})
    os.symlink(outside, root / "people" / "out")
    os.symlink(root / "archive", root / "people" / "also-archive")
    vault = Vault(root)
    for leaving in ("people/out/deep/secret.md", "people/out/deep", "/etc/passwd"):
        with pytest.raises(VaultcrmError, match="path leaves the vault"):
            vault.path_of(leaving)
    assert vault.path_of("people/also-archive/2025/old.md") == root / "archive/2025/old.md"
    assert vault.path_of("people/./Henk.md") == root / "people" / "Henk.md"
    assert vault.path_of("people/not-yet.md") == root / "people" / "not-yet.md"


def test_is_note_path(make_vault) -> None:
    vault = Vault(make_vault({}, config='ignore = ["archive/**"]\n'))
    assert vault.is_note_path("people/A.md")
    assert not vault.is_note_path("people/A.txt")
    assert not vault.is_note_path(".obsidian/A.md")
    assert not vault.is_note_path("people/A.md~")
    assert not vault.is_note_path("archive/2020/A.md")


def test_read_note_skips_files_over_the_size_cap(make_vault) -> None:
    vault = Vault(make_vault({"big.md": "x" * 5000}, config="max_file_size = 4096\n"))
    note = vault.read_note("big.md")
    assert note.kind == "skipped"
    assert [str(p) for p in note.problems] == [
        "big.md: file is 4.9 KB, over the 4.0 KB limit; skipped"
    ]


def test_read_note_of_a_vanished_file_is_a_skipped_note(make_vault) -> None:
    note = Vault(make_vault({})).read_note("gone.md")
    assert note.kind == "skipped"
    assert note.problems[0].message.startswith("cannot be read")


def test_relative(make_vault, tmp_path) -> None:
    vault = Vault(make_vault({}))
    assert vault.relative(vault.root / "people" / "A.md") == "people/A.md"
    assert vault.relative(tmp_path / "elsewhere.md") is None


# ---------------------------------------------------------------- finding the vault


def test_find_vault_prefers_explicit_then_environment_then_markers(
    tmp_path: Path, monkeypatch
) -> None:
    marked = tmp_path / "marked"
    (marked / ".obsidian").mkdir(parents=True)
    (marked / "deep" / "er").mkdir(parents=True)
    other = tmp_path / "other"
    other.mkdir()
    assert find_vault(cwd=marked / "deep" / "er") == marked.resolve()
    monkeypatch.setenv("VAULTCRM_VAULT", str(other))
    assert find_vault(cwd=marked) == other.resolve()
    assert find_vault(marked, cwd=tmp_path) == marked.resolve()


def test_no_vault_says_how_to_pass_one_or_make_one(tmp_path: Path) -> None:
    with pytest.raises(NoVaultError) as caught:
        find_vault(cwd=tmp_path)
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        "no vault found here or in any parent folder; pass --vault PATH, set VAULTCRM_VAULT, "
        "or run 'vaultcrm init' to make this folder one"
    )


def test_a_vault_option_naming_no_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(NoVaultError) as caught:
        find_vault(tmp_path / "missing")
    assert str(caught.value) == (
        f"vault folder {tmp_path / 'missing'} does not exist (pass --vault PATH of a folder)"
    )


# ---------------------------------------------------------------- init


def test_init_creates_the_vault_layout(tmp_path: Path) -> None:
    created = init_vault(tmp_path / "new")
    assert created == [
        f"{(tmp_path / 'new').resolve()}/",
        ".vaultcrm/",
        "people/",
        ".vaultcrm/config.toml",
        ".vaultcrm/.gitignore",
    ]
    vault = Vault(tmp_path / "new")
    assert vault.config.languages == ("en",)
    assert vault.config.ignore == ("templates/**",)
    assert "/index\n" in (tmp_path / "new/.vaultcrm/.gitignore").read_text(encoding="utf-8")


def test_init_never_touches_existing_files(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    (root / ".vaultcrm").mkdir(parents=True)
    (root / "people").mkdir()
    config = root / ".vaultcrm" / "config.toml"
    config.write_bytes(b'languages = ["nl"]\n')
    person = root / "people" / "Henk.md"
    person.write_bytes(b"mine\r\n")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (config, person)}
    assert init_vault(root) == [".vaultcrm/.gitignore"]
    assert init_vault(root) == []
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (config, person)} == before


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(VaultcrmError, match="exists and is not a folder"):
        init_vault(tmp_path / "file")
