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
    return start_serve_in(None, "--data", str(tmp_path / "w"), *flags)


def start_serve_in(
    cwd: Path | None, *flags: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str, list[str], tuple[str, str]]:
    """``wiki serve --port 0 FLAGS`` started in ``cwd`` (a repository's subfolder, say), read up
    to the line that tells how to use it."""
    command = [
        sys.executable,
        "-c",
        "from confluence_sync.cli import main; main()",
        "wiki",
        "serve",
        "--port",
        "0",
        *flags,
    ]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    assert proc.stdout is not None
    lines: list[str] = []
    while not lines or ("CONFLUENCE_URL=" not in lines[-1] and lines[-1] and len(lines) < 12):
        lines.append(proc.stdout.readline())
    found = re.search(
        r"CONFLUENCE_URL=(\S+) CONFLUENCE_USER=(\S+) CONFLUENCE_TOKEN=(\S+)", "".join(lines)
    )
    if found is None:
        proc.kill()
        raise AssertionError(lines)
    return proc, found.group(1), lines, (found.group(2), found.group(3))
