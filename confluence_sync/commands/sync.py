"""``sync`` and ``plan`` as one function: build the site, connect, plan, apply, report.

The site is built (read, converted, validated) before connecting, so any input error stops the
run with nothing written; ``plan`` is the same run stopped before the applier, so it shows
exactly the actions ``sync`` takes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from confluence_sync.commands.desired import desired_pages, today_utc
from confluence_sync.commands.state import read_state, resolve_root
from confluence_sync.config import Settings, git_output
from confluence_sync.pages import DesiredPage
from confluence_sync.plan.build import PlanOptions, build_plan
from confluence_sync.publish.apply import ApplyOptions, Progress, apply_plan
from confluence_sync.publish.failures import FailureLog
from confluence_sync.publish.gateway import Gateway
from confluence_sync.publish.retry import RetryPolicy
from confluence_sync.publish.sync_report import Report, outcomes_of_plan
from confluence_sync.publish.target import Target, connect

log = logging.getLogger(__name__)

ProgressFactory = Callable[[int], AbstractContextManager[Progress | None]]


@dataclass(frozen=True)
class SyncOptions:
    dry_run: bool = False
    force: bool = False
    prune: bool = False
    adopt: bool = False
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
    failures = FailureLog()
    policy = RetryPolicy.observed(os.environ, failures)
    with connect(settings, allow_local=options.allow_local, policy=policy) as (gw, target):
        hooks.on_target(target)
        return sync_pages(settings, site.pages, gw, target, options, hooks, failures)


def sync_pages(
    settings: Settings,
    site_pages: Sequence[DesiredPage],
    gw: Gateway,
    target: Target,
    options: SyncOptions,
    hooks: SyncHooks | None = None,
    failures: FailureLog | None = None,
) -> Report:
    """Plan and (unless a dry run) apply a built site through an open gateway: ``sync``'s
    second half, which ``preview`` runs against its private wiki after each rebuild."""
    hooks = hooks or SyncHooks()
    root_id = resolve_root(gw, settings)
    pages = desired_pages(settings, site_pages, gw, today=today_utc())
    state = read_state(
        gw,
        settings.space,
        settings.managed_label,
        pages,
        root_id,
        site=settings.site,
        jobs=options.jobs,
        verify_attachments=options.force,
    )
    adopt = options.adopt or settings.adopt
    plan_options = PlanOptions(
        force=options.force, prune=options.prune, adopt=adopt, site=settings.site
    )
    plan = build_plan(pages, state, plan_options)
    if options.dry_run:
        return Report(target, True, outcomes_of_plan(plan.actions))
    from confluence_sync.publish import preflight  # with the HTTP stack, after the build

    preflight.require(gw, settings.space, preflight.needed_by(plan))
    apply_options = ApplyOptions(
        space=settings.space,
        labels=(*settings.labels, settings.managed_label),
        force=options.force,
        adopt=adopt,
        jobs=options.jobs,
        message=options.message,
        commit=source_commit(settings.root),
        site=settings.site,
    )
    with hooks.progress(plan.writes) as progress:
        outcomes = apply_plan(plan, gw, apply_options, progress)
    failed = failures.failures() if failures is not None else ()
    return Report(target, False, tuple(outcomes), failed)


def source_commit(root: Path) -> str | None:
    """The commit named in version messages: ``GITHUB_SHA`` in Actions, else the checkout's."""
    sha = os.environ.get("GITHUB_SHA", "").strip()
    if sha:
        return sha[:12]
    return git_output(root, "rev-parse", "--short", "HEAD")
