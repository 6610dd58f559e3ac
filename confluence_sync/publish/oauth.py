"""OAuth 2.0 client credentials: the access token of a service account, fetched from Atlassian's
token endpoint and fetched again before it expires.

A service account's client id and secret are exchanged at ``https://auth.atlassian.com/oauth/
token`` (``grant_type=client_credentials``) for a bearer token that lives ``expires_in`` seconds
(an hour) and lists the scopes it was granted. A long sync outlives it, so the token is renewed
when most of its life is spent, and once more if the gateway still answers 401 for it (a clock
that runs differently from Atlassian's). The secret and the token are ``SecretStr`` and never
leave this module except in the token request and the ``Authorization`` header.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from pydantic import SecretStr

from confluence_sync.credentials import ATLASSIAN_TOKEN_URL
from confluence_sync.errors import AuthError, RemoteError

log = logging.getLogger(__name__)

EARLY_SECONDS = 60  # renew this long before expiry (or after 90% of a shorter life)


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: SecretStr
    token_url: str = ATLASSIAN_TOKEN_URL


@dataclass(frozen=True)
class AccessToken:
    value: SecretStr
    renew_at: float  # on the source's clock
    scopes: frozenset[str] | None  # None: the endpoint did not say


class TokenSource:
    """The current access token, renewed when due; safe to share between writer threads."""

    def __init__(
        self,
        credentials: ClientCredentials,
        *,
        timeout: float = 30,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._token: AccessToken | None = None
        self._session = requests.Session()
        self.fetches = 0

    def close(self) -> None:
        self._session.close()

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._token.renew_at:
                self._token = self._fetch()
            return self._token.value.get_secret_value()

    def granted_scopes(self) -> frozenset[str] | None:
        """The scopes the token endpoint said it granted (fetching a token if none yet)."""
        self.token()
        assert self._token is not None
        return self._token.scopes

    def discard(self, value: str) -> None:
        """Forget ``value`` if it is still the current token (the gateway refused it)."""
        with self._lock:
            if self._token is not None and self._token.value.get_secret_value() == value:
                self._token = None

    def _fetch(self) -> AccessToken:
        body = {
            "grant_type": "client_credentials",
            "client_id": self._credentials.client_id,
            "client_secret": self._credentials.client_secret.get_secret_value(),
            "audience": "api.atlassian.com",
        }
        url = self._credentials.token_url
        try:
            response = self._session.post(url, json=body, timeout=self._timeout)
        except requests.RequestException as exc:
            raise RemoteError(
                f"OAuth 2.0 token request to {url} failed: {type(exc).__name__}"
            ) from None
        if response.status_code in (400, 401, 403):
            raise AuthError(
                f"the token endpoint {url} refused the client credentials "
                f"(HTTP {response.status_code}{_oauth_error(response)}); "
                "check CONFLUENCE_CLIENT_ID and CONFLUENCE_CLIENT_SECRET"
            )
        if response.status_code >= 300:
            raise RemoteError(f"the token endpoint {url} answered HTTP {response.status_code}")
        self.fetches += 1
        return _access_token(response, url, self._clock())


def _access_token(response: requests.Response, url: str, now: float) -> AccessToken:
    try:
        data: Any = response.json()
        value = str(data["access_token"])
        lifetime = float(data.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError):
        raise RemoteError(f"the token endpoint {url} did not answer an access token") from None
    scope = data.get("scope")
    scopes = frozenset(str(scope).split()) if isinstance(scope, str) else None
    early = min(EARLY_SECONDS, lifetime * 0.1)
    log.debug("access token fetched; renewed in %.0f s", lifetime - early)
    return AccessToken(SecretStr(value), now + lifetime - early, scopes)


def _oauth_error(response: requests.Response) -> str:
    """The RFC 6749 ``error`` code (``invalid_client``…), never the body as a whole."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return f" {error}" if isinstance(error, str) and error.isidentifier() else ""


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer <token>`` from a ``TokenSource``; a 401 that is not a scope
    refusal gets one more try with a new token."""

    def __init__(self, source: TokenSource) -> None:
        self.source = source

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.source.token()}"
        request.register_hook("response", self._renew_on_401)  # type: ignore[no-untyped-call]
        return request

    def _renew_on_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        sent = response.request
        if response.status_code != 401 or getattr(sent, "_renewed", False):
            return response
        if "scope does not match" in response.text:  # a new token has the same scopes
            return response
        header = str(sent.headers.get("Authorization", ""))
        self.source.discard(header.removeprefix("Bearer "))
        retry = sent.copy()
        retry.headers["Authorization"] = f"Bearer {self.source.token()}"
        retry._renewed = True  # type: ignore[attr-defined]
        response.content  # noqa: B018 - release the connection before reusing it
        response.close()
        renewed = response.connection.send(retry, **kwargs)
        renewed.history.append(response)
        return renewed
