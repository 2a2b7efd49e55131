"""Issue 12, the smaller ones: partial segment files after a failed commit, raw
terminal controls in --json, C1 controls in saved file names, UTF-16 notes, and
columns that misalign for names whose characters are not one column each."""

from __future__ import annotations

import errno
import json
import re
import unicodedata
from pathlib import Path

import pytest
import whoosh.filedb.filestore
from faultkit import mutate, write_corpus
from wcwidth import wcswidth
from whoosh.filedb.filestore import FileStorage

# ---------------------------------------------------------------- a failed commit cleans up


@pytest.mark.parametrize("budget", [0, 500, 5_000, 50_000])
@pytest.mark.parametrize("rebuild", [False, True])
def test_failed_commits_leave_no_partial_segment_files(
    tmp_path: Path, run, monkeypatch, budget: int, rebuild: bool
) -> None:
    import random

    vault = tmp_path / "vault"
    write_corpus(vault, 40, seed=12)
    assert run(vault, "index").exit_code == 0
    index = vault / ".vaultcrm" / "index"
    before = sorted(p.name for p in index.iterdir())
    mutate(vault, random.Random(12), 8)
    left = {"bytes": budget}
    real = FileStorage.create_file

    class Full:
        def __init__(self, handle):
            self._handle = handle

        def write(self, data):
            if len(data) > left["bytes"]:
                raise OSError(errno.ENOSPC, "No space left on device")
            left["bytes"] -= len(data)
            return self._handle.write(data)

        def __getattr__(self, name):
            return getattr(self._handle, name)

    def create_file(self, name, *args, **kwargs):
        created = real(self, name, *args, **kwargs)
        created.file = Full(created.file)
        return created

    monkeypatch.setattr(whoosh.filedb.filestore.FileStorage, "create_file", create_file)
    for _ in range(3):  # three failed retries
        left["bytes"] = budget
        result = run(vault, "index", *(["--rebuild"] if rebuild else []))
        assert result.exit_code == 3, result.output
        if not rebuild:
            assert sorted(p.name for p in index.iterdir()) == before
    monkeypatch.undo()
    leftover = [p.name for p in index.iterdir() if p.suffix not in (".toc", ".json", ".pickle")]
    segments = [n for n in leftover if re.search(r"_[0-9a-z]+\.[a-z]+$", n)]
    assert len(segments) <= 1, f"partial segment files left behind: {segments}"
    again = run(vault, "index")
    assert again.exit_code == 0, again.output
    assert run(vault, "search", "jazz").exit_code == 0


# ---------------------------------------------------------------- --json and terminal controls

NASTY = "\u009b31mRed\u202eevil\u2028line\x85next\u2066iso"


@pytest.mark.parametrize(
    "command",
    [
        ("search", "zeppelin", "--json"),
        ("search", "zeppelin", "--people", "--json"),
        ("people", "--json"),
        ("agenda", "--days", "60", "--json"),
        ("check", "--json"),
        ("index", "--rebuild", "--json"),
    ],
    ids=" ".join,
)
def test_json_output_escapes_terminal_controls(make_vault, run, command) -> None:
    vault = make_vault(
        {
            f"people/{NASTY}.md": f"---\nname: {json.dumps(NASTY)}\ncadence: 1d\n"
            f"birthday: 1980-12-01\n---\nzeppelin {NASTY} [[Nobody{NASTY}]]\n"
            f"- [ ] call {NASTY} \U0001f4c5 2026-11-25\n",
        }
    )
    result = run(vault, *command)
    assert result.exit_code in (0, 1), result.output
    for char in "\u009b\u202e\u2028\x85\u2066":
        assert char not in result.stdout, repr(char)
    data = json.loads(result.stdout)
    assert NASTY in json.dumps(data, ensure_ascii=False), "the values themselves are kept"


# ---------------------------------------------------------------- saved file names


@pytest.mark.parametrize(
    "name",
    ["Ann\u009b31m Lee", "Ann\u202eeel", "Ann\u2028Lee", "Ann\x85Lee", "Ann\x7fLee", "\u2066Ann"],
)
def test_saved_sheet_file_names_keep_no_controls(make_vault, run, name: str) -> None:
    vault = make_vault({"people/Ann.md": f"---\nname: {json.dumps(name)}\n---\n# Ann\n"})
    result = run(vault, "prep", "ann", "--save")
    assert result.exit_code == 0, result.output
    (saved,) = (vault / "meetings").iterdir()
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") for c in saved.name)
    assert "Ann" in saved.name


# ---------------------------------------------------------------- UTF-16 and UTF-32 notes


def encoded(text: str, codec: str) -> bytes:
    boms = {
        "utf-16-le": b"\xff\xfe",
        "utf-16-be": b"\xfe\xff",
        "utf-32-le": b"\xff\xfe\x00\x00",
        "utf-32-be": b"\x00\x00\xfe\xff",
    }
    return boms[codec] + text.encode(codec)


CODECS = ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]


@pytest.mark.parametrize("codec", CODECS)
def test_a_utf16_note_is_read_not_called_binary(make_vault, run, codec: str) -> None:
    person = "---\nname: Zoë Wide\nrole: Tester\n---\n# Zoë\n\nZe houdt van zeppelins.\n"
    meeting = "---\ndate: 2026-11-20\n---\n# Overleg\n\nMet [[Zoë Wide]] over de zeppelin.\n"
    vault = make_vault(
        {
            "people/Zoë Wide.md": encoded(person, codec),
            "notes/2026-11-20 Overleg.md": encoded(meeting, codec),  # not a 1:1: a mention
        }
    )
    check = run(vault, "check")
    assert "binary" not in check.output and check.exit_code == 0, check.output
    found = run(vault, "search", "zeppelins")
    assert found.exit_code == 0 and "Ze houdt van zeppelins." in found.stdout
    sheet = run(vault, "prep", "zoe")
    assert sheet.exit_code == 0 and "Tester" in sheet.stdout
    assert "over de zeppelin" in sheet.stdout, "context read from a UTF-16 mention"
    assert "Ze houdt van zeppelins." in sheet.stdout, "their own prose from a UTF-16 note"
    logged = run(vault, "log", "zoe", "koffie gedronken")
    assert logged.exit_code == 0, logged.output
    raw = (vault / "people" / "Zoë Wide.md").read_bytes()
    assert raw == encoded(person + "\n## Log\n- 2026-11-23: koffie gedronken\n", codec)


def test_a_broken_utf16_note_is_reported_as_utf16(make_vault, run) -> None:
    vault = make_vault({"notes/half.md": b"\xff\xfe" + "# Half\n".encode("utf-16-le") + b"\x00"})
    result = run(vault, "check")
    assert result.exit_code == 1
    assert "UTF-16" in result.stdout and "binary" not in result.stdout


# ---------------------------------------------------------------- columns by display width


@pytest.mark.parametrize(
    "names",
    [
        ["Zoe\u0308 Bakker", "Ann Lee"],  # NFD: e + combining diaeresis
        ["\U0001f389 Party Person", "Ann Lee"],  # an emoji: two columns
        ["山田 太郎", "Ann Lee"],  # CJK: two columns each
        ["Evil\x1bName", "Ann Lee"],  # shown escaped: \x1b is four columns
        ["A", "Ann Lee the Longest Name"],
    ],
    ids=["nfd", "emoji", "cjk", "escaped", "plain"],
)
def test_people_columns_line_up(make_vault, run, names: list[str]) -> None:
    files = {
        f"people/p{i}.md": f"---\nname: {json.dumps(n, ensure_ascii=False)}\nlast_contact: 2026-11-0{i + 1}\n---\n"
        for i, n in enumerate(names)
    }
    result = run(make_vault(files), "people")
    assert result.exit_code == 0, result.output
    columns = set()
    for line in result.stdout.splitlines():
        at = re.search(r"2026-11-0\d", line).start()
        columns.add(wcswidth(line[:at]))
    assert len(columns) == 1, result.stdout


def test_agenda_columns_line_up(make_vault, run) -> None:
    files = {
        f"people/p{i}.md": f"---\nname: {json.dumps(n, ensure_ascii=False)}\ncadence: 7d\nlast_contact: 2026-11-01\n---\n"
        for i, n in enumerate(["Zoe\u0308 Bakker", "\U0001f389 Party", "山田 太郎", "Ann"])
    }
    result = run(make_vault(files), "agenda")
    columns = {
        wcswidth(line[: line.index("days overdue")])
        for line in result.stdout.splitlines()
        if "overdue" in line
    }
    assert len(columns) == 1, result.stdout
