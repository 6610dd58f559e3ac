"""JSON shapes of Confluence Cloud REST v2 (``/wiki/api/v2``), built from the same store rows as
the v1 shapes, so a page written through one API reads the same through the other.

Field names and nesting follow the v2 OpenAPI schemas (``PageSingle``, ``PageBulk``,
``SpaceBulk``, ``ContentProperty``, ``ChildrenResponse``, ``Ancestor``, ``AttachmentBulk``,
``User``); cursors are opaque to clients, and here simply encode an offset.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request

from confluence_sync.localwiki.api.rest_json import Shaper
from confluence_sync.localwiki.store.database import ContentRow, LabelRow, PropertyRow, SpaceRow
from confluence_sync.localwiki.wiki_urls import webui_path

V2 = "/api/v2"


class V2Error(Exception):
    """A refusal in v2's envelope: ``{"errors": [{"status", "code", "title", "detail"}]}``."""

    def __init__(self, status: int, title: str, detail: str | None = None) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.detail = detail

    def envelope(self) -> dict[str, Any]:
        code = HTTPStatus(self.status).name
        return {
            "errors": [
                {"status": self.status, "code": code, "title": self.title, "detail": self.detail}
            ]
        }


@dataclass(frozen=True)
class Window:
    """One page of a cursor-paginated listing: where it starts and how many it holds."""

    offset: int
    limit: int

    @classmethod
    def of(cls, request: Request, default: int = 25, maximum: int = 250) -> Window:
        """``cursor`` and ``limit`` as v2 reads them: limit 1..250, bad values are a 400."""
        raw_limit = request.args.get("limit", str(default))
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= maximum:
            raise V2Error(400, f"limit must be an integer between 1 and {maximum}")
        cursor = request.args.get("cursor")
        return cls(decode_cursor(cursor) if cursor else 0, int(raw_limit))

    def slice(self, rows: Sequence[Any]) -> list[Any]:
        return list(rows[self.offset : self.offset + self.limit])

    def next_link(self, request: Request, path: str, total: int) -> str | None:
        """The relative ``next`` URL (with the ``/wiki`` context, as Cloud sends it)."""
        if self.offset + self.limit >= total:
            return None
        params = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
        params.append(("cursor", encode_cursor(self.offset + self.limit)))
        return f"{path}?{urlencode(params)}"


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    kind, _, number = raw.partition(":")
    if kind != "offset" or not number.isdigit():
        raise V2Error(400, "Invalid cursor")
    return int(number)


class ShaperV2:
    """Builds v2 response bodies on top of the v1 shaper's people and site."""

    def __init__(self, shaper: Shaper) -> None:
        self.v1 = shaper
        self.store = shaper.store
        self.site = shaper.site

    @property
    def prefix(self) -> str:
        return self.site.context + V2

    def account_id(self, username: str) -> str:
        return str(self.v1.user(username)["accountId"])

    def collection(
        self, request: Request, window: Window, rows: Sequence[Any], path: str
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """``{"results", "_links"}`` plus the ``Link`` header; ``rows`` are already shaped."""
        links: dict[str, str] = {"base": self.site.base}
        headers: dict[str, str] = {}
        nxt = window.next_link(request, self.prefix + path, len(rows))
        if nxt is not None:
            links["next"] = nxt
            headers["Link"] = f'<{nxt}>; rel="next", <{self.site.base}>; rel="base"'
        return {"results": window.slice(rows), "_links": links}, headers

    # pages -------------------------------------------------------------------------------
    def version(self, row: ContentRow) -> dict[str, Any]:
        saved = self.store.version(row.id, row.version)
        author = saved.by if saved else row.created_by
        return {
            "createdAt": saved.at if saved else row.created_at,
            "message": saved.message if saved else "",
            "number": row.version,
            "minorEdit": bool(saved.minor_edit) if saved else False,
            "authorId": self.account_id(author),
        }

    def page(self, row: ContentRow, *, body: bool, single: bool = True) -> dict[str, Any]:
        """``PageSingle`` (``single``) or ``PageBulk``; a root page's ``parentId`` is null."""
        space = self.store.space(row.space_key)
        shape: dict[str, Any] = {
            "id": row.id,
            "status": row.status,
            "title": row.title,
            "spaceId": str(space.id) if space else "",
            "position": row.position,
            "authorId": self.account_id(row.created_by),
            "ownerId": self.account_id(row.created_by),
            "lastOwnerId": None,
            "createdAt": row.created_at,
            "version": self.version(row),
            "body": {"storage": {"representation": "storage", "value": row.body}} if body else {},
            "_links": {
                "webui": webui_path(row.space_key, row.id, row.title),
                "editui": f"/pages/resumedraft.action?draftId={row.id}",
                "tinyui": f"/x/{row.id}",
            },
        }
        # v2 PageSingle/PageBulk (vendored schema): parentId is "ID of the parent page, or null
        # if there is no parent page", parentType "Content type of the parent, or null if there
        # is no parent": a root page carries both keys, as null.
        parent = row.parent_id or None
        shape.update(parentId=parent, parentType="page" if parent else None)
        if single:
            shape["_links"]["base"] = self.site.base
        return shape

    def included(self, results: list[dict[str, Any]], path: str) -> dict[str, Any]:
        """An ``include-*`` block of a single page: the first 50, and whether there are more."""
        return {
            "results": results[:50],
            "meta": {"hasMore": len(results) > 50, "cursor": ""},
            "_links": {"self": self.prefix + path},
        }

    def label(self, row: LabelRow) -> dict[str, Any]:
        return {"id": row.id, "name": row.name, "prefix": row.prefix}

    def property(self, row: PropertyRow) -> dict[str, Any]:
        return {
            "id": row.id,
            "key": row.key,
            "value": row.value,
            "version": {
                "createdAt": row.at,
                "message": "",
                "number": row.version,
                "minorEdit": False,
                "authorId": self.account_id(row.by),
            },
        }

    def child(self, row: ContentRow) -> dict[str, Any]:
        space = self.store.space(row.space_key)
        return {
            "id": row.id,
            "status": row.status,
            "title": row.title,
            "type": "page",
            "spaceId": str(space.id) if space else "",
            "childPosition": row.position,
        }

    def attachment(self, row: ContentRow) -> dict[str, Any]:
        download = self.v1.download_path(row)
        webui = f"/pages/viewpageattachments.action?pageId={row.parent_id}&preview={row.title}"
        return {
            "id": row.id,
            "status": row.status,
            "title": row.title,
            "createdAt": row.created_at,
            "pageId": row.parent_id or "",
            "mediaType": row.media_type or "application/octet-stream",
            # AttachmentBulk (vendored v2 schema): "Media Type description for the attachment".
            "mediaTypeDescription": media_description(row.media_type),
            "comment": row.comment or "",
            "fileId": f"file-{row.id}",
            "fileSize": len(row.data or b""),
            "webuiLink": webui,
            "downloadLink": download,
            "version": self.version(row),
            "_links": {"webui": webui, "download": download},
        }

    # spaces and people -------------------------------------------------------------------
    def space(self, row: SpaceRow) -> dict[str, Any]:
        home = self.store.content(row.homepage_id) if row.homepage_id else None
        author = home.created_by if home else ""
        shape: dict[str, Any] = {
            "id": str(row.id),
            "key": row.key,
            "name": row.name,
            "type": "global",
            "status": "current",
            "authorId": self.account_id(author) if author else "",
            "createdAt": home.created_at if home else "",
            "_links": {"webui": f"/spaces/{row.key}"},
        }
        if row.homepage_id:
            shape["homepageId"] = row.homepage_id
        return shape

    def user(self, username: str) -> dict[str, Any]:
        v1 = self.v1.user(username)
        return {
            "displayName": v1["displayName"],
            "publicName": v1["publicName"],
            "accountId": v1["accountId"],
            "accountType": "atlassian",
            "accountStatus": "active",
            "email": v1.get("email", ""),
            "isExternalCollaborator": False,
            "profilePicture": v1["profilePicture"],
        }


_KINDS = {"image": "Image", "video": "Video", "audio": "Audio", "text": "Text File"}


def media_description(media_type: str | None) -> str:
    """A readable name for a media type, as Confluence shows next to a file ("PNG Image")."""
    major, _, minor = (media_type or "application/octet-stream").partition("/")
    if minor == "pdf":
        return "PDF Document"
    label = minor.split("+")[0].split(".")[-1].upper()
    return f"{label} {_KINDS.get(major, 'File')}"
