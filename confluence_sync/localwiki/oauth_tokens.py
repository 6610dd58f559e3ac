"""The credentials the API gateway accepts: OAuth 2.0 client credentials of service accounts
(exchanged at the token endpoint for short-lived access tokens) and scoped API tokens.

Atlassian's service accounts get a client id and secret; ``POST https://auth.atlassian.com/
oauth/token`` with ``grant_type=client_credentials`` answers ``access_token``, ``token_type``
(``Bearer``), ``expires_in`` (seconds) and ``scope`` (the scopes granted, space-separated)
("Create OAuth 2.0 credential for service accounts", support.atlassian.com/user-management/docs/
create-oauth-2-0-credential-for-service-accounts/). A wrong client is ``401 invalid_client``
(RFC 6749 §5.2). A scoped API token is sent as Basic ``email:token`` and only through the
gateway ("Manage API tokens for your Atlassian account", support.atlassian.com/atlassian-account/
docs/manage-api-tokens-for-your-atlassian-account/).
"""

from __future__ import annotations

import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response


@dataclass(frozen=True)
class GatewayCredential:
    """A service account's credential: the wiki user it acts as and the scopes it was given."""

    user: str
    secret: str
    scopes: frozenset[str]


@dataclass(frozen=True)
class Grant:
    """Who a gateway request acts as, and with which scopes."""

    user: str
    scopes: frozenset[str]


class TokenIssuer:
    """Client credentials in, access tokens out; remembers the tokens until they expire."""

    def __init__(
        self,
        clients: Mapping[str, GatewayCredential],
        *,
        lifetime: int = 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clients = dict(clients)
        self.lifetime = lifetime
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[Grant, float]] = {}
        self.history: list[str] = []  # every token issued: tests count and look for them

    def respond(self, request: Request) -> Response:
        """The token endpoint: JSON or form body, as OAuth 2.0 clients send either."""
        form = _body(request)
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Only client_credentials.")
        client = self._clients.get(str(form.get("client_id", "")))
        secret = str(form.get("client_secret", ""))
        if client is None or not hmac.compare_digest(client.secret.encode(), secret.encode()):
            return _oauth_error(401, "invalid_client", "Unauthorized")
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (Grant(client.user, client.scopes), self._clock() + self.lifetime)
            self.history.append(token)
        answer = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": self.lifetime,
            "scope": " ".join(sorted(client.scopes)),
        }
        return Response(json.dumps(answer), content_type="application/json")

    @property
    def issued(self) -> int:
        return len(self.history)

    def revoke_all(self) -> None:
        """Stop accepting every token issued so far (as a gateway does after a rotation)."""
        with self._lock:
            self._tokens.clear()

    def grant(self, token: str) -> Grant | None:
        """The grant of a live access token; an expired one is forgotten."""
        with self._lock:
            found = self._tokens.get(token)
            if found is None:
                return None
            if found[1] <= self._clock():
                del self._tokens[token]
                return None
            return found[0]


def _body(request: Request) -> dict[str, Any]:
    if request.mimetype == "application/json":
        try:
            data = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    return dict(request.form.items())


def _oauth_error(status: int, error: str, description: str) -> Response:
    body = {"error": error, "error_description": description}
    return Response(json.dumps(body), status=status, content_type="application/json")
