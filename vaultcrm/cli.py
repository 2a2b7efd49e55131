"""The ``vaultcrm`` command: a thin skin over the library.

Each command parses its options, calls one library function and formats the result.
This is the only module that prints or chooses an exit code (SPEC §3), and it never
imports Whoosh or Jinja2, so ``vaultcrm --help`` starts fast.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
from collections.abc import Callable
from typing import Any

import click

from .errors import AmbiguousNameError, NotFoundError, VaultcrmError
from .model.vocabulary import RELATIONS

EXIT_OK, EXIT_NOTHING, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a program whose reader left


# ---------------------------------------------------------------- output helpers


def _color() -> bool | None:
    """None lets click decide (colour on a terminal only); NO_COLOR switches it off."""
    return False if os.environ.get("NO_COLOR") else None


# A note's name or text may hold control characters (a file named with ESC, BEL or CR):
# printed raw they would drive the user's terminal (clear it, retitle it, write the
# clipboard) or disguise a path in a problem report. They are shown escaped, as \x1b;
# only the colour codes vaultcrm adds itself (ESC [ ... m) pass.
_UNPRINTABLE = re.compile(r"\x1b\[[0-9;]*m|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters escaped (tabs and line breaks kept)."""

    def escape(m: re.Match) -> str:
        char = m.group()
        if len(char) > 1:
            return char  # a colour code
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _UNPRINTABLE.sub(escape, text)


def out(text: str = "", **style: Any) -> None:
    text = printable(text)
    click.echo(click.style(text, **style) if style else text, color=_color())


def err(text: str, **style: Any) -> None:
    text = printable(text)
    click.echo(click.style(text, **style) if style else text, err=True, color=_color())


# Characters JSON may carry raw but a terminal or viewer would obey: C1 controls (U+009B
# is a one-byte CSI), bidi overrides that reorder what is shown, line separators.
_JSON_ESCAPED = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def emit_json(data: Any) -> None:
    """One JSON document on stdout and nothing else there (SPEC §3 --json); characters
    that would drive a terminal are written as \\u escapes (the same JSON value)."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    click.echo(_JSON_ESCAPED.sub(lambda m: f"\\u{ord(m[0]):04x}", text))


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: combining marks take none, wide characters
    (CJK, most emoji) two; what cannot be measured counts one per character."""
    from wcwidth import wcswidth

    width = wcswidth(text)
    return width if width >= 0 else len(text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (``:<width`` counts
    characters, which misaligns NFD accents, emoji and escaped control characters)."""
    return text + " " * max(0, width - display_width(text))


def highlight(text: str, spans: tuple[tuple[int, int], ...] | list) -> str:
    parts, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        parts.append(text[last:start])
        parts.append(click.style(text[start:end], fg="yellow", bold=True))
        last = end
    parts.append(text[last:])
    return "".join(parts)


class Context:
    """What every command shares: the --vault option and "today", each read once, when
    first needed, here at the top (the library is always told the day)."""

    def __init__(self, vault_option: str | None):
        self.vault_option = vault_option
        self._vault = None
        self._today = None

    @property
    def vault(self):
        if self._vault is None:
            from .store.vault import Vault

            self._vault = Vault.find(self.vault_option)
        return self._vault

    @property
    def today(self):
        """The one clock: ``VAULTCRM_TODAY=YYYY-MM-DD`` (tests, demos, planning next week)
        or the real date, read once per command and passed down to the library."""
        if self._today is None:
            import datetime as dt

            fixed = os.environ.get("VAULTCRM_TODAY")
            if not fixed:
                self._today = dt.date.today()
            else:
                from .errors import UsageError
                from .model.notes import parse_date

                self._today = parse_date(fixed)
                if self._today is None:
                    raise UsageError(f"VAULTCRM_TODAY={fixed!r} is not a date (use YYYY-MM-DD)")
        return self._today

    @property
    def words(self):
        """Words and dates in the vault's ``locale``."""
        from .present.words import language

        return language(self.vault.config.locale)


pass_ctx = click.make_pass_decorator(Context)


def report_sync(result) -> None:
    """A sync's one-line notice (index built or rebuilt) goes to stderr."""
    if result is not None and result.notice:
        err(result.notice, fg="cyan")


def progress_bar(label: str) -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    """A progress callback drawing a bar on a terminal, or None when stderr is not one."""
    if not sys.stderr.isatty():
        return None, lambda: None
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            if total < 200:
                return
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(done - state.get("done", 0))
        state["done"] = done

    def finish() -> None:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)

    return update, finish


# ---------------------------------------------------------------- the group


class _Group(click.Group):
    """Turns every vaultcrm error into a message and the exit code of SPEC §3, in one place,
    so ``main`` and click's ``CliRunner`` behave the same."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AmbiguousNameError as exc:
            err(f"'{exc.name}' matches several people; say which:")
            for candidate in exc.candidates:
                err(f"  {candidate}")
            sys.exit(exc.exit_code)
        except NotFoundError as exc:
            hint = f" Did you mean: {', '.join(exc.suggestions)}?" if exc.suggestions else ""
            err(f"{exc.message[0].upper()}{exc.message[1:]}.{hint}")
            sys.exit(exc.exit_code)
        except VaultcrmError as exc:
            err(f"vaultcrm: {exc}")
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            err("Interrupted.")
            sys.exit(130)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own: usage errors, --help, Ctrl-D at a prompt
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # stdout closed early (| head): not "nothing found"
                from click.utils import PacifyFlushWrapper

                sys.stdout = PacifyFlushWrapper(sys.stdout)  # no second error at exit
                sys.exit(EXIT_BROKEN_PIPE)
            _last_resort(exc, ctx)
        except Exception as exc:  # noqa: BLE001 - the last resort: never a traceback
            _last_resort(exc, ctx)


def _last_resort(exc: BaseException, ctx: click.Context) -> None:
    """An error vaultcrm did not foresee: one line naming it and where the traceback was
    written (a file in the user's cache folder, never in the vault), exit 3."""
    vault = getattr(ctx.obj, "_vault", None)
    where = _crash_report(exc, vault.root if vault is not None else None)
    what = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = f"{type(exc).__name__}: {what}"[:300] if what else type(exc).__name__
    detail = f"details in {where}" if where else "no details could be written"
    err(f"vaultcrm: unexpected error ({name}); {detail}")
    sys.exit(EXIT_FAILURE)


def _crash_report(exc: BaseException, vault_root: Any = None) -> str | None:
    """Write the traceback to ``$XDG_CACHE_HOME/vaultcrm/`` (``~/.cache/vaultcrm``), else
    the temp folder; readable by the user alone, and never inside the vault (which may be
    shared). Returns the file, or None."""
    import tempfile
    import time
    import traceback
    from pathlib import Path

    text = "".join(traceback.format_exception(exc))
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    for folder in (Path(cache) / "vaultcrm", Path(tempfile.gettempdir())):
        try:
            if vault_root is not None and folder.resolve().is_relative_to(vault_root):
                continue
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = folder / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
                handle.write(f"vaultcrm {_version()}, Python {sys.version.split()[0]}\n{text}")
            return str(path)
        except OSError:
            continue
    return None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vaultcrm")
    except PackageNotFoundError:
        return "(not installed)"


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.option(
    "--vault",
    "vault_option",
    metavar="PATH",
    envvar="VAULTCRM_VAULT",
    help="The vault folder. Default: $VAULTCRM_VAULT, else the nearest folder upwards "
    "that holds .vaultcrm/ or .obsidian/.",
)
@click.version_option(package_name="vaultcrm", message="vaultcrm %(version)s")
@click.pass_context
def cli(ctx: click.Context, vault_option: str | None) -> None:
    """vaultcrm: remember the people you work with, in plain-text notes.

    Each person is a Markdown note with YAML front-matter in your vault (an Obsidian
    vault or any folder). vaultcrm indexes the vault, finds what you remembered, prepares
    1:1s, logs contacts and tells you who is due for attention.
    """
    ctx.obj = Context(vault_option)


# ---------------------------------------------------------------- init


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--languages",
    default="en",
    show_default=True,
    metavar="L,L",
    help="Languages of your notes, for stemmed search: e.g. nl,en.",
)
@click.option("--locale", help="Language of the sheets and agenda (default: the first language).")
def init(directory: str, languages: str, locale: str | None) -> None:
    """Make DIRECTORY (default: here) a vault; never touches existing files."""
    from .store.vault import init_vault

    langs = tuple(lang.strip().lower() for lang in languages.split(",") if lang.strip())
    created = init_vault(directory, languages=langs, locale=locale)
    for item in created:
        out(f"created {item}")
    out("Vault ready." if created else "Already a vault: nothing to do.")
    out(f'Add a person with: vaultcrm --vault {directory} new "Full Name"')


# ---------------------------------------------------------------- index


@cli.command()
@click.option("--rebuild", is_flag=True, help="Throw the index away and build it anew.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_ctx
def index(ctx: Context, rebuild: bool, as_json: bool) -> None:
    """Bring the search index in line with the vault (incremental unless --rebuild)."""
    from .engine.sync import sync_vault

    update, finish = progress_bar("Indexing")
    try:
        result = sync_vault(ctx.vault, rebuild=rebuild, progress=update)
    finally:
        finish()
    if as_json:
        emit_json(
            {
                "added": list(result.added),
                "updated": list(result.updated),
                "removed": list(result.removed),
                "unchanged": result.unchanged,
                "problems": [
                    {"path": p.path, "line": p.line, "message": p.message} for p in result.problems
                ],
                "rebuilt": result.rebuilt,
                "seconds": round(result.seconds, 3),
            }
        )
        return
    report_sync(result)
    for problem in result.problems:
        err(str(problem), fg="red")
    out(
        f"{result}  {len(result.added)} added, {len(result.updated)} updated, "
        f"{len(result.removed)} removed, {result.unchanged} unchanged, "
        f"{len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} "
        f"in the notes read ({result.seconds:.2f}s)"
    )


# ---------------------------------------------------------------- search


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--limit",
    "-n",
    default=10,
    show_default=True,
    type=click.IntRange(1),
    help="Most hits to show.",
)
@click.option("--people", is_flag=True, help="Fold hits on notes into the people they mention.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@pass_ctx
def search(ctx: Context, query: tuple[str, ...], limit: int, people: bool, as_json: bool) -> None:
    """Find remembered details. QUERY takes words, "phrases", AND OR NOT, wild*cards
    and fields such as team:klantenservice, tag:mentor or relation:freelancer."""
    from .features.search import search_vault

    text = " ".join(query)
    result = search_vault(ctx.vault, text, limit=limit, people=people)
    report_sync(result.sync)
    if as_json:
        emit_json({"query": text, "hits": [h.to_dict() for h in result.hits]})
    else:
        for hit in result.hits:
            where = f"{hit.path}:{hit.line}" if hit.line else hit.path
            out(f"{click.style(hit.title, bold=True)}  {click.style(where, fg='blue')}")
            if hit.snippet:
                out(f"    {highlight(hit.snippet, hit.spans)}")
            if hit.via:
                out(f"    (mentioned in {hit.via})", dim=True)
    if not result.hits:
        err(f"Nothing matches {text!r}.")
        raise SystemExit(EXIT_NOTHING)


# ---------------------------------------------------------------- check


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@pass_ctx
def check(ctx: Context, as_json: bool) -> None:
    """List every problem in the vault with path:line; exit 1 if there are any."""
    from .features.check import check_vault

    result = check_vault(ctx.vault, today=ctx.today)
    if as_json:
        emit_json(
            {
                "notes": result.notes,
                "problems": [
                    {"path": p.path, "line": p.line, "message": p.message} for p in result.problems
                ],
            }
        )
    else:
        report_sync(result.sync)
        for problem in result.problems:
            out(str(problem))
        count = len(result.problems)
        notes = f"{result.notes} note{'s' if result.notes != 1 else ''}"
        summary = f"{count} problem{'s' if count != 1 else ''} in {notes}."
        err(
            summary if count else f"No problems in {notes}.",
            fg="red" if count else "green",
        )
    if result.problems:
        raise SystemExit(EXIT_NOTHING)


# ---------------------------------------------------------------- people


@cli.command()
@click.option("--team", help="Only people in this team.")
@click.option("--relation", help="Only this relation: report, peer, manager, client, freelancer, …")
@click.option("--json", "as_json", is_flag=True, help="Print the people as JSON.")
@pass_ctx
def people(ctx: Context, team: str | None, relation: str | None, as_json: bool) -> None:
    """List the people in the vault, with their last contact."""
    from .features.people import list_people

    rows = list_people(ctx.vault, team=team, relation=relation, today=ctx.today)
    report_sync(rows.sync)
    if as_json:
        emit_json([row.to_dict() for row in rows.rows])
        if not rows.rows:
            raise SystemExit(EXIT_NOTHING)
        return
    words = ctx.words
    if not rows.rows:
        err(words("no_people_match") if (team or relation) else words("no_people"))
        raise SystemExit(EXIT_NOTHING)
    table = [
        (
            printable(row.name),
            row.last_contact.isoformat() if row.last_contact else "-",
            words.ago(row.days_since) if row.last_contact else words("never"),
            _due_state(words, row.overdue_days),
            ", ".join(x for x in (words.relation(row.relation), row.team) if x),
        )
        for row in rows.rows
    ]
    widths = [max(display_width(r[i]) for r in table) for i in range(4)]
    for *cells, detail in table:
        line = "  ".join(
            pad(cell, width) for cell, width in zip(cells, widths, strict=True) if width
        )
        due = cells[3]
        if due:
            line = line.replace(due, click.style(due, fg="red"), 1)
        out(f"{line}  {detail}".rstrip())


def _due_state(words, overdue_days: int | None) -> str:
    """``due today``, ``3 days overdue``, or nothing when not due."""
    if overdue_days is None:
        return ""
    return (
        words("contact_due_today") if overdue_days == 0 else words.n("days_overdue", overdue_days)
    )


# ---------------------------------------------------------------- watch


def watch_line(batch) -> str:
    """``12:03:04 +0 ~1 -0 people/Henk de Vries.md (38 ms)``: one line per index update."""
    paths = batch.paths
    what = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    if not paths:
        count = batch.result.unchanged
        what = f"up to date, {count} note{'s' if count != 1 else ''}"
    return f"{batch.at:%H:%M:%S} {batch.result} {what} ({batch.result.seconds * 1000:.0f} ms)"


@cli.command()
@click.option("--poll", is_flag=True, help="Poll the vault instead of listening for file events.")
@click.option("--quiet", "-q", is_flag=True, help="No line per update; only warnings.")
@click.option(
    "--reconcile",
    "reconcile_every",
    default=300.0,
    show_default=True,
    type=click.FloatRange(min=1.0),
    metavar="SECONDS",
    help="Re-read the whole vault this often, in case the platform lost an event.",
)
@pass_ctx
def watch(ctx: Context, poll: bool, quiet: bool, reconcile_every: float) -> None:
    """Sync once, then keep the index fresh as notes change, until Ctrl-C (or SIGTERM)."""
    import signal
    import threading

    from .engine.watch import watch_vault

    vault, stop = ctx.vault, threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()  # the loop commits its last batch and returns
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C: at once

    def on_batch(batch) -> None:
        if quiet:
            return
        report_sync(batch.result)
        out(watch_line(batch))
        if batch.reason == "start" and batch.result.problems:
            err(f"{len(batch.result.problems)} problems in the vault: see 'vaultcrm check'.")
        elif batch.reason != "start":
            for problem in batch.result.problems:
                err(f"  {problem}", fg="red")

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if not quiet:
            err(f"Watching {vault.root}; Ctrl-C to stop.")
        summary = watch_vault(
            vault,
            stop,
            poll=poll,
            reconcile_every=reconcile_every,
            on_batch=on_batch,
            on_notice=lambda text: err(f"vaultcrm: {text}", fg="yellow"),
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if not quiet:
        done = f"{summary.batches} update{'s' if summary.batches != 1 else ''}"
        err(f"Stopped after {done} ({summary.mode}); the index is up to date.")


# ---------------------------------------------------------------- new


@cli.command()
@click.argument("name")
@click.option("--role", help="Their role, e.g. 'Senior Support Engineer'.")
@click.option("--team", help="Their team.")
@click.option(
    "--relation",
    type=click.Choice(
        RELATIONS,
        case_sensitive=False,
    ),
    help="How they relate to you.",
)
@click.option("--edit", is_flag=True, help="Open the new note in $EDITOR.")
@pass_ctx
def new(
    ctx: Context, name: str, role: str | None, team: str | None, relation: str | None, edit: bool
) -> None:
    """Create people/NAME.md from the person template (never overwrites)."""
    from .features.journal import create_person

    created = create_person(
        ctx.vault, name, role=role, team=team, relation=relation, today=ctx.today
    )
    report_sync(created.sync)
    out(f"Created {created.path}")
    if edit:
        try:
            click.edit(filename=str(created.file))
        except click.ClickException as exc:  # the editor failed or was quit with an error
            err(f"vaultcrm: the note is made, but the editor did not run cleanly: {exc.message}")


# ---------------------------------------------------------------- log


@cli.command()
@click.argument("name")
@click.argument("text")
@click.option(
    "--date",
    "date_text",
    metavar="D",
    help="The day: YYYY-MM-DD, today, yesterday or -3d (default: today). With --follow-up: the due date.",
)
@click.option(
    "--follow-up", "follow_up", is_flag=True, help="Add an open task instead of a Log entry."
)
@click.option("--force", is_flag=True, help="Write even into a note you made read-only.")
@pass_ctx
def log(
    ctx: Context, name: str, text: str, date_text: str | None, follow_up: bool, force: bool
) -> None:
    """Add a dated entry to NAME's Log, or with --follow-up an open task.

    \b
      - 2026-11-23: TEXT      in the Log (made if the note has none)
      - [ ] TEXT 📅 D         with --follow-up; --date D is the due date

    Only that line is added; nothing else in the note changes. Line breaks in TEXT
    are joined into one line. A read-only note (chmod 444) is left alone unless --force.
    """
    from .features.journal import log_contact
    from .model.dates import parse_user_date

    when = parse_user_date(date_text, ctx.today) if date_text is not None else None
    logged = log_contact(
        ctx.vault, name, text, when=when, follow_up=follow_up, force=force, today=ctx.today
    )
    report_sync(logged.sync)
    what = "Follow-up added to" if follow_up else "Logged for"
    out(f"{what} {logged.name}  {click.style(f'{logged.path}:{logged.line}', fg='blue')}")
    out(f"    {logged.entry}")


# ---------------------------------------------------------------- agenda


@cli.command()
@click.option(
    "--days",
    "-d",
    default=14,
    show_default=True,
    type=click.IntRange(0, 3660),
    help="How far ahead to look for dates and follow-ups.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the agenda as JSON.")
@pass_ctx
def agenda(ctx: Context, days: int, as_json: bool) -> None:
    """Who is due by cadence, birthdays and anniversaries in the next DAYS days, and
    open follow-ups due by then. Exit 0 even when nothing is due."""
    from .features.agenda import build_agenda

    result = build_agenda(ctx.vault, days, today=ctx.today)
    if as_json:
        emit_json(result.to_dict())
        return
    report_sync(result.sync)
    words = ctx.words
    for line in _agenda_lines(result, words) if not result.empty else [words("agenda_nothing")]:
        out(line)


def _agenda_lines(result, words) -> list[str]:
    """The agenda as text in the vault's language: three headed blocks, empty ones left out,
    each a table whose columns are as wide as their widest cell."""
    from .model.notes import unlink

    lines: list[str] = []
    if result.due:
        lines.append(click.style(words("agenda_due"), bold=True))
        rows = []
        for d in result.due:
            late = _due_state(words, d.overdue_days)
            last = (
                words(
                    "last_contact_on",
                    date=d.last_contact.isoformat(),
                    ago=words.ago((result.today - d.last_contact).days),
                )
                if d.last_contact
                else words("no_contact_yet")
            )
            rows.append((d.name, late, f"{last}, {words('every', cadence=d.cadence)}"))
        lines += _table(rows, red=1)
    if result.dates:
        coming = (
            words("agenda_coming_up", days=words.days(result.days))
            if result.days
            else words("agenda_coming_up_today")
        )
        lines.append(click.style(coming, bold=True))
        rows = [
            (
                f"{e.date.isoformat()} {words.weekday(e.date)}",
                words.in_days(e.in_days),
                words.event_line(e),
            )
            for e in result.dates
        ]
        lines += _table(rows)
    if result.follow_ups:
        lines.append(click.style(words("agenda_follow_ups"), bold=True))
        rows = []
        for f in result.follow_ups:
            if f.due is None:
                day, when = f.scheduled, words("scheduled")
            elif f.due_today:
                day, when = f.due, words("due_today")
            elif f.overdue_days:
                day, when = f.due, words.n("days_overdue", f.overdue_days)
            elif f.due_in == 1:
                day, when = f.due, words("due_tomorrow")
            else:
                day, when = f.due, words("due_in", what=words.days(f.due_in))
            who = f" ({', '.join(f.people)})" if f.people else ""
            where = click.style(f"{f.path}:{f.line}", fg="blue")
            late = bool(f.overdue_days)
            rows.append((day.isoformat(), (when, late), f"{unlink(f.text)}{who}  {where}"))
        lines += _table(rows, red=1)
    return lines


def _table(rows: list[tuple], red: int | None = None) -> list[str]:
    """Indented rows with their columns aligned (by display width); the last column runs
    free. Cells of column ``red`` are shown in red (a cell may be ``(text, is_red)``)."""
    texts = [[printable(c[0] if isinstance(c, tuple) else c) for c in row] for row in rows]
    widths = [max(display_width(row[i]) for row in texts) for i in range(len(texts[0]) - 1)]
    lines = []
    for row, cells in zip(rows, texts, strict=True):
        out = []
        for i, (cell, text) in enumerate(zip(row, cells, strict=True)):
            padded = pad(text, widths[i]) if i < len(widths) else text
            colour = cell[1] if isinstance(cell, tuple) else i == red
            out.append(click.style(padded, fg="red") if colour and i == red else padded)
        lines.append("  " + "  ".join(out).rstrip())
    return lines


# ---------------------------------------------------------------- calendar


@cli.command()
@click.option(
    "--out",
    "out_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Write the .ics to FILE instead of stdout ('-' is stdout).",
)
@click.option("--force", is_flag=True, help="With --out: replace FILE if it exists.")
@pass_ctx
def calendar(ctx: Context, out_file: str | None, force: bool) -> None:
    """An iCalendar (.ics) file of birthdays, work anniversaries and dated follow-ups,
    for Outlook, Google Calendar or Apple Calendar. Re-importing updates the events."""
    from .features.calendar import export_calendar

    out_file = None if out_file == "-" else out_file  # '-' is stdout, as usual
    result = export_calendar(ctx.vault, out_file, force=force)
    report_sync(result.sync)
    if out_file is None:
        click.echo(result.data, nl=False)
    else:
        err(f"Wrote {result.events} events to {out_file}")


# ---------------------------------------------------------------- prep


@cli.command()
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option(
    "--template",
    "-t",
    metavar="T",
    help="Another template: a name in .vaultcrm/templates/ (or built in), or a file path.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html"], case_sensitive=False),
    help="md (default) or html: one self-contained page that prints on A4.",
)
@click.option(
    "--out",
    "out_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Write to FILE ('-' is stdout).",
)
@click.option("--force", is_flag=True, help="With --out: replace FILE if it exists.")
@click.option(
    "--save",
    is_flag=True,
    help="Also save it as a new note meetings/YYYY-MM-DD NAME.md; "
    "tasks you add there come back on the next sheet.",
)
@pass_ctx
def prep(
    ctx: Context,
    names: tuple[str, ...],
    template: str | None,
    fmt: str | None,
    out_file: str | None,
    force: bool,
    save: bool,
) -> None:
    """The sheet to read before meeting NAME: follow-ups, family, dates, growth, wins,
    recent log, mentions and decisions to explain. Several NAMEs: one group sheet."""
    from .features.prep import prepare

    result = prepare(
        ctx.vault,
        names,
        fmt=fmt.lower() if fmt else None,
        template=template,
        out=None if out_file == "-" else out_file,  # '-' is stdout, as usual
        force=force,
        save=save,
        today=ctx.today,
    )
    report_sync(result.sync)
    if result.out is not None:
        err(f"Wrote {result.out}")
    if result.saved is not None:
        beside = result.saved.beside
        also = f" ({beside} was saved earlier today and is kept)" if beside else ""
        err(f"Saved {result.saved.path}{also}")
    if result.out is None and result.saved is None:
        click.echo(printable(result.text), nl=False)


# ---------------------------------------------------------------- import


@cli.command(name="import")
@click.argument("file", metavar="FILE.vcf", type=click.Path(dir_okay=True))
@click.option("--yes", is_flag=True, help="Write: create the new people and fill the notes.")
@pass_ctx
def import_(ctx: Context, file: str, yes: bool) -> None:
    """People from an address book (vCard 3.0/4.0 from Google, Apple or Outlook).

    \b
      + new        a note made from the person template
      ~ updated    keys missing or empty in the note are filled
      = unchanged  the note already says it all
      ! conflicts  the note says otherwise: kept, and listed

    A dry run unless --yes. Never overwrites a value; a second import changes nothing.
    """
    from .features.contacts import import_contacts

    words = ctx.words
    result = import_contacts(ctx.vault, file, today=ctx.today, write=yes)
    report_sync(result.sync)
    for problem in result.problems:
        err(f"vaultcrm: {printable(str(problem))}", fg="yellow")
    for item in result.planned:
        line = f"{item.symbol} {printable(item.name)}"
        if item.status != "unchanged":
            line += f"  {item.path}"
        details = []
        if item.filled and item.status != "new":
            details.append(words("import_fills", keys=", ".join(item.filled)))
        details.extend(
            words(
                "import_conflict", what=c.key, note=printable(c.note), contact=printable(c.contact)
            )
            for c in item.conflicts
        )
        out(line + (": " + "; ".join(details) if details else ""))
    if not result.planned:
        err(words("import_none"))
        sys.exit(1)
    counts = result.counts
    out(words("import_summary", **counts))
    if counts["conflicts"]:
        err(words("import_kept"))
    if not yes:
        err(words("import_dry_run"))


# ---------------------------------------------------------------- one exit point


def main() -> None:
    """The ``vaultcrm`` entry point."""
    cli(prog_name="vaultcrm")
