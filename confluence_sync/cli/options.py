"""Options shared by several commands, defined once so their names and help texts cannot drift
apart between commands (CI scripts and the pre-commit hook rely on them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from confluence_sync.config import Settings

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=None,
    help="pyproject.toml to read [tool.confluence-sync] from (default: the nearest "
    "pyproject.toml with that table, from the working directory upwards; its folder is the "
    "repository root, which holds the state folder .confluence-sync/).",
)

GITHUB_OPTION = click.option(
    "--github/--no-github",
    "github",
    default=None,
    help="Also print problems as GitHub Actions annotations "
    "(default: on when GITHUB_ACTIONS=true).",
)


def github_output(flag: bool | None) -> bool:
    """``--github``/``--no-github`` when given, else whether we run on a GitHub Actions runner."""
    from confluence_sync.github_report import use_annotations

    return use_annotations(flag)


@contextmanager
def json_errors(as_json: bool) -> Iterator[None]:
    """With ``--json`` stdout is one JSON document even when the command fails: the error goes
    into it (and, as always, to stderr), so a CI step that parses stdout never chokes."""
    from confluence_sync.errors import ConfluenceSyncError

    try:
        yield
    except ConfluenceSyncError as exc:
        if as_json:
            click.echo(json.dumps(error_document(exc), indent=2, ensure_ascii=False))
        raise


def error_document(exc: click.ClickException) -> dict[str, object]:
    return {"ok": False, "error": exc.format_message(), "exit_code": exc.exit_code}


API_OPTION = click.option(
    "--api",
    type=click.Choice(["auto", "v1", "v2"]),
    default=None,
    help="Confluence REST API: v2 for Cloud pages, v1 for Data Center; auto (the default, or "
    "CONFLUENCE_API) picks v2 for Cloud sites.",
)


def with_api(settings: Settings, api: str | None) -> Settings:
    """``--api`` overrides ``CONFLUENCE_API`` (already in the settings)."""
    return settings.model_copy(update={"api": api}) if api else settings
