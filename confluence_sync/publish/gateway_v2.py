"""The gateway over Confluence Cloud REST v2 (``/wiki/api/v2``), for Cloud sites.

Atlassian is removing the v1 page endpoints on Cloud, so pages, their content property, their
children, ancestors, version messages and attachment listings go through v2. v2 has no
equivalent for the rest, which stays on v1 through the inherited methods (``V1_ONLY``): the CQL
queries (the state of every managed page, and the pages holding the titles we want), adding and
removing labels, uploading or replacing attachment data, and moving a page without a new version
(a v2 update can re-parent, but only by writing a version, which would make our stamp look
stale). atlassian-python-api's ``ConfluenceV2`` client sends bodies and paths the v2 spec does
not have, so v2 requests are plain requests on the same session, through the same retry policy
and error mapping as v1.

Request budgets (Cloud, per page): create = 3 (page, labels, stamp; v1 does it in 1),
update = 2 (page, stamp; as v1), a sync that changes nothing = 2 in all (space, CQL; as v1).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from confluence_sync.convert.canonical import same_content
from confluence_sync.errors import RemoteError
from confluence_sync.pages import STAMP_KEY, PageId, RemotePage, SyncStamp
from confluence_sync.publish.access import GatewayAccess
from confluence_sync.publish.atlassian import AtlassianGateway
from confluence_sync.publish.failures import ApiFailure
from confluence_sync.publish.gateway import PageWrite, RemoteAttachment, VersionNote
from confluence_sync.publish.rest_format import (
    HASH_PREFIX,
    shape_checked,
    shared,
    stamp_from,
    stamp_value,
)
from confluence_sync.publish.retry import RetryPolicy

V2 = "api/v2"
V2_LIMIT = 250  # the largest page size every v2 listing accepts
V1_ONLY = frozenset(
    {
        "managed_pages",  # CQL
        "pages_titled",  # CQL
        "set_labels",  # v2 reads labels only
        "remove_labels",
        "upload_attachment",  # v2 cannot upload
        "download_attachment",  # v2 lists attachments; the bytes come from the download link
        "move_page",  # a v2 update re-parents only by writing a version
        "account",  # v2 has no current-user endpoint; v1's /user/current exists on Cloud
        "close",
    }
)
"""Gateway methods this class inherits from the v1 gateway on purpose (see the module doc)."""


class V2Gateway(AtlassianGateway):
    """REST v2 for pages on Cloud; v1 only where v2 has no equivalent (``V1_ONLY``)."""

    api = "v2"

    def __init__(
        self,
        url: str,
        *,
        user: str | None,
        token: str | None,
        policy: RetryPolicy | None = None,
        page_size: int = 100,
        timeout: float = 60.0,
        list_limit: int = V2_LIMIT,
        access: GatewayAccess | None = None,
    ) -> None:
        """``page_size`` is the CQL query's (v1 caps it lower); ``list_limit`` that of v2
        listings, 1 to 250."""
        super().__init__(
            url,
            user=user,
            token=token,
            policy=policy,
            page_size=page_size,
            timeout=timeout,
            access=access,
        )
        self._limit = list_limit
        parts = urlsplit(self.url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        if access is not None:  # v2's ``next`` starts with /wiki, below the gateway's base
            self._origin = self.api_url.removesuffix("/wiki")
        self._lock = threading.Lock()
        self._spaces: dict[str, dict[str, Any]] = {}
        self._stamp_ids: dict[str, str] = {}  # page id -> id of our content property
        self._names: dict[str, str] = {}  # account id -> display name

    # transport -----------------------------------------------------------------------------
    def _v2_items(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Follow v2's cursor links; ``next`` already carries the ``/wiki`` context, so it is
        joined onto the site's origin, not onto ``_links.base``."""
        body = self._get(path, **params)
        while True:
            yield from body.get("results", [])
            nxt = (body.get("_links") or {}).get("next")
            if not nxt or not body.get("results"):
                return
            body = self._call("GET", self._origin + nxt, idempotent=True, absolute=True)

    def _space(self, key: str) -> dict[str, Any]:
        """The v2 space (its id and home page id), looked up once per gateway."""
        with self._lock:
            cached = self._spaces.get(key)
        if cached is not None:
            return cached
        found = self._get(f"{V2}/spaces", keys=key, limit=1).get("results", [])
        if not found:  # v2 answers an empty list where v1 answers 404: the same message
            raise RemoteError(
                f"space {key} not found at {self.url} (no such key in GET {V2}/spaces); "
                f"check the space key, and that CONFLUENCE_URL is the site's base URL "
                f"(Cloud: https://<site>.atlassian.net/wiki)"
            )
        with self._lock:
            self._spaces[key] = found[0]
        return dict(found[0])

    def probe(self, path: str) -> Any:
        """One small read, for telling a v2 site from a v1-only one."""
        return self._get(path, limit=1)

    # reads ---------------------------------------------------------------------------------
    def home_page(self, space: str) -> PageId:
        homepage = self._space(space).get("homepageId")
        if not homepage:
            raise RemoteError(f"space {space} at {self.url} has no home page")
        return PageId(str(homepage))

    @shape_checked
    def page_body(self, page_id: PageId, version: int | None = None) -> str:
        old = {"version": version} if version is not None else {}
        item = self._get(f"{V2}/pages/{page_id}", **{"body-format": "storage"}, **old)
        return str(item["body"]["storage"]["value"])

    @shape_checked
    def find_page(self, space: str, title: str) -> RemotePage | None:
        params = {"space-id": self._space(space)["id"], "title": title, "limit": 1}
        found = self._get(f"{V2}/pages", **params).get("results", [])
        return self.page(PageId(str(found[0]["id"]))) if found else None

    @shape_checked
    def page(self, page_id: PageId) -> RemotePage:
        flags = {"include-labels": "true", "include-properties": "true"}
        item = self._get(f"{V2}/pages/{page_id}", **flags)
        props = item.get("properties") or {}
        if not _stamp_property(item) and (props.get("meta") or {}).get("hasMore"):
            listed = self._get(f"{V2}/pages/{page_id}/properties", key=STAMP_KEY)
            item["properties"] = {"results": listed.get("results", [])}
        return self._remote_v2(item)

    def version_message(self, page_id: PageId, number: int) -> str:
        return self.version_note(page_id, number).message

    @shape_checked
    def version_note(self, page_id: PageId, number: int) -> VersionNote:
        item = self._get(f"{V2}/pages/{page_id}", version=number)
        version = item.get("version") or {}
        by_us = str(version.get("authorId") or "") == self.account()
        return VersionNote(str(version.get("message") or ""), by_us)

    @shape_checked
    def ancestor_ids(self, page_id: PageId) -> tuple[PageId, ...]:
        """v2 answers the nearest ``limit`` ancestors; deeper trees continue from the first."""
        chain: list[PageId] = []
        current = page_id
        while True:
            found = self._get(f"{V2}/pages/{current}/ancestors", limit=self._limit)["results"]
            chain[:0] = [PageId(str(a["id"])) for a in found]
            if len(found) < self._limit:
                return tuple(chain)
            current = chain[0]

    @shape_checked
    def child_ids(self, page_id: PageId) -> tuple[PageId, ...]:
        items = self._v2_items(f"{V2}/pages/{page_id}/direct-children", {"limit": self._limit})
        return tuple(PageId(str(c["id"])) for c in items if c.get("type", "page") == "page")

    @shape_checked
    def attachments(self, page_id: PageId) -> list[RemoteAttachment]:
        items = self._v2_items(f"{V2}/pages/{page_id}/attachments", {"limit": self._limit})
        return [_attachment(item) for item in items]

    # writes --------------------------------------------------------------------------------
    @shape_checked
    def create_page(self, write: PageWrite) -> RemotePage:
        """Page, then labels (v1), then our stamp: v2 takes neither in the create request.
        A create whose answer was lost is finished when the page is exactly what we sent;
        a failure after that surfaces as the create's failure, and the applier's recovery
        finds the page by title."""
        payload = _page_payload(write)
        payload["spaceId"] = self._space(write.space)["id"]
        try:
            item = self._call("POST", f"{V2}/pages", idempotent=False, json=payload)
        except ApiFailure as failure:
            landed = self._landed(write, payload) if failure.server_or_network else None
            if landed is None:
                raise
            item = landed
        page_id = PageId(str(item["id"]))
        if write.labels:
            self.set_labels(page_id, write.labels)
        stamp = replace(write.stamp, page_id=page_id)  # v2 knows the id before the stamp
        self.set_stamp(page_id, stamp, None)
        created = self._remote_v2(item, editor=False)
        return replace(created, labels=write.labels, stamp=stamp, stamp_version=1)

    def _landed(self, write: PageWrite, payload: dict[str, Any]) -> dict[str, Any] | None:
        """The page our failed create made, if the wiki has it: same title, version 1, no
        stamp yet, same parent and the same content."""
        params = {"space-id": payload["spaceId"], "title": write.title, "body-format": "storage"}
        found = self._get(f"{V2}/pages", **params).get("results", [])
        if not found:
            return None
        item: dict[str, Any] = found[0]
        if (item.get("version") or {}).get("number") != 1:
            return None
        if write.parent_id is not None and str(item.get("parentId")) != write.parent_id:
            return None
        if not same_content(str(item["body"]["storage"]["value"]), write.body):
            return None
        stamped = self._get(f"{V2}/pages/{item['id']}/properties", key=STAMP_KEY)["results"]
        return None if stamped else item

    @shape_checked
    def update_page(self, page_id: PageId, version: int, write: PageWrite) -> RemotePage:
        payload = _page_payload(write)
        payload.update(id=page_id, version={"number": version, "message": write.message})
        item = self._call("PUT", f"{V2}/pages/{page_id}", idempotent=False, json=payload)
        return self._remote_v2(item, editor=False)

    def set_stamp(self, page_id: PageId, stamp: SyncStamp, stamp_version: int | None) -> None:
        path = f"{V2}/pages/{page_id}/properties"
        value = stamp_value(stamp)
        if stamp_version is None:
            body = {"key": STAMP_KEY, "value": value}
            created = self._call("POST", path, idempotent=False, json=body)
            self._remember_stamp_id(page_id, created)
            return
        prop_id = self._stamp_id(page_id)
        body = {"key": STAMP_KEY, "value": value, "version": {"number": stamp_version + 1}}
        self._call("PUT", f"{path}/{prop_id}", idempotent=False, json=body)

    def delete_page(self, page_id: PageId) -> None:
        try:
            self._call("DELETE", f"{V2}/pages/{page_id}", idempotent=True)
        except ApiFailure as failure:
            if failure.status != 404:  # already gone (a retried delete that had landed)
                raise

    # stamps and names ------------------------------------------------------------------------
    def _remember_stamp_id(self, page_id: str, prop: Any) -> None:
        if isinstance(prop, dict) and prop.get("id"):
            with self._lock:
                self._stamp_ids[str(page_id)] = str(prop["id"])

    def _stamp_id(self, page_id: PageId) -> str:
        """v2 addresses a property by its id: known from the read that planned the write,
        else one lookup by key."""
        with self._lock:
            known = self._stamp_ids.get(page_id)
        if known is not None:
            return known
        found = self._get(f"{V2}/pages/{page_id}/properties", key=STAMP_KEY)["results"]
        if not found:
            raise ApiFailure(
                404, f"page {page_id} has no {STAMP_KEY} property", method="GET", path="properties"
            )
        self._remember_stamp_id(page_id, found[0])
        return str(found[0]["id"])

    def _display_name(self, account_id: str) -> str:
        """v2 names editors by account id; one bulk lookup per person per run."""
        if not account_id:
            return ""
        with self._lock:
            known = self._names.get(account_id)
        if known is not None:
            return known
        body = {"accountIds": [account_id]}
        found = self._call("POST", f"{V2}/users-bulk", idempotent=True, json=body)
        names = {str(u.get("accountId")): str(u.get("displayName") or "") for u in found["results"]}
        name = names.get(account_id) or account_id
        with self._lock:
            self._names[account_id] = name
        return name

    # shapes --------------------------------------------------------------------------------
    def _remote(
        self,
        item: dict[str, Any],
        *,
        stamp: SyncStamp | None = None,
        stamp_version: int | None = None,
    ) -> RemotePage:
        """v1 pages (from the CQL query): remember the stamp's property id for the update."""
        props = (item.get("metadata") or {}).get("properties") or {}
        self._remember_stamp_id(str(item["id"]), props.get(STAMP_KEY))
        return super()._remote(item, stamp=stamp, stamp_version=stamp_version)

    def _remote_v2(self, item: dict[str, Any], *, editor: bool = True) -> RemotePage:
        """A v2 page. ``ancestors`` stays empty: v2 answers them only from a second request,
        and nothing reads them from a single page (``ancestor_ids`` asks when needed)."""
        version = item.get("version") or {}
        prop = _stamp_property(item)
        self._remember_stamp_id(str(item["id"]), prop)
        labels = (item.get("labels") or {}).get("results", [])
        parent = item.get("parentId")
        number = int(version.get("number", 0))
        stamp = stamp_from(prop.get("value")) if prop else None
        # The editor's name is only ever shown for a page someone changed after our last
        # write, so only such pages cost the name lookup.
        author_id = str(version.get("authorId") or "")
        by_us = author_id == self.account()
        ours = by_us and stamp is not None and stamp.version == number
        author = "" if ours or not editor else author_id
        return RemotePage(
            id=PageId(str(item["id"])),
            title=str(item.get("title", "")),
            version=number,
            parent_id=PageId(shared(parent)) if parent else None,
            labels=tuple(shared(label["name"]) for label in labels),
            stamp=stamp,
            stamp_version=(prop.get("version") or {}).get("number") if prop else None,
            last_editor=self._display_name(author),
            last_edited=str(version.get("createdAt", "")),
            url=self.url + str((item.get("_links") or {}).get("webui", "")),
            message=str(version.get("message") or ""),
            by_us=by_us,
        )


def _page_payload(write: PageWrite) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "status": "current",
        "title": write.title,
        "body": {"representation": "storage", "value": write.body},
    }
    if write.parent_id is not None:
        payload["parentId"] = write.parent_id
    return payload


def _stamp_property(item: dict[str, Any]) -> dict[str, Any] | None:
    for prop in (item.get("properties") or {}).get("results", []):
        if isinstance(prop, dict) and prop.get("key") == STAMP_KEY:
            return prop
    return None


def _attachment(item: dict[str, Any]) -> RemoteAttachment:
    comment = str(item.get("comment") or "")
    digest = comment[len(HASH_PREFIX) :] if comment.startswith(HASH_PREFIX) else None
    return RemoteAttachment(id=str(item["id"]), filename=str(item.get("title", "")), sha256=digest)
