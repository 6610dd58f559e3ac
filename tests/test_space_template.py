"""The postmortem template as a space content template: published by ``sync``, listed by the
Create menu's endpoint, written only when it changed, a wiki edit is a conflict. End to end
through atlassian-python-api to the local wiki (v1 Data Center, v1 Cloud, v2 Cloud)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from lxml import etree
from publish_helpers import ApiWiki, writes_to

from confluence_sync.cli import cli
from confluence_sync.convert.canonical import NAMESPACES

REPO = Path(__file__).resolve().parents[1]
AC = NAMESPACES["ac"]
NAME = "Template YYYY-MM-DD Incident Title"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api_wiki: ApiWiki) -> Path:
    """This repository's guide and template in a scratch folder, targeting a fresh wiki."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.chdir(root)
    for key, value in api_wiki.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CONFLUENCE_RETRY_MAX_WAIT", "0")
    monkeypatch.delenv("CONFLUENCE_SPACE", raising=False)
    monkeypatch.delenv("CI", raising=False)
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def space_templates(wiki: ApiWiki, **params: str) -> list[dict[str, Any]]:
    response = requests.get(
        f"{wiki.base_url}/rest/api/template/page",
        params={"spaceKey": "DEV", **params},
        auth=("admin", "admin"),
        timeout=10,
    )
    response.raise_for_status()
    return list(response.json()["results"])


def template_writes(wiki: ApiWiki) -> list[str]:
    return [w for w in writes_to(wiki) if "/rest/api/template" in w]


def tasks_in(storage: str) -> list[str]:
    root = etree.fromstring(
        f'<r xmlns:ac="{AC}" xmlns:ri="{NAMESPACES["ri"]}">{storage}</r>'.encode()
    )
    return [t.text or "" for t in root.iter(f"{{{AC}}}task-status")]


def test_sync_publishes_the_template_to_the_create_menu_once(
    project: Path, api_wiki: ApiWiki
) -> None:
    code, output = run("sync")
    assert code == 0, output
    assert f"{NAME} (space template)" in output
    listed = space_templates(api_wiki, expand="body.storage")
    assert [t["name"] for t in listed] == [NAME]
    body = listed[0]["body"]["storage"]["value"]
    assert tasks_in(body) and set(tasks_in(body)) == {"incomplete"}  # the checklist, as tasks
    assert "<h2>Timeline</h2>" in body and 'ac:name="details"' in body
    assert listed[0]["description"].startswith("confluence-sync ")

    api_wiki.clear_log()
    code, output = run("sync")
    assert code == 0, output
    assert writes_to(api_wiki) == []  # the template included: nothing written
    reads = [r for r in api_wiki.requests if "/rest/api/template" in r.path]
    assert len(reads) == 1  # one listing with bodies, no read per template


def test_editing_the_template_yaml_updates_it_in_one_write(
    project: Path, api_wiki: ApiWiki
) -> None:
    assert run("sync")[0] == 0
    yaml_file = project / "content" / "template" / "postmortem.yaml"
    text = yaml_file.read_text()
    assert "Timeline" in text
    yaml_file.write_text(text.replace("heading: Timeline", "heading: Timeline of events", 1))
    api_wiki.clear_log()
    code, output = run("sync")
    assert code == 0, output
    (write,) = template_writes(api_wiki)
    assert write.startswith("PUT ") and write.endswith("/rest/api/template")
    assert len(writes_to(api_wiki)) == 2  # the template page and the space template
    (listed,) = space_templates(api_wiki, expand="body")
    assert "Timeline of events" in listed["body"]["storage"]["value"]


def test_a_template_edited_in_the_wiki_is_a_conflict_until_forced(
    project: Path, api_wiki: ApiWiki
) -> None:
    assert run("sync")[0] == 0
    (ours,) = space_templates(api_wiki, expand="body.storage")
    edited = {
        "templateId": ours["templateId"],
        "name": ours["name"],
        "templateType": "page",
        "description": ours["description"],
        "space": {"key": "DEV"},
        "body": {"storage": {"value": "<p>Our own layout</p>", "representation": "storage"}},
    }
    put = requests.put(
        f"{api_wiki.base_url}/rest/api/template",
        data=json.dumps(edited),
        headers={"Content-Type": "application/json"},
        auth=("admin", "admin"),
        timeout=10,
    )
    assert put.status_code == 200, put.text
    yaml_file = project / "content" / "template" / "postmortem.yaml"
    yaml_file.write_text(yaml_file.read_text().replace("heading: Timeline", "heading: Events", 1))

    code, output = run("plan")
    assert code == 1, output  # plan reports the conflict the way sync would leave it
    assert "conflict" in output and "template edited in the wiki" in output
    api_wiki.clear_log()
    code, output = run("sync")
    assert code == 1, output  # a conflict left alone
    assert template_writes(api_wiki) == []
    (kept,) = space_templates(api_wiki, expand="body.storage")
    assert kept["body"]["storage"]["value"] == "<p>Our own layout</p>"

    code, output = run("sync", "--force")
    assert code == 0, output
    (forced,) = space_templates(api_wiki, expand="body.storage")
    assert "<h2>Events</h2>" in forced["body"]["storage"]["value"]


def put_template(wiki: ApiWiki, template: dict[str, Any], body: str) -> None:
    edited = {
        "templateId": template["templateId"],
        "name": template["name"],
        "templateType": "page",
        "description": template["description"],
        "space": {"key": "DEV"},
        "body": {"storage": {"value": body, "representation": "storage"}},
    }
    put = requests.put(
        f"{wiki.base_url}/rest/api/template",
        data=json.dumps(edited),
        headers={"Content-Type": "application/json"},
        auth=("admin", "admin"),
        timeout=10,
    )
    assert put.status_code == 200, put.text


def test_diff_lists_a_wiki_edit_and_pull_brings_it_back(project: Path, api_wiki: ApiWiki) -> None:
    assert run("sync")[0] == 0
    code, output = run("diff")
    assert code == 0, output
    (ours,) = space_templates(api_wiki, expand="body.storage")
    body = ours["body"]["storage"]["value"]
    assert "<h2>Timeline</h2>" in body
    put_template(api_wiki, ours, body.replace("<h2>Timeline</h2>", "<h2>Timeline (UTC)</h2>"))

    code, output = run("diff")
    assert code == 1, output
    line = next(x for x in output.splitlines() if "(space template)" in x)
    assert "wiki edited" in line
    assert "+<h2>Timeline</h2>" in output.replace(" ", "") or "Timeline (UTC)" in output

    code, output = run("pull")
    assert code == 0, output
    yaml_text = (project / "content" / "template" / "postmortem.yaml").read_text()
    assert "heading: Timeline (UTC)" in yaml_text

    code, output = run("sync")
    assert code == 0, output
    code, output = run("diff")
    assert code == 0, output  # the page and the space template both match the file again
