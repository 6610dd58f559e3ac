"""The one retry policy (DESIGN.md "Retries").

429 and 503 are retried for any method because the server promises it did nothing; other 5xx
and network errors only for reads, because a write may have landed (the applier recovers those
by looking the page up instead of resending). Waits honour ``Retry-After`` up to a cap, else
back off exponentially with jitter; attempts and total time are both bounded. A refused
connection, an unknown host or a failed TLS handshake is a wrong URL, not a busy server: one
quick retry, then the failure. Everything is a field so tests can make it instant.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

from confluence_sync.errors import ConfigError, Problem
from confluence_sync.publish.failures import ApiFailure, FailureLog

if TYPE_CHECKING:  # tenacity is imported when a request is retried, not by check/render
    from tenacity import RetryCallState
    from tenacity.stop import stop_base

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS_VAR = "CONFLUENCE_RETRY_ATTEMPTS"
MAX_WAIT_VAR = "CONFLUENCE_RETRY_MAX_WAIT"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    total_seconds: float = 300.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    retry_after_cap: float = 60.0
    quick_retry: float = 0.2  # the one wait before retrying a refused/unresolved/TLS failure
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    on_give_up: Callable[[ApiFailure], None] | None = field(default=None, compare=False)
    """Told of every remote failure (network, 5xx, 429) that survived the retries."""

    def should_retry(self, error: BaseException, *, idempotent: bool) -> bool:
        if not isinstance(error, ApiFailure):
            return False
        if error.rate_limited or error.permanent_network:  # nothing reached the server
            return True
        return idempotent and error.server_or_network

    def delay(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, ApiFailure) and error.permanent_network:
            return self.quick_retry
        hinted = error.retry_after if isinstance(error, ApiFailure) else None
        if hinted is not None:
            return min(hinted, self.retry_after_cap)
        backoff = min(self.max_delay, self.base_delay * 2.0 ** (state.attempt_number - 1))
        return backoff * random.uniform(0.5, 1.0)

    def run(self, call: Callable[[], T], *, idempotent: bool, what: str = "") -> T:
        """Run ``call`` until it succeeds, fails for good, or the budget is spent (then the
        last failure is raised, saying how many attempts over how long it was)."""
        from tenacity import Retrying, retry_if_exception, stop_after_attempt, stop_after_delay

        def log_retry(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.info("retrying %s after %s (attempt %d)", what, error, state.attempt_number)

        retrying = Retrying(
            stop=stop_after_attempt(self.attempts)
            | stop_after_delay(self.total_seconds)
            | _wrong_url_retried(),
            wait=self.delay,
            retry=retry_if_exception(lambda e: self.should_retry(e, idempotent=idempotent)),
            before_sleep=log_retry,
            sleep=self.sleep,
            reraise=True,
        )
        started = time.monotonic()
        try:
            return retrying(call)
        except ApiFailure as failure:
            attempts = int(retrying.statistics.get("attempt_number", 1))
            final = self._gave_up(failure, attempts, time.monotonic() - started)
            if final is failure:
                raise
            raise final from None

    def _gave_up(self, failure: ApiFailure, attempts: int, seconds: float) -> ApiFailure:
        """The failure saying how hard the run tried (the URL is in it already); the run is
        told of it."""
        if attempts > 1:
            target = f"on {failure.url} " if failure.status is not None and failure.url else ""
            failure = failure.noted(
                f"gave up {target}after {attempts} attempts over {seconds:.1f} s"
            )
        if self.on_give_up is not None and failure.remote_failure:
            self.on_give_up(failure)
        return failure

    @classmethod
    def observed(cls, env: Mapping[str, str], failures: FailureLog) -> RetryPolicy:
        """The policy of a command run: tuned by the environment, and telling ``failures`` of
        every remote failure it gave up on, so the run can end with exit 3 naming it."""
        return replace(cls.from_env(env), on_give_up=failures.add)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> RetryPolicy:
        """``CONFLUENCE_RETRY_ATTEMPTS`` and ``CONFLUENCE_RETRY_MAX_WAIT`` (seconds, also the cap
        on ``Retry-After``) let a CI job trade patience for speed. A bad value is an error naming
        the variable, not the default: a job that believes it capped its waits must not quietly
        wait minutes."""
        policy = cls()
        problems: list[Problem] = []
        attempts = env.get(ATTEMPTS_VAR, "").strip()
        if attempts.isdigit() and int(attempts) > 0:
            policy = replace(policy, attempts=int(attempts))
        elif attempts:
            problems.append(Problem(ATTEMPTS_VAR, f"must be a whole number >= 1, not {attempts!r}"))
        max_wait = env.get(MAX_WAIT_VAR, "").strip()
        try:
            wait = float(max_wait) if max_wait else None
        except ValueError:
            wait = math.nan
        if wait is not None and wait >= 0:
            policy = replace(
                policy,
                max_delay=wait,
                retry_after_cap=wait,
                base_delay=min(policy.base_delay, wait),
            )
        elif wait is not None:
            problems.append(
                Problem(MAX_WAIT_VAR, f"must be a number of seconds >= 0, not {max_wait!r}")
            )
        if problems:
            raise ConfigError(problems)
        return policy


def _wrong_url_retried() -> stop_base:
    """Stops after the one quick retry of a refused, unresolved or TLS-failed request."""
    from tenacity.stop import stop_base

    class WrongUrl(stop_base):
        def __call__(self, retry_state: RetryCallState) -> bool:
            outcome = retry_state.outcome
            error = outcome.exception() if outcome else None
            wrong = isinstance(error, ApiFailure) and error.permanent_network
            return wrong and retry_state.attempt_number >= 2

    return WrongUrl()


FAST_POLICY = RetryPolicy(
    attempts=12, total_seconds=30.0, base_delay=0.0, max_delay=0.01, retry_after_cap=0.05
)
"""For tests and benchmarks against the local wiki: same rules, no real waiting."""
