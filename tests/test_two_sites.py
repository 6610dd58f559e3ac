"""Two repositories publishing into one space: each sees, writes, prunes and diffs only its own
pages, and a title another site holds is a conflict naming that site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from publish_helpers import ApiWiki
from test_sync_cli import env_for, run

from confluence_sync.localwiki import LocalWiki


@pytest.fixture
def wiki(api_wiki: ApiWiki) -> ApiWiki:
    """Site scoping lives in the stamp, which v1 and v2 write and read differently: every test
    runs on v1 (server, cloud) and v2 (cloud)."""
    return api_wiki


def make_repo(root: Path, site: str, pages: dict[str, str]) -> Path:
    for name, text in pages.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text(
        f'[tool.confluence-sync]\nspace = "DEV"\ncontent_dir = "content"\nsite = "{site}"\n'
    )
    return root


@pytest.fixture
def repos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.chdir(tmp_path)
    for name in ("CI", "GITHUB_SHA", "CONFLUENCE_SPACE", "CONFLUENCE_USER"):
        monkeypatch.delenv(name, raising=False)
    guide = make_repo(
        tmp_path / "guide",
        "acme/guide",
        {"index.md": "# Postmortem guide\n\nHello.\n", "how.md": "# How to write one\n\nSo.\n"},
    )
    runbooks = make_repo(
        tmp_path / "runbooks",
        "acme/runbooks",
        {"index.md": "# Runbooks\n\nOps.\n", "oncall.md": "# On call\n\nPager.\n"},
    )
    return guide, runbooks


def sync(repo: Path, wiki: LocalWiki, *flags: str) -> dict:  # type: ignore[type-arg]
    result = run(
        ["sync", "--json", "--config", str(repo / "pyproject.toml"), *flags], env_for(wiki)
    )
    assert result.exit_code in (0, 1), result.output
    return dict(json.loads(result.stdout))


def titles_in_space(wiki: LocalWiki) -> set[str]:
    found = requests.get(
        f"{wiki.base_url}/rest/api/content",
        params={"spaceKey": "DEV", "type": "page", "limit": 100},
        auth=("admin", "admin"),
        timeout=10,
    ).json()["results"]
    return {page["title"] for page in found}


def test_each_repository_sees_and_writes_only_its_own_pages(
    repos: tuple[Path, Path], wiki: ApiWiki
) -> None:
    guide, runbooks = repos
    assert sync(guide, wiki)["summary"]["create"] == 2
    second = sync(runbooks, wiki)  # same relative sources (content/index.md), two pages
    assert second["summary"]["create"] == 2 and second["summary"]["orphan"] == 0
    wiki.clear_log()
    for repo in (guide, runbooks):
        again = sync(repo, wiki)
        assert again["summary"]["skip"] == 2 and again["summary"]["orphan"] == 0
    assert not [r for r in wiki.requests if r.method != "GET"]
    assert {"Postmortem guide", "How to write one", "Runbooks", "On call"} <= titles_in_space(wiki)


def test_prune_in_one_never_deletes_the_others_pages(
    repos: tuple[Path, Path], wiki: ApiWiki
) -> None:
    guide, runbooks = repos
    sync(guide, wiki)
    sync(runbooks, wiki)
    (runbooks / "content" / "oncall.md").unlink()
    pruned = sync(runbooks, wiki, "--prune")
    assert [(a["action"], a["title"]) for a in pruned["actions"] if a["action"] == "delete"] == [
        ("delete", "On call")
    ]
    assert {"Postmortem guide", "How to write one", "Runbooks"} <= titles_in_space(wiki)
    assert "On call" not in titles_in_space(wiki)


def test_diff_lists_only_its_own_pages(repos: tuple[Path, Path], wiki: ApiWiki) -> None:
    guide, runbooks = repos
    sync(guide, wiki)
    sync(runbooks, wiki)
    result = run(["diff", "--json", "--config", str(guide / "pyproject.toml")], env_for(wiki))
    assert result.exit_code == 0, result.output
    assert {p["title"] for p in json.loads(result.stdout)["pages"]} == {
        "Postmortem guide",
        "How to write one",
    }


def test_a_title_held_by_another_site_is_a_conflict_naming_it(
    repos: tuple[Path, Path], wiki: ApiWiki
) -> None:
    guide, runbooks = repos
    sync(guide, wiki)
    (runbooks / "content" / "index.md").write_text("# Postmortem guide\n\nA copy.\n")
    clash = sync(runbooks, wiki, "--adopt")  # not even --adopt takes another site's page
    actions = {a["title"]: a for a in clash["actions"]}
    assert actions["Postmortem guide"]["action"] == "conflict"
    assert "site acme/guide" in actions["Postmortem guide"]["reason"]
    assert actions["On call"]["action"] == "blocked"
    assert sync(guide, wiki)["summary"]["skip"] == 2


def test_pages_stamped_before_sites_are_claimed_once_by_the_first_site(
    repos: tuple[Path, Path], wiki: ApiWiki
) -> None:
    guide, _ = repos
    sync(guide, wiki)
    auth = ("admin", "admin")
    for page in requests.get(
        f"{wiki.base_url}/rest/api/content/search",
        params={
            "cql": 'label = "confluence-sync"',
            "expand": "metadata.properties.confluence-sync",
        },
        auth=auth,
        timeout=10,
    ).json()["results"]:
        prop = page["metadata"]["properties"]["confluence-sync"]
        value = {k: v for k, v in prop["value"].items() if k != "site"}  # as 0.1 wrote it
        requests.put(
            f"{wiki.base_url}/rest/api/content/{page['id']}/property/confluence-sync",
            json={
                "key": "confluence-sync",
                "value": value,
                "version": {"number": prop["version"]["number"] + 1},
            },
            auth=auth,
            timeout=10,
        ).raise_for_status()
    plan = run(["plan", "--json", "--config", str(guide / "pyproject.toml")], env_for(wiki))
    reasons = [a["reason"] for a in json.loads(plan.stdout)["actions"]]
    assert reasons == ["claimed for site acme/guide (stamped before sites existed)"] * 2
    claimed = sync(guide, wiki)
    assert claimed["summary"]["repair"] == 2 and claimed["summary"]["update"] == 0
    assert sync(guide, wiki)["summary"]["skip"] == 2


@pytest.mark.parametrize(
    ("remote", "site"),
    [
        ("git@github.com:acme/postmortem-guide.git", "acme/postmortem-guide"),
        ("https://github.com/acme/runbooks", "acme/runbooks"),
        (None, "plain-folder"),
    ],
)
def test_the_default_site_comes_from_the_git_remote_else_the_folder(
    tmp_path: Path, remote: str | None, site: str
) -> None:
    import subprocess

    from confluence_sync.config import load_settings

    root = tmp_path / "plain-folder"
    (root / "content").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.confluence-sync]\nspace = "DEV"\n')
    if remote is not None:
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        subprocess.run(["git", "-C", str(root), "remote", "add", "origin", remote], check=True)
    assert load_settings(cwd=root, env={}).site == site
