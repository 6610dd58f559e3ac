"""Which credentials a run uses, and whether the ``CONFLUENCE_*`` variables that give them fit
together.

Three kinds reach Confluence: a person's e-mail and API token (Cloud) or personal access token
(Data Center), sent to the site; a service account's OAuth 2.0 client (``CONFLUENCE_CLIENT_ID``
and ``CONFLUENCE_CLIENT_SECRET``, exchanged at the token endpoint for short-lived tokens); and a
scoped API token (e-mail and token, with ``CONFLUENCE_GATEWAY=true``). The last two go through
Atlassian's API gateway, to the site named by ``CONFLUENCE_CLOUD_ID`` (or the cloud id the site's
``/_edge/tenant_info`` answers). ``CONFLUENCE_GATEWAY_URL`` and ``CONFLUENCE_TOKEN_URL`` point
the gateway and the token endpoint elsewhere (the local wiki plays both in tests).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from confluence_sync.errors import Problem

ATLASSIAN_GATEWAY = "https://api.atlassian.com"
ATLASSIAN_TOKEN_URL = "https://auth.atlassian.com/oauth/token"
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no", "")
_CLOUD_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def _get(env: Mapping[str, str], name: str) -> str:
    return (env.get(name) or "").strip()


def via_gateway(env: Mapping[str, str]) -> bool:
    """Client credentials, a cloud id or ``CONFLUENCE_GATEWAY=true`` route through the gateway."""
    return bool(
        _get(env, "CONFLUENCE_CLIENT_ID")
        or _get(env, "CONFLUENCE_CLIENT_SECRET")
        or _get(env, "CONFLUENCE_CLOUD_ID")
        or _get(env, "CONFLUENCE_GATEWAY").lower() in _TRUE
    )


def credential_problems(env: Mapping[str, str], url: str) -> list[Problem]:
    """Every way the credential variables contradict each other, all at once."""
    client_id = _get(env, "CONFLUENCE_CLIENT_ID")
    secret = env.get("CONFLUENCE_CLIENT_SECRET") or ""
    token = env.get("CONFLUENCE_TOKEN") or ""
    problems = []
    if client_id and not secret:
        problems.append(
            Problem("CONFLUENCE_CLIENT_SECRET", "is required with CONFLUENCE_CLIENT_ID")
        )
    if secret and not client_id:
        problems.append(
            Problem("CONFLUENCE_CLIENT_ID", "is required with CONFLUENCE_CLIENT_SECRET")
        )
    oauth = bool(client_id or secret)
    if oauth and token:
        problems.append(
            Problem(
                "CONFLUENCE_TOKEN",
                "set either CONFLUENCE_TOKEN or CONFLUENCE_CLIENT_ID/CONFLUENCE_CLIENT_SECRET, "
                "not both",
            )
        )
    if url and not token and not oauth:
        problems.append(
            Problem(
                "CONFLUENCE_TOKEN",
                "is required when CONFLUENCE_URL is set (or CONFLUENCE_CLIENT_ID and "
                "CONFLUENCE_CLIENT_SECRET for a service account)",
            )
        )
    return problems + _gateway_problems(env, url, oauth, token)


def _gateway_problems(env: Mapping[str, str], url: str, oauth: bool, token: str) -> list[Problem]:
    problems = []
    flag = _get(env, "CONFLUENCE_GATEWAY").lower()
    if flag not in (*_TRUE, *_FALSE):
        problems.append(Problem("CONFLUENCE_GATEWAY", f"must be true or false, not {flag!r}"))
    cloud_id = _get(env, "CONFLUENCE_CLOUD_ID")
    if cloud_id and not _CLOUD_ID.fullmatch(cloud_id):
        problems.append(
            Problem("CONFLUENCE_CLOUD_ID", "must be the site's cloud id (letters, digits and -)")
        )
    for name in ("CONFLUENCE_GATEWAY_URL", "CONFLUENCE_TOKEN_URL"):
        problems += plain_url_problems(name, _get(env, name))
    if not via_gateway(env):
        return problems
    if not url:
        problems.append(
            Problem(
                "CONFLUENCE_URL",
                "is required with service-account credentials: links are printed with the "
                "site's address and the cloud id is read from it",
            )
        )
    if token and not oauth and not _get(env, "CONFLUENCE_USER"):
        problems.append(
            Problem("CONFLUENCE_USER", "is required for a scoped API token (the account e-mail)")
        )
    if _get(env, "CONFLUENCE_API").lower() == "v1":
        problems.append(
            Problem(
                "CONFLUENCE_API",
                "v1 cannot be used through the API gateway (Atlassian removed the v1 page "
                "endpoints there); use v2 or auto",
            )
        )
    return problems


def plain_url_problems(name: str, url: str) -> list[Problem]:
    """An address must be http(s) and carry no credentials (they would be printed)."""
    if not url:
        return []
    if not url.startswith(("http://", "https://")):
        return [Problem(name, "must start with http:// or https://")]
    if "@" in urlsplit(url).netloc:
        return [Problem(name, "must not contain credentials (user:password@)")]
    return []


def credential_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The fields of ``Settings`` these variables give (already checked)."""
    secret = env.get("CONFLUENCE_CLIENT_SECRET") or ""
    return {
        "client_id": _get(env, "CONFLUENCE_CLIENT_ID") or None,
        "client_secret": SecretStr(secret) if secret else None,
        "cloud_id": _get(env, "CONFLUENCE_CLOUD_ID") or None,
        "gateway": via_gateway(env),
        "gateway_url": (_get(env, "CONFLUENCE_GATEWAY_URL") or ATLASSIAN_GATEWAY).rstrip("/"),
        "token_url": _get(env, "CONFLUENCE_TOKEN_URL") or ATLASSIAN_TOKEN_URL,
    }
