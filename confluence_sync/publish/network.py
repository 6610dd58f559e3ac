"""What kind of network failure a ``requests`` exception is, and what a user can do about it.

A wrong ``CONFLUENCE_URL`` is the commonest first mistake, and it shows up as one of three
failures that no retry can cure: nothing listens on the port (refused), the host name does not
resolve (DNS), or the TLS handshake fails (``https://`` to a plain-HTTP port). Those fail at once
with a message that names the URL and the likely fix. Timeouts and dropped connections are
different: the server exists and may answer next time, so they keep the retry policy's backoff.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import Enum
from urllib.parse import urlsplit

import requests

PROXY_VARS = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


class NetworkKind(str, Enum):
    REFUSED = "connection refused"
    DNS = "host name not found"
    TLS = "TLS handshake failed"
    PROXY = "proxy failed"
    TIMEOUT = "timed out"
    RESET = "connection dropped"

    @property
    def permanent(self) -> bool:
        """True when retrying cannot help: the URL (or the proxy) is wrong, not the server busy."""
        return self in _PERMANENT


_PERMANENT = frozenset({NetworkKind.REFUSED, NetworkKind.DNS, NetworkKind.TLS, NetworkKind.PROXY})
_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "failed to resolve",
    "name resolution",
    "getaddrinfo failed",
    "no address associated",
    "temporary failure in name resolution",
)


def classify(error: requests.RequestException) -> NetworkKind:
    """The kind of a ``requests`` failure, read from its type first and its text after (urllib3
    wraps the socket error, so DNS and refusals are both a ``ConnectionError``)."""
    text = str(error).lower()
    if isinstance(error, requests.exceptions.SSLError):
        return NetworkKind.TLS
    if isinstance(error, requests.exceptions.ProxyError):
        return NetworkKind.PROXY
    if isinstance(error, requests.exceptions.Timeout):
        return NetworkKind.TIMEOUT
    if any(word in text for word in _DNS_WORDS):
        return NetworkKind.DNS
    if "refused" in text:
        return NetworkKind.REFUSED
    if "ssl" in text or "tls" in text or "wrong version number" in text:
        return NetworkKind.TLS
    return NetworkKind.RESET


def advice(kind: NetworkKind, url: str, env: Mapping[str, str] | None = None) -> str:
    """The likely fix for ``kind`` at ``url``, naming the proxy when one is configured (its
    credentials, if written into the variable, are not repeated)."""
    parts = urlsplit(url)
    host = parts.hostname or url
    where = f"{host}:{parts.port}" if parts.port else host
    hints = {
        NetworkKind.REFUSED: f"nothing accepts connections at {where}; check the host and port "
        "in CONFLUENCE_URL",
        NetworkKind.DNS: f"the host name {host!r} does not resolve; check CONFLUENCE_URL for a "
        "typo",
        NetworkKind.TLS: f"no TLS at {where}; check http:// vs https:// in CONFLUENCE_URL",
        NetworkKind.PROXY: "the proxy refused or failed the request; check the proxy variable",
        NetworkKind.TIMEOUT: "the server did not answer in time; raise the timeout setting "
        "(CONFLUENCE_TIMEOUT) or check the network",
        NetworkKind.RESET: "the connection was dropped; check the network or the proxy",
    }
    hint = hints[kind]
    proxy = _proxy(env if env is not None else os.environ)
    if proxy and kind is not NetworkKind.TIMEOUT:
        hint += f"; requests go through the proxy in {proxy}"
    return hint


def _proxy(env: Mapping[str, str]) -> str:
    """``NAME=host:port`` of the proxy variable in effect, without any credentials in it."""
    for name in PROXY_VARS:
        value = env.get(name, "").strip()
        if value:
            parts = urlsplit(value if "//" in value else f"//{value}")
            shown = parts.hostname or "?"
            return f"{name}={shown}:{parts.port}" if parts.port else f"{name}={shown}"
    return ""
