"""Our own writes in a page's history: the version message that marks them, and the check that
tells an interrupted run of ours apart from an edit by a person.

Every version we write carries ``confluence-sync: <source>`` (after a ``--message`` in
brackets), so a page that moved past its stamp only by versions with that mark was not edited
by anyone else: a run died between its page write and its stamp write, and the next run simply
finishes the job instead of reporting a conflict.
"""

from __future__ import annotations

from confluence_sync.pages import RemotePage
from confluence_sync.publish.gateway import Gateway

MARK = "confluence-sync: "
MAX_VERSIONS_CHECKED = 10  # more unstamped versions than that is not one interrupted run


def version_message(source: str, *, message: str | None = None, commit: str | None = None) -> str:
    """``confluence-sync: <source> @ <commit>``, or ``<message> [confluence-sync: <source>]``."""
    if message:
        return f"{message} [{MARK}{source}]"
    suffix = f" @ {commit}" if commit else ""
    return f"{MARK}{source}{suffix}"


def is_our_message(message: str, source: str) -> bool:
    ours = MARK + source
    return message == ours or message.startswith(ours + " @ ") or message.endswith(f"[{ours}]")


def versions_are_ours(gateway: Gateway, page: RemotePage) -> bool:
    """True when every version after the stamped one was written by us for the stamp's
    source. One read per such version; only pages ahead of their stamp are asked."""
    stamp = page.stamp
    if stamp is None or page.version <= stamp.version:
        return False
    if page.version - stamp.version > MAX_VERSIONS_CHECKED:
        return False
    return all(
        is_our_message(gateway.version_message(page.id, number), stamp.source)
        for number in range(stamp.version + 1, page.version + 1)
    )
