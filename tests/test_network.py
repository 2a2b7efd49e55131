"""The relationship network (issue 17): known bridges, an isolated person, known
introduction paths, the stakeholder grid, and outputs that Mermaid, Graphviz and a
browser accept.

The vault: team A (Ada, Abe, Amy and their manager Max) meet; Brigit (team A) is the
only one with a line to Bea (team B): her note links her. Bob (team B) alone shares a
meeting with Cora of Acme (a client), who introduced Dan. Iso has no line at all. Fresh
Fay and Old Otto (team C) each share meetings with both Ada and Bob: Fay's are recent,
Otto's older, so an introduction prefers Fay, unless it is asked for before Fay's
meetings happened.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from conftest import on, read_vault

from vaultcrm.features.network import (
    HALF_LIFE_DAYS,
    analyse_network,
    find_introductions,
    level_of,
    map_network,
    network_report,
    recency,
    stakeholder_grid,
)
from vaultcrm.features.network_views import mermaid_label, render_dot, render_mermaid
from vaultcrm.present.words import language
from vaultcrm.store.vault import Vault

EN = language("en")


def person(name: str, relation: str, team: str, extra: str = "", body: str = "") -> str:
    return f"---\nname: {name}\nrelation: {relation}\nteam: {team}\n{extra}---\n{body}"


def meeting(day: str, *people: str) -> str:
    attendees = ", ".join(f"'[[{p}]]'" for p in people)
    return f"---\ndate: {day}\ntype: meeting\nattendees: [{attendees}]\n---\nNotes.\n"


FILES = {
    "people/Max Manager.md": person(
        "Max Manager", "manager", "A", "cadence: 7d\ninfluence: high\ninterest: high\n"
    ),
    "people/Ada.md": person("Ada", "report", "A", 'manager: "[[Max Manager]]"\ncadence: 14d\n'),
    "people/Abe.md": person("Abe", "report", "A", 'manager: "[[Max Manager]]"\n'),
    "people/Amy.md": person("Amy", "report", "A", 'manager: "[[Max Manager]]"\n'),
    "people/Brigit.md": person(
        "Brigit",
        "report",
        "A",
        'manager: "[[Max Manager]]"\n',
        "Old friends with [[Bea]].\n",
    ),
    "people/Bea.md": person("Bea", "peer", "B", "influence: hoog\ninterest: low\n"),
    "people/Bob.md": person("Bob", "peer", "B", "influence: medium\ninterest: high\n"),
    "people/Cora.md": person(
        "Cora", "client", "Acme", "cadence: 1m\ninfluence: high\ninterest: medium\n"
    ),
    "people/Iso.md": person("Iso", "freelancer", "", "influence: low\ninterest: low\n"),
    "people/Fresh Fay.md": person("Fresh Fay", "peer", "C"),
    "people/Old Otto.md": person("Old Otto", "peer", "C"),
    "people/Dan.md": person(
        "Dan", "report", "A", 'introduced_by: "[[Cora]]"\n', "## Log\n- 2026-11-01: lunch\n"
    ),
    "meetings/2026-11-02 team A.md": meeting("2026-11-02", "Ada", "Abe", "Amy", "Brigit"),
    "meetings/2026-11-09 team A.md": meeting("2026-11-09", "Ada", "Abe", "Amy"),
    "meetings/2026-10-01 Acme.md": meeting("2026-10-01", "Bob", "Cora"),
    "meetings/2026-11-05 Fay.md": meeting("2026-11-05", "Fresh Fay", "Ada"),
    "meetings/2026-11-06 Fay.md": meeting("2026-11-06", "Fresh Fay", "Bob"),
    "meetings/2026-05-05 Otto.md": meeting("2026-05-05", "Old Otto", "Ada"),
    "meetings/2026-05-06 Otto.md": meeting("2026-05-06", "Old Otto", "Bob"),
    # A meeting long ago only: a line gone cold.
    "meetings/2020-01-01 ancient.md": meeting("2020-01-01", "Iso", "Max Manager"),
    # Not a meeting: a project page linking both is no shared meeting.
    "projects/P.md": "[[Iso]] and [[Bea]] are both on the list.\n",
}

TODAY = "2026-11-23"


@pytest.fixture
def vault(make_vault) -> Vault:
    return Vault(make_vault(FILES))


def names(net, paths) -> list[str]:
    return [net.name(p) for p in paths]


def test_the_bridge_has_the_highest_betweenness_and_what_breaks_without_her(vault) -> None:
    net = network_report(vault, on(TODAY))
    top = {b.name: b for b in net.bridges}
    brigit = top["Brigit"]
    assert brigit.teams == ("A", "B")
    # Without Brigit, Bea loses her only line; team B still has Bob, through Fay and Otto.
    assert brigit.cut_off == ("Bea",)
    assert brigit.teams_cut_off == ()
    # Bob holds the only line to Acme: without him Cora (and Dan, introduced by her)
    # lose every line, and Acme is cut off.
    bob = top["Bob"]
    assert bob.cut_off == ("Cora", "Dan")
    assert bob.teams_cut_off == ("Acme",)
    assert bob.sides == ("inside", "outside")


def test_betweenness_ranks_the_connectors(vault) -> None:
    m = map_network(*_parts(vault), on(TODAY))
    net = analyse_network(m)
    between = {b.name: b.betweenness for b in net.bridges}
    # Ada joins team A to Fay and Otto (so to Bob and Acme); Bob joins them to Acme.
    assert list(between)[:2] == ["Ada", "Bob"]
    assert between["Bob"] > between["Brigit"] > 0
    assert "Iso" not in between and "Abe" not in between


def _parts(vault: Vault):
    return read_vault(vault)


def test_an_isolated_person_and_a_cold_line(vault) -> None:
    net = network_report(vault, on(TODAY))
    assert net.isolated == ("Iso",)
    pairs = {(net.name(e.a), net.name(e.b)) for e in net.edges}
    assert ("Iso", "Max Manager") not in pairs  # 2020: gone cold
    assert ("Bea", "Iso") not in pairs  # a project page is not a meeting
    assert net.components == 2  # everyone else, and Iso


def test_ties_have_kinds_and_weights(vault) -> None:
    net = network_report(vault, on(TODAY))
    lines = {(net.name(e.a), net.name(e.b)): e for e in net.edges}
    assert lines[("Ada", "Max Manager")].kinds == ("manager",)
    assert lines[("Ada", "Max Manager")].reports_to == "people/Max Manager.md"
    assert lines[("Bea", "Brigit")].kinds == ("link",)
    assert lines[("Cora", "Dan")].kinds == ("introduced",)
    ada_abe = lines[("Abe", "Ada")]
    assert ada_abe.meetings == 2 and ada_abe.last == on("2026-11-09")
    expected = recency(on("2026-11-02"), on(TODAY)) + recency(on("2026-11-09"), on(TODAY))
    assert ada_abe.weight == pytest.approx(expected)


def test_recency_halves_every_half_life() -> None:
    today = on(TODAY)
    assert recency(today, today) == 1
    assert recency(on("2026-05-27"), today) == pytest.approx(0.5)  # 180 days
    assert HALF_LIFE_DAYS == 180
    assert recency(None, today) == 0.5


@pytest.mark.parametrize(
    ("today", "introducers"),
    [
        # Fay's meetings are this month: the fresh line first, Otto's older one second
        ("2026-11-23", [["Fresh Fay", "Bob"], ["Old Otto", "Bob"]]),
        # before Fay's meetings happened only Otto's line runs
        ("2026-10-15", [["Old Otto", "Bob"]]),
    ],
)
def test_who_can_introduce_prefers_fresh_lines(vault, today, introducers) -> None:
    net = network_report(vault, on(today), path=("Ada", "Cora"))
    assert [names(net, i.introducers) for i in net.introductions] == introducers
    best = net.introductions[0]
    assert names(net, best.people) == ["Ada", introducers[0][0], "Bob", "Cora"]
    assert best.cost < net.introductions[-1].cost or len(introducers) == 1


def test_no_path_to_the_isolated(vault) -> None:
    net = network_report(vault, on(TODAY), path=("Ada", "Iso"))
    assert net.introductions == ()


def test_a_path_between_the_same_person_is_a_usage_error(vault) -> None:
    from vaultcrm.errors import UsageError

    with pytest.raises(UsageError):
        network_report(vault, on(TODAY), path=("Ada", "ada"))


def test_a_neighbourhood(vault) -> None:
    net = network_report(vault, on(TODAY), name="Bob")
    assert [n.name for n in net.nodes] == ["Bob", "Cora", "Fresh Fay", "Old Otto"]
    deeper = network_report(vault, on(TODAY), name="Bob", depth=2)
    assert [n.name for n in deeper.nodes] == ["Ada", "Bob", "Cora", "Dan", "Fresh Fay", "Old Otto"]
    # Bob's own lines, strongest first: Fay (6 Nov), Cora (1 Oct), Otto (6 May)
    lines = net.lines_of("people/Bob.md")
    assert [net.name(e.other("people/Bob.md")) for e in lines] == ["Fresh Fay", "Cora", "Old Otto"]


def test_outside_parties_and_the_teams_without_a_line(vault) -> None:
    net = network_report(vault, on(TODAY))
    acme = next(p for p in net.parties if p.name == "Acme")
    assert acme.people == ("Cora",)
    assert acme.lines_from == ("A", "B")  # Bob (B) and Dan (A)
    assert acme.no_line_from == ("C",)  # Fay and Otto meet Bob, not Cora
    iso = next(p for p in net.parties if p.name == "Iso")
    assert iso.no_line_from == ("A", "B", "C")


def test_no_fresh_line(vault) -> None:
    net = network_report(vault, on(TODAY))
    # Max (7d) was last seen at the 2020 meeting, Cora (1m) on 1 Oct; Bea never (no
    # cadence), Iso in 2020 (no cadence, over a year); Ada (14d, 9 Nov) is due today.
    assert [s.name for s in net.stale] == ["Max Manager", "Cora", "Bea", "Iso", "Ada"]
    stale = {s.name: s for s in net.stale}
    assert stale["Max Manager"].overdue_days == (on(TODAY) - on("2020-01-08")).days
    assert stale["Cora"].overdue_days == 22 and stale["Cora"].via == "Bob"
    assert stale["Ada"].overdue_days == 0 and stale["Ada"].via == "Abe"  # strongest fresh line
    assert stale["Bea"].last_contact is None and stale["Bea"].via == "Brigit"


def test_stale_on_other_days(vault) -> None:
    early = {s.name: s for s in network_report(vault, on("2026-11-20")).stale}
    assert "Ada" not in early  # not due yet
    later = {s.name: s for s in network_report(vault, on("2026-12-10")).stale}
    assert later["Cora"].overdue_days == 39  # 1 Oct + 1m = 1 Nov
    assert later["Cora"].via == "Bob"  # no cadence, seen on 6 Nov: a fresh line


def test_the_stakeholder_grid(vault) -> None:
    grid = network_report(vault, on(TODAY)).grid
    assert [e.name for e in grid.manage_closely] == ["Max Manager"]
    assert [e.name for e in grid.keep_satisfied] == ["Cora", "Bea"]  # overdue first; hoog
    assert [e.name for e in grid.keep_informed] == ["Bob"]  # medium counts as low
    assert [e.name for e in grid.monitor] == ["Iso"]
    assert grid.unplaced == 7
    assert grid.keep_satisfied[0].overdue_days == 22 and grid.keep_satisfied[1].overdue_days is None


@pytest.mark.parametrize(
    ("value", "level"),
    [("High", "high"), ("hoog", "high"), ("M", "medium"), ("laag", "low"), ("huge", ""), (3, "")],
)
def test_levels(value, level) -> None:
    assert level_of(value) == level


def test_the_grid_sorts_most_overdue_first() -> None:
    from vaultcrm.features.network import Node

    def node(name, overdue):
        return Node(name, name, "", "", "", "", "", None, None, overdue, 0, "high", "high")

    grid = stakeholder_grid([node("a", None), node("b", 3), node("c", 0), node("d", 9)])
    assert [e.name for e in grid.manage_closely] == ["d", "b", "c", "a"]


def test_clusters_follow_the_teams(vault) -> None:
    net = network_report(vault, on(TODAY))
    members = [set(c.members) for c in net.clusters]
    assert any({"Ada", "Abe", "Amy"} <= m for m in members)
    assert all(not ({"Ada", "Cora"} <= m) for m in members)


def test_the_same_notes_give_the_same_network(vault) -> None:
    first = network_report(vault, on(TODAY)).to_dict()
    again = network_report(vault, on(TODAY)).to_dict()
    assert first == again
    json.dumps(first)


# ---------------------------------------------------------------- read from briefs


ATTENDING = {
    **FILES,
    # plain names and links, under the other keys an attendee list goes by
    "meetings/2026-11-10 mixed.md": "---\ndate: 2026-11-10\ntype: meeting\n"
    "participants: [Bea, '[[Bob]]']\ndeelnemers: Iso\n---\n[[Cora]] sent regrets.\n",
    "meetings/2026-11-11 nested.md": "---\ndate: 2026-11-11\ntype: meeting\n"
    "people: {lead: '[[Dan]]', others: [Amy, 7]}\n---\nWith [[Amy]], about [[Bea]].\n",
    # no attendee list: everyone it links was there
    "meetings/2026-11-12 linked.md": "---\ndate: 2026-11-12\n---\n[[Iso]] met [[Fresh Fay]].\n",
}


def test_the_network_read_from_briefs_is_the_network_read_from_notes(make_vault) -> None:
    # ``network`` reads the people's notes in full and every other note's brief
    # (``outline``); the map is the one that every note read in full gives, through the
    # index and through the engine that reads the files.
    from fake_engine import FakeEngine

    from vaultcrm.engine.reading import reading
    from vaultcrm.features.network import outline

    vault = Vault(make_vault(ATTENDING))
    notes, directory = read_vault(vault)
    whole = map_network(notes, directory, on(TODAY))
    with reading(vault) as index:
        read = outline(index)
        assert [n.path for n in read] == [n.path for n in notes]
        assert {type(n).__name__ for n in read} == {"Note", "Brief"}
        assert map_network(read, index.directory, on(TODAY)) == whole
    fake = FakeEngine(vault)
    assert map_network(outline(fake), fake.directory, on(TODAY)) == whole
    net = network_report(vault, on(TODAY))
    assert net.to_dict() == network_report(vault, on(TODAY), engine=fake).to_dict()
    lines = {frozenset(names(net, (e.a, e.b))): e.kinds for e in net.edges}
    assert "meeting" in lines[frozenset({"Bea", "Iso"})]  # both listed, one linked
    assert frozenset({"Bea", "Cora"}) not in lines  # Cora is linked, but not listed
    assert "meeting" in lines[frozenset({"Amy", "Dan"})]  # from a nested list
    assert frozenset({"Bea", "Dan"}) not in lines
    assert "meeting" in lines[frozenset({"Iso", "Fresh Fay"})]


def test_a_brief_keeps_who_attended_a_meeting() -> None:
    from vaultcrm.model.brief import brief_of
    from vaultcrm.model.notes import parse_note

    text = ATTENDING["meetings/2026-11-10 mixed.md"].encode()
    meeting = parse_note("meetings/2026-11-10 mixed.md", text)
    assert meeting.attending == ("Bea", "Bob", "Iso")
    assert brief_of(meeting).attending == meeting.attending
    page = parse_note("projects/P.md", b"---\nattendees: [Bea]\n---\n")
    assert page.attending == ("Bea",)
    assert brief_of(page).attending == ()  # only a meeting's list is read from a brief


# ---------------------------------------------------------------- Mermaid and DOT

TRICKY = 'Jo "JJ" [x] #1 <b>;'


@pytest.fixture
def tricky(make_vault) -> Vault:
    files = {
        "people/Jo.md": f"---\nname: '{TRICKY}'\nrelation: report\nteam: 'T \"1\"'\n---\n",
        "people/Zed.md": person("Zed", "", "", "", "[[Jo]]\n"),
    }
    return Vault(make_vault(files))


_MERMAID_NODE = re.compile(r'^\s+(n\d+)\["([^"]*)"\]$')
_MERMAID_EDGE = re.compile(r"^\s+(n\d+) (-->|---|===|-\.-) (n\d+)$")


def check_mermaid(text: str) -> None:
    """The subset of Mermaid's flowchart grammar vaultcrm writes, checked line by line."""
    lines = text.splitlines()
    assert lines[0] == "```mermaid" and lines[1] == "graph LR" and lines[-1] == "```"
    declared: set[str] = set()
    depth = 0
    for line in lines[2:-1]:
        if m := re.match(r'^  subgraph t\d+\["([^"]*)"\]$', line):
            depth += 1
        elif line == "  end":
            depth -= 1
        elif m := _MERMAID_NODE.match(line):
            assert m[1] not in declared
            declared.add(m[1])
        elif m := _MERMAID_EDGE.match(line):
            assert {m[1], m[3]} <= declared
        elif m := re.match(r"^  classDef \w+ fill:#[0-9a-f]{6},stroke:#333,color:#000$", line):
            pass
        elif m := re.match(r"^  class ((?:n\d+,)*n\d+) \w+$", line):
            assert set(m[1].split(",")) <= declared
        elif line.startswith("  %% "):
            pass  # a comment
        else:
            raise AssertionError(f"not valid here: {line!r}")
        assert depth in (0, 1)
    assert depth == 0


def test_mermaid_is_valid_and_escapes_labels(tricky) -> None:
    text = render_mermaid(network_report(tricky, on(TODAY)))
    check_mermaid(text)
    assert "#34;JJ#34; #91;x#93; #35;1 #60;b#62;#59;" in text
    assert mermaid_label("Zoë") == "Zoë"


def test_mermaid_of_the_example_vault(example_vault) -> None:
    check_mermaid(render_mermaid(network_report(Vault(example_vault), on(TODAY))))


def test_dot_escapes_and_parses(tricky, tmp_path) -> None:
    text = render_dot(network_report(tricky, on(TODAY)))
    assert 'label="Jo \\"JJ\\" [x] #1 <b>;"' in text
    assert text.count("{") == text.count("}")
    dot = shutil.which("dot")
    if dot is None:
        pytest.skip("Graphviz 'dot' is not installed; the text checks above ran")
    done = subprocess.run([dot, "-Tsvg"], input=text, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout


def test_a_direct_line_needs_no_introducer(vault) -> None:
    m = map_network(*_parts(vault), on(TODAY))
    found = find_introductions(m, "people/Bob.md", "people/Cora.md")
    assert found[0].people == ("people/Bob.md", "people/Cora.md")
    assert found[0].introducers == ()


def test_mermaid_keeps_the_500_strongest_lines() -> None:
    """Mermaid (and so Obsidian) refuses a graph of more than 500 edges."""
    import datetime as dt

    from vaultcrm.features.network import Edge, Network, Node, Tie

    nodes = tuple(
        Node(f"P{i:03d}", f"p{i:03d}", "peer", "inside", "", "", "", None, None, None, 0)
        for i in range(40)
    )
    edges = tuple(
        Edge(f"p{i:03d}", f"p{j:03d}", (Tie("meeting", 0.2 + (i * 40 + j) / 2000, 1),))
        for i in range(40)
        for j in range(i + 1, 40)
    )  # 780 lines
    net = Network(dt.date(2026, 11, 23), nodes, edges, 40, 780, 1)
    text = render_mermaid(net)
    check_mermaid(text)
    drawn = [line for line in text.splitlines() if re.match(_MERMAID_EDGE, line)]
    assert len(drawn) == 500
    assert "  %% 280 weaker lines left out: Mermaid draws at most 500\n" in text
    assert "  n39 --- n40\n" in text  # the strongest is drawn
    assert "  n1 -.- n2\n" not in text  # the weakest is left out
