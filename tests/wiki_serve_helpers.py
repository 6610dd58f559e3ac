"""Starting ``confluence-sync wiki serve`` in a subprocess, as a user would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def start_serve(
    tmp_path: Path, *flags: str
) -> tuple[subprocess.Popen[str], str, list[str], tuple[str, str]]:
    """``wiki serve`` as a user starts it: the process, its base URL, what it printed, and the
    credentials it printed."""
    command = [
        sys.executable,
        "-c",
        "from confluence_sync.cli import main; main()",
        "wiki",
        "serve",
        "--port",
        "0",
        "--data",
        str(tmp_path / "w"),
        *flags,
    ]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(5)]
    found = re.search(
        r"CONFLUENCE_URL=(\S+) CONFLUENCE_USER=(\S+) CONFLUENCE_TOKEN=(\S+)", "".join(lines)
    )
    if found is None:
        proc.kill()
        raise AssertionError(lines)
    return proc, found.group(1), lines, (found.group(2), found.group(3))
