"""Attachments: files stored as versioned child content of a page, unique by file name."""

from __future__ import annotations

from dataclasses import dataclass

from confluence_sync.localwiki.api_error import ApiError, bad_request
from confluence_sync.localwiki.store.database import ContentRow, Store, VersionRow, now_iso
from confluence_sync.localwiki.store.page_rules import Pages


@dataclass(frozen=True)
class Upload:
    """One file from a multipart attachment request."""

    filename: str
    media_type: str
    data: bytes
    comment: str = ""
    # The ``minorEdit`` form field of the upload endpoints (vendored v1 schema: "If
    # `minorEdits` is set to 'true', no notification email or activity stream will be
    # generated"); kept on the version it makes. Absent, the upload stays minor as before.
    minor_edit: bool = True


class Attachments:
    """Add, replace and find the attachments of a page."""

    def __init__(self, store: Store, pages: Pages) -> None:
        self.store = store
        self.pages = pages

    def of_page(self, page_id: str) -> list[ContentRow]:
        self.pages.get(page_id)
        return self.store.children(page_id, "attachment")

    def add(self, page_id: str, upload: Upload, by: str) -> ContentRow:
        with self.store.transaction():
            page = self.pages.get(page_id)
            if any(a.title == upload.filename for a in self.of_page(page_id)):
                raise bad_request(
                    "Cannot add a new attachment with same file name as an existing attachment: "
                    f"{upload.filename}"
                )
            number = self.store.next_id()
            stamp = now_iso()
            row = ContentRow(
                id=f"att{number}",
                type="attachment",
                status="current",
                title=upload.filename,
                space_key=page.space_key,
                parent_id=page.id,
                position=number,
                body="",
                version=1,
                created_at=stamp,
                created_by=by,
                media_type=upload.media_type,
                data=upload.data,
                comment=upload.comment,
            )
            self.store.insert_content(row)
            self.store.add_version(
                VersionRow(row.id, 1, stamp, by, upload.comment, upload.minor_edit)
            )
            return row

    def replace(self, page_id: str, att_id: str, upload: Upload, by: str) -> ContentRow:
        with self.store.transaction():
            current = self.find(page_id, att_id)
            self.store.update_content(
                current.id,
                data=upload.data,
                media_type=upload.media_type,
                comment=upload.comment,
                version=current.version + 1,
            )
            number = current.version + 1
            self.store.add_version(
                VersionRow(current.id, number, now_iso(), by, upload.comment, upload.minor_edit)
            )
            return self.find(page_id, current.id)

    def upsert(self, page_id: str, upload: Upload, by: str) -> ContentRow:
        with self.store.transaction():
            for existing in self.of_page(page_id):
                if existing.title == upload.filename:
                    return self.replace(page_id, existing.id, upload, by)
            return self.add(page_id, upload, by)

    def find(self, page_id: str, att_id: str) -> ContentRow:
        # v1 names attachments ``att<number>`` in bodies, while clients often put the bare number
        # in the ``{attachmentId}`` path parameter (both reach the same attachment on Cloud).
        row = self.store.content(att_id if att_id.startswith("att") else f"att{att_id}")
        if row is None or row.type != "attachment" or row.parent_id != page_id:
            raise ApiError(404, f"No attachment found with id: {att_id} on content {page_id}")
        return row

    def update_properties(
        self, page_id: str, att_id: str, change: PropertiesChange, by: str
    ) -> ContentRow:
        """Rename an attachment or change its media type or comment, not its bytes.

        From "Update attachment properties" (``PUT /content/{id}/child/attachment/
        {attachmentId}``, vendored v1 2021 schema): the body is a ``Content`` whose version
        is the next number (409 when it does not match the stored one plus one)."""
        with self.store.transaction():
            current = self.find(page_id, att_id)
            if change.version != current.version + 1:
                raise ApiError(
                    409,
                    f"Version must be incremented on update. Current version is: {current.version}",
                )
            title = change.title or current.title
            if title != current.title and any(a.title == title for a in self.of_page(page_id)):
                raise bad_request(f"An attachment named {title} already exists on this page.")
            comment = current.comment if change.comment is None else change.comment
            self.store.update_content(
                current.id,
                title=title,
                media_type=change.media_type or current.media_type,
                comment=comment,
                version=change.version,
            )
            self.store.add_version(
                VersionRow(current.id, change.version, now_iso(), by, comment or "", True)
            )
            return self.find(page_id, current.id)


@dataclass(frozen=True)
class PropertiesChange:
    """What "Update attachment properties" may change: the name, media type and comment."""

    version: int
    title: str = ""
    media_type: str = ""
    comment: str | None = None
