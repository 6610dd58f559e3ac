"""Seconds and peak memory of one ``python -m confluence_sync …`` process, measured by itself.

The peak that ``wait4`` reports (``ru_maxrss``) survives fork and exec on Linux: a command
started by a benchmark process that holds a local wiki or a generated site reports at least
that process's size. The kernel's high-water mark ``VmHWM`` starts afresh at exec, so the
command runs under a small wrapper that writes its own ``VmHWM`` to a file as it exits.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

WRAPPER = """
import atexit, os, runpy, sys
def report():
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["CONFLUENCE_SYNC_BENCH_PEAK"], "w") as out:
        out.write(kb)
atexit.register(report)
sys.argv[0] = "confluence-sync"
runpy.run_module("confluence_sync", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class Run:
    status: int
    seconds: float
    peak_mb: float
    stderr: str


def run_command(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Run:
    """``python -m confluence_sync *args`` in ``cwd``; stdout is discarded."""
    with tempfile.TemporaryDirectory() as tmp:
        peak_file = Path(tmp) / "peak"
        environment = {**(env if env is not None else os.environ)}
        environment["CONFLUENCE_SYNC_BENCH_PEAK"] = str(peak_file)
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", WRAPPER, *args],
            cwd=cwd,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        seconds = time.perf_counter() - started
        peak = int(peak_file.read_text()) / 1024 if peak_file.exists() else float("nan")
    return Run(proc.returncode, seconds, peak, proc.stderr.decode(errors="replace"))
