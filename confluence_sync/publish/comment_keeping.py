"""Reviewers' inline comments across our writes: read the markers of the body an update
replaces, and put them back into the body we send.

A comment's marker is in the page's storage, so an update that sent only the repo's body would
orphan every comment on the page. One body read per update is the price: the state query does
not say whether a page carries comments, and Confluence may add a marker without a new version.
What cannot be put back (its text was deleted in the repo) is returned by name, for the report.
"""

from __future__ import annotations

from typing import Protocol

from confluence_sync.convert.comment_markers import Placement, keep_markers
from confluence_sync.pages import PageId


class BodyReader(Protocol):
    def page_body(self, page_id: PageId, version: int | None = None) -> str: ...


def body_keeping_comments(reader: BodyReader, page_id: PageId, body: str) -> Placement:
    """``body`` with the comment markers of the page's current storage put back."""
    return keep_markers(reader.page_body(page_id), body)


def lost_comments(placement: Placement) -> tuple[str, ...]:
    """``comment <ref> on '<text>'`` for each marker the new body has no place for."""
    return tuple(marker.describe() for marker in placement.lost)
