"""Can these credentials do what a sync needs? Answered before anything is written.

A scoped token fails only on the calls whose scope it lacks, so without a check a sync could
create pages and then fail on their attachments. Two ways to know:

- the token endpoint listed the scopes it granted (an OAuth 2.0 client): compare them with
  ``publish/scopes.py``, no request at all; ``sync`` stops there, ``doctor`` goes on to probe
  what the scopes allow, since the account's permissions may still refuse it;
- otherwise ask: each read is made for real (small: the space's home page, one search hit, one
  attachment listing), and each write is sent *empty* (a page without a space, a property
  without a key, no labels, an upload without a file). Confluence refuses those as invalid
  (400), but only after the API gateway has checked the token's scopes and the site the
  account's permission, so a 401 "scope does not match" or a 403 names what is missing and a
  400 says the call would pass. Nothing is written either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from confluence_sync.errors import AuthError
from confluence_sync.pages import PageId
from confluence_sync.plan.actions import Plan
from confluence_sync.publish import scopes
from confluence_sync.publish.access import PermissionRefusal, ScopeRefusal
from confluence_sync.publish.atlassian import AtlassianGateway
from confluence_sync.publish.failures import ApiFailure
from confluence_sync.publish.rest_format import cql_string

READS = (scopes.SPACE_VIEW, scopes.SEARCH, scopes.PAGE_READ, scopes.ATTACHMENT_READ)
WRITES = (scopes.PAGE_WRITE, scopes.PROPERTY_WRITE, scopes.LABEL_WRITE, scopes.ATTACHMENT_WRITE)
ATTACHMENT_HEADERS = {"X-Atlassian-Token": "no-check", "Accept": "application/json"}


@dataclass(frozen=True)
class Check:
    """One capability: whether the credentials have it, and what is missing if not."""

    capability: str
    ok: bool
    detail: str


Probe = tuple[str, str, dict[str, Any]]  # method, path, request arguments


def check(
    gw: AtlassianGateway, space: str, capabilities: Sequence[str], *, probe: bool = True
) -> list[Check]:
    """A ``Check`` per capability. A scope the token endpoint did not grant is reported
    without a request; everything else is probed (``probe``), or, with ``probe`` off and the
    granted scopes known, taken as granted (the cheap check ``sync`` makes)."""
    granted = gw.access.granted_scopes() if gw.access is not None else None
    if granted is not None:
        known = [_from_scopes(granted, gw.api, c) for c in capabilities]
        if not probe or not all(c.ok for c in known if c.capability == scopes.SPACE_VIEW):
            return known
        lacking = {c.capability: c for c in known if not c.ok}
    else:
        lacking = {}
    try:
        home = gw.home_page(space)
    except (ScopeRefusal, PermissionRefusal) as refusal:  # nothing else can be tried
        first = Check(scopes.SPACE_VIEW, False, str(refusal))
        rest = [Check(c, False, "not checked: the space is not readable") for c in capabilities]
        return [first, *(r for r in rest if r.capability != scopes.SPACE_VIEW)]
    results = [Check(scopes.SPACE_VIEW, True, f"space {space} readable")]
    for capability in capabilities:
        if capability in lacking:
            results.append(lacking[capability])
        elif capability != scopes.SPACE_VIEW:
            results.append(_probe_all(gw, capability, _probes(gw.api, capability, space, home)))
    return results


def require(gw: object, space: str, capabilities: Iterable[str]) -> None:
    """Raise before any write when a capability the run needs is missing (exit 3). Only
    through the API gateway: classic credentials carry no scopes, and a no-change sync stays
    as cheap as before."""
    wanted = list(dict.fromkeys(capabilities))
    if not wanted or not isinstance(gw, AtlassianGateway) or gw.access is None:
        return
    failed = [c for c in check(gw, space, wanted, probe=False) if not c.ok]
    if failed:
        lines = "; ".join(f"{c.capability}: {c.detail}" for c in failed)
        raise AuthError(
            f"the credentials cannot do what this sync needs ({lines}); nothing was written. "
            "Run confluence-sync doctor for the full list."
        )


def needed_by(plan: Plan) -> list[str]:
    """The write capabilities applying ``plan`` uses (none for a plan without writes)."""
    writing = [a for a in plan.actions if a.writes]
    if not writing:
        return []
    needs = [scopes.PAGE_WRITE, scopes.PROPERTY_WRITE, scopes.LABEL_WRITE]
    if any(a.desired is not None and a.desired.attachments for a in writing):
        needs.append(scopes.ATTACHMENT_WRITE)
    return needs


def _from_scopes(granted: frozenset[str], api: str, capability: str) -> Check:
    lacking = scopes.missing(granted, api, [capability]).get(capability, ())
    if not lacking:
        return Check(capability, True, "granted")
    needs = "; ".join(f"{c.method} {c.path} needs {c.scopes_text()}" for c in lacking)
    return Check(capability, False, f"missing scope: {needs}")


def _probe_all(gw: AtlassianGateway, capability: str, probes: list[Probe]) -> Check:
    for method, path, kwargs in probes:
        try:
            gw.attempt(method, path, **kwargs)
        except ScopeRefusal as refusal:
            call = refusal.call
            what = f"{call.method} {call.path} needs {call.scopes_text()}" if call else path
            return Check(capability, False, f"missing scope: {what}")
        except PermissionRefusal:
            return Check(capability, False, f"missing permission: {method} {path} is forbidden")
        except ApiFailure as failure:
            if failure.status is None or failure.status >= 500 or failure.status == 404:
                raise
    return Check(capability, True, "passed")


def _probes(api: str, capability: str, space: str, home: PageId) -> list[Probe]:
    table: dict[str, Callable[[], list[Probe]]] = {
        scopes.SEARCH: lambda: [_search(space)],
        scopes.PAGE_READ: lambda: _page_reads(api, home),
        scopes.ATTACHMENT_READ: lambda: [_attachment_list(api, home)],
        scopes.PAGE_WRITE: lambda: [_empty_create(api)],
        scopes.PROPERTY_WRITE: lambda: [_empty_property(api, home)],
        scopes.LABEL_WRITE: lambda: [_empty_label(home)],
        scopes.ATTACHMENT_WRITE: lambda: [_empty_upload(home)],
    }
    return table[capability]()


def _search(space: str) -> Probe:
    params = {"cql": f"space = {cql_string(space)} AND type = page", "limit": 1}
    return ("GET", "rest/api/content/search", {"params": params})


def _page_reads(api: str, home: PageId) -> list[Probe]:
    if api == "v1":
        return [("GET", f"rest/api/content/{home}", {"params": {"expand": "ancestors"}})]
    limit = {"params": {"limit": 1}}
    return [
        ("GET", f"api/v2/pages/{home}", {}),
        ("GET", f"api/v2/pages/{home}/ancestors", limit),
        ("GET", f"api/v2/pages/{home}/direct-children", limit),
    ]


def _attachment_list(api: str, home: PageId) -> Probe:
    if api == "v1":
        return ("GET", f"rest/api/content/{home}/child/attachment", {"params": {"limit": 1}})
    return ("GET", f"api/v2/pages/{home}/attachments", {"params": {"limit": 1}})


def _empty_create(api: str) -> Probe:
    return ("POST", "rest/api/content" if api == "v1" else "api/v2/pages", {"json": {}})


def _empty_property(api: str, home: PageId) -> Probe:
    if api == "v1":
        return ("POST", f"rest/api/content/{home}/property", {"json": {}})
    return ("POST", f"api/v2/pages/{home}/properties", {"json": {}})


def _empty_label(home: PageId) -> Probe:
    """A label without a name: invalid, so nothing is added."""
    body = [{"prefix": "global", "name": ""}]
    return ("POST", f"rest/api/content/{home}/label", {"json": body})


def _empty_upload(home: PageId) -> Probe:
    """A multipart upload with a comment and no file: refused as invalid, never stored."""
    kwargs = {"headers": ATTACHMENT_HEADERS, "files": {"comment": (None, "confluence-sync doctor")}}
    return ("POST", f"rest/api/content/{home}/child/attachment", kwargs)
