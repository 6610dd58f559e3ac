"""``confluence-sync sync`` / ``plan`` end to end: a small project in a temporary directory,
published over HTTP to the local wiki, as a user would run it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from publish_helpers import ApiWiki, api_of, write_project, writes_to

from confluence_sync.cli import cli
from confluence_sync.localwiki import Faults, LocalWiki

TOKEN = "sekrit-TOKEN-1234"
TITLES = {"Postmortem guide", "Guides", "The meeting", "Writing a postmortem"}


@pytest.fixture
def wiki(api_wiki: ApiWiki) -> ApiWiki:
    """The tests where the API matters run once per gateway x wiki mode."""
    return api_wiki


def env_for(wiki: LocalWiki, token: str = "admin", user: str = "admin") -> dict[str, str]:
    """A plain ``LocalWiki`` is published to over v1, as before v2 existed."""
    return {
        "CONFLUENCE_URL": wiki.base_url,
        "CONFLUENCE_USER": user,
        "CONFLUENCE_TOKEN": token,
        "CONFLUENCE_API": api_of(wiki),
        "CONFLUENCE_RETRY_MAX_WAIT": "0",
        "CI": "",
    }


def run(args: list[str], env: dict[str, str]) -> Result:
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def writes(wiki: LocalWiki) -> list[str]:
    return writes_to(wiki)


def test_sync_publishes_then_reports_everything_unchanged(project: Path, wiki: ApiWiki) -> None:
    env = env_for(wiki)
    first = run(["sync"], env)
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    # where, which space, which site's pages (the folder's name: no git remote here), which API,
    # which config
    assert lines[0] == (
        f"Target: {wiki.base_url} (space DEV, site repo, REST {wiki.api}; config pyproject.toml)"
    )
    assert lines[1].split() == ["ACTION", "TITLE", "REASON"]
    assert lines[-1] == "4 created, 0 updated, 0 unchanged, 0 conflicts, 0 orphans"
    wiki.clear_log()
    second = run(["sync"], env)
    assert second.exit_code == 0
    assert second.stdout.splitlines()[-1] == (
        "0 created, 0 updated, 4 unchanged, 0 conflicts, 0 orphans"
    )
    # space, our account and the state query
    assert writes(wiki) == [] and len(wiki.requests) <= 3


def test_json_report_and_plan_write_nothing(project: Path, wiki: ApiWiki) -> None:
    env = env_for(wiki)
    planned = run(["plan", "--json"], env)
    assert planned.exit_code == 0
    assert writes(wiki) == []
    assert planned.stderr.startswith("Target: ")
    report = json.loads(planned.stdout)
    assert report["dry_run"] is True and report["ok"] is True
    assert report["target"] == {
        "url": wiki.base_url,
        "space": "DEV",
        "local": False,
        "site": "repo",
        "api": wiki.api,
    }
    assert report["summary"]["create"] == 4 and report["errors"] == []
    assert {a["title"] for a in report["actions"]} == TITLES
    done = json.loads(run(["sync", "--json"], env).stdout)
    assert done["dry_run"] is False and done["summary"]["create"] == 4
    assert all(a["page_id"] and a["url"].startswith(wiki.base_url) for a in done["actions"])
    assert {a["source"] for a in done["actions"]} >= {"content/guides/writing.md"}


def test_wiki_edit_conflict_exit_1_then_force(project: Path, wiki: ApiWiki) -> None:
    env = env_for(wiki)
    assert run(["sync"], env).exit_code == 0
    report = json.loads(run(["sync", "--dry-run", "--json"], env).stdout)
    meeting = next(a for a in report["actions"] if a["title"] == "The meeting")
    wiki.edit_page(meeting["page_id"], "<p>Edited in the browser.</p>", by="jane.doe")
    (project / "content" / "guides" / "meeting.md").write_text("# The meeting\n\nNew text.\n")
    blocked = run(["sync", "--json"], env)
    assert blocked.exit_code == 1
    conflict = next(a for a in json.loads(blocked.stdout)["actions"] if a["title"] == "The meeting")
    assert conflict["action"] == "conflict" and conflict["editor"] == "Jane Doe"
    assert conflict["edited"].startswith("20")
    assert "--force" in blocked.stderr
    forced = run(["sync", "--force"], env)
    assert forced.exit_code == 0, forced.output
    assert "1 updated" in forced.stdout.splitlines()[-1]


def test_removed_file_is_an_orphan_until_pruned(project: Path, wiki: ApiWiki) -> None:
    env = env_for(wiki)
    assert run(["sync"], env).exit_code == 0
    (project / "content" / "guides" / "meeting.md").unlink()
    orphaned = run(["sync"], env)
    assert orphaned.exit_code == 0
    assert "1 orphans" in orphaned.stdout.splitlines()[-1]
    pruned = run(["sync", "--prune", "--json"], env)
    assert json.loads(pruned.stdout)["summary"]["delete"] == 1
    titles = {a["title"] for a in json.loads(run(["plan", "--json"], env).stdout)["actions"]}
    assert titles == TITLES - {"The meeting"}


def test_bad_input_exits_2_and_contacts_nothing(project: Path, local_wiki: LocalWiki) -> None:
    (project / "content" / "guides" / "meeting.md").write_text("# M\n\n[broken](nope.md)\n")
    result = run(["sync"], env_for(local_wiki))
    assert result.exit_code == 2
    assert "nope.md" in result.stderr
    assert local_wiki.requests == []


def test_bad_jobs_flag_exits_2_naming_it(project: Path, local_wiki: LocalWiki) -> None:
    result = CliRunner().invoke(cli, ["sync", "--jobs", "0"], env=env_for(local_wiki))
    assert result.exit_code == 2
    assert "--jobs" in result.output and "0 is not in the range 1<=x<=32" in result.output
    assert local_wiki.requests == []


def test_bad_retry_variable_exits_2_naming_it_and_contacts_nothing(
    project: Path, local_wiki: LocalWiki
) -> None:
    env = {**env_for(local_wiki), "CONFLUENCE_RETRY_MAX_WAIT": "soon"}
    for command in (["sync"], ["plan", "--json"], ["diff"]):
        result = run(command, env)
        assert result.exit_code == 2, (command, result.output)
        assert (
            "CONFLUENCE_RETRY_MAX_WAIT: error: must be a number of seconds >= 0, not 'soon'"
            in result.stderr
        ), command
    assert local_wiki.requests == []


def test_embedded_local_wiki_by_default_and_refused_in_ci(project: Path) -> None:
    env = {"CONFLUENCE_URL": "", "CONFLUENCE_TOKEN": "", "CI": "true"}
    refused = run(["sync"], env)
    assert refused.exit_code == 2
    assert "CONFLUENCE_URL is not set and CI=true" in refused.stderr
    assert not (project / ".confluence-sync" / "wiki").exists()  # (the conversion cache may be)
    local = run(["sync", "--local"], env)
    assert local.exit_code == 0, local.output
    first = local.stdout.splitlines()[0]
    assert first.startswith(
        "Target: local wiki at .confluence-sync/wiki (space DEV, site repo, REST v2;"
    )
    assert "confluence-sync wiki serve" in first
    again = run(["sync"], {**env, "CI": ""})
    assert again.stdout.splitlines()[-1].startswith("0 created, 0 updated, 4 unchanged")


def test_wrong_token_is_exit_3_authentication_failed(project: Path, wiki: ApiWiki) -> None:
    result = run(["sync"], env_for(wiki, token="wrong"))
    assert result.exit_code == 3
    assert "authentication failed" in result.stderr


def cli_process(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    full = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "confluence_sync", *args],
        cwd=cwd,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_token_never_appears_in_any_output(project: Path, tmp_path: Path) -> None:
    with LocalWiki(tmp_path / "tokwiki", extra_users={"bot@example.com": TOKEN}) as wiki:
        good = env_for(wiki, token=TOKEN, user="bot@example.com")
        wrong_user = env_for(wiki, token=TOKEN, user="nobody@example.com")
        unreachable = {
            **good,
            "CONFLUENCE_URL": "http://127.0.0.1:9/wiki",
            "CONFLUENCE_RETRY_ATTEMPTS": "1",
        }
        runs = [
            (["-vv", "sync", "--json"], good, 0),
            (["-vv", "plan"], good, 0),
            (["-vv", "sync", "--dry-run"], good, 0),
            (["-vv", "sync"], wrong_user, 3),
            (["-vv", "plan", "--json"], wrong_user, 3),
            (["-vv", "sync"], unreachable, 3),
        ]
        procs = [(cli_process(args, env, project), code) for args, env, code in runs]
        for proc, code in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == code, err
            assert TOKEN not in out and TOKEN not in err
            assert "Traceback" not in err
        assert "authentication failed" in err or "network error" in err


@pytest.mark.parametrize("target", ["v1-cloud", "v2-cloud"])
def test_sync_killed_midway_converges_without_duplicates(tmp_path: Path, target: str) -> None:
    """On v2 a create is three requests, so a kill can leave a page without labels or stamp:
    the rerun recognises its own content at version 1 and takes the page over (``adopt``)
    instead of creating a second one or refusing it as a stranger's page."""
    root = write_project(tmp_path / "repo", extra_pages=40)
    with ApiWiki(tmp_path / "killwiki", target) as wiki:
        wiki.faults = Faults(latency_ms=25)
        env = {**env_for(wiki), "CONFLUENCE_SPACE": "DEV"}
        per_page = 1 if wiki.api == "v1" else 3  # POSTs per created page
        proc = cli_process(["sync", "--jobs", "2"], env, root)
        deadline = time.monotonic() + 30
        while sum(r.method == "POST" for r in wiki.requests) < 8 * per_page:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        wiki.faults = Faults()
        written = sum(r.method == "POST" for r in wiki.requests)
        assert 8 * per_page <= written < 44 * per_page
        rerun = cli_process(["sync", "--json"], env, root)
        out, err = rerun.communicate(timeout=60)
        assert rerun.returncode == 0, err
        report = json.loads(out)
        adopted = report["summary"].get("adopt", 0) if wiki.api == "v2" else 0
        assert report["summary"]["create"] + report["summary"]["skip"] + adopted == 44
        assert report["summary"]["skip"] >= 6
        final = cli_process(["sync", "--json"], env, root)
        out, _ = final.communicate(timeout=60)
        assert json.loads(out)["summary"]["skip"] == 44
        search = wiki.base_url + "/rest/api/content?spaceKey=DEV&type=page&limit=200"
        import requests

        titles = Counter(
            r["title"]
            for r in requests.get(search, auth=("admin", "admin"), timeout=10).json()["results"]
        )
        assert max(titles.values()) == 1 and len(titles) == 45  # 44 pages + the home page


def test_parent_by_title_message_and_missing_parent(project: Path, wiki: ApiWiki) -> None:
    env = env_for(wiki)
    gw_env = {**env, "CONFLUENCE_RETRY_ATTEMPTS": "1"}
    with (project / "pyproject.toml").open("a") as config:
        config.write('parent = "Engineering"\n')
    missing = run(["sync"], gw_env)
    assert missing.exit_code == 2 and "'Engineering' not found" in missing.stderr
    from publish_helpers import gateway

    gw = gateway(wiki)
    parent = gw._call(
        "POST",
        "rest/api/content",
        idempotent=False,
        json={
            "type": "page",
            "title": "Engineering",
            "space": {"key": "DEV"},
            "body": {"storage": {"value": "<p>eng</p>", "representation": "storage"}},
        },
    )
    done = run(["sync", "--json", "--message", "Publish release notes"], env)
    assert done.exit_code == 0, done.output
    top = next(a for a in json.loads(done.stdout)["actions"] if a["title"] == "Postmortem guide")
    assert gw.page(top["page_id"]).parent_id == parent["id"]
    # v2's create request has no version message (PageCreateRequest); its update does
    created = (
        "Publish release notes [confluence-sync: content/index.md]" if wiki.api == "v1" else ""
    )
    assert gw.version_message(top["page_id"], 1) == created
    (project / "content" / "index.md").write_text("# Postmortem guide\n\nHello.\n")
    assert run(["sync", "--message", "Second release"], env).exit_code == 0
    assert gw.version_message(top["page_id"], 2).startswith("Second release")


def test_token_never_appears_in_the_other_commands(project: Path, tmp_path: Path) -> None:
    """Every other command, with a recognisable token, in success and failure paths."""
    repo = Path(__file__).resolve().parents[1]
    (project / "content" / "template").mkdir()
    shutil.copy(repo / "content" / "template" / "postmortem.yaml", project / "content" / "template")
    (project / "content" / "resources").mkdir()  # the section the template page hangs under
    (project / "content" / "resources" / "index.md").write_text("# Resources\n")
    example = repo / "content" / "incidents" / "example.yaml"
    with LocalWiki(tmp_path / "tokwiki2", extra_users={"bot@example.com": TOKEN}) as wiki:
        good = env_for(wiki, token=TOKEN, user="bot@example.com")
        wrong_user = env_for(wiki, token=TOKEN, user="nobody@example.com")
        runs = [
            (["-vv", "check"], good, 0),
            (["-vv", "render", "--out", str(tmp_path / "out")], good, 0),
            (["-vv", "sync"], good, 0),
            (["-vv", "diff"], good, 0),
            (["-vv", "diff", "--json"], wrong_user, 3),
            (["-vv", "incident", "validate", str(example)], good, 0),
            (["-vv", "incident", "new", "--from", str(example)], good, 0),
            (["-vv", "incident", "new", "--title", "Other", "--owner", "A"], wrong_user, 3),
            (["-vv", "sync", "--force", "--prune", "--json"], good, 0),
        ]
        for args, env, code in runs:
            proc = cli_process(args, env, project)
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == code, (args, err)
            assert TOKEN not in out + err, args
            assert "Traceback" not in err, (args, err)


def test_version_message_commit_from_github_sha_else_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from confluence_sync.commands.sync import source_commit

    monkeypatch.delenv("GITHUB_SHA", raising=False)
    assert source_commit(tmp_path) is None  # not a git checkout
    git = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "-C", str(tmp_path)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "x"], check=True)
    head = subprocess.run(
        [*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()
    found = source_commit(tmp_path)
    assert found is not None and len(found) >= 7 and head.startswith(found)
    monkeypatch.setenv("GITHUB_SHA", "0123456789abcdef0123")
    assert source_commit(tmp_path) == "0123456789ab"


def test_a_wiki_edit_offers_pull_and_force_and_only_children_needing_writes_are_blocked(
    project: Path, local_wiki: LocalWiki
) -> None:
    env = env_for(local_wiki)
    assert run(["sync"], env).exit_code == 0
    home = next(
        a
        for a in json.loads(run(["plan", "--json"], env).stdout)["actions"]
        if a["title"] == "Postmortem guide"
    )
    local_wiki.edit_page(home["page_id"], "<p>A comment from the wiki.</p>", by="jane.doe")
    plan = run(["plan", "--json"], env)
    assert plan.exit_code == 1
    kinds = {a["title"]: (a["action"], a["reason"]) for a in json.loads(plan.stdout)["actions"]}
    kind, reason = kinds["Postmortem guide"]
    assert kind == "conflict"
    assert "confluence-sync pull content/index.md" in reason
    assert "confluence-sync sync --force" in reason
    assert kinds["Guides"] == ("skip", "unchanged")  # an unchanged child needs no parent write
    (project / "content" / "guides" / "writing.md").write_text("# Writing a postmortem\n\nNew.\n")
    (project / "content" / "faq.md").write_text("# FAQ\n\nAsk.\n")
    plan = run(["plan", "--json"], env)
    kinds = {a["title"]: (a["action"], a["reason"]) for a in json.loads(plan.stdout)["actions"]}
    assert kinds["Writing a postmortem"][0] == "update"  # under Guides, which exists
    assert kinds["FAQ"][0] == "blocked"  # must be created under the page left alone
    assert kinds["The meeting"][0] == "skip"
