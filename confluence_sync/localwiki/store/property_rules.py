"""Content properties: versioned JSON values keyed per page, with Confluence's size limits."""

from __future__ import annotations

import json
from typing import Any

from confluence_sync.localwiki.api_error import ApiError, bad_request
from confluence_sync.localwiki.store.database import PropertyRow, Store, now_iso
from confluence_sync.localwiki.store.page_rules import Pages

_MAX_PROPERTY_BYTES = 32 * 1024


class Properties:
    """Create, update and delete content properties of existing content."""

    def __init__(self, store: Store, pages: Pages) -> None:
        self.store = store
        self.pages = pages

    def create(self, content_id: str, key: str, value: Any, by: str) -> PropertyRow:
        with self.store.transaction():
            self.pages.get(content_id)
            _check_key_and_value(key, value)
            if self.store.property(content_id, key) is not None:
                raise bad_request(
                    f"Cannot add a property with key '{key}' because one already exists "
                    f"on content {content_id}"
                )
            return self._write(content_id, key, value, 1, by, None)

    def update(
        self, content_id: str, key: str, value: Any, version: int | None, by: str
    ) -> PropertyRow:
        """PUT semantics: version current+1, or version 1 creates a missing key."""
        with self.store.transaction():
            self.pages.get(content_id)
            _check_key_and_value(key, value)
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

    def delete(self, content_id: str, key: str) -> None:
        with self.store.transaction():
            self.pages.get(content_id)
            if self.store.property(content_id, key) is None:
                raise ApiError(
                    404, f"Cannot find property with key '{key}' on content {content_id}"
                )
            self.store.delete_property(content_id, key)


def _check_key_and_value(key: str, value: Any) -> None:
    if not key or len(key) > 255:
        raise bad_request("Property key must be between 1 and 255 characters.")
    if value is None:
        raise bad_request("Property value is required.")
    if len(json.dumps(value).encode("utf-8")) > _MAX_PROPERTY_BYTES:
        raise ApiError(413, "Content property value is too large.")
