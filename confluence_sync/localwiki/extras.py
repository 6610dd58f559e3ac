"""Labels, content properties and attachments: the rules that hang off a page."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from confluence_sync.localwiki.httperror import ApiError, bad_request
from confluence_sync.localwiki.pages import Pages
from confluence_sync.localwiki.store import ContentRow, PropertyRow, Store, VersionRow, now_iso

_BAD_LABEL = re.compile(r"[\s:;,.?&\[\]()#^*@!]")
_MAX_PROPERTY_BYTES = 32 * 1024


@dataclass(frozen=True)
class Upload:
    """One file from a multipart attachment request."""

    filename: str
    media_type: str
    data: bytes
    comment: str = ""


class Extras:
    """Labels, properties and attachments of existing content."""

    def __init__(self, store: Store, pages: Pages) -> None:
        self.store = store
        self.pages = pages

    # labels -------------------------------------------------------------------------------
    def add_labels(self, content_id: str, labels: list[dict[str, Any]]) -> None:
        with self.store.transaction():
            self.pages.get(content_id)
            for label in labels:
                name = str(label.get("name", "")).strip().lower()
                prefix = str(label.get("prefix") or "global")
                if not name or _BAD_LABEL.search(name):
                    raise bad_request(f"'{name}' is not a valid label name.")
                if prefix not in ("global", "my", "team"):
                    raise bad_request(f"Invalid label prefix: {prefix}")
                self.store.add_label(content_id, prefix, name)

    def remove_label(self, content_id: str, name: str) -> None:
        self.pages.get(content_id)
        if not self.store.remove_label(content_id, name.lower()):
            raise ApiError(404, f"Label with name {name} is not found on content {content_id}")

    # properties ---------------------------------------------------------------------------
    def create_property(self, content_id: str, key: str, value: Any, by: str) -> PropertyRow:
        with self.store.transaction():
            self.pages.get(content_id)
            self._check_key_and_value(key, value)
            if self.store.property(content_id, key) is not None:
                raise bad_request(
                    f"Cannot add a property with key '{key}' because one already exists "
                    f"on content {content_id}"
                )
            return self._write(content_id, key, value, 1, by, None)

    def update_property(
        self, content_id: str, key: str, value: Any, version: int | None, by: str
    ) -> PropertyRow:
        """PUT semantics: version current+1, or version 1 creates a missing key."""
        with self.store.transaction():
            self.pages.get(content_id)
            self._check_key_and_value(key, value)
            if version is None:
                raise bad_request("Must supply an incremented version when updating a property.")
            current = self.store.property(content_id, key)
            if current is None:
                if version != 1:
                    raise ApiError(
                        404,
                        f"Cannot find property with key '{key}' on content {content_id} to update.",
                    )
                return self._write(content_id, key, value, 1, by, None)
            if version != current.version + 1:
                raise ApiError(
                    409,
                    f"Version must be incremented on update. Current version is: {current.version}",
                )
            return self._write(content_id, key, value, version, by, current.id)

    def _check_key_and_value(self, key: str, value: Any) -> None:
        if not key or len(key) > 255:
            raise bad_request("Property key must be between 1 and 255 characters.")
        if value is None:
            raise bad_request("Property value is required.")
        if len(json.dumps(value).encode("utf-8")) > _MAX_PROPERTY_BYTES:
            raise ApiError(413, "Content property value is too large.")

    def _write(
        self, content_id: str, key: str, value: Any, version: int, by: str, prop_id: str | None
    ) -> PropertyRow:
        row = PropertyRow(
            id=prop_id or str(self.store.next_id()),
            content_id=content_id,
            key=key,
            value=value,
            version=version,
            at=now_iso(),
            by=by,
        )
        self.store.put_property(row)
        return row

    def delete_property(self, content_id: str, key: str) -> None:
        with self.store.transaction():
            self.pages.get(content_id)
            if self.store.property(content_id, key) is None:
                raise ApiError(
                    404, f"Cannot find property with key '{key}' on content {content_id}"
                )
            self.store.delete_property(content_id, key)

    # attachments --------------------------------------------------------------------------
    def attachments(self, page_id: str) -> list[ContentRow]:
        self.pages.get(page_id)
        return self.store.children(page_id, "attachment")

    def add_attachment(self, page_id: str, upload: Upload, by: str) -> ContentRow:
        with self.store.transaction():
            page = self.pages.get(page_id)
            if any(a.title == upload.filename for a in self.attachments(page_id)):
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
            self.store.add_version(VersionRow(row.id, 1, stamp, by, upload.comment, True))
            return row

    def replace_attachment(self, page_id: str, att_id: str, upload: Upload, by: str) -> ContentRow:
        with self.store.transaction():
            current = self.find_attachment(page_id, att_id)
            self.store.update_content(
                att_id,
                data=upload.data,
                media_type=upload.media_type,
                comment=upload.comment,
                version=current.version + 1,
            )
            self.store.add_version(
                VersionRow(att_id, current.version + 1, now_iso(), by, upload.comment, True)
            )
            return self.find_attachment(page_id, att_id)

    def upsert_attachment(self, page_id: str, upload: Upload, by: str) -> ContentRow:
        with self.store.transaction():
            for existing in self.attachments(page_id):
                if existing.title == upload.filename:
                    return self.replace_attachment(page_id, existing.id, upload, by)
            return self.add_attachment(page_id, upload, by)

    def find_attachment(self, page_id: str, att_id: str) -> ContentRow:
        row = self.store.content(att_id)
        if row is None or row.type != "attachment" or row.parent_id != page_id:
            raise ApiError(404, f"No attachment found with id: {att_id} on content {page_id}")
        return row
