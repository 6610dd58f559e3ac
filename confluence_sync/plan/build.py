"""The planner: a pure function from what the repo wants and what the wiki has to actions.

No I/O happens here, so the same rules drive ``plan``, ``sync --dry-run`` and ``sync``, and the
applier can call it again for a single page after re-reading it (a 409 means "re-plan").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from confluence_sync.plan.actions import ActionKind, PageAction, Plan
from confluence_sync.plan.model import DesiredPage, PageId, PageKey, RemotePage


def build_plan(
    desired: Sequence[DesiredPage],
    remote: Iterable[RemotePage],
    *,
    root_id: PageId,
    force: bool = False,
    prune: bool = False,
) -> Plan:
    """Decide create/update/skip/move/conflict for every desired page and orphan/delete for
    managed pages whose source is gone. Identity is the source key in our stamp, never the
    title, so a renamed page is updated in place."""
    matched, extra = match_remote(remote)
    wanted = {page.key for page in desired}
    depths = desired_depths(desired)
    actions = [
        plan_page(
            page,
            matched.get(page.key),
            expected_parent(page, matched, root_id),
            force=force,
            depth=depths[page.key],
        )
        for page in desired
    ]
    actions.sort(key=lambda a: a.depth)  # stable: keeps the site's order within a level
    leftovers = [r for key, r in matched.items() if key not in wanted] + extra
    actions.extend(plan_orphans(leftovers, prune=prune))
    return Plan(actions=tuple(actions), root_id=root_id)


def match_remote(
    remote: Iterable[RemotePage],
) -> tuple[dict[PageKey, RemotePage], list[RemotePage]]:
    """Index stamped pages by source. Should two pages claim the same source (a crash between
    two writers), the most recently written one wins and the other becomes an orphan."""
    matched: dict[PageKey, RemotePage] = {}
    extra: list[RemotePage] = []
    for page in remote:
        if page.stamp is None:
            continue  # labelled by hand, not ours: never touched
        key = PageKey(page.stamp.source)
        current = matched.get(key)
        if current is None or page.version > current.version:
            if current is not None:
                extra.append(current)
            matched[key] = page
        else:
            extra.append(page)
    return matched, extra


def desired_depths(desired: Sequence[DesiredPage]) -> dict[PageKey, int]:
    """Distance from the configured root; a parent outside the site counts as the root."""
    parents: Mapping[PageKey, PageKey | None] = {p.key: p.parent for p in desired}
    depths: dict[PageKey, int] = {}
    for key in parents:
        chain: list[PageKey] = []
        node: PageKey | None = key
        while node is not None and node in parents and node not in depths and node not in chain:
            chain.append(node)
            node = parents[node]
        base = depths.get(node, -1) if node is not None else -1
        for offset, item in enumerate(reversed(chain), start=1):
            depths[item] = base + offset
    return depths


def expected_parent(
    page: DesiredPage, matched: Mapping[PageKey, RemotePage], root_id: PageId
) -> PageId | None:
    """The page id the page should hang under, or None when the parent is yet to be created."""
    if page.parent is None:
        return root_id
    parent = matched.get(page.parent)
    return parent.id if parent else None


def plan_page(
    page: DesiredPage,
    remote: RemotePage | None,
    parent_id: PageId | None,
    *,
    force: bool = False,
    depth: int = 0,
) -> PageAction:
    """The rules of DESIGN.md "Change and conflict rules" for one page."""

    def act(kind: ActionKind, reason: str) -> PageAction:
        return PageAction(kind, page.title, page.key, reason, page, remote, depth)

    if remote is None:
        return act(ActionKind.CREATE, "new page")
    stamp = remote.stamp
    assert stamp is not None, "only stamped pages are matched"
    if remote.version > stamp.version:
        who = describe_edit(remote)
        if force:
            return act(ActionKind.UPDATE, f"overwrites the wiki edit {who} (--force)")
        return act(ActionKind.CONFLICT, f"edited in the wiki {who}; left alone (use --force)")
    if remote.version < stamp.version:
        return act(ActionKind.UPDATE, "an earlier write did not finish")
    if stamp.digest != page.digest:
        return act(ActionKind.UPDATE, change_reason(page, remote, parent_id))
    if parent_id != remote.parent_id:
        where = "its parent is new" if parent_id is None else "parent differs in the wiki"
        return act(ActionKind.MOVE, where)
    return act(ActionKind.SKIP, "unchanged")


def describe_edit(remote: RemotePage) -> str:
    editor = remote.last_editor or "someone"
    when = f" at {remote.last_edited}" if remote.last_edited else ""
    stamp_version = remote.stamp.version if remote.stamp else "?"
    return f"by {editor}{when} (version {stamp_version} -> {remote.version})"


def change_reason(page: DesiredPage, remote: RemotePage, parent_id: PageId | None) -> str:
    """Say what changed as far as we can tell without fetching the body."""
    parts: list[str] = []
    if remote.title != page.title:
        parts.append(f"renamed from {remote.title!r}")
    if parent_id != remote.parent_id:
        parts.append("moved")
    return ", ".join(parts) if parts else "changed in the repo"


def plan_orphans(leftovers: Sequence[RemotePage], *, prune: bool) -> list[PageAction]:
    """Orphans deepest first, so pruning removes children before their parents."""
    by_id = {page.id: page for page in leftovers}

    def depth(page: RemotePage) -> int:
        seen = 0
        node = page
        while node.parent_id in by_id and seen < len(by_id):
            node = by_id[node.parent_id]
            seen += 1
        return seen

    kind, reason = (
        (ActionKind.DELETE, "source removed; pruned")
        if prune
        else (ActionKind.ORPHAN, "source removed (use --prune to delete)")
    )
    return [
        PageAction(kind, page.title, page.source, reason, None, page, depth(page))
        for page in sorted(leftovers, key=depth, reverse=True)
    ]
