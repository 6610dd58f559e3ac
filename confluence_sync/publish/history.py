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
    """True when every version after the stamp was written by our account for the stamp's
    source (its message carries our mark, and its author is the account we write as).

    Versions are read newest first, one request each, and only for pages ahead of their
    stamp. A version whose message carries a digest stamped the page itself, so the walk
    stops there: what came before it was settled by the run that wrote it."""
    stamp = page.stamp
    if stamp is None or not 1 <= stamp.version < page.version:
        return False  # a stamp claiming no version the page had is damaged, not ours
    for number in range(page.version, max(stamp.version, page.version - MAX_VERSIONS_CHECKED), -1):
        note = gateway.version_note(page.id, number)
        message = note.message
        if not (note.by_us and is_our_message(message, stamp.source)):
            return False  # the mark is a hint: only a version our own account wrote is ours
        if message_digest(message, stamp.source) is not None:
            return True
    return page.version - stamp.version <= MAX_VERSIONS_CHECKED


def unstamped_is_ours(gateway: Gateway, remote: RemotePage, page: DesiredPage) -> bool:
    """True when an unstamped page holding ``page``'s title is our own write whose stamp has
    not landed (yet): a create that died, or another run's create still between its page and
    its stamp request. Our account wrote every version, and at version 1 the body is exactly
    the page we want; later versions all carry our mark for that page (a takeover that died
    before its stamp). The planner of the next run and the applier's re-plan in the same run
    both decide by this rule."""
    if remote.stamp is not None or not remote.by_us:
        return False
    if remote.version == 1:
        return same_content(gateway.page_body(remote.id), page.body)
    if remote.version - 1 > MAX_VERSIONS_CHECKED:
        return False
    notes = (gateway.version_note(remote.id, n) for n in range(2, remote.version + 1))
    return all(note.by_us and is_our_message(note.message, page.key) for note in notes)
