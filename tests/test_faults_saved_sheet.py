"""Issue 12: what a saved sheet (``prep --save``) copies from notes stays inert.

A value copied from a person's note (role, team, interests, family, growth, the name
itself) lands in a new note of the vault. There it must not link anyone (a false
contact), add a task (which agenda and other sheets would show), a heading, a tag or
an Obsidian comment, nor break out of the header link or the front-matter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vaultcrm.model.notes import parse_note

HOSTILE = {
    "link": "[[Daan Visser]] en [[Sanne de Groot|Sanne]]",
    "half-links": "[[Daan",
    "task": "Engineer\n- [ ] injected task \U0001f4c5 2026-11-24",
    "heading": "Engineer\n# Injected heading\n## Another",
    "nested-task": "[ ] injected task",
    "tag": "#injected-tag mentor",
    "comment": "%% hidden from here",
    "html": "<!-- hidden from here",
    "separator": "Engineer\u2028- [ ] injected task",
    "c1": "Engi\x85- [ ] injected task",
    "code": "``` fenced",
    "numbered": "1. [ ] injected task",
}


def person(name_line: str, value: str) -> str:
    """A person note whose every copied field holds ``value`` (YAML-escaped)."""
    import json

    v = json.dumps(value, ensure_ascii=False)
    return (
        f"---\n{name_line}role: {v}\nteam: {v}\nrelation: report\nmanager: {v}\n"
        f"cadence: 14d\nmet: {v}\nbirthday: 1980-12-01\n"
        f"interests: [{v}, 'Visser]]']\ngift_ideas: [{v}]\ngrowth: [{v}]\n"
        f"family:\n  - {{name: {v}, relation: {v}, birthday: 2010-12-03, note: {v}}}\n"
        f"---\n# Ann\n\n## Wins\n- {value.splitlines()[0]}\n\n"
        f"## Log\n- 2026-11-01: {value.splitlines()[0]}\n"
    )


@pytest.fixture
def vault(example_vault: Path) -> Path:
    return example_vault


def save(run, vault: Path, *names: str) -> tuple[str, str]:
    result = run(vault, "prep", *names, "--save")
    assert result.exit_code == 0, result.output
    rel = result.stderr.split("Saved ", 1)[1].strip()
    return rel, (vault / rel).read_text(encoding="utf-8")


def assert_inert(vault: Path, rel: str, text: str, linked: set[str]) -> None:
    note = parse_note(rel, text.encode("utf-8"))
    assert not note.problems, note.problems
    assert set(note.links) == linked, note.links
    assert note.tasks == (), note.tasks
    assert not note.tags, note.tags
    body = text.split("\n---\n", 1)[1]
    for line in body.splitlines():
        assert not re.match(r"^\s*#{1,6}\s+(?:injected|another)", line, re.I), line
        assert not re.match(r"^\s*(?:[-*+]|\d+[.)])\s+\[.\]", line), line
        assert not line.startswith("```"), line
    assert "%%" not in body
    assert len(re.findall(r"(?<!\\)<!--", body)) == 1, "only the template's own hint"


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_copied_values_stay_inert(vault: Path, run, kind: str) -> None:
    (vault / "people" / "Ann.md").write_text(person("name: Ann\n", HOSTILE[kind]), "utf-8")
    import json

    def follow_ups() -> list:
        return json.loads(run(vault, "agenda", "--days", "30", "--json").stdout)["follow_ups"]

    before = (follow_ups(), run(vault, "prep", "ann").stdout)
    rel, text = save(run, vault, "ann")
    assert_inert(vault, rel, text, {"Ann"})
    assert follow_ups() == before[0], "the saved sheet adds no follow-up to the agenda"
    assert "injected" not in run(vault, "prep", "daan").stdout.lower(), "nor to another sheet"
    to_raise = run(vault, "prep", "ann").stdout.split("## To raise")
    assert len(to_raise) == len(before[1].split("## To raise")), "nor to Ann's next sheet"


def test_a_false_link_makes_no_contact(vault: Path, run, monkeypatch) -> None:
    before = run(vault, "people", "--json").stdout
    (vault / "people" / "Ann.md").write_text(person("name: Ann\n", HOSTILE["link"]), "utf-8")
    save(run, vault, "ann")
    import json

    monkeypatch.setenv("VAULTCRM_TODAY", "2026-11-24")  # the day after: the meeting happened
    rows = {r["name"]: r for r in json.loads(run(vault, "people", "--json").stdout)}
    old = {r["name"]: r for r in json.loads(before)}
    for other in ("Daan Visser", "Sanne de Groot"):
        assert rows[other]["last_contact"] == old[other]["last_contact"], other
    assert rows["Ann"]["last_contact"] == "2026-11-23", "the kept sheet is contact with Ann"


@pytest.mark.parametrize(
    "file, name_line, linked",
    [
        ("Ann", "name: 'Ann]] and [[Bob'\n", {"Ann"}),
        ("Ann", "name: 'Ann|Daan Visser'\n", {"Ann"}),
        ("Ann", 'name: "Ann\\n- [ ] injected task"\n', {"Ann"}),
        ("Ann", "name: 'Ann#top^x'\n", {"Ann"}),
        ("Ann [x]", "name: Ann X\n", {"Ann X"}),  # a file name no link can hold
        ("Ann", "name: '\\u202eAnn\\x85'\n", {"Ann"}),
    ],
)
def test_a_name_cannot_break_the_header_link_or_the_front_matter(
    vault: Path, run, file: str, name_line: str, linked: set[str]
) -> None:
    (vault / "people" / f"{file}.md").write_text(person(name_line, "Engineer"), "utf-8")
    rel, text = save(run, vault, "ann")
    assert_inert(vault, rel, text, linked)
    assert "\n".join(text.split("\n")[:5]).count("[[") == 1, "one link in the front-matter"
    header = next(line for line in text.splitlines() if line.startswith("# "))
    assert header.count("[[") == 1 and header.count("]]") == 1, header
    again = run(vault, "prep", "ann")
    assert again.exit_code == 0
    assert run(vault, "people", "--json").stdout.count("2026-11-23") >= 1


def test_a_group_sheet_with_hostile_names_stays_inert(vault: Path, run) -> None:
    (vault / "people" / "Ann.md").write_text(
        person("name: 'Ann]] and [[Bob'\n", HOSTILE["task"]), "utf-8"
    )
    (vault / "people" / "Bea.md").write_text(person("name: Bea\n", HOSTILE["heading"]), "utf-8")
    rel, text = save(run, vault, "ann", "bea")
    assert_inert(vault, rel, text, {"Ann", "Bea"})


def test_an_ordinary_saved_sheet_reads_as_before(vault: Path, run) -> None:
    rel, text = save(run, vault, "henk")
    note = parse_note(rel, text.encode("utf-8"))
    assert note.links == ("Henk de Vries",)
    assert "Senior Support Engineer" in text
    assert "\\" not in text.split("## ", 1)[0], "plain values are not escaped"
