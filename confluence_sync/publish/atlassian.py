"""The gateway over atlassian-python-api: the only module that imports it.

We use the library for its session, authentication and URL handling, and send REST v1 requests
ourselves (``request(..., advanced_mode=True)``) so that status codes reach our retry policy
untouched and none of the library's known 5.0.5 pitfalls (broken attachment replace, pagination
losing ``/wiki``, its own retries) apply. Library dicts end here: callers get ``RemotePage``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import requests
from atlassian import Confluence
from atlassian.confluence.server import Server as ConfluenceServer

from confluence_sync.errors import AttachmentTooLarge, RemoteError
from confluence_sync.pages import (
    STAMP_KEY,
    AttachmentFile,
    PageId,
    RemotePage,
    SyncStamp,
)
from confluence_sync.publish.access import GatewayAccess, refused
from confluence_sync.publish.failures import ApiFailure, parse_retry_after
from confluence_sync.publish.gateway import PageWrite, RemoteAttachment, VersionNote
from confluence_sync.publish.rest_format import (
    HASH_PREFIX,
    account_key,
    attachment_from,
    cql_string,
    error_message,
    media_type,
    page_payload,
    shape_checked,
    shared,
    stamp_from,
    stamp_value,
    unexpected_answer,
)
from confluence_sync.publish.retry import RetryPolicy

log = logging.getLogger(__name__)

PAGE_EXPAND = f"version,ancestors,metadata.labels,metadata.properties.{STAMP_KEY}"
ATTACHMENT_HEADERS = {"X-Atlassian-Token": "no-check", "Accept": "application/json"}
TITLES_PER_QUERY = 50  # keeps a CQL query well under URL length limits


class AtlassianGateway:
    """REST v1 (Data Center and Cloud with API tokens). ``user`` None means a DC personal access
    token sent as a bearer token."""

    api = "v1"

    def __init__(
        self,
        url: str,
        *,
        user: str | None,
        token: str | None,
        policy: RetryPolicy | None = None,
        page_size: int = 100,
        timeout: float = 60.0,
        access: GatewayAccess | None = None,
    ) -> None:
        """``url`` is the site, in every link and message; with ``access`` the requests go to
        Atlassian's API gateway instead (``publish/access.py``). ``timeout`` (seconds) bounds
        both connecting and each wait for an answer (the ``timeout`` setting)."""
        self.url = url.rstrip("/")
        self.access = access
        self.api_url = access.api_url.rstrip("/") if access else self.url
        self._client = _client(self.api_url, user, token, access, timeout)
        _curl_log_only_when_enabled(self._client)
        self._policy = policy or RetryPolicy()
        self._page_size = page_size
        self._account: str | None = None  # who we write as, read once (``account``)

    def close(self) -> None:
        self._client.close()
        if self.access is not None:
            self.access.close()

    # transport -----------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        idempotent: bool,
        absolute: bool = False,
        **kwargs: Any,
    ) -> Any:
        return self._policy.run(
            lambda: self._once(method, path, absolute=absolute, **kwargs),
            idempotent=idempotent,
            what=f"{method} {path.split('?')[0]}",
        )

    def _once(
        self, method: str, path: str, *, absolute: bool, raw: bool = False, **kwargs: Any
    ) -> Any:
        if "json" in kwargs:  # serialised once, by atlassian-python-api, instead of twice
            kwargs["data"] = kwargs.pop("json")
        try:
            response = self._client.request(
                method, path, absolute=absolute, advanced_mode=True, **kwargs
            )
        except requests.RequestException as exc:
            raise self._network_failure(exc, method, path, absolute=absolute) from None
        status = response.status_code
        if status in (401, 403):
            raise refused(response, method, path, self.url, gateway=self.access is not None)
        if status >= 400:
            raise ApiFailure(
                status,
                error_message(response),
                method=method,
                path=path.split("?")[0],
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                url=response.url.split("?")[0],
            )
        if raw:
            return response.content
        if status == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise unexpected_answer(response, method, path, self.url) from None

    def attempt(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request without retries, for ``doctor``'s probes; refusals raise as usual."""
        return self._once(method, path, absolute=False, **kwargs)

    def _network_failure(
        self, exc: requests.RequestException, method: str, path: str, *, absolute: bool
    ) -> ApiFailure:
        """No answer: the kind of failure, the URL tried (without its query) and the fix."""
        from confluence_sync.publish.network import advice, classify

        kind = classify(exc)
        url = path if absolute else f"{self.api_url}/{path.lstrip('/')}"
        url = url.split("?")[0]
        return ApiFailure(
            None, advice(kind, url), method=method, path=path.split("?")[0], url=url, network=kind
        )

    def download_attachment(
        self, page_id: PageId, filename: str, max_bytes: int | None = None
    ) -> bytes:
        listing = self._get(f"rest/api/content/{page_id}/child/attachment", filename=filename)
        item = next((i for i in listing["results"] if i.get("title") == filename), None)
        if item is None:
            raise RemoteError(f"page {page_id} has no attachment {filename!r}")
        size = (item.get("extensions") or {}).get("fileSize")
        if max_bytes is not None and isinstance(size, int) and size > max_bytes:
            raise AttachmentTooLarge(filename, size)
        base = (listing.get("_links") or {}).get("base") or self.url
        base = self.api_url if self.access is not None else base  # the site refuses our token
        url = str(base).rstrip("/") + str(item["_links"]["download"])
        data = self._call("GET", url, idempotent=True, absolute=True, raw=True)
        return bytes(data or b"")

    def _get(self, path: str, **params: Any) -> Any:
        return self._call("GET", path, idempotent=True, params=params or None)

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Follow ``_links.next`` joined onto ``_links.base`` (which keeps Cloud's ``/wiki``)."""
        body = self._get(path, **params)
        while True:
            yield from body.get("results", [])
            links = body.get("_links", {})
            if not links.get("next") or not body.get("results"):
                return
            base = self.api_url if self.access is not None else links.get("base")
            nxt = base.rstrip("/") + links["next"] if base else links["next"]
            body = self._call("GET", nxt, idempotent=True, absolute=bool(base))

    # reads ---------------------------------------------------------------------------------
    @shape_checked
    def managed_pages(
        self, space: str, label: str, under: PageId | None = None
    ) -> list[RemotePage]:
        """``under``: also the stamped pages below that page which lost ``label`` (a person
        removed it). CQL cannot search a content property no app indexes, so the same query
        takes the tree in: ``label = L OR ancestor = root``, pages without either our label or
        a stamp dropped from the answer; a no-change sync keeps its request count."""
        which = f"label = {cql_string(label)}"
        if under is not None:
            which = f"({which} OR ancestor = {cql_string(under)})"
        cql = f"{which} AND space = {cql_string(space)} AND type = page"
        params = {"cql": cql, "expand": PAGE_EXPAND, "limit": self._page_size}
        found = (self._remote(item) for item in self._pages("rest/api/content/search", params))
        return [page for page in found if label in page.labels or page.stamp is not None]

    @shape_checked
    def page_body(self, page_id: PageId, version: int | None = None) -> str:
        old = {"status": "historical", "version": version} if version is not None else {}
        item = self._get(f"rest/api/content/{page_id}", expand="body.storage", **old)
        return str(item["body"]["storage"]["value"])

    @shape_checked
    def pages_titled(self, space: str, titles: Sequence[str]) -> list[RemotePage]:
        found: list[RemotePage] = []
        unique = list(dict.fromkeys(titles))
        for start in range(0, len(unique), TITLES_PER_QUERY):
            chunk = ", ".join(cql_string(t) for t in unique[start : start + TITLES_PER_QUERY])
            cql = f"space = {cql_string(space)} AND type = page AND title in ({chunk})"
            params = {"cql": cql, "expand": PAGE_EXPAND, "limit": self._page_size}
            found += [self._remote(i) for i in self._pages("rest/api/content/search", params)]
        return found

    @shape_checked
    def find_page(self, space: str, title: str) -> RemotePage | None:
        found = self._get(
            "rest/api/content", spaceKey=space, title=title, type="page", expand=PAGE_EXPAND
        )
        results = found.get("results", [])
        return self._remote(results[0]) if results else None

    @shape_checked
    def page(self, page_id: PageId) -> RemotePage:
        return self._remote(self._get(f"rest/api/content/{page_id}", expand=PAGE_EXPAND))

    def home_page(self, space: str) -> PageId:
        try:
            item = self._get(f"rest/api/space/{space}", expand="homepage")
        except ApiFailure as failure:
            if failure.status != 404:
                raise
            raise RemoteError(
                f"space {space} not found at {self.url} (HTTP 404 on GET {failure.path}); "
                f"check the space key, and that CONFLUENCE_URL is the site's base URL "
                f"(Cloud: https://<site>.atlassian.net/wiki)"
            ) from None
        homepage = item.get("homepage") if isinstance(item, dict) else None
        if not isinstance(homepage, dict) or "id" not in homepage:
            raise RemoteError(f"space {space} at {self.url} has no home page")
        return PageId(str(homepage["id"]))

    @shape_checked
    def account(self) -> str:
        """The account the tool writes as (``GET /rest/api/user/current``, which Cloud and
        Data Center both answer), read once per gateway: a version is ours only when its
        author is this account."""
        if self._account is None:
            key = account_key(self._get("rest/api/user/current"))
            if not key:
                raise RemoteError(f"{self.url} did not say which account the token belongs to")
            self._account = key
        return self._account

    def version_message(self, page_id: PageId, number: int) -> str:
        return self.version_note(page_id, number).message

    @shape_checked
    def version_note(self, page_id: PageId, number: int) -> VersionNote:
        item = self._get(
            f"rest/api/content/{page_id}", status="historical", version=number, expand="version"
        )
        version = item.get("version") or {}
        by_us = account_key(version.get("by")) == self.account()
        return VersionNote(str(version.get("message") or ""), by_us)

    @shape_checked
    def ancestor_ids(self, page_id: PageId) -> tuple[PageId, ...]:
        item = self._get(f"rest/api/content/{page_id}", expand="ancestors")
        return tuple(PageId(str(a["id"])) for a in item.get("ancestors", []))

    @shape_checked
    def child_ids(self, page_id: PageId) -> tuple[PageId, ...]:
        items = self._pages(f"rest/api/content/{page_id}/child/page", {"limit": 200})
        return tuple(PageId(str(c["id"])) for c in items)

    @shape_checked
    def attachments(self, page_id: PageId) -> list[RemoteAttachment]:
        items = self._pages(f"rest/api/content/{page_id}/child/attachment", {"limit": 200})
        return [attachment_from(item) for item in items]

    # writes --------------------------------------------------------------------------------
    @shape_checked
    def create_page(self, write: PageWrite) -> RemotePage:
        payload = page_payload(write)
        payload["metadata"] = {
            "labels": [{"prefix": "global", "name": name} for name in write.labels],
            "properties": {STAMP_KEY: {"key": STAMP_KEY, "value": stamp_value(write.stamp)}},
        }
        if write.message:
            payload["version"] = {"message": write.message}
        item = self._call(
            "POST",
            "rest/api/content",
            idempotent=False,
            json=payload,
            params={"expand": PAGE_EXPAND},
        )
        page = self._remote(item)
        metadata = item.get("metadata") or {}
        # Only when the server echoed the metadata can we tell it ignored part of it.
        if "properties" in metadata and page.stamp is None:
            self.set_stamp(page.id, write.stamp, None)
        if "labels" in metadata and not set(write.labels) <= set(page.labels):
            self.set_labels(page.id, write.labels)
        return self._remote(item, stamp=write.stamp, stamp_version=page.stamp_version or 1)

    @shape_checked
    def update_page(self, page_id: PageId, version: int, write: PageWrite) -> RemotePage:
        payload = page_payload(write)
        payload.update(
            id=page_id, version={"number": version, "minorEdit": True, "message": write.message}
        )
        item = self._call(
            "PUT",
            f"rest/api/content/{page_id}",
            idempotent=False,
            json=payload,
            params={"status": "current"},
        )
        return self._remote(item)

    def set_labels(self, page_id: PageId, labels: Sequence[str]) -> None:
        body = [{"prefix": "global", "name": name} for name in labels]
        self._call("POST", f"rest/api/content/{page_id}/label", idempotent=True, json=body)

    def remove_labels(self, page_id: PageId, labels: Sequence[str]) -> None:
        for name in labels:
            try:
                self._call(
                    "DELETE",
                    f"rest/api/content/{page_id}/label",
                    idempotent=True,
                    params={"name": name},
                )
            except ApiFailure as failure:
                if failure.status != 404:
                    raise

    def set_stamp(self, page_id: PageId, stamp: SyncStamp, stamp_version: int | None) -> None:
        value = stamp_value(stamp)
        if stamp_version is None:
            self._call(
                "POST",
                f"rest/api/content/{page_id}/property",
                idempotent=False,
                json={"key": STAMP_KEY, "value": value},
            )
            return
        body = {
            "key": STAMP_KEY,
            "value": value,
            "version": {"number": stamp_version + 1, "minorEdit": True},
        }
        self._call(
            "PUT", f"rest/api/content/{page_id}/property/{STAMP_KEY}", idempotent=False, json=body
        )

    def upload_attachment(
        self, page_id: PageId, file: AttachmentFile, existing: RemoteAttachment | None
    ) -> None:
        path = f"rest/api/content/{page_id}/child/attachment"
        if existing is not None:
            path += f"/{existing.id}/data"
        content = file.path.read_bytes()
        self._call(
            "POST",
            path,
            idempotent=False,
            headers=ATTACHMENT_HEADERS,
            files={"file": (file.filename, content, media_type(file.filename))},
            data={"comment": HASH_PREFIX + file.sha256, "minorEdit": "true"},
        )

    def move_page(self, page_id: PageId, parent_id: PageId) -> None:
        self._call("PUT", f"rest/api/content/{page_id}/move/append/{parent_id}", idempotent=True)

    def delete_page(self, page_id: PageId) -> None:
        try:
            self._call("DELETE", f"rest/api/content/{page_id}", idempotent=True)
        except ApiFailure as failure:
            if failure.status != 404:  # already gone (a retried delete that had landed)
                raise

    # shapes --------------------------------------------------------------------------------
    def _remote(
        self,
        item: dict[str, Any],
        *,
        stamp: SyncStamp | None = None,
        stamp_version: int | None = None,
    ) -> RemotePage:
        version = item.get("version") or {}
        ancestors = item.get("ancestors") or []
        metadata = item.get("metadata") or {}
        labels = (metadata.get("labels") or {}).get("results", [])
        prop = (metadata.get("properties") or {}).get(STAMP_KEY)
        if prop is not None and stamp is None:
            stamp = stamp_from(prop.get("value"))
            stamp_version = (prop.get("version") or {}).get("number")
        links = item.get("_links") or {}
        return RemotePage(
            id=PageId(str(item["id"])),
            title=str(item.get("title", "")),
            version=int(version.get("number", 0)),
            parent_id=PageId(shared(ancestors[-1]["id"])) if ancestors else None,
            labels=tuple(shared(label["name"]) for label in labels),
            stamp=stamp,
            stamp_version=stamp_version,
            last_editor=shared((version.get("by") or {}).get("displayName", "")),
            last_edited=str(version.get("when", "")),
            url=self.url + str(links.get("webui", "")),
            ancestors=tuple(PageId(shared(a["id"])) for a in ancestors),
            message=str(version.get("message") or ""),
            by_us=account_key(version.get("by")) == self.account(),
        )


def _client(
    url: str, user: str | None, token: str | None, access: GatewayAccess | None, timeout: float
) -> Any:
    """The library's client for ``url``. Through the gateway it is the Server implementation
    all the same: ``Confluence`` would pick its v2 class for an ``api.atlassian.com`` address,
    and we send our own requests on its session either way."""
    common: dict[str, Any] = {
        "cloud": False,
        "backoff_and_retry": False,
        "retry_with_header": False,
        "timeout": timeout,
    }
    client: Any
    if access is not None:
        auth = access.auth()
        credentials = {} if auth else {"username": user, "password": token}
        client = ConfluenceServer(url, **credentials, **common)  # type: ignore[no-untyped-call]
        if auth is not None:
            client._session.auth = auth
    elif user:
        client = Confluence(url, username=user, password=token, **common)  # type: ignore[no-untyped-call]
    else:
        client = Confluence(url, token=token, **common)  # type: ignore[no-untyped-call]
    client.timeout = timeout  # the library rounds it down to whole seconds
    return client


def _curl_log_only_when_enabled(client: Any) -> None:
    """atlassian-python-api formats every request as a curl command, whole body included,
    before asking whether debug logging is on: for a 10 MB page, two more copies of it in
    memory on each write. The command is still logged when that logger's debug level is on."""
    original = client.log_curl_debug
    logger = logging.getLogger(original.__module__)

    def log_curl_debug(*args: Any, level: int = logging.DEBUG, **kwargs: Any) -> None:
        if logger.isEnabledFor(level):
            original(*args, level=level, **kwargs)

    client.log_curl_debug = log_curl_debug
