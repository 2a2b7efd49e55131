"""Every command and every option explains itself in --help."""

from __future__ import annotations

import re

import click
import pytest

from vaultcrm.cli import cli

COMMANDS = sorted(cli.commands)


def test_the_group_and_its_options_have_help() -> None:
    assert cli.help and cli.help.strip()
    for param in cli.params:
        if isinstance(param, click.Option):
            assert param.help and param.help.strip(), f"--{param.name} has no help"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_has_help(name: str) -> None:
    command = cli.commands[name]
    assert command.help and command.help.strip(), f"'{name}' has no help text"
    assert command.get_short_help_str().strip(), f"'{name}' has no short help"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help and param.help.strip(), f"'{name} {param.opts[0]}' has no help"


@pytest.mark.parametrize("name", COMMANDS)
def test_help_runs_for_every_command(run, name: str) -> None:
    result = run(None, name, "--help")
    assert result.exit_code == 0
    command = cli.commands[name]
    first = " ".join(command.help.split("\n\n")[0].split())  # click rewraps it
    assert first[:40] in " ".join(result.stdout.split())
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.opts[-1] in result.stdout


def test_top_level_help_lists_every_command(run) -> None:
    result = run(None, "--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s+\S", result.stdout, re.MULTILINE), name


def test_the_core_commands_exist() -> None:
    assert {"init", "index", "search", "check", "people"} <= set(COMMANDS)


def test_version(run) -> None:
    result = run(None, "--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("vaultcrm ")


def test_an_unknown_command_or_option_is_a_usage_error(run) -> None:
    assert run(None, "frobnicate").exit_code == 2
    assert run(None, "search", "--nope", "x").exit_code == 2
