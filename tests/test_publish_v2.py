"""The v2 gateway and API selection: what only v2 does (page endpoints under ``/wiki/api/v2``,
cursor pagination, properties by id, v2 error bodies) and how a run picks v1 or v2."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from publish_helpers import ApiWiki, gateway, guide, page_requests, sync_round, writes_to
from v2_schema import assert_valid

from confluence_sync.cli import cli
from confluence_sync.localwiki import LocalWiki
from confluence_sync.pages import PageId
from confluence_sync.publish.api_choice import is_atlassian_cloud, open_gateway
from confluence_sync.publish.failures import ApiFailure
from confluence_sync.publish.gateway import Gateway, PageWrite
from confluence_sync.publish.gateway_v2 import V1_ONLY, V2Gateway, _page_payload
from confluence_sync.publish.retry import FAST_POLICY

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def wiki(tmp_path: Path) -> Any:
    with ApiWiki(tmp_path / "wiki", "v2-cloud") as made:
        yield made


def v2_gateway(wiki: LocalWiki, **kwargs: Any) -> V2Gateway:
    gw = gateway(wiki, **kwargs)
    assert isinstance(gw, V2Gateway)
    return gw


def endpoints(wiki: LocalWiki) -> Counter[str]:
    """``METHOD path`` with page and property ids replaced by ``{id}``."""
    counted: Counter[str] = Counter()
    for r in wiki.requests:
        parts = ["{id}" if p.isdigit() else p for p in r.path.split("/")]
        counted[f"{r.method} {'/'.join(parts)}"] += 1
    return counted


def test_every_gateway_method_is_v2_unless_v2_has_no_equivalent() -> None:
    """A method added to the protocol must be written for v2 or listed, with a reason, as one
    that stays on v1: inheriting it silently would send page traffic to v1."""
    wanted = {name for name in vars(Gateway) if not name.startswith("_")} | {"close"}
    own = set(vars(V2Gateway))
    assert wanted - own == V1_ONLY


def test_sync_round_uses_v2_page_endpoints_and_v1_only_where_v2_has_none(
    wiki: ApiWiki, tmp_path: Path
) -> None:
    seen: Counter[str] = Counter()
    pages = guide(tmp_path)
    rounds = [pages]
    rounds.append([*pages[:3], replace(pages[3], body="<p>Changed.</p>", digest="")])
    rounds.append(rounds[-1][:3])  # meeting.md removed, then pruned
    for desired in rounds:
        result = sync_round(wiki, desired, prune=True)
        assert all(o.error is None for o in result.outcomes)
        assert page_requests(wiki) == []
        seen += endpoints(wiki)
    v1 = {e for e in seen if "/rest/api/" in e}
    assert v1 == {
        "GET /wiki/rest/api/content/search",
        "GET /wiki/rest/api/user/current",
        "POST /wiki/rest/api/content/{id}/label",
        "POST /wiki/rest/api/content/{id}/child/attachment",
    }
    assert {
        "GET /wiki/api/v2/spaces",
        "POST /wiki/api/v2/pages",
        "PUT /wiki/api/v2/pages/{id}",
        "POST /wiki/api/v2/pages/{id}/properties",
        "PUT /wiki/api/v2/pages/{id}/properties/{id}",
        "GET /wiki/api/v2/pages/{id}/direct-children",
        "DELETE /wiki/api/v2/pages/{id}",
    } <= set(seen)


def test_an_update_of_the_page_alone_is_one_request_on_v2_too(
    wiki: ApiWiki, tmp_path: Path
) -> None:
    sync_round(wiki, guide(tmp_path))
    pages = guide(tmp_path)
    pages[1] = replace(pages[1], body="<p>New.</p>", digest="")
    changed = sync_round(wiki, pages)
    assert changed.kinds() == {"update": 1, "skip": 3}
    # the page update carries the digest in its version message: no property write, no lookups
    assert [m for m, _ in changed.writes] == ["PUT"]
    # + space, our account, the CQL state query, and the body it replaces (whose comment
    # markers it keeps)
    assert changed.requests == 5
    assert sync_round(wiki, pages).writes == []


def test_cursor_pagination_children_and_ancestors(wiki: ApiWiki) -> None:
    gw = v2_gateway(wiki, list_limit=2)
    home = gw.home_page("DEV")
    stamp_page = gw.create_page
    from publish_helpers import LABEL

    from confluence_sync.pages import SyncStamp

    def make(title: str, parent: PageId) -> PageId:
        stamp = SyncStamp(title, "d", 1, "t")
        return stamp_page(PageWrite("DEV", title, "<p/>", parent, (LABEL,), stamp)).id

    top = make("Top", home)
    kids = [make(f"Kid {n}", top) for n in range(5)]
    deep = make("Deep", kids[0])
    wiki.clear_log()
    assert gw.child_ids(top) == tuple(kids)
    assert [r.path for r in wiki.requests].count(f"/wiki/api/v2/pages/{top}/direct-children") == 3
    assert gw.ancestor_ids(deep) == (home, top, kids[0])  # two calls of at most two
    assert gw.page(deep).parent_id == kids[0] and gw.page(deep).stamp is not None


def test_v2_failures_map_like_v1(wiki: ApiWiki) -> None:
    gw = v2_gateway(wiki)
    made = gw.find_page("DEV", "DEV Home")
    assert made is not None
    write = PageWrite("DEV", "DEV Home", "<p/>", None, (), None)  # type: ignore[arg-type]
    with pytest.raises(ApiFailure) as clash:
        gw.update_page(made.id, made.version + 5, write)
    assert clash.value.is_conflict and "Current version is: 1" in str(clash.value)
    with pytest.raises(ApiFailure) as taken:
        gw.create_page(write)
    assert taken.value.is_duplicate_title
    with pytest.raises(ApiFailure) as missing:
        gw.page_body(PageId("424242"))
    assert missing.value.status == 404 and "424242" in str(missing.value)
    gw.delete_page(PageId("424242"))  # already gone is fine


def test_editor_names_come_from_users_bulk_once(wiki: ApiWiki, tmp_path: Path) -> None:
    sync_round(wiki, guide(tmp_path))
    gw = v2_gateway(wiki)
    found = gw.find_page("DEV", "Guides")
    assert found is not None and found.last_editor == ""  # ours: no lookup needed
    wiki.edit_page(found.id, "<p>Edited.</p>", by="jane.doe")
    wiki.clear_log()
    edited = [gw.page(found.id) for _ in range(2)]
    assert {p.last_editor for p in edited} == {"Jane Doe"}
    assert [r.path for r in wiki.requests].count("/wiki/api/v2/users-bulk") == 1


def test_requests_the_gateway_sends_match_the_v2_request_schemas() -> None:
    from confluence_sync.pages import SyncStamp

    write = PageWrite("DEV", "T", "<p/>", PageId("1"), (), SyncStamp("s", "d", 1, "t"), "m")
    create = {**_page_payload(write), "spaceId": "65537"}
    assert_valid("PageCreateRequest", create)
    update = {**_page_payload(write), "id": "2", "version": {"number": 2, "message": "m"}}
    assert_valid("PageUpdateRequest", update)


# selection ----------------------------------------------------------------------------------
def test_atlassian_net_is_v2_without_asking() -> None:
    assert is_atlassian_cloud("https://acme.atlassian.net/wiki")
    assert not is_atlassian_cloud("https://wiki.acme.example/")
    gw = open_gateway(
        "https://acme.atlassian.net/wiki", user="u", token="t", policy=FAST_POLICY, api="auto"
    )
    assert gw.api == "v2"  # no request was made: the host is unreachable from here
    gw.close()


@pytest.mark.parametrize(("mode", "api"), [("cloud", "v2"), ("server", "v1")])
def test_auto_asks_the_site_once(tmp_path: Path, mode: str, api: str) -> None:
    with LocalWiki(tmp_path / mode, mode=mode) as site:  # type: ignore[arg-type]
        gw = open_gateway(
            site.base_url, user="admin", token="admin", policy=FAST_POLICY, api="auto"
        )
        gw.close()
        assert gw.api == api
        if mode == "cloud":  # (Data Center mode does not log paths outside its API)
            assert [(r.path, r.status) for r in site.requests] == [("/wiki/api/v2/spaces", 200)]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This repository's guide and template in a scratch folder."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.chdir(root)
    return root


def run(args: list[str], env: dict[str, str]) -> Result:
    full = {"CI": "", "GITHUB_ACTIONS": "", "CONFLUENCE_SPACE": "", **env}
    return CliRunner().invoke(cli, args, env=full, catch_exceptions=False)


def test_v2_publishes_the_guide_then_writes_nothing_and_never_uses_v1_pages(
    project: Path, wiki: ApiWiki
) -> None:
    env = wiki.env()
    first = run(["sync"], env)
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[0] == (
        f"Target: {wiki.base_url} (space DEV, site project, REST v2; config pyproject.toml)"
    )
    assert writes_to(wiki) and page_requests(wiki) == []
    wiki.clear_log()
    second = run(["sync"], env)
    assert second.exit_code == 0
    assert second.stdout.splitlines()[-1].startswith("0 created, 0 updated, 12 unchanged")
    assert writes_to(wiki) == []
    incident = ["incident", "new", "--title", "Checkout API outage", "--owner", "Alex Kim"]
    for command in (["diff"], incident):
        assert run(command, env).exit_code == 0
    assert page_requests(wiki) == []


def test_api_flag_overrides_the_variable_and_bad_values_exit_2(
    project: Path, wiki: ApiWiki
) -> None:
    env = wiki.env()
    flagged = run(["plan", "--api", "v1"], env)
    assert flagged.exit_code == 0, flagged.output
    assert flagged.stdout.splitlines()[0].endswith(
        "(space DEV, site project, REST v1; config pyproject.toml)"
    )
    auto = run(["plan"], {**env, "CONFLUENCE_API": "auto"})
    assert auto.stdout.splitlines()[0].endswith(
        "(space DEV, site project, REST v2; config pyproject.toml)"
    )
    wiki.clear_log()
    bad = run(["plan"], {**env, "CONFLUENCE_API": "v3"})
    assert bad.exit_code == 2 and "CONFLUENCE_API" in bad.stderr
    assert "must be auto, v1 or v2, not 'v3'" in bad.stderr
    assert wiki.requests == []
    for command in (["sync"], ["diff"], ["incident", "new", "--title", "X"]):
        refused = run([*command, "--api", "v3"], env)
        assert refused.exit_code == 2 and "--api" in refused.output


def test_v2_on_a_site_without_v2_fails_with_exit_3(project: Path, tmp_path: Path) -> None:
    with LocalWiki(tmp_path / "dc", mode="server") as dc:
        env = {
            "CONFLUENCE_URL": dc.base_url,
            "CONFLUENCE_TOKEN": "admin",
            "CONFLUENCE_API": "v2",
            "CONFLUENCE_RETRY_ATTEMPTS": "1",
        }
        result = run(["plan"], env)
        assert result.exit_code == 3 and "HTTP 404 GET api/v2/spaces" in result.stderr
