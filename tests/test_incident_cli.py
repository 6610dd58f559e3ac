"""`incident new` and the Postmortems index, end to end through atlassian-python-api to the local wiki."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from confluence_sync.cli import cli
from confluence_sync.localwiki import LocalWiki

REPO = Path(__file__).resolve().parents[1]
WRITES = {"POST", "PUT", "DELETE"}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local_wiki: LocalWiki) -> Path:
    """This repository's guide and template in a scratch folder, targeting a fresh local wiki."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.chdir(root)
    monkeypatch.setenv("CONFLUENCE_URL", local_wiki.base_url)
    monkeypatch.setenv("CONFLUENCE_USER", "admin")
    monkeypatch.setenv("CONFLUENCE_TOKEN", "admin")
    monkeypatch.delenv("CONFLUENCE_SPACE", raising=False)
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def page_by_title(wiki: LocalWiki, title: str) -> dict:
    response = requests.get(
        f"{wiki.base_url}/rest/api/content",
        params={
            "spaceKey": "DEV",
            "title": title,
            "expand": "ancestors,metadata.labels,body.storage",
        },
        auth=("admin", "admin"),
        timeout=10,
    )
    response.raise_for_status()
    results = response.json()["results"]
    assert len(results) == 1, f"{title}: {len(results)} pages"
    return results[0]


def test_incident_new_creates_the_dated_page_under_postmortems(
    project: Path, local_wiki: LocalWiki
) -> None:
    code, out = run(
        "incident",
        "new",
        "--title",
        "Checkout API outage",
        "--date",
        "2026-11-27",
        "--severity",
        "SEV-2",
        "--owner",
        "Alex Kim",
    )
    assert code == 0, out
    assert "created: 2026-11-27 Checkout API outage (under Postmortems)" in out
    page = page_by_title(local_wiki, "2026-11-27 Checkout API outage")
    assert [a["title"] for a in page["ancestors"]] == ["DEV Home", "Postmortems"]
    labels = {label["name"] for label in page["metadata"]["labels"]["results"]}
    assert {"postmortem", "sev-2", "2026"} <= labels
    body = page["body"]["storage"]["value"]
    assert 'ac:name="details"' in body
    for key in (
        "Date",
        "Severity",
        "Status",
        "Owner",
        "Incident Commander",
        "Time to Detect",
        "Meeting Deadline",
    ):
        assert f"{key}</" in body, key
    assert "Alex Kim" in body

    code, out = run(
        "incident",
        "new",
        "--title",
        "Checkout API outage",
        "--date",
        "2026-11-27",
        "--owner",
        "Alex Kim",
    )
    assert code == 2, out
    assert "already exists" in out and "--update" in out


def test_incident_new_from_file_with_services_labels(project: Path, local_wiki: LocalWiki) -> None:
    code, out = run("incident", "new", "--from", "content/incidents/example.yaml")
    assert code == 0, out
    title = out.split("created: ", 1)[1].split(" (under", 1)[0]
    page = page_by_title(local_wiki, title)
    labels = {label["name"] for label in page["metadata"]["labels"]["results"]}
    assert "postmortem" in labels and any(label.startswith("sev-") for label in labels)
    assert 'ac:name="jira"' in page["body"]["storage"]["value"]


def test_update_rewrites_only_our_unedited_page(project: Path, local_wiki: LocalWiki) -> None:
    args = (
        "incident",
        "new",
        "--title",
        "Queue backlog",
        "--date",
        "2026-11-02",
        "--owner",
        "Sam Lee",
    )
    assert run(*args)[0] == 0
    assert run(*args, "--severity", "SEV-1", "--update")[0] == 0
    page = page_by_title(local_wiki, "2026-11-02 Queue backlog")
    assert "SEV-1" in page["body"]["storage"]["value"]
    local_wiki.edit_page(page["id"], "<p>Rewritten by a person.</p>", by="jane.doe")
    code, out = run(*args, "--update")
    assert code == 1, out
    assert "edited in the wiki" in out
    assert (
        "Rewritten by a person."
        in page_by_title(local_wiki, "2026-11-02 Queue backlog")["body"]["storage"]["value"]
    )
    assert run(*args, "--update", "--force")[0] == 0


def test_invalid_incident_writes_nothing(
    project: Path, local_wiki: LocalWiki, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: Broken\ndate: 2026-11-27\nseverity: SEV-9\n", encoding="utf-8")
    local_wiki.clear_log()
    code, out = run("incident", "new", "--from", str(bad))
    assert code == 2, out
    assert "severity" in out and "owner" in out
    assert not [r for r in local_wiki.requests if r.method in WRITES]
    assert not local_wiki.requests  # validation happens before connecting


def test_dry_run_writes_nothing(project: Path, local_wiki: LocalWiki) -> None:
    local_wiki.clear_log()
    code, out = run("incident", "new", "--title", "Disk full", "--owner", "Kai", "--dry-run")
    assert code == 0, out
    assert "would create:" in out
    assert not [r for r in local_wiki.requests if r.method in WRITES]


def test_sync_keeps_the_index_and_template_page(project: Path, local_wiki: LocalWiki) -> None:
    assert run("sync")[0] == 0
    for title, date in (("Checkout API outage", "2026-11-20"), ("Search latency", "2026-10-03")):
        code, out = run("incident", "new", "--title", title, "--date", date, "--owner", "Alex Kim")
        assert code == 0, out
    code, out = run("sync")
    assert code == 0, out
    assert "Postmortems" in out and "1 updated" in out  # the index now counts two incidents
    index = page_by_title(local_wiki, "Postmortems")["body"]["storage"]["value"]
    assert 'ac:name="detailssummary"' in index and "postmortem" in index
    view = requests.get(
        f"{local_wiki.base_url}/spaces/DEV/pages/{page_by_title(local_wiki, 'Postmortems')['id']}",
        timeout=10,
    ).text
    assert "2026-11-20 Checkout API outage" in view and "2026-10-03 Search latency" in view
    code, out = run("sync")
    assert code == 0 and "0 updated" in out, (
        out
    )  # template page and index unchanged by a second sync


def test_first_sync_lists_guide_pages_in_weight_order(project: Path, local_wiki: LocalWiki) -> None:
    """Confluence lists children in creation order; the guide's order is by weight, not title."""
    assert run("sync", "--jobs", "4")[0] == 0
    guide = page_by_title(local_wiki, "Postmortem Guide")
    response = requests.get(
        f"{local_wiki.base_url}/rest/api/content/{guide['id']}/child/page",
        params={"limit": 50},
        auth=("admin", "admin"),
        timeout=10,
    )
    titles = [page["title"] for page in response.json()["results"]]
    assert titles == [
        "What Is a Postmortem",
        "Blameless Culture",
        "How to Write a Postmortem",
        "The Postmortem Meeting",
        "Resources",
    ]
