"""``check`` and ``render`` are offline commands: they must not pay for importing the HTTP stack
or the local wiki (start-up time is a large part of a small site's run)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY = ("requests", "urllib3", "atlassian", "tenacity", "werkzeug", "confluence_sync.localwiki")
PROBE = """
import json, sys
from confluence_sync.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="confluence-sync", standalone_mode=False)
finally:
    print(json.dumps(sorted(sys.modules)), file=sys.__stderr__)
"""


@pytest.mark.parametrize("command", [["check"], ["render", "--out", "out"]])
def test_offline_commands_import_no_http_stack_and_no_local_wiki(
    tmp_path: Path, command: list[str]
) -> None:
    shutil.copytree(REPO / "content", tmp_path / "content")
    table = (REPO / "pyproject.toml").read_text(encoding="utf-8").split("[tool.confluence-sync]")
    (tmp_path / "pyproject.toml").write_text("[tool.confluence-sync]" + table[1])
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *command],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    modules = json.loads(done.stderr.strip().splitlines()[-1])
    assert "confluence_sync.source.site" in modules  # the probe saw the command run
    loaded = [m for m in modules if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]
    assert loaded == []
