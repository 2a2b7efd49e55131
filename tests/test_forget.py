"""``forget`` (SPEC §6, GDPR art. 17): a dry run that changes nothing, then an erasure that
changes exactly the bytes of each mention, and leaves nothing of the person in
``.vaultcrm/``, down to the raw bytes of the index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from vaultcrm.errors import RefusedWriteError, UsageError
from vaultcrm.features.forget import forget_person
from vaultcrm.features.search import search_vault
from vaultcrm.store.vault import Vault

TODAY = dt.date(2026, 12, 1)

HENK = """\
---
name: Henk de Vries
aliases: [Henk, HdV]
team: Support
---
Henk fixes Zwartewaterland issues. Rugklachten; wants a sta-bureau.
"""

# Each other note as bytes, and what it must be byte for byte after ``forget``.
CRLF = (
    b"---\r\n"
    b'manager: "[[Henk de Vries]]"   # the boss\r\n'
    b"tags: [support]  \r\n"
    b"---\r\n"
    b"Lunch with [[Henk|him]] and Sanne.  \r\n"
    b"HdV said no.\r\n"
    b"Unrelated line\twith a tab.\r\n"
)
CRLF_AFTER = CRLF.replace(b"[[Henk de Vries]]", b"N.N.").replace(b"[[Henk|him]]", b"N.N.")
CRLF_AFTER = CRLF_AFTER.replace(b"HdV said", b"N.N. said")

BOM = "\ufeff# Notes\n\nAsked henk about it.\n".encode()
BOM_AFTER = "\ufeff# Notes\n\nAsked N.N. about it.\n".encode()

WIDE = "---\nattendees: [Henk]\n---\nWith Henk.\n".encode("utf-16")
WIDE_AFTER = "---\nattendees: [N.N.]\n---\nWith N.N..\n".encode("utf-16")

OTHER_HENK = "---\nname: Henk Jansen\n---\nHenk Jansen is someone else.\n"
LINKS_TO_MEETING = "See [[2026-11-10 1-1 Henk]] and [[2026-11-10 1-1 Henk|the 1:1]].\n"
MEETING = "---\ndate: 2026-11-10\n---\n1:1, all good.\n"


@pytest.fixture
def root(make_vault) -> Path:
    return make_vault(
        {
            "people/Henk de Vries.md": HENK,
            "people/Henk Jansen.md": OTHER_HENK,
            "notes/crlf.md": CRLF,
            "notes/bom.md": BOM,
            "notes/wide.md": WIDE,
            "notes/links.md": LINKS_TO_MEETING,
            "meetings/2026-11-10 1-1 Henk.md": MEETING,
            "notes/untouched.md": "Nothing about anyone.\n",
        }
    )


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*.md"))
        if ".vaultcrm" not in p.parts
    }


def state_bytes(root: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in (root / ".vaultcrm").rglob("*") if p.is_file()]


def test_a_dry_run_lists_every_change_and_changes_nothing(root: Path) -> None:
    before = snapshot(root)
    plan = forget_person(Vault(root), "hdv", today=TODAY)
    assert not plan.done
    assert plan.note == "people/Henk de Vries.md"
    assert [(c.path, c.line) for c in plan.changes] == [
        ("notes/bom.md", 3),
        ("notes/crlf.md", 2),
        ("notes/crlf.md", 5),
        ("notes/crlf.md", 6),
        ("notes/links.md", 1),
        ("notes/wide.md", 2),
        ("notes/wide.md", 4),
    ]
    crlf = [c for c in plan.changes if c.path == "notes/crlf.md"]
    assert crlf[0].before == 'manager: "[[Henk de Vries]]"   # the boss'
    assert crlf[0].after == 'manager: "N.N."   # the boss'
    assert [(r.path, r.to) for r in plan.renames] == [
        ("meetings/2026-11-10 1-1 Henk.md", "meetings/2026-11-10 1-1 N.N..md")
    ]
    assert snapshot(root) == before


def test_forget_changes_exactly_the_mentions_byte_for_byte(root: Path) -> None:
    before = snapshot(root)
    done = forget_person(Vault(root), "henk de vries", yes=True, today=TODAY)
    assert done.done
    after = snapshot(root)
    assert "people/Henk de Vries.md" not in after
    assert after["notes/crlf.md"] == CRLF_AFTER  # CRLF, comment, spacing, tab: kept
    assert after["notes/bom.md"] == BOM_AFTER
    assert after["notes/wide.md"] == WIDE_AFTER  # UTF-16 stays UTF-16
    assert after["notes/links.md"] == (
        b"See [[2026-11-10 1-1 N.N.]] and [[2026-11-10 1-1 N.N.|the 1:1]].\n"
    )
    assert "meetings/2026-11-10 1-1 Henk.md" not in after
    assert after["meetings/2026-11-10 1-1 N.N..md"] == MEETING.encode()  # renamed, not changed
    for same in ("people/Henk Jansen.md", "notes/untouched.md"):
        assert after[same] == before[same]


def test_nothing_of_them_is_left_in_the_state_folder(root: Path) -> None:
    vault = Vault(root)
    assert search_vault(vault, "Zwartewaterland").hits  # indexed: now in .vaultcrm/
    traces = [b"zwartewaterland", b"rugklachten", b"henk de vries", b"hdv"]

    def found() -> set[bytes]:
        return {t for _, data in state_bytes(root) for t in traces if t in data.lower()}

    assert found()  # the grep below can see what the index keeps
    forget_person(vault, "henk de vries", yes=True, today=TODAY)
    assert found() == set()
    # nor the meeting's old file name, nor the name in any spelling the index keeps
    for path, data in state_bytes(root):
        assert b"1-1 henk" not in data.lower(), path
    assert [h.title for h in search_vault(vault, "Jansen").hits] == ["Henk Jansen"]


CALENDAR = """\
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:one@test
DTSTAMP:20261101T090000Z
DTSTART:20261125T090000Z
DTEND:20261125T093000Z
SUMMARY:Weekly sync
ATTENDEE;CN=Henk de Vries:mailto:henk@example.com
ATTENDEE;CN=Me:mailto:me@example.com
END:VEVENT
END:VCALENDAR
"""


def test_the_calendar_cache_forgets_them_too(make_vault) -> None:
    """A calendar's attendees are kept in ``.vaultcrm/cache/``: forget clears it; the
    calendar file itself is the user's, and named among what is out of reach."""
    from vaultcrm.store.calendars import load_meetings

    root = make_vault(
        {"people/Henk de Vries.md": HENK, "work.ics": CALENDAR.replace("\n", "\r\n")},
        config='calendars = ["work.ics"]\nme = ["me@example.com"]\n',
    )
    vault = Vault(root)
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    assert load_meetings(vault, now).meetings  # read, and kept in the cache
    in_cache = [p for p, data in state_bytes(root) if b"henk de vries" in data.lower()]
    assert in_cache and all("cache" in p.parts for p in in_cache)
    plan = forget_person(vault, "Henk de Vries", today=TODAY)
    assert any("work.ics" in line and "calendars in config.toml" in line for line in plan.beyond)
    forget_person(vault, "Henk de Vries", yes=True, today=TODAY)
    assert [p for p, data in state_bytes(root) if b"henk" in data.lower()] == []
    assert b"Henk de Vries" in (root / "work.ics").read_bytes()  # not a note: not changed


def test_front_matter_that_would_break_is_left_for_the_user(make_vault) -> None:
    root = make_vault(
        {
            "people/Henk.md": "---\nname: Henk\n---\n",
            "notes/quoted.md": "---\nmentor: '[[Henk]]'\n---\nHenk helps.\n",
        }
    )
    plan = forget_person(Vault(root), "henk", placeholder="d'Artagnan", today=TODAY)
    assert [s.path for s in plan.skipped] == ["notes/quoted.md"]
    assert "YAML" in plan.skipped[0].why
    assert plan.changes == ()
    forget_person(Vault(root), "henk", placeholder="d'Artagnan", yes=True, today=TODAY)
    assert (root / "notes/quoted.md").read_text() == "---\nmentor: '[[Henk]]'\n---\nHenk helps.\n"


@pytest.mark.parametrize(
    "placeholder",
    ["", "a[b", "x|y", "a/b", "#tag", "%%", "Henk", "{x}", "&a", "yes", "123", "-x", "a\u202eb"],
)
def test_a_placeholder_that_would_break_links_yaml_or_keep_the_name(
    root: Path, placeholder
) -> None:
    before = snapshot(root)
    with pytest.raises(UsageError):
        forget_person(Vault(root), "henk de vries", placeholder=placeholder, yes=True, today=TODAY)
    assert snapshot(root) == before


def test_a_placeholder_that_is_someone_elses_name_is_refused(root: Path) -> None:
    """Mentions of Henk de Vries would become mentions of Henk Jansen."""
    with pytest.raises(UsageError, match="Henk Jansen"):
        forget_person(Vault(root), "henk de vries", placeholder="Henk Jansen", today=TODAY)


@pytest.mark.parametrize("read_only", ["notes/crlf.md", "people/Henk de Vries.md", "notes"])
def test_a_read_only_note_or_folder_stops_it_before_any_change(root: Path, read_only) -> None:
    """Checked in the plan: a dry run names it, and --yes changes nothing at all."""
    import os

    target = root / read_only
    target.chmod(0o555 if target.is_dir() else 0o444)
    try:
        if target.is_dir() and os.access(target, os.W_OK):
            pytest.skip("running as a user who may write into any folder (root)")
        plan = forget_person(Vault(root), "henk de vries", today=TODAY)
        assert any(read_only in s.path and "read-only" in s.why for s in plan.skipped)
        before = snapshot(root)
        with pytest.raises(RefusedWriteError, match="nothing was changed"):
            forget_person(Vault(root), "henk de vries", yes=True, today=TODAY)
        assert snapshot(root) == before
    finally:
        target.chmod(0o755 if target.is_dir() else 0o644)


def test_folders_and_attachments_named_after_them_are_named(root: Path) -> None:
    (root / "projects/Henk de Vries onboarding").mkdir(parents=True)
    (root / "projects/Henk de Vries onboarding/plan.md").write_text("A plan.\n")
    (root / "attachments").mkdir()
    (root / "attachments/HdV.png").write_bytes(b"\x89PNG")
    plan = forget_person(Vault(root), "henk de vries", today=TODAY)
    assert plan.named_paths == ("attachments/HdV.png", "projects/Henk de Vries onboarding")
    assert any("projects/Henk de Vries onboarding" in line for line in plan.beyond)


def test_what_it_cannot_reach_is_named(root: Path) -> None:
    plan = forget_person(Vault(root), "henk de vries", today=TODAY)
    assert not any("git" in line for line in plan.beyond)
    (root / ".git").mkdir()
    plan = forget_person(Vault(root), "henk de vries", today=TODAY)
    git = [line for line in plan.beyond if "git filter-repo" in line]
    assert git and "'people/Henk de Vries.md'" in git[0]
    assert any("--out" in line for line in plan.beyond)
    assert any("calendar" in line.lower() for line in plan.beyond)
