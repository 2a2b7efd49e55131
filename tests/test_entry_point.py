"""The installed `vaultcrm` command, run as a real process: exit codes and exact output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

VAULTCRM = Path(sys.executable).parent / "vaultcrm"

pytestmark = pytest.mark.skipif(not VAULTCRM.exists(), reason="vaultcrm is not installed")


def vaultcrm(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VAULTCRM_")}
    environ.update({"VAULTCRM_TODAY": "2026-11-23", "NO_COLOR": "1", **env})
    return subprocess.run(
        [str(VAULTCRM), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environ,
        timeout=120,
    )


def test_version_and_help() -> None:
    version = vaultcrm("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("vaultcrm ")
    helped = vaultcrm("--help")
    assert helped.returncode == 0
    assert "vaultcrm: remember the people you work with" in helped.stdout
    assert "vaultcrm [OPTIONS]" in helped.stdout  # the program's own name, not 'cli'


def test_search_the_example_vault(example_vault: Path) -> None:
    done = vaultcrm("--vault", str(example_vault), "search", "jazz")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "No index yet: building it from the vault.\n"
    lines = done.stdout.splitlines()
    assert "Henk de Vries  people/Henk de Vries.md:16" in lines
    assert "    interests: [wielrennen, jazz]" in lines


def test_the_example_vault_checks_clean(example_vault: Path) -> None:
    done = vaultcrm("--vault", str(example_vault), "check")
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr.endswith(" notes.\n") and "No problems in " in done.stderr


def test_exit_codes_as_a_process(example_vault: Path, tmp_path: Path) -> None:
    assert vaultcrm("--vault", str(example_vault), "search", "kumquat").returncode == 1
    bad = vaultcrm("--vault", str(example_vault), "search", '"open')
    assert (bad.returncode, bad.stderr.splitlines()[-1]) == (
        2,
        'vaultcrm: a quote is not closed: phrases are written as "two words"',
    )
    nowhere = vaultcrm("search", "jazz", cwd=tmp_path)
    assert nowhere.returncode == 2
    assert "vaultcrm init" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr


def test_vault_from_the_environment(example_vault: Path, tmp_path: Path) -> None:
    done = vaultcrm("people", cwd=tmp_path, VAULTCRM_VAULT=str(example_vault))
    assert done.returncode == 0
    assert any(line.startswith("Henk de Vries ") for line in done.stdout.splitlines())


def test_the_cli_module_does_not_import_whoosh_or_jinja2() -> None:
    # `vaultcrm --help` must stay fast: the heavy libraries load inside commands only.
    code = "import sys, vaultcrm.cli; print(sorted({'whoosh', 'jinja2'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("command", [["prep", "henk"], ["agenda"], ["search", "jazz"]])
def test_a_reader_that_leaves_early_is_not_nothing_found(
    example_vault: Path, command: list[str]
) -> None:
    # 'vaultcrm search jazz | head -1': when the reader has gone, the write fails; exit 1
    # would read as "nothing found" in a script, so vaultcrm exits as a shell reports
    # a program stopped by SIGPIPE (141), and says nothing. (The reader closes before
    # anything is written: how much a pipe buffers before that differs per kernel.)
    assert vaultcrm("--vault", str(example_vault), "index").returncode == 0
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VAULTCRM_")}
    environ.update({"VAULTCRM_TODAY": "2026-11-23", "NO_COLOR": "1"})
    process = subprocess.Popen(
        [str(VAULTCRM), "--vault", str(example_vault), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environ,
    )
    process.stdout.close()  # the reader is gone before the first line
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert stderr == ""


def test_out_dash_is_stdout(example_vault: Path, tmp_path: Path) -> None:
    done = vaultcrm("--vault", str(example_vault), "prep", "henk", "--out", "-", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("# Meeting prep: [[Henk de Vries]]")
    assert not (tmp_path / "-").exists()
    ics = vaultcrm("--vault", str(example_vault), "calendar", "--out", "-", cwd=tmp_path)
    assert ics.stdout.startswith("BEGIN:VCALENDAR") and not (tmp_path / "-").exists()


def test_export_and_forget_as_a_process(example_vault: Path) -> None:
    exported = vaultcrm("--vault", str(example_vault), "export", "henk", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert '"name": "Henk de Vries"' in exported.stdout
    dry = vaultcrm("--vault", str(example_vault), "forget", "henk")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("Would delete people/Henk de Vries.md\n")
    assert (example_vault / "people" / "Henk de Vries.md").exists()
