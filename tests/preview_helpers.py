"""Running ``preview`` for tests: on a copy of this repository's guide, in a thread (the use
case) or as the command a writer types (a subprocess), and waiting for what it serves."""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from confluence_sync.config import load_settings
from confluence_sync.preview.rebuild import BuildSummary
from confluence_sync.preview.session import (
    PreviewAddress,
    PreviewHooks,
    PreviewOptions,
    run_preview,
)

REPO = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 15.0  # a generous bound for a loaded CI machine; the benchmark measures speed


def copy_guide(root: Path) -> Path:
    """This repository's guide, template and example incident, as a fresh clone has them."""
    root.mkdir(parents=True)
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


@dataclass
class Preview:
    """A running preview: where it answers and the builds it reported."""

    address: PreviewAddress
    builds: queue.Queue[BuildSummary]

    @property
    def origin(self) -> str:
        return self.address.latest.rsplit("/preview/", 1)[0]

    def latest_url(self) -> str:
        answer = requests.get(self.address.latest, allow_redirects=False, timeout=5)
        assert answer.status_code == 303, answer.status_code
        return self.origin + answer.headers["Location"]


@contextmanager
def preview_thread(root: Path) -> Iterator[Preview]:
    """The use case in a thread, on a free port, stopped (and its wiki removed) at the end."""
    settings = load_settings(cwd=root, env={})
    ready: queue.Queue[PreviewAddress | BaseException] = queue.Queue()
    builds: queue.Queue[BuildSummary] = queue.Queue()
    stop = threading.Event()
    hooks = PreviewHooks(on_ready=lambda address, first: ready.put(address), on_build=builds.put)

    def run() -> None:
        try:
            run_preview(settings, PreviewOptions(port=0), hooks, stop)
        except BaseException as exc:  # handed to the test, which fails with it
            ready.put(exc)

    thread = threading.Thread(target=run, name="preview-test", daemon=True)
    thread.start()
    try:
        first = ready.get(timeout=60)
        if isinstance(first, BaseException):
            raise first
        yield Preview(first, builds)
    finally:
        stop.set()
        thread.join(20)
        assert not thread.is_alive(), "the preview did not stop"


def wait_for(check: Callable[[], bool], what: str, seconds: float = WAIT_SECONDS) -> float:
    """Poll ``check`` until it holds; the seconds it took."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not seen within {seconds} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - start


def page_text(url: str) -> str:
    return requests.get(url, timeout=5).text


def tree_link(html: str, title: str) -> str:
    """The path of the page titled ``title`` in the page tree of a served page."""
    marker = f">{title}</a>"
    before = html[: html.index(marker)]
    return before[before.rindex('href="') + 6 : before.rindex('"')]


@contextmanager
def preview_process(
    root: Path, env: dict[str, str], *flags: str
) -> Iterator[tuple[str, list[str]]]:
    """``confluence-sync preview --port 0`` as a writer starts it; its latest-page URL and
    the lines it printed. Stopped with SIGTERM, as a service manager would."""
    command = [sys.executable, "-c", "from confluence_sync.cli import main; main()"]
    proc = subprocess.Popen(
        [*command, "preview", "--port", "0", *flags],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        while not any("Watching for changes" in line for line in lines):
            line = proc.stdout.readline()
            if not line:
                raise AssertionError("preview ended early:\n" + "".join(lines))
            lines.append(line)
        found = re.search(r"Last saved page: (\S+)", "".join(lines))
        assert found is not None, lines
        yield found.group(1), lines
    finally:
        proc.terminate()
        rest, _ = proc.communicate(timeout=20)
        lines.append(rest)
    assert proc.returncode == 0, "".join(lines)
