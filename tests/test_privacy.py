"""Private facts (SPEC §6): each way of marking one, and the one filter for other eyes.

Every marking form is tried in every output: the owner's own sheet (Markdown and HTML)
shows it marked 🔒; a group sheet, ``prep --share``, the calendar file and a saved sheet
leave it out; ``search`` finds it, marked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from icalendar import Calendar

from vaultcrm.features.calendar import build_calendar
from vaultcrm.features.prep import build_sheet, prepare
from vaultcrm.features.search import search_vault
from vaultcrm.model.notes import parse_note
from vaultcrm.model.privacy import (
    for_others,
    for_owner,
    mark_private,
    private_keys,
    private_lines,
    strip_private,
)
from vaultcrm.present.templates import render_sheet
from vaultcrm.store.vault import Vault

TODAY = dt.date(2026, 11, 23)

# Each secret is one word no other part of the vault holds, so a test can look for it.
ANN = """\
---
name: Ann Smit
team: Studio
cadence: 7d
private: [health]
health: knee surgery in Kalmthout
family:
  - {name: Tom, relation: son, birthday: 2016-11-30, note: loves Lego}
gift_ideas: [Zwanenmeer tickets]
interests: [climbing]
---
Ann leads the Studio team. %% She is thinking of leaving for Copenhagen. %%

%%
Burnout in 2024; watch the workload around Ostende.
%%

## Log
- 2026-11-20: Roadmap talk %% mentioned her Rotterdam divorce %%
- 2026-11-18: Salary question about Groningen #private
- 2026-11-10: Lunch at the canteen

## Follow-ups
- [ ] Send the roadmap 📅 2026-11-25
- [ ] Ask about the Eindhoven appointment #private 📅 2026-11-26
- [ ] Bake a cake for Ann's birthday #surprise 📅 2026-11-29

## Wins
- Shipped the redesign
- Handled the Maastricht complaint #private

## Private
- Her mother lives in Zwolle and is ill.
- [ ] Call about the Apeldoorn care home 📅 2026-11-27

## Notes
Back in public: the Utrecht office move.
"""

BOB = """\
---
name: Bob Vos
team: Studio
birthday: 1990-11-28
---
## Follow-ups
- [ ] Ask [[Ann Smit]] about the team budget
- [ ] Plan the cake with [[Ann Smit]] for Ann's birthday #surprise
"""

MEETING = """\
---
date: 2026-11-19
---
Talked with [[Ann Smit]] about the offsite.
%% [[Ann Smit]] cried about Nijmegen. %%
"""

# Words that must never reach another reader: one per marking form above.
SECRETS = {
    "inline comment": "Copenhagen",
    "comment block": "Ostende",
    "comment in a log entry": "Rotterdam",
    "#private log entry": "Groningen",
    "#private task": "Eindhoven",
    "#private win": "Maastricht",
    "Private section": "Apeldoorn",
    "note's private: key": "Kalmthout",
    "family (config default)": "Lego",
    "gift_ideas (config default)": "Zwanenmeer",
    "comment in another note": "Nijmegen",
    "Private section prose": "Zwolle",
}
# What the owner's own sheet shows of them (extra front-matter keys are not on a sheet)
ON_OWN_SHEET = (
    "Copenhagen",  # in the Context part, with the body's other prose
    "Ostende",
    "Zwolle",
    "Rotterdam",
    "Groningen",
    "Eindhoven",
    "Maastricht",
    "Apeldoorn",
    "Lego",
    "Zwanenmeer",
    "Nijmegen",
)


@pytest.fixture
def vault(make_vault) -> Vault:
    return Vault(
        make_vault(
            {
                "people/Ann Smit.md": ANN,
                "people/Bob Vos.md": BOB,
                "notes/2026-11-19 Offsite.md": MEETING,  # a 1:1's note is no mention
            }
        )
    )


def sheet_text(vault: Vault, names, fmt: str = "md", share: bool = False) -> str:
    return render_sheet(build_sheet(vault, names, today=TODAY, share=share), fmt, None, vault)


# ---------------------------------------------------------------- reading the marks


def test_each_marking_form_makes_its_facts_private() -> None:
    note = parse_note("people/Ann Smit.md", ANN.encode())
    log = {e.text.split()[-1].strip("#%"): e.private for e in note.log}
    assert log == {"": False, "private": True, "canteen": False}  # the comment is inline
    assert [(t.text.split()[0], t.private, t.surprise) for t in note.tasks] == [
        ("Send", False, False),
        ("Ask", True, False),
        ("Bake", False, True),
        ("Call", True, False),  # the task under ## Private
    ]
    assert [w.private for w in note.wins] == [False, True]


def test_private_lines_cover_front_matter_keys_blocks_sections_and_tags() -> None:
    text = ANN
    note = parse_note("people/Ann Smit.md", text.encode())
    keys = private_keys(note.meta.get("private"))
    lines = text.split("\n")
    hidden = {lines[n - 1] for n in private_lines(text, note.body_line, keys)}
    assert "health: knee surgery in Kalmthout" in hidden
    assert "  - {name: Tom, relation: son, birthday: 2016-11-30, note: loves Lego}" in hidden
    assert "gift_ideas: [Zwanenmeer tickets]" in hidden
    assert "Burnout in 2024; watch the workload around Ostende." in hidden
    assert "- 2026-11-18: Salary question about Groningen #private" in hidden
    assert "- Her mother lives in Zwolle and is ill." in hidden
    assert "interests: [climbing]" not in hidden
    assert "Back in public: the Utrecht office move." not in hidden
    assert "- 2026-11-10: Lunch at the canteen" not in hidden


def test_a_private_section_ends_at_the_next_heading_of_its_level() -> None:
    text = "# Ann\n## Privé\nsecret\n### deeper\nstill secret\n## Log\npublic\n"
    hidden = private_lines(text, 1, ())
    assert hidden == {2, 3, 4, 5}


def test_comment_marks_inside_code_are_code() -> None:
    text = "```\n%%\n```\npublic after the code\n"
    assert private_lines(text, 1, ()) == set()


@pytest.mark.parametrize(
    ("text", "others", "owner"),
    [
        ("plain", "plain", "plain"),
        ("a %% b %% c", "a c", "a 🔒 b c"),
        ("a %% open to the end", "a", "a 🔒 open to the end"),
        ("%%%%", "", ""),
        ("call #private", "call #private", "call"),
    ],
)
def test_strip_and_mark(text: str, others: str, owner: str) -> None:
    assert strip_private(text) == others
    assert mark_private(text) == owner


def test_a_comment_mark_inside_code_neither_opens_nor_closes_a_comment() -> None:
    text = "%%\nsecret with `%%` in code\nstill secret\n%%\npublic\n"
    assert private_lines(text, 1, ()) == {1, 2, 3, 4}
    assert strip_private("%% a `%%` b %% c") == "c"
    assert strip_private("use `%%` here") == "use `%%` here"


def test_a_date_inside_a_comment_is_no_ask_for_others(make_vault) -> None:
    ann = "---\nname: Ann Smit\n---\n## Log\n- 2026-11-16: Exam %% Zaandam on 25 November %%\n"
    vault = Vault(make_vault({"people/Ann Smit.md": ann}))
    assert "Nov 25" not in sheet_text(vault, ["ann"], share=True)
    assert "Nov 25" in sheet_text(vault, ["ann"])  # the owner is asked, marked


def test_for_others_drops_flagged_items_private_fields_and_comments() -> None:
    @dataclass(frozen=True)
    class Item:
        text: str
        private: bool = False

    @dataclass(frozen=True)
    class Page:
        items: tuple[Item, ...]
        family: tuple[str, ...]
        note: str
        private_fields: tuple[str, ...] = ("family",)

    page = Page((Item("a"), Item("b", True), Item("%%c%%")), ("Tom",), "x %% y %%")
    assert for_others(page) == Page((Item("a"), Item("")), (), "x", ())
    assert for_owner(page) == Page(
        (Item("a"), Item("b", True), Item("🔒 c")), ("Tom",), "x 🔒 y", ("family",)
    )


def test_a_private_key_empties_its_field_for_others_whatever_its_type() -> None:
    # The walk looks into text only, but a private key empties its field even when
    # that is a date or a number: a row's last contact, say.
    @dataclass(frozen=True)
    class Row:
        name: str
        last: dt.date | None
        count: int | None
        private_fields: tuple[str, ...] = ("last", "count")

    row = Row("Ann", dt.date(2026, 11, 2), 3)
    assert for_others(row) == Row("Ann", None, None, ())
    assert for_owner(row) is row


# ---------------------------------------------------------------- who sees what


def test_the_owners_own_sheet_shows_private_facts_marked(vault: Vault) -> None:
    for fmt in ("md", "html"):
        text = sheet_text(vault, ["ann"], fmt)
        for word in ON_OWN_SHEET:
            assert word in text, (fmt, word)
        assert "%%" not in text and "#private" not in text
    md = sheet_text(vault, ["ann"])
    assert "- 🔒 **Tom** (son, 9): loves Lego\n" in md
    assert "- 🔒 Gift ideas: Zwanenmeer tickets\n" in md
    assert "🔒 Ask about the Eindhoven appointment" in md
    assert "Roadmap talk 🔒 mentioned her Rotterdam divorce" in md
    assert "- Send the roadmap" in md and "- Interests: climbing" in md  # public: unmarked


def test_the_context_part_marks_private_prose_and_others_never_see_it(vault: Vault) -> None:
    md = sheet_text(vault, ["ann"])
    assert "Ann leads the Studio team. 🔒 She is thinking of leaving for Copenhagen." in md
    assert "🔒 Burnout in 2024; watch the workload around Ostende." in md
    assert "🔒 Her mother lives in Zwolle and is ill." in md
    assert "Back in public: the Utrecht office move." in md
    for names, share in ((["ann"], True), (["ann", "bob"], False)):
        context = [p.context for p in build_sheet(vault, names, TODAY, share=share).people]
        assert context[0] == (
            "Ann leads the Studio team.",
            "Back in public: the Utrecht office move.",
        )


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("how", ["group", "share"])
def test_outputs_for_others_leave_every_private_fact_out(vault: Vault, how: str, fmt) -> None:
    names = ["ann", "bob"] if how == "group" else ["ann"]
    text = sheet_text(vault, names, fmt, share=how == "share")
    for form, word in SECRETS.items():
        assert word not in text, form
    assert "🔒" not in text
    assert "Send the roadmap" in text and "Shipped the redesign" in text  # public facts stay
    assert "Roadmap talk" in text  # a log line keeps its public part


def test_a_saved_sheet_holds_no_private_fact(vault: Vault) -> None:
    result = prepare(vault, ["ann"], save=True, today=TODAY)
    assert "Eindhoven" in result.text  # the owner's sheet on screen has them
    assert result.saved is not None
    saved = vault.path_of(result.saved.path).read_text("utf-8")
    for form, word in SECRETS.items():
        assert word not in saved, form


def test_a_surprise_is_kept_from_the_one_it_is_for(vault: Vault) -> None:
    own = sheet_text(vault, ["ann"])
    assert "Bake a cake" not in own and "Plan the cake" not in own
    bobs = sheet_text(vault, ["bob"])
    assert "Plan the cake with Ann Smit for Ann's birthday #surprise" in bobs  # plan it with Bob
    assert "Ask Ann Smit about the team budget" in bobs
    group = sheet_text(vault, ["bob", "ann"])
    assert "cake" not in group
    assert "Ask Ann Smit about the team budget" in group


def test_the_calendar_file_holds_no_private_fact(vault: Vault) -> None:
    data = build_calendar(vault).data
    cal = Calendar.from_ical(data)
    summaries = {str(e["summary"]) for e in cal.walk("VEVENT")}
    assert "Birthday: Bob Vos" in summaries
    assert "Follow-up: Send the roadmap (Ann Smit)" in summaries
    text = data.decode("utf-8")
    for form, word in SECRETS.items():
        assert word not in text, form
    assert "Tom" not in text  # a family birthday: family is private by default
    assert "cake" not in text  # a surprise: a work calendar is often seen by colleagues


def test_a_surprise_for_someone_named_as_its_recipient_is_kept_from_them(make_vault) -> None:
    """Words like "for X", "voor X" or "X's" name whom it is for, even in X's own note
    beside a colleague to plan it with; without them the rule of SPEC §6 holds."""
    sanne = (
        "---\nname: Sanne de Groot\n---\n## Follow-ups\n"
        "- [ ] Met [[Bob Vos]] de taart voor Sanne plannen #surprise\n"
        "- [ ] Ask [[Bob Vos]] about the gift #surprise\n"
    )
    vault = Vault(make_vault({"people/Sanne de Groot.md": sanne, "people/Bob Vos.md": BOB}))
    sannes = sheet_text(vault, ["sanne"])
    assert "taart" not in sannes
    assert "Ask Bob Vos about the gift" in sannes  # Bob's surprise, planned with Sanne
    bobs = sheet_text(vault, ["bob"])
    assert "gift" not in bobs


def test_config_private_keys_is_the_whole_list(make_vault) -> None:
    root = make_vault({"people/Ann Smit.md": ANN}, config='private_keys = ["interests"]\n')
    vault = Vault(root)
    shared = sheet_text(vault, ["ann"], share=True)
    assert "climbing" not in shared  # made private
    assert "Lego" in shared and "Zwanenmeer" in shared  # no longer private
    assert "Tom" in build_calendar(vault).data.decode("utf-8")


def test_search_finds_private_facts_and_marks_them(vault: Vault) -> None:
    for form, word in SECRETS.items():
        hits = search_vault(vault, word).hits
        assert hits and hits[0].private, form
    (public,) = search_vault(vault, "Utrecht").hits
    assert not public.private


def test_export_includes_every_private_fact_marked(vault: Vault) -> None:
    from vaultcrm.features.export import export_document

    result = export_document(vault, "ann", today=TODAY)
    lines = result.text.split("\n")
    for form, word in SECRETS.items():
        holding = [line for line in lines if word in line]
        assert holding, form
        assert all("🔒" in line for line in holding), (form, holding)


def test_nothing_leaves_the_machine(run, example_vault, monkeypatch) -> None:
    """Every command runs with the network cut off: no connection is even tried."""
    import socket

    tried: list[object] = []

    def refuse(*args, **kwargs):
        tried.append(args)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for args in (
        ("index",),
        ("search", "jazz"),
        ("prep", "henk"),
        ("prep", "sanne", "fatima", "--format", "html"),
        ("agenda",),
        ("people",),
        ("calendar",),
        ("export", "henk"),
        ("forget", "henk"),
        ("check",),
        ("network",),
        ("health",),
    ):
        result = run(example_vault, *args)
        assert result.exit_code == 0, (args, result.output)
    assert tried == []


def test_a_search_to_share_finds_no_private_fact(vault: Vault) -> None:
    """Not the word, nor a note found through it: 'Ann AND Ostende' would tell that
    Ann's note says Ostende even when the line shown is public."""
    for form, word in SECRETS.items():
        for query in (word, f"Ann AND {word}", f"studio AND {word}"):
            assert search_vault(vault, query, share=True).hits == (), f"{form}: {query}"
            assert search_vault(vault, query, people=True, share=True).hits == (), form
    (public,) = search_vault(vault, "Utrecht", share=True).hits
    assert public.path == "people/Ann Smit.md" and not public.private
    # a word said in public and in private: found, its public line shown
    (climbing,) = search_vault(vault, "climbing OR studio", share=True, limit=1).hits
    assert "%%" not in climbing.snippet


def test_a_search_to_share_still_gives_up_to_limit_hits(make_vault) -> None:
    notes = {f"notes/{i:02}.md": f"Quarterly plan {i}\n" for i in range(6)}
    notes.update({f"notes/p{i}.md": f"Quarterly plan #private {i}\n" for i in range(6)})
    vault = Vault(make_vault(notes))
    hits = search_vault(vault, "quarterly", limit=4, share=True).hits
    assert len(hits) == 4 and not any(h.path.startswith("notes/p") for h in hits)
    assert len(search_vault(vault, "quarterly", limit=4).hits) == 4


def test_people_and_agenda_to_share_leave_private_keys_and_dates_out(make_vault) -> None:
    from vaultcrm.features.agenda import build_agenda
    from vaultcrm.features.people import list_people

    carl = "---\nname: Carl Berg\nteam: Legal\nrole: Counsel\ncadence: 7d\nprivate: [team]\n---\n"
    vault = Vault(make_vault({"people/Ann Smit.md": ANN, "people/Carl Berg.md": carl}))
    owners = {r.name: r for r in list_people(vault, today=TODAY).rows}
    assert owners["Carl Berg"].team == "Legal"
    assert owners["Carl Berg"].to_dict()["team"] == "Legal" and "private_fields" not in (
        owners["Carl Berg"].to_dict()
    )
    shared = {r.name: r for r in list_people(vault, today=TODAY, share=True).rows}
    assert (shared["Carl Berg"].team, shared["Carl Berg"].role) == ("", "Counsel")
    assert list_people(vault, team="legal", today=TODAY, share=True).rows == ()
    assert len(list_people(vault, team="legal", today=TODAY).rows) == 1
    agenda = build_agenda(vault, 14, today=TODAY, share=True)
    text = repr(agenda.to_dict())
    assert not [word for word in SECRETS.values() if word in text]
    assert "Tom" not in text and "roadmap" in text  # a relative's birthday is family's
    assert "Tom" in repr(build_agenda(vault, 14, today=TODAY).to_dict())
