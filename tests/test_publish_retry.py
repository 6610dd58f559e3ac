"""The retry policy: which failures are retried, and how long it waits."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import tenacity
from publish_helpers import ApiWiki, gateway_class

from confluence_sync.errors import ConfigError
from confluence_sync.localwiki import Faults
from confluence_sync.publish.failures import ApiFailure, parse_retry_after
from confluence_sync.publish.network import NetworkKind
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
    return RetryPolicy(
        attempts=5, base_delay=0.1, max_delay=1.0, retry_after_cap=3.0, sleep=waits.append
    )


def test_rate_limits_retried_for_writes_honouring_retry_after_with_a_cap() -> None:
    waits: list[float] = []
    call, calls = flaky(
        ApiFailure(429, "slow down", retry_after=2), ApiFailure(503, "busy", retry_after=120)
    )
    assert policy(waits).run(call, idempotent=False) == "done"
    assert len(calls) == 3 and waits == [2.0, 3.0]


def test_other_server_errors_retried_only_for_reads() -> None:
    waits: list[float] = []
    for failure in (
        ApiFailure(500, "boom"),
        ApiFailure(502, "gateway"),
        ApiFailure(None, "ConnectionError"),
    ):
        call, calls = flaky(failure)
        with pytest.raises(ApiFailure):
            policy(waits).run(call, idempotent=False)
        assert len(calls) == 1, failure
    assert waits == []
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


def test_backoff_without_retry_after_doubles_with_jitter_up_to_the_cap() -> None:
    waits: list[float] = []
    call, calls = flaky(*[ApiFailure(503, "busy")] * 6)
    backoff = RetryPolicy(attempts=7, base_delay=0.1, max_delay=0.5, sleep=waits.append)
    assert backoff.run(call, idempotent=False) == "done" and len(calls) == 7
    ceilings = [0.1, 0.2, 0.4, 0.5, 0.5, 0.5]
    assert len(waits) == len(ceilings)
    assert all(top / 2 <= wait <= top for wait, top in zip(waits, ceilings, strict=False)), waits


class Clock:
    """Stands in for tenacity's clock; sleeping advances it, so no test time passes."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_total_time_is_bounded_as_well_as_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(tenacity, "time", clock)
    call, calls = flaky(*[ApiFailure(429, "again", retry_after=10)] * 10)
    budget = RetryPolicy(attempts=8, total_seconds=25, retry_after_cap=60, sleep=clock.sleep)
    with pytest.raises(ApiFailure):
        budget.run(call, idempotent=True)
    assert len(calls) == 4 and clock.now == 30  # failed at t=0, 10, 20, 30: past 25 s, stop


def test_gateway_waits_what_the_server_says_in_seconds_or_as_a_date(
    api_wiki: ApiWiki,
) -> None:
    """Over HTTP: the adapter reads ``Retry-After`` from a 429 and the policy caps it."""
    local_wiki = api_wiki
    in_40s = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=40), usegmt=True)
    for header, low, high in (("7", 7, 7), (in_40s, 35, 40), ("600", 60, 60)):
        waits: list[float] = []
        local_wiki.faults = Faults(rate_limit_burst=1, retry_after=header)
        gateway = gateway_class(api_wiki)(
            local_wiki.base_url,
            user="admin",
            token="admin",
            policy=RetryPolicy(retry_after_cap=60, sleep=waits.append),
        )
        try:
            assert gateway.home_page("DEV")
        finally:
            gateway.close()
        assert len(waits) == 1 and low <= waits[0] <= high, (header, waits)


def test_policy_from_environment() -> None:
    tuned = RetryPolicy.from_env(
        {"CONFLUENCE_RETRY_ATTEMPTS": "2", "CONFLUENCE_RETRY_MAX_WAIT": "0"}
    )
    assert tuned.attempts == 2 and tuned.retry_after_cap == 0.0 and tuned.max_delay == 0.0
    assert RetryPolicy.from_env({"CONFLUENCE_RETRY_ATTEMPTS": " "}) == RetryPolicy()
    assert RetryPolicy.from_env({}) == RetryPolicy()


def test_bad_retry_variables_are_errors_naming_them() -> None:
    with pytest.raises(ConfigError) as caught:
        RetryPolicy.from_env({"CONFLUENCE_RETRY_ATTEMPTS": "x", "CONFLUENCE_RETRY_MAX_WAIT": "-1"})
    lines = str(caught.value.format_message()).splitlines()
    assert lines == [
        "CONFLUENCE_RETRY_ATTEMPTS: must be a whole number >= 1, not 'x'",
        "CONFLUENCE_RETRY_MAX_WAIT: must be a number of seconds >= 0, not '-1'",
    ]
    for value in ("0", "-2"):
        with pytest.raises(ConfigError, match="CONFLUENCE_RETRY_ATTEMPTS"):
            RetryPolicy.from_env({"CONFLUENCE_RETRY_ATTEMPTS": value})
    with pytest.raises(ConfigError, match="CONFLUENCE_RETRY_MAX_WAIT"):
        RetryPolicy.from_env({"CONFLUENCE_RETRY_MAX_WAIT": "soon"})


@pytest.mark.parametrize("kind", [NetworkKind.REFUSED, NetworkKind.DNS, NetworkKind.TLS])
def test_a_wrong_url_gets_one_quick_retry_even_on_a_write(kind: NetworkKind) -> None:
    waits: list[float] = []
    given_up: list[ApiFailure] = []
    quick = replace(policy(waits), on_give_up=given_up.append)
    wrong = ApiFailure(None, "x", method="POST", path="p", url="http://h/p", network=kind)
    call, calls = flaky(*[wrong] * 5)
    with pytest.raises(ApiFailure) as caught:
        quick.run(call, idempotent=False)
    assert len(calls) == 2 and waits == [quick.quick_retry]
    assert "gave up after 2 attempts over" in caught.value.format_message()
    assert given_up == [caught.value]


def test_a_timeout_keeps_the_backoff_and_a_4xx_is_not_a_remote_failure() -> None:
    waits: list[float] = []
    given_up: list[ApiFailure] = []
    patient = replace(policy(waits), on_give_up=given_up.append)
    slow = ApiFailure(None, "x", method="GET", network=NetworkKind.TIMEOUT)
    call, calls = flaky(*[slow] * 9)
    with pytest.raises(ApiFailure):
        patient.run(call, idempotent=True)
    assert len(calls) == patient.attempts and len(given_up) == 1
    call, _ = flaky(ApiFailure(404, "gone"))
    with pytest.raises(ApiFailure):
        patient.run(call, idempotent=True)
    assert len(given_up) == 1  # an answer about the request, not a failure of the wiki
