"""Failures of a single HTTP call, in terms the retry policy and the applier can act on.

The adapter turns library and ``requests`` exceptions into these, so nothing above the gateway
inspects status codes of a particular client library.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import threading
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from confluence_sync.errors import RemoteError, redact

if TYPE_CHECKING:
    from confluence_sync.publish.network import NetworkKind

TRANSIENT_ANY_METHOD = frozenset({429, 503})


class ApiFailure(RemoteError):
    """A request that failed. ``status`` is None when no response arrived (network error);
    ``network`` then says what kind, and ``url`` is the address the tool tried."""

    def __init__(
        self,
        status: int | None,
        message: str,
        *,
        method: str = "",
        path: str = "",
        retry_after: float | None = None,
        url: str = "",
        network: NetworkKind | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.url = url
        self.network = network
        self.retry_after = retry_after
        message = redact(message)  # a proxy may echo the request headers into its error body
        if status is not None:
            code = f"HTTP {status}"
        else:
            code = f"network error ({network.value})" if network else "network error"
        # no answer: the URL itself may be wrong, so it is named in full; an HTTP status is an
        # answer from the site, named by its path (the URL is in the retry note and on the
        # Target line)
        shown = url if status is None and url else path
        where = f" {method} {shown}" if method else ""
        super().__init__(f"{code}{where}: {message}".rstrip(": "))
        self.detail = message

    def noted(self, note: str) -> ApiFailure:
        """The same failure with ``note`` appended to its message (how long the run tried)."""
        return ApiFailure(
            self.status,
            f"{self.detail} ({note})",
            method=self.method,
            path=self.path,
            retry_after=self.retry_after,
            url=self.url,
            network=self.network,
        )

    @property
    def permanent_network(self) -> bool:
        """A refusal, an unknown host or a failed TLS handshake: a wrong URL, not a busy server."""
        return self.network is not None and self.network.permanent

    @property
    def remote_failure(self) -> bool:
        """A failure of the wiki or the network (not an answer about the request): once it
        survives the retries, the run that met it exits 3."""
        return self.server_or_network or self.rate_limited

    @property
    def is_conflict(self) -> bool:
        return self.status == 409

    @property
    def is_duplicate_title(self) -> bool:
        return self.status == 400 and "already exists" in self.detail

    @property
    def rate_limited(self) -> bool:
        return self.status in TRANSIENT_ANY_METHOD

    @property
    def server_or_network(self) -> bool:
        """A failure where the write may or may not have happened."""
        return self.status is None or self.status >= 500


def redact_response(text: str, authorization: str | None) -> str:
    """An error body with the credentials of the request that caused it removed. The credentials
    come from that request's own ``Authorization`` header, so no caller needs to hold the token:
    ``Bearer <token>``, or ``Basic <base64 of user:token>``."""
    scheme, _, credential = (authorization or "").partition(" ")
    user, token = None, credential.strip() or None
    if scheme.lower() == "basic" and token:
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            user, _, token = base64.b64decode(token, validate=True).decode().partition(":")
        text = text.replace(credential.strip(), "[redacted]")
    return redact(text, token=token, user=user)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` is either delta-seconds or an HTTP date; anything else is ignored."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class FailureLog:
    """The remote failures a run gave up on, in the order met. The applier recovers from many
    (it re-reads and re-plans), but the run still ends with exit 3 naming the first, so a CI
    job knows the wiki or the network failed and a rerun confirms the result."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[ApiFailure] = []

    def add(self, failure: ApiFailure) -> None:
        if failure.remote_failure:
            with self._lock:
                self._failures.append(failure)

    def failures(self) -> tuple[ApiFailure, ...]:
        with self._lock:
            return tuple(self._failures)
