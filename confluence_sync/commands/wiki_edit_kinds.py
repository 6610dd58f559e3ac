"""What a person's edit since our stamp amounts to, for the pages the planner would otherwise
call a conflict: inline comments alone, the content the repository holds now (``pull``
brought it back), or a real edit.

A reviewer's comment adds a marker to the storage and usually a version; a conflict for it
would stay until someone forced over the comment. So each edited page costs one read of its
current body and, when that body carries markers, one of the version our stamp names: equal
content (markers aside, ``canonical.py``) means only comments were added.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from enum import Enum

from confluence_sync.convert.canonical import same_content
from confluence_sync.convert.comment_markers import has_markers
from confluence_sync.pages import DesiredPage, PageId, PageKey, RemotePage
from confluence_sync.plan.drift import stamped_body
from confluence_sync.publish.gateway import Gateway


class EditKind(Enum):
    COMMENTS = "comments"
    PULLED = "pulled"
    EDIT = "edit"


def edit_kind(gateway: Gateway, remote: RemotePage, page: DesiredPage) -> EditKind:
    """One edited page: comments only, pulled back, or a person's edit."""
    assert remote.stamp is not None
    body = gateway.page_body(remote.id)
    if remote.title != page.title:  # a rename in the wiki is a person's edit
        return EditKind.EDIT
    stamped = stamped_body(gateway, remote) if has_markers(body) else None
    if stamped is not None and same_content(body, stamped) and _stamped_is_ours(gateway, remote):
        return EditKind.COMMENTS
    return EditKind.PULLED if same_content(body, page.body) else EditKind.EDIT


def _stamped_is_ours(gateway: Gateway, remote: RemotePage) -> bool:
    """The version the stamp names is an earlier one, and our account wrote it: a stamp a
    person bumped to their own version proves nothing, so their edit is never taken for
    comments alone (``plan/identity.py``, written_by_us)."""
    assert remote.stamp is not None
    number = remote.stamp.version
    return number < remote.version and gateway.version_note(remote.id, number).by_us


def sort_edits(
    gateway: Gateway,
    desired: Sequence[DesiredPage],
    edited: Sequence[RemotePage],
    pool: ThreadPoolExecutor,
) -> tuple[frozenset[PageId], frozenset[PageId]]:
    """The ids of the edited pages that were only commented on, and of those pulled back."""
    by_key = {page.key: page for page in desired}
    candidates = [r for r in edited if r.stamp is not None and r.stamp.source in by_key]

    def kind(remote: RemotePage) -> EditKind:
        assert remote.stamp is not None
        return edit_kind(gateway, remote, by_key[PageKey(remote.stamp.source)])

    kinds = list(pool.map(kind, candidates))
    pairs = list(zip(candidates, kinds, strict=True))
    commented = frozenset(r.id for r, kind in pairs if kind is EditKind.COMMENTS)
    pulled = frozenset(r.id for r, kind in pairs if kind is EditKind.PULLED)
    return commented, pulled
