"""``export`` (SPEC §6, GDPR art. 15): every mention of a person, in every form, is in it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import EN, on

from vaultcrm.errors import NotFoundError
from vaultcrm.features.export import export_document, export_person
from vaultcrm.model.mentions import find_mentions
from vaultcrm.store.vault import Vault

TODAY = dt.date(2026, 12, 1)

ZOE = """\
---
name: Zoë de Wit
aliases: [Zoë, ZdW]
team: Studio
birthday: 1980-02-29
family:
  - {name: Mila, relation: daughter, birthday: 2015-06-01}
gift_ideas: [orchids]
---
Zoë runs the studio. %% Worried about her mother. %%

## Log
- 2026-11-20: Budget talk

## Follow-ups
- [ ] Send Zoë the plan 📅 2026-12-03
- [x] Book the room ✅ 2026-11-10
- [ ] Call about %% the lawyer %%
"""

# One planted mention per line, each in another form; the marker word says which.
OTHERS = {
    "people/Bob.md": (
        '---\nname: Bob\nmanager: "[[Zoë de Wit]]"\n---\n'
        "Reports to [[Zoë de Wit]] (linkplain).\n"
        "Lunch with [[Zoe de Wit|the boss]] (linklabel).\n"
        "See [[Zoë de Wit#Log]] (linkheading).\n"
        "![[Zoë de Wit]] (embed)\n"
        "Old link [[people/Zoë de Wit.md]] (linkpath).\n"
        "Asked zoë de wit about it (fullname).\n"
        "ZdW approved (alias).\n"
        "zoe said yes (folded).\n"
        "Henk Zoëtje is no one (notaword).\n"
        "- [ ] Ask [[Zoë de Wit]] about the budget (taskabout)\n"
        "- [ ] Flowers for Zoë's birthday #surprise (surprise)\n"
        "%% Zoë told me about her divorce (privatepassage) %%\n"
    ),
    "meetings/2026-11-12 Studio.md": (
        "---\ndate: 2026-11-12\ntype: meeting\nattendees: [Zoë de Wit, Bob]\n---\n"
        "Notes (attendee).\n- [ ] Everyone: read the brief (meetingtask)\n"
    ),
    "meetings/2026-11-19 1-1 Zoë.md": "---\ndate: 2026-11-19\n---\nQuarterly check-in.\n",
    "decisions/2026-11-15 New studio.md": (
        "---\ntype: decision\ndate: 2026-11-15\n---\nProposed by [[Zoë de Wit]] (decision).\n"
    ),
    "people/Zoë Jansen.md": "---\nname: Zoë Jansen\n---\nZoë Jansen works in sales.\n",
}


@pytest.fixture
def vault(make_vault) -> Vault:
    return Vault(make_vault({"people/Zoë de Wit.md": ZOE, **OTHERS}))


def test_every_form_of_mention_is_in_the_export(vault: Vault) -> None:
    export = export_person(vault, "zoe de wit", TODAY)
    where = {(p.path, p.text) for p in export.passages}
    bob = OTHERS["people/Bob.md"].split("\n")
    for marker in (
        "linkplain",
        "linklabel",
        "linkheading",
        "embed",
        "linkpath",
        "fullname",
        "alias",
        "folded",
        "taskabout",
        "surprise",
        "privatepassage",
    ):
        line = next(line for line in bob if f"({marker})" in line)
        assert ("people/Bob.md", line.strip()) in where, marker
    assert ("people/Bob.md", 'manager: "[[Zoë de Wit]]"') in where  # front-matter
    assert ("meetings/2026-11-12 Studio.md", "attendees: [Zoë de Wit, Bob]") in where
    assert ("decisions/2026-11-15 New studio.md", "Proposed by [[Zoë de Wit]] (decision).") in where
    assert not any("notaword" in text for _, text in where)
    assert not any(path == "people/Zoë Jansen.md" for path, _ in where)  # someone else
    assert export.file_names == ("meetings/2026-11-19 1-1 Zoë.md",)
    assert [d.title for d in export.decisions] == ["2026-11-15 New studio"]
    lines = {p.line for p in export.passages if p.path == "people/Bob.md"}
    assert all(isinstance(n, int) and n > 0 for n in lines)


def test_private_facts_are_included_and_marked(vault: Vault) -> None:
    export = export_person(vault, "zoe de wit", TODAY)
    private = {p.text for p in export.passages if p.private}
    assert private == {"%% Zoë told me about her divorce (privatepassage) %%"}
    lines = export.note_text.split("\n")
    marked = {lines[n - 1] for n in export.note_private}
    assert "Zoë runs the studio. %% Worried about her mother. %%" in marked
    assert "  - {name: Mila, relation: daughter, birthday: 2015-06-01}" in marked
    assert "gift_ideas: [orchids]" in marked
    assert "team: Studio" not in marked
    assert [(d.who, d.private) for d in export.dates] == [("Zoë de Wit", False), ("Mila", True)]
    assert [t.text for t in export.tasks if t.private] == ["Call about %% the lawyer %%"]


def test_follow_ups_open_done_and_planned_surprises(vault: Vault) -> None:
    export = export_person(vault, "zoe de wit", TODAY)
    tasks = {(t.text.split(" (")[0], t.done, t.surprise) for t in export.tasks}
    assert tasks == {
        ("Send Zoë the plan", False, False),
        ("Book the room", True, False),
        ("Call about %% the lawyer %%", False, False),
        ("Ask [[Zoë de Wit]] about the budget", False, False),
        ("Flowers for Zoë's birthday #surprise", False, True),
        ("Everyone: read the brief", False, False),  # a meeting's task: its attendees'
    }


def test_the_markdown_document(vault: Vault) -> None:
    text = export_document(vault, "zdw", today=TODAY).text
    assert text.startswith("# Everything this vault holds about Zoë de Wit\n")
    assert "   8 🔒 gift_ideas: [orchids]\n" in text  # their note, numbered, marked
    assert "  12    ## Log\n" in text
    assert (
        f"- [x] Book the room · done {EN.date(on('2026-11-10'))} · `people/Zoë de Wit.md:17`\n"
        in text
    )
    assert "- 🔒 `people/Bob.md:16`: %% Zoë told me about her divorce" in text
    assert "- `people/Bob.md:6`: Lunch with [[Zoe de Wit|the boss]] (linklabel).\n" in text
    assert "- 🔒 family: Mila (daughter, 2015-06-01)\n" in text  # the index's record


def test_json(vault: Vault, tmp_path) -> None:
    out = tmp_path / "zoe.json"
    export_document(vault, "zoe de wit", "json", out, today=TODAY)
    data = json.loads(out.read_text("utf-8"))
    assert data["name"] == "Zoë de Wit"
    assert data["note"]["path"] == "people/Zoë de Wit.md"
    assert data["note"]["private_keys"] == ["family", "gift_ideas"]
    mention = next(m for m in data["mentions"] if m["line"] == 16)
    assert mention == {
        "path": "people/Bob.md",
        "line": 16,
        "text": "%% Zoë told me about her divorce (privatepassage) %%",
        "private": True,
    }
    assert data["index"]["record"]["aliases"] == ["Zoë", "ZdW"]
    assert data["last_contact"] == "2026-11-20"


def test_an_unknown_name(vault: Vault) -> None:
    with pytest.raises(NotFoundError):
        export_person(vault, "nobody at all", TODAY)


def test_mentions_map_back_to_the_right_characters() -> None:
    line = "Straße: Zoë and ZOË met ﬁne [[Zoë|her]]"
    spans = find_mentions(line, ["Zoë"])
    assert [line[s.start : s.end] for s in spans] == ["Zoë", "ZOË", "[[Zoë|her]]"]


def test_an_initialism_is_matched_as_written() -> None:
    line = "AM said I am late; [[am]] links her; Amsterdam is a city"
    spans = find_mentions(line, ["Anna Mol", "AM"])
    assert [line[s.start : s.end] for s in spans] == ["AM", "[[am]]"]
