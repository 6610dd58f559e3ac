"""README and ``--help`` say the same: every option of every command is listed in that
command's row of README's command table, and the help texts that README quotes agree."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from confluence_sync.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, click.Command]]:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


COMMANDS = dict(_commands(cli))


def _row(name: str) -> str:
    """The README table row that starts with ``confluence-sync NAME``."""
    pattern = re.compile(rf"^\| `confluence-sync {re.escape(name)}[` \[].*$", re.MULTILINE)
    found = pattern.search(README)
    assert found is not None, f"README has no row for {name}"
    return found.group(0)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_readme_row_lists_every_option_of_the_command(name: str) -> None:
    row = _row(name)
    options = [
        opt
        for param in COMMANDS[name].params
        if isinstance(param, click.Option)
        for opt in param.opts
        if opt.startswith("--") and opt != "--help"
    ]
    missing = [opt for opt in options if not re.search(rf"{re.escape(opt)}(?![\w-])", row)]
    assert not missing, f"{name}: README's row lacks {missing}"


def test_config_help_says_the_tool_searches_upwards() -> None:
    shown = CliRunner().invoke(cli, ["sync", "--help"], terminal_width=200).output
    assert "nearest pyproject.toml" in " ".join(shown.split())
    assert "./pyproject.toml" not in shown
    assert "from the working directory upwards" in README


def test_owner_help_and_readme_agree() -> None:
    shown = " ".join(CliRunner().invoke(cli, ["incident", "new", "--help"]).output.split())
    assert "Default: the --from file's owner, else git's user.name" in shown
    assert "`--owner` defaults to the `--from` file's owner, else git's `user.name`" in README
