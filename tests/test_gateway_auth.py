"""Service accounts in CI (issue 30): OAuth 2.0 client credentials and scoped API tokens reach
the site through Atlassian's API gateway, which passes only the calls whose scopes the token
holds. Everything here goes over HTTP to the local wiki playing the site, the gateway and the
token endpoint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner, Result
from gateway_helpers import (
    CLIENT_SECRET,
    SCOPED_TOKEN,
    gateway_paths,
    oauth_env,
    scoped_env,
    service_wiki,
    site_writes,
)
from pydantic import SecretStr

from confluence_sync.cli import cli
from confluence_sync.localwiki import Faults, LocalWiki
from confluence_sync.publish.access import GatewayAccess, gateway_api_url
from confluence_sync.publish.api_choice import open_gateway
from confluence_sync.publish.gateway_v2 import V2Gateway
from confluence_sync.publish.oauth import ClientCredentials, TokenSource
from confluence_sync.publish.retry import RetryPolicy

UPLOAD_SCOPE = "write:attachment:confluence"


def run(args: list[str], env: dict[str, str]) -> Result:
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


@pytest.fixture
def wiki(tmp_path: Path) -> Iterator[LocalWiki]:
    wiki = service_wiki(tmp_path / "wiki")
    try:
        yield wiki
    finally:
        wiki.stop()


@pytest.fixture
def no_upload_wiki(tmp_path: Path) -> Iterator[LocalWiki]:
    """The service account's credentials lack only the attachment write scope."""
    wiki = service_wiki(tmp_path / "wiki", lacking=frozenset({UPLOAD_SCOPE}))
    try:
        yield wiki
    finally:
        wiki.stop()


def test_sync_with_client_credentials_goes_through_the_gateway(
    project: Path, wiki: LocalWiki
) -> None:
    result = run(["sync", "--json"], oauth_env(wiki))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [a["action"] for a in report["actions"]].count("create") == 4
    prefix = f"/ex/confluence/{wiki.cloud_id}/wiki/"
    seen = gateway_paths(wiki)
    assert "/_edge/tenant_info" in seen and "/oauth/token" in seen  # cloud id discovered
    api_calls = [p for p in seen if p.startswith("/ex/")]
    assert api_calls and all(p.startswith(prefix) for p in api_calls)
    assert len(wiki.requests) == len(api_calls)  # the site saw nothing but the gateway's
    # links keep the site's own address
    urls = [a["url"] for a in report["actions"]]
    assert urls and all(u.startswith(wiki.base_url + "/spaces/DEV/pages/") for u in urls)
    assert "through the API gateway" in result.stderr and "REST v2" in result.stderr
    again = run(["sync"], oauth_env(wiki))
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 4 unchanged" in again.stdout


def test_access_token_renewed_in_a_long_run(project: Path, tmp_path: Path) -> None:
    """Tokens live two seconds; at 200 ms a request, the sync outlives several of them."""
    wiki = service_wiki(tmp_path / "wiki", token_lifetime=2)
    try:
        wiki.faults = Faults(latency_ms=200)
        result = run(["sync", "--jobs", "1"], oauth_env(wiki))
        assert result.exit_code == 0, result.output
        assert "4 created" in result.stdout
        assert wiki.tokens.issued >= 2
    finally:
        wiki.stop()
    v1 = run(["sync", "--api", "v1"], oauth_env(wiki))
    assert v1.exit_code == 2 and "v1 cannot be used through the API gateway" in v1.stderr


def test_token_the_gateway_stopped_accepting_is_replaced_once(
    project: Path, wiki: LocalWiki
) -> None:
    first = run(["sync"], oauth_env(wiki))
    assert first.exit_code == 0, first.output
    env = oauth_env(wiki)
    source = TokenSource(
        ClientCredentials(
            env["CONFLUENCE_CLIENT_ID"], SecretStr(CLIENT_SECRET), env["CONFLUENCE_TOKEN_URL"]
        )
    )
    access = GatewayAccess(gateway_api_url(env["CONFLUENCE_GATEWAY_URL"], wiki.cloud_id), source)
    gw = open_gateway(
        wiki.base_url,
        user=None,
        token=None,
        policy=RetryPolicy(attempts=1),
        api="v2",
        access=access,
    )
    try:
        home = gw.home_page("DEV")
        wiki.tokens.revoke_all()  # as after a clock skew: the gateway says 401 for it
        assert gw.page(home).id == home
        assert source.fetches == 2
    finally:
        gw.close()


@pytest.mark.parametrize("credentials", ["oauth", "scoped"])
def test_doctor_names_the_missing_attachment_scope(
    project: Path, no_upload_wiki: LocalWiki, credentials: str
) -> None:
    env = (oauth_env if credentials == "oauth" else scoped_env)(no_upload_wiki)
    result = run(["doctor"], env)
    assert result.exit_code == 3, result.output
    lines = result.stdout.splitlines()
    missing = [line for line in lines if "MISSING" in line]
    assert len(missing) == 1 and "attachment write" in missing[0]
    assert UPLOAD_SCOPE in missing[0] and "write:confluence-file" in missing[0]
    assert any("ok" in line and "label write" in line for line in lines)
    assert "1 of 8 checks failed (attachment write)" in result.stderr
    assert site_writes(no_upload_wiki) == []  # doctor writes nothing
    sent = gateway_paths(no_upload_wiki)
    assert any(p.endswith("/api/v2/spaces") for p in sent)  # the reads were made
    if credentials == "oauth":  # the granted scopes answered for the upload: not even probed
        assert not [p for p in sent if p.endswith("/child/attachment")]


@pytest.mark.parametrize("credentials", ["oauth", "scoped"])
def test_sync_missing_a_write_scope_fails_before_any_write(
    project: Path, no_upload_wiki: LocalWiki, credentials: str
) -> None:
    env = (oauth_env if credentials == "oauth" else scoped_env)(no_upload_wiki)
    result = run(["sync"], env)
    assert result.exit_code == 3, result.output
    assert "attachment write" in result.stderr and UPLOAD_SCOPE in result.stderr
    assert "nothing was written" in result.stderr
    assert site_writes(no_upload_wiki) == []  # the scoped token's empty probes were refused
    if credentials == "oauth":  # the granted scopes answered: the site saw only reads
        assert all(r.method == "GET" for r in no_upload_wiki.requests)


def test_doctor_passes_with_every_scope(project: Path, wiki: LocalWiki) -> None:
    for env in (oauth_env(wiki), scoped_env(wiki)):
        result = run(["doctor"], env)
        assert result.exit_code == 0, result.output
        assert "All 8 checks passed." in result.stdout
    assert site_writes(wiki) == []


def test_a_read_scope_refused_midway_names_the_scope(project: Path, tmp_path: Path) -> None:
    """Without the pre-flight's knowledge (a read, not a write), the refusal itself says which
    scope the call needed."""
    lacking = frozenset({"search:confluence", "read:content-details:confluence"})
    wiki = service_wiki(tmp_path / "wiki", lacking=lacking)
    try:
        result = run(["sync"], scoped_env(wiki))
        assert result.exit_code == 3, result.output
        # the first read needing the missing scope is the account the tool writes as
        assert "the token lacks a scope: GET /rest/api/user/current (user read) needs" in (
            result.stderr
        )
        assert "read:content-details:confluence (or classic read:confluence-user)" in result.stderr
        assert site_writes(wiki) == []
    finally:
        wiki.stop()


def test_service_credentials_are_refused_by_the_site_itself(wiki: LocalWiki) -> None:
    """Scoped tokens work only through the gateway, as Atlassian documents."""
    direct = requests.get(
        wiki.base_url + "/api/v2/spaces", auth=("ci-bot@example.com", SCOPED_TOKEN), timeout=10
    )
    assert direct.status_code == 401
    via = requests.get(
        f"{wiki.base_url.removesuffix('/wiki')}/ex/confluence/{wiki.cloud_id}/wiki/api/v2/spaces",
        auth=("ci-bot@example.com", SCOPED_TOKEN),
        timeout=10,
    )
    assert via.status_code == 200


def test_wrong_client_secret_is_exit_3_without_the_secret(project: Path, wiki: LocalWiki) -> None:
    wrong = "wrong-SECRET-1122334455"
    result = run(["sync"], oauth_env(wiki, CONFLUENCE_CLIENT_SECRET=wrong))
    assert result.exit_code == 3
    assert "refused the client credentials (HTTP 401 invalid_client)" in result.stderr
    assert wrong not in result.output


def test_credential_variables_checked_together(project: Path) -> None:
    env = {
        "CONFLUENCE_URL": "",
        "CONFLUENCE_CLIENT_ID": "abc",
        "CONFLUENCE_CLIENT_SECRET": "",
        "CONFLUENCE_CLOUD_ID": "not/a/cloud id",
        "CONFLUENCE_GATEWAY": "perhaps",
        "CONFLUENCE_TOKEN_URL": "ftp://auth.example.com/token",
        "CONFLUENCE_API": "v1",
    }
    result = run(["doctor"], env)
    assert result.exit_code == 2
    for expected in (
        "CONFLUENCE_CLIENT_SECRET: error: is required with CONFLUENCE_CLIENT_ID",
        "CONFLUENCE_CLOUD_ID: error: must be the site's cloud id",
        "CONFLUENCE_GATEWAY: error: must be true or false, not 'perhaps'",
        "CONFLUENCE_TOKEN_URL: error: must start with http:// or https://",
        "CONFLUENCE_URL: error: is required with service-account credentials",
        "CONFLUENCE_API: error: v1 cannot be used through the API gateway",
    ):
        assert expected in result.stderr, result.stderr
    both = run(
        ["sync"],
        {
            "CONFLUENCE_URL": "https://x.atlassian.net/wiki",
            "CONFLUENCE_TOKEN": "t",
            "CONFLUENCE_CLIENT_ID": "a",
            "CONFLUENCE_CLIENT_SECRET": "b",
        },
    )
    assert both.exit_code == 2 and "not both" in both.stderr


def test_no_secret_in_any_output(project: Path, no_upload_wiki: LocalWiki) -> None:
    """Debug logs included: neither the client secret, the scoped token nor an access token
    the token endpoint issued is printed, by a passing or a failing command."""
    runs = [
        (["-vv", "doctor"], oauth_env(no_upload_wiki), 3),
        (["-vv", "doctor"], scoped_env(no_upload_wiki), 3),
        (["-vv", "sync"], oauth_env(no_upload_wiki), 3),
        (["-vv", "plan", "--json"], oauth_env(no_upload_wiki), 0),
        (["-vv", "sync"], scoped_env(no_upload_wiki), 3),
    ]
    for args, env, code in runs:
        done = subprocess.run(
            [sys.executable, "-m", "confluence_sync", *args],
            env={**_base_env(), **env},
            cwd=project,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == code, done.stderr
        printed = done.stdout + done.stderr
        secrets = [CLIENT_SECRET, SCOPED_TOKEN, *no_upload_wiki.tokens.history]
        assert not [s for s in secrets if s in printed], args
        assert "Traceback" not in done.stderr
    assert no_upload_wiki.tokens.history  # access tokens were issued and looked for


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CONFLUENCE_")}


def test_gateway_refusals_look_like_atlassians(no_upload_wiki: LocalWiki) -> None:
    base = (
        f"{no_upload_wiki.base_url.removesuffix('/wiki')}/ex/confluence/{no_upload_wiki.cloud_id}"
    )
    auth = ("ci-bot@example.com", SCOPED_TOKEN)
    upload = requests.post(
        base + "/wiki/rest/api/content/1/child/attachment",
        auth=auth,
        headers={"X-Atlassian-Token": "no-check"},
        files={"file": ("a.txt", b"x")},
        timeout=10,
    )
    assert upload.status_code == 401
    assert upload.json() == {"code": 401, "message": "Unauthorized; scope does not match"}
    assert upload.headers["X-Failure-Category"] == "FAILURE_CLIENT_SCOPE_CHECK"
    wrong_site = requests.get(
        base.replace(no_upload_wiki.cloud_id, "other") + "/wiki/api/v2/spaces",
        auth=auth,
        timeout=10,
    )
    assert wrong_site.status_code == 404
    rebound = requests.get(
        base + "/wiki/api/v2/spaces", auth=auth, headers={"Host": "evil.example"}, timeout=10
    )
    assert rebound.status_code == 421
    assert no_upload_wiki.requests == []  # none of them reached the site


def test_diff_and_pull_through_the_gateway(project: Path, wiki: LocalWiki) -> None:
    env = oauth_env(wiki)
    synced = run(["sync", "--json"], env)
    assert synced.exit_code == 0, synced.output
    ids = {a["title"]: a["page_id"] for a in json.loads(synced.stdout)["actions"]}
    body = "<h1>The meeting</h1><p>See it.</p><p>Added in the wiki.</p>"
    wiki.edit_page(ids["The meeting"], body, by="jane.doe")
    diff = run(["diff"], env)
    assert diff.exit_code == 1 and "wiki edited" in diff.output
    pulled = run(["pull"], env)
    assert pulled.exit_code == 0, pulled.output
    assert "Added in the wiki." in (project / "content" / "guides" / "meeting.md").read_text()
    paths = [p for p in gateway_paths(wiki) if p.startswith("/ex/")]
    assert len(wiki.requests) == len(paths)  # every call went through the gateway


def test_doctor_with_a_classic_token_names_a_missing_permission(
    project: Path, tmp_path: Path
) -> None:
    """No scopes on a classic token: the probes show what the site forbids the account."""
    with LocalWiki(tmp_path / "plain", readers={"viewer": "viewer-tok"}) as plain:
        env = {
            "CONFLUENCE_URL": plain.base_url,
            "CONFLUENCE_USER": "viewer",
            "CONFLUENCE_TOKEN": "viewer-tok",
            "CONFLUENCE_RETRY_MAX_WAIT": "0",
            "CI": "",
        }
        result = run(["doctor"], env)
        assert result.exit_code == 3, result.output
        missing = [line for line in result.stdout.splitlines() if "MISSING" in line]
        assert any(
            "page create/update" in line and "missing permission" in line for line in missing
        )
        assert "no scopes" in result.stdout
        assert not [r for r in plain.requests if r.method != "GET" and r.status < 400]


def test_pagination_links_are_followed_on_the_gateway(project: Path, wiki: LocalWiki) -> None:
    """``_links.base`` names the site, which refuses gateway tokens: next pages are fetched
    below the gateway's address instead (v1's search and v2's cursor links alike)."""
    assert run(["sync"], oauth_env(wiki)).exit_code == 0
    env = oauth_env(wiki)
    credentials = ClientCredentials(
        env["CONFLUENCE_CLIENT_ID"], SecretStr(CLIENT_SECRET), env["CONFLUENCE_TOKEN_URL"]
    )
    access = GatewayAccess(
        gateway_api_url(env["CONFLUENCE_GATEWAY_URL"], wiki.cloud_id), TokenSource(credentials)
    )
    gw = V2Gateway(wiki.base_url, user=None, token=None, access=access, page_size=1, list_limit=1)
    wiki.clear_log()
    before = len(api_paths(wiki))
    try:
        pages = gw.managed_pages("DEV", "confluence-sync")
        root = next(p for p in pages if p.title == "Postmortem guide")
        children = gw.child_ids(root.id)
    finally:
        gw.close()
    assert len(pages) == 4 and len(children) == 1
    assert all(p.url.startswith(wiki.base_url + "/spaces/DEV/pages/") for p in pages)
    searches = [r for r in wiki.requests if r.path.endswith("/content/search")]
    assert len(searches) >= 4 and all(r.status == 200 for r in wiki.requests)
    assert len(api_paths(wiki)) - before == len(wiki.requests)  # all via the gateway


def api_paths(wiki: LocalWiki) -> list[str]:
    return [p for p in gateway_paths(wiki) if p.startswith("/ex/")]


REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def guide_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This repository's guide and postmortem template, for ``incident new``."""
    root = tmp_path / "guide"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.chdir(root)
    return root


def test_incident_new_through_the_gateway(guide_repo: Path, tmp_path: Path) -> None:
    """Without the page write scope nothing is created; with it the page's link is the site's."""
    args = ["incident", "new", "--title", "Disk full", "--date", "2026-11-27", "--owner", "Kai"]
    lacking = service_wiki(tmp_path / "w1", lacking=frozenset({"write:page:confluence"}))
    try:
        refused = run(args, oauth_env(lacking))
        assert refused.exit_code == 3, refused.output
        assert "page create/update" in refused.stderr and "write:page:confluence" in refused.stderr
        assert site_writes(lacking) == []
    finally:
        lacking.stop()
    wiki = service_wiki(tmp_path / "w2")
    try:
        created = run(args, oauth_env(wiki))
        assert created.exit_code == 0, created.output
        assert wiki.base_url + "/spaces/DEV/pages/" in created.stdout
        assert "/ex/confluence/" not in created.stdout.split("\n", 1)[1]  # only the Target line
    finally:
        wiki.stop()
