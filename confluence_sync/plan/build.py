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
from confluence_sync.plan.identity import (
    Claim,
    Identity,
    Match,
    edited_since_stamp,
    identify,
    stamp_ahead,
    written_by_us,
)
from confluence_sync.plan.moves import moved_away, moved_in_wiki


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
    label: str = ""  # the managed label: a page of ours without it gets it back

    def describe_page(self, page_id: PageId | None) -> str:
        """``'Title' (id 42)`` for a page the state holds, else ``page 42``."""
        for page in (*self.managed, *self.titled):
            if page.id == page_id:
                return f"'{page.title}' (id {page_id})"
        return "the space root" if page_id is None else f"page {page_id}"


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
        actions.extend(
            plan_orphans(
                identity.leftovers,
                prune=options.prune,
                site=options.site,
                force=options.force,
                disputed=identity.disputed,
                ours=state.ours_since_stamp,
            )
        )
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
        label=state.label,
    )
    if moved_in_wiki(match.remote, parent_id):
        action = replace(action, reason=_moved_reason(action, match.remote, state, options))
    if match.reason and action.kind is not ActionKind.CONFLICT:
        return act(action.kind, f"{action.reason} ({match.reason})")
    return action


def _moved_reason(
    action: PageAction, remote: RemotePage, state: RemoteState, options: PlanOptions
) -> str:
    """Say where a person moved the page, and whether it stays there."""
    by = f" by {remote.last_editor}" if edited_since_stamp(remote) and remote.last_editor else ""
    where = f"moved in the wiki{by} under {state.describe_page(remote.parent_id)}"
    if action.kind is ActionKind.MOVE:
        return f"{where}; moved back under its parent in the repo (--force)"
    if action.kind is ActionKind.SKIP:
        return f"{where}; left there (use --force to move it back)"
    if action.kind is ActionKind.CONFLICT:
        return f"{action.reason}; it was also {where}"
    return f"{action.reason}; {where}, left there"


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
    label: str = "",
) -> PageAction:
    """The rules of "How sync decides" for a page that is ours (it carries our stamp)."""

    def act(kind: ActionKind, reason: str) -> PageAction:
        return PageAction(kind, page.title, page.key, reason, page, remote)

    stamp = remote.stamp
    if stamp is None:  # adopted earlier in this run, or its stamp was lost: rewrite it
        return act(ActionKind.UPDATE, "not stamped yet")
    if stamp_ahead(remote):
        return act(*_damaged(remote, force=force))
    if edited_since_stamp(remote) and commented:
        return act(*_commented(page, remote, parent_id))
    if edited_since_stamp(remote):
        moved_on = _moved_on(remote, page.key, force=force, ours=ours_since_stamp, pulled=pulled)
        return act(*moved_on)
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
    if label and label not in remote.labels:
        return act(ActionKind.REPAIR, f"label {label} was removed in the wiki; restored")
    if parent_id != remote.parent_id:
        if moved_in_wiki(remote, parent_id) and not force:
            return act(ActionKind.SKIP, "moved in the wiki")
        where = "its parent is new" if parent_id is None else "parent differs in the wiki"
        return act(ActionKind.MOVE, where)
    return act(ActionKind.SKIP, "unchanged")


def _damaged(remote: RemotePage, *, force: bool) -> tuple[ActionKind, str]:
    """A stamp claiming a version the page never had was edited by hand: it proves nothing,
    so the page is left alone unless ``--force`` rewrites it (and its stamp)."""
    assert remote.stamp is not None
    what = (
        f"stamp damaged: it claims version {remote.stamp.version}, the page is at version "
        f"{remote.version} (last edited by {remote.last_editor or 'someone'})"
    )
    if force:
        return ActionKind.UPDATE, f"{what}; rewritten (--force)"
    return ActionKind.CONFLICT, f"{what}; left alone (use --force to rewrite it)"


def _moved_on(
    remote: RemotePage, source: PageKey, *, force: bool, ours: bool, pulled: bool
) -> tuple[ActionKind, str]:
    """A page whose version passed its stamp (or whose stamped version another account wrote):
    our own unfinished write, a person's edit that the repository has taken in (``pull``),
    or a person's edit, left alone with both ways out spelled as commands."""
    if ours:
        return ActionKind.UPDATE, "finishing an interrupted write"
    if pulled:
        # a person's version is never made ours by a stamp alone: it is written again, so
        # the current version is our account's (see plan/identity.py, written_by_us)
        return ActionKind.UPDATE, "the wiki's edit is in the repo now (pulled); written as ours"
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
    """Versions since our stamp that only added inline comments: not a conflict. The page is
    written again (with the repo's changes, if any) and every marker is put back around its
    text (``publish/comment_keeping.py``), so the version on top is our account's."""
    assert remote.stamp is not None
    who = describe_edit(remote)
    if remote.stamp.digest == page.digest:
        # a stamp alone never makes a person's version ours (plan/identity.py, written_by_us):
        # the page is written again with every marker put back, so the version on top is ours
        return ActionKind.UPDATE, f"comments only in the wiki {who}; written as ours, kept"
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
    if remote.stamp is not None and remote.version == remote.stamp.version:
        # the stamp claims this version, but another account wrote it: a hand-edited stamp
        return f"by {editor}{when} (version {remote.version}, its stamp claims it as ours)"
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
    leftovers: Sequence[RemotePage],
    *,
    prune: bool,
    site: str = "",
    force: bool = False,
    disputed: frozenset[PageId] = frozenset(),
    ours: frozenset[PageId] = frozenset(),
) -> list[PageAction]:
    """Orphans deepest first, so pruning removes children before their parents. A page stamped
    before sites existed may belong to another repository: it is reported, never pruned. Only
    a page whose current version is ours is pruned: a person's work since our last write is a
    conflict naming them (``--prune --force`` deletes it); a damaged stamp is never a reason
    to delete."""
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
        if page.id in disputed:
            verb = ActionKind.ORPHAN
            why = "source removed; stamp damaged (another page claims it too), so not pruned"
        elif verb is ActionKind.DELETE and not (written_by_us(page) or page.id in ours):
            verb, why = _touched_orphan(page, f"edited in the wiki {describe_edit(page)}", force)
        elif verb is ActionKind.DELETE and moved_away(page):
            verb, why = _touched_orphan(
                page, f"moved in the wiki under page {page.parent_id}", force
            )
        actions.append(PageAction(verb, page.title, page.source, why, None, page, depth(page)))
    return actions


def _touched_orphan(page: RemotePage, what: str, force: bool) -> tuple[ActionKind, str]:
    """An orphan a person touched since our last write: theirs to keep unless forced."""
    if force:
        return ActionKind.DELETE, f"source removed; {what}; pruned (--force)"
    return (
        ActionKind.CONFLICT,
        f"source removed, but {what} since our last write; "
        "not pruned (use --prune --force to delete it)",
    )


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
