"""When a ``sync`` process imports the HTTP stack: after the site is built, so the imports reuse
the memory building freed, which keeps a large site's sync within its memory bound."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HTTP = ("requests", "urllib3", "atlassian", "tenacity")
PROBE = """
import json, sys
from confluence_sync.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="confluence-sync", standalone_mode=False)
finally:
    print(json.dumps(sorted(sys.modules)), file=sys.__stderr__)
"""


def run_sync(root: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "sync"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "CI": "", **env},
    )
    modules = json.loads(next(x for x in done.stderr.splitlines() if x.startswith('["')))
    return done, modules


def guide(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "content")
    table = (REPO / "pyproject.toml").read_text(encoding="utf-8").split("[tool.confluence-sync]")
    (tmp_path / "pyproject.toml").write_text("[tool.confluence-sync]" + table[1])
    return tmp_path


def test_sync_builds_the_site_before_importing_the_http_stack(tmp_path: Path) -> None:
    """Content with a mistake stops ``sync`` before the HTTP stack is loaded (on a large site,
    the imports then reuse the memory that building the site freed)."""
    root = guide(tmp_path)
    (root / "content" / "broken.md").write_text("# Broken\n\nSee [it](missing.md).\n")
    env = {"CONFLUENCE_URL": "http://127.0.0.1:9", "CONFLUENCE_TOKEN": "t"}
    done, modules = run_sync(root, env)
    assert "missing.md" in done.stderr and done.returncode != 0
    assert "confluence_sync.source.site" in modules
    loaded = [m for m in modules if m.split(".")[0] in HTTP]
    assert loaded == []
