"""The retry policy: which failures are retried, and how long it waits."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from confluence_sync.publish.failures import ApiFailure, parse_retry_after
from confluence_sync.publish.retry import RetryPolicy


def flaky(*failures: ApiFailure):  # type: ignore[no-untyped-def]
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        if len(calls) <= len(failures):
            raise failures[len(calls) - 1]
        return "done"

    return call, calls


def policy(waits: list[float]) -> RetryPolicy:
    return RetryPolicy(attempts=5, base_delay=0.1, max_delay=1.0, retry_after_cap=3.0,
                       sleep=waits.append)


def test_rate_limits_retried_for_writes_honouring_retry_after_with_a_cap() -> None:
    waits: list[float] = []
    call, calls = flaky(ApiFailure(429, "slow down", retry_after=2),
                        ApiFailure(503, "busy", retry_after=120))
    assert policy(waits).run(call, idempotent=False) == "done"
    assert len(calls) == 3 and waits == [2.0, 3.0]


def test_other_server_errors_retried_only_for_reads() -> None:
    waits: list[float] = []
    call, calls = flaky(ApiFailure(500, "boom"))
    with pytest.raises(ApiFailure):
        policy(waits).run(call, idempotent=False)
    assert len(calls) == 1
    call, calls = flaky(ApiFailure(500, "boom"), ApiFailure(None, "ConnectionError"))
    assert policy(waits).run(call, idempotent=True) == "done"
    assert all(0 < w <= 1.0 for w in waits)


def test_client_errors_are_not_retried_and_attempts_are_bounded() -> None:
    call, calls = flaky(ApiFailure(400, "bad"))
    with pytest.raises(ApiFailure):
        policy([]).run(call, idempotent=True)
    assert len(calls) == 1
    call, calls = flaky(*[ApiFailure(429, "again", retry_after=0)] * 10)
    with pytest.raises(ApiFailure):
        policy([]).run(call, idempotent=True)
    assert len(calls) == 5


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 27, 10, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Fri, 27 Nov 2026 10:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Fri, 27 Nov 2026 09:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_policy_from_environment() -> None:
    tuned = RetryPolicy.from_env({"CONFLUENCE_RETRY_ATTEMPTS": "2",
                                  "CONFLUENCE_RETRY_MAX_WAIT": "0"})
    assert tuned.attempts == 2 and tuned.retry_after_cap == 0.0
    assert RetryPolicy.from_env({"CONFLUENCE_RETRY_ATTEMPTS": "x"}) == RetryPolicy()
