"""The access token of a service account: when it is fetched again, what the settings make of
the credential variables, and which client the library gives for a gateway address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gateway_helpers import CLIENT_ID, CLIENT_SECRET, origin, service_wiki
from pydantic import SecretStr

from confluence_sync.config import load_settings
from confluence_sync.errors import AuthError, ConfigError
from confluence_sync.localwiki import LocalWiki
from confluence_sync.publish.access import GatewayAccess, gateway_api_url
from confluence_sync.publish.atlassian import AtlassianGateway
from confluence_sync.publish.oauth import ClientCredentials, TokenSource


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def wiki(tmp_path: Path) -> Iterator[LocalWiki]:
    wiki = service_wiki(tmp_path / "wiki")
    try:
        yield wiki
    finally:
        wiki.stop()


def source(wiki: LocalWiki, clock: Clock, secret: str = CLIENT_SECRET) -> TokenSource:
    credentials = ClientCredentials(CLIENT_ID, SecretStr(secret), origin(wiki) + "/oauth/token")
    return TokenSource(credentials, clock=clock)


def test_token_reused_until_most_of_its_life_is_spent(wiki: LocalWiki) -> None:
    clock = Clock()
    tokens = source(wiki, clock)
    first = tokens.token()
    clock.now += 3600 - 61  # an hour's token is renewed 60 s before it expires
    assert tokens.token() == first and tokens.fetches == 1
    clock.now += 2
    assert tokens.token() != first and tokens.fetches == 2
    assert tokens.granted_scopes() and "write:page:confluence" in (tokens.granted_scopes() or ())
    tokens.close()


def test_short_lived_token_renewed_after_ninety_percent(tmp_path: Path) -> None:
    wiki = service_wiki(tmp_path / "wiki", token_lifetime=10)
    try:
        clock = Clock()
        tokens = source(wiki, clock)
        tokens.token()
        clock.now += 8.9
        tokens.token()
        assert tokens.fetches == 1
        clock.now += 0.2
        tokens.token()
        assert tokens.fetches == 2
        tokens.close()
    finally:
        wiki.stop()


def test_wrong_secret_is_an_auth_error_without_the_secret(wiki: LocalWiki) -> None:
    tokens = source(wiki, Clock(), secret="not-the-SECRET-42")
    with pytest.raises(AuthError) as caught:
        tokens.token()
    assert "invalid_client" in str(caught.value)
    assert "not-the-SECRET-42" not in str(caught.value)
    tokens.close()


def test_settings_hold_the_client_secret_as_secret(tmp_path: Path) -> None:
    env = {
        "CONFLUENCE_URL": "https://example.atlassian.net/wiki",
        "CONFLUENCE_CLIENT_ID": "cid",
        "CONFLUENCE_CLIENT_SECRET": "very-SECRET-value",
    }
    settings = load_settings(env=env, cwd=tmp_path)
    assert settings.gateway and settings.client_id == "cid" and settings.cloud_id is None
    assert settings.gateway_url == "https://api.atlassian.com"
    assert settings.token_url == "https://auth.atlassian.com/oauth/token"
    assert "very-SECRET-value" not in repr(settings)
    plain = load_settings(
        env={
            **env,
            "CONFLUENCE_CLIENT_ID": "",
            "CONFLUENCE_CLIENT_SECRET": "",
            "CONFLUENCE_TOKEN": "t",
        },
        cwd=tmp_path,
    )
    assert not plain.gateway  # a classic token still goes to the site


def test_scoped_token_needs_the_account_email(tmp_path: Path) -> None:
    env = {
        "CONFLUENCE_URL": "https://example.atlassian.net/wiki",
        "CONFLUENCE_TOKEN": "scoped",
        "CONFLUENCE_GATEWAY": "true",
    }
    with pytest.raises(ConfigError) as caught:
        load_settings(env=env, cwd=tmp_path)
    assert [p.path for p in caught.value.problems] == ["CONFLUENCE_USER"]
    settings = load_settings(env={**env, "CONFLUENCE_USER": "bot@example.com"}, cwd=tmp_path)
    assert settings.gateway and settings.client_id is None


def test_gateway_address_gets_the_librarys_server_client_on_the_gateway() -> None:
    """atlassian-python-api would hand out its v2 class for an api.atlassian.com address; the
    gateway's requests still go through the plain client, to the gateway, links on the site."""
    api_url = gateway_api_url("https://api.atlassian.com", "0123-abcd")
    access = GatewayAccess(api_url, None)
    gw = AtlassianGateway(
        "https://example.atlassian.net/wiki", user="bot@example.com", token="t", access=access
    )
    try:
        assert gw._client.url == "https://api.atlassian.com/ex/confluence/0123-abcd/wiki"
        assert type(gw._client).__name__ == "Server"
        assert gw.url == "https://example.atlassian.net/wiki"
    finally:
        gw.close()
