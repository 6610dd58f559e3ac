"""``sync --github``: conflicts and input errors become annotations, and ``--json`` output stays
a clean document on stdout."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from confluence_sync.cli import cli
from confluence_sync.localwiki import LocalWiki
from confluence_sync.publish.atlassian import AtlassianGateway


def write_project(root: Path) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.confluence-sync]\n", encoding="utf-8")
    (root / "content" / "index.md").write_text("---\ntitle: Guide\n---\nHello.\n", encoding="utf-8")
    (root / "content" / "timeline.md").write_text(
        "---\ntitle: Timeline\n---\nFirst version.\n", encoding="utf-8"
    )
    return root / "pyproject.toml"


def test_sync_conflict_is_annotated_and_json_stays_clean(
    tmp_path: Path, local_wiki: LocalWiki
) -> None:
    config = write_project(tmp_path / "repo")
    env = {
        "CONFLUENCE_URL": local_wiki.base_url,
        "CONFLUENCE_USER": "admin",
        "CONFLUENCE_TOKEN": "admin",
        "CI": "",
        "GITHUB_ACTIONS": "true",
    }
    first = CliRunner().invoke(cli, ["sync", "--config", str(config)], env=env)
    assert first.exit_code == 0, first.output
    assert "::" not in first.output
    gateway = AtlassianGateway(local_wiki.base_url, user="admin", token="admin")
    ids = {p.title: p.id for p in gateway.managed_pages("DEV", "confluence-sync")}
    gateway.close()
    local_wiki.edit_page(ids["Timeline"], "<p>Jane's version.</p>", by="jane.doe")
    (config.parent / "content" / "timeline.md").write_text(
        "---\ntitle: Timeline\n---\nSecond version.\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["sync", "--json", "--config", str(config)], env=env)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["summary"]["conflict"] == 1
    warnings = [line for line in result.stderr.splitlines() if line.startswith("::warning")]
    assert len(warnings) == 1
    assert warnings[0].startswith("::warning file=content/timeline.md::Timeline: ")
    assert "jane" in warnings[0].lower()


def test_sync_input_errors_are_annotated(tmp_path: Path) -> None:
    config = write_project(tmp_path / "repo")
    (config.parent / "content" / "index.md").write_text(
        "---\ntitle: Guide\n---\nSee [gone](gone.md).\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        cli,
        ["sync", "--github", "--config", str(config)],
        env={"CONFLUENCE_URL": "", "CI": ""},
    )
    assert result.exit_code == 2
    assert "::error file=content/index.md,line=4::" in result.stdout


def test_step_summary_renders_a_real_plan(tmp_path: Path, local_wiki: LocalWiki) -> None:
    """The renderer reads what ``sync --dry-run --json`` really prints, not a hand-made copy."""
    config = write_project(tmp_path / "repo")
    env = {
        "CONFLUENCE_URL": local_wiki.base_url,
        "CONFLUENCE_USER": "admin",
        "CONFLUENCE_TOKEN": "admin",
        "CI": "",
        "GITHUB_ACTIONS": "",
    }
    planned = CliRunner().invoke(
        cli, ["sync", "--dry-run", "--json", "--config", str(config)], env=env
    )
    assert planned.exit_code == 0, planned.output
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(planned.stdout, encoding="utf-8")
    summary = tmp_path / "summary.md"
    result = CliRunner().invoke(
        cli, ["github", "summary", str(plan_file)], env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert result.exit_code == 0, result.output
    lines = summary.read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        f"### confluence-sync: Plan (dry run) for space DEV at {local_wiki.base_url}: ✅ ok"
    )
    assert lines[2:6] == [
        "| Action | Page | Source | Reason |",
        "| --- | --- | --- | --- |",
        "| ➕ create | Guide | content/index.md | new page |",
        "| ➕ create | Timeline | content/timeline.md | new page |",
    ]
    assert lines[-1] == (
        "**Summary:** 2 create, 0 adopt, 0 update, 0 repair, 0 move, 0 conflict, 0 blocked, "
        "0 orphan, 0 delete, 0 skip, 0 failed"
    )
