"""Options shared by several commands, defined once so their names and help texts cannot drift
apart between commands (CI scripts and the pre-commit hook rely on them)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from confluence_sync.config import Settings
    from confluence_sync.errors import Problem

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


JSON_OPTION = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON document on stdout instead of text (messages go to stderr).",
)


def problems_json(problems: Iterable[Problem]) -> list[dict[str, object]]:
    """Problems as ``--json`` documents carry them: path, line, level, message."""
    return [
        {"path": p.path, "line": p.line, "level": p.level, "message": p.message} for p in problems
    ]


def print_json(document: Mapping[str, object]) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@contextmanager
def input_errors_as_json(as_json: bool, base: Mapping[str, object]) -> Iterator[None]:
    """With ``--json``, an input error (bad config, content, template) is the document: ``ok``
    false, the problems, the exit code; the summary still goes to stderr."""
    from confluence_sync.errors import ConfluenceSyncError, InputError

    try:
        yield
    except InputError as exc:
        if as_json:
            print_json(
                {
                    **base,
                    "ok": False,
                    "problems": problems_json(exc.problems),
                    "error": exc.summary() if exc.problems else exc.format_message(),
                    "exit_code": exc.exit_code,
                }
            )
        raise
    except ConfluenceSyncError as exc:
        if as_json:
            print_json({**base, **error_document(exc)})
        raise


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
