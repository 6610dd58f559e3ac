"""Our own writes in a page's history: the version message that marks them, and the check that
tells an interrupted run of ours apart from an edit by a person.

Every version we write carries ``confluence-sync: <source>`` (after a ``--message`` in
brackets), so a page that moved past its stamp only by versions with that mark was not edited
by anyone else: a run died between its page write and its stamp write, and the next run simply
finishes the job instead of reporting a conflict.
"""

from __future__ import annotations

from confluence_sync.convert.canonical import same_content
from confluence_sync.pages import (
    MESSAGE_MARK,
    DesiredPage,
    RemotePage,
    is_our_message,
    message_digest,
)
from confluence_sync.publish.gateway import Gateway

MARK = MESSAGE_MARK
MAX_VERSIONS_CHECKED = 10  # more unstamped versions than that is not one interrupted run

__all__ = [
    "MARK",
    "is_our_message",
    "unstamped_is_ours",
    "version_message",
    "versions_are_ours",
]


def version_message(source: str, *, message: str | None = None, commit: str | None = None) -> str:
    """``confluence-sync: <source> @ <commit>``, or ``<message> [confluence-sync: <source>]``."""
    if message:
        return f"{message} [{MARK}{source}]"
    suffix = f" @ {commit}" if commit else ""
    return f"{MARK}{source}{suffix}"


def versions_are_ours(gateway: Gateway, page: RemotePage) -> bool:
    """True when every version after the stamp was written by us for the stamp's source.

    Versions are read newest first, one request each, and only for pages ahead of their
    stamp. A version whose message carries a digest stamped the page itself, so the walk
    stops there: what came before it was settled by the run that wrote it."""
    stamp = page.stamp
    if stamp is None or page.version <= stamp.version:
        return False
    for number in range(page.version, max(stamp.version, page.version - MAX_VERSIONS_CHECKED), -1):
        message = gateway.version_message(page.id, number)
        if not is_our_message(message, stamp.source):
            return False
        if message_digest(message, stamp.source) is not None:
            return True
    return page.version - stamp.version <= MAX_VERSIONS_CHECKED


def unstamped_is_ours(gateway: Gateway, remote: RemotePage, page: DesiredPage) -> bool:
    """True when an unstamped page holding ``page``'s title is our own write whose stamp never
    landed: at version 1 its body is exactly the page we want (a create interrupted before its
    labels or stamp); later versions all carry our version mark for that page (a takeover that
    died before its stamp). Pages people wrote match neither. The planner of the next run and
    the applier's re-plan in the same run both decide by this rule."""
    if remote.stamp is not None:
        return False
    if remote.version == 1:
        return same_content(gateway.page_body(remote.id), page.body)
    if remote.version - 1 > MAX_VERSIONS_CHECKED:
        return False
    return all(
        is_our_message(gateway.version_message(remote.id, number), page.key)
        for number in range(2, remote.version + 1)
    )
