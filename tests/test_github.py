"""GitHub Actions output: annotation escaping and the step-summary table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from confluence_sync.cli import cli
from confluence_sync.errors import InputError, Problem
from confluence_sync.github_report import (
    annotation,
    emit_annotations,
    emit_report_annotations,
    escape_data,
    escape_property,
    in_github_actions,
    plan_summary_markdown,
    write_step_summary,
)

PLAN = {
    "target": {"url": "https://example.atlassian.net/wiki", "space": "DEV", "local": False},
    "dry_run": True,
    "actions": [
        {
            "action": "skip",
            "title": "Postmortem guide",
            "source": "content/index.md",
            "reason": "unchanged",
            "page_id": "101",
            "url": "https://example.atlassian.net/wiki/x/101",
        },
        {
            "action": "update",
            "title": "Blameless culture",
            "source": "content/blameless-culture.md",
            "reason": "changed in the repo",
            "page_id": "102",
            "url": "",
        },
        {
            "action": "create",
            "title": "Severity | levels",
            "source": "content/severity.md",
            "reason": "new page",
        },
        {
            "action": "conflict",
            "title": "Timeline",
            "source": "content/timeline.md",
            "reason": "left alone (use --force)",
            "page_id": "104",
            "editor": "Jane Doe",
            "edited": "2026-11-27T10:00:00Z",
        },
    ],
    "summary": {
        "create": 1,
        "update": 1,
        "skip": 1,
        "move": 0,
        "conflict": 1,
        "orphan": 0,
        "delete": 0,
        "failed": 0,
    },
    "errors": [],
    "ok": False,
}

EXPECTED_TABLE = """\
| Action | Page | Source | Reason |
| --- | --- | --- | --- |
| ➕ create | Severity \\| levels | content/severity.md | new page |
| ✏️ update | Blameless culture | content/blameless-culture.md | changed in the repo |
| ⚠️ conflict | Timeline | content/timeline.md | left alone (use --force) by Jane Doe at 2026-11-27T10:00:00Z |
| ✔️ skip | [Postmortem guide](https://example.atlassian.net/wiki/x/101) | content/index.md | unchanged |
"""


def test_in_github_actions_reads_the_runner_variable() -> None:
    assert in_github_actions({"GITHUB_ACTIONS": "true"})
    assert in_github_actions({"GITHUB_ACTIONS": "TRUE"})
    assert not in_github_actions({"GITHUB_ACTIONS": "false"})
    assert not in_github_actions({})


def test_annotation_with_file_and_line() -> None:
    problem = Problem("content/index.md", "broken link to missing.md", 12)
    assert annotation(problem) == "::error file=content/index.md,line=12::broken link to missing.md"


def test_annotation_without_line_and_as_warning() -> None:
    line = annotation(Problem("content/template/postmortem.yaml", "bad"), "warning")
    assert line == "::warning file=content/template/postmortem.yaml::bad"


def test_annotation_escapes_message_and_properties() -> None:
    problem = Problem("docs/a,b:c.md", "100% wrong\r\nsecond line: here, too", 3)
    line = annotation(problem, title="x: y")
    assert line == (
        "::error file=docs/a%2Cb%3Ac.md,line=3,title=x%3A y"
        "::100%25 wrong%0D%0Asecond line: here, too"
    )
    assert "\n" not in line and "\r" not in line


def test_escape_order_does_not_double_encode() -> None:
    assert escape_data("%0A") == "%250A"
    assert escape_property("50%,:") == "50%25%2C%3A"


def test_annotation_rejects_unknown_level() -> None:
    with pytest.raises(ValueError):
        annotation(Problem("a.md", "m"), "fatal")


def test_emit_annotations_prints_one_line_per_problem() -> None:
    out: list[str] = []
    count = emit_annotations([Problem("a.md", "one", 1), Problem("b.md", "two")], out.append)
    assert count == 2
    assert out == ["::error file=a.md,line=1::one", "::error file=b.md::two"]


def test_report_annotations_cover_conflicts_and_errors() -> None:
    report = dict(
        PLAN, errors=[{"title": "Timeline", "source": "content/t.md", "message": "HTTP 500"}]
    )
    out: list[str] = []
    assert emit_report_annotations(report, out.append) == 2
    assert out[0] == (
        "::warning file=content/timeline.md::Timeline: left alone (use --force) by Jane Doe at "
        "2026-11-27T10:00:00Z"
    )
    assert out[1] == "::error file=content/t.md::Timeline: HTTP 500"


def test_plan_summary_renders_the_expected_table() -> None:
    markdown = plan_summary_markdown(PLAN)
    head, rest = markdown.split("\n\n", 1)
    assert head == (
        "### confluence-sync: Plan (dry run) for space DEV at "
        "https://example.atlassian.net/wiki: ❌ needs attention"
    )
    assert rest.startswith(EXPECTED_TABLE)
    assert rest.rstrip().endswith(
        "**Summary:** 1 create, 1 update, 0 move, 1 conflict, 0 orphan, 0 delete, 1 skip, 0 failed"
    )


def test_plan_summary_for_a_clean_local_sync_with_errors() -> None:
    report = {
        "target": {"url": "http://127.0.0.1:1/wiki", "space": "DEV", "local": True},
        "dry_run": False,
        "actions": [],
        "summary": {},
        "ok": True,
        "errors": [{"title": "Guide", "source": "content/index.md", "message": "a\nb"}],
    }
    markdown = plan_summary_markdown(report)
    assert "Sync for space DEV at the local wiki: ✅ ok" in markdown
    assert "_No managed pages._" in markdown
    assert "- Guide (`content/index.md`): a b" in markdown


def test_plan_summary_rejects_other_documents() -> None:
    with pytest.raises(InputError):
        plan_summary_markdown({"pages": []})


def test_write_step_summary_appends(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    target.write_text("earlier step\n", encoding="utf-8")
    assert write_step_summary("mine\n", {"GITHUB_STEP_SUMMARY": str(target)}) == target
    assert target.read_text(encoding="utf-8") == "earlier step\nmine\n"
    assert write_step_summary("x", {}) is None


def test_cli_github_summary_appends_to_step_summary(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    summary = tmp_path / "summary.md"
    result = CliRunner().invoke(
        cli, ["github", "summary", str(plan)], env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert result.exit_code == 0, result.output
    assert EXPECTED_TABLE in summary.read_text(encoding="utf-8")


def test_cli_github_summary_prints_without_runner(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["github", "summary", str(plan)], env={"GITHUB_STEP_SUMMARY": ""}
    )
    assert result.exit_code == 0, result.output
    assert EXPECTED_TABLE in result.output


def test_cli_github_summary_bad_json_is_input_error(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["github", "summary", str(plan)])
    assert result.exit_code == 2
    assert "plan.json" in result.output


def test_cli_github_summary_names_a_missing_or_foreign_file(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["github", "summary", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert "nope.json: error: cannot read a JSON report" in missing.output
    diff_doc = tmp_path / "diff.json"
    diff_doc.write_text(json.dumps({"pages": [], "ok": True}), encoding="utf-8")
    summary = tmp_path / "summary.md"
    foreign = CliRunner().invoke(
        cli, ["github", "summary", str(diff_doc)], env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert foreign.exit_code == 2
    assert f"{diff_doc}: error: not a confluence-sync report" in foreign.output
    assert not summary.exists()


def _broken_project(root: Path) -> Path:
    (root / "pyproject.toml").write_text("[tool.confluence-sync]\n", encoding="utf-8")
    (root / "content").mkdir()
    (root / "content" / "index.md").write_text(
        "---\ntitle: Home\n---\nSee [the list](missing.md).\n", encoding="utf-8"
    )
    return root / "pyproject.toml"


def test_check_prints_annotations_on_github(tmp_path: Path) -> None:
    config = _broken_project(tmp_path)
    result = CliRunner().invoke(
        cli, ["check", "--config", str(config)], env={"GITHUB_ACTIONS": "true"}
    )
    assert result.exit_code == 2
    assert "::error file=content/index.md,line=4::" in result.stdout
    assert "missing.md" in result.stdout


def test_check_annotations_can_be_switched(tmp_path: Path) -> None:
    config = _broken_project(tmp_path)
    off = CliRunner().invoke(
        cli, ["check", "--no-github", "--config", str(config)], env={"GITHUB_ACTIONS": "true"}
    )
    on = CliRunner().invoke(
        cli, ["check", "--github", "--config", str(config)], env={"GITHUB_ACTIONS": ""}
    )
    assert off.exit_code == on.exit_code == 2
    assert "::error" not in off.output
    assert "::error file=content/index.md,line=4::" in on.stdout
