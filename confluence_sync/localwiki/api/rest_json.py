"""JSON shapes of Confluence REST v1, built from store rows.

Kept apart from the handlers so the contract tests check one place, and so every endpoint
renders a page, a version or a label identically.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote_plus

from confluence_sync.localwiki.api.expansion import Expansion
from confluence_sync.localwiki.store.database import (
    ContentRow,
    LabelRow,
    PropertyRow,
    SpaceRow,
    Store,
    VersionRow,
)
from confluence_sync.localwiki.wiki_urls import Site, display_name, webui_path

API = "/rest/api"
_CONTENT_EXPANDABLE = (
    "childTypes",
    "container",
    "metadata",
    "operations",
    "children",
    "restrictions",
    "history",
    "ancestors",
    "body",
    "version",
    "descendants",
    "space",
)


class Shaper:
    """Builds response bodies; needs the store for ancestors, labels and properties."""

    def __init__(self, store: Store, site: Site) -> None:
        self.store = store
        self.site = site

    # people and versions ---------------------------------------------------------------
    def user(self, username: str) -> dict[str, Any]:
        digest = hashlib.sha1(username.encode()).hexdigest()
        user: dict[str, Any] = {
            "type": "known",
            "displayName": display_name(username),
            "publicName": display_name(username),
            "profilePicture": {
                "path": "/images/icons/profilepics/default.svg",
                "width": 48,
                "height": 48,
                "isDefault": True,
            },
            "_links": {"self": f"{self.site.base}{API}/user?accountId=557058:{digest[:24]}"},
        }
        if self.site.cloud:
            user.update(
                accountId=f"557058:{digest[:24]}",
                accountType="atlassian",
                email=f"{username}@example.invalid",
                isExternalCollaborator=False,
            )
        else:
            user.update(username=username, userKey=digest[:32])
        return user

    def version(self, row: VersionRow) -> dict[str, Any]:
        return {
            "by": self.user(row.by),
            "when": row.at,
            "friendlyWhen": row.at[:10],
            "message": row.message,
            "number": row.number,
            "minorEdit": row.minor_edit,
            "contentTypeModified": False,
            "_expandable": {"collaborators": "", "content": f"{API}/content/{row.content_id}"},
            "_links": {
                "self": f"{self.site.base}{API}/content/{row.content_id}/version/{row.number}"
            },
        }

    def current_version(self, row: ContentRow) -> dict[str, Any]:
        found = self.store.version(row.id, row.version)
        assert found is not None, f"content {row.id} lacks version {row.version}"
        return self.version(found)

    def history(self, row: ContentRow, expand: Expansion) -> dict[str, Any]:
        first = self.store.version(row.id, 1)
        history: dict[str, Any] = {
            "latest": row.status == "current",
            "createdBy": self.user(row.created_by),
            "createdDate": row.created_at if first is None else first.at,
            "_links": {"self": f"{self.site.base}{API}/content/{row.id}/history"},
        }
        expandable: dict[str, str] = {"previousVersion": "", "contributors": "", "nextVersion": ""}
        if "lastUpdated" in expand.paths:
            history["lastUpdated"] = self.current_version(row)
        else:
            expandable["lastUpdated"] = ""
        if "previousVersion" in expand.paths and row.version > 1:
            previous = self.store.version(row.id, row.version - 1)
            if previous is not None:
                history["previousVersion"] = self.version(previous)
                expandable.pop("previousVersion")
        history["_expandable"] = expandable
        return history

    # spaces -------------------------------------------------------------------------------
    def space(self, row: SpaceRow, expand: Expansion | None = None) -> dict[str, Any]:
        expand = expand or Expansion(None)
        shape: dict[str, Any] = {
            "id": row.id,
            "key": row.key,
            "name": row.name,
            "type": "global",
            "status": "current",
            "_expandable": {
                "settings": "",
                "metadata": "",
                "operations": "",
                "lookAndFeel": "",
                "permissions": "",
                "icon": "",
                "description": "",
                "theme": "",
                "history": "",
                "homepage": f"{API}/content/{row.homepage_id}",
            },
            "_links": {
                "webui": f"/spaces/{row.key}",
                "self": f"{self.site.base}{API}/space/{row.key}",
            },
        }
        if expand.has("homepage") and row.homepage_id:
            home = self.store.content(row.homepage_id)
            if home is not None:
                shape["homepage"] = self.content(home, Expansion(None))
                shape["_expandable"].pop("homepage")
        return shape

    # content ------------------------------------------------------------------------------
    def content_links(self, row: ContentRow) -> dict[str, str]:
        links = {
            "self": f"{self.site.base}{API}/content/{row.id}",
            "tinyui": f"/x/{row.id}",
            "editui": f"/pages/resumedraft.action?draftId={row.id}",
            "webui": webui_path(row.space_key, row.id, row.title),
        }
        if row.type == "attachment":
            links["webui"] = webui_path(row.space_key, row.parent_id or "", row.title)
            links["download"] = self.download_path(row)
            del links["editui"]
        return links

    def download_path(self, row: ContentRow) -> str:
        name = quote_plus(row.title)
        return f"/download/attachments/{row.parent_id}/{name}?version={row.version}&api=v2"

    def top_links(self, row: ContentRow) -> dict[str, str]:
        """Single-item responses also carry where the site is."""
        return {
            **self.content_links(row),
            "base": self.site.base,
            "context": self.site.context,
            "collection": f"{API}/content",
        }

    def content(self, row: ContentRow, expand: Expansion, *, top: bool = False) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "id": row.id,
            "type": row.type,
            "status": row.status,
            "title": row.title,
        }
        expandable = {key: "" for key in _CONTENT_EXPANDABLE}
        expandable.update(
            children=f"{API}/content/{row.id}/child",
            descendants=f"{API}/content/{row.id}/descendant",
            space=f"{API}/space/{row.space_key}",
            history=f"{API}/content/{row.id}/history",
        )
        for key, build in self._builders(row, expand):
            if expand.has(key):
                shape[key] = build()
                expandable.pop(key, None)
        if row.type == "attachment":
            shape["extensions"] = {
                "mediaType": row.media_type,
                "fileSize": len(row.data or b""),
                "comment": row.comment or "",
            }
        shape["_expandable"] = expandable
        shape["_links"] = self.top_links(row) if top else self.content_links(row)
        return shape

    def _builders(self, row: ContentRow, expand: Expansion) -> Iterable[tuple[str, Any]]:
        yield "space", lambda: self.space(self._space_row(row.space_key))
        yield "version", lambda: self.current_version(row)
        yield "history", lambda: self.history(row, Expansion(",".join(expand.sub("history"))))
        yield "ancestors", lambda: [self.content(a, Expansion(None)) for a in self.ancestors(row)]
        yield "body", lambda: self.body(row, expand)
        yield "metadata", lambda: self.metadata(row, Expansion(",".join(expand.sub("metadata"))))
        yield "children", lambda: self.children(row, Expansion(",".join(expand.sub("children"))))
        yield "container", lambda: self.container(row)

    def _space_row(self, key: str) -> SpaceRow:
        found = self.store.space(key)
        assert found is not None, f"unknown space {key}"
        return found

    def ancestors(self, row: ContentRow) -> list[ContentRow]:
        return self.store.ancestors(row)

    def container(self, row: ContentRow) -> dict[str, Any]:
        if row.type == "attachment" and row.parent_id:
            page = self.store.content(row.parent_id)
            if page is not None:
                return self.content(page, Expansion(None))
        return self.space(self._space_row(row.space_key))

    def body(self, row: ContentRow, expand: Expansion) -> dict[str, Any]:
        body: dict[str, Any] = {
            "_expandable": {
                "editor": "",
                "view": "",
                "export_view": "",
                "styled_view": "",
                "dynamic": "",
                "atlas_doc_format": "",
                "anonymous_export_view": "",
            },
        }
        if "body.storage" in expand.paths or "body" in expand.paths:
            body["storage"] = {
                "value": row.body,
                "representation": "storage",
                "embeddedContent": [],
                "_expandable": {"content": f"{API}/content/{row.id}"},
            }
        else:
            body["_expandable"]["storage"] = ""
        return body

    def metadata(self, row: ContentRow, expand: Expansion) -> dict[str, Any]:
        meta: dict[str, Any] = {"_expandable": {"currentuser": "", "frontend": ""}}
        if expand.has("labels"):
            labels = self.store.labels(row.id)
            meta["labels"] = self.labels(labels, 0, 200, f"{API}/content/{row.id}/label")
        else:
            meta["_expandable"]["labels"] = ""
        keys = expand.sub("properties")
        if keys or "properties" in expand.paths:
            props = {p.key: p for p in self.store.properties(row.id)}
            wanted = keys if keys else list(props)
            meta["properties"] = {k: self.property(props[k]) for k in wanted if k in props}
        else:
            meta["_expandable"]["properties"] = ""
        return meta

    def children(self, row: ContentRow, expand: Expansion) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "_expandable": {
                "attachment": f"{API}/content/{row.id}/child/attachment",
                "comment": f"{API}/content/{row.id}/child/comment",
                "page": f"{API}/content/{row.id}/child/page",
            },
            "_links": {"self": f"{self.site.base}{API}/content/{row.id}/child"},
        }
        for kind in ("page", "attachment"):
            if expand.has(kind):
                items = self.store.children(row.id, kind)
                shape[kind] = self.array(
                    [self.content(c, Expansion(None)) for c in items],
                    0,
                    25,
                    f"{API}/content/{row.id}/child/{kind}",
                    len(items),
                )
                shape["_expandable"].pop(kind)
        return shape

    # labels and properties ----------------------------------------------------------------
    def label(self, row: LabelRow) -> dict[str, Any]:
        return {"prefix": row.prefix, "name": row.name, "id": row.id, "label": row.name}

    def labels(self, rows: Sequence[LabelRow], start: int, limit: int, path: str) -> dict[str, Any]:
        page = rows[start : start + limit]
        return {
            "results": [self.label(r) for r in page],
            "start": start,
            "limit": limit,
            "size": len(page),
            "_links": {"self": f"{self.site.base}{path}"},
        }

    def property(self, row: PropertyRow) -> dict[str, Any]:
        return {
            "id": row.id,
            "key": row.key,
            "value": row.value,
            "version": {
                "when": row.at,
                "message": "",
                "number": row.version,
                "minorEdit": False,
                "contentTypeModified": False,
            },
            "_links": {
                "self": f"{self.site.base}{API}/content/{row.content_id}/property/{row.key}"
            },
            "_expandable": {
                "content": f"{API}/content/{row.content_id}",
                "additionalProperties": "",
            },
        }

    # collections --------------------------------------------------------------------------
    def array(
        self,
        results: list[dict[str, Any]],
        start: int,
        limit: int,
        path: str,
        total: int,
        next_query: str | None = None,
    ) -> dict[str, Any]:
        """A ContentArray-like envelope; ``next`` is relative to ``base`` like Confluence's."""
        links: dict[str, str] = {
            "base": self.site.base,
            "context": self.site.context,
            "self": f"{self.site.base}{path}",
        }
        if next_query is not None and start + len(results) < total:
            links["next"] = f"{path}?{next_query}"
        return {
            "results": results,
            "start": start,
            "limit": limit,
            "size": len(results),
            "_links": links,
        }
