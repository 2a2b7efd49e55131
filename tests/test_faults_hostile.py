"""Hostile input: a fixed corpus of nasty files (tests/nasty.py) and hypothesis-made notes
and queries. ``index``, ``check``, ``search``, ``prep`` (and the other readers) never
crash and never hang (pytest-timeout per test), and ``index``/``check`` report each bad
file with its path.
"""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nasty import NASTY_TEXT, Expect, write_nasty_vault

from vaultcrm.cli import cli
from vaultcrm.engine.sync import index_for, sync_vault
from vaultcrm.engine.whoosh.index import NoteIndex, Stamp
from vaultcrm.errors import VaultcrmError
from vaultcrm.features.search import search_vault
from vaultcrm.model.notes import parse_note
from vaultcrm.store.vault import Vault

COMMANDS = [
    ("index",),
    ("check",),
    ("search", "jazz"),
    ("search", "--people", "jazz OR body"),
    ("search", "Control"),
    ("prep", "henk"),
    ("prep", "edge dates"),
    ("prep", "bad dates"),
    ("prep", "huge cadence"),
    ("prep", "lists where"),
    ("prep", "\U0001f642"),
    ("prep", "ctrl"),
    ("prep", "../../etc/passwd"),
    ("prep", "--format", "html", "internal keys"),
    ("people",),
    ("agenda", "--days", "3660"),
    ("calendar",),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, list[Expect], object]:
    """The nasty vault, indexed once by ``vaultcrm index`` (each test gets a copy), and
    what that first ``index`` said."""
    root = tmp_path_factory.mktemp("nasty") / "vault"
    expect = write_nasty_vault(root)
    first = CliRunner().invoke(cli, ["--vault", str(root), "index"])
    return root, expect, first


@pytest.fixture
def nasty_vault(corpus, tmp_path) -> Path:
    root = tmp_path / "vault"
    shutil.copytree(corpus[0], root, symlinks=True, ignore=shutil.ignore_patterns("fifo.md"))
    return root


def no_traceback(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.stderr


@pytest.mark.timeout(60)
def test_index_reports_each_bad_file_with_its_path(corpus) -> None:
    root, expect, result = corpus
    no_traceback(result)
    assert result.exit_code == 0
    reported = result.stderr.splitlines()
    for wanted in (e for e in expect if e.at_index):
        assert any(
            line.startswith(f"{wanted.path}:") and wanted.says in line for line in reported
        ), f"{wanted.path} is reported ({wanted.says!r})"
    summary = result.stdout.splitlines()[-1]
    assert summary.startswith(f"+{_notes_in(root)} ~0 -0 "), summary


def _notes_in(root: Path) -> int:
    return sum(1 for _ in Vault(root).walk())


@pytest.mark.timeout(60)
def test_check_lists_every_bad_file_with_its_path(nasty_vault, corpus, run) -> None:
    result = run(nasty_vault, "check")
    no_traceback(result)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    for wanted in corpus[1]:
        assert any(line.startswith(f"{wanted.path}:") and wanted.says in line for line in lines), (
            f"check reports {wanted.path} ({wanted.says!r})"
        )
    clean = [p for p, (_, says) in NASTY_TEXT.items() if says is None]
    noisy = {line.split(":", 1)[0] for line in lines}
    # Notes that are merely odd (emoji names, BOM + CRLF, huge lines) are not problems.
    for path in (
        "people/\U0001f642\U0001f680\U0001f308.md",
        "notes/bom-crlf.md",
        "junk/huge-line.md",
    ):
        assert path in clean and path not in noisy


@pytest.mark.timeout(90)
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a)[:30])
def test_no_command_crashes_on_the_nasty_corpus(nasty_vault, run, args) -> None:
    result = run(nasty_vault, *args)
    no_traceback(result)
    assert result.exit_code in (0, 1), f"{args}: exit {result.exit_code}\n{result.output}"


def test_links_and_special_files_are_not_followed(corpus) -> None:
    root = corpus[0]
    idx = index_for(Vault(root)).open()
    try:
        paths = set(idx.stamps())
    finally:
        idx.close()
    assert "links/henk-link.md" in paths  # a link inside the vault is read
    for outside in ("links/passwd.md", "links/dangling.md", "links/a.md", "junk/fifo.md"):
        assert outside not in paths
    assert not any(
        p.startswith(("links/self-loop/", "links/parent-loop/", "links/root/")) for p in paths
    )
    assert "junk/folder.md/inside.md" in paths


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_50_megabyte_note_is_skipped_with_its_path(tmp_path, run) -> None:
    root = tmp_path / "vault"
    expect = write_nasty_vault(root, big=True)
    big = next(e for e in expect if e.path == "junk/fifty-megabytes.md")
    for args in (("index",), ("check",), ("search", "xxxx"), ("prep", "henk")):
        result = run(root, *args)
        no_traceback(result)
        assert result.exit_code in (0, 1)
    check = run(root, "check").stdout.splitlines()
    assert f"{big.path}: file is 50.0 MB, over the 5.0 MB limit; skipped" in check


# ---------------------------------------------------------------- hypothesis

_FAST = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.text(max_size=40),
    st.sampled_from(["14d", "0d", "99999999y", "--02-29", "--13-45", "2026-02-30", "[[Henk]]"]),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = [
    "name", "aliases", "alias", "type", "role", "team", "relation", "manager", "email",
    "birthday", "started", "met", "cadence", "last_contact", "family", "interests",
    "gift_ideas", "growth", "tags", "tag", "date", "title", "teams", "why", "self",
    "vc_path", "body", "*", "", "tag:x",
]  # fmt: skip
front_matter = st.dictionaries(
    st.sampled_from(KEYS) | st.text(max_size=10), yaml_values, max_size=8
)
body_lines = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(
            [
                "## Log", "## Logboek", "## Wins", "## Why", "### 2026-02-30", "### 9999-12-31",
                "- 0001-01-01: oud", "- 9999-12-31: toekomst", "- [ ] taak \U0001f4c5 9999-12-31",
                "- [ ] taak \u23f3 0001-01-01", "- [x] klaar", "```", "[[Henk de Vries]]",
                "![[Henk de Vries#Log]]", "#tag/sub", "---",
            ]
        ),
    ),
    max_size=12,
)  # fmt: skip


def _dump(meta: dict) -> str:
    try:
        return yaml.safe_dump(meta, allow_unicode=True, default_flow_style=None)
    except Exception:  # keys or values YAML cannot write: the raw repr is hostile too
        return repr(meta) + "\n"


@st.composite
def person_notes(draw) -> bytes:
    text = "---\n" + _dump(draw(front_matter)) + "---\n" + "\n".join(draw(body_lines)) + "\n"
    return text.encode("utf-8", "surrogatepass")


@given(st.binary(max_size=3000))
@settings(max_examples=150, deadline=None)
def test_any_bytes_parse_to_a_note(raw: bytes) -> None:
    note = parse_note("people/Any.md", raw)
    assert note.path == "people/Any.md"
    pickle.loads(pickle.dumps(note))  # it can be stored in the index


@given(person_notes())
@settings(max_examples=150, deadline=None)
def test_any_front_matter_parses_and_can_be_indexed(raw: bytes) -> None:
    note = parse_note("people/Any One.md", raw)
    assert all(p.path == "people/Any One.md" for p in note.problems)
    NoteIndex(Path("unused"), ["en"])._document(note, Stamp(0, len(raw), "x"))  # fields build
    pickle.loads(pickle.dumps(note))


@given(notes=st.lists(person_notes(), min_size=1, max_size=3))
@_FAST
def test_any_person_notes_survive_every_command(notes: list[bytes]) -> None:
    _every_command(notes)


@pytest.mark.slow
@pytest.mark.timeout(3600)
@given(notes=st.lists(person_notes(), min_size=1, max_size=3))
@settings(_FAST, max_examples=1000)
def test_many_more_person_notes_survive_every_command(notes: list[bytes]) -> None:
    _every_command(notes)


@pytest.mark.slow
@pytest.mark.timeout(3600)
@given(raw=st.binary(max_size=20_000))
@settings(max_examples=5000, deadline=None)
def test_many_more_bytes_parse_to_a_note(raw: bytes) -> None:
    pickle.loads(pickle.dumps(parse_note("people/Any.md", raw)))


def _every_command(notes: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        (root / ".vaultcrm").mkdir(parents=True)
        (root / "people").mkdir()
        (root / "people" / "Henk de Vries.md").write_text("---\ncadence: 7d\n---\njazz\n")
        for number, raw in enumerate(notes):
            (root / "people" / f"Person {number}.md").write_bytes(raw)
        (root / "meetings").mkdir()
        (root / "meetings" / "2026-11-20 overleg.md").write_text(
            "Met [[Person 0]] en [[Henk de Vries]].\n- [ ] opvolgen \U0001f4c5 2026-11-24\n"
        )
        runner = CliRunner()
        for args in (
            ("index",),
            ("check",),
            ("people",),
            ("agenda", "--days", "400"),
            ("calendar",),
            ("search", "jazz"),
            ("prep", "Person 0"),
            ("prep", "--format", "html", "Person 0", "henk"),
        ):
            result = runner.invoke(cli, ["--vault", str(root), *args])
            no_traceback(result)
            assert result.exit_code in (0, 1), f"{args}: exit {result.exit_code}\n{result.output}"


@pytest.fixture(scope="module")
def searchable(tmp_path_factory) -> Vault:
    """The example vault, indexed: a realistic place for hostile queries to land."""
    root = tmp_path_factory.mktemp("search") / "vault"
    source = Path(__file__).resolve().parent.parent / "example_vault"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("index", "*.lock", "locks"))
    vault = Vault(root)
    sync_vault(vault)
    return vault


@given(query=st.text(max_size=40) | st.lists(st.sampled_from(['"', "(", ")", "AND", "OR", "NOT", "*", "?", ":", "team:", "tag:", "~", "^", "[", "]", "{", "}", "\\", "TO", "jazz", "'", "-", "+", "/"]), max_size=8).map(" ".join))  # fmt: skip
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_query_is_answered_or_refused_with_a_message(searchable: Vault, query: str) -> None:
    _search_or_refuse(searchable, query)


def _search_or_refuse(searchable: Vault, query: str) -> None:
    """A query gets hits (or none), or a usage error with a message: nothing else."""
    try:
        search_vault(searchable, query, limit=5)
    except VaultcrmError as exc:
        assert exc.exit_code == 2 and str(exc)


@pytest.mark.slow
@pytest.mark.timeout(3600)
@given(query=st.text(max_size=80))
@settings(
    max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_many_more_queries(searchable: Vault, query: str) -> None:
    _search_or_refuse(searchable, query)


# ---------------------------------------------------------------- control characters

TRAP = "Eve\x07\x1b]52;c;cHduZWQ=\x07\x1b[2J\rHenk de Vries"  # bell, clipboard, clear, CR


@pytest.mark.parametrize(
    "args",
    [("people",), ("check",), ("search", "trap"), ("prep", "eve"), ("agenda",), ("index",)],
    ids=lambda a: a[0],
)
def test_control_characters_in_names_never_reach_the_terminal(make_vault, args) -> None:
    """A file named to drive the terminal (or to pass for another path) is shown
    escaped, even with colour on; vaultcrm's own colours still work."""
    root = make_vault(
        {
            f"people/{TRAP}.md": "---\ncadence: often\n---\ntrap\n",
            "notes/bad.md": f"---\nname: [x\n---\n[[{TRAP}]] [[Nobody]] trap\n",
        }
    )
    if args[0] == "index":
        (root / "notes" / "later.md").write_text("---\nbad: [\n---\n", encoding="utf-8")
    else:
        CliRunner().invoke(cli, ["--vault", str(root), "index"])
    result = CliRunner().invoke(
        cli, ["--vault", str(root), *args], color=True, env={"NO_COLOR": ""}
    )
    no_traceback(result)
    shown = result.stdout + result.stderr
    for raw in ("\x07", "\r", "\x1b]", "\x1b[2J"):
        assert raw not in shown, f"{args}: {raw!r} reached the terminal: {shown!r}"
    if args[0] in ("people", "check", "search", "prep"):
        assert "Eve\\x07\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\x0dHenk de Vries" in shown
