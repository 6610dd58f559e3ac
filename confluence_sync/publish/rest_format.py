"""What pages, stamps, attachments and errors look like in Confluence's REST JSON, and the
guard that turns JSON of another shape into a clear error: shared by the v1 and v2 gateways,
so both read and write the same stamp and report failures the same way.
"""

from __future__ import annotations

import functools
import json
import mimetypes
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

import requests

from confluence_sync.errors import RemoteError
from confluence_sync.pages import SyncStamp
from confluence_sync.publish.failures import redact_response
from confluence_sync.publish.gateway import PageWrite, RemoteAttachment

HASH_PREFIX = "sha256:"


F = TypeVar("F", bound=Callable[..., Any])


def shape_checked(method: F) -> F:
    """JSON of the wrong shape (a proxy's error document, another product's API) becomes a
    remote error naming the call, never a traceback from deep inside the parsing."""

    @functools.wraps(method)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as exc:
            raise RemoteError(
                f"unexpected answer from the wiki in {method.__name__} "
                f"({type(exc).__name__}: {exc}); is CONFLUENCE_URL a Confluence site?"
            ) from None

    return cast(F, checked)


def cql_string(value: str) -> str:
    """A CQL string literal: double quotes with backslash escapes."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def page_payload(write: PageWrite) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "page",
        "status": "current",
        "title": write.title,
        "space": {"key": write.space},
        "body": {"storage": {"value": write.body, "representation": "storage"}},
    }
    if write.parent_id is not None:
        payload["ancestors"] = [{"type": "page", "id": write.parent_id}]
    return payload


def stamp_value(stamp: SyncStamp) -> dict[str, Any]:
    return {
        "source": stamp.source,
        "digest": stamp.digest,
        "version": stamp.version,
        "tool": stamp.tool,
        "content": stamp.content,
        "labels": list(stamp.labels),
        "attachments": dict(stamp.attachments),
        "site": stamp.site,
        "page": stamp.page_id,
        "parent": stamp.parent,
    }


def account_key(user: Any) -> str:
    """Who a ``version.by`` (or ``/user/current``) names: the Cloud account id, else the Data
    Center user key, else the user name; "" when the answer names nobody."""
    if not isinstance(user, dict):
        return ""
    for field in ("accountId", "userKey", "username"):
        if user.get(field):
            return shared(user[field])
    return ""


def shared(value: object) -> str:
    """``value`` as a string kept once per process (``sys.intern``): the ids of parent pages,
    labels, editors and the tool version repeat across every page of a large site's state."""
    return sys.intern(str(value))


def stamp_from(value: Any) -> SyncStamp | None:
    """A property someone tampered with is treated as absent (the page is not ours)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    try:
        return SyncStamp(
            source=str(value["source"]),
            digest=str(value["digest"]),
            version=int(value["version"]),
            tool=shared(value.get("tool", "")),
            content=str(value.get("content", "")),
            labels=tuple(shared(label) for label in value.get("labels", ())),
            attachments=tuple(
                sorted((str(k), str(v)) for k, v in value.get("attachments", {}).items())
            ),
            site=shared(value.get("site", "")),
            page_id=str(value.get("page", "")),
            parent=str(value.get("parent", "")),
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def attachment_from(item: dict[str, Any]) -> RemoteAttachment:
    comment = (item.get("extensions") or {}).get("comment") or (
        (item.get("metadata") or {}).get("comment") or ""
    )
    digest = comment[len(HASH_PREFIX) :] if comment.startswith(HASH_PREFIX) else None
    return RemoteAttachment(id=str(item["id"]), filename=str(item.get("title", "")), sha256=digest)


def unexpected_answer(
    response: requests.Response, method: str, path: str, base: str
) -> RemoteError:
    """A 2xx that is not JSON: usually an SSO login page or a proxy, i.e. the wrong URL."""
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    hint = ""
    if "html" in kind:
        hint = (
            f"; a login page or proxy answered: is CONFLUENCE_URL ({base}) the site's base URL"
            " (Cloud: https://<site>.atlassian.net/wiki)?"
        )
    return RemoteError(
        f"unexpected answer to {method} {path.split('?')[0]}: HTTP {response.status_code} "
        f"with {kind} instead of JSON{hint}"
    )


def error_message(response: requests.Response) -> str:
    """The server's reason, credentials removed before it is cut to length (so no half secret
    survives the cut)."""
    authorization = response.request.headers.get("Authorization") if response.request else None
    try:
        body = response.json()
    except ValueError:
        text = response.text or response.reason or ""
    else:
        text = _reason(body)
    return redact_response(text, authorization)[:300]


def _reason(body: Any) -> str:
    """Confluence's reason from a JSON error body: v1's ``message``/``reason``, or the first
    entry of REST v2's ``{"errors": [{"status", "code", "title", "detail"}]}``."""
    if not isinstance(body, dict):
        return str(body)
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        return " ".join(str(first.get(k) or "") for k in ("title", "detail")).strip()
    return str(body.get("message") or body.get("reason") or "")


def media_type(filename: str) -> str:
    """Browsers will not show an SVG or PDF served as octet-stream, so send the real type."""
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
