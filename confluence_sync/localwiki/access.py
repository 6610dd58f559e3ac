"""Who may talk to the wiki: the ``Host`` header check and the credentials check.

``wiki serve`` runs on developers' laptops. A web page can point a name it controls at
127.0.0.1 (DNS rebinding) and then read and write the wiki from the browser; the browser still
sends that name in ``Host``. So every request must name the wiki by the address it is bound to,
a loopback name, or a name the user allowed, and anything else is refused before it is read.
An IP literal cannot be rebound, so when the wiki listens on every interface any IP literal is
accepted, plus this machine's own host name.
"""

from __future__ import annotations

import base64
import hmac
import ipaddress
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from confluence_sync.localwiki.api_error import ApiError

_WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def host_name(header: str) -> str:
    """The name in a ``Host`` header, lower-cased, without port, brackets or a final dot."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else ""
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_loopback(name: str) -> bool:
    """``localhost``, ``*.localhost`` (RFC 6761) or a loopback address."""
    if name == "localhost" or name.endswith(".localhost"):
        return True
    return is_ip(name) and ipaddress.ip_address(name).is_loopback


@dataclass(frozen=True)
class HostPolicy:
    """Which ``Host`` headers a wiki bound to ``bound`` answers."""

    bound: str
    allowed: frozenset[str] = frozenset()

    @classmethod
    def for_address(cls, bound: str, allowed: Iterable[str] = ()) -> HostPolicy:
        return cls(host_name(bound) or bound, frozenset(host_name(h) for h in allowed))

    @property
    def local_only(self) -> bool:
        """True when only this machine can connect, so the browser view may stay open."""
        return is_loopback(self.bound)

    def allows(self, header: str) -> bool:
        name = host_name(header)
        if not name:
            return False
        if name == self.bound or name in self.allowed or is_loopback(name):
            return True
        if self.bound in _WILDCARDS:
            return is_ip(name) or name in _own_names()
        return False


def _own_names() -> set[str]:
    return {socket.gethostname().lower(), socket.getfqdn().lower()}


def misdirected(header: str) -> ApiError:
    return ApiError(
        421,
        f"This wiki does not answer for host {header!r}; use the address it printed at start.",
    )


def authenticate(users: Mapping[str, str], header: str, *, cloud: bool) -> str:
    """The user named by Basic (user + token) or Bearer (a token alone) credentials; else 401."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            user, _, token = base64.b64decode(value).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            user, token = "", ""
        if user in users and hmac.compare_digest(users[user].encode(), token.encode()):
            return user
    elif scheme.lower() == "bearer":
        for user, token in users.items():
            if hmac.compare_digest(token.encode(), value.strip().encode()):
                return user
    raise unauthorised(cloud)


def unauthorised(cloud: bool) -> ApiError:
    if cloud:
        return ApiError(
            401,
            "Basic authentication with passwords is deprecated.  For more information, see: "
            "https://developer.atlassian.com/cloud/confluence/deprecation-notice-basic-auth/",
        )
    return ApiError(401, "This request requires authentication: the user or token is not valid.")
