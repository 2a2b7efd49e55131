"""``--out`` and the vault (SPEC §6, README "Privacy"): an output that holds private facts
never becomes a note of the vault, nothing is written into ``.vaultcrm/``, and no note
is replaced, not even with ``--force``."""

from __future__ import annotations

from pathlib import Path

import pytest

HENK = "people/Henk de Vries.md"


def snapshot(root: Path) -> dict[str, bytes]:
    """The user's files: the notes and config.toml (the index is vaultcrm's cache)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (".vaultcrm" not in p.parts or p.name == "config.toml")
    }


@pytest.mark.parametrize(
    "args",
    [
        ("prep", "henk"),  # the owner's own sheet: private facts, marked
        ("prep", "henk", "--format", "html"),
        ("export", "henk"),
        ("export", "henk", "--format", "json"),
    ],
)
def test_what_holds_private_facts_is_not_written_into_the_vault(run, example_vault, args):
    before = snapshot(example_vault)
    for target in ("henk-sheet.md", "meetings/henk.md", "notes/deep/henk.md"):
        result = run(example_vault, *args, "--out", str(example_vault / target))
        assert result.exit_code == 2, target
        assert "private facts" in result.stderr and "outside the vault" in result.stderr
    assert snapshot(example_vault) == before


def test_a_sheet_for_others_may_go_into_the_vault_but_never_over_a_note(run, example_vault) -> None:
    shared = run(example_vault, "prep", "henk", "--share", "--out", str(example_vault / "h.md"))
    assert shared.exit_code == 0
    assert (example_vault / "h.md").read_text("utf-8").startswith("# Meeting prep")
    before = (example_vault / HENK).read_bytes()
    over = run(
        example_vault, "prep", "sanne", "henk", "--out", str(example_vault / HENK), "--force"
    )
    assert over.exit_code == 2 and "never replaces a note" in over.stderr
    assert (example_vault / HENK).read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ("calendar",),
        ("network", "--format", "json"),
        ("prep", "henk", "--share"),
    ],
)
@pytest.mark.parametrize("target", [".vaultcrm/config.toml", ".vaultcrm/index/x.toc"])
def test_nothing_goes_into_vaultcrms_own_folder(run, example_vault, args, target) -> None:
    before = snapshot(example_vault)
    result = run(example_vault, *args, "--out", str(example_vault / target), "--force")
    assert result.exit_code == 2 and ".vaultcrm/" in result.stderr
    assert snapshot(example_vault) == before


def test_outside_the_vault_everything_may_go(run, example_vault, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert run(example_vault, "prep", "henk", "--out", str(out / "henk.md")).exit_code == 0
    assert run(example_vault, "export", "henk", "--out", str(out / "henk.json")).exit_code == 0
    assert "🔒" in (out / "henk.md").read_text("utf-8")  # the owner's own, marked


def test_network_json_stays_json_whatever_a_name_holds(run, make_vault) -> None:
    import json

    root = make_vault({"people/Evil\u009b\u202eName.md": "---\nteam: A\n---\n"})
    result = run(root, "network", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert "\u009b" not in result.stdout and "\u202e" not in result.stdout  # escaped
    assert any("Evil\u009b\u202eName" in json.dumps(n, ensure_ascii=False) for n in data["nodes"])
