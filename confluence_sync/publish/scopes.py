"""Every call the tool makes, on REST v1 and v2, with the OAuth 2.0 scopes Atlassian asks for it.

The scopes come from Atlassian's OpenAPI specs (the ``security`` and ``x-atlassian-oauth2-scopes``
of each operation; trimmed copies in ``tests/fixtures/specs/``, checked by
``tests/test_scope_table.py``): v1 operations take their classic scope or a set of granular
ones, v2 operations granular scopes only. A scoped token or a service account's OAuth client
only passes the calls whose scopes it carries, so this table is what the README prints, what
``doctor`` checks a token against, and how a refused call is explained (the scope it needed,
not just "401").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

Capability = str  # what a user would grant: "space view", "page create/update", ...

SPACE_VIEW = "space view"
PAGE_READ = "page read"
SEARCH = "search"
PAGE_WRITE = "page create/update"
PAGE_DELETE = "page delete"
ATTACHMENT_READ = "attachment read"
ATTACHMENT_WRITE = "attachment write"
LABEL_WRITE = "label write"
PROPERTY_WRITE = "property write"
USER_READ = "user read"


@dataclass(frozen=True)
class Call:
    """One REST operation: ``path`` as the spec writes it, below ``/wiki``."""

    api: str  # "v1" or "v2"
    method: str
    path: str
    capability: Capability
    classic: tuple[str, ...]  # the classic scopes (v1 only); empty on v2
    granular: tuple[str, ...]  # the granular scopes; empty when the spec lists none

    def matches(self, method: str, path: str) -> bool:
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", self.path)
        return method == self.method and re.fullmatch(pattern, path) is not None

    def admits(self, granted: frozenset[str]) -> bool:
        sets = [s for s in (self.classic, self.granular) if s]
        return any(set(s) <= granted for s in sets)

    def scopes_text(self) -> str:
        """How a message names what is missing: ``a, b (or classic c)``."""
        granular = ", ".join(self.granular)
        classic = ", ".join(self.classic)
        if granular and classic:
            return f"{granular} (or classic {classic})"
        return granular or classic


_C = "/rest/api/content"
_V2 = "/api/v2"
_READ = ("read:confluence-content.summary",)
_WRITE = ("write:confluence-content",)
_FILE = ("write:confluence-file",)
_UPLOAD = ("read:content-details:confluence", "write:attachment:confluence")
_SEARCH = ("search:confluence",)
_DETAILS = ("read:content-details:confluence",)
_PAGE = ("read:page:confluence",)
_PAGE_RW = ("read:page:confluence", "write:page:confluence")

CALLS: tuple[Call, ...] = (
    # REST v1: Data Center, and Cloud with --api v1 (the 2021 spec: classic scopes only)
    Call("v1", "GET", "/rest/api/space/{key}", SPACE_VIEW, ("read:confluence-space.summary",), ()),
    Call("v1", "GET", f"{_C}/search", SEARCH, _SEARCH, _DETAILS),
    Call("v1", "GET", _C, PAGE_READ, _READ, ()),
    Call("v1", "GET", f"{_C}/{{id}}", PAGE_READ, _READ, ()),
    Call("v1", "GET", f"{_C}/{{id}}/child/page", PAGE_READ, _READ, ()),
    Call("v1", "GET", f"{_C}/{{id}}/child/attachment", ATTACHMENT_READ, _READ, ()),
    Call(
        "v1",
        "GET",
        "/download/attachments/{id}/{name}",
        ATTACHMENT_READ,
        ("readonly:content.attachment:confluence",),
        ("read:attachment:confluence",),
    ),
    Call("v1", "POST", _C, PAGE_WRITE, _WRITE, ()),
    Call("v1", "PUT", f"{_C}/{{id}}", PAGE_WRITE, _WRITE, ()),
    Call(
        "v1",
        "PUT",
        f"{_C}/{{id}}/move/{{position}}/{{target}}",
        PAGE_WRITE,
        _WRITE,
        ("write:page:confluence",),
    ),
    Call("v1", "DELETE", f"{_C}/{{id}}", PAGE_DELETE, _WRITE, ()),
    Call(
        "v1",
        "POST",
        f"{_C}/{{id}}/label",
        LABEL_WRITE,
        _WRITE,
        ("read:label:confluence", "write:label:confluence"),
    ),
    Call("v1", "DELETE", f"{_C}/{{id}}/label", LABEL_WRITE, _WRITE, ("write:label:confluence",)),
    Call("v1", "POST", f"{_C}/{{id}}/property", PROPERTY_WRITE, ("write:confluence-props",), ()),
    Call(
        "v1",
        "PUT",
        f"{_C}/{{id}}/property/{{key}}",
        PROPERTY_WRITE,
        ("write:confluence-props",),
        (),
    ),
    Call("v1", "POST", f"{_C}/{{id}}/child/attachment", ATTACHMENT_WRITE, _FILE, _UPLOAD),
    Call(
        "v1",
        "POST",
        f"{_C}/{{id}}/child/attachment/{{attachmentId}}/data",
        ATTACHMENT_WRITE,
        _FILE,
        _UPLOAD,
    ),
    # who the tool writes as (a version is ours only when this account wrote it); the spec
    # lists the classic scope, or the granular (Beta) one
    Call(
        "v1",
        "GET",
        "/rest/api/user/current",
        USER_READ,
        ("read:confluence-user",),
        ("read:content-details:confluence",),
    ),
    # REST v2: Cloud pages (granular scopes only)
    Call("v2", "GET", f"{_V2}/spaces", SPACE_VIEW, (), ("read:space:confluence",)),
    Call("v2", "GET", f"{_V2}/pages", PAGE_READ, (), _PAGE),
    Call("v2", "GET", f"{_V2}/pages/{{id}}", PAGE_READ, (), _PAGE),
    Call("v2", "GET", f"{_V2}/pages/{{id}}/properties", PAGE_READ, (), _PAGE),
    Call(
        "v2",
        "GET",
        f"{_V2}/pages/{{id}}/ancestors",
        PAGE_READ,
        (),
        ("read:content.metadata:confluence",),
    ),
    Call(
        "v2",
        "GET",
        f"{_V2}/pages/{{id}}/direct-children",
        PAGE_READ,
        (),
        ("read:hierarchical-content:confluence",),
    ),
    Call(
        "v2",
        "GET",
        f"{_V2}/pages/{{id}}/attachments",
        ATTACHMENT_READ,
        (),
        ("read:attachment:confluence",),
    ),
    Call("v2", "POST", f"{_V2}/users-bulk", USER_READ, (), ("read:user:confluence",)),
    Call("v2", "POST", f"{_V2}/pages", PAGE_WRITE, (), ("write:page:confluence",)),
    Call("v2", "PUT", f"{_V2}/pages/{{id}}", PAGE_WRITE, (), ("write:page:confluence",)),
    Call("v2", "DELETE", f"{_V2}/pages/{{id}}", PAGE_DELETE, (), ("delete:page:confluence",)),
    Call("v2", "POST", f"{_V2}/pages/{{id}}/properties", PROPERTY_WRITE, (), _PAGE_RW),
    Call(
        "v2", "PUT", f"{_V2}/pages/{{id}}/properties/{{propertyId}}", PROPERTY_WRITE, (), _PAGE_RW
    ),
)

V2_ALSO_V1 = frozenset(
    {
        f"{_C}/search",
        f"{_C}/{{id}}/label",
        f"{_C}/{{id}}/child/attachment",
        f"{_C}/{{id}}/child/attachment/{{attachmentId}}/data",
        f"{_C}/{{id}}/move/{{position}}/{{target}}",
        "/download/attachments/{id}/{name}",
        "/rest/api/user/current",
    }
)
"""The v1 calls the v2 gateway still makes (v2 has no CQL, label writes, uploads, moves or
current user)."""


def calls_for(api: str) -> tuple[Call, ...]:
    """The calls a run on ``api`` can make: v2 runs make the v2 calls and some v1 ones."""
    if api == "v1":
        return tuple(c for c in CALLS if c.api == "v1")
    return tuple(c for c in CALLS if c.api == "v2" or c.path in V2_ALSO_V1)


def call_for(method: str, path: str) -> Call | None:
    """The table's row for a request path below the site's ``/wiki`` (or the gateway's)."""
    bare = urlsplit(path).path if "://" in path else path.split("?")[0]
    trimmed = re.sub(r"^.*?/wiki(?=/)", "", "/" + bare.lstrip("/"), count=1)
    return next((c for c in CALLS if c.matches(method, trimmed)), None)


def missing(
    granted: frozenset[str], api: str, capabilities: Iterable[Capability]
) -> dict[Capability, tuple[Call, ...]]:
    """For each capability, the calls of ``api`` that ``granted`` does not admit."""
    wanted = set(capabilities)
    found: dict[Capability, tuple[Call, ...]] = {}
    for call in calls_for(api):
        if call.capability in wanted and not call.admits(granted):
            found[call.capability] = (*found.get(call.capability, ()), call)
    return found
