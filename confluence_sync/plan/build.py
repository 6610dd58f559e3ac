"""The planner: a pure function from what the repo wants and what the wiki has to actions.

No I/O happens here, so the same rules drive ``plan``, ``sync --dry-run``, ``sync`` and
``incident new``, and the applier can call :func:`plan_page` again for a single page after
re-reading it (a 409 means "re-plan"). Everything the rules need from the wiki is read up front
into a :class:`RemoteState`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from confluence_sync.pages import DesiredPage, PageId, PageKey, RemotePage
from confluence_sync.plan.actions import ActionKind, PageAction, Plan
from confluence_sync.plan.identity import Claim, Identity, Match, identify


@dataclass(frozen=True)
class RemoteState:
    """What the wiki holds, as far as planning needs it."""

    root_id: PageId
    managed: tuple[RemotePage, ...]  # the state query: every page carrying our label
    titled: tuple[RemotePage, ...] = ()  # pages holding a title we want, found by title
    ours_since_stamp: frozenset[PageId] = frozenset()  # ahead of the stamp by our own versions
    attachments: Mapping[PageId, Mapping[str, str | None]] = field(default_factory=dict)
    # unstamped pages holding our content at version 1: a create whose stamp never landed
    unfinished: frozenset[PageId] = frozenset()
    # edited in the wiki, and the repository holds the same content now (pulled back)
    pulled: frozenset[PageId] = frozenset()
    # ahead of the stamp by versions that only added inline comments
    commented: frozenset[PageId] = frozenset()


@dataclass(frozen=True)
class PlanOptions:
    force: bool = False
    prune: bool = False
    adopt: bool = False
    orphans: bool = True  # False when planning a few pages (incident new), not the whole site
    site: str = ""  # the repository's site identity (stamped on every page we write)


def build_plan(
    desired: Sequence[DesiredPage], state: RemoteState, options: PlanOptions | None = None
) -> Plan:
    """Decide an action for every desired page, then orphan/delete for our pages nothing
    claims. Parents come before children; a child of a page that will not be written is
    ``blocked``, so the plan never promises a write the applier cannot make."""
    options = options or PlanOptions()
    identity = identify(
        desired,
        state.managed,
        state.titled,
        adopt=options.adopt,
        site=options.site,
        unfinished=state.unfinished,
    )
    depths = desired_depths(desired)
    ids = {k: m.remote.id for k, m in identity.matches.items() if m.remote and _writable(m)}
    actions: list[PageAction] = []
    unwritable: dict[PageKey, str] = {}
    for page in sorted(desired, key=lambda p: depths[p.key]):  # stable: keeps the site order
        match = identity.matches[page.key]
        action = plan_match(page, match, state, options, _parent_id(page, ids, state.root_id))
        action = replace(action, depth=depths[page.key])
        # only a page that must be written needs its parent; an unchanged child stays "skip"
        if page.parent in unwritable and action.writes:
            action = blocked(action, page.parent, unwritable[page.parent])
        if action.kind in (ActionKind.CONFLICT, ActionKind.BLOCKED):
            unwritable[page.key] = action.title
        actions.append(action)
    if options.orphans:
        actions.extend(plan_orphans(identity.leftovers, prune=options.prune, site=options.site))
    return Plan(actions=tuple(actions), root_id=state.root_id)


def _writable(match: Match) -> bool:
    return match.claim in (Claim.OURS, Claim.ADOPT)


def _parent_id(page: DesiredPage, ids: Mapping[PageKey, PageId], root: PageId) -> PageId | None:
    """The id the page should hang under; None while its parent is yet to be created."""
    if page.parent is None:
        return root
    return ids.get(page.parent)


def blocked(action: PageAction, parent: PageKey, parent_title: str) -> PageAction:
    reason = f"skipped: its parent '{parent_title}' ({parent}) is not written in this run"
    return replace(action, kind=ActionKind.BLOCKED, reason=reason)


def plan_match(
    page: DesiredPage,
    match: Match,
    state: RemoteState,
    options: PlanOptions,
    parent_id: PageId | None,
) -> PageAction:
    """One page's action from its identity match."""

    def act(kind: ActionKind, reason: str) -> PageAction:
        return PageAction(kind, page.title, page.key, reason, page, match.remote)

    if match.claim is Claim.NEW:
        return act(ActionKind.CREATE, "new page")
    if match.claim is Claim.TAKEN:
        return act(ActionKind.CONFLICT, match.reason)
    if match.claim is Claim.ADOPT:
        assert match.remote is not None
        moved = "" if parent_id == match.remote.parent_id else "; moves it under its parent"
        return act(ActionKind.ADOPT, match.reason + moved)
    assert match.remote is not None
    action = plan_page(
        page,
        match.remote,
        parent_id,
        force=options.force,
        ours_since_stamp=match.remote.id in state.ours_since_stamp,
        pulled=match.remote.id in state.pulled,
        commented=match.remote.id in state.commented,
        wiki_attachments=state.attachments.get(match.remote.id),
        site=options.site,
    )
    if match.reason and action.kind is not ActionKind.CONFLICT:
        return act(action.kind, f"{action.reason} ({match.reason})")
    return action


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


def plan_page(
    page: DesiredPage,
    remote: RemotePage,
    parent_id: PageId | None,
    *,
    force: bool = False,
    ours_since_stamp: bool = False,
    pulled: bool = False,
    commented: bool = False,
    wiki_attachments: Mapping[str, str | None] | None = None,
    site: str = "",
) -> PageAction:
    """The rules of "How sync decides" for a page that is ours (it carries our stamp)."""

    def act(kind: ActionKind, reason: str) -> PageAction:
        return PageAction(kind, page.title, page.key, reason, page, remote)

    stamp = remote.stamp
    if stamp is None:  # adopted earlier in this run, or its stamp was lost: rewrite it
        return act(ActionKind.UPDATE, "not stamped yet")
    if remote.version > stamp.version and commented:
        return act(*_commented(page, remote, parent_id))
    if remote.version > stamp.version:
        moved_on = _moved_on(remote, page.key, force=force, ours=ours_since_stamp, pulled=pulled)
        return act(*moved_on)
    if remote.version < stamp.version:
        return act(ActionKind.UPDATE, "an earlier write did not finish")
    if stamp.digest != page.digest:
        if stamp.content == page.content_digest:
            return act(ActionKind.REPAIR, "attachments did not finish uploading")
        return act(ActionKind.UPDATE, change_reason(page, remote, parent_id))
    if stamp.source != page.key:
        return act(ActionKind.REPAIR, "stamped with its new source")
    if stamp.site != site:
        return act(ActionKind.REPAIR, f"claimed for site {site} (stamped before sites existed)")
    missing = attachments_differ(page, wiki_attachments)
    if missing:
        return act(ActionKind.REPAIR, f"attachments missing or changed in the wiki: {missing}")
    if parent_id != remote.parent_id:
        where = "its parent is new" if parent_id is None else "parent differs in the wiki"
        return act(ActionKind.MOVE, where)
    return act(ActionKind.SKIP, "unchanged")


def _moved_on(
    remote: RemotePage, source: PageKey, *, force: bool, ours: bool, pulled: bool
) -> tuple[ActionKind, str]:
    """A page whose version passed its stamp: our own unfinished write, a person's edit that
    the repository has taken in (``pull``), or a person's edit, left alone with both ways out
    spelled as commands."""
    if ours:
        return ActionKind.UPDATE, "finishing an interrupted write"
    if pulled:
        return ActionKind.REPAIR, "the wiki's edit is in the repo now (pulled); restamped"
    who = describe_edit(remote)
    if force:
        return ActionKind.UPDATE, f"overwrites the wiki edit {who} (--force)"
    return ActionKind.CONFLICT, f"edited in the wiki {who}; left alone. " + ways_out(source)


def ways_out(source: str) -> str:
    """The two answers to a wiki edit, as commands to paste."""
    return (
        f"Keep the wiki's edit: confluence-sync pull {source}; "
        "overwrite it: confluence-sync sync --force"
    )


def _commented(
    page: DesiredPage, remote: RemotePage, parent_id: PageId | None
) -> tuple[ActionKind, str]:
    """Versions since our stamp that only added inline comments: not a conflict. Unchanged in
    the repo, the page is restamped at its version; changed, it is updated and every marker
    is put back around its text (``publish/comment_keeping.py``)."""
    assert remote.stamp is not None
    who = describe_edit(remote)
    if remote.stamp.digest == page.digest:
        return ActionKind.REPAIR, f"comments only in the wiki {who}; restamped"
    why = change_reason(page, remote, parent_id)
    return ActionKind.UPDATE, f"{why}; the wiki edit {who} was comments only, kept"


def attachments_differ(page: DesiredPage, wiki: Mapping[str, str | None] | None) -> str:
    """The desired attachments the wiki lacks or holds with other content, by name ("" when
    the wiki was not asked or agrees)."""
    if wiki is None:
        return ""
    names = [a.filename for a in page.attachments if wiki.get(a.filename) != a.sha256]
    return ", ".join(names)


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


def plan_orphans(
    leftovers: Sequence[RemotePage], *, prune: bool, site: str = ""
) -> list[PageAction]:
    """Orphans deepest first, so pruning removes children before their parents. A page stamped
    before sites existed may belong to another repository: it is reported, never pruned."""
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
    legacy = (ActionKind.ORPHAN, "source removed; stamped before sites existed, so not pruned")
    actions = []
    for page in sorted(leftovers, key=depth, reverse=True):
        verb, why = legacy if _legacy(page, site) else (kind, reason)
        actions.append(PageAction(verb, page.title, page.source, why, None, page, depth(page)))
    return actions


def _legacy(page: RemotePage, site: str) -> bool:
    return bool(site) and page.stamp is not None and page.stamp.site == ""


def identity_of(
    desired: Sequence[DesiredPage], state: RemoteState, *, adopt: bool, site: str = ""
) -> Identity:
    """The identity matching ``build_plan`` uses, for callers that compare rather than plan
    (``diff``)."""
    return identify(
        desired, state.managed, state.titled, adopt=adopt, site=site, unfinished=state.unfinished
    )
