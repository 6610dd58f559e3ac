"""The GitHub Action, the CI workflows and the pre-commit hook: they load, trigger on the right
events, run the commands that keep the space in sync, and the Action's step does what its
inputs say when run as Actions would run it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from gateway_helpers import CLIENT_SECRET, oauth_env, service_wiki

from confluence_sync.cli import cli

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
ACTION_COMMANDS = ("check", "plan", "sync", "diff", "pull", "doctor")
SECRETS = {"url": "CONFLUENCE_URL", "user": "CONFLUENCE_USER", "token": "CONFLUENCE_TOKEN"}
SERVICE_INPUTS = {
    "client-id": "CONFLUENCE_CLIENT_ID",
    "client-secret": "CONFLUENCE_CLIENT_SECRET",
    "cloud-id": "CONFLUENCE_CLOUD_ID",
}


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    """YAML 1.1 reads the bare key ``on`` as the boolean True; accept either spelling."""
    found = workflow.get("on", workflow.get(True))
    assert isinstance(found, dict), "workflow has no 'on:' mapping"
    return found


def action_steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps of a job that run this repository's own Action."""
    return [step for step in job["steps"] if step.get("uses") == "./"]


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    return load(ROOT / "action.yml")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def sync_workflow() -> dict[Any, Any]:
    return load(WORKFLOWS / "confluence-sync.yml")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def tests_workflow() -> dict[Any, Any]:
    return load(WORKFLOWS / "tests.yml")  # type: ignore[no-any-return]


# the Action's metadata ------------------------------------------------------------------------
def test_action_is_composite_and_installs_the_tool_from_its_own_path(
    action: dict[str, Any],
) -> None:
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install = steps[1]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert 'pip install --quiet "$ACTION_PATH"' in install["run"]
    assert steps[-1]["run"] == 'bash "$GITHUB_ACTION_PATH/action/run.sh"'
    assert (ROOT / "action" / "run.sh").is_file()


@pytest.mark.parametrize(
    "name",
    [
        "command",
        "space",
        "url",
        "user",
        "token",
        "client-id",
        "client-secret",
        "allow-local",
        "args",
    ],
)
def test_action_takes_the_command_space_and_secrets_as_inputs(
    action: dict[str, Any], name: str
) -> None:
    assert name in action["inputs"] and "description" in action["inputs"][name]


def test_action_inputs_reach_the_script_only_through_the_environment(
    action: dict[str, Any],
) -> None:
    """``${{ inputs.x }}`` pasted into ``run:`` would let an input inject shell code."""
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
    env = action["runs"]["steps"][-1]["env"]
    for name, variable in {**SECRETS, **SERVICE_INPUTS}.items():
        assert env[variable] == "${{ inputs." + name + " }}"
    assert env["CONFLUENCE_SPACE"] == "${{ inputs.space }}"


@pytest.mark.parametrize("command", ACTION_COMMANDS)
def test_every_action_command_is_a_cli_command(action: dict[str, Any], command: str) -> None:
    assert command in action["inputs"]["command"]["description"]
    assert command in cli.commands


# the Action's step, run as Actions runs it ----------------------------------------------------
def run_action(
    tmp_path: Path, secrets: dict[str, str] | None = None, **inputs: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """action/run.sh in a copy of this repository's guide, with the runner's variables set;
    ``secrets`` are the ``CONFLUENCE_*`` variables action.yml makes of the secret inputs."""
    work = tmp_path / "repo"
    if not work.exists():
        shutil.copytree(ROOT / "content", work / "content")
        shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFLUENCE_")}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        CI="true",
        GITHUB_ACTIONS="true",
        RUNNER_TEMP=str(tmp_path),
        GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
        GITHUB_OUTPUT=str(tmp_path / "output"),
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
        **(secrets or {}),
    )
    done = subprocess.run(
        ["bash", str(ROOT / "action" / "run.sh")],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done, tmp_path


def outputs(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "output").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_action_check_validates_offline(tmp_path: Path) -> None:
    done, _ = run_action(tmp_path, command="check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs(tmp_path) == {"exit-code": "0"}


def test_action_check_fails_with_annotations_on_bad_content(tmp_path: Path) -> None:
    run_action(tmp_path, command="check")
    (tmp_path / "repo" / "content" / "broken.md").write_text("# Broken\n\n[x](missing.md)\n")
    done, _ = run_action(tmp_path, command="check")
    assert done.returncode == 2
    assert "::error file=content/broken.md" in done.stdout + done.stderr
    assert outputs(tmp_path)["exit-code"] == "2"


def test_action_plan_writes_the_plan_into_the_step_summary(tmp_path: Path) -> None:
    done, _ = run_action(tmp_path, command="plan", allow_local="true")
    assert done.returncode == 0, done.stdout + done.stderr
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "| Action | Page | Source | Reason |" in summary
    assert "| ➕ create | Postmortem Guide | content/index.md | new page |" in summary
    report = Path(outputs(tmp_path)["report"])
    assert report.is_file() and '"dry_run": true' in report.read_text(encoding="utf-8")


def test_action_refuses_the_local_wiki_unless_allowed(tmp_path: Path) -> None:
    done, _ = run_action(tmp_path, command="sync")
    assert done.returncode == 2 and "CONFLUENCE_URL" in done.stdout + done.stderr
    assert not (tmp_path / "summary.md").exists()


def test_action_diff_exits_1_when_the_wiki_differs(tmp_path: Path) -> None:
    done, _ = run_action(tmp_path, command="diff", allow_local="true")
    assert done.returncode == 1
    assert "missing in wiki" in done.stdout


def test_action_doctor_with_client_credentials_names_a_missing_scope(tmp_path: Path) -> None:
    wiki = service_wiki(tmp_path / "wiki", lacking=frozenset({"write:attachment:confluence"}))
    try:
        secrets = {k: v for k, v in oauth_env(wiki).items() if v and k != "CI"}
        done, _ = run_action(tmp_path, secrets, command="doctor")
    finally:
        wiki.stop()
    assert done.returncode == 3, done.stdout + done.stderr
    assert "write:attachment:confluence" in done.stdout
    assert CLIENT_SECRET not in done.stdout + done.stderr
    assert outputs(tmp_path)["exit-code"] == "3"


def test_action_rejects_an_unknown_command(tmp_path: Path) -> None:
    done, _ = run_action(tmp_path, command="publish")
    assert done.returncode == 2
    assert "::error::unknown command 'publish'" in done.stdout


# this repository's workflows ------------------------------------------------------------------
def test_sync_workflow_triggers(sync_workflow: dict[Any, Any]) -> None:
    on = triggers(sync_workflow)
    assert "pull_request" in on
    assert on["push"]["branches"] == ["main"]
    crons = [entry["cron"] for entry in on["schedule"]]
    assert len(crons) == 1 and len(crons[0].split()) == 5
    assert crons[0].split()[2:] == ["*", "*", "*"], "the drift check runs daily"
    assert sync_workflow["permissions"] == {"contents": "read"}


@pytest.mark.parametrize(
    ("job", "event", "commands"),
    [
        ("plan", "pull_request", ["check", "plan"]),
        ("sync", "push", ["sync"]),
        ("drift", "schedule", ["diff"]),
    ],
)
def test_each_job_runs_the_action_with_its_commands(
    sync_workflow: dict[Any, Any], job: str, event: str, commands: list[str]
) -> None:
    spec = sync_workflow["jobs"][job]
    assert event in spec["if"]
    assert spec["steps"][0]["uses"] == "actions/checkout@v4"
    assert [step["with"]["command"] for step in action_steps(spec)] == commands


@pytest.mark.parametrize("job", ["plan", "sync", "drift"])
def test_steps_that_reach_the_wiki_get_the_secrets_as_inputs(
    sync_workflow: dict[Any, Any], job: str
) -> None:
    for step in action_steps(sync_workflow["jobs"][job]):
        if step["with"]["command"] == "check":
            assert "token" not in step["with"], "check is offline and needs no secret"
            continue
        for name, secret in SECRETS.items():
            assert step["with"][name] == "${{ secrets." + secret + " }}"


def test_only_pull_request_plans_may_fall_back_to_the_local_wiki(
    sync_workflow: dict[Any, Any],
) -> None:
    allowed = {
        (job, step["with"]["command"])
        for job, spec in sync_workflow["jobs"].items()
        for step in action_steps(spec)
        if step["with"].get("allow-local") == "true"
    }
    assert allowed == {("plan", "plan")}


def test_publishing_is_serialised_per_space(sync_workflow: dict[Any, Any]) -> None:
    concurrency = sync_workflow["jobs"]["sync"]["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    assert "${{ github.ref }}" not in concurrency["group"], "one group for the space, not per ref"
    assert "concurrency" not in sync_workflow, "pull requests must not queue behind publishing"


def test_tests_workflow_runs_ci_and_smoke_tests_the_action(tests_workflow: dict[Any, Any]) -> None:
    on = triggers(tests_workflow)
    assert "pull_request" in on and "push" in on
    pytest_job = tests_workflow["jobs"]["pytest"]
    assert [s["run"] for s in pytest_job["steps"] if "run" in s] == ["bash .ci/run"]
    assert "3.10" in pytest_job["strategy"]["matrix"]["python-version"], "oldest Python tested"
    commands = [s["with"]["command"] for s in action_steps(tests_workflow["jobs"]["action"])]
    assert commands == ["check", "plan"]


def test_ci_runs_lint_types_then_the_readme_test_command() -> None:
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = next(line for line in readme.splitlines() if "pytest" in line)
    order = ["ruff check", "ruff format --check", "mypy confluence_sync", test_command]
    positions = [ci_run.index(step) for step in order]
    assert positions == sorted(positions)


# pre-commit -----------------------------------------------------------------------------------
def test_pre_commit_hook_for_other_repositories() -> None:
    (hook,) = load(ROOT / ".pre-commit-hooks.yaml")
    assert hook["id"] == "confluence-sync-check"
    assert hook["entry"] == "confluence-sync check"
    assert hook["language"] == "python" and hook["pass_filenames"] is False


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("content/guides/timeline.md", True),
        ("content/template/postmortem.yaml", True),
        ("pyproject.toml", True),
        ("content/img/flow.svg", True),
        ("confluence_sync/cli/__init__.py", False),
    ],
)
def test_pre_commit_hook_runs_for_content_files(path: str, matched: bool) -> None:
    (hook,) = load(ROOT / ".pre-commit-hooks.yaml")
    assert bool(re.search(hook["files"], path)) is matched


def test_this_repositorys_pre_commit_config_runs_the_ci_checks() -> None:
    config = load(ROOT / ".pre-commit-config.yaml")
    hook_ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "mypy"} <= hook_ids
    (mypy,) = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "mypy"]
    assert mypy["entry"] == "mypy confluence_sync"


def test_pulling_wiki_edits_into_a_pull_request_is_opt_in(sync_workflow: dict[Any, Any]) -> None:
    job = sync_workflow["jobs"]["pull"]
    assert "vars.CONFLUENCE_SYNC_PULL == 'true'" in job["if"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    pull = next(s for s in job["steps"] if s.get("uses") == "./")
    assert pull["with"]["command"] == "pull" and pull["continue-on-error"] is True
    assert any(
        s.get("uses", "").startswith("peter-evans/create-pull-request@") for s in job["steps"]
    )


def test_action_pull_with_nothing_edited_says_so(tmp_path: Path) -> None:
    done, _ = run_action(tmp_path, command="pull", allow_local="true")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "nothing to pull" in done.stdout


@pytest.mark.parametrize("job", ["plan", "sync", "drift"])
def test_each_job_restores_the_conversion_cache_before_the_action(
    sync_workflow: dict[Any, Any], job: str
) -> None:
    steps = sync_workflow["jobs"][job]["steps"]
    uses = [step.get("uses", "") for step in steps]
    cache = next(i for i, name in enumerate(uses) if name.startswith("actions/cache@"))
    assert steps[cache]["with"]["path"] == ".confluence-sync/cache"
    assert cache < uses.index("./")


def _pull_steps(sync_workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return list(sync_workflow["jobs"]["pull"]["steps"])


def test_the_pull_job_keeps_no_token_in_the_checkout_and_commits_only_content(
    sync_workflow: dict[Any, Any],
) -> None:
    """What pull writes comes from any wiki editor: no credentials in .git/config while it
    runs, and the pull request holds only files under content/."""
    steps = _pull_steps(sync_workflow)
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["persist-credentials"] is False
    pr = next(s for s in steps if s.get("uses", "").startswith("peter-evans/create-pull-request@"))
    assert pr["with"]["add-paths"] == "content/**"
    names = [s.get("id") or s.get("uses") or s.get("name") for s in steps]
    gate = next(i for i, s in enumerate(steps) if "PULL_EXIT" in s.get("env", {}))
    assert names.index("pull") < gate < steps.index(pr)


def _run_gate(sync_workflow: dict[Any, Any], repo: Path, exit_code: str) -> int:
    gate = next(s for s in _pull_steps(sync_workflow) if "PULL_EXIT" in s.get("env", {}))
    env = {**os.environ, "PULL_EXIT": exit_code}
    done = subprocess.run(["bash", "-e", "-c", gate["run"]], cwd=repo, env=env, check=False)
    return done.returncode


@pytest.fixture
def pulled_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "content").mkdir(parents=True)
    (repo / "content" / "page.md").write_text("# Page\n")
    (repo / "pyproject.toml").write_text("[tool.confluence-sync]\n")
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True)
    return repo


@pytest.mark.parametrize(
    ("exit_code", "opens_pr"),
    [("0", True), ("1", True), ("2", False), ("3", False), ("4", False), ("", False)],
)
def test_the_pull_request_is_opened_only_when_pull_refused_nothing(
    sync_workflow: dict[Any, Any], pulled_repo: Path, exit_code: str, opens_pr: bool
) -> None:
    (pulled_repo / "content" / "page.md").write_text("# Page\n\nEdited in the wiki.\n")
    assert (_run_gate(sync_workflow, pulled_repo, exit_code) == 0) is opens_pr


def test_a_file_changed_outside_content_stops_the_pull_request(
    sync_workflow: dict[Any, Any], pulled_repo: Path
) -> None:
    (pulled_repo / "content" / "images").mkdir()
    (pulled_repo / "content" / "images" / "new.png").write_bytes(b"\x89PNG")
    assert _run_gate(sync_workflow, pulled_repo, "0") == 0
    (pulled_repo / "pyproject.toml").write_text("[tool.confluence-sync]\nspace = 'X'\n")
    assert _run_gate(sync_workflow, pulled_repo, "0") != 0
    (pulled_repo / "pyproject.toml").write_text("[tool.confluence-sync]\n")
    (pulled_repo / ".github").mkdir()
    (pulled_repo / ".github" / "x.yml").write_text("on: push\n")
    assert _run_gate(sync_workflow, pulled_repo, "1") != 0
