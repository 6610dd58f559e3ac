"""Failures of a single HTTP call, in terms the retry policy and the applier can act on.

The adapter turns library and ``requests`` exceptions into these, so nothing above the gateway
inspects status codes of a particular client library.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from confluence_sync.errors import RemoteError, redact

TRANSIENT_ANY_METHOD = frozenset({429, 503})


class ApiFailure(RemoteError):
    """A request that failed. ``status`` is None when no response arrived (network error)."""

    def __init__(
        self,
        status: int | None,
        message: str,
        *,
        method: str = "",
        path: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.retry_after = retry_after
        message = redact(message)  # a proxy may echo the request headers into its error body
        code = f"HTTP {status}" if status is not None else "network error"
        where = f" {method} {path}" if method else ""
        super().__init__(f"{code}{where}: {message}".rstrip(": "))
        self.detail = message

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
