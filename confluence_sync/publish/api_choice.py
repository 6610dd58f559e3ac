"""Which REST API a run talks: v1 (Data Center, and Cloud while Atlassian keeps it) or v2
(Cloud's page API). ``CONFLUENCE_API`` (or ``--api``) is ``auto``, ``v1`` or ``v2``.

``auto`` picks v2 for an ``*.atlassian.net`` site without asking it, and otherwise for a site
that answers ``GET <url>/api/v2/spaces`` (one request), so a Cloud site behind a custom domain
and the local wiki in cloud mode get v2, and Data Center, which has no v2, stays on v1.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from confluence_sync.config import DEFAULT_TIMEOUT, Api
from confluence_sync.errors import RemoteError
from confluence_sync.publish.access import GatewayAccess
from confluence_sync.publish.atlassian import AtlassianGateway
from confluence_sync.publish.failures import ApiFailure
from confluence_sync.publish.gateway_v2 import V2, V2Gateway
from confluence_sync.publish.retry import RetryPolicy


def is_atlassian_cloud(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host.endswith(".atlassian.net")


def open_gateway(
    url: str,
    *,
    user: str | None,
    token: str | None,
    policy: RetryPolicy,
    api: Api,
    access: GatewayAccess | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> AtlassianGateway:
    """A gateway for ``url`` speaking the chosen API; ``gateway.api`` says which one. Through
    Atlassian's API gateway (``access``) it is v2 without asking: only Cloud has a gateway."""
    if api == "v1":
        return AtlassianGateway(
            url, user=user, token=token, policy=policy, access=access, timeout=timeout
        )
    gateway = V2Gateway(url, user=user, token=token, policy=policy, access=access, timeout=timeout)
    try:
        if api == "v2" or access is not None or is_atlassian_cloud(url) or _answers_v2(gateway):
            return gateway
    except BaseException:
        gateway.close()
        raise
    gateway.close()
    return AtlassianGateway(url, user=user, token=token, policy=policy, timeout=timeout)


def _answers_v2(gateway: V2Gateway) -> bool:
    """A 2xx with a ``results`` list means v2; a 4xx refusal (404 on Data Center) means v1.
    What the site *is* decides, never how it fares: a 5xx, a 429 or a network error is a remote
    failure (retried by the policy, then raised, so the run exits 3), and authentication
    failures propagate too (v1 would meet them as well)."""
    try:
        body = gateway.probe(f"{V2}/spaces")
    except ApiFailure as failure:
        if failure.remote_failure:
            raise
        return False
    except (RemoteError, ValueError):  # a 2xx that is not JSON (a login page): not v2
        return False
    return isinstance(body, dict) and isinstance(body.get("results"), list)
