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
``relation``, ``event``, ``ask``, ``more``, ``unlink``, ``join_and``. They run in Jinja's sandbox with StrictUndefined:
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

from ..errors import TemplateError, UsageError
from ..model.notes import unlink
from ..model.privacy import LOCK
from ..model.sheet import PrepSheet
from ..store.vault import Vault
from .words import Language, language

FORMATS = ("md", "html")

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
    checkout = Path(__file__).resolve().parents[2] / "templates"
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


_NOT_SHEETS = {"person.md.j2", "export.md.j2"}  # packaged templates that are not sheets


def available_templates(vault: Vault | None) -> list[str]:
    """Template names the user can pass to ``--template``: theirs and the packaged ones."""
    names: set[str] = set()
    user, packaged = _user_dir(vault), packaged_dir()
    if user is not None and user.is_dir():
        names.update(p.name for p in user.glob("*.j2"))
    if packaged is not None:
        names.update(p.name for p in packaged.glob("*.j2") if p.name not in _NOT_SHEETS)
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
    env = _environment(fmt, vault, choice.folder, language(sheet.locale), sheet.today)
    try:
        text = render_bounded(
            env.get_template(choice.name), choice.name, sheet=sheet, today=sheet.today
        )
    except Exception as exc:  # noqa: BLE001 - every template failure becomes one message
        raise _template_error(exc, choice) from None
    if fmt == "md":  # sections left out leave blank lines behind; Markdown needs one
        text = re.sub(r"\n{3,}", "\n\n", text.strip("\n"))
    return text if text.endswith("\n") else text + "\n"


_BODY = re.compile(r"(<body[^>]*>)(.*)(</body>)", re.DOTALL | re.IGNORECASE)


def join_sheets(texts: list[str], fmt: str) -> str:
    """Several rendered sheets as one text (``prep --date D``: every meeting of a day).

    Markdown: one after the other, a rule between them. HTML: one page, each sheet's
    body after the first's, on a new page when printed; sheets from a template without
    a ``<body>`` are put one after the other as they are."""
    if len(texts) < 2:
        return texts[0] if texts else ""
    if fmt == "md":
        return "\n---\n\n".join(t if t.endswith("\n") else t + "\n" for t in texts)
    bodies = [_BODY.search(t) for t in texts]
    if not all(bodies):
        return "".join(texts)
    first = bodies[0]
    assert first is not None
    parts = [b[2] for b in bodies if b is not None]
    joined = '\n<div style="break-before: page; page-break-before: always"></div>\n'.join(parts)
    return texts[0][: first.start(2)] + joined + texts[0][first.end(2) :]


def render_person(vault: Vault, today: dt.date, **values: Any) -> str:
    """The note ``new`` writes, from ``person.md.j2`` (the vault's override first), with
    ``values`` (name, role, team, relation) and the same words, filters and sandbox as the
    sheets, plus ``yaml``: a value quoted only where YAML needs it."""
    return person_renderer(vault, today)(**values)


def person_renderer(vault: Vault, today: dt.date) -> Callable[..., str]:
    """``render_person`` as a function of the values, the template loaded once (``import``
    may create a thousand people)."""
    choice = Choice("person.md.j2")
    env = _environment("md", vault, None, language(vault.config.locale), today, note=True)
    env.filters["yaml"] = yaml_scalar
    try:
        template = env.get_template(choice.name)
    except Exception as exc:  # noqa: BLE001 - every template failure becomes one message
        raise _template_error(exc, choice) from None

    def render(**values: Any) -> str:
        try:
            return render_bounded(template, choice.name, today=today, **values)
        except Exception as exc:  # noqa: BLE001 - every template failure becomes one message
            raise _template_error(exc, choice) from None

    return render


def render_export(export: Any, vault: Vault) -> str:
    """The ``export`` document (SPEC §6) as Markdown, from ``export.md.j2`` (the vault's
    override first), in the vault's language."""
    choice = Choice("export.md.j2")
    env = _environment("md", vault, None, language(vault.config.locale), export.exported)
    try:
        text = render_bounded(env.get_template(choice.name), choice.name, x=export)
    except Exception as exc:  # noqa: BLE001 - every template failure becomes one message
        raise _template_error(exc, choice) from None
    text = re.sub(r"\n{3,}", "\n\n", text.strip("\n"))
    return text + "\n"


# Text that may be a plain YAML scalar in block and flow context: a letter, digit, '+'
# or '(' first, then letters, digits, spaces and a few marks; no ':', '#', ',' or
# brackets. It is written plain unless PyYAML's resolver takes it for something else
# (a number, a date, yes/no), or it is a word other YAML readers do.
_PLAIN = re.compile(r"[^\W_+(][\w .@+'&()/-]*(?<! )|[+(][\w .@+'&()/-]*(?<! )")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}


def yaml_scalar(value: object) -> str:
    """``value`` as a YAML scalar that reads back as the same text (quoted only if needed).

    Most values (names, roles, teams, addresses, phone numbers) are plain text, written
    as they are: what PyYAML's dump makes of them (tested), without a dump per value,
    which was a fifth of the time of importing an address book."""
    if value is None or value == "":
        return ""
    text = str(value)
    if _PLAIN.fullmatch(text) and text.casefold() not in _YAML_WORDS and not _typed(text):
        return text
    return dumped_scalar(text)


def _typed(text: str) -> bool:
    """Whether PyYAML's resolver reads plain ``text`` as other than a string."""
    from yaml.resolver import Resolver

    return any(
        pattern.match(text) for _, pattern in Resolver.yaml_implicit_resolvers.get(text[0], ())
    )


@functools.lru_cache(maxsize=1024)
def dumped_scalar(text: str) -> str:
    """``text`` as PyYAML's dump writes it in a flow list, without the brackets.

    Kept per text: an address book repeats the values that need quoting (a group
    ``Team A, Utrecht``, an ``Acme, Inc.``) on card after card, and one dump costs as
    much as parsing a whole note's front-matter. ``import`` empties it when done: a
    process keeps no one's values beyond the command that needed them."""
    import yaml

    dumped = yaml.safe_dump([text], default_flow_style=True, allow_unicode=True, width=2**30)
    return dumped.strip()[1:-1]


def _environment(
    fmt: str,
    vault: Vault | None,
    first: Path | None,
    language: Language,
    today: dt.date,
    note: bool = False,
):
    """The one Jinja setup: the template search order, the sandbox and its bounds, the
    vault's words and filters. ``note``: a note's template (``new``), whose line breaks
    are the note's own, so blocks are not trimmed."""
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
        "trim_blocks": not note,
        "lstrip_blocks": not note,
        "keep_trailing_newline": True,
    }
    env = bounded_sandbox()(
        loader=loader,
        bytecode_cache=_bytecode_cache({**options, "locale": str(language.locale)}),
        undefined=jinja2.StrictUndefined,
        **options,
    )
    env.filters.update(
        date=language.date,
        longdate=language.longdate,
        day=functools.partial(language.day, today=today),
        daymonth=language.daymonth,
        ago=language.ago,
        days=language.days,
        in_days=language.in_days,
        overdue=language.overdue,
        relation=language.relation,
        event=language.event,
        kin=language.kin,
        join_and=language.join_and,
        unlink=unlink,
        lock=lock,
        more=language.more,
        ask=functools.partial(language.ask, today=today),
    )
    env.globals.update(
        t=language.labels, lang=language.lang, locale=str(language.locale), today=today
    )
    return env


def lock(value: Any, name: str | None = None) -> str:
    """``🔒 `` before a private fact on the owner's sheet (SPEC §6): an item flagged
    ``private``, or with ``name``, a person's field from a private key
    (``p|lock("family")``). Empty otherwise, and on sheets for others, which hold none."""
    private = value.is_private(name) if name else getattr(value, "private", False)
    return f"{LOCK} " if private else ""


def _bytecode_cache(options: dict):
    """Compiled templates kept between runs: Jinja compiles the prep sheet in ~50 ms, a
    tenth of a ``prep``. They live in Jinja's own per-user folder (created 0700 and
    checked to be the user's), never in the vault, whose files anyone who shares it can
    write. A template's source checksum is part of the entry, so an edited template is
    compiled again; the environment's compile options are part of its name, as the same
    template compiles differently with escaping on (HTML) and off (Markdown); so is the
    locale, as Jinja folds a filter on a constant (``{{ 0|in_days }}``) into the compiled
    code at compile time, in the language of the environment that compiled it. A cache
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
