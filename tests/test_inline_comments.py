"""Inline comments survive sync, over HTTP against the local wiki (v1 on Data Center and Cloud,
v2 on Cloud): a reviewer's comment, recorded with or without a new page version, is never a
conflict, its marker is still around the same text after every kind of write (a repo edit of
the neighbouring paragraph, ``--force``, after ``pull``), and a comment whose text the repo
deleted is reported by name with a link."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result
from lxml import etree
from publish_helpers import ApiWiki
from wiki_edits import edit_as_a_person, wiki_page

from confluence_sync.cli import cli
from confluence_sync.convert.canonical import NAMESPACES
from confluence_sync.github_report import report_problems
from confluence_sync.pages import PageId, RemotePage, SyncStamp
from confluence_sync.plan.drift import stamped_body
from confluence_sync.publish.failures import ApiFailure

AC = "{" + NAMESPACES["ac"] + "}"
AUTH = ("admin", "admin")
RUNBOOK = "# Runbook\n\nWrite the timeline first.\n\nThe neighbour paragraph.\n"


class Repo:
    def __init__(self, root: Path, wiki: ApiWiki) -> None:
        self.root, self.wiki = root, wiki
        self.env = {**wiki.env(), "CI": "", "GITHUB_ACTIONS": "", "CONFLUENCE_SPACE": ""}

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(
            cli, [*args, "--config", str(self.root / "pyproject.toml")], env=self.env
        )

    def write(self, text: str) -> None:
        (self.root / "content" / "runbook.md").write_text(text, encoding="utf-8")

    def page(self) -> dict[str, Any]:
        return wiki_page(self.wiki, "Runbook")


@pytest.fixture
def repo(tmp_path: Path, api_wiki: ApiWiki, monkeypatch: pytest.MonkeyPatch) -> Repo:
    root = tmp_path / "repo"
    (root / "content").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.confluence-sync]\nspace = "DEV"\ncontent_dir = "content"\n', encoding="utf-8"
    )
    (root / "content" / "index.md").write_text("# Home\n\nWelcome.\n", encoding="utf-8")
    monkeypatch.chdir(root)
    made = Repo(root, api_wiki)
    made.write(RUNBOOK)
    first = made.run("sync")
    assert first.exit_code == 0, first.output
    return made


def comment_through_rest(repo: Repo, text: str) -> str:
    """A reviewer's inline comment as Confluence records it through its REST API: a marker in
    the page's storage, no new page version. Returns the marker ref."""
    wiki, page_id = repo.wiki, repo.page()["id"]
    if wiki.api == "v2":
        answer = requests.post(
            f"{wiki.base_url}/api/v2/inline-comments",
            json={
                "pageId": page_id,
                "body": {"representation": "storage", "value": "<p>Why first?</p>"},
                "inlineCommentProperties": {
                    "textSelection": text,
                    "textSelectionMatchCount": 1,
                    "textSelectionMatchIndex": 0,
                },
            },
            auth=AUTH,
            timeout=10,
        )
        answer.raise_for_status()
        return str(answer.json()["properties"]["inlineMarkerRef"])
    answer = requests.post(
        f"{wiki.base_url}/rest/api/content",
        json={
            "type": "comment",
            "container": {"id": page_id, "type": "page"},
            "body": {"storage": {"value": "<p>Why first?</p>", "representation": "storage"}},
            "extensions": {"location": "inline", "inlineProperties": {"originalSelection": text}},
        },
        auth=AUTH,
        timeout=10,
    )
    answer.raise_for_status()
    return str(answer.json()["extensions"]["inlineProperties"]["markerRef"])


def comment_in_the_editor(repo: Repo, text: str, ref: str = "editor-ref") -> str:
    """A reviewer's comment saved by the editor as a new page version by jane.doe."""

    def wrap(root: etree._Element) -> None:
        for element in root.iter("p"):
            if element.text and text in element.text:
                before, _, after = element.text.partition(text)
                marker = etree.SubElement(element, f"{AC}inline-comment-marker")
                marker.set(f"{AC}ref", ref)
                marker.text, marker.tail, element.text = text, after, before
                element.insert(0, marker)
                return
        raise AssertionError(f"{text!r} is not on the page")

    version = repo.page()["version"]["number"]
    edit_as_a_person(repo.wiki, "Runbook", wrap)
    assert repo.page()["version"]["number"] == version + 1
    return ref


def markers(repo: Repo) -> dict[str, str]:
    """ref -> marked text, read from the page's storage with lxml."""
    storage = repo.page()["body"]["storage"]["value"]
    root = etree.fromstring(
        f'<r xmlns:ac="{NAMESPACES["ac"]}" xmlns:ri="{NAMESPACES["ri"]}">{storage}</r>'.encode()
    )
    return {m.get(f"{AC}ref", ""): m.text or "" for m in root.iter(f"{AC}inline-comment-marker")}


def resolution(repo: Repo) -> dict[str, str]:
    """ref -> the comment's resolution status as the v1 comments endpoint reports it."""
    found = requests.get(
        f"{repo.wiki.base_url}/rest/api/content/{repo.page()['id']}/child/comment",
        params={
            "location": "inline",
            "expand": "extensions.inlineProperties,extensions.resolution",
        },
        auth=AUTH,
        timeout=10,
    ).json()["results"]
    return {
        c["extensions"]["inlineProperties"]["markerRef"]: c["extensions"]["resolution"]["status"]
        for c in found
    }


def synced(repo: Repo, *args: str) -> Result:
    result = repo.run("sync", *args)
    assert result.exit_code == 0, result.output
    return result


def test_a_comment_without_a_new_version_survives_edits_force_and_pull(repo: Repo) -> None:
    ref = comment_through_rest(repo, "the timeline")
    version = repo.page()["version"]["number"]
    assert markers(repo) == {ref: "the timeline"}
    assert "unchanged" in synced(repo).output
    assert markers(repo) == {ref: "the timeline"} and repo.page()["version"]["number"] == version

    repo.write(RUNBOOK.replace("The neighbour paragraph.", "A rewritten neighbour."))
    assert "update" in synced(repo).output
    assert markers(repo) == {ref: "the timeline"}
    assert resolution(repo) == {ref: "open"}

    edit_as_a_person(repo.wiki, "Runbook", jane_edits_the_neighbour)
    assert repo.run("sync").exit_code == 1  # a real edit is still a conflict
    synced(repo, "--force")
    assert "Jane's neighbour" not in repo.page()["body"]["storage"]["value"]
    assert markers(repo) == {ref: "the timeline"}
    assert resolution(repo) == {ref: "open"}


def jane_edits_the_neighbour(root: etree._Element) -> None:
    last = list(root.iter("p"))[-1]
    last.text = "Jane's neighbour paragraph."


def test_a_pulled_edit_keeps_the_comment_and_the_next_syncs_too(repo: Repo) -> None:
    ref = comment_through_rest(repo, "the timeline")
    edit_as_a_person(repo.wiki, "Runbook", jane_edits_the_neighbour)
    pulled = repo.run("pull")
    assert pulled.exit_code == 0, pulled.output
    assert "Jane's neighbour paragraph." in (repo.root / "content" / "runbook.md").read_text()
    synced(repo)
    assert markers(repo) == {ref: "the timeline"}
    repo.write(RUNBOOK.replace("The neighbour paragraph.", "Yet another neighbour."))
    synced(repo)
    assert markers(repo) == {ref: "the timeline"}
    assert resolution(repo) == {ref: "open"}


def test_a_comment_saved_with_a_new_version_is_in_sync_not_a_conflict(repo: Repo) -> None:
    ref = comment_in_the_editor(repo, "the timeline")
    diff = repo.run("diff", "--verbose")
    assert diff.exit_code == 0, diff.output
    assert "in sync" in diff.output and "(comments only)" in diff.output
    document = json.loads(repo.run("diff", "--json").stdout)
    runbook = next(p for p in document["pages"] if p["title"] == "Runbook")
    assert (runbook["state"], runbook["note"]) == ("in sync", "comments only")

    first = synced(repo)
    assert "comments only in the wiki by " in first.output
    assert markers(repo) == {ref: "the timeline"}
    assert "unchanged" in synced(repo).output  # restamped: settled for good

    repo.write(RUNBOOK.replace("The neighbour paragraph.", "A rewritten neighbour."))
    synced(repo)
    assert markers(repo) == {ref: "the timeline"}
    synced(repo, "--force")
    assert markers(repo) == {ref: "the timeline"}


def test_a_comment_and_a_repo_edit_at_once_update_and_keep_the_marker(repo: Repo) -> None:
    ref = comment_in_the_editor(repo, "the timeline")
    repo.write(RUNBOOK.replace("The neighbour paragraph.", "A rewritten neighbour."))
    diff = repo.run("diff", "--json")
    runbook = next(p for p in json.loads(diff.stdout)["pages"] if p["title"] == "Runbook")
    assert (runbook["state"], runbook["note"]) == ("repo changed", "comments only")
    result = synced(repo)
    assert "was comments only, kept" in result.output
    assert markers(repo) == {ref: "the timeline"}
    assert "A rewritten neighbour." in repo.page()["body"]["storage"]["value"]


def test_a_comment_whose_text_the_repo_deleted_is_reported_with_a_link(repo: Repo) -> None:
    ref = comment_through_rest(repo, "the timeline")
    repo.write("# Runbook\n\nStart with the impact.\n\nThe neighbour paragraph.\n")
    result = synced(repo)
    assert f"comment {ref} on 'the timeline' lost its place" in result.output
    assert f"/pages/{repo.page()['id']}" in result.output
    assert markers(repo) == {}
    assert resolution(repo) == {ref: "dangling"}
    repo.write("# Runbook\n\nStart with the impact, now.\n\nThe neighbour paragraph.\n")
    as_json = json.loads(repo.run("sync", "--json").stdout)
    runbook = next(a for a in as_json["actions"] if a["title"] == "Runbook")
    assert "comments_lost" not in runbook  # reported once: the marker is gone from the page now


def test_a_lost_comment_is_a_warning_annotation_on_github() -> None:
    report = {
        "actions": [
            {
                "action": "update",
                "title": "Runbook",
                "source": "content/runbook.md",
                "url": "https://example.atlassian.net/wiki/spaces/DEV/pages/1",
                "comments_lost": ["comment c1 on 'the timeline'"],
            }
        ]
    }
    [(problem, level)] = report_problems(report)
    assert level == "warning" and problem.path == "content/runbook.md"
    assert "comment c1 on 'the timeline' lost its place" in problem.message
    assert problem.message.endswith("/wiki/spaces/DEV/pages/1")


class NoHistory:
    """A wiki without the version a stamp names (a stamp edited by hand)."""

    def page_body(self, page_id: str, version: int | None = None) -> str:
        if version is not None:
            raise ApiFailure(404, "No content found with id", method="GET", path="/content")
        return "<p>Write <ac:inline-comment-marker ac:ref='x'>it</ac:inline-comment-marker></p>"


def test_a_stamp_naming_a_missing_version_is_not_taken_for_comments_only() -> None:
    stamp = SyncStamp(source="content/runbook.md", digest="d", version=7, tool="t")
    remote = RemotePage(PageId("1"), "Runbook", 9, None, stamp=stamp)
    assert stamped_body(NoHistory(), remote) is None
