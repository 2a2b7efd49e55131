"""The assistant server: vaultcrm over the Model Context Protocol (``vaultcrm mcp``).

An adapter, like ``cli.py``: each tool takes its JSON arguments, calls one library
function and returns what that returns, as the JSON the CLI's ``--json`` prints where
there is one. No rule of vaultcrm lives here. ``cli.py`` starts it with the vault and a
clock; it needs the optional extra ``mcp`` (the official Python SDK, 2.x), which only
this module imports.

What an assistant gets (README, "Use it from an AI assistant"):

- **Privacy** (SPEC §6): unless started with ``allow_private``, every answer is what
  others may see: ``prep --share``'s sheet, search without the hits that matched a
  private fact, the person, people and agenda through ``privacy.for_others``. With it,
  the owner's own view, private facts marked 🔒 as the CLI shows them.
- **Writes**: ``log`` writes only when started with ``allow_writes``; otherwise it is
  refused with a message saying how to allow it.
- **One vault**: the one it was started on. No tool takes a path, a template or an
  output file, so nothing outside the vault is read or written.
- **Errors**: a vaultcrm error is a tool error (``isError``) carrying the one-line
  message the CLI prints (``errors.error_line``); for a resource, an MCP error. An
  unforeseen one says only its type and where its traceback was written.
- **Quiet**: stdout carries the protocol alone (the SDK points file descriptor 1 at
  stderr while it serves); nothing of the notes is logged, and the SDK logs only
  warnings, to stderr.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import threading
from collections.abc import Callable
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR, INVALID_PARAMS, CallToolResult, TextContent, ToolAnnotations
from pydantic import Field
from typing_extensions import TypedDict  # pydantic reads typing's only from Python 3.12

from .errors import (
    NotFoundError,
    UsageError,
    VaultcrmError,
    error_line,
    installed_version,
    unexpected_line,
)
from .features.agenda import DEFAULT_DAYS, build_agenda
from .features.journal import log_contact
from .features.people import list_people
from .features.prep import prepare, read_sheet, shown
from .features.search import search_vault
from .model.dates import parse_user_date
from .store.vault import Vault

SHEET_URI = "vaultcrm://sheet/{name}"
MAX_LIMIT = 100  # hits an assistant may ask for at once
MAX_DAYS = 3660  # as `agenda --days`

_READS = ToolAnnotations(read_only_hint=True, open_world_hint=False)
_WRITES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
)
_INSTRUCTIONS = """\
vaultcrm answers about the people the user works with, from their own notes: what to \
bring up with someone (prep), who they are and what is open with them (person), who is \
due for contact and what is coming up (agenda), who is in the vault (people) and where \
something was written (search). A person is named by name, alias or file name, any \
case or accents; a unique start of a name is enough. Answers follow vaultcrm's rules \
for cadence, follow-ups and private facts: prefer them to guessing from raw notes."""


# ---------------------------------------------------------------- output shapes


# The top of each answer is typed; its rows are the library's own JSON (``to_dict``, as
# the CLI's --json prints them), described in each tool's docstring rather than
# written out again here, so a field the library adds reaches the assistant as is.
Rows = list[dict[str, Any]]


class SearchOutput(TypedDict):
    query: str
    hits: Rows


class PeopleOutput(TypedDict):
    people: Rows


class AgendaOutput(TypedDict):
    today: str
    days: int
    due: Rows
    dates: Rows
    follow_ups: Rows
    meetings: Rows  # coming meetings from the calendars in config.toml


class LogOutput(TypedDict):
    name: str
    path: str
    line: int
    entry: str
    follow_up: bool


# ---------------------------------------------------------------- the server


def build_server(
    vault: Vault,
    clock: Callable[[], dt.date] = dt.date.today,
    allow_writes: bool = False,
    allow_private: bool = False,
) -> MCPServer:
    """The server over ``vault``; ``clock`` is asked for today at each call (a server
    runs past midnight; ``VAULTCRM_TODAY`` fixes it, as for every command)."""
    share = not allow_private
    lock = threading.Lock()  # one call at a time: the SDK runs each in a worker thread
    server = MCPServer(
        "vaultcrm",
        title="vaultcrm",
        description="People, cadence, follow-ups and meeting prep from a plain-text vault",
        instructions=_INSTRUCTIONS,
        version=installed_version(),
        log_level="WARNING",  # its INFO lines quote failed calls: names asked, names suggested
    )

    def tool(annotations: ToolAnnotations) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register ``fn`` as a tool that runs alone and answers a vaultcrm error with
        its one-line message (``isError``), never a traceback."""

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(fn)
            def run(**arguments: Any) -> Any:
                with lock:
                    try:
                        return fn(**arguments)
                    except VaultcrmError as exc:
                        return _tool_error(error_line(exc))
                    except Exception as exc:  # noqa: BLE001 - the last resort, as in cli.py
                        return _tool_error(unexpected_line(exc, vault.root, detail=False))

            server.add_tool(run, annotations=annotations)
            return fn

        return register

    @tool(_READS)
    def search(
        query: Annotated[
            str,
            Field(
                description='Words, "phrases", AND OR NOT, wild*cards, and fields such as '
                "team:klantenservice, tag:mentor or relation:freelancer. Stemmed and "
                "accent-insensitive."
            ),
        ],
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Most hits.")] = 10,
        people: Annotated[
            bool, Field(description="Fold hits on notes into the people they mention.")
        ] = False,
    ) -> SearchOutput:
        """Full-text search of the notes, best first. Each hit: title, path, line (of the
        best matching line), kind (person, meeting, decision, note …), score, snippet (that
        line), highlights ([start, end] in the snippet), via (with people: the note that
        mentioned them) and private. No hits is an empty list, not an error."""
        result = search_vault(vault, query, limit=limit, people=people, share=share)
        return {"query": query, "hits": [hit.to_dict() for hit in result.hits]}

    @tool(_READS)
    def person(name: Annotated[str, Field(description=_NAME)]) -> dict[str, Any]:
        """One person: their facts (role, team, relation, manager, email, where you met,
        cadence, family, interests, gift ideas, growth wishes), last_contact, days_since,
        due and overdue_days, the open follow-ups to raise with them (to_raise), dates in
        the next 30 days, wins, the recent log, the notes that mention them and decisions
        to explain to them. Dates are YYYY-MM-DD."""
        sheet, _ = read_sheet(vault, [name], clock())
        return _plain(shown(sheet, share).person)

    @tool(_READS)
    def prep(
        names: Annotated[
            list[str],
            Field(min_length=1, max_length=50, description="One name, or several for a group."),
        ],
    ) -> str:
        """The meeting-prep sheet in Markdown, exactly as `vaultcrm prep` writes it: what
        to raise, whom and what to ask about, growth, wins, the recent log, mentions and
        decisions to explain. Several names: one sheet for a group meeting."""
        return prepare(vault, names, today=clock(), share=share).text

    @tool(_READS)
    def agenda(
        days: Annotated[
            int, Field(ge=0, le=MAX_DAYS, description="How many days ahead to look.")
        ] = DEFAULT_DAYS,
        by: Annotated[
            Literal["due", "health"],
            Field(description="Order due people most overdue first, or weakest health first."),
        ] = "due",
    ) -> AgendaOutput:
        """What needs time in the next days: due (people due for contact by their
        cadence, most overdue first; with by="health", weakest relationship first and
        each one's health score 0-100), dates (birthdays, work anniversaries and relatives'
        birthdays, with days_until and years), follow_ups (open tasks due by then or
        scheduled to start, with the people they are about) and meetings (coming
        meetings with people of the vault, from the calendars in config.toml). Dates
        are YYYY-MM-DD."""
        return build_agenda(vault, days, today=clock(), share=share, by=by).to_dict()

    @tool(_READS)
    def people(
        team: Annotated[str | None, Field(description="Only this team.")] = None,
        relation: Annotated[
            str | None,
            Field(description="Only this relation: report, peer, manager, client, freelancer, …"),
        ] = None,
    ) -> PeopleOutput:
        """The people in the vault, by name. Each: name, path, role, team, relation,
        cadence, last_contact, days_since, due (next contact by cadence),
        overdue_days (null when not due) and last_contact_source ("calendar" when only
        a calendar meeting says so)."""
        rows = list_people(vault, team=team, relation=relation, today=clock(), share=share)
        return {"people": [row.to_dict() for row in rows.rows]}

    @tool(_WRITES)
    def log(
        name: Annotated[str, Field(description=_NAME)],
        text: Annotated[str, Field(description="What happened, or with follow_up what to do.")],
        date: Annotated[
            str | None,
            Field(
                description="YYYY-MM-DD, today, yesterday or -3d (default today); with "
                "follow_up, the due date."
            ),
        ] = None,
        follow_up: Annotated[
            bool, Field(description="Add an open task instead of a Log entry.")
        ] = False,
    ) -> LogOutput:
        """Write one dated line into the person's Log (a contact that happened), or with
        follow_up an open task. Only that line is added to their note. Refused unless
        the server was started with --allow-writes."""
        if not allow_writes:
            raise UsageError(
                "this server only reads the vault: start it with "
                "'vaultcrm mcp --allow-writes' to let an assistant log contacts"
            )
        today = clock()
        when = parse_user_date(date, today) if date is not None else None
        done = log_contact(vault, name, text, when=when, follow_up=follow_up, today=today)
        return {
            "name": done.name,
            "path": done.path,
            "line": done.line,
            "entry": done.entry,
            "follow_up": done.follow_up,
        }

    @server.resource(
        SHEET_URI,
        name="sheet",
        title="Meeting-prep sheet",
        description="A person's meeting-prep sheet in Markdown, as the prep tool gives it.",
        mime_type="text/markdown",
    )
    def sheet(name: str) -> str:
        with lock:
            try:
                return prepare(vault, [name], today=clock(), share=share).text
            except VaultcrmError as exc:
                code = (
                    INVALID_PARAMS
                    if isinstance(exc, NotFoundError | UsageError)
                    else INTERNAL_ERROR
                )
                raise MCPError(code=code, message=error_line(exc)) from None
            except Exception as exc:  # noqa: BLE001 - the last resort, as in cli.py
                message = unexpected_line(exc, vault.root, detail=False)
                raise MCPError(code=INTERNAL_ERROR, message=message) from None

    return server


def serve(
    vault: Vault,
    clock: Callable[[], dt.date] = dt.date.today,
    allow_writes: bool = False,
    allow_private: bool = False,
) -> None:
    """Serve ``vault`` over stdin and stdout until the client closes stdin."""
    build_server(vault, clock, allow_writes, allow_private).run("stdio")


_NAME = "Name, alias or file name; any case or accents; a unique start is enough."


def _tool_error(message: str) -> CallToolResult:
    """A failed call as the model reads it: the message alone, no 'Error executing tool'."""
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def _plain(value: Any) -> Any:
    """A sheet's dataclasses as JSON values: dates as YYYY-MM-DD, tuples as lists; the
    fields only templates use (``link``, ``private_fields``) left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("link", "private_fields")
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # a PartialDate: --04-12 when the year is unknown
