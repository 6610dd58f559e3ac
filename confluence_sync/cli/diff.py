"""``diff``: read the wiki, compare it with the repo, print which side changed each page.

The use case is ``commands/diff.py``; the comparison is pure and lives in ``plan/diff.py`` (its
printing in ``plan/diff_output.py``). This module parses options and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from confluence_sync.cli.options import API_OPTION, CONFIG_OPTION, json_errors, with_api

if TYPE_CHECKING:
    from confluence_sync.plan.drift import DiffReport

Echo = Callable[..., None]


@dataclass(frozen=True)
class DiffOptions:
    """What the user asked for on the command line."""

    paths: tuple[Path, ...] = ()
    as_json: bool = False
    stat: bool = False
    colour: bool = False
    config_path: Path | None = None
    allow_local: bool = False
    api: str | None = None
    verbose: bool = False


@click.command("diff")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document (Target line on stderr)."
)
@click.option("--stat", is_flag=True, help="Only count changed lines per page.")
@click.option(
    "--color",
    "--colour",
    "color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the diff (auto: only on a terminal).",
)
@click.option("--verbose", is_flag=True, help="Say why pages are in sync (e.g. 'comments only').")
@CONFIG_OPTION
@click.option("--local", is_flag=True, help="Allow the embedded local wiki even when CI=true.")
@API_OPTION
def diff_command(
    paths: tuple[Path, ...],
    as_json: bool,
    stat: bool,
    color: str,
    verbose: bool,
    config_path: Path | None,
    local: bool,
    api: str | None,
) -> None:
    """Show how the wiki differs from the repo, and which side changed each page.

    Each page is: in sync, repo changed, wiki edited, both changed, missing in wiki or orphan in
    wiki; pages that differ get a unified diff (wiki -> repo) naming the last wiki editor.
    PATH limits the report to sources under it. Read-only. Exit 0 when nothing differs, 1 when
    something does, 2 for bad input, 3 when the wiki cannot be read.

    \b
    Example:
      confluence-sync diff content/resources --stat
    """
    import sys

    from confluence_sync.plan.drift_output import use_colour

    colour = False if as_json else use_colour(color, sys.stdout.isatty())
    options = DiffOptions(paths, as_json, stat, colour, config_path, local, api, verbose)
    with json_errors(as_json):
        report = run_diff(options, click.echo)
    raise SystemExit(0 if report.ok else 1)


def run_diff(options: DiffOptions, echo: Echo, *, cwd: Path | None = None) -> DiffReport:
    """Compare and print via ``echo``; the caller turns ``report.ok`` into the exit status."""
    from confluence_sync.commands.diff import run_diff as compare
    from confluence_sync.config import load_settings
    from confluence_sync.plan.drift_output import render_json, render_text

    settings = with_api(load_settings(options.config_path), options.api)
    report, target = compare(
        settings,
        options.paths,
        cwd=cwd,
        allow_local=options.allow_local,
        on_target=lambda target: echo(target.describe(), err=options.as_json),
    )
    if options.as_json:
        echo(render_json(report, target.to_json(), target.page_link))
    else:
        text = render_text(report, stat=options.stat, colour=options.colour, notes=options.verbose)
        echo(text, color=options.colour)
    return report
