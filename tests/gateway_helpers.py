"""A local wiki with service accounts behind its API gateway, and the environment that reaches
it the way CI reaches Atlassian: client credentials or a scoped token, the site URL for links,
``CONFLUENCE_GATEWAY_URL`` and ``CONFLUENCE_TOKEN_URL`` pointed at the wiki."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from confluence_sync.localwiki import LocalWiki
from confluence_sync.localwiki.oauth_tokens import GatewayCredential
from confluence_sync.publish.scopes import calls_for

CLIENT_ID = "svc-client-7Qz"
CLIENT_SECRET = "client-SECRET-9f8e7d6c5b4a"
SCOPED_USER = "ci-bot@example.com"
SCOPED_TOKEN = "scoped-TOKEN-0a1b2c3d4e5f"
SERVICE_ACCOUNT = "ci-bot"


def sync_scopes() -> frozenset[str]:
    """Every granular scope a v2 run uses (the README's table), classic ones where a call has
    no granular alternative."""
    found: set[str] = set()
    for call in calls_for("v2"):
        found |= set(call.granular or call.classic)
    return frozenset(found)


def service_wiki(data: Path, *, lacking: frozenset[str] = frozenset(), **kwargs: Any) -> LocalWiki:
    """A started cloud-mode wiki whose OAuth client and scoped token hold the sync's scopes
    minus ``lacking``."""
    scopes = sync_scopes() - lacking
    credential = GatewayCredential(SERVICE_ACCOUNT, CLIENT_SECRET, scopes)
    scoped = GatewayCredential(SERVICE_ACCOUNT, SCOPED_TOKEN, scopes)
    wiki = LocalWiki(
        data, oauth_clients={CLIENT_ID: credential}, scoped_tokens={SCOPED_USER: scoped}, **kwargs
    )
    wiki.start()
    return wiki


def origin(wiki: LocalWiki) -> str:
    return wiki.base_url.removesuffix("/wiki")


def oauth_env(wiki: LocalWiki, **extra: str) -> dict[str, str]:
    """Client credentials; the cloud id left for the tool to discover from tenant_info."""
    return {
        "CONFLUENCE_URL": wiki.base_url,
        "CONFLUENCE_CLIENT_ID": CLIENT_ID,
        "CONFLUENCE_CLIENT_SECRET": CLIENT_SECRET,
        "CONFLUENCE_USER": "",
        "CONFLUENCE_TOKEN": "",
        "CONFLUENCE_GATEWAY_URL": origin(wiki),
        "CONFLUENCE_TOKEN_URL": origin(wiki) + "/oauth/token",
        "CONFLUENCE_API": "",
        "CONFLUENCE_RETRY_MAX_WAIT": "0",
        "CI": "",
        **extra,
    }


def scoped_env(wiki: LocalWiki, **extra: str) -> dict[str, str]:
    """A scoped API token: e-mail and token, through the gateway, the cloud id given."""
    return {
        **oauth_env(wiki),
        "CONFLUENCE_CLIENT_ID": "",
        "CONFLUENCE_CLIENT_SECRET": "",
        "CONFLUENCE_USER": SCOPED_USER,
        "CONFLUENCE_TOKEN": SCOPED_TOKEN,
        "CONFLUENCE_CLOUD_ID": wiki.cloud_id,
        **extra,
    }


def site_writes(wiki: LocalWiki) -> list[str]:
    """Accepted requests that reached the site and may have changed it."""
    return [
        f"{r.method} {r.path}"
        for r in wiki.requests
        if r.method != "GET" and r.status < 400 and not r.path.endswith("/users-bulk")
    ]


def gateway_paths(wiki: LocalWiki) -> list[str]:
    assert wiki.gateway is not None
    return [r.path for r in wiki.gateway.log.entries()]
