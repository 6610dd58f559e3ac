"""A wrong ``CONFLUENCE_URL`` fails fast and says which URL and what to fix; slow answers meet the
``timeout`` setting; ``--api auto`` never takes a failing v2 probe for a v1 site.

The wrong-URL cases use real sockets: a port nobody listens on, a name under ``.invalid`` (which
never resolves, RFC 2606), and ``https://`` to a plain-HTTP local wiki. The time measured here is
the feature itself (fail in seconds, not after a minute of retries), with a wide margin.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from publish_helpers import ApiWiki
from test_sync_cli import env_for, run

from confluence_sync.localwiki import FailRule, Faults, LocalWiki

FAST_ENOUGH = 10.0  # seconds: the bound for a wrong URL to fail


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wrong(url: str) -> dict[str, str]:
    return {"CONFLUENCE_URL": url, "CONFLUENCE_TOKEN": "t", "CONFLUENCE_API": "auto", "CI": ""}


@pytest.mark.parametrize(
    ("kind", "fix"),
    [
        ("connection refused", "check the host and port"),
        ("host name not found", "check CONFLUENCE_URL for a typo"),
        ("TLS handshake failed", "http:// vs https://"),
    ],
)
def test_a_wrong_url_fails_at_once_naming_it_the_kind_and_the_fix(
    project: Path, local_wiki: LocalWiki, kind: str, fix: str
) -> None:
    urls = {
        "connection refused": f"http://127.0.0.1:{_free_port()}",
        "host name not found": "https://confluence.nonexistent.invalid/wiki",
        "TLS handshake failed": local_wiki.base_url.replace("http://", "https://"),
    }
    started = time.monotonic()
    result = run(["sync"], _wrong(urls[kind]))
    assert time.monotonic() - started < FAST_ENOUGH
    assert result.exit_code == 3, result.output
    assert f"network error ({kind}) GET {urls[kind]}/" in result.output
    assert fix in result.output


def test_a_proxy_variable_is_named_without_its_credentials(project: Path) -> None:
    env = {**_wrong(f"http://127.0.0.1:{_free_port()}"), "NO_PROXY": "*"}
    env["HTTPS_PROXY"] = "http://someone:secret@proxy.example:3128"
    result = run(["sync"], env)
    assert result.exit_code == 3
    assert "HTTPS_PROXY=proxy.example:3128" in result.output
    assert "secret" not in result.output


def test_the_timeout_setting_bounds_each_answer_and_the_message_says_how_long(
    project: Path, api_wiki: ApiWiki
) -> None:
    api_wiki.faults = Faults(latency_ms=1500)
    env = {**env_for(api_wiki), "CONFLUENCE_TIMEOUT": "0.3", "CONFLUENCE_RETRY_ATTEMPTS": "2"}
    started = time.monotonic()
    result = run(["sync"], env)
    assert time.monotonic() - started < FAST_ENOUGH
    assert result.exit_code == 3, result.output
    assert f"network error (timed out) GET {api_wiki.base_url}/" in result.output
    assert "gave up after 2 attempts over" in result.output


def test_the_timeout_comes_from_pyproject_too_and_a_bad_one_is_named(
    project: Path, local_wiki: LocalWiki
) -> None:
    local_wiki.faults = Faults(latency_ms=1500)
    config = project / "pyproject.toml"
    config.write_text(config.read_text() + "timeout = 0.3\n")
    env = {**env_for(local_wiki), "CONFLUENCE_RETRY_ATTEMPTS": "1"}
    assert "(timed out)" in run(["sync"], env).output
    bad = run(["sync"], {**env, "CONFLUENCE_TIMEOUT": "soon"})
    assert bad.exit_code == 2
    assert "CONFLUENCE_TIMEOUT" in bad.output
    config.write_text(config.read_text().replace("timeout = 0.3", "timeout = 0"))
    assert "timeout: Value error, must be a number of seconds > 0" in run(["check"], {}).output


@pytest.mark.parametrize("status", [500, 503])
def test_auto_does_not_take_a_failing_v2_probe_for_a_v1_site(
    project: Path, local_wiki: LocalWiki, status: int
) -> None:
    local_wiki.faults = Faults(fail=(FailRule("GET", r"/api/v2/spaces$", status, times=99),))
    env = {**env_for(local_wiki), "CONFLUENCE_API": "auto", "CONFLUENCE_RETRY_ATTEMPTS": "2"}
    result = run(["sync"], env)
    assert result.exit_code == 3, result.output
    assert f"HTTP {status} GET api/v2/spaces" in result.output
    assert not [r for r in local_wiki.requests if r.method != "GET"]  # v1 was not tried
    local_wiki.faults = Faults()
    assert "REST v2" in run(["sync"], env).output  # the site, once answering, is v2


@pytest.mark.parametrize("status", [429, 503, 502])
def test_busy_server_failures_keep_their_retries_and_the_last_message_names_url_and_time(
    project: Path, local_wiki: LocalWiki, status: int
) -> None:
    local_wiki.faults = Faults(fail=(FailRule("GET", r"/rest/api/space/DEV$", status, times=99),))
    env = {**env_for(local_wiki), "CONFLUENCE_RETRY_ATTEMPTS": "3"}
    result = run(["sync"], env)
    assert result.exit_code == 3, result.output
    space = f"{local_wiki.base_url}/rest/api/space/DEV"
    assert f"HTTP {status} GET rest/api/space/DEV" in result.output
    assert f"(gave up on {space} after 3 attempts over " in result.output
    tried = [r for r in local_wiki.requests if r.path.endswith("/rest/api/space/DEV")]
    assert len(tried) == 3
