"""``incident new --restrict-to GROUP``: a security postmortem readable and editable only by its
groups and the publishing account, its body never written before the restriction, and its row
in the Postmortems index without contents. End to end through atlassian-python-api to the
local wiki (v1 Data Center, v1 Cloud, v2 Cloud), checked as other users of the wiki."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from publish_helpers import API_TARGETS, ApiWiki

from confluence_sync.cli import cli

REPO = Path(__file__).resolve().parents[1]
SECRET = "AKIA-NOT-A-REAL-KEY-0042"
TITLE = "2026-11-20 Leaked deploy key"


@pytest.fixture(params=API_TARGETS)
def wiki(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ApiWiki]:
    """A wiki with two more people: carol (in security-team) and bob (not)."""
    wiki = ApiWiki(
        tmp_path / "wiki",
        request.param,
        extra_users={"bob": "bob", "carol": "carol"},
        groups={"security-team": ["carol"]},
    )
    wiki.start()
    try:
        yield wiki
    finally:
        wiki.stop()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wiki: ApiWiki) -> Path:
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.chdir(root)
    for key, value in wiki.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CONFLUENCE_RETRY_MAX_WAIT", "0")
    monkeypatch.delenv("CONFLUENCE_SPACE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    incident = (root / "content" / "incidents" / "example.yaml").read_text()
    incident = incident.replace("title: Checkout API outage", "title: Leaked deploy key")
    incident = incident.replace("summary: >-\n", f"summary: >-\n  {SECRET} was pushed.\n", 1)
    (root / "leak.yaml").write_text(incident + "\nrestricted_groups: [security-team]\n")
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def get(wiki: ApiWiki, user: str, path: str, **params: Any) -> requests.Response:
    return requests.get(
        f"{wiki.base_url}/rest/api/{path}", params=params, auth=(user, user), timeout=10
    )


def page_id(wiki: ApiWiki, title: str) -> str:
    found = get(wiki, "admin", "content", spaceKey="DEV", title=title).json()["results"]
    assert len(found) == 1
    return str(found[0]["id"])


def body_of(wiki: ApiWiki, user: str, content_id: str, **params: Any) -> str:
    answer = get(wiki, user, f"content/{content_id}", expand="body.storage", **params)
    answer.raise_for_status()
    return str(answer.json()["body"]["storage"]["value"])


def test_a_restricted_incident_is_hidden_from_everyone_else(project: Path, wiki: ApiWiki) -> None:
    code, output = run("incident", "new", "--from", "leak.yaml", "--restrict-to", "security-team")
    assert code == 0, output
    assert "restricted to: security-team" in output
    pid = page_id(wiki, TITLE)
    assert SECRET in body_of(wiki, "admin", pid)  # the publishing account
    assert SECRET in body_of(wiki, "carol", pid)  # the group

    # bob: as if the page did not exist, by id, by title and in search
    assert get(wiki, "bob", f"content/{pid}").status_code == 404
    assert get(wiki, "bob", "content", spaceKey="DEV", title=TITLE).json()["results"] == []
    cql = 'space = "DEV" and label = "postmortem"'
    assert get(wiki, "bob", "content/search", cql=cql).json()["results"] == []
    assert get(wiki, "admin", "content/search", cql=cql).json()["results"]
    update = requests.put(
        f"{wiki.base_url}/rest/api/content/{pid}",
        json={"type": "page", "title": TITLE, "version": {"number": 9}},
        auth=("bob", "bob"),
        timeout=10,
    )
    assert update.status_code == 404
    if wiki.mode == "cloud":  # REST v2 answers the same
        v2 = f"{wiki.base_url}/api/v2/pages"
        assert requests.get(f"{v2}/{pid}", auth=("bob", "bob"), timeout=10).status_code == 404
        listed = requests.get(v2, params={"title": TITLE}, auth=("bob", "bob"), timeout=10)
        assert listed.json()["results"] == []
        mine = requests.get(f"{v2}/{pid}", auth=("carol", "carol"), timeout=10)
        assert mine.status_code == 200

    # the body was never on the page before the restriction was in place
    first = body_of(wiki, "admin", pid, status="historical", version="1")
    assert SECRET not in first and "restricted" in first
    log = [(r.method, r.path.removeprefix("/wiki")) for r in wiki.requests]
    restricted_at = log.index(("POST", f"/rest/api/content/{pid}/restriction"))
    written = [i for i, (m, p) in enumerate(log) if m == "PUT" and p == f"/rest/api/content/{pid}"]
    assert written and min(written) > restricted_at

    # the index, which the whole space reads: the row, and nothing of the page
    index_id = page_id(wiki, "Postmortems")
    children = get(wiki, "bob", f"content/{index_id}/child/page").json()["results"]
    assert TITLE not in [c["title"] for c in children]  # not even among the index's children
    index = body_of(wiki, "bob", index_id)
    assert TITLE in index and "<td>restricted</td>" in index
    assert SECRET not in index and "Rotate" not in index


def test_the_restrictions_read_back_as_confluence_lists_them(project: Path, wiki: ApiWiki) -> None:
    args = ["--title", "Leaked deploy key", "--date", "2026-11-20", "--owner", "Sam"]
    code, output = run("incident", "new", *args, "--restrict-to", "security-team")
    assert code == 0, output
    pid = page_id(wiki, TITLE)
    read = get(wiki, "admin", f"content/{pid}/restriction/byOperation/read").json()
    groups = [g["name"] for g in read["restrictions"]["group"]["results"]]
    users = read["restrictions"]["user"]["results"]
    assert groups == ["security-team"] and len(users) == 1
    update = get(wiki, "carol", f"content/{pid}/restriction/byOperation/update").json()
    assert [g["name"] for g in update["restrictions"]["group"]["results"]] == ["security-team"]
    listed = get(wiki, "admin", f"content/{pid}/restriction").json()
    assert [r["operation"] for r in listed["results"]] == ["read", "update"]


def test_group_names_are_checked_before_anything_is_written(project: Path, wiki: ApiWiki) -> None:
    (project / "bad.yaml").write_text(
        (project / "leak.yaml").read_text().replace("[security-team]", "[Security Team]")
    )
    code, output = run("incident", "validate", "bad.yaml")
    assert code == 2 and "restricted_groups" in output and "lower case" in output
    wiki.clear_log()
    code, output = run("incident", "new", "--title", "X", "--owner", "Sam", "--restrict-to", " ops")
    assert code == 2 and "--restrict-to" in output
    assert wiki.requests == []
