"""``confluence-sync diff`` end to end: publish a small guide to the local wiki over HTTP, change
the repo and the wiki the ways people do, and check what the command reports."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from publish_helpers import ApiWiki, gateway

from confluence_sync.cli import cli
from confluence_sync.commands.sync import SyncOptions, run_sync
from confluence_sync.config import load_settings

PAGES = {
    "index.md": "---\ntitle: Postmortem guide\n---\nHow we learn from incidents.\n",
    "steady.md": "---\ntitle: Steady\n---\n| Role | Who |\n| --- | --- |\n| Lead | **Ana** |\n\n"
    "```python\nprint('hi')\n```\n\n- [ ] open a ticket\n",
    "repo.md": "---\ntitle: Repo side\n---\nThe repo writes this paragraph.\n",
    "wiki.md": "---\ntitle: Wiki side\n---\nPeople edit this one in the browser.\n",
    "both.md": "---\ntitle: Both sides\n---\nBoth will change.\n",
    "old.md": "---\ntitle: Old page\n---\nThis file will be deleted.\n",
}


@dataclass
class Project:
    root: Path
    wiki: ApiWiki
    env: dict[str, str]

    def write(self, name: str, text: str) -> None:
        path = self.root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def sync(self) -> None:
        settings = load_settings(cwd=self.root, env=self.env)
        report = run_sync(settings, SyncOptions())
        assert report.ok, report.to_json()

    def page_ids(self) -> dict[str, str]:
        gw = gateway(self.wiki)
        try:
            return {p.title: p.id for p in gw.managed_pages("DEV", "confluence-sync")}
        finally:
            gw.close()

    def body(self, page_id: str) -> str:
        gw = gateway(self.wiki)
        try:
            return gw.page_body(page_id)  # type: ignore[arg-type]
        finally:
            gw.close()

    def diff(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(
            cli,
            ["diff", "--config", str(self.root / "pyproject.toml"), *args],
            env={**self.env, **(env or {})},
            catch_exceptions=False,
        )


@pytest.fixture
def project(tmp_path: Path, api_wiki: ApiWiki) -> Project:
    """The guide above, published once to the local wiki over HTTP (once per API and mode)."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[tool.confluence-sync]\nspace = "DEV"\ncontent_dir = "content"\n', encoding="utf-8"
    )
    env = {**api_wiki.env(), "CI": "", "GITHUB_ACTIONS": ""}
    result = Project(root, api_wiki, env)
    for name, text in PAGES.items():
        result.write(name, text)
    result.sync()
    return result


def states(result: Result) -> dict[str, str]:
    """Title -> state, from the status lines before the first blank line."""
    found = {}
    for line in result.output.splitlines()[1:]:
        if not line.strip():
            break
        state, title = line.split("  ", 1) if "  " in line else (line, "")
        found[title.strip()] = state.strip()
    return found


def test_freshly_synced_space_is_in_sync_and_exits_0(project: Project) -> None:
    result = project.diff()
    assert result.exit_code == 0, result.output
    target = f"Target: {project.wiki.base_url} (space DEV, site repo, REST {project.wiki.api};"
    assert result.output.startswith(target)
    assert set(states(result).values()) == {"in sync"}
    assert "Steady" in states(result)
    assert "---" not in result.output


def test_a_wiki_save_that_only_normalises_is_in_sync(project: Project) -> None:
    page_id = project.page_ids()["Steady"]
    stored = project.body(page_id)
    assert "ac:macro-id" in stored or "data-table-width" in stored, "the wiki normalised it"
    # what a browser save does to unchanged content: <b> for <strong>, blocks reflowed
    resaved = re.sub(
        r"(</(?:p|tr|td|th|tbody|table|ac:task|ac:task-list|ac:structured-macro)>)",
        "\\1\n  ",
        stored.replace("<strong>", "<b>").replace("</strong>", "</b>"),
    )
    assert resaved != stored
    project.wiki.edit_page(page_id, resaved, by="jane.doe")
    result = project.diff()
    assert result.exit_code == 0, result.output
    assert states(result)["Steady"] == "in sync"


def test_all_six_states_and_the_edited_text(project: Project) -> None:
    ids = project.page_ids()
    project.write("repo.md", PAGES["repo.md"].replace("writes this", "now rewrites this"))
    project.wiki.edit_page(
        ids["Wiki side"], "<p>People edit this one in the browser. Jane added a sentence.</p>"
    )
    project.write("both.md", PAGES["both.md"].replace("Both will", "The repo did"))
    project.wiki.edit_page(ids["Both sides"], "<p>Both will change, said the wiki.</p>")
    project.write("new.md", "---\ntitle: New page\n---\nNot published yet.\n")
    (project.root / "content" / "old.md").unlink()

    result = project.diff("--color", "never")
    assert result.exit_code == 1, result.output
    assert states(result) == {
        "Postmortem guide": "in sync",
        "Steady": "in sync",
        "Repo side": "repo changed",
        "Wiki side": "wiki edited",
        "Both sides": "both changed",
        "New page": "missing in wiki",
        "Old page": "orphan in wiki",
    }
    out = result.output
    assert "+++ repo: content/wiki.md" in out
    assert "-<p>People edit this one in the browser. Jane added a sentence.</p>" in out
    assert "+<p>People edit this one in the browser.</p>" in out
    assert "--- wiki: Wiki side (v2, edited by " in out
    assert "-<p>The repo writes this paragraph.</p>" in out
    assert "+<p>The repo now rewrites this paragraph.</p>" in out
    assert "-<p>Both will change, said the wiki.</p>" in out
    assert "--- wiki: (no page)" in out and "+++ repo: content/new.md" in out
    assert "+++ repo: (no source, was content/old.md)" in out
    assert out.rstrip().endswith(
        "7 pages: 2 in sync, 1 repo changed, 1 wiki edited, 1 both changed, "
        "1 missing in wiki, 1 orphan in wiki"
    )
    assert "\x1b[" not in out


def test_json_document(project: Project) -> None:
    ids = project.page_ids()
    project.wiki.edit_page(ids["Wiki side"], "<p>Rewritten by Jane.</p>", by="jane.doe")
    result = project.diff("--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert "Target:" in result.stderr
    assert doc["target"] == {
        "url": project.wiki.base_url,
        "space": "DEV",
        "local": False,
        "site": "repo",
        "api": project.wiki.api,
    }
    assert doc["ok"] is False
    assert doc["summary"]["wiki edited"] == 1 and doc["summary"]["in sync"] == 5
    edited = next(p for p in doc["pages"] if p["title"] == "Wiki side")
    assert edited["source"] == "content/wiki.md"
    assert edited["state"] == "wiki edited"
    assert edited["wiki_version"] == 2
    assert edited["wiki_editor"] and edited["wiki_edited"].startswith("20")
    assert "Rewritten by Jane." in edited["diff"]
    clean = next(p for p in doc["pages"] if p["title"] == "Steady")
    assert clean["diff"] == "" and clean["state"] == "in sync"


def test_path_filter_stat_and_colour(project: Project) -> None:
    ids = project.page_ids()
    project.wiki.edit_page(ids["Wiki side"], "<p>Short.</p>")
    project.wiki.edit_page(ids["Both sides"], "<p>Also edited.</p>")
    result = project.diff(str(project.root / "content" / "wiki.md"), "--stat", "--color", "always")
    assert result.exit_code == 1
    plain = click.unstyle(result.output)
    assert "Wiki side" in plain and "Both sides" not in plain and "Steady" not in plain
    assert "Wiki side | +1 -1" in plain
    assert "\x1b[" in result.output and "@@" not in plain


def test_bad_input_exits_2(project: Project) -> None:
    project.write("broken.md", "---\ntitle: [unclosed\n---\ntext\n")
    result = project.diff()
    assert result.exit_code == 2
    assert "broken.md" in result.output


def test_path_outside_the_project_exits_2_naming_it(project: Project, tmp_path: Path) -> None:
    project.wiki.clear_log()
    outside = tmp_path / "elsewhere"
    result = project.diff(str(outside))
    assert result.exit_code == 2
    assert f"{outside}: error: not inside the project at {project.root}" in result.output
    assert project.wiki.requests == []


def test_rejected_credentials_exit_3(project: Project) -> None:
    result = project.diff(env={"CONFLUENCE_TOKEN": "wrong"})
    assert result.exit_code == 3
    assert "authentication failed" in result.output
