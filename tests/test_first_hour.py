"""The first hour in a repository that is not this one: the state folder stays out of
``git status``, ``wiki serve`` from a subfolder serves the repository's embedded wiki (and says
which, on its first line), a page that another process syncs is found by a running ``wiki
serve``'s CQL search at once, and every link a command prints opens against ``wiki serve``.

Everything runs as a user runs it: separate processes, real HTTP, the embedded wiki's SQLite
file shared between them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from publish_helpers import write_project
from wiki_serve_helpers import start_serve_in

REPO = Path(__file__).resolve().parents[1]
SERVE_URL = "http://127.0.0.1:8090/wiki"  # wiki serve's default address: what links name
NO_TARGET = {"CONFLUENCE_URL": "", "CONFLUENCE_API": "", "CI": "", "GITHUB_ACTIONS": ""}


def _git(root: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=T", "-c", "user.email=t@example.com", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "confluence_sync", *args],
        cwd=cwd,
        env={**os.environ, **NO_TARGET},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh repository of someone else's: a small guide and this project's template."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = write_project(tmp_path / "theirs")
    shutil.copytree(REPO / "content" / "template", root / "content" / "template")
    template = root / "content" / "template" / "postmortem.yaml"
    template.write_text(template.read_text().replace("resources/index.md", "index.md"))
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "guide")
    return root


@pytest.fixture
def served(repo: Path) -> Iterator[tuple[str, list[str], tuple[str, str]]]:
    """``wiki serve`` started in a subfolder, without ``--data``, as the README says."""
    proc, base, lines, auth = start_serve_in(repo / "content" / "guides", env=NO_TARGET)
    try:
        yield base, lines, auth
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_the_state_folder_ignores_itself(repo: Path) -> None:
    done = _cli(repo, "sync")
    assert done.returncode == 0, done.stderr + done.stdout
    assert (repo / ".confluence-sync" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert _git(repo, "status", "--porcelain") == ""


def _search(base: str, auth: tuple[str, str], cql: str) -> list[str]:
    found = requests.get(
        f"{base}/rest/api/content/search", params={"cql": cql}, auth=auth, timeout=10
    )
    found.raise_for_status()
    return [item["title"] for item in found.json()["results"]]


def test_wiki_serve_from_a_subfolder_serves_the_repository_wiki_and_sees_other_writers(
    repo: Path, served: tuple[str, list[str], tuple[str, str]]
) -> None:
    base, lines, auth = served
    assert lines[0].strip() == "Data: ../../.confluence-sync/wiki (config ../../pyproject.toml)"
    cql = 'label = "confluence-sync" AND space = "DEV"'
    assert _search(base, auth, cql) == []  # searched once: the answer is now cached
    first = _cli(repo / "content", "sync")  # another process, from another subfolder
    assert first.returncode == 0, first.stderr + first.stdout
    assert "Writing a postmortem" in _search(base, auth, cql)
    (repo / "content" / "guides" / "new.md").write_text("# Brand new\n\nHello.\n")
    assert _cli(repo, "sync").returncode == 0
    assert "Brand new" in _search(base, auth, cql)


def _opens(link: str, base: str, auth: tuple[str, str], title: str) -> None:
    """``link`` names wiki serve's default address; this wiki serve runs on a free port, so the
    same path is opened on it."""
    assert link.startswith(SERVE_URL + "/"), link
    origin = urlsplit(base)
    parts = urlsplit(link)
    page = requests.get(
        f"{origin.scheme}://{origin.netloc}{parts.path}?{parts.query}", auth=auth, timeout=10
    )
    assert page.status_code == 200, link
    assert title in page.text


def test_every_link_a_command_prints_opens_against_wiki_serve(
    repo: Path, served: tuple[str, list[str], tuple[str, str]]
) -> None:
    base, _, auth = served
    synced = _cli(repo, "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    document = json.loads(synced.stdout)
    assert document["target"]["url"] is None
    for action in document["actions"]:
        _opens(action["url"], base, auth, action["title"].replace("'", "&#x27;"))
    drift = json.loads(_cli(repo, "diff", "--json").stdout)
    assert drift["target"]["url"] is None
    for page in drift["pages"]:
        _opens(page["url"], base, auth, page["title"].replace("'", "&#x27;"))
    args = ("incident", "new", "--title", "Disk full", "--date", "2026-11-27", "--owner", "Kai")
    created = _cli(repo, *args)
    assert created.returncode == 0, created.stderr
    link = created.stdout.split("page: ", 1)[1].split(" ", 1)[0]
    _opens(link, base, auth, "2026-11-27 Disk full")
