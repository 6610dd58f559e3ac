"""``incident new``: the dated postmortem page from the template, under the Postmortems page.

The page is planned and written like any other (the same identity rule, conflict rule, stamp and
recovery), and the Postmortems index is brought up to date in the same run. Incident pages carry
our stamp but not the managed label: they have no source in the guide, and ``sync`` must never
report them as orphans or prune them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from confluence_sync.commands.desired import (
    postmortems_page,
    read_records,
    today_utc,
    with_record,
)
from confluence_sync.commands.state import read_state, resolve_root
from confluence_sync.commands.sync import source_commit
from confluence_sync.config import Settings, git_output
from confluence_sync.errors import ConfigError, ConflictError, InputError, Problem, RemoteError
from confluence_sync.pages import INCIDENT_PREFIX, DesiredPage, PageId, PageKey
from confluence_sync.plan.actions import ActionKind, PageAction
from confluence_sync.plan.build import PlanOptions, build_plan
from confluence_sync.plan.identity import describe_holder
from confluence_sync.publish.apply import ApplyOptions, Outcome, apply_plan
from confluence_sync.publish.failures import ApiFailure, FailureLog
from confluence_sync.publish.gateway import Gateway
from confluence_sync.publish.retry import RetryPolicy
from confluence_sync.publish.target import Target, connect
from confluence_sync.template import (
    Incident,
    PostmortemTemplate,
    incident_labels,
    incident_title,
    load_incident,
    load_template,
    new_incident,
    read_incident_record,
    render_incident,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncidentRequest:
    """What the user asked for on the command line."""

    title: str | None = None
    date: dt.date | None = None
    severity: str | None = None
    owner: str | None = None
    from_file: Path | None = None
    dry_run: bool = False
    update: bool = False
    force: bool = False
    allow_local: bool = False


@dataclass(frozen=True)
class IncidentPage:
    """The rendered page, before it is written, with the template it was rendered from (the
    Postmortems page, when it has to be created, comes from the same template)."""

    title: str
    body: str
    labels: tuple[str, ...]
    template: PostmortemTemplate


@dataclass(frozen=True)
class IncidentResult:
    action: str  # created | updated | would create | would update
    page: IncidentPage
    parent_title: str
    url: str  # for the embedded wiki: the page's path, opened by ``wiki serve``
    local: bool = False
    failed_requests: tuple[ApiFailure, ...] = ()  # met and recovered from: the run exits 3


def prepare_incident(settings: Settings, request: IncidentRequest, today: dt.date) -> IncidentPage:
    """Validate and render: everything that can fail on input fails here, before any connection."""
    if settings.template is None:
        raise ConfigError([Problem("pyproject.toml", "no postmortem template configured or found")])
    template = load_template(settings.template)
    if request.owner is None and request.from_file is None:
        request = replace(request, owner=git_output(settings.root, "config", "user.name"))
    incident = _incident(template, request, today)
    return IncidentPage(
        title=incident_title(template, incident.date, incident.title),
        body=render_incident(template, incident),
        labels=incident_labels(template, incident),
        template=template,
    )


def _incident(template: PostmortemTemplate, request: IncidentRequest, today: dt.date) -> Incident:
    if request.from_file is not None:
        overrides = {
            "title": request.title,
            "date": request.date,
            "severity": request.severity,
            "owner": request.owner,
        }
        return load_incident(request.from_file, template, overrides=overrides)
    if not request.title:
        raise InputError([Problem("incident new", "--title: required (or give --from FILE)")])
    return new_incident(
        template,
        title=request.title,
        date=request.date or today,
        severity=request.severity,
        owner=request.owner,
    )


def publish_incident(
    settings: Settings,
    request: IncidentRequest,
    *,
    today: dt.date | None = None,
    on_target: Callable[[Target], None] = lambda target: None,
) -> IncidentResult:
    """Create (or with ``--update`` rewrite) the dated incident page, then bring the
    Postmortems index up to date with it, through the planner and the applier."""
    today = today or today_utc()
    page = prepare_incident(settings, request, today)
    failures = FailureLog()
    policy = RetryPolicy.observed(os.environ, failures)
    with connect(settings, allow_local=request.allow_local, policy=policy) as (gateway, target):
        on_target(target)
        action, url = write_incident(settings, request, gateway, page, today)
        link = target.page_link(url) if url else ""
        return IncidentResult(
            action, page, settings.postmortems_title, link, target.local, failures.failures()
        )


def write_incident(
    settings: Settings,
    request: IncidentRequest,
    gateway: Gateway,
    page: IncidentPage,
    today: dt.date,
) -> tuple[str, str]:
    """Plan and write (or only plan, for a dry run) a prepared incident page and the index
    through an open gateway; the action word and the page's URL. ``preview`` calls it for
    each example incident against its private wiki."""
    run = _IncidentRun(settings, request, gateway, page, today)
    return run.dry_run() if request.dry_run else run.write()


class _IncidentRun:
    """Two small plans: the Postmortems index (under the configured root) and the incident
    page (under the index page, which is the root of its plan)."""

    def __init__(
        self,
        settings: Settings,
        request: IncidentRequest,
        gateway: Gateway,
        page: IncidentPage,
        today: dt.date,
    ) -> None:
        self.settings, self.request, self.gw, self.page = settings, request, gateway, page
        root_id = resolve_root(gateway, settings)
        template = page.template
        records = read_records(gateway, settings.space, template)
        records = with_record(records, read_incident_record(page.title, page.body))
        index = postmortems_page(settings, template, records, today=today)
        site = settings.site
        index_state = read_state(
            gateway, settings.space, settings.managed_label, [index], root_id, site=site
        )
        self.index_plan = build_plan([index], index_state, PlanOptions(orphans=False, site=site))
        index_action = self.index_plan.actions[0]
        parent = index_action.remote.id if index_action.remote else PageId("")
        incident = DesiredPage(
            PageKey(INCIDENT_PREFIX + page.title), page.title, page.body, None, page.labels
        )
        state = read_state(
            gateway, settings.space, template.labels[0], [incident], parent, site=site
        )
        options = PlanOptions(force=request.force, orphans=False, site=site)
        self.incident_plan = build_plan([incident], state, options)
        _check_request(self.incident_plan.actions[0], request)

    def dry_run(self) -> tuple[str, str]:
        action = self.incident_plan.actions[0]
        if action.kind is ActionKind.CREATE:
            return "would create", ""
        remote = action.remote
        url = remote.url if remote else ""
        return ("unchanged", url) if action.kind is ActionKind.SKIP else ("would update", url)

    def write(self) -> tuple[str, str]:
        from confluence_sync.publish import preflight  # through the gateway: scopes first

        for plan in (self.index_plan, self.incident_plan):
            preflight.require(self.gw, self.settings.space, preflight.needed_by(plan))
        options = ApplyOptions(
            space=self.settings.space,
            labels=(*self.settings.labels, self.settings.managed_label),
            force=self.request.force,
            commit=source_commit(self.settings.root),
            site=self.settings.site,
        )
        index_action = self.index_plan.actions[0]
        incident_plan = self.incident_plan
        if index_action.kind is ActionKind.CREATE:
            created = _applied(apply_plan(self.index_plan, self.gw, options))
            incident_plan = replace(incident_plan, root_id=PageId(created.page_id or ""))
        # incident pages never carry the managed label: sync must not see them as its orphans
        mine = replace(options, labels=())
        outcome = _applied(apply_plan(incident_plan, self.gw, mine))
        if index_action.kind is not ActionKind.CREATE:
            _applied(apply_plan(self.index_plan, self.gw, options), conflicts_ok=True)
        kind = outcome.action.kind
        word = {ActionKind.CREATE: "created", ActionKind.SKIP: "unchanged"}.get(kind, "updated")
        return word, outcome.url


def _applied(outcomes: list[Outcome], *, conflicts_ok: bool = False) -> Outcome:
    """The single outcome of a one-page plan, or the error that stopped it."""
    outcome = outcomes[0]
    if outcome.error is not None:
        raise RemoteError(f"{outcome.action.title}: {outcome.error}")
    if outcome.action.kind is ActionKind.CONFLICT and conflicts_ok:
        log.warning("%s: %s", outcome.action.title, outcome.action.reason)
    return outcome


def _check_request(action: PageAction, request: IncidentRequest) -> None:
    """An existing title is refused, unless ``--update`` targets a page this tool created and
    nobody edited since (or ``--force``)."""
    if action.kind is ActionKind.CREATE:
        return
    remote = action.remote
    assert remote is not None
    ours = remote.stamp is not None and remote.stamp.source == action.source
    if not ours:
        raise InputError(
            [
                Problem(
                    "incident new",
                    f"'{remote.title}' was not created by confluence-sync "
                    f"({describe_holder(remote)}); not touching it",
                )
            ]
        )
    if not request.update:
        raise InputError(
            [
                Problem(
                    "incident new",
                    f"a page titled '{remote.title}' already exists; "
                    "pass --update to rewrite a page created by confluence-sync",
                )
            ]
        )
    if action.kind is ActionKind.CONFLICT:
        raise ConflictError(
            f"'{remote.title}' was {action.reason.split('; left alone')[0]}. "
            "Pass --force to overwrite (the wiki keeps history), or bring the edit into the "
            f"incident file with: confluence-sync incident pull '{remote.title}'"
        )
