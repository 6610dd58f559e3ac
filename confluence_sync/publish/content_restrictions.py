"""Page restrictions over REST v1 ``POST /content/{id}/restriction`` (Cloud and Data Center).

REST v1's create body (``ContentCreate``) has no ``restrictions`` field, and v2 has no
restriction endpoints, so a restricted page is created first and restricted by a second request
before its body is written (``commands/incident.py`` keeps the body out until then). One request
sets both operations: ``read`` (view) and ``update`` (edit), each for the groups plus our own
account, so the tool can still update the page and read it back for the index.
Reference: https://developer.atlassian.com/cloud/confluence/rest/v1/api-group-content-restrictions/
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from confluence_sync.pages import PageId
from confluence_sync.publish.atlassian import AtlassianGateway

OPERATIONS = ("read", "update")


def restriction_body(groups: Sequence[str], account: str, *, cloud: bool) -> list[dict[str, Any]]:
    """The ``ContentRestrictionUpdate`` array: Cloud names a user by ``accountId``, Data Center
    by ``userKey`` (what ``/user/current`` answered as ``account``); groups by name."""
    me = {"type": "known", "accountId" if cloud else "userKey": account}
    who = {"group": [{"type": "group", "name": g} for g in groups], "user": [me]}
    return [{"operation": op, "restrictions": who} for op in OPERATIONS]


def restrict_page(gateway: AtlassianGateway, page_id: PageId, groups: Sequence[str]) -> None:
    """Add view and edit restrictions (adds to any there already, as Confluence's POST does)."""
    cloud = gateway.url.endswith("/wiki")
    body = restriction_body(groups, gateway.account(), cloud=cloud)
    gateway._call("POST", f"rest/api/content/{page_id}/restriction", idempotent=True, json=body)
