"""Everything the planner needs to know about the wiki, read in as few requests as possible.

One read of the account we write as (a version is ours only when that account wrote it), one
CQL query for our pages (which also takes in stamped pages under the root that lost our label),
a few for the titles we want that no stamped page holds (to find a page someone wrote by hand
before creating over it, and one body read for each such unstamped first version, which may be
our own create that died before its stamp), one read per unstamped version of pages that moved
past their stamp (to tell our own interrupted writes from a person's edit, and comments or a
pulled edit from a real one: ``wiki_edit_kinds.py``), and one attachment listing per page with
attachments when ``--force`` asks for them to be verified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from confluence_sync.commands.wiki_edit_kinds import sort_edits
from confluence_sync.config import Settings
from confluence_sync.errors import ConfigError, RemoteError
from confluence_sync.pages import INCIDENT_PREFIX, DesiredPage, PageId, PageKey, RemotePage
from confluence_sync.plan.build import RemoteState
from confluence_sync.plan.identity import (
    belongs,
    by_source,
    checked,
    edited_since_stamp,
    title_key,
)
from confluence_sync.publish.failures import ApiFailure
from confluence_sync.publish.gateway import Gateway
from confluence_sync.publish.history import unstamped_is_ours, versions_are_ours


def resolve_root(gateway: Gateway, settings: Settings) -> PageId:
    """The page the guide hangs under: ``parent`` (an id or a title) or the space home page.
    The space is looked up either way, so a missing space is a clear error before anything
    else is read or written."""
    home = gateway.home_page(settings.space)
    parent = settings.parent
    if parent is None:
        return home
    if parent.isdigit():
        return _existing_parent(gateway, PageId(parent), settings.space)
    found = gateway.find_page(settings.space, parent)
    if found is None:
        raise ConfigError(f"parent page {parent!r} not found in space {settings.space}")
    return found.id


def _existing_parent(gateway: Gateway, parent: PageId, space: str) -> PageId:
    """The configured parent, read once: a parent someone deleted (or trashed) is a clear
    error before anything is planned, never a ``move`` that fails later with a bare 404."""
    try:
        gateway.page(parent)
    except ApiFailure as failure:
        if failure.status != 404:
            raise
        raise RemoteError(
            f"the configured parent page {parent} (parent in pyproject.toml) is not in space "
            f"{space}: it was deleted or moved to the trash; restore it or change parent"
        ) from None
    return parent


def read_state(
    gateway: Gateway,
    space: str,
    label: str,
    desired: Sequence[DesiredPage],
    root_id: PageId,
    *,
    site: str = "",
    jobs: int = 4,
    verify_attachments: bool = False,
) -> RemoteState:
    """The wiki's side of a plan for ``desired``; ``label`` marks the pages to read at once.

    Attachments are listed only when asked (``sync --force``): the stamp, written after them,
    already says whether our uploads finished, so a plain run pays nothing per page for them;
    an attachment a person deleted since is a wiki edit, shown by ``diff``."""
    gateway.account()  # who we write as: read once, before any page is judged by its author
    managed = _in_sight(gateway.managed_pages(space, label, root_id), label)
    stamped, _ = by_source(p for p in managed if belongs(p, site))
    titles = [page.title for page in desired if page.key not in stamped]
    titled = gateway.pages_titled(space, titles) if titles else []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        ahead = [r for r in map(checked, (*managed, *titled)) if edited_since_stamp(r)]
        verdicts = pool.map(lambda r: versions_are_ours(gateway, r), ahead)
        ours = frozenset(r.id for r, mine in zip(ahead, verdicts, strict=True) if mine)
        listings = (
            _attachment_listings(gateway, desired, stamped, pool) if verify_attachments else {}
        )
        unfinished = _unfinished_creates(gateway, desired, titled, pool)
        edited = [r for r in ahead if r.id not in ours]
        commented, pulled = sort_edits(gateway, desired, edited, pool)
    return RemoteState(
        root_id,
        tuple(managed),
        tuple(titled),
        ours,
        listings,
        unfinished,
        pulled,
        commented=commented,
        label=label,
    )


def _in_sight(found: list[RemotePage], label: str) -> list[RemotePage]:
    """The labelled pages, and our pages a person took the label off, kept in sight (orphans,
    prune, diff). Incident pages never carry the managed label (``incident new``): they are
    not among the latter."""
    return [p for p in found if label in p.labels or not p.source.startswith(INCIDENT_PREFIX)]


def _unfinished_creates(
    gateway: Gateway,
    desired: Sequence[DesiredPage],
    titled: Sequence[RemotePage],
    pool: ThreadPoolExecutor,
) -> frozenset[PageId]:
    """Unstamped pages that are our own writes whose stamp never landed (on REST v2 a create
    is page, labels, then stamp: three requests a kill can split); the rule is
    ``unstamped_is_ours``, which the applier's re-plan uses too."""
    wanted = {title_key(page.title): page for page in desired}
    suspects = [r for r in titled if r.stamp is None and title_key(r.title) in wanted]
    verdicts = pool.map(
        lambda r: unstamped_is_ours(gateway, r, wanted[title_key(r.title)]), suspects
    )
    return frozenset(r.id for r, mine in zip(suspects, verdicts, strict=True) if mine)


def _attachment_listings(
    gateway: Gateway,
    desired: Sequence[DesiredPage],
    stamped: Mapping[PageKey, RemotePage],
    pool: ThreadPoolExecutor,
) -> dict[PageId, dict[str, str | None]]:
    """Attachments of the pages that the stamp says are complete: an attachment deleted or
    replaced in the wiki since is then repaired, not believed."""
    targets: list[PageId] = []
    for page in desired:
        remote = stamped.get(page.key)
        stamp = remote.stamp if remote is not None else None
        if page.attachments and remote is not None and stamp is not None:
            complete = stamp.digest == page.digest and remote.version == stamp.version
            if complete:
                targets.append(remote.id)
    found = pool.map(lambda page_id: gateway.attachments(page_id), targets)
    return {
        page_id: {a.filename: a.sha256 for a in listing}
        for page_id, listing in zip(targets, found, strict=True)
    }
