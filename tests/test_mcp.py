"""The assistant server (``vaultcrm mcp``), as an MCP client sees it.

Each server is a real ``python -m vaultcrm mcp`` process on a copy of the example vault,
talked to over stdio with the SDK's own client, as Claude Desktop or VS Code would. A
server per flag combination serves the whole module (started once, not per test); the
tests are plain functions that call it through a blocking portal.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXAMPLE_VAULT, REPO, TODAY

pytest.importorskip("mcp", reason="the 'mcp' extra is not installed")

from anyio.from_thread import BlockingPortal, start_blocking_portal  # noqa: E402
from mcp import Client, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402
from mcp.shared.exceptions import MCPError  # noqa: E402

TOOLS = {"search", "person", "prep", "agenda", "people", "log"}
# Facts the example vault writes only where they are private (SPEC §6): in a key of
# config's private_keys (family, gift_ideas), under '## Privé', in a %% comment, and
# (added below) in a key the note's own private: list names.
PRIVATE = (
    "jazz-concertkaartjes",
    "Ottolenghi",
    "Overvecht",
    "Rugklachten",
    "niet te oud",
    "Freelance DevOps",
)


class Server:
    """One ``vaultcrm mcp`` process and an SDK client connected to it over stdio."""

    def __init__(self, portal: BlockingPortal, client: Client, vault: Path, errlog: Path):
        self.portal, self.client, self.vault, self.errlog = portal, client, vault, errlog

    def call(self, tool: str, **arguments):
        return self.portal.call(self.client.call_tool, tool, arguments)

    def data(self, tool: str, **arguments):
        """The structured answer of a call that must succeed."""
        result = self.call(tool, **arguments)
        assert not result.is_error, result.content[0].text
        return result.structured_content

    def text(self, tool: str, **arguments) -> str:
        result = self.call(tool, **arguments)
        assert not result.is_error, result.content[0].text
        return result.content[0].text

    def error(self, tool: str, **arguments) -> str:
        """The message of a call that must fail."""
        result = self.call(tool, **arguments)
        assert result.is_error, f"{tool} {arguments} did not fail"
        assert len(result.content) == 1
        return result.content[0].text

    def read(self, uri: str) -> str:
        return self.portal.call(self.client.read_resource, uri).contents[0].text


@contextlib.contextmanager
def serving(vault: Path, *flags: str, mode: str = "legacy") -> Iterator[Server]:
    """``python -m vaultcrm --vault VAULT mcp FLAGS`` with the SDK's stdio client;
    its stderr goes to a file beside the vault."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "vaultcrm", "--vault", str(vault), "mcp", *flags],
        env={
            "VAULTCRM_TODAY": TODAY,
            "NO_COLOR": "1",
            "XDG_CACHE_HOME": str(vault.parent / "cache"),
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        cwd=REPO,  # python -m finds this checkout's vaultcrm, as the in-process tests do
    )
    errlog = vault.parent / f"stderr{'-'.join(('', *flags))}.txt"
    with errlog.open("w", encoding="utf-8") as err, start_blocking_portal() as portal:
        transport = stdio_client(params, errlog=err)
        client = Client(transport, mode=mode, read_timeout_seconds=90)
        with portal.wrap_async_context_manager(client):
            yield Server(portal, client, vault, errlog)


def _copy(tmp: Path) -> Path:
    vault = tmp / "vault"
    shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns("index", "locks", "*.lock"))
    # Bram's role is private by his note's own list (SPEC §6): people and person hide it.
    bram = vault / "people" / "Bram Mulder.md"
    bram.write_text(
        bram.read_text("utf-8").replace("---\n", "---\nprivate: [role]\n", 1), encoding="utf-8"
    )
    return vault


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The default server: reads only, private facts left out."""
    with serving(_copy(tmp_path_factory.mktemp("shared"))) as server:
        yield server


@pytest.fixture(scope="module")
def owner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """--allow-private, over the modern protocol (server/discover), not the handshake."""
    with serving(_copy(tmp_path_factory.mktemp("owner")), "--allow-private", mode="auto") as s:
        yield s


@pytest.fixture(scope="module")
def writer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """--allow-writes, on a vault of its own."""
    with serving(_copy(tmp_path_factory.mktemp("writer")), "--allow-writes") as server:
        yield server


def cli_json(run, vault: Path, *args: str):
    result = run(vault, *args, "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


# ---------------------------------------------------------------- what it offers


def test_it_lists_its_tools_with_schemas_and_the_sheet_resource(shared: Server) -> None:
    tools = {t.name: t for t in shared.portal.call(shared.client.list_tools).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and tool.input_schema["type"] == "object"
        assert tool.output_schema is not None, f"{tool.name} has no structured output"
        assert tool.annotations.read_only_hint is (tool.name != "log")
    assert tools["search"].input_schema["required"] == ["query"]
    assert set(tools["search"].input_schema["properties"]) == {"query", "limit", "people"}
    assert set(tools["log"].input_schema["properties"]) == {"name", "text", "date", "follow_up"}
    templates = shared.portal.call(shared.client.list_resource_templates).resource_templates
    assert [t.uri_template for t in templates] == ["vaultcrm://sheet/{name}"]


# ---------------------------------------------------------------- each tool


def test_search_answers_as_the_cli_does(shared: Server, run) -> None:
    hits = shared.data("search", query="jazz")["hits"]
    assert hits == cli_json(run, shared.vault, "search", "jazz")["hits"]
    assert any(h["path"] == "people/Henk de Vries.md" and h["line"] == 16 for h in hits)
    people = shared.data("search", query="tentamen", people=True, limit=2)["hits"]
    assert people and len(people) <= 2 and all(h["kind"] == "person" for h in people)


def test_a_search_without_hits_is_an_empty_answer_not_an_error(shared: Server) -> None:
    assert shared.data("search", query="kumquat") == {"query": "kumquat", "hits": []}


def test_a_bad_query_is_the_clis_one_line_message(shared: Server, run) -> None:
    message = shared.error("search", query='"open')
    cli = run(shared.vault, "search", '"open')
    assert cli.exit_code == 2
    assert message == cli.stderr.strip().splitlines()[-1]
    assert message.startswith("vaultcrm: a quote is not closed")
    assert "limit" in shared.error("search", query="jazz", limit=0)  # the schema says ≥ 1


def test_person_has_facts_last_contact_due_and_follow_ups(shared: Server) -> None:
    henk = shared.data("person", name="henk")
    assert (henk["name"], henk["role"], henk["team"]) == (
        "Henk de Vries",
        "Senior Support Engineer",
        "Klantenservice",
    )
    assert henk["cadence"] == "14d" and henk["last_contact"] == "2026-11-18"
    assert henk["days_since"] == 5 and henk["due"] == "2026-12-02"
    raised = [f["text"] for f in henk["to_raise"]]
    assert any("Leiderschapstraining" in text for text in raised)
    assert all(not f["surprise"] or henk["path"] not in f["secret_from"] for f in henk["to_raise"])
    assert "link" not in henk and "private_fields" not in henk


def test_a_surprise_is_kept_from_the_person_it_is_for(shared: Server, run) -> None:
    fatima = shared.data("person", name="Fatima")
    assert fatima["to_raise"], "Fatima has open follow-ups"
    assert not any("lunch" in f["text"] for f in fatima["to_raise"])
    owners = run(shared.vault, "agenda", "--days", "7").stdout
    assert "Organise lunch and a card for Fatima" in owners  # it exists, on your agenda
    anouk = shared.data("person", name="Anouk")  # planned with Anouk: on her list
    assert any("voucher for Fatima" in f["text"] for f in anouk["to_raise"])


def test_prep_through_the_server_is_the_clis_sheet(shared: Server, owner: Server, run) -> None:
    assert owner.text("prep", names=["Henk"]) == run(owner.vault, "prep", "Henk").stdout
    shared_sheet = shared.text("prep", names=["Henk"])
    assert shared_sheet == run(shared.vault, "prep", "Henk", "--share").stdout
    group = shared.text("prep", names=["Henk", "Fatima"])
    assert group == run(shared.vault, "prep", "Henk", "Fatima").stdout
    assert shared.data("prep", names=["Henk"]) == {"result": shared_sheet}


def test_the_sheet_is_a_resource_by_uri(shared: Server) -> None:
    sheet = shared.read("vaultcrm://sheet/Henk%20de%20Vries")
    assert sheet == shared.text("prep", names=["Henk"])
    with pytest.raises(MCPError, match=r"^No person called 'Nobody'\."):
        shared.read("vaultcrm://sheet/Nobody")


def test_agenda_answers_as_the_cli_does(owner: Server, run) -> None:
    assert owner.data("agenda", days=14) == cli_json(run, owner.vault, "agenda", "--days", "14")
    assert owner.data("agenda")["days"] == 14
    by_health = cli_json(run, owner.vault, "agenda", "--by", "health")
    assert owner.data("agenda", by="health") == by_health
    assert all("health" in row for row in by_health["due"])
    assert "days" in owner.error("agenda", days=-1)


def test_people_answers_as_the_cli_does(owner: Server, run) -> None:
    rows = owner.data("people", relation="report")["people"]
    assert rows == cli_json(run, owner.vault, "people", "--relation", "report")
    assert {r["relation"] for r in rows} == {"report"}
    assert owner.data("people", team="nobody's team") == {"people": []}


def test_an_unknown_or_ambiguous_name_is_the_clis_message(shared: Server, run) -> None:
    message = shared.error("person", name="Nobody")
    cli = run(shared.vault, "prep", "Nobody")
    assert (cli.exit_code, message) == (1, cli.stderr.strip())
    assert message.startswith("No person called 'Nobody'. Did you mean:")
    assert shared.error("prep", names=["Henk", "Nobody"]) == message
    ambiguous = shared.error("person", name="jansen")
    assert ambiguous == (
        "'jansen' matches several people; say which: Dominique Jansen "
        "(people/Dominique Jansen.md), Noor Jansen (people/Noor Jansen.md)"
    )
    assert shared.error("log", name="Nobody", text="hi") != message  # refused before looking


# ---------------------------------------------------------------- privacy


def test_private_facts_stay_out_unless_allowed(shared: Server, owner: Server) -> None:
    answers = {
        "person Henk": ("person", {"name": "Henk"}),
        "person Fatima": ("person", {"name": "Fatima"}),
        "person Bram": ("person", {"name": "Bram"}),
        "prep Henk": ("prep", {"names": ["Henk"]}),
        "prep Fatima": ("prep", {"names": ["Fatima"]}),
        "agenda": ("agenda", {"days": 30}),
        "people": ("people", {}),
        "search": (
            "search",
            {"query": "rugklachten OR concertkaartjes OR ottolenghi OR overvecht OR freelance"},
        ),
    }
    for what, (tool, arguments) in answers.items():
        text = shared.text(tool, **arguments)
        assert not [p for p in PRIVATE if p in text], f"{what} lets a private fact out"
    henk = shared.data("person", name="Henk")
    assert (henk["family"], henk["gift_ideas"]) == ([], [])
    assert shared.data("person", name="Bram")["role"] == ""
    assert not [d for d in shared.data("agenda", days=30)["dates"] if d["private"]]
    # allowed: there, as on the owner's own sheet, marked
    assert "🔒 Gift ideas: jazz-concertkaartjes" in owner.text("prep", names=["Henk"])
    assert owner.data("person", name="Henk")["family"][0]["name"] == "Lisa"
    assert owner.data("person", name="Bram")["role"] == "Freelance DevOps-consultant"
    dates = owner.data("agenda", days=30)["dates"]
    assert any(d["who"] == "Yusuf" and d["private"] for d in dates)
    hits = owner.data("search", query="rugklachten")["hits"]
    assert [(h["path"], h["private"]) for h in hits] == [("people/Henk de Vries.md", True)]


def test_a_search_does_not_tell_what_a_private_line_matched(shared: Server, run) -> None:
    """Henk's note matches 'Henk AND rugklachten' only through its private section: the
    owner's search shows a public line of it; the server leaves the note out."""
    query = "Henk AND rugklachten"
    assert [h["path"] for h in cli_json(run, shared.vault, "search", query)["hits"]] == [
        "people/Henk de Vries.md"
    ]
    assert shared.data("search", query=query)["hits"] == []
    assert shared.data("search", query=query, people=True)["hits"] == []
    kept = shared.data("search", query="henk", limit=3)["hits"]
    assert len(kept) == 3  # still up to the limit, the private ones skipped


# ---------------------------------------------------------------- writes


def test_log_is_refused_unless_writes_are_allowed(shared: Server) -> None:
    note = shared.vault / "people" / "Henk de Vries.md"
    before = note.read_bytes()
    message = shared.error("log", name="Henk", text="Coffee by the window")
    assert message.startswith("vaultcrm: this server only reads the vault")
    assert "vaultcrm mcp --allow-writes" in message
    assert note.read_bytes() == before


def test_log_writes_one_line_when_allowed(writer: Server) -> None:
    note = writer.vault / "people" / "Henk de Vries.md"
    before = note.read_text("utf-8")
    logged = writer.data("log", name="Henk", text="Coffee by the window", date="yesterday")
    assert logged == {
        "name": "Henk de Vries",
        "path": "people/Henk de Vries.md",
        "line": 37,
        "entry": "- 2026-11-22: Coffee by the window",
        "follow_up": False,
    }
    after = note.read_text("utf-8")
    assert after.splitlines()[36] == logged["entry"]
    assert after.replace(logged["entry"] + "\n", "", 1) == before  # nothing else changed
    assert writer.data("person", name="Henk")["last_contact"] == "2026-11-22"
    task = writer.data(
        "log", name="Henk", text="Send the roster", date="2026-12-01", follow_up=True
    )
    assert task["entry"].endswith("- [ ] Send the roster 📅 2026-12-01")
    assert any(
        f["text"] == "Send the roster" for f in writer.data("person", name="Henk")["to_raise"]
    )
    future = writer.error("log", name="Henk", text="Lunch", date="tomorrow")
    assert future.startswith("vaultcrm: 2026-11-24 is in the future")


# ---------------------------------------------------------------- the process


def test_nothing_of_the_notes_is_logged(shared: Server) -> None:
    """Run last in this module's order: by now the server has answered and failed many
    calls; its stderr holds nothing of them."""
    shared.error("person", name="Nobody")  # its message suggests a name from the vault
    logged = shared.errlog.read_text("utf-8")
    assert not [word for word in ("Noor", "Henk", "jazz", "Rugklachten") if word in logged], logged


def test_stdout_carries_only_protocol_messages(tmp_path: Path) -> None:
    """A raw client: every line the server writes is a JSON-RPC message, including while
    it builds the index (the sync's notice must not reach stdout), and it exits when
    stdin closes."""
    vault = _copy(tmp_path)
    requests = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "test", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "search", "arguments": {"query": "jazz"}},
        },
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "person", "arguments": {"name": "Nobody"}},
        },
    ]
    env = {**os.environ, "VAULTCRM_TODAY": TODAY, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    server = subprocess.Popen(
        [sys.executable, "-m", "vaultcrm", "--vault", str(vault), "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    lines: list[str] = []
    try:
        for request in requests:
            server.stdin.write(json.dumps(request) + "\n")
            server.stdin.flush()
            if "id" in request:  # read up to its answer
                while not lines or json.loads(lines[-1]).get("id") != request["id"]:
                    lines.append(server.stdout.readline())
                    assert lines[-1], f"the server stopped: {server.stderr.read()}"
        server.stdin.close()  # the client leaves: the server ends
        lines += server.stdout.readlines()
        assert server.wait(timeout=60) == 0
    finally:
        server.kill()
    messages = [json.loads(line) for line in lines]  # every line is JSON …
    assert all(m["jsonrpc"] == "2.0" for m in messages)  # … and JSON-RPC
    answers = {m["id"]: m for m in messages if "id" in m}
    assert set(answers) == {1, 2, 3}
    assert answers[2]["result"]["structuredContent"]["hits"]
    assert answers[3]["result"]["isError"] is True
    assert "Traceback" not in server.stderr.read()


# ---------------------------------------------------------------- the command


def test_without_the_extra_the_command_says_how_to_install_it(
    run, example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in sys.modules if n.split(".")[0] in ("mcp", "mcp_types")]:
        monkeypatch.setitem(sys.modules, name, None)  # importing it fails, as if not installed
    monkeypatch.setitem(sys.modules, "mcp", None)
    monkeypatch.delitem(sys.modules, "vaultcrm.mcp_server", raising=False)
    result = run(example_vault, "mcp")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "vaultcrm: the MCP server needs the optional extra 'mcp': "
        "pip install 'vaultcrm[mcp]' (in a clone: pip install '.[mcp]')"
    ]
    assert result.stdout == ""


def test_without_a_vault_the_command_fails_before_serving(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(None, "mcp")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("vaultcrm: ")


def test_an_unforeseen_error_is_one_line_without_the_notes_words(
    example_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-process: a tool whose library call crashes answers with the error's type and
    where its traceback was written, not its message (which may quote a note)."""
    import anyio

    from vaultcrm import mcp_server
    from vaultcrm.store.vault import Vault

    def crash(*args, **kwargs):
        raise RuntimeError("Henk's back pain")

    monkeypatch.setattr(mcp_server, "list_people", crash)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    server = mcp_server.build_server(Vault(example_vault))

    async def call():
        async with Client(server) as client:
            return await client.call_tool("people", {})

    result = anyio.run(call)
    assert result.is_error
    (line,) = result.content[0].text.splitlines()
    assert line.startswith("vaultcrm: unexpected error (RuntimeError); details in ")
    assert "back pain" not in line
    report = Path(line.rsplit(" ", 1)[-1])
    assert report.is_relative_to(tmp_path / "cache") and "back pain" in report.read_text()
