"""``log`` adds exactly one line to a note and changes no other byte (property-based)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vaultcrm.errors import RefusedWriteError, UsageError
from vaultcrm.features.journal import add_follow_up, add_log_entry, clean_name, clean_text
from vaultcrm.model.notes import parse_note
from vaultcrm.store.writes import update_file

TODAY = dt.date(2026, 11, 23)
BOM = b"\xef\xbb\xbf"

# ---------------------------------------------------------------- a generator of notes

words = (
    st.text(
        alphabet=st.characters(
            codec="utf-8", categories=["L", "N", "Zs"], include_characters="-'.,!?()éëü😀"
        ),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(lambda s: s and not s.startswith(("-", "#", "`", "~", "*", "+")))
)
past_dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 11, 22))
trailing = st.sampled_from(["", "", " ", "  ", "\t"])


@st.composite
def front_matter(draw) -> list[str]:
    keys = draw(
        st.lists(
            st.sampled_from(["name", "role", "team", "cadence", "tags", "email", "relation"]),
            unique=True,
            max_size=6,
        )
    )
    lines = ["---"]
    for key in keys:
        if draw(st.booleans()):
            lines.append(f"# {draw(words)}")  # a comment line
        value = {
            "cadence": draw(st.sampled_from(["14d", "2w", "1m"])),
            "tags": "[" + ", ".join(draw(st.lists(st.sampled_from(["a", "b", "mentor"])))) + "]",
        }.get(key, repr(draw(words)))
        comment = f"  # {draw(words)}" if draw(st.booleans()) else ""
        lines.append(f"{key}: {value}{comment}")
    lines.append("---")
    return lines


@st.composite
def log_section(draw, title: str) -> list[str]:
    marker = draw(st.sampled_from(["-", "*", "+"]))
    lines = [title]
    if draw(st.booleans()):
        lines.append("")
    for day in draw(st.lists(past_dates, max_size=3)):
        lines.append(f"{marker} {day}: {draw(words)}{draw(trailing)}")
    if draw(st.booleans()):
        lines += ["### Older", f"{marker} {draw(past_dates)}: {draw(words)}"]
    lines += [""] * draw(st.integers(0, 2))
    return lines


@st.composite
def other_section(draw) -> list[str]:
    kind = draw(st.sampled_from(["wins", "notes", "code", "tasks", "quote"]))
    if kind == "wins":
        return ["## Wins", f"- {draw(words)}", ""]
    if kind == "tasks":
        return ["## Follow-ups", f"- [ ] {draw(words)} 📅 {draw(past_dates)}", ""]
    if kind == "code":  # a fake Log heading inside code must not be taken for the Log
        return ["## Snippets", "```", "## Log", "- 2026-01-01: not a log", "```", ""]
    if kind == "quote":
        return [f"> {draw(words)}{draw(trailing)}", ""]
    return [f"## {draw(words)}", f"{draw(words)}{draw(trailing)}", f"{draw(words)}", ""]


@st.composite
def person_notes(draw, with_log: bool = True) -> bytes:
    lines: list[str] = draw(front_matter()) if draw(st.booleans()) else []
    if draw(st.booleans()):
        lines += [f"# {draw(words)}", ""]
    sections = draw(st.lists(other_section(), max_size=3))
    if with_log:
        title = draw(st.sampled_from(["## Log", "## Logboek", "## log", "### LOG", "## Log  "]))
        sections.insert(draw(st.integers(0, len(sections))), draw(log_section(title)))
    for section in sections:
        lines += section
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(lines)
    if draw(st.booleans()):
        text += eol  # with or without a final newline
    raw = text.encode("utf-8")
    if draw(st.booleans()):
        raw = raw.replace(b"Snippets", b"Snipp\xe9ts")  # a Latin-1 byte: kept as it was
    return (BOM + raw) if draw(st.booleans()) else raw


# ---------------------------------------------------------------- the property


def inserted_line(before: bytes, after: bytes) -> tuple[bytes, bytes]:
    """The one line ``after`` has more than ``before`` (and its ending); fails otherwise."""
    assert len(after) > len(before)
    start = 0
    while start < len(before) and before[start] == after[start]:
        start += 1
    start = before.rfind(b"\n", 0, start) + 1  # back to the start of that line
    tail = len(after) - len(before)
    added = after[start : start + tail]
    if after[:start] + after[start + tail :] == before and added.endswith(b"\n"):
        body = added[:-2] if added.endswith(b"\r\n") else added[:-1]
        return body, added[len(body) :]
    # at the very end of a note without a final newline: the ending comes first
    assert after.startswith(before) and not before.endswith(b"\n")
    added = after[len(before) :]
    eol = b"\r\n" if added.startswith(b"\r\n") else b"\n"
    return added[len(eol) :], eol


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=person_notes(), text=words)
def test_log_adds_exactly_one_line_and_nothing_else(note: bytes, text: str) -> None:
    after, line = add_log_entry(note, TODAY, text)
    added, eol = inserted_line(note, after)
    assert b"\n" not in added
    assert added.rstrip(b"\r") == f"{added.decode()[0]} {TODAY}: {text}".encode()
    # the new line uses the ending of the note's lines around it
    assert eol in (b"\r\n" if b"\r\n" in note else b"\n", b"\n")
    if b"\r\n" in note:
        assert eol == b"\r\n"
    assert after.startswith(BOM) == note.startswith(BOM)
    assert after.endswith(b"\n") == note.endswith(b"\n")
    parsed_before = parse_note("people/x.md", note)
    parsed = parse_note("people/x.md", after)
    assert parsed.meta == parsed_before.meta
    assert [e.text for e in parsed.log if e.line != line] == [e.text for e in parsed_before.log]
    newest = max(parsed.log, key=lambda e: e.date)
    assert (newest.date, newest.text, newest.line) == (TODAY, text, line)


@settings(max_examples=150, deadline=None)
@given(note=person_notes(with_log=False), text=words)
def test_a_missing_log_is_created_at_the_end_and_nothing_else_changes(
    note: bytes, text: str
) -> None:
    after, line = add_log_entry(note, TODAY, text)
    assert after.startswith(note)
    parsed = parse_note("people/x.md", after)
    assert [(e.date, e.text, e.line) for e in parsed.log] == [(TODAY, text, line)]
    assert after.endswith(b"\n") == (note.endswith(b"\n") or not note.lstrip(BOM))


@settings(max_examples=150, deadline=None)
@given(note=person_notes(), text=words, due=st.none() | past_dates)
def test_a_follow_up_is_one_open_task_more(note: bytes, text: str, due) -> None:
    after, line = add_follow_up(note, text, due)
    before_tasks = parse_note("people/x.md", note).tasks
    tasks = parse_note("people/x.md", after).tasks
    new = [t for t in tasks if t.line == line]
    assert len(tasks) == len(before_tasks) + 1
    assert [(t.text, t.due, t.done) for t in new] == [(text, due, False)]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(note=person_notes(), text=words)
def test_through_the_safe_write_the_file_is_the_original_plus_the_line(
    tmp_path: Path, note: bytes, text: str
) -> None:
    path = tmp_path / "people" / "Someone.md"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(note)
    os.chmod(path, 0o640)
    update_file(path, lambda raw: add_log_entry(raw, TODAY, text)[0], tmp_path / ".vaultcrm")
    after = path.read_bytes()
    added, _ = inserted_line(note, after)
    assert added.rstrip(b"\r").endswith(f"{TODAY}: {text}".encode())
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["Someone.md"]


# ---------------------------------------------------------------- chosen cases


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"", b"## Log\n- 2026-11-23: hi\n"),
        (b"Just text", b"Just text\n\n## Log\n- 2026-11-23: hi"),
        (b"Just text\r\n", b"Just text\r\n\r\n## Log\r\n- 2026-11-23: hi\r\n"),
        (b"## Log\n- 2026-01-01: a", b"## Log\n- 2026-01-01: a\n- 2026-11-23: hi"),
        (
            b"## Log\n- 2026-01-01: a  \n\n\n## Wins\n- x\n",
            b"## Log\n- 2026-01-01: a  \n- 2026-11-23: hi\n\n\n## Wins\n- x\n",
        ),
        (b"## Log\n\n## Wins\n", b"## Log\n- 2026-11-23: hi\n\n## Wins\n"),
        (
            b"# Henk\n\n## Logboek\n* 2026-01-01: a\n",
            b"# Henk\n\n## Logboek\n* 2026-01-01: a\n* 2026-11-23: hi\n",
        ),
        (  # a log kept newest first gets the entry on top
            b"## Log\n\n- 2026-11-10: a\n- 2026-10-01: b\n",
            b"## Log\n\n- 2026-11-23: hi\n- 2026-11-10: a\n- 2026-10-01: b\n",
        ),
        (
            b"## Log\n### 2026-11-10\nfoo\n\n### 2026-10-01\nbar",
            b"## Log\n### 2026-11-23\nhi\n\n### 2026-11-10\nfoo\n\n### 2026-10-01\nbar",
        ),
        (  # a log kept as dated headings gets one more dated heading
            b"## Log\n### 2026-10-01\nTalked.\n\n## Wins\n",
            b"## Log\n### 2026-10-01\nTalked.\n\n### 2026-11-23\nhi\n\n## Wins\n",
        ),
    ],
)
def test_where_the_entry_goes(before: bytes, after: bytes) -> None:
    assert add_log_entry(before, TODAY, "hi")[0] == after


NEWEST_FIRST = b"## Log\n- 2026-11-20: c\n- 2026-11-10: b\n- 2026-10-01: a\n\n## Wins\n"
OLDEST_FIRST = b"## Log\n- 2026-10-01: a\n- 2026-11-10: b\n- 2026-11-20: c\n\n## Wins\n"
HEADINGS_NEWEST = b"## Log\n### 2026-11-20\nc\n\n### 2026-11-10\nb\n\n## Wins\n"


@pytest.mark.parametrize(
    ("before", "day", "after"),
    [
        (NEWEST_FIRST, "2026-11-15", b"c\n- 2026-11-15: hi\n- 2026-11-10: b\n"),
        (
            NEWEST_FIRST,
            "2026-11-10",
            b"c\n- 2026-11-10: hi\n- 2026-11-10: b\n",
        ),  # newest of its day
        (NEWEST_FIRST, "2026-09-01", b"a\n- 2026-09-01: hi\n\n## Wins"),  # older than all: last
        (NEWEST_FIRST, "2026-11-23", b"## Log\n- 2026-11-23: hi\n- 2026-11-20: c\n"),
        (OLDEST_FIRST, "2026-11-15", b"b\n- 2026-11-15: hi\n- 2026-11-20: c\n"),
        (OLDEST_FIRST, "2026-11-10", b"b\n- 2026-11-10: hi\n- 2026-11-20: c\n"),  # after its day
        (OLDEST_FIRST, "2026-09-01", b"## Log\n- 2026-09-01: hi\n- 2026-10-01: a\n"),
        (OLDEST_FIRST, "2026-11-23", b"c\n- 2026-11-23: hi\n\n## Wins"),
        (HEADINGS_NEWEST, "2026-11-15", b"c\n\n### 2026-11-15\nhi\n\n### 2026-11-10\n"),
    ],
)
def test_an_entry_with_an_earlier_date_keeps_the_log_in_date_order(
    before: bytes, day: str, after: bytes
) -> None:
    new, line = add_log_entry(before, dt.date.fromisoformat(day), "hi")
    assert after in new
    assert (
        new.replace(f"- {day}: hi\n".encode(), b"", 1).replace(
            f"### {day}\nhi\n\n".encode(), b"", 1
        )
        == before
    )  # one entry added, nothing else changed
    assert new.split(b"\n")[line - 1] in (f"- {day}: hi".encode(), f"### {day}".encode())


def test_a_new_log_heading_follows_the_locale() -> None:
    assert add_log_entry(b"x\n", TODAY, "hoi", "nl")[0] == b"x\n\n## Logboek\n- 2026-11-23: hoi\n"
    assert add_follow_up(b"x\n", "vragen", TODAY, "nl")[0] == (
        "x\n\n## Opvolging\n- [ ] vragen 📅 2026-11-23\n".encode()
    )


def test_a_note_ending_in_an_open_code_block_is_not_written() -> None:
    with pytest.raises(RefusedWriteError, match="unclosed"):
        add_log_entry(b"## Notes\n```\ncode", TODAY, "hi")


def test_text_with_line_breaks_becomes_one_line() -> None:
    assert clean_text("Talked about\r\nthe exam\n\n  and jazz ") == "Talked about the exam and jazz"
    with pytest.raises(UsageError, match="empty"):
        clean_text(" \n ")
    with pytest.raises(UsageError, match="control"):
        clean_text("bell\x07")


@pytest.mark.parametrize(
    "name", ["../Henk", "a/b", "a\\b", "nul\x00", "tab\there", ".hidden", "..", "x~", "[[x]]"]
)
def test_names_that_would_leave_the_people_folder_or_hide_are_refused(name: str) -> None:
    with pytest.raises(UsageError):
        clean_name(name)


def test_a_name_is_kept_as_typed_in_nfc() -> None:
    assert clean_name("  Zoe\u0308 Bakker ") == "Zoë Bakker"
