"""``incident new``: create today's postmortem page from the template, under the Postmortems page.

Incident pages carry our stamp (so ``--update`` can apply the same wiki-edit conflict rule as
``sync``) but not the managed label: they have no source in the guide, and ``sync`` must never
report them as orphans or prune them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from confluence_sync.config import Settings
from confluence_sync.errors import ConfigError, ConflictError, InputError, Problem
from confluence_sync.plan.model import DesiredPage, PageId, PageKey, RemotePage, SyncStamp
from confluence_sync.publish.apply import TOOL
from confluence_sync.publish.gateway import Gateway, PageWrite
from confluence_sync.publish.sync import resolve_root
from confluence_sync.publish.target import Target, connect
from confluence_sync.source.site import POSTMORTEMS_KEY
from confluence_sync.template import (
    Incident,
    PostmortemTemplate,
    incident_labels,
    incident_title,
    load_incident,
    load_template,
    new_incident,
    render_incident,
    render_postmortems_page,
)


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
    url: str


def prepare_incident(settings: Settings, request: IncidentRequest, today: dt.date) -> IncidentPage:
    """Validate and render: everything that can fail on input fails here, before any connection."""
    if settings.template is None:
        raise ConfigError([Problem("pyproject.toml", "no postmortem template configured or found")])
    template = load_template(settings.template)
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
    """Create (or with ``--update`` rewrite) the dated incident page; refuses duplicates."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    page = prepare_incident(settings, request, today)
    with connect(settings, allow_local=request.allow_local) as (gateway, target):
        on_target(target)
        existing = gateway.find_page(settings.space, page.title)
        if existing is not None:
            _check_update(existing, request)
        parent = _postmortems_page(gateway, settings, page.template, today, request.dry_run)
        if request.dry_run:
            action, url = ("would update", existing.url) if existing else ("would create", "")
        else:
            action, url = _write(gateway, settings, page, existing, parent)
        shown = target.browse_url(url) if url else ""
        return IncidentResult(action, page, settings.postmortems_title, shown)


def _write(
    gateway: Gateway,
    settings: Settings,
    page: IncidentPage,
    existing: RemotePage | None,
    parent: RemotePage | None,
) -> tuple[str, str]:
    """Create the page, or rewrite the existing one; (action, page URL)."""
    write = PageWrite(
        space=settings.space,
        title=page.title,
        body=page.body,
        parent_id=parent.id if parent else None,
        labels=page.labels,
        stamp=_stamp(page, 1),
        message=f"confluence-sync: incident {page.title}",
    )
    if existing is None:
        return "created", gateway.create_page(write).url
    return "updated", _update(gateway, existing, write)


def _stamp(page: IncidentPage, version: int) -> SyncStamp:
    digest = DesiredPage(
        PageKey(f"incident:{page.title}"), page.title, page.body, labels=page.labels
    ).digest
    return SyncStamp(source=f"incident:{page.title}", digest=digest, version=version, tool=TOOL)


def _check_update(existing: RemotePage, request: IncidentRequest) -> None:
    """An existing title is refused, unless ``--update`` targets a page this tool created and
    nobody edited since (or ``--force``)."""
    if not request.update:
        raise InputError(
            [
                Problem(
                    "incident new",
                    f"a page titled '{existing.title}' already exists; "
                    "pass --update to rewrite a page created by confluence-sync",
                )
            ]
        )
    if existing.stamp is None or not existing.stamp.source.startswith("incident:"):
        raise InputError(
            [
                Problem(
                    "incident new",
                    f"'{existing.title}' was not created by confluence-sync; not touching it",
                )
            ]
        )
    if existing.version != existing.stamp.version and not request.force:
        raise ConflictError(
            f"'{existing.title}' was edited in the wiki by {existing.last_editor or 'someone'} at "
            f"{existing.last_edited or 'an unknown time'} (version {existing.version}, we wrote "
            f"{existing.stamp.version}); left alone. "
            "Pass --force to overwrite (the wiki keeps history)."
        )


def _update(gateway: Gateway, existing: RemotePage, write: PageWrite) -> str:
    version = existing.version + 1
    stamped = replace(write, parent_id=None, stamp=_stamp_from(write, version))
    updated = gateway.update_page(existing.id, version, stamped)
    gateway.set_labels(existing.id, write.labels)
    gateway.set_stamp(existing.id, stamped.stamp, existing.stamp_version)
    return updated.url or existing.url


def _stamp_from(write: PageWrite, version: int) -> SyncStamp:
    return SyncStamp(write.stamp.source, write.stamp.digest, version, write.stamp.tool)


def _postmortems_page(
    gateway: Gateway,
    settings: Settings,
    template: PostmortemTemplate,
    today: dt.date,
    dry_run: bool,
) -> RemotePage | None:
    """The Postmortems page, created under the configured parent when it is missing, stamped as
    ``sync`` would stamp it so the next ``sync`` manages it rather than reporting a clash."""
    found = gateway.find_page(settings.space, settings.postmortems_title)
    if found is not None or dry_run:
        return found
    body = render_postmortems_page(template, [], today=today, space=settings.space)
    labels = (*settings.labels, settings.managed_label)
    desired = DesiredPage(
        POSTMORTEMS_KEY, settings.postmortems_title, body, labels=tuple(settings.labels)
    )
    root: PageId = resolve_root(gateway, settings)
    stamp = SyncStamp(source=POSTMORTEMS_KEY, digest=desired.digest, version=1, tool=TOOL)
    write = PageWrite(
        settings.space,
        desired.title,
        body,
        root,
        labels,
        stamp,
        "confluence-sync: postmortems index",
    )
    return gateway.create_page(write)
