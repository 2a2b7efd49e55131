"""The benchmarks cannot rot: the generator is deterministic and readable, and the runner
runs end to end on a tiny vault. Timing goals live in benchmarks/, never in asserts here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.generate import ensure_vault, generate_vault, parse_size  # noqa: E402
from vaultcrm.model.notes import parse_note  # noqa: E402

PERSON_KEYS = {
    "name",
    "aliases",
    "role",
    "team",
    "relation",
    "manager",
    "email",
    "birthday",
    "started",
    "met",
    "cadence",
    "last_contact",
    "family",
    "interests",
    "gift_ideas",
    "growth",
    "tags",
}


def files_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*.md"))
        if ".vaultcrm" not in p.parts
    }


def test_the_same_seed_writes_the_same_vault_and_another_seed_another(tmp_path: Path) -> None:
    first = generate_vault(tmp_path / "a", 60, seed=3)
    generate_vault(tmp_path / "b", 60, seed=3)
    generate_vault(tmp_path / "c", 60, seed=4)
    assert first["notes"] == 60 == len(files_of(tmp_path / "a"))
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    assert files_of(tmp_path / "a") != files_of(tmp_path / "c")
    assert sum(first["kinds"].values()) == 60


def test_generated_notes_parse_cleanly_and_use_every_convention(tmp_path: Path) -> None:
    root = tmp_path / "v"
    generate_vault(root, 80)
    notes = [parse_note(rel, raw) for rel, raw in files_of(root).items()]
    assert [p for n in notes for p in n.problems] == []
    people = [n for n in notes if n.kind == "person"]
    assert people and all(set(n.meta) >= PERSON_KEYS for n in people)
    assert any(n.log for n in people)
    tasks = [t for n in notes for t in n.tasks]
    assert any(t.due for t in tasks) and any(t.scheduled for t in tasks)
    names = {n.title for n in people}
    links = {link for n in notes if n.kind != "person" for link in n.links}
    assert links and links <= names  # meeting notes link people who exist
    assert any("Logboek" in n.text for n in people) and any("## Log\n" in n.text for n in people)


def test_ensure_vault_reuses_a_vault_it_made(tmp_path: Path) -> None:
    root = tmp_path / "v"
    ensure_vault(root, 20)
    marker = root / "people" / "mine.md"
    marker.write_text("kept", encoding="utf-8")
    ensure_vault(root, 20)
    assert marker.read_text(encoding="utf-8") == "kept"
    ensure_vault(root, 21)  # another size: made anew
    assert not marker.exists()


@pytest.mark.parametrize(("text", "notes"), [("50", 50), ("1k", 1000), ("10k", 10_000)])
def test_sizes_read_like_people_write_them(text: str, notes: int) -> None:
    assert parse_size(text) == notes


def test_the_runner_measures_everything_on_a_tiny_vault(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--sizes",
            "50",
            "--repeats",
            "1",
            "--queries",
            "2",
            "--watch-edits",
            "1",
            "--vaults",
            str(tmp_path / "vaults"),
            "--json",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    rows = {(r["size"], r["name"]): r for r in report["rows"]}
    for name in (
        "full build",
        "full build vs FTS5",
        "peak memory, full build",
        "index, no-op",
        "one note changed, index",
        "one note changed, as watch",
        "search 'zeilen' (process)",
        "warm query 'zeilen' p50",
    ):
        row = rows[("50", name)]
        assert row["value"] > 0 and row["baseline_value"] > 0 and row["ratio"] > 0, row
        assert name in done.stdout
    assert rows[("-", "--help (process)")]["value"] > 0
    assert report["sizes"]["50"]["vault"]["notes"] == 50


def test_a_fixed_number_of_people(tmp_path: Path) -> None:
    info = generate_vault(tmp_path / "v", 60, seed=3, people=12)
    assert info["kinds"]["people"] == 12 and info["notes"] == 60
    before = generate_vault(tmp_path / "w", 60, seed=3)
    assert before["kinds"]["people"] == round(60 * 0.08)  # without people=: as before


def test_the_network_and_health_benchmark_runs_on_a_tiny_vault(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.network_health",
            "--notes",
            "80",
            "--people",
            "15",
            "--repeats",
            "1",
            "--vaults",
            str(tmp_path / "vaults"),
            "--json",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    rows = {r["name"]: r for r in report["rows"]}
    for name in ("network (library)", "health (library)", "network (process)"):
        assert rows[name]["ms"] > 0 and rows[name]["ratio"] > 0, rows[name]
        assert name in done.stdout
    person = next((tmp_path / "vaults").glob("*/people/*.md")).read_text(encoding="utf-8")
    assert "influence: " in person and "interest: " in person
