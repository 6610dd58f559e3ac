"""``sync`` and ``plan`` as one function: build the site, connect, plan, apply, report.

The site is built (read, converted, validated) before connecting, so any input error stops the
run with nothing written.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from confluence_sync.config import Settings
from confluence_sync.errors import ConfigError
from confluence_sync.plan.build import build_plan
from confluence_sync.plan.model import PageId
from confluence_sync.publish.apply import ApplyOptions, Progress, apply_plan
from confluence_sync.publish.gateway import Gateway
from confluence_sync.publish.index import refresh_postmortems_index
from confluence_sync.publish.report import Report, outcomes_of_plan
from confluence_sync.publish.target import Target, connect

log = logging.getLogger(__name__)

ProgressFactory = Callable[[int], AbstractContextManager[Progress | None]]


@dataclass(frozen=True)
class SyncOptions:
    dry_run: bool = False
    force: bool = False
    prune: bool = False
    jobs: int = 4
    message: str | None = None
    allow_local: bool = False


@dataclass(frozen=True)
class SyncHooks:
    """How the caller hears about the run while it happens (the CLI prints and draws a bar)."""

    on_target: Callable[[Target], None] = lambda target: None
    progress: ProgressFactory = field(default=lambda total: nullcontext(None))


def run_sync(settings: Settings, options: SyncOptions, hooks: SyncHooks | None = None) -> Report:
    from confluence_sync.source import build_site

    hooks = hooks or SyncHooks()
    site = build_site(settings)  # raises InputError before anything is contacted
    with connect(settings, allow_local=options.allow_local) as (gw, target):
        hooks.on_target(target)
        root_id = resolve_root(gw, settings)
        site = refresh_postmortems_index(
            settings, site, gw, dt.datetime.now(dt.timezone.utc).date()
        )
        remote = gw.managed_pages(settings.space, settings.managed_label)
        plan = build_plan(
            site.pages, remote, root_id=root_id, force=options.force, prune=options.prune
        )
        if options.dry_run:
            return Report(target, True, outcomes_of_plan(plan.actions))
        apply_options = ApplyOptions(
            space=settings.space,
            labels=(*settings.labels, settings.managed_label),
            force=options.force,
            jobs=options.jobs,
            message=options.message,
            commit=source_commit(settings.root),
        )
        with hooks.progress(plan.writes) as progress:
            outcomes = apply_plan(plan, gw, apply_options, progress)
        return Report(target, False, tuple(outcomes))


def resolve_root(gateway: Gateway, settings: Settings) -> PageId:
    """The page the guide hangs under: ``parent`` (an id or a title) or the space home page."""
    parent = settings.parent
    if parent is None:
        return gateway.home_page(settings.space)
    if parent.isdigit():
        return PageId(parent)
    found = gateway.find_page(settings.space, parent)
    if found is None:
        raise ConfigError(f"parent page {parent!r} not found in space {settings.space}")
    return found.id


def source_commit(root: Path) -> str | None:
    """The commit named in version messages: ``GITHUB_SHA`` in Actions, else the checkout's."""
    sha = os.environ.get("GITHUB_SHA", "").strip()
    if sha:
        return sha[:12]
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            text=True,
            capture_output=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None
