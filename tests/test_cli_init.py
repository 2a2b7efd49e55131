"""`vaultcrm init`: makes a vault and never touches existing files."""

from __future__ import annotations

from pathlib import Path


def test_init_makes_a_vault_that_the_other_commands_find(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(None, "init", "vault")
    assert result.exit_code == 0
    assert result.stdout == (
        f"created {(tmp_path / 'vault').resolve()}/\n"
        "created .vaultcrm/\n"
        "created people/\n"
        "created .vaultcrm/config.toml\n"
        "created .vaultcrm/.gitignore\n"
        "Vault ready.\n"
        'Add a person with: vaultcrm --vault vault new "Full Name"\n'
    )
    (tmp_path / "vault/people/Henk.md").write_text("jazz\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "vault/people")
    assert run(None, "search", "jazz").stdout.startswith("Henk  people/Henk.md:1\n")


def test_init_in_the_working_folder_by_default(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(None, "init")
    assert result.exit_code == 0
    assert (tmp_path / ".vaultcrm/config.toml").is_file()
    assert result.stdout.endswith('Add a person with: vaultcrm --vault . new "Full Name"\n')


def test_init_on_an_existing_obsidian_vault_touches_nothing_there(run, tmp_path: Path) -> None:
    vault = tmp_path / "obsidian"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "people").mkdir()
    note = vault / "people/Henk.md"
    note.write_bytes(b"\xef\xbb\xbf---\r\nname: Henk\r\n---\r\n")
    app = vault / ".obsidian/app.json"
    app.write_bytes(b"{}")
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (note, app)}
    result = run(None, "init", str(vault))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:4] == [
        "created .vaultcrm/",
        "created .vaultcrm/config.toml",
        "created .vaultcrm/.gitignore",
        "Vault ready.",
    ]
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (note, app)} == before


def test_init_twice_changes_nothing(run, tmp_path: Path) -> None:
    run(None, "init", str(tmp_path))
    config = tmp_path / ".vaultcrm/config.toml"
    config.write_text('languages = ["nl"]\n', encoding="utf-8")
    result = run(None, "init", str(tmp_path))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "Already a vault: nothing to do."
    assert config.read_text(encoding="utf-8") == 'languages = ["nl"]\n'


def test_init_on_a_file_is_refused(run, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = run(None, "init", str(tmp_path / "file"))
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x"


def test_init_writes_the_languages_of_the_notes(run, tmp_path: Path) -> None:
    # The README's tour searches Dutch words: 'init --languages nl,en' makes that work.
    result = run(None, "init", str(tmp_path / "v"), "--languages", "nl,en")
    assert result.exit_code == 0, result.output
    config = (tmp_path / "v/.vaultcrm/config.toml").read_text("utf-8")
    assert 'languages = ["nl", "en"]' in config and 'locale = "nl"' in config
    (tmp_path / "v/people/Henk.md").write_text("Lisa heeft tentamens.\n", "utf-8")
    assert run(tmp_path / "v", "search", "tentamen").exit_code == 0
    english = run(None, "init", str(tmp_path / "e"), "--languages", "en,nl", "--locale", "en_GB")
    assert english.exit_code == 0
    assert 'locale = "en_GB"' in (tmp_path / "e/.vaultcrm/config.toml").read_text("utf-8")
    wrong = run(None, "init", str(tmp_path / "x"), "--languages", "klingon")
    assert wrong.exit_code == 2 and "unsupported language 'klingon'" in wrong.stderr
    assert not (tmp_path / "x").exists()
