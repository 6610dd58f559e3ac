"""``diff``: read the wiki, compare it with what ``sync`` would write, say which side changed.

It starts from the same desired state and the same remote state as ``sync`` (the Postmortems
index rendered from the wiki's incidents, pages matched by the one identity rule), so a space
that ``sync`` just wrote is always "in sync". It only reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from confluence_sync.commands.desired import desired_pages, today_utc
from confluence_sync.commands.space_template import space_template_state
from confluence_sync.commands.state import read_state, resolve_root
from confluence_sync.config import Settings
from confluence_sync.errors import InputError, Problem
from confluence_sync.pages import DesiredPage
from confluence_sync.plan.drift import DiffReport, collect_diff, source_filter
from confluence_sync.plan.template_drift import template_diff
from confluence_sync.publish.gateway import Gateway
from confluence_sync.publish.target import Target, connect


def run_diff(
    settings: Settings,
    paths: Sequence[Path] = (),
    *,
    cwd: Path | None = None,
    allow_local: bool = False,
    on_target: Callable[[Target], None] = lambda target: None,
) -> tuple[DiffReport, Target]:
    """Compare every page (or those whose source is under ``paths``)."""
    from confluence_sync.source import build_site

    select = source_filter(repo_sources(paths, settings.root, cwd or Path.cwd()))
    site = build_site(settings)
    with connect(settings, allow_local=allow_local) as (gateway, target):
        on_target(target)
        report, _ = compare_with_wiki(settings, gateway, site.pages, select)
        return report, target


def compare_with_wiki(
    settings: Settings,
    gateway: Gateway,
    site_pages: Sequence[DesiredPage],
    select: Callable[[str], bool],
) -> tuple[DiffReport, tuple[DesiredPage, ...]]:
    """The diff of the selected pages against the desired state (returned with it): what
    ``diff`` prints and what ``pull`` brings back."""
    root_id = resolve_root(gateway, settings)
    pages = desired_pages(settings, site_pages, gateway, today=today_utc())
    state = read_state(
        gateway, settings.space, settings.managed_label, pages, root_id, site=settings.site
    )
    report = collect_diff(gateway, pages, state, select=select, site=settings.site)
    return with_space_template(report, settings, gateway, pages, select), pages


def with_space_template(
    report: DiffReport,
    settings: Settings,
    gateway: Gateway,
    pages: Sequence[DesiredPage],
    select: Callable[[str], bool],
) -> DiffReport:
    """The space template's entry after the pages (one read), when there is a template."""
    found = space_template_state(gateway, settings, pages)
    if found is None or not select(found[0].source):
        return report
    return replace(report, pages=(*report.pages, template_diff(*found)))


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
