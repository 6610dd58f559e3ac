"""``--json`` on every command that reports something: stdout is exactly one JSON document
(messages go to stderr), on success and on failure, so a CI step can read the result."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from confluence_sync.cli import cli

REPO = Path(__file__).resolve().parents[1]
TITLE = "2026-11-27 Disk full"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This repository's guide and template, publishing to the embedded wiki."""
    root = tmp_path / "repo"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    monkeypatch.chdir(root)
    for name in ("CONFLUENCE_URL", "CONFLUENCE_API", "CI", "GITHUB_ACTIONS", "CONFLUENCE_SPACE"):
        monkeypatch.delenv(name, raising=False)
    return root


def run(*args: str) -> tuple[Result, dict[str, Any]]:
    result = CliRunner().invoke(cli, list(args))
    return result, json.loads(result.stdout)  # the whole of stdout is one document


def test_check_json_lists_problems_with_path_line_level_and_message(repo: Path) -> None:
    result, document = run("check", "--json")
    assert result.exit_code == 0 and document["ok"] is True and document["pages"] > 5
    assert document["config"] == "pyproject.toml"
    (repo / "content" / "broken.md").write_text("# Broken\n\n[gone](missing.md)\n")
    result, document = run("check", "--json")
    assert result.exit_code == 2 and document["ok"] is False
    problem = next(p for p in document["problems"] if p["path"] == "content/broken.md")
    assert (
        problem["line"] == 3 and problem["level"] == "error" and "missing.md" in problem["message"]
    )
    (repo / "pyproject.toml").write_text("[tool.confluence-sync]\ncontnet_dir = 'content'\n")
    result, document = run("check", "--json")
    assert result.exit_code == 2
    assert "did you mean 'content_dir'" in document["problems"][0]["message"]


def test_render_json_lists_the_files_written(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "storage"
    result, document = run("render", "--out", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    assert document["ok"] is True and len(document["files"]) == len(document["pages"]) + 1
    assert all(Path(name).is_file() for name in document["files"])


def test_incident_new_validate_and_pull_json(repo: Path) -> None:
    args = ("incident", "new", "--title", "Disk full", "--date", "2026-11-27", "--owner", "Kai")
    result, document = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    assert document["action"] == "created" and document["title"] == TITLE
    assert document["url"].startswith("http://127.0.0.1:8090/wiki/spaces/DEV/pages/")
    assert "postmortem" in document["labels"]
    result, document = run(*args, "--json")  # the title exists now: the error is the document
    assert result.exit_code == 2 and document["ok"] is False
    assert "already exists" in document["problems"][0]["message"]
    result, document = run("incident", "pull", TITLE, "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert document["outcome"] == "would create" and document["file"].endswith(".yaml")
    example = "content/incidents/example.yaml"
    result, document = run("incident", "validate", example, "--json")
    assert result.exit_code == 0 and document == {"ok": True, "valid": [example], "problems": []}
    (repo / "bad.yaml").write_text("title: x\n")
    result, document = run("incident", "validate", "bad.yaml", "--json")
    assert result.exit_code == 2 and document["ok"] is False and document["problems"]
