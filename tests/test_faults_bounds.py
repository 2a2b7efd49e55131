"""Issue 12: bounded work for any input.

Every input a user (or a shared vault's template) sizes is capped or shown to be
harmless: query length and words, --limit, NAME and TEXT lengths, --days, and what a
template may make (output, values) and spend (CPU time). Each is a clear error with
the usual exit code, quickly, never a hang.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import vaultcrm.present.templates
from vaultcrm.engine.api import MAX_QUERY_CHARS, MAX_QUERY_WORDS


def timed(run, *args):
    started = time.perf_counter()
    result = run(*args)
    return result, time.perf_counter() - started


@pytest.fixture
def indexed(example_vault: Path, run) -> Path:
    assert run(example_vault, "index").exit_code == 0
    return example_vault


# ---------------------------------------------------------------- queries


@pytest.mark.parametrize(
    "query",
    [
        " AND ".join(f"word{i}" for i in range(4_000)),  # took 12 s
        " ".join(f"w{i}" for i in range(MAX_QUERY_WORDS + 1)),
        " OR ".join(["jazz"] * (MAX_QUERY_WORDS + 1)),
        "a" * 100_000,  # never finished
        "a" * (MAX_QUERY_CHARS + 1),
        "tag:" + "x," * 600,
        '"' + "twee tentamen " * 200 + '"',
    ],
    ids=["4000-and", "words+1", "or-words+1", "100k-term", "chars+1", "field-list", "phrase"],
)
def test_an_oversized_query_is_a_quick_usage_error(indexed: Path, run, query: str) -> None:
    for extra in ((), ("--people",), ("--json",)):
        result, seconds = timed(run, indexed, "search", query, *extra)
        assert result.exit_code == 2, result.output[:300]
        assert seconds < 5
        (line,) = result.stderr.splitlines()
        assert "at most" in line and len(line) < 200
        assert result.stdout == ""


def test_a_query_at_the_caps_is_searched(indexed: Path, run) -> None:
    words = " ".join(["jazz"] * MAX_QUERY_WORDS)
    assert run(indexed, "search", words).exit_code == 0
    assert run(indexed, "search", "jazz AND " * 40 + "jazz").exit_code == 0, "operators are free"
    long = "jazz " + "x" * (MAX_QUERY_CHARS - 6)
    result = run(indexed, "search", long)
    assert result.exit_code in (0, 1), result.output


@pytest.mark.parametrize("limit", ["1", str(10**6), str(10**18), str(10**40)])
def test_any_limit_is_harmless(indexed: Path, run, limit: str) -> None:
    for query in ("jazz", '"maths exam"', "jaz*"):
        for people in ((), ("--people",)):
            result, seconds = timed(run, indexed, "search", query, "--limit", limit, *people)
            assert result.exit_code == 0, result.output
            assert seconds < 5


@pytest.mark.parametrize("limit", ["0", "-1", "x"])
def test_a_limit_that_is_not_a_count_is_a_usage_error(indexed: Path, run, limit: str) -> None:
    assert run(indexed, "search", "jazz", "--limit", limit).exit_code == 2


# ---------------------------------------------------------------- names, text, days


@pytest.mark.parametrize(
    "command",
    [("prep",), ("log",), ("prep", "henk")],
    ids=["prep", "log", "prep-group"],
)
def test_an_overlong_name_is_a_usage_error(indexed: Path, run, command) -> None:
    name = "a" * 100_000
    args = [*command, name] + (["koffie"] if command == ("log",) else [])
    result, seconds = timed(run, indexed, *args)
    assert result.exit_code == 2, result.output[:300]
    assert seconds < 5
    assert len(result.stderr) < 300, "the name is not echoed back in full"


def test_a_name_at_the_cap_is_looked_up(indexed: Path, run) -> None:
    result = run(indexed, "prep", "z" * 255)
    assert result.exit_code == 1 and "No person called" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("log", "henk", "x" * 10_001),
        ("log", "henk", "x" * 10_001, "--follow-up"),
        ("new", "Eva Dekker", "--role", "r" * 256),
        ("new", "Eva Dekker", "--team", "t" * 256),
        ("new", "E" * 300),
    ],
    ids=["log", "follow-up", "role", "team", "name"],
)
def test_overlong_text_is_refused_and_nothing_written(indexed: Path, run, args) -> None:
    note = indexed / "people" / "Henk de Vries.md"
    before = note.read_bytes()
    result = run(indexed, *args)
    assert result.exit_code == 2, result.output[:300]
    assert note.read_bytes() == before
    assert not (indexed / "people" / "Eva Dekker.md").exists()


@pytest.mark.parametrize("days, code", [("3660", 0), ("3661", 2), ("-1", 2), (str(10**30), 2)])
def test_days_is_bounded(indexed: Path, run, days: str, code: int) -> None:
    result, seconds = timed(run, indexed, "agenda", "--days", days)
    assert result.exit_code == code, result.output
    assert seconds < 10


@pytest.mark.parametrize("date", ["-99999999d", "-" + "9" * 40 + "d", "0001-01-01"])
def test_a_far_date_is_handled(indexed: Path, run, date: str) -> None:
    result = run(indexed, "log", "henk", "oud", "--date", date)
    assert result.exit_code in (0, 2), result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- templates


RUNAWAY = {
    "output": "{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxx"
    "{% endfor %}{% endfor %}",
    "repeat": '{{ "x" * 10**12 }}',
    "repeat-list": "{{ ([1] * 100000) * 100000 }}",
    "power": "{{ 7 ** 100000000 }}",
    "doubling": '{% set ns = namespace(x="ab") %}{% for i in range(64) %}'
    "{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x|length }}",
    "plus": '{% set ns = namespace(x=["a"]) %}{% for i in range(64) %}'
    "{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x|length }}",
    "silent-loop": "{% for i in range(100000) %}{% for j in range(100000) %}"
    "{% endfor %}{% endfor %}done",
}


@pytest.mark.parametrize("kind", list(RUNAWAY))
@pytest.mark.parametrize("which", ["prep.md.j2", "prep.html.j2", "person.md.j2"])
def test_a_runaway_template_is_stopped(
    indexed: Path, run, monkeypatch, kind: str, which: str
) -> None:
    monkeypatch.setattr(vaultcrm.present.templates, "RENDER_CPU_SECONDS", 1.0)
    folder = indexed / ".vaultcrm" / "templates"
    folder.mkdir(exist_ok=True)
    (folder / which).write_text(RUNAWAY[kind], encoding="utf-8")
    if which == "person.md.j2":
        args = ("new", "Eva Dekker")
    else:
        args = ("prep", "henk", "--format", which.split(".")[1], "--save")
    result, seconds = timed(run, indexed, *args)
    assert result.exit_code == 3, result.output[:300]
    assert seconds < 20
    (line,) = result.stderr.splitlines()
    assert "template error" in line and which in line
    assert not (indexed / "people" / "Eva Dekker.md").exists()
    assert not (indexed / "meetings").exists() or not any(
        p.name.startswith("2026-11-23") for p in (indexed / "meetings").iterdir()
    )


def test_an_oversized_template_file_is_refused(indexed: Path, run) -> None:
    folder = indexed / ".vaultcrm" / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "prep.md.j2").write_text("x" * (2 << 20), encoding="utf-8")
    result = run(indexed, "prep", "henk")
    assert result.exit_code == 3 and "bytes" in result.stderr


def test_an_ordinary_sheet_is_well_within_the_bounds(indexed: Path, run) -> None:
    for args in (("prep", "henk"), ("prep", "henk", "sanne", "fatima", "--format", "html")):
        result = run(indexed, *args)
        assert result.exit_code == 0, result.output
        assert len(result.stdout) < vaultcrm.present.templates.MAX_OUTPUT_CHARS / 100
