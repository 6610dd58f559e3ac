"""Test hooks: the request log and switchable faults (rate limits, 5xx, latency, uploads, and
chosen requests failed a set number of times, before or after their write landed).

Both live behind a lock because the server is threaded; the Faults object itself stays a plain
mutable dataclass so tests can tweak one field between requests.
"""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone


@dataclass(frozen=True)
class FailRule:
    """Fail the next ``times`` requests whose method is ``method`` and whose path matches the
    regular expression ``path`` (searched, so ``/properties$`` is enough) with ``status``.
    ``landed``: the write is carried out first and only its answer is lost (a 500 in its place),
    the ambiguous case a client must recover from by reading, not by resending."""

    method: str
    path: str
    status: int = 500
    times: int = 1
    landed: bool = False

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and re.search(self.path, path) is not None

    @classmethod
    def parse(cls, spec: str) -> FailRule:
        """``METHOD PATTERN [STATUS] [TIMES] [landed]``, as ``wiki serve --fail-request`` takes
        it: ``"POST /properties$ 500 1 landed"``."""
        words = spec.split()
        landed = bool(words) and words[-1] == "landed"
        words = words[:-1] if landed else words
        numbers = words[2:]
        if len(words) < 2 or len(numbers) > 2 or not all(n.isdigit() for n in numbers):
            raise ValueError(f"expected 'METHOD PATTERN [STATUS] [TIMES] [landed]', not {spec!r}")
        try:
            re.compile(words[1])
        except re.error as exc:
            raise ValueError(f"{words[1]!r} is not a regular expression: {exc}") from None
        status = int(numbers[0]) if numbers else 500
        times = int(numbers[1]) if len(numbers) > 1 else 1
        return cls(words[0].upper(), words[1], status, times, landed)


@dataclass
class Faults:
    """What to break, read on every REST request. Zero values mean "behave"."""

    rate_limit_every: int = 0
    rate_limit_burst: int = 0
    retry_after: str = "1"
    error_rate: float = 0.0
    error_status: int = 503
    latency_ms: int = 0
    fail_after_write: int = 0
    upload_error_status: int = 0  # non-zero: attachment uploads (POST) answer it, nothing written
    property_error_status: int = 0  # non-zero: content property writes answer it, nothing written
    fail: tuple[FailRule, ...] = field(default_factory=tuple)
    seed: int = 0


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    status: int


@dataclass(frozen=True)
class Injected:
    """A fault chosen for one request: the status to answer and extra headers."""

    status: int
    headers: dict[str, str]
    message: str


class FaultInjector:
    """Decides, request by request, whether to misbehave; counters are per wiki."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults = Faults()
        self._rng = random.Random(0)
        self._count = 0
        self._left: list[int] = []  # per rule of ``faults.fail``: failures still to inject

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        with self._lock:
            self._faults = value
            self._rng = random.Random(value.seed)
            self._count = 0
            self._left = [rule.times for rule in value.fail]

    def before(self) -> Injected | None:
        """Sleep the latency, then pick a 429 or 5xx for this request, if any."""
        with self._lock:
            faults = replace(self._faults)
        if faults.latency_ms > 0:
            time.sleep(faults.latency_ms / 1000)
        with self._lock:
            self._count += 1
            limited = self._take_burst() or (
                faults.rate_limit_every > 0 and self._count % faults.rate_limit_every == 0
            )
            erroring = faults.error_rate > 0 and self._rng.random() < faults.error_rate
        if limited:
            return _rate_limited(faults.retry_after)
        if erroring:
            headers = {"Retry-After": faults.retry_after} if faults.error_status == 503 else {}
            return Injected(faults.error_status, headers, "Service temporarily unavailable.")
        return None

    def _take_burst(self) -> bool:
        if self._faults.rate_limit_burst > 0:
            self._faults.rate_limit_burst -= 1
            return True
        return False

    def refuse(self, method: str, path: str) -> Injected | None:
        """A failure aimed at content property writes, so a test can break exactly the step
        between a page write and its stamp."""
        with self._lock:
            faults = replace(self._faults)
        rule = self._take_rule(method, path, landed=False)
        if rule is not None:
            return Injected(rule.status, {}, f"Injected failure of {method} {path}.")
        if method not in ("POST", "PUT"):
            return None
        if faults.property_error_status and ("/property" in path or "/properties" in path):
            return Injected(faults.property_error_status, {}, "Property write failed.")
        return None

    def after_write(self, method: str = "", path: str = "") -> bool:
        """True when this committed write must still answer 500 (one of the next K, or one a
        ``landed`` rule picks)."""
        if self._take_rule(method, path, landed=True) is not None:
            return True
        with self._lock:
            if self._faults.fail_after_write > 0:
                self._faults.fail_after_write -= 1
                return True
            return False

    def _take_rule(self, method: str, path: str, *, landed: bool) -> FailRule | None:
        """The first rule of this kind that matches and has failures left (one is used up)."""
        with self._lock:
            for index, rule in enumerate(self._faults.fail):
                if rule.landed == landed and self._left[index] > 0 and rule.matches(method, path):
                    self._left[index] -= 1
                    return rule
        return None

    def upload_failure(self) -> Injected | None:
        """The refusal for an attachment upload while ``upload_error_status`` is set."""
        with self._lock:
            status = self._faults.upload_error_status
        if status <= 0:
            return None
        return Injected(status, {}, "Attachment upload failed (injected fault).")


def _rate_limited(retry_after: str) -> Injected:
    headers = {"Retry-After": retry_after, "RateLimit-Reason": "confluence-burst-based"}
    if retry_after.isdigit():
        reset = datetime.now(timezone.utc) + timedelta(seconds=int(retry_after))
        headers["X-RateLimit-Reset"] = reset.strftime("%Y-%m-%dT%H:%MZ")
    return Injected(429, headers, "Rate limit exceeded.")


class RequestLog:
    """Every REST request the wiki answered, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
