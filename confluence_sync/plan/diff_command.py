"""The ``diff`` command's one function: read settings and site, read the wiki, print, exit status.

Lives outside ``cli.py`` so the command stays a thin option parser and this flow can be called
from tests without Click. It only reads: the gateway's ``managed_pages`` query and the bodies of
pages that might differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from confluence_sync.errors import InputError, Problem
from confluence_sync.plan.diff import DiffReport, collect_diff, source_filter
from confluence_sync.plan.diff_output import render_json, render_text


@dataclass(frozen=True)
class DiffOptions:
    """What the user asked for on the command line."""

    paths: tuple[Path, ...] = ()
    as_json: bool = False
    stat: bool = False
    colour: bool = False
    config_path: Path | None = None
    allow_local: bool = False


Echo = Callable[..., None]


def repo_sources(paths: Sequence[Path], root: Path, cwd: Path) -> list[str]:
    """PATH arguments as repo-relative posix prefixes, comparable with page sources."""
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
    from confluence_sync.publish.target import connect
    from confluence_sync.source import build_site

    settings = load_settings(options.config_path)
    select = source_filter(repo_sources(options.paths, settings.root, cwd or Path.cwd()))
    site = build_site(settings)
    with connect(settings, allow_local=options.allow_local) as (gateway, target):
        echo(target.describe(), err=options.as_json)
        report = collect_diff(
            gateway, settings.space, settings.managed_label, site.pages, select=select
        )
    if options.as_json:
        where = {"url": target.url, "space": target.space, "local": target.local}
        echo(render_json(report, where))
    else:
        echo(render_text(report, stat=options.stat, colour=options.colour), color=options.colour)
    return report
