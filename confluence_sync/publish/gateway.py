"""The narrow interface between our code and a Confluence-like server.

Everything above this line speaks in ``RemotePage`` and friends; the adapter below it
(``atlassian.py``) is the only place that sees library dicts, so a REST v2 adapter can be added
without touching planning or applying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from confluence_sync.pages import AttachmentFile, PageId, RemotePage, SyncStamp


@dataclass(frozen=True)
class PageWrite:
    """Everything one create or update sends. ``parent_id`` None keeps the current parent."""

    space: str
    title: str
    body: str
    parent_id: PageId | None
    labels: tuple[str, ...]
    stamp: SyncStamp
    message: str = ""


@dataclass(frozen=True)
class VersionNote:
    """One past version of a page: its message, and whether our own account wrote it."""

    message: str
    by_us: bool


@dataclass(frozen=True)
class RemoteAttachment:
    """An attachment as the wiki has it; ``sha256`` comes from the comment we wrote, if any."""

    id: str
    filename: str
    sha256: str | None


class Gateway(Protocol):
    """Reads (cheap, many) and writes (counted, few) against one Confluence site.

    Every ``RemotePage`` a read returns carries ``message``, the current version's message
    (REST v1 ``version.message``, v2 ``version.message``), and ``update_page`` sends
    ``write.message`` as the new version's message: a one-request update stamps the page
    through it (see ``RemotePage``).
    """

    def managed_pages(
        self, space: str, label: str, under: PageId | None = None
    ) -> list[RemotePage]:
        """All pages carrying ``label`` in ``space``, in one paginated CQL query; with
        ``under``, also the stamped pages below it that lost the label."""
        ...

    def page_body(self, page_id: PageId, version: int | None = None) -> str:
        """The storage body, now or as it was at ``version`` (what we published, for pull)."""
        ...

    def find_page(self, space: str, title: str) -> RemotePage | None: ...

    def pages_titled(self, space: str, titles: Sequence[str]) -> list[RemotePage]:
        """The pages of ``space`` holding any of ``titles`` (a few CQL requests, not one per
        title): how a page someone wrote by hand is found before we try to create over it."""
        ...

    def page(self, page_id: PageId) -> RemotePage: ...

    def home_page(self, space: str) -> PageId: ...

    def account(self) -> str:
        """The account the tool writes as (``/user/current``), read once per gateway."""
        ...

    def version_message(self, page_id: PageId, number: int) -> str:
        """The message of version ``number`` of a page."""
        ...

    def version_note(self, page_id: PageId, number: int) -> VersionNote:
        """Version ``number``'s message and author: a version is ours only when both say so
        (tells our interrupted writes apart from a person's edit)."""
        ...

    def ancestor_ids(self, page_id: PageId) -> tuple[PageId, ...]:
        """Root first, direct parent last."""
        ...

    def child_ids(self, page_id: PageId) -> tuple[PageId, ...]: ...

    def create_page(self, write: PageWrite) -> RemotePage:
        """One request: body, parent, labels and our stamp together (stamp version 1)."""
        ...

    def update_page(self, page_id: PageId, version: int, write: PageWrite) -> RemotePage:
        """Write ``version`` (current + 1) as a minor edit; raises on a 409 version clash."""
        ...

    def set_labels(self, page_id: PageId, labels: Sequence[str]) -> None:
        """Add the labels the page lacks (labels added by people are kept)."""
        ...

    def remove_labels(self, page_id: PageId, labels: Sequence[str]) -> None:
        """Remove labels we set earlier and no longer want (a label already gone is fine)."""
        ...

    def set_stamp(self, page_id: PageId, stamp: SyncStamp, stamp_version: int | None) -> None:
        """Create (``stamp_version`` None) or update our content property."""
        ...

    def attachments(self, page_id: PageId) -> list[RemoteAttachment]: ...

    def download_attachment(
        self, page_id: PageId, filename: str, max_bytes: int | None = None
    ) -> bytes:
        """The bytes of a page's attachment (for pull: an image added in the wiki); raises
        ``AttachmentTooLarge`` before downloading one the wiki says is over ``max_bytes``."""
        ...

    def upload_attachment(
        self, page_id: PageId, file: AttachmentFile, existing: RemoteAttachment | None
    ) -> None:
        """Create the attachment, or replace ``existing``'s data; records the hash."""
        ...

    def move_page(self, page_id: PageId, parent_id: PageId) -> None: ...

    def delete_page(self, page_id: PageId) -> None: ...
