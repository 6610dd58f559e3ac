"""``diff``: read the wiki, compare it with the repo, print which side changed each page.

The comparison itself is pure and lives in ``plan/diff.py`` (and its printing in
``plan/diff_output.py``); connecting to the wiki is the CLI's job, so ``run_diff`` lives here,
callable from tests without Click. It only reads: the gateway's ``managed_pages`` query and the
bodies of pages that might differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from confluence_sync.cli.options import API_OPTION, CONFIG_OPTION, with_api

if TYPE_CHECKING:
    from confluence_sync.plan.diff import DiffReport

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
@CONFIG_OPTION
@click.option("--local", is_flag=True, help="Allow the embedded local wiki even when CI=true.")
@API_OPTION
def diff_command(
    paths: tuple[Path, ...],
    as_json: bool,
    stat: bool,
    color: str,
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
      confluence-sync diff content/guides --stat
    """
    import sys

    from confluence_sync.plan.diff_output import use_colour

    colour = False if as_json else use_colour(color, sys.stdout.isatty())
    options = DiffOptions(paths, as_json, stat, colour, config_path, local, api)
    report = run_diff(options, click.echo)
    raise SystemExit(0 if report.ok else 1)


def repo_sources(paths: Sequence[Path], root: Path, cwd: Path) -> list[str]:
    """PATH arguments as repo-relative posix prefixes, comparable with page sources."""
    from confluence_sync.errors import InputError, Problem

    prefixes: list[str] = []
    problems: list[Problem] = []
    base = root.resolve()
    for path in paths:
        full = (path if path.is_absolute() else cwd / path).resolve()
        try:
            prefixes.append(full.relative_to(base).as_posix())
        except ValueError:
            problems.append(Problem(str(path), f"not inside the project at {root}"))
    if problems:
        raise InputError(problems)
    return prefixes


def run_diff(options: DiffOptions, echo: Echo, *, cwd: Path | None = None) -> DiffReport:
    """Compare every managed page (or those under ``options.paths``) and print the result via
    ``echo``; the caller turns ``report.ok`` into the exit status."""
    from confluence_sync.config import load_settings
    from confluence_sync.plan.diff import collect_diff, source_filter
    from confluence_sync.plan.diff_output import render_json, render_text
    from confluence_sync.publish.target import connect
    from confluence_sync.source import build_site

    settings = with_api(load_settings(options.config_path), options.api)
    select = source_filter(repo_sources(options.paths, settings.root, cwd or Path.cwd()))
    site = build_site(settings)
    with connect(settings, allow_local=options.allow_local) as (gateway, target):
        echo(target.describe(), err=options.as_json)
        report = collect_diff(
            gateway, settings.space, settings.managed_label, site.pages, select=select
        )
    if options.as_json:
        echo(render_json(report, target.to_json()))
    else:
        echo(render_text(report, stat=options.stat, colour=options.colour), color=options.colour)
    return report
