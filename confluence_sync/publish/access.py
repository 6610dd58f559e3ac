"""How a run reaches a Cloud site through Atlassian's API gateway, and why a call was refused.

OAuth 2.0 access tokens of service accounts and scoped API tokens are accepted only at
``https://api.atlassian.com/ex/confluence/{cloudId}`` (Atlassian's "Manage API tokens for your
Atlassian account" and "Create OAuth 2.0 credential for service accounts" pages); the site's own
URL refuses them. Requests therefore go to ``<gateway>/ex/confluence/<cloudId>/wiki/...`` while
every link printed keeps the site's URL. The cloud id is ``CONFLUENCE_CLOUD_ID`` or what the
site's ``/_edge/tenant_info`` answers (one unauthenticated request).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests

from confluence_sync.errors import AuthError, RemoteError
from confluence_sync.publish.failures import redact_response
from confluence_sync.publish.oauth import BearerAuth, ClientCredentials, TokenSource
from confluence_sync.publish.scopes import Call, call_for

if TYPE_CHECKING:
    from confluence_sync.config import Settings

SCOPE_REFUSAL = "scope does not match"


@dataclass(frozen=True)
class GatewayAccess:
    """Where requests go (``api_url`` ends in ``/wiki``) and, for a service account's OAuth
    client, where its bearer tokens come from (None: a scoped API token sent as Basic)."""

    api_url: str
    tokens: TokenSource | None = None

    def auth(self) -> BearerAuth | None:
        return BearerAuth(self.tokens) if self.tokens is not None else None

    def granted_scopes(self) -> frozenset[str] | None:
        """The scopes the token endpoint granted, when it said; a scoped API token's scopes
        are known only to Atlassian."""
        return self.tokens.granted_scopes() if self.tokens is not None else None

    def close(self) -> None:
        if self.tokens is not None:
            self.tokens.close()


class ScopeRefusal(AuthError):
    """The gateway refused a call because the token lacks its scope; ``call`` is the table's
    row for it (None for a call the table does not know)."""

    def __init__(self, message: str, call: Call | None) -> None:
        super().__init__(message)
        self.call = call


class PermissionRefusal(AuthError):
    """HTTP 403: the credentials are good but the account may not do this."""


def gateway_access(settings: Settings) -> GatewayAccess:
    """The gateway address for the configured site and, for an OAuth client, its tokens."""
    assert settings.url is not None
    cloud_id = settings.cloud_id or discover_cloud_id(settings.url)
    tokens = None
    if settings.client_id and settings.client_secret:
        credentials = ClientCredentials(
            settings.client_id, settings.client_secret, settings.token_url
        )
        tokens = TokenSource(credentials)
    return GatewayAccess(gateway_api_url(settings.gateway_url, cloud_id), tokens)


def site_origin(site_url: str) -> str:
    parts = urlsplit(site_url)
    return f"{parts.scheme}://{parts.netloc}"


def gateway_api_url(gateway_url: str, cloud_id: str) -> str:
    """``https://api.atlassian.com/ex/confluence/<cloudId>/wiki``: the site's ``/wiki`` below
    the gateway."""
    return f"{gateway_url.rstrip('/')}/ex/confluence/{cloud_id}/wiki"


def discover_cloud_id(site_url: str, *, timeout: float = 30) -> str:
    """The cloud id the site's ``/_edge/tenant_info`` names."""
    url = site_origin(site_url) + "/_edge/tenant_info"
    try:
        response = requests.get(url, timeout=timeout)
        cloud_id = response.json().get("cloudId") if response.ok else None
    except (requests.RequestException, ValueError, AttributeError):
        cloud_id = None
    if not isinstance(cloud_id, str) or not cloud_id:
        raise RemoteError(
            f"could not read the cloud id from {url}; set CONFLUENCE_CLOUD_ID "
            "(Atlassian administration, or that address in a browser)"
        )
    return cloud_id


def refused(
    response: requests.Response, method: str, path: str, site: str, gateway: bool
) -> AuthError:
    """A 401 or 403 in words a user can act on: through the gateway, a scope refusal names the
    scope the call needs (from ``publish/scopes.py``)."""
    status = response.status_code
    body = redact_response(response.text, response.request.headers.get("Authorization"))
    call = call_for(method, path)
    where = f"{method} {call.path if call else path.split('?')[0]}"
    if gateway and SCOPE_REFUSAL in body:
        needs = call.scopes_text() if call else "a scope not in the README's table"
        what = f" ({call.capability})" if call else ""
        return ScopeRefusal(
            f"the token lacks a scope: {where}{what} needs {needs}; "
            "add it to the service account's credential or the scoped API token",
            call,
        )
    hint = (
        "check CONFLUENCE_CLIENT_ID/CONFLUENCE_CLIENT_SECRET or the scoped token, and the "
        "service account's access to the site"
        if gateway
        else "check CONFLUENCE_USER and CONFLUENCE_TOKEN, and the space permissions"
    )
    if gateway and status == 403:
        hint = "the account lacks a permission for it (space view, page edit, attachments)"
    message = f"authentication failed: HTTP {status} from {site} on {where} ({hint})"
    return PermissionRefusal(message) if status == 403 else AuthError(message)
