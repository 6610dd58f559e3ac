"""The space template in ``diff``: the same states and the same unified diff as a page.

The template has no versions, so "who changed it" comes from our stamp alone (see
``template_plan``): the wiki's template hashing to the stamp means only the repo moved on.
"""

from __future__ import annotations

import difflib

from confluence_sync.convert.canonical import canonical_xhtml
from confluence_sync.plan.drift import DiffState, PageDiff
from confluence_sync.plan.template_plan import (
    DesiredTemplate,
    RemoteTemplate,
    find_ours,
    stamp_of,
    template_digest,
)


def _state(desired: DesiredTemplate, ours: RemoteTemplate | None) -> DiffState:
    if ours is None:
        return DiffState.MISSING
    stamp = stamp_of(ours.description)
    now = template_digest(ours.name, ours.body)
    if now == desired.digest:
        return DiffState.IN_SYNC
    if stamp is None:
        return DiffState.WIKI_EDITED  # someone else's template holds the name
    edited, repo_moved = now != stamp[0], stamp[0] != desired.digest
    if edited and repo_moved:
        return DiffState.BOTH_CHANGED
    return DiffState.WIKI_EDITED if edited else DiffState.REPO_CHANGED


def template_diff(desired: DesiredTemplate, remote: list[RemoteTemplate]) -> PageDiff:
    """One diff entry for the space template, titled like its plan action."""
    ours = find_ours(desired, remote)
    state = _state(desired, ours)
    text = ""
    if state is not DiffState.IN_SYNC:
        old = canonical_xhtml(ours.body).splitlines() if ours else []
        new = canonical_xhtml(desired.body).splitlines()
        names = (f"wiki: template {ours.name}" if ours else "wiki: (none)", "repo")
        text = "\n".join(
            difflib.unified_diff(old, new, fromfile=names[0], tofile=names[1], lineterm="")
        )
    return PageDiff(
        title=f"{desired.name} (space template)",
        source=desired.source,
        state=state,
        diff=text,
    )
