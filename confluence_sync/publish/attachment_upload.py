"""Attachment upload by hash: a file is sent only when the wiki's copy differs.

The hash lives in the attachment's comment (``sha256:<hex>``), which both Confluence and the
local wiki keep, so deciding costs one listing per changed page and nothing for a new page.
"""

from __future__ import annotations

from collections.abc import Sequence

from confluence_sync.pages import AttachmentFile, PageId
from confluence_sync.publish.failures import ApiFailure
from confluence_sync.publish.gateway import Gateway, RemoteAttachment


def sync_attachments(
    gateway: Gateway, page_id: PageId, files: Sequence[AttachmentFile], *, fresh: bool
) -> int:
    """Upload what changed; ``fresh`` means the page was just created and has none yet.
    Returns the number of uploads."""
    if not files:
        return 0
    existing = {} if fresh else {a.filename: a for a in gateway.attachments(page_id)}
    uploads = 0
    for file in files:
        current = existing.get(file.filename)
        if current is not None and current.sha256 == file.sha256:
            continue
        _upload(gateway, page_id, file, current)
        uploads += 1
    return uploads


def _upload(
    gateway: Gateway, page_id: PageId, file: AttachmentFile, current: RemoteAttachment | None
) -> None:
    """An upload that failed ambiguously (or clashed with a name already there) is retried
    once against what the wiki now lists, as a replace when the file exists."""
    try:
        gateway.upload_attachment(page_id, file, current)
    except ApiFailure as failure:
        if not (failure.server_or_network or failure.status == 400):
            raise
        listed = {a.filename: a for a in gateway.attachments(page_id)}
        again = listed.get(file.filename)
        if again is not None and again.sha256 == file.sha256:
            return
        gateway.upload_attachment(page_id, file, again)
