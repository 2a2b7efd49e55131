"""Turn a ``PrepSheet`` into Markdown or HTML with Jinja2 templates (SPEC §5).

Where a template comes from, first match wins:

1. ``--template T``: a file path, or a name looked up like a default (``T``,
   ``T.<format>.j2``, ``T.j2``);
2. ``<vault>/.vaultcrm/templates/prep.<format>.j2``: the user's override;
3. the packaged ``prep.<format>.j2`` (``vaultcrm.templates``; the repo's ``templates/``
   folder when running from a checkout without the package data).

The packaged templates are also reachable as ``builtin/prep.md.j2``, so an override can
``{% extends "builtin/prep.md.j2" %}`` and change one block instead of copying it all.

Templates see ``sheet`` (the ``PrepSheet``), ``t`` (the headings and words of the
vault's language) and filters for dates and phrases in that language: ``date``,
``longdate``, ``day``, ``daymonth``, ``ago``, ``in_days``, ``days``, ``overdue``,
``relation``, ``event``, ``unlink``, ``join_and``. They run in Jinja's sandbox with StrictUndefined:
a template shared with a vault cannot run code, and a typo is an error with its file
and line, not a silently empty section. HTML is autoescaped; Markdown is not.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import RefusedWriteError, TemplateError, UsageError
from .prep import DateEvent, PrepSheet, build_sheet, inert_sheet, save_sheet
from .sync import SyncResult
from .vault import Vault

FORMATS = ("md", "html")
_LINK = re.compile(r"!?\[\[([^\[\]|\n]*?)(?:\|([^\[\]\n]*))?\]\]")

# ---------------------------------------------------------------- the sheet's language

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Meeting prep",
        "group_title": "Group meeting prep",
        "prepared": "Prepared",
        "to_raise": "To raise",
        "ask_about": "Ask about",
        "family": "Family",
        "coming_up": "Coming up",
        "growth": "Growth",
        "wins": "Wins to recognise",
        "recent": "Recent",
        "mentioned_in": "Mentioned in",
        "newest_of": "newest {shown} of {total}",
        "decisions": "Decisions to explain",
        "why": "Why",
        "interests": "Interests",
        "gift_ideas": "Gift ideas",
        "interests_gifts": "Interests and gift ideas",
        "notes": "Notes",
        "notes_hint": "During the meeting: new follow-ups written as - [ ] tasks here come back on the next sheet.",
        "people": "People",
        "manager": "manager",
        "met": "met",
        "email": "email",
        "last_contact": "Last contact",
        "no_contact": "no contact recorded yet",
        "cadence": "rhythm",
        "next_due": "next due {date} ({when})",
        "contact_due_today": "due today",
        "contact_overdue": "overdue by {days}",
        "from": "from",
        "due": "due",
        "age": "{n}",
        "about": "about",
        "and": "and",
        "none": "Nothing to prepare: this person's note is still empty.",
        "footer": "vaultcrm · {date}",
    },
    "nl": {
        "title": "Voorbereiding gesprek",
        "group_title": "Voorbereiding groepsoverleg",
        "prepared": "Voorbereid",
        "to_raise": "Bespreken",
        "ask_about": "Vragen naar",
        "family": "Familie",
        "coming_up": "Binnenkort",
        "growth": "Groei",
        "wins": "Successen om te erkennen",
        "recent": "Recent",
        "mentioned_in": "Genoemd in",
        "newest_of": "nieuwste {shown} van {total}",
        "decisions": "Besluiten om toe te lichten",
        "why": "Waarom",
        "interests": "Interesses",
        "gift_ideas": "Cadeau-ideeën",
        "interests_gifts": "Interesses en cadeau-ideeën",
        "notes": "Aantekeningen",
        "notes_hint": "Tijdens het gesprek: nieuwe follow-ups als - [ ] taak hier komen terug op het volgende overzicht.",
        "people": "Deelnemers",
        "manager": "leidinggevende",
        "met": "leren kennen",
        "email": "e-mail",
        "last_contact": "Laatste contact",
        "no_contact": "nog geen contact vastgelegd",
        "cadence": "ritme",
        "next_due": "volgende uiterlijk {date} ({when})",
        "contact_due_today": "vandaag aan de beurt",
        "contact_overdue": "{days} over tijd",
        "from": "uit",
        "due": "uiterlijk",
        "age": "{n}",
        "about": "over",
        "and": "en",
        "none": "Niets voor te bereiden: de notitie over deze persoon is nog leeg.",
        "footer": "vaultcrm · {date}",
    },
}

_RELATIONS = {
    "en": {
        "report": "direct report",
        "peer": "peer",
        "manager": "manager",
        "skip": "skip-level",
        "client": "client",
        "freelancer": "freelancer",
        "supplier": "supplier",
        "former": "former colleague",
        "other": "other",
    },
    "nl": {
        "report": "medewerker",
        "peer": "collega",
        "manager": "leidinggevende",
        "skip": "skip-level",
        "client": "klant",
        "freelancer": "freelancer",
        "supplier": "leverancier",
        "former": "oud-collega",
        "other": "overig",
        # family relations, as people often write them in English
        "daughter": "dochter",
        "son": "zoon",
        "child": "kind",
        "partner": "partner",
        "wife": "vrouw",
        "husband": "man",
        "mother": "moeder",
        "father": "vader",
        "sister": "zus",
        "brother": "broer",
        "dog": "hond",
        "cat": "kat",
        "family": "familie",
    },
}


def _plural(lang: str, n: int, one: str, many: str) -> str:
    return (one if n == 1 else many).format(n=n)


def _days(lang: str, n: int) -> str:
    return (
        _plural(lang, n, "1 dag", "{n} dagen")
        if lang == "nl"
        else _plural(lang, n, "1 day", "{n} days")
    )


class Language:
    """Dates and phrases as the vault's ``locale`` writes them (babel for the dates)."""

    def __init__(self, locale: str):
        from babel import Locale, UnknownLocaleError

        try:
            self.locale = Locale.parse((locale or "en").replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            self.locale = Locale.parse("en")
        self.lang = self.locale.language if self.locale.language in LABELS else "en"
        self.labels = LABELS[self.lang]

    # dates -------------------------------------------------------------------------

    def date(self, day: dt.date | None) -> str:
        """``Nov 10, 2026`` / ``10 nov 2026``."""
        from babel.dates import format_date

        return format_date(day, "medium", locale=self.locale) if day else ""

    def longdate(self, day: dt.date | None) -> str:
        """``Monday, November 23, 2026`` / ``maandag 23 november 2026``."""
        from babel.dates import format_date

        return format_date(day, "full", locale=self.locale) if day else ""

    def day(self, day: dt.date | None) -> str:
        """``Thu, Nov 26`` / ``do 26 nov``: a day in the coming weeks."""
        from babel.dates import format_skeleton

        return format_skeleton("MMMEd", day, locale=self.locale) if day else ""

    def daymonth(self, day: Any) -> str:
        """``April 12`` / ``12 april``: a birthday, with or without its year."""
        from babel.dates import format_skeleton

        if day is None:
            return ""
        when = day if isinstance(day, dt.date) else dt.date(2000, day.month, day.day)
        return format_skeleton("MMMMd", when, locale=self.locale)

    # phrases -----------------------------------------------------------------------

    def ago(self, days: int | None) -> str:
        if days is None:
            return self.labels["no_contact"]
        nl = self.lang == "nl"
        if days == 0:
            return "vandaag" if nl else "today"
        if days == 1:
            return "gisteren" if nl else "yesterday"
        if days < 0:
            return self.in_days(-days)
        return f"{_days(self.lang, days)} {'geleden' if nl else 'ago'}"

    def in_days(self, days: int) -> str:
        nl = self.lang == "nl"
        if days == 0:
            return "vandaag" if nl else "today"
        if days == 1:
            return "morgen" if nl else "tomorrow"
        if days < 0:
            return self.ago(-days)
        return f"over {_days(self.lang, days)}" if nl else f"in {_days(self.lang, days)}"

    def days(self, n: int) -> str:
        """``1 day``, ``3 days`` / ``1 dag``, ``3 dagen``."""
        return _days(self.lang, n)

    def overdue(self, days: int) -> str:
        """A follow-up's lateness: ``overdue by 2 days`` / ``2 dagen te laat``."""
        if self.lang == "nl":
            return f"{_days(self.lang, days)} te laat"
        return f"overdue by {_days(self.lang, days)}"

    def relation(self, word: str) -> str:
        table = _RELATIONS.get(self.lang, {})
        return table.get((word or "").strip().lower(), word or "")

    def event(self, e: DateEvent, with_person: bool = False) -> str:
        """``Lisa's birthday (daughter, turns 18)`` / ``verjaardag Lisa (dochter, wordt 18)``;
        ``with_person`` adds whose family it is, for a group sheet."""
        nl = self.lang == "nl"
        if e.kind == "anniversary":
            years = (
                _plural(self.lang, e.years or 0, "1 jaar", "{n} jaar")
                if nl
                else _plural(self.lang, e.years or 0, "1 year", "{n} years")
            )
            return f"{e.who}: {years} in dienst" if nl else f"{e.who}: {years} of service"
        details = []
        if e.family:
            relation = self.relation(e.relation)
            if with_person:
                relation = f"{relation} {'van' if nl else 'of'} {e.of}"
            details.append(relation)
        if e.years is not None:
            details.append(f"wordt {e.years}" if nl else f"turns {e.years}")
        head = f"Verjaardag {e.who}" if nl else f"{e.who}'s birthday"
        return f"{head} ({', '.join(details)})" if details else head

    def join_and(self, items: Any) -> str:
        items = [str(i) for i in items]
        if len(items) < 2:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self.labels['and']} {items[-1]}"


def unlink(text: str) -> str:
    """``[[Anouk Peters|HR]]`` → ``HR``; ``[[Daan Visser]]`` → ``Daan Visser``.

    Copied text keeps its words but not its links: a saved sheet that linked everyone its
    notes mention would count as contact with all of them (SPEC §4) and pull their tasks.
    """

    def label(m: re.Match) -> str:
        if m[2] is not None and m[2].strip():
            return m[2].strip()
        return re.split(r"[#^]", m[1], maxsplit=1)[0].rsplit("/", 1)[-1].removesuffix(".md")

    return _LINK.sub(label, text or "")


# ---------------------------------------------------------------- finding templates


def packaged_dir() -> Path | None:
    """The packaged templates as a folder (a checkout's ``templates/`` as a fallback), or
    None when they are only inside a zip and must be read through importlib.resources."""
    import importlib.resources

    try:
        root = importlib.resources.files("vaultcrm.templates")
    except ModuleNotFoundError:
        root = None
    if isinstance(root, Path) and (root / "prep.md.j2").is_file():
        return root
    checkout = Path(__file__).resolve().parent.parent / "templates"
    return checkout if (checkout / "prep.md.j2").is_file() else None


def _packaged_source(name: str) -> tuple[str, str, Callable[[], bool]] | None:
    """A packaged template read through importlib.resources (for zipped installs)."""
    import importlib.resources

    try:
        item = importlib.resources.files("vaultcrm.templates") / name
        if item.is_file():
            return item.read_text("utf-8"), f"vaultcrm/templates/{name}", lambda: True
    except (ModuleNotFoundError, OSError, UnicodeDecodeError):
        pass
    return None


def _has_packaged(name: str) -> bool:
    folder = packaged_dir()
    return (folder / name).is_file() if folder is not None else _packaged_source(name) is not None


MAX_TEMPLATE_BYTES = 1 << 20  # a template file larger than this is refused, not read


def confined_loader(folders: list[Path]):
    """A Jinja loader that reads only templates: files that really lie inside the folder
    they were found in.

    A vault's ``.vaultcrm/templates/`` travels with the vault; a symlinked file or folder
    there (or an ``{% include %}`` of one) would otherwise read any file the user can,
    and ``prep --save`` would write it into the vault for everyone who shares it. A
    folder is taken as given (the vault's own path is already resolved, so a templates
    folder that is itself a link is refused too); every template found in it must
    resolve inside it. Refusals are ``TemplateError`` (exit 3), naming the template.
    """
    import os

    import jinja2
    from jinja2.loaders import split_template_path

    class ConfinedLoader(jinja2.BaseLoader):
        def __init__(self, roots: list[str]):
            self.roots = roots

        def get_source(self, environment, template: str):
            pieces = split_template_path(template)  # refuses '..' as Jinja does
            for root in self.roots:
                filename = os.path.join(root, *pieces)
                if not os.path.isfile(filename):
                    continue
                real = os.path.realpath(filename)
                if not real.startswith(root.rstrip(os.sep) + os.sep):
                    raise TemplateError(
                        f"template {template!r} leads out of its templates folder "
                        f"(to {real}); not reading it",
                        filename,
                    )
                size = os.path.getsize(real)
                if size > MAX_TEMPLATE_BYTES:
                    raise TemplateError(
                        f"template is {size} bytes, over the {MAX_TEMPLATE_BYTES} a template "
                        "may be; not reading it",
                        filename,
                    )
                with open(real, encoding="utf-8") as handle:
                    source = handle.read()
                mtime = os.path.getmtime(real)
                return source, filename, functools.partial(_unchanged, real, mtime)
            raise jinja2.TemplateNotFound(template)

        def list_templates(self) -> list[str]:
            return sorted(
                {p.name for root in self.roots for p in Path(root).glob("*.j2") if p.is_file()}
            )

    return ConfinedLoader([str(folder) for folder in folders])


def _unchanged(path: str, mtime: float) -> bool:
    import os

    try:
        return os.path.getmtime(path) == mtime
    except OSError:
        return False


# Bounds on the work one render may do: templates are shared with a vault, and even the
# sandbox lets a loop run forever or a string grow without end.
MAX_OUTPUT_CHARS = 5_000_000  # a big group sheet is ~100 KB
RENDER_CPU_SECONDS = 10.0  # a sheet renders in milliseconds


class _CpuSpent(Exception):
    """A render used up its CPU time (raised from the SIGVTALRM handler)."""


def bounded_sandbox() -> type:
    """Jinja's sandbox, with ``*``, ``**`` and ``+`` checked so that one expression cannot
    make a string or list past ``MAX_OUTPUT_CHARS`` (``"x" * 10**12``) or a number with
    millions of digits (``9 ** 9 ** 9``)."""
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class Bounded(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "+"})

        def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
            sized = (str, list, tuple)
            if operator == "**" and isinstance(left, int | float) and isinstance(right, int):
                if abs(left) > 1 and right > 4096:
                    raise SecurityError("a power that large is not computed in a template")
            elif operator == "*":
                for seq, times in ((left, right), (right, left)):
                    if (
                        isinstance(seq, sized)
                        and isinstance(times, int)
                        and len(seq) * times > MAX_OUTPUT_CHARS
                    ):
                        raise SecurityError("that would make too long a value")
            elif (
                operator == "+"
                and isinstance(left, sized)
                and isinstance(right, sized)
                and len(left) + len(right) > MAX_OUTPUT_CHARS
            ):
                raise SecurityError("that would make too long a value")
            return super().call_binop(context, operator, left, right)

        # ``~`` (concatenation) is not a binop Jinja lets a sandbox intercept; a value
        # doubled through a namespace (``ns.x = ns.x ~ ns.x``) is stopped when read back.
        def getattr(self, obj: Any, attribute: str) -> Any:
            return _checked(super().getattr(obj, attribute))

        def getitem(self, obj: Any, argument: Any) -> Any:
            return _checked(super().getitem(obj, argument))

    return Bounded


def _checked(value: Any) -> Any:
    from jinja2.exceptions import SecurityError

    if isinstance(value, str | list | tuple) and len(value) > MAX_OUTPUT_CHARS:
        raise SecurityError("a value in the template grew too long")
    return value


def render_bounded(template: Any, name: str, /, **context: Any) -> str:
    """``template.render(**context)``, within ``MAX_OUTPUT_CHARS`` of output and
    ``RENDER_CPU_SECONDS`` of CPU time: the output is read as it is made and stopped
    once too long; the CPU time is a timer (SIGVTALRM, main thread only)."""
    parts: list[str] = []
    size = 0
    with _cpu_budget(RENDER_CPU_SECONDS):
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateError(
                    f"template error: its output passed {MAX_OUTPUT_CHARS:,} characters; stopped",
                    name,
                )
            parts.append(chunk)
    return "".join(parts)


@contextlib.contextmanager
def _cpu_budget(seconds: float):
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def spent(signum: int, frame: Any) -> None:
        raise _CpuSpent()

    previous = signal.signal(signal.SIGVTALRM, spent)
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def _user_dir(vault: Vault | None) -> Path | None:
    return vault.state_dir / "templates" if vault is not None else None


@dataclass(frozen=True)
class Choice:
    """The template to render: its loader name and a folder searched first (for a path)."""

    name: str
    folder: Path | None = None


def find_template(fmt: str, template: str | None, vault: Vault | None) -> Choice:
    """Which template renders the sheet; see the module docstring for the order."""
    user = _user_dir(vault)
    if template:
        given = Path(template).expanduser()
        if given.is_file():
            return Choice(given.name, given.resolve().parent)
        if "/" in template or "\\" in template or given.is_dir():
            raise UsageError(f"template file {template} does not exist")
        names = [template, f"{template}.{fmt}.j2", f"{template}.j2"]
    else:
        names = [f"prep.{fmt}.j2"]
    for name in names:
        if user is not None and (user / name).is_file():
            return Choice(name)
    for name in names:
        if _has_packaged(name):
            return Choice(name)
    if template:
        known = ", ".join(available_templates(vault)) or "none"
        raise UsageError(f"no template called '{template}'; available: {known}")
    raise TemplateError(f"the built-in template prep.{fmt}.j2 is missing; reinstall vaultcrm")


def available_templates(vault: Vault | None) -> list[str]:
    """Template names the user can pass to ``--template``: theirs and the packaged ones."""
    names: set[str] = set()
    user, packaged = _user_dir(vault), packaged_dir()
    if user is not None and user.is_dir():
        names.update(p.name for p in user.glob("*.j2"))
    if packaged is not None:
        names.update(p.name for p in packaged.glob("prep*.j2"))
    return sorted(names)


def format_for(template: str | None, fmt: str | None, out: str | Path | None = None) -> str:
    """The format asked for, else the one the template's or the output file's name says
    (``x.html.j2``, ``--out sheet.html``), else md."""
    if fmt:
        return fmt
    for name in (template, out):
        if name and re.search(r"\.html?(\.j2|\.jinja2?)?$", str(name), re.IGNORECASE):
            return "html"
    return "md"


# ---------------------------------------------------------------- the prep command


@dataclass(frozen=True)
class Prepared:
    """A rendered sheet and where it was written (``out``, ``saved``), if anywhere."""

    text: str
    sheet: PrepSheet
    out: Path | None = None
    saved: str | None = None  # vault-relative path of the note written by ``save``

    @property
    def sync(self) -> SyncResult | None:
        return self.sheet.sync


def prepare(
    vault: Vault,
    names: list[str] | tuple[str, ...],
    fmt: str | None = None,
    template: str | None = None,
    out: str | Path | None = None,
    force: bool = False,
    save: bool = False,
) -> Prepared:
    """``vaultcrm prep``: build the sheet, render it, and write it where asked.

    ``out`` gets the sheet in ``fmt`` (refusing to replace a file unless ``force``);
    ``save`` adds it to the vault as a Markdown meeting note (see ``prep.save_sheet``),
    rendered with ``template`` when that is a Markdown one, else with prep.md.j2.
    """
    if force and out is None:
        raise UsageError("--force only goes with --out (a saved sheet never replaces a note)")
    fmt = format_for(template, fmt, out)
    sheet = build_sheet(vault, names)
    text = render_sheet(sheet, fmt, template, vault)
    written = None
    if out is not None:
        written = Path(out).expanduser()
        write_output(written, text, force)
    saved = None
    if save:  # rendered again from the inert sheet: what it copies must not act there
        body = render_sheet(inert_sheet(sheet), "md", template if fmt == "md" else None, vault)
        saved = save_sheet(vault, sheet, body)
    return Prepared(text, sheet, written, saved)


def write_output(path: Path, text: str, force: bool = False) -> None:
    """Write a sheet to a file of the user's choosing: atomically, and only over an
    existing file when told (``--force``)."""
    from .writes import replace_file, write_new

    if path.is_dir():
        raise UsageError(f"{path} is a folder; --out takes a file name")
    if not force and (path.exists() or path.is_symlink()):
        raise RefusedWriteError("already exists; pass --force to replace it", path)
    (replace_file if force else write_new)(path, text)


# ---------------------------------------------------------------- rendering


def render_sheet(
    sheet: PrepSheet, fmt: str = "md", template: str | None = None, vault: Vault | None = None
) -> str:
    """The sheet as text in ``fmt`` ('md' or 'html'); the caller decides where it goes.

    Raises ``TemplateError`` (exit 3) with the template's file and line when a template
    cannot be parsed or fails while rendering, ``UsageError`` when ``template`` names none.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use md or html")
    choice = find_template(fmt, template, vault)
    env = _environment(fmt, vault, choice.folder, Language(sheet.locale))
    try:
        text = render_bounded(
            env.get_template(choice.name), choice.name, sheet=sheet, today=sheet.today
        )
    except Exception as exc:  # noqa: BLE001 - every template failure becomes one message
        raise _template_error(exc, choice) from None
    if fmt == "md":  # sections left out leave blank lines behind; Markdown needs one
        text = re.sub(r"\n{3,}", "\n\n", text.strip("\n"))
    return text if text.endswith("\n") else text + "\n"


def _environment(fmt: str, vault: Vault | None, first: Path | None, language: Language):
    import jinja2

    folders = [p for p in (first, _user_dir(vault)) if p is not None]
    packaged = packaged_dir()
    builtin: jinja2.BaseLoader = (
        confined_loader([packaged])
        if packaged is not None
        else jinja2.FunctionLoader(_packaged_source)
    )
    loader = jinja2.ChoiceLoader(
        [jinja2.PrefixLoader({"builtin": builtin}), confined_loader(folders), builtin]
    )
    options = {
        "autoescape": fmt == "html",
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
    }
    env = bounded_sandbox()(
        loader=loader,
        bytecode_cache=_bytecode_cache(options),
        undefined=jinja2.StrictUndefined,
        **options,
    )
    env.filters.update(
        date=language.date,
        longdate=language.longdate,
        day=language.day,
        daymonth=language.daymonth,
        ago=language.ago,
        days=language.days,
        in_days=language.in_days,
        overdue=language.overdue,
        relation=language.relation,
        event=language.event,
        join_and=language.join_and,
        unlink=unlink,
    )
    env.globals.update(t=language.labels, lang=language.lang, locale=str(language.locale))
    return env


def _bytecode_cache(options: dict):
    """Compiled templates kept between runs: Jinja compiles the prep sheet in ~50 ms, a
    tenth of a ``prep``. They live in Jinja's own per-user folder (created 0700 and
    checked to be the user's), never in the vault, whose files anyone who shares it can
    write. A template's source checksum is part of the entry, so an edited template is
    compiled again; the environment's compile options are part of its name, as the same
    template compiles differently with escaping on (HTML) and off (Markdown). A cache
    that cannot be used is skipped, never an error."""
    import hashlib

    import jinja2

    settings = repr(sorted(options.items())).encode()
    key = hashlib.blake2b(settings, digest_size=6).hexdigest()

    class Cache(jinja2.FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            with contextlib.suppress(OSError):
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    try:
        return Cache(pattern=f"__vaultcrm_{key}_%s.cache")
    except (OSError, RuntimeError):  # no safe folder of the user's: compile every time
        return None


def _template_error(exc: Exception, choice: Choice) -> TemplateError:
    """One message with the template's file and line, whatever went wrong in it."""
    import jinja2

    if isinstance(exc, TemplateError):  # already ours: a refused path, a runaway template
        return exc
    if isinstance(exc, _CpuSpent):
        return TemplateError(
            f"template error: it ran for over {RENDER_CPU_SECONDS:g} s of CPU time "
            "(a loop without end?); stopped",
            choice.name,
        )
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(
            f"template error: {exc.message}", exc.filename or choice.name, exc.lineno
        )
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template error: no template called '{exc.name}' to include or extend"
    elif isinstance(exc, jinja2.UndefinedError | jinja2.exceptions.SecurityError):
        message = f"template error: {exc}"
    elif isinstance(exc, RecursionError):
        message = (
            "template error: it includes or extends itself (use builtin/NAME for the packaged one)"
        )
    else:
        message = f"template error: {type(exc).__name__}: {exc}"
    path, line = choice.name, None
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".j2", ".jinja", ".jinja2")):
            path, line = frame.filename, frame.lineno
            break
    return TemplateError(message, path, line)
