"""Who may talk to the local wiki: the ``Host`` check against DNS rebinding, the random token of
``wiki serve``, and a browser view that needs the token unless only this machine can connect."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from wiki_serve_helpers import start_serve

from confluence_sync.localwiki import LocalWiki
from confluence_sync.localwiki.access import HostPolicy

AUTH = ("admin", "admin")


@pytest.mark.parametrize(
    ("bound", "host", "allowed"),
    [
        ("127.0.0.1", "127.0.0.1:8090", True),
        ("127.0.0.1", "localhost:8090", True),
        ("127.0.0.1", "LOCALHOST.", True),
        ("127.0.0.1", "wiki.localhost", True),
        ("127.0.0.1", "[::1]:8090", True),
        ("127.0.0.1", "127.1.2.3", True),
        ("127.0.0.1", "evil.example:8090", False),
        ("127.0.0.1", "evil.example", False),
        ("127.0.0.1", "192.168.1.20:8090", False),
        ("127.0.0.1", "localhost.evil.example", False),
        ("127.0.0.1", "", False),
        ("192.168.1.20", "192.168.1.20:8090", True),
        ("192.168.1.20", "10.0.0.1", False),
        ("0.0.0.0", "10.0.0.1:8090", True),  # an IP literal cannot be rebound
        ("0.0.0.0", "[fe80::1]", True),
        ("0.0.0.0", "evil.example", False),
    ],
)
def test_host_header_must_name_the_bound_address_or_a_loopback_name(
    bound: str, host: str, allowed: bool
) -> None:
    assert HostPolicy.for_address(bound).allows(host) is allowed


def test_hosts_the_user_allows_are_accepted() -> None:
    policy = HostPolicy.for_address("0.0.0.0", ["wiki.corp.example"])
    assert policy.allows("wiki.corp.example:8090") and not policy.allows("other.example")


@pytest.mark.parametrize(
    ("bound", "open_view"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
    ],
)
def test_the_view_is_open_only_when_bound_to_loopback(bound: str, open_view: bool) -> None:
    assert HostPolicy.for_address(bound).local_only is open_view


@pytest.fixture(scope="module")
def loopback(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalWiki]:
    with LocalWiki(tmp_path_factory.mktemp("loopback")) as running:
        yield running


@pytest.mark.parametrize("path", ["/rest/api/space/DEV", "/spaces/DEV", "/rest/api/content"])
def test_a_rebound_host_is_refused_with_421_before_anything_is_read(
    loopback: LocalWiki, path: str
) -> None:
    url = loopback.base_url + path
    refused = requests.get(url, auth=AUTH, headers={"Host": "attacker.example"}, timeout=5)
    assert refused.status_code == 421
    assert "attacker.example" in refused.json()["message"]
    assert "DEV Home" not in refused.text
    assert requests.get(url, auth=AUTH, timeout=5).status_code == 200


def test_a_rebound_host_cannot_write(loopback: LocalWiki) -> None:
    page = {"type": "page", "title": "Planted", "space": {"key": "DEV"}}
    url = loopback.base_url + "/rest/api/content"
    answer = requests.post(url, json=page, auth=AUTH, headers={"Host": "evil.test"}, timeout=5)
    assert answer.status_code == 421
    found = requests.get(url, params={"title": "Planted"}, auth=AUTH, timeout=5).json()
    assert found["size"] == 0


def test_the_view_needs_no_credentials_on_loopback(loopback: LocalWiki) -> None:
    assert "DEV Home" in requests.get(loopback.base_url + "/spaces/DEV", timeout=5).text


def test_bound_beyond_loopback_the_view_asks_for_the_token(tmp_path: Path) -> None:
    with LocalWiki(tmp_path, host="0.0.0.0", token="s3cret") as wiki:
        view = wiki.base_url.replace("0.0.0.0", "127.0.0.1") + "/spaces/DEV"
        anonymous = requests.get(view, timeout=5)
        assert anonymous.status_code == 401
        assert anonymous.headers["WWW-Authenticate"].startswith("Basic")
        assert "DEV Home" not in anonymous.text
        assert requests.get(view, auth=("admin", "wrong"), timeout=5).status_code == 401
        assert "DEV Home" in requests.get(view, auth=("admin", "s3cret"), timeout=5).text


def test_wiki_serve_without_token_prints_a_fresh_random_one(tmp_path: Path) -> None:
    tokens = []
    for run in ("first", "second"):
        proc, url, lines, (user, token) = start_serve(tmp_path / run)
        try:
            tokens.append(token)
            assert user == "admin" and token != "admin" and len(token) >= 20
            assert sum(token in line for line in lines) == 1  # printed once, with the URL
            space = url + "/rest/api/space/DEV"
            assert requests.get(space, auth=("admin", "admin"), timeout=5).status_code == 401
            assert requests.get(space, auth=(user, token), timeout=5).status_code == 200
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=10)
    assert tokens[0] != tokens[1]


def test_wiki_serve_keeps_a_token_given_on_the_command_line(tmp_path: Path) -> None:
    proc, url, _, (_, token) = start_serve(tmp_path, "--token", "chosen-token")
    try:
        assert token == "chosen-token"
        space = url + "/rest/api/space/DEV"
        assert requests.get(space, auth=("admin", "chosen-token"), timeout=5).status_code == 200
    finally:
        proc.kill()
        proc.communicate(timeout=10)
