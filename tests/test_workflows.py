"""The CI workflows and the pre-commit hook: they load, trigger on the right events, and run the
commands that keep the space in sync."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from confluence_sync.cli import cli

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """YAML 1.1 reads the bare key ``on`` as the boolean True; accept either spelling."""
    found = workflow.get("on", workflow.get(True))
    assert isinstance(found, dict), "workflow has no 'on:' mapping"
    return found


def run_lines(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


def uses(job: dict[str, Any]) -> list[str]:
    return [step["uses"] for step in job["steps"] if "uses" in step]


@pytest.fixture(scope="module")
def sync_workflow() -> dict[Any, Any]:
    return load(WORKFLOWS / "confluence-sync.yml")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def tests_workflow() -> dict[Any, Any]:
    return load(WORKFLOWS / "tests.yml")  # type: ignore[no-any-return]


def test_sync_workflow_triggers(sync_workflow: dict[Any, Any]) -> None:
    on = triggers(sync_workflow)
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]
    crons = [entry["cron"] for entry in on["schedule"]]
    assert len(crons) == 1 and len(crons[0].split()) == 5
    assert crons[0].split()[2:] == ["*", "*", "*"], "the drift check runs daily"
    assert sync_workflow["permissions"] == {"contents": "read"}


def test_pull_request_job_checks_plans_and_summarises(sync_workflow: dict[Any, Any]) -> None:
    job = sync_workflow["jobs"]["plan"]
    assert "pull_request" in job["if"]
    script = run_lines(job)
    assert "pip install ." in script
    assert "confluence-sync check" in script
    assert "confluence-sync sync --dry-run --json > plan.json" in script
    assert "--local" in script, "fork pull requests without secrets plan against the local wiki"
    assert "confluence-sync github summary plan.json" in script
    summary = next(s for s in job["steps"] if "github summary" in str(s.get("run", "")))
    assert "cancelled()" in summary["if"], "the summary step runs even when planning failed"
    assert {"actions/checkout@v4", "actions/setup-python@v5"} <= set(uses(job))


def test_push_job_syncs_with_secrets_one_at_a_time(sync_workflow: dict[Any, Any]) -> None:
    job = sync_workflow["jobs"]["sync"]
    assert "push" in job["if"] and "refs/heads/main" in job["if"]
    for name in ("CONFLUENCE_URL", "CONFLUENCE_USER", "CONFLUENCE_TOKEN"):
        assert job["env"][name] == "${{ secrets." + name + " }}"
    assert "confluence-sync sync" in run_lines(job)
    assert "--dry-run" not in run_lines(job)
    concurrency = job["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    assert "${{ github.ref }}" not in concurrency["group"], "one group for the space, not per ref"
    assert "concurrency" not in sync_workflow, "pull requests must not queue behind publishing"


def test_schedule_job_fails_on_drift(sync_workflow: dict[Any, Any]) -> None:
    job = sync_workflow["jobs"]["drift"]
    assert "schedule" in job["if"]
    assert job["env"]["CONFLUENCE_TOKEN"] == "${{ secrets.CONFLUENCE_TOKEN }}"
    step = next(s for s in job["steps"] if "confluence-sync diff" in str(s.get("run", "")))
    assert "continue-on-error" not in step and "|| true" not in step["run"]


def test_each_job_runs_on_one_event(sync_workflow: dict[Any, Any]) -> None:
    conditions = {name: job["if"] for name, job in sync_workflow["jobs"].items()}
    assert set(conditions) == {"plan", "sync", "drift"}
    assert "push" not in conditions["plan"] and "pull_request" not in conditions["sync"]


def test_tests_workflow(tests_workflow: dict[Any, Any]) -> None:
    on = triggers(tests_workflow)
    assert "pull_request" in on and "push" in on
    (job,) = tests_workflow["jobs"].values()
    assert "bash .ci/run" in run_lines(job)
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -q -e '.[test]'" in ci_run and "pytest" in ci_run
    versions = job["strategy"]["matrix"]["python-version"]
    assert "3.10" in versions, "the oldest supported Python is tested"


def test_workflow_commands_exist_in_the_cli(sync_workflow: dict[Any, Any]) -> None:
    """A renamed command would break CI silently until the next merge; catch it here."""
    script = "\n".join(run_lines(job) for job in sync_workflow["jobs"].values())
    for command in ("check", "sync", "diff", "github"):
        assert f"confluence-sync {command}" in script
        assert command in cli.commands, command


def test_pre_commit_hook() -> None:
    hooks = load(ROOT / ".pre-commit-hooks.yaml")
    (hook,) = hooks
    assert hook["id"] == "confluence-sync-check"
    assert hook["entry"] == "confluence-sync check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    import re

    pattern = re.compile(hook["files"])
    assert pattern.search("content/guides/timeline.md")
    assert pattern.search("content/template/postmortem.yaml")
    assert pattern.search("pyproject.toml")
    assert not pattern.search("confluence_sync/cli/__init__.py")
