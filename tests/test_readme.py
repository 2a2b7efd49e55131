"""The README is tested: every command in its code blocks runs, as a reader would run it.

The way sqlite-utils tests its documentation: a README that shows a command which does
not exist (``prep --template brief`` once did) or fails on the example vault is a bug.
Each ``sh`` block runs in order, in a fresh copy of ``example_vault/`` (in the working
folder, as in a checkout), every
``vaultcrm`` command in it through click's CliRunner with ``--vault`` added; the tour,
which starts with ``vaultcrm init ~/notes``, runs in a fresh vault in ``tmp_path``
instead. A command exits 0 unless its line's comment says what else it exits with
(``# exit 1``). ``watch`` runs as a real process and is stopped with Ctrl-C; ``--edit``
gets an editor that changes nothing. The Python blocks run as they are, from inside
the example vault's folder.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLE_VAULT, REPO

README = REPO / "README.md"
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_EXIT = re.compile(r"#.*\bexit (\d)\b")


def blocks(language: str) -> list[tuple[int, str]]:
    """The README's code blocks in ``language``, with the line each starts on."""
    text = README.read_text("utf-8")
    return [
        (text.count("\n", 0, m.start()) + 1, m[2])
        for m in _BLOCK.finditer(text)
        if m[1] == language
    ]


def commands(block: str) -> list[tuple[list[str], int, str]]:
    """(argv after 'vaultcrm', expected exit code, the line) for each command in a block.

    Only the ``vaultcrm`` command of a line is run: the install steps before ``&&`` in
    the README's first block are what CI itself runs.
    """
    found = []
    for line in block.splitlines():
        code = line.split(" && ")[-1].strip()
        words = shlex.split(code, comments=True)
        if not words or Path(words[0]).name != "vaultcrm":
            continue
        expected = _EXIT.search(line)
        found.append((words[1:], int(expected[1]) if expected else 0, line.strip()))
    return found


SH_BLOCKS = [(start, block) for start, block in blocks("sh") if "vaultcrm" in block]


def test_the_readme_has_commands_to_test() -> None:
    assert len(SH_BLOCKS) >= 5
    assert sum(len(commands(block)) for _, block in SH_BLOCKS) >= 30


def _without_vault_option(argv: list[str]) -> list[str]:
    """The README's own ``--vault example_vault`` is replaced by the test's copy."""
    out, skip = [], False
    for word in argv:
        if skip:
            skip = False
        elif word == "--vault":
            skip = True
        else:
            out.append(word)
    return out


def _tour_home(block: str, tmp_path: Path) -> str:
    """A tour block uses ~/notes: it becomes a folder in tmp_path."""
    return block.replace("~/notes", str(tmp_path / "notes"))


def _watch(vault: Path, argv: list[str]) -> int:
    """Run ``vaultcrm watch`` for real, stop it as a user would (Ctrl-C), return its code."""
    launcher = "import sys; from vaultcrm.cli import main; sys.argv[0] = 'vaultcrm'; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", launcher, "--vault", str(vault), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(vault.glob(".vaultcrm/index/*.toc")):
        time.sleep(0.1)
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr, stderr
    return process.returncode


@pytest.mark.parametrize(("start", "block"), SH_BLOCKS, ids=[f"line {s}" for s, _ in SH_BLOCKS])
@pytest.mark.timeout(300)
def test_every_command_in_the_readme_runs(
    start: int, block: str, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "true")  # --edit: an editor that saves nothing new
    monkeypatch.chdir(tmp_path)  # --out files land here
    tour = "vaultcrm init ~/notes" in block
    # named as in the repository, so a path into it (--calendar example_vault/…) works
    vault = tmp_path / "notes" if tour else tmp_path / "example_vault"
    if tour:
        block = _tour_home(block, tmp_path)
    else:
        shutil.copytree(EXAMPLE_VAULT, vault, ignore=shutil.ignore_patterns("index", "locks"))
    for argv, expected, line in commands(block):
        if argv and argv[0] == "init":
            result = run(None, *argv)
        elif "watch" in argv:
            code = _watch(vault, _without_vault_option(argv))
            assert code == expected, f"README line {start}: {line} exited {code}"
            continue
        else:
            result = run(vault, *_without_vault_option(argv))
        assert "Traceback" not in result.output
        assert result.exit_code == expected, (
            f"README line {start}: {line} exited {result.exit_code}:\n{result.output}"
        )


@pytest.mark.parametrize(
    ("start", "block"), blocks("python"), ids=[f"line {s}" for s, _ in blocks("python")]
)
def test_every_python_example_in_the_readme_runs(start: int, block: str, tmp_path: Path) -> None:
    shutil.copytree(
        EXAMPLE_VAULT, tmp_path / "example_vault", ignore=shutil.ignore_patterns("index")
    )
    done = subprocess.run(
        [sys.executable, "-c", block],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, f"README line {start}:\n{done.stderr[-2000:]}"
    assert done.stdout.strip(), "the example prints what it found"
